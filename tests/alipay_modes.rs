//! Alipay's modes through `authwalk run`: certificate mode, OpenAPI v3, both together, and a
//! v3 answer whose signed header was changed on the way.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use serde_json::Value;

#[expect(dead_code, reason = "this file uses only the shared state folder")]
mod common;

const CERT_APP: &str = "2021000000000005";

fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .arg("run")
        .arg("alipay-web")
        .args(args)
        .arg("--json")
        .arg("--state-dir")
        .arg(common::state_dir())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

fn exchange<'a>(doc: &'a Value, step: &str) -> &'a Value {
    doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == step)
        .unwrap_or_else(|| panic!("no {step} exchange in {doc}"))
}

fn header<'a>(ex: &'a Value, name: &str) -> Option<&'a str> {
    ex["response"]["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .and_then(|h| h[1].as_str())
}

#[test]
fn a_certificate_app_walks_with_both_sns_and_a_verified_answer() {
    let (code, doc) = run(&["--app", CERT_APP]);
    assert_eq!(code, 0, "{doc}");
    for step in ["token", "user-info"] {
        let ex = exchange(&doc, step);
        assert_eq!(ex["verification"]["outcome"], "verified", "{step}");
        assert!(ex["verification"]["alipay_cert_sn"].is_string(), "{step}");
        let url = ex["request"]["url"].as_str().unwrap();
        assert!(url.contains("app_cert_sn=") && url.contains("alipay_root_cert_sn="));
        let sns = ex["signing"]["cert_sns"].as_array().unwrap();
        assert_eq!(sns[0]["param"], "app_cert_sn");
        assert!(sns[0]["how"].as_str().unwrap().starts_with("md5(\"CN="));
        assert_eq!(sns[1]["param"], "alipay_root_cert_sn");
        assert!(sns[1]["how"].as_str().unwrap().contains("skipped"));
    }
}

#[test]
fn openapi_v3_walks_verified_with_the_header_signature() {
    let (code, doc) = run(&["--api", "v3"]);
    assert_eq!(code, 0, "{doc}");
    let token = exchange(&doc, "token");
    assert!(
        token["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/v3/alipay/system/oauth/token")
    );
    let signed = token["signing"]["canonical"].as_str().unwrap();
    assert!(
        signed.starts_with("app_id=2021000000000001,nonce="),
        "{signed}"
    );
    assert!(
        signed.contains("\nPOST\n/v3/alipay/system/oauth/token\n{"),
        "{signed}"
    );
    assert!(signed.ends_with("}\n"), "{signed}");
    for step in ["token", "user-info"] {
        let ex = exchange(&doc, step);
        assert_eq!(ex["verification"]["outcome"], "verified", "{step}");
        assert!(header(ex, "alipay-signature").is_some());
    }
    assert!(doc["context"]["user_id"].is_string() || doc["context"]["user_id"].is_object());
}

#[test]
fn openapi_v3_in_certificate_mode_names_the_certificate_in_alipay_sn() {
    let (code, doc) = run(&["--api", "v3", "--app", CERT_APP]);
    assert_eq!(code, 0, "{doc}");
    let ex = exchange(&doc, "user-info");
    assert_eq!(ex["verification"]["outcome"], "verified");
    assert!(header(ex, "alipay-sn").is_some());
    let signed = ex["signing"]["canonical"].as_str().unwrap();
    assert!(signed.contains(",app_cert_sn="), "{signed}");
}

#[test]
fn a_tampered_v3_header_fails_with_the_exact_string_shown() {
    let (code, doc) = run(&["--api", "v3", "--scenario", "tampered-response"]);
    assert_eq!(code, 1, "{doc}");
    let ex = exchange(&doc, "user-info");
    let v = &ex["verification"];
    assert_eq!(v["outcome"], "mismatch");
    // The string checked is the headers as they arrived, with the body, each line ended by \n.
    let ts = header(ex, "alipay-timestamp").unwrap();
    let nonce = header(ex, "alipay-nonce").unwrap();
    let shown = v["signed_text"].as_str().unwrap();
    assert!(shown.starts_with(&format!("{ts}\n{nonce}\n{{")), "{shown}");
    assert!(shown.ends_with("}\n"), "{shown}");
    let reason = v["reason"]["en"].as_str().unwrap();
    assert!(
        reason.contains("alipay-signature does not verify over the string"),
        "{reason}"
    );
    assert!(
        ex["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "alipay.signature-mismatch")
    );
}
