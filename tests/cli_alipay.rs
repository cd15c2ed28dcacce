//! `authwalk sign`, `verify` and `keys` as a user runs them: real files, exit codes, messages.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
}

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("the authwalk binary is built");
    cmd.env_remove("AUTHWALK_LANG");
    cmd
}

fn vector_json(name: &str) -> Value {
    let text = std::fs::read_to_string(vector(name)).expect("vector file is readable");
    serde_json::from_str(&text).expect("vector file is JSON")
}

#[test]
fn sign_prints_canonical_string_digest_and_sign() {
    let v = vector_json("v1_req_oauth_token_code_rsa2.json");
    let mut cmd = authwalk();
    cmd.arg("sign")
        .arg("--private-key")
        .arg(vector("app_private_key_pkcs8_oneline.txt"));
    for (k, val) in v["params_before_signing"].as_object().unwrap() {
        cmd.arg(format!("{k}={}", val.as_str().unwrap()));
    }
    cmd.assert()
        .success()
        .stdout(predicate::str::contains(
            v["canonical_string"].as_str().unwrap(),
        ))
        .stdout(predicate::str::contains(
            v["canonical_string_sha256_hex"].as_str().unwrap(),
        ))
        .stdout(predicate::str::contains(
            v["expected_sign"].as_str().unwrap(),
        ));
}

#[test]
fn sign_json_adds_sign_type_and_uses_rsa1() {
    let v = vector_json("v1_req_oauth_token_code_rsa1.json");
    let mut cmd = authwalk();
    cmd.args(["sign", "--json", "--sign-type", "RSA", "--private-key"])
        .arg(vector("app_private_key_pkcs1.pem"));
    for (k, val) in v["params_before_signing"].as_object().unwrap() {
        if k != "sign_type" {
            cmd.arg(format!("{k}={}", val.as_str().unwrap()));
        }
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    let out: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(out["sign"], v["expected_sign"]);
    assert_eq!(out["canonical"], v["canonical_string"]);
    assert_eq!(out["algorithm"], "SHA1withRSA");
    assert_eq!(out["added"], serde_json::json!([["sign_type", "RSA"]]));
}

#[test]
fn sign_rejects_bad_input_with_exit_2() {
    authwalk()
        .args(["sign", "--private-key"])
        .arg(vector("app_public_key.pem"))
        .arg("app_id=1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "this is a public key, a private key is expected here",
        ));
    authwalk()
        .args(["sign", "--private-key"])
        .arg(vector("app_private_key_pkcs8.pem"))
        .arg("app_id")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'app_id' is not KEY=VALUE"));
    authwalk()
        .args(["sign", "--sign-type", "RSA2", "--private-key"])
        .arg(vector("app_private_key_pkcs8.pem"))
        .arg("sign_type=RSA")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("contradicts"));
    authwalk()
        .args(["sign", "--private-key", "/nonexistent/key.pem", "a=b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read /nonexistent/key.pem"));
    authwalk().args(["sign", "--bogus"]).assert().code(2);
}

#[test]
fn verify_exit_codes() {
    let key = vector("fake_alipay_public_key_oneline.txt");
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(&key)
        .arg(vector("v1_resp_user_info_share_ok.body.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("outcome: verified"))
        .stdout(predicate::str::contains(
            std::fs::read_to_string(vector("v1_resp_user_info_share_ok.sign_source.txt")).unwrap(),
        ));
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(&key)
        .arg(vector(
            "v1_resp_oauth_token_code_invalid_unsigned.body.json",
        ))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("outcome: unsigned"));
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(vector("app_public_key.pem"))
        .arg(vector("v1_resp_user_info_share_ok.body.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("outcome: signature mismatch"));
    // Standard input, JSON output, the \/ fallback.
    let out = authwalk()
        .args([
            "verify",
            "--json",
            "--method",
            "alipay.user.info.share",
            "--alipay-public-key",
        ])
        .arg(&key)
        .pipe_stdin(vector("v1_resp_escaped_slash_fallback.body.json"))
        .unwrap()
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(out["outcome"], "verified_unescaped");
    // The app's own key in place of Alipay's is a usage error with its own message.
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(vector("app_public_key.pem"))
        .arg("--app-key")
        .arg(vector("app_private_key_pkcs1.pem"))
        .arg(vector("v1_resp_user_info_share_ok.body.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "this public key is the app's own, not Alipay's",
        ));
}

#[cfg(unix)]
#[test]
fn keys_gen_writes_a_0600_private_key_and_inspect_recognises_it() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    authwalk()
        .args(["keys", "gen", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Paste this app public key"))
        .stdout(predicate::str::contains(
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        ));
    let private = dir.path().join("app_private_key.pem");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Never silently replaced.
    authwalk()
        .args(["keys", "gen", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));

    authwalk()
        .args(["keys", "inspect", "--app-private-key"])
        .arg(&private)
        .arg("--alipay-public-key")
        .arg(dir.path().join("app_public_key.pem"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "this public key is the app's own, not Alipay's",
        ));
}

#[test]
fn keys_inspect_reports_formats_and_errors() {
    authwalk()
        .args(["keys", "inspect"])
        .arg(vector("app_private_key_pkcs1_oneline.txt"))
        .arg(vector("fake_alipay_public_key.pem"))
        .assert()
        .success()
        .stdout(predicate::str::contains("PKCS#1 one-line base64"))
        .stdout(predicate::str::contains("X.509 SubjectPublicKeyInfo PEM"))
        .stdout(predicate::str::contains("2048 bits"));
    authwalk()
        .args(["keys", "inspect"])
        .arg(vector("certs/appCertPublicKey_test.crt"))
        .arg(vector("certs/alipayRootCert_test.crt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cert SN:     7c95d1d713c25ef7f343a6e95c901b8e",
        ))
        .stdout(predicate::str::contains(
            "root SN:     9de1607922437445a2fa7427bcc6e54f_70d99f7d1a5267e53011796b574fef40",
        ));
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys");
    authwalk()
        .args(["keys", "inspect", "--app-private-key"])
        .arg(fixtures.join("rsa1024_private_pkcs1.pem"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "1024-bit key: Alipay requires 2048 for RSA2",
        ));
    authwalk()
        .args(["keys", "inspect", "--app-private-key"])
        .arg(vector("app_public_key.pem"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "this is a public key, a private key is expected here",
        ));
}

#[cfg(unix)]
#[test]
fn keys_convert_between_spellings() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.txt");
    authwalk()
        .args(["keys", "convert", "--to", "pkcs8", "--one-line", "--out"])
        .arg(&out)
        .arg(vector("app_private_key_pkcs1.pem"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().trim(),
        std::fs::read_to_string(vector("app_private_key_pkcs8_oneline.txt"))
            .unwrap()
            .trim()
    );
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    authwalk()
        .args(["keys", "convert", "--to", "spki", "--public"])
        .arg(vector("app_private_key_pkcs1.pem"))
        .assert()
        .success()
        .stdout(predicate::eq(
            std::fs::read_to_string(vector("app_public_key.pem")).unwrap(),
        ));
    authwalk()
        .args(["keys", "convert", "--to", "spki"])
        .arg(vector("app_private_key_pkcs1.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --public"));
}
