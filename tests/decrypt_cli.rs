//! `authwalk decrypt --encrypt-key`: Alipay's AES answer (`my.getPhoneNumber`) verified over the
//! quoted ciphertext and decrypted, errors found inside explained, bad keys named.

use assert_cmd::Command;
use authwalk::keys::{self, PrivateKey};
use authwalk::provider::alipay::SignType;
use authwalk::provider::alipay::aes::{EncryptKey, signed_ciphertext};
use predicates::prelude::*;

const KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
const SIGNER: &str = include_str!("vectors/alipay/fake_alipay_private_key_pkcs8.pem");

fn answer(plain: &str) -> String {
    let signer = PrivateKey::parse(SIGNER).expect("vector key");
    let cipher = EncryptKey::parse(KEY).expect("key").encrypt(plain);
    let sign = keys::base64_encode(
        &signer.sign(SignType::Rsa2.hash(), signed_ciphertext(&cipher).as_bytes()),
    );
    format!(r#"{{"response":"{cipher}","sign":"{sign}","sign_type":"RSA2","encrypt_type":"AES"}}"#)
}

fn authwalk(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("binary");
    cmd.env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("decrypt");
    cmd
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let signer = PrivateKey::parse(SIGNER).expect("vector key");
    std::fs::write(
        dir.path().join("alipay.pem"),
        signer
            .public_key()
            .encode(keys::Encoding::Spki, keys::Armor::Pem)
            .expect("pem"),
    )
    .expect("write");
    dir
}

#[test]
fn verifies_and_decrypts_a_pasted_answer() {
    let dir = setup();
    let body = answer(r#"{"code":"10000","msg":"Success","mobile":"13800001234"}"#);
    authwalk(dir.path())
        .args([
            "--encrypt-key",
            "env:AES",
            "--alipay-public-key",
            "alipay.pem",
            "-",
        ])
        .env("AES", KEY)
        .write_stdin(body.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("signature ✓ verified"))
        .stdout(predicate::str::contains("mobile: 13800001234"))
        // The key itself is never printed.
        .stdout(predicate::str::contains(KEY).not());
    // Bare ciphertext, key from a file, JSON out.
    let cipher = body.split('"').nth(3).expect("cipher").to_owned();
    std::fs::write(dir.path().join("aes.key"), format!("{KEY}\n")).expect("write");
    let out = authwalk(dir.path())
        .args(["--encrypt-key", "@aes.key", "--json", &cipher])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["mobile"], "13800001234");
    assert_eq!(doc["signature"], "unsigned");
}

#[test]
fn errors_inside_tampering_and_wrong_keys_are_named() {
    let dir = setup();
    let body = answer(
        r#"{"code":"40003","msg":"Insufficient Conditions","subCode":"isv.invalid-auth-relations","subMsg":"x"}"#,
    );
    authwalk(dir.path())
        .args([
            "--encrypt-key",
            KEY,
            "--alipay-public-key",
            "alipay.pem",
            &body,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("isv.invalid-auth-relations"))
        .stdout(predicate::str::contains("only seen after decryption"))
        .stdout(predicate::str::contains("onGetAuthorize"));
    // Another app's key: a named cause, exit 1.
    authwalk(dir.path())
        .args(["--encrypt-key", "3Ffv0kGcZ1m1a2WnS8XbpA==", &body])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not the one that encrypted"));
    // A tampered ciphertext fails the signature over the quoted text.
    let tampered = body.replacen("\"response\":\"", "\"response\":\"A", 1);
    authwalk(dir.path())
        .args([
            "--encrypt-key",
            KEY,
            "--alipay-public-key",
            "alipay.pem",
            &tampered,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("does not verify"));
    // Not a key at all: usage error naming the cause.
    authwalk(dir.path())
        .args(["--encrypt-key", "MIIBIjANBgkq", &body])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("encrypt_key"));
    // No key flag: says which one.
    authwalk(dir.path())
        .arg(&body)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--encrypt-key"));
}

/// A vector built with openssl, not with authwalk (tests/fixtures/responses/README.md): the
/// AES, the zero IV, the padding and the quoted-ciphertext signature all match an outside tool.
#[test]
fn an_openssl_built_answer_verifies_and_decrypts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    authwalk(root)
        .args([
            "--encrypt-key",
            "@tests/fixtures/responses/alipay_aes.key",
            "--alipay-public-key",
            "tests/vectors/alipay/fake_alipay_public_key.pem",
            "@tests/fixtures/responses/alipay_phone_number.json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("signature ✓ verified"))
        .stdout(predicate::str::contains("mobile: 13800130001"));
}
