//! Today's Alipay apps through `authwalk run`: open_id-only and migrating apps, app groups and
//! their union_id, the fields withheld from apps approved after 2019-12-24, and the mini
//! program's my.getPhoneNumber step (verified over the quoted ciphertext, then decrypted).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

#[expect(dead_code, reason = "this file uses only the state directory helper")]
mod common;

use common::state_dir;

fn run(args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .arg("run")
        .args(args)
        .arg("--json")
        .arg("--state-dir")
        .arg(state_dir())
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn decoded<'a>(doc: &'a Value, step: &str) -> &'a Value {
    doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == step)
        .map(|e| &e["decoded"])
        .unwrap()
}

fn error_findings(doc: &Value) -> Vec<String> {
    doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["findings"].as_array().unwrap().iter())
        .chain(doc["notes"].as_array().unwrap())
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn open_id_apps_walk_without_user_id_and_groups_share_union_id() {
    // The seeds' app: user_id and every member field, Q/T/B/W included.
    let (seeds, code) = run(&["alipay-web"]);
    assert_eq!(code, 0);
    assert!(seeds["context"]["user_id"].is_string());
    assert!(decoded(&seeds, "user-info")["user_status"].is_string());

    // open_id only, a new app: no user_id, no error finding, none of the hidden fields.
    let (openid, code) = run(&["alipay-web", "--app", "2021000000000004"]);
    assert_eq!(code, 0, "{openid:#}");
    assert!(openid["ok"].as_bool().unwrap());
    assert!(openid["context"]["user_id"].is_null());
    assert!(openid["context"]["open_id"].is_string());
    assert!(
        error_findings(&openid).is_empty(),
        "{:?}",
        error_findings(&openid)
    );
    let info = decoded(&openid, "user-info");
    for field in [
        "user_status",
        "is_certified",
        "user_type",
        "is_student_certified",
    ] {
        assert!(info.get(field).is_none(), "{field} must be withheld");
    }
    assert!(info["nick_name"].is_string());

    // Migrating: both ids. Same group as the next app: one union_id, two open_ids.
    let (both, code) = run(&["alipay-web", "--app", "2021000000000006"]);
    assert_eq!(code, 0);
    assert!(both["context"]["user_id"].is_string());
    assert!(both["context"]["open_id"].is_string());
    assert!(error_findings(&both).is_empty());
    let (grouped, code) = run(&["alipay-web", "--app", "2021000000000007"]);
    assert_eq!(code, 0);
    assert!(grouped["context"]["user_id"].is_null());
    assert_eq!(both["context"]["union_id"], grouped["context"]["union_id"]);
    assert!(both["context"]["union_id"].is_string());
    assert_ne!(both["context"]["open_id"], grouped["context"]["open_id"]);
}

#[test]
fn the_phone_number_is_verified_and_decrypted() {
    let (doc, code) = run(&["alipay-mini", "--phone-number", "--user", "alipay-student"]);
    assert_eq!(code, 0, "{doc:#}");
    let phone = doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "phone-number")
        .unwrap();
    assert_eq!(phone["verification"]["outcome"], "verified");
    let signed = phone["verification"]["signed_text"].as_str().unwrap();
    assert!(signed.starts_with('"') && signed.ends_with('"'), "{signed}");
    assert!(
        phone["decoded"]["mobile"]
            .as_str()
            .unwrap()
            .starts_with("138")
    );
    // The control token is masked like any credential header.
    let headers = phone["request"]["headers"].to_string();
    assert!(headers.contains('…'), "{headers}");

    // An app that has not added the feature: the error is found inside the ciphertext.
    let (doc, code) = run(&["alipay-mini", "--phone-number", "--app", "2021000000000007"]);
    assert_eq!(code, 1);
    assert!(
        error_findings(&doc).contains(&"alipay.isv.insufficient-isv-permissions".to_owned()),
        "{:?}",
        error_findings(&doc)
    );
    // An app with no AES key: named.
    let (doc, code) = run(&["alipay-mini", "--phone-number", "--app", "2021000000000002"]);
    assert_eq!(code, 1);
    assert!(
        error_findings(&doc).contains(&"alipay.isv.missing-encrypt-key".to_owned()),
        "{:?}",
        error_findings(&doc)
    );
}

#[test]
fn phone_number_is_refused_on_other_flows() {
    Command::cargo_bin("authwalk")
        .unwrap()
        .args(["run", "alipay-web", "--phone-number"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("alipay-mini"));
}

#[test]
fn a_profile_that_expects_user_id_is_told_why_there_is_none() {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        "[profiles.new-app]\nprovider = \"alipay\"\napp_id = \"2021000000000004\"\n\
         environment = \"embedded\"\nredirect_uri = \"http://127.0.0.1/__sandbox/callback\"\n\
         id_mode = \"uid\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("AUTHWALK_CONFIG_DIR", config.path())
        .args([
            "run",
            "alipay-web",
            "--profile",
            "new-app",
            "--json",
            "--state-dir",
        ])
        .arg(state_dir())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // A warning that says why, not an error: the walk itself succeeded.
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let token = doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "token")
        .unwrap();
    let finding = token["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "alipay.identity.no-user-id")
        .unwrap_or_else(|| panic!("{token:#}"));
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["explanation"]["en"]
            .as_str()
            .unwrap()
            .contains("2024-03-01")
    );
    // The sandbox's own apps carry their id_mode: no such warning on a plain walk.
    let (doc, _) = run(&["alipay-web", "--app", "2021000000000004"]);
    assert!(!doc.to_string().contains("alipay.identity.no-user-id"));
}

#[test]
fn a_wrong_aes_key_in_the_profile_is_named() {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        "[profiles.mini]\nprovider = \"alipay\"\napp_id = \"2021000000000001\"\n\
         environment = \"embedded\"\nredirect_uri = \"http://127.0.0.1/__sandbox/callback\"\n\
         encrypt_key = \"env:AUTHWALK_TEST_AES\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("AUTHWALK_CONFIG_DIR", config.path())
        // Another app's key (the sandbox's …07).
        .env("AUTHWALK_TEST_AES", "3Ffv0kGcZ1m1a2WnS8XbpA==")
        .args([
            "run",
            "alipay-mini",
            "--phone-number",
            "--profile",
            "mini",
            "--json",
        ])
        .arg("--state-dir")
        .arg(state_dir())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert!(
        error_findings(&doc).contains(&"alipay.aes.wrong-key".to_owned()),
        "{:?}",
        error_findings(&doc)
    );
    // The key itself never reaches the output.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("3Ffv0kGc"));
}
