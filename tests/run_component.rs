//! The WeChat third-party platform (`wechat-component`) through `authwalk run`: the whole login
//! with its component refresh, and its classic mix-up diagnosed by name.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use serde_json::Value;

#[expect(dead_code, reason = "this file uses only the shared state folder")]
mod common;

use common::state_dir;

fn run(args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .arg("run")
        .args(args)
        .args(["--lang", "en", "--json", "--state-dir"])
        .arg(state_dir())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

fn endpoints(doc: &Value) -> Vec<String> {
    doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_component_login_walks_with_the_component_token_and_refresh() {
    let (code, doc) = run(&["wechat-component", "--refresh"]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["flow"], "wechat-component");
    assert_eq!(
        endpoints(&doc),
        [
            "/cgi-bin/component/api_component_token",
            "/sns/oauth2/component/access_token",
            "/sns/userinfo",
            "/sns/oauth2/component/refresh_token",
        ]
    );
    let url = doc["context"]["authorize_url"].as_str().unwrap();
    assert!(
        url.contains("&component_appid=wx5a1d0c0ffee000c1#wechat_redirect"),
        "{url}"
    );
    // The redirect names the Official Account, as WeChat's does for a component.
    assert_eq!(doc["context"]["callback"]["appid"], "wx5a1d0c0ffee00001");
    // The component exchange sends no appsecret; the platform's secret and ticket are masked.
    let token_url = doc["exchanges"][1]["request"]["url"].as_str().unwrap();
    assert!(!token_url.contains("secret="), "{token_url}");
    let body = doc["exchanges"][0]["request"]["body"].as_str().unwrap();
    assert!(body.contains("\"component_appsecret\":\""), "{body}");
    assert!(!body.contains("ticket@@@"), "the ticket is masked: {body}");
}

#[test]
fn the_component_mixup_is_diagnosed_by_name() {
    let (code, doc) = run(&["wechat-component", "--scenario", "component-token-mixup"]);
    assert_eq!(code, Some(1), "{doc}");
    let token = &doc["exchanges"][1];
    assert_eq!(token["endpoint"], "/sns/oauth2/component/access_token");
    let codes: Vec<&str> = token["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"wechat.40001"), "{codes:?}");
    assert!(codes.contains(&"wechat.component-token-mixup"), "{codes:?}");
    let text = token.to_string();
    assert!(text.contains("message-verification Token"), "{text}");
}
