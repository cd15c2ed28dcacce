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

/// A browser's capture of a page that redirected twice: two requests to the callback with one
/// code, then the exchange WeChat refused.
fn double_redirect_capture() -> String {
    let entry = |started: &str, url: &str, response: &str| {
        serde_json::json!({
            "startedDateTime": started,
            "request": {"method": "GET", "url": url, "headers": [
                {"name": "User-Agent", "value": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"}
            ]},
            "response": {"status": 200, "content": {"mimeType": "application/json", "text": response}},
        })
    };
    let cb = "https://shop.example/cb?code=061abcdefabcdefabcdefabcdef0001&state=s1";
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": [
        entry("2026-12-01T08:00:00.000Z", "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&response_type=code&scope=snsapi_userinfo&state=s1#wechat_redirect", ""),
        entry("2026-12-01T08:00:03.120Z", cb, "<html></html>"),
        entry("2026-12-01T08:00:03.410Z", cb, "<html></html>"),
        entry("2026-12-01T08:00:03.500Z", "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx0123456789abcdef&secret=0123456789abcdef0123456789abcdef&code=061abcdefabcdefabcdefabcdef0001&grant_type=authorization_code",
            r#"{"errcode":40163,"errmsg":"code been used, rid: 1"}"#),
    ]}})
    .to_string()
}

#[test]
fn a_capture_of_a_double_redirect_shows_both_hits_with_their_times() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("twice.har");
    std::fs::write(&file, double_redirect_capture()).unwrap();
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_LANG", "en")
        .arg("replay")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("hits on the callback:"), "{text}");
    assert!(text.contains("08:00:03.120  capture"), "{text}");
    assert!(text.contains("08:00:03.410  capture"), "{text}");
    assert!(text.contains("MicroMessenger"), "{text}");
    assert!(text.contains("[flow.callback-twice]"), "{text}");
    assert!(text.contains("(at 08:00:03.120, 08:00:03.410)"), "{text}");
}
