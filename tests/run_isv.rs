//! Alipay third-party (ISV) calls (`alipay-isv`) through `authwalk run`: the merchant's
//! authorization exchanged for an `app_auth_token`, the member login for the merchant's app
//! with it, and the omission of the token named by the diagnosis.

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
        .args(["run", "alipay-isv"])
        .args(args)
        .args(["--lang", "en", "--json", "--state-dir"])
        .arg(state_dir())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

fn request_text(ex: &Value) -> String {
    format!(
        "{}&{}",
        ex["request"]["url"].as_str().unwrap(),
        ex["request"]["body"].as_str().unwrap()
    )
}

#[test]
fn the_isv_walks_the_merchants_login_with_app_auth_token() {
    let (code, doc) = run(&["--refresh"]);
    assert_eq!(code, Some(0), "{doc}");
    let endpoints: Vec<&str> = doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        [
            "alipay.open.auth.token.app",
            "alipay.system.oauth.token",
            "alipay.user.info.share",
            "alipay.system.oauth.token",
        ]
    );
    // The member authorizes the merchant's app; the ISV signs with its own.
    let url = doc["context"]["authorize_url"].as_str().unwrap();
    assert!(url.contains("app_id=2021000000000002"), "{url}");
    for ex in doc["exchanges"].as_array().unwrap() {
        let text = request_text(ex);
        assert!(text.contains("app_id=2021000000000001"), "{text}");
        assert_eq!(ex["verification"]["outcome"], "verified", "{ex}");
        if ex["endpoint"] != "alipay.open.auth.token.app" {
            assert!(text.contains("app_auth_token=2026"), "{text}");
        }
    }
    // The merchant's authorization: its tokens are masked, nested ones too.
    let grant = doc["exchanges"][0].to_string();
    assert!(
        grant.contains("\"auth_app_id\":\"2021000000000002\""),
        "{grant}"
    );
    assert!(!grant.contains("202612BB"), "an app token leaked: {grant}");
    assert!(
        doc["context"]["user_id"]
            .as_str()
            .unwrap()
            .starts_with("2088")
    );
}

#[test]
fn the_missing_app_auth_token_is_named() {
    let (code, doc) = run(&["--scenario", "isv-missing-app-auth-token"]);
    assert_eq!(code, Some(1), "{doc}");
    let token = &doc["exchanges"][1];
    assert_eq!(token["endpoint"], "alipay.system.oauth.token");
    assert!(!request_text(token).contains("app_auth_token"));
    let codes: Vec<&str> = token["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"alipay.isv.code-invalid"), "{codes:?}");
    assert!(
        codes.contains(&"alipay.isv.app-auth-token-missing"),
        "{codes:?}"
    );
}
