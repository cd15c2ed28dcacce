//! The `redirect-twice` scenario end to end: the consent page redirects twice, the first
//! landing exchanges the code, the walk's exchange gets 40163, and the diagnosis and the
//! timeline point at the two hits on the callback with the one code.

#![expect(clippy::unwrap_used, reason = "tests")]

use assert_cmd::Command;
use serde_json::Value;

fn run(extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .args(["run", "wechat-web"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_double_redirect_fails_with_40163_and_names_both_hits() {
    let out = run(&["--scenario", "redirect-twice"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("[wechat.40163]"), "{text}");
    assert!(text.contains("[flow.callback-twice]"), "{text}");
    assert!(text.contains("the callback was hit 2 times"), "{text}");
    assert!(text.contains("hits on the callback:"), "{text}");
    assert!(text.contains("sandbox  exchanged"), "{text}");
    assert!(text.contains("walk     taken"), "{text}");

    let out = run(&["--scenario", "redirect-twice", "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let timeline = doc["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert_eq!(timeline[0]["source"], "sandbox");
    assert_eq!(timeline[0]["result"], "exchanged");
    assert_eq!(timeline[1]["source"], "walk");
    assert_eq!(timeline[0]["code"], timeline[1]["code"]);
    assert_eq!(timeline[0]["state"], timeline[1]["state"]);
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["code"].as_str())
        .collect();
    assert!(notes.contains(&"flow.callback-twice"), "{notes:?}");
}

#[test]
fn one_redirect_is_one_hit_and_no_finding() {
    let out = run(&["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["timeline"].as_array().unwrap().len(), 1);
    assert!(
        !doc["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "flow.callback-twice")
    );
}

#[test]
fn the_scenario_is_for_wechat_only() {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .args(["run", "alipay-web", "--scenario", "redirect-twice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wechat"));
}
