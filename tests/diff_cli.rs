//! `authwalk diff` on walks of the embedded sandbox and a capture: two walks of the same flow
//! and user do not differ in anything that decides the outcome (exit 0); another scope does
//! (exit 1, named); a HAR of seed 002's mix-up against a good wechat-web walk names the token
//! endpoint; a transcript compares with a `run --json` document; `--json` for scripts.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

fn authwalk() -> Command {
    let mut c = Command::cargo_bin("authwalk").unwrap();
    c.env("AUTHWALK_LANG", "en");
    c
}

fn run_json(dir: &Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = authwalk()
        .args(["run", "wechat-web", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let file = dir.join(name);
    std::fs::write(&file, out.stdout).unwrap();
    file
}

fn entry(url: &str, response: &Value) -> Value {
    json!({
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {"status": 200, "content": {"mimeType": "application/json", "text": response.to_string()}},
    })
}

/// Seed 002's login as a browser records it: the code exchanged, then a basic token from
/// `/cgi-bin/token` and the follower API used for the profile.
fn seed_002_capture() -> String {
    let secret = "0123456789abcdef0123456789abcdef";
    let basic = "86_BASICtokenBASICtokenBASICtokenBASIC";
    let entries = [
        entry(
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&response_type=code&scope=snsapi_userinfo&state=s1#wechat_redirect",
            &json!(""),
        ),
        entry(
            "https://shop.example/cb?code=061abcdefabcdefabcdefabcdef0001&state=s1",
            &json!(""),
        ),
        entry(
            &format!(
                "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx0123456789abcdef&secret={secret}&code=061abcdefabcdefabcdefabcdef0001&grant_type=authorization_code"
            ),
            &json!({"access_token": "86_WEBtokenWEBtokenWEBtokenWEBtokenWEB", "expires_in": 7200, "openid": "oUSERopenidUSERopenid0001", "scope": "snsapi_userinfo"}),
        ),
        entry(
            &format!(
                "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx0123456789abcdef&secret={secret}"
            ),
            &json!({"access_token": basic, "expires_in": 7200}),
        ),
        entry(
            &format!(
                "https://api.weixin.qq.com/cgi-bin/user/info?access_token={basic}&openid=oUSERopenidUSERopenid0001&lang=zh_CN"
            ),
            &json!({"subscribe": 0, "openid": "oUSERopenidUSERopenid0001"}),
        ),
    ];
    json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}}).to_string()
}

#[test]
fn two_walks_of_one_flow_and_user_do_not_differ_in_what_decides() {
    let dir = tempfile::tempdir().unwrap();
    let a = run_json(dir.path(), "a.json", &[]);
    let b = run_json(dir.path(), "b.json", &[]);
    let out = authwalk().arg("diff").arg(&a).arg(&b).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("do not differ in anything that decides"),
        "{text}"
    );
    // The state and the code differ on every walk: shown apart.
    assert!(text.contains("never matter"), "{text}");
    assert!(text.contains("param state:"), "{text}");

    // An exported transcript (placeholders for secrets) against a `run --json` document.
    authwalk()
        .args(["run", "wechat-web", "--export"])
        .arg(dir.path().join("t"))
        .assert()
        .success();
    authwalk()
        .arg("diff")
        .arg(dir.path().join("t.json"))
        .arg(&a)
        .assert()
        .code(0);
}

#[test]
fn another_scope_exits_1_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let a = run_json(dir.path(), "a.json", &[]);
    let b = run_json(dir.path(), "b.json", &["--scope", "snsapi_base"]);
    let out = authwalk().arg("diff").arg(&a).arg(&b).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("[authorize] param scope: snsapi_userinfo → snsapi_base"),
        "{text}"
    );
    assert!(
        text.contains("decides the outcome: scope (authorize)"),
        "{text}"
    );

    let out = authwalk()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "authwalk.diff/1");
    assert_eq!(doc["decides"], true);
    let scope = doc["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "scope" && d["step"] == "authorize")
        .unwrap();
    assert_eq!(scope["weight"], "decides");
    assert_eq!(scope["right"], "snsapi_base");
}

#[test]
fn the_seed_002_capture_against_a_good_walk_names_the_token_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let good = run_json(dir.path(), "good.json", &[]);
    let har = dir.path().join("mixup.har");
    std::fs::write(&har, seed_002_capture()).unwrap();
    let out = authwalk()
        .arg("diff")
        .arg(&har)
        .arg(&good)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("[token] endpoint: /cgi-bin/token → /sns/oauth2/access_token"),
        "{text}"
    );
    assert!(text.contains("endpoint (token)"), "{text}");
    // The capture's secrets stay masked.
    assert!(!text.contains("0123456789abcdef0123456789abcdef"), "{text}");
}

#[test]
fn an_unreadable_walk_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    authwalk()
        .arg("diff")
        .arg(&bad)
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.json"));
}
