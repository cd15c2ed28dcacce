//! Exit codes as the README documents them: 0 succeeded; 1 the provider rejected a step, a
//! signature did not verify, or a check found an error; 2 usage, configuration or internal
//! error.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup should panic where it fails"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
}

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").unwrap();
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

fn sign() -> Command {
    let mut cmd = authwalk();
    cmd.args(["sign", "--private-key"])
        .arg(vector("app_private_key_pkcs8.pem"));
    cmd
}

fn verify() -> Command {
    let mut cmd = authwalk();
    cmd.args(["verify", "--alipay-public-key"])
        .arg(vector("fake_alipay_public_key.pem"));
    cmd
}

#[test]
fn sign_type_option_contradicting_the_parameter_is_a_usage_error() {
    for (option, param) in [("RSA", "RSA2"), ("RSA2", "RSA")] {
        for json in [false, true] {
            let mut cmd = sign();
            cmd.args(["--sign-type", option])
                .arg(format!("sign_type={param}"))
                .arg("app_id=2021000000000001");
            if json {
                cmd.arg("--json");
            }
            cmd.assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(format!(
                    "--sign-type {option} contradicts the parameter sign_type={param}"
                )));
        }
    }
}

#[test]
fn charset_option_contradicting_the_parameter_is_a_usage_error() {
    sign()
        .args([
            "--charset",
            "GBK",
            "charset=utf-8",
            "app_id=2021000000000001",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--charset GBK contradicts the parameter charset=utf-8",
        ));
}

#[test]
fn an_option_agreeing_with_the_parameter_signs() {
    sign()
        .args([
            "--sign-type",
            "RSA2",
            "sign_type=RSA2",
            "app_id=2021000000000001",
        ])
        .assert()
        .code(0);
}

#[test]
fn verify_on_empty_standard_input_is_a_usage_error() {
    for input in ["", "  \r\n\t", "\u{feff}\n"] {
        for json in [false, true] {
            let mut cmd = verify();
            cmd.arg("-").write_stdin(input);
            if json {
                cmd.arg("--json");
            }
            cmd.assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(
                    "standard input is empty: paste the raw response body",
                ));
        }
    }
    // No file argument means standard input too.
    verify()
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard input is empty"));
}

#[test]
fn verify_on_an_empty_file_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("response.json");
    std::fs::write(&empty, "\n").unwrap();
    verify()
        .arg(&empty)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "{} is empty",
            empty.display()
        )));
}

/// `explain` and `verify` agree: nothing pasted is a usage error for both.
#[test]
fn explain_and_verify_agree_on_empty_input() {
    authwalk()
        .args(["explain", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    verify().arg("-").write_stdin("").assert().code(2);
}

/// The other two codes of `verify`, so the three stay distinct.
#[test]
fn verify_exits_0_when_verified_and_1_on_mismatch_or_unsigned() {
    verify()
        .args(["--method", "alipay.system.oauth.token"])
        .arg(vector("v1_resp_oauth_token_ok.body.json"))
        .assert()
        .code(0);
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(vector("app_public_key.pem"))
        .arg(vector("v1_resp_oauth_token_ok.body.json"))
        .assert()
        .code(1);
    verify()
        .arg(vector(
            "v1_resp_oauth_token_code_invalid_unsigned.body.json",
        ))
        .assert()
        .code(1);
    // A body that is not JSON at all is still the provider's answer: unsigned, exit 1.
    verify()
        .arg("-")
        .write_stdin("<html>502</html>")
        .assert()
        .code(1);
}
