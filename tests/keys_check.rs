//! `authwalk keys check --profile NAME`: one test per problem it detects, and a clean profile
//! that passes with exit 0.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use authwalk::keys::{Armor, Encoding, PrivateKey};

/// Key files shared by every test: an app key (PKCS#8 and PKCS#1), a small key, an Alipay key.
struct Keys {
    _dir: tempfile::TempDir,
    app_pkcs8: PathBuf,
    app_pkcs1: PathBuf,
    app_public: PathBuf,
    small: PathBuf,
    alipay_public: PathBuf,
    fingerprint: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let app = PrivateKey::generate(2048).unwrap();
        let small = PrivateKey::generate(1024).unwrap();
        let alipay = PrivateKey::generate(1024).unwrap();
        Keys {
            app_pkcs8: write("app8.pem", app.encode(Encoding::Pkcs8, Armor::Pem).unwrap()),
            app_pkcs1: write("app1.pem", app.encode(Encoding::Pkcs1, Armor::Pem).unwrap()),
            app_public: write(
                "app_pub.pem",
                app.public_key().encode(Encoding::Spki, Armor::Pem).unwrap(),
            ),
            small: write(
                "small.pem",
                small.encode(Encoding::Pkcs8, Armor::Pem).unwrap(),
            ),
            alipay_public: write(
                "alipay_pub.pem",
                alipay
                    .public_key()
                    .encode(Encoding::Spki, Armor::Pem)
                    .unwrap(),
            ),
            fingerprint: app.fingerprint().hex().to_owned(),
            _dir: dir,
        }
    })
}

/// An Alipay profile with `over` replacing its default lines.
fn alipay(over: &[(&str, String)]) -> String {
    let k = keys();
    let mut fields = vec![
        ("app_id", "\"2021004100000001\"".to_owned()),
        ("private_key", quoted(&k.app_pkcs8)),
        ("alipay_public_key", quoted(&k.alipay_public)),
        ("environment", "\"production\"".to_owned()),
        ("redirect_uri", "\"https://shop.example/cb\"".to_owned()),
    ];
    for (key, value) in over {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1.clone_from(value),
            None => fields.push((key, value.clone())),
        }
    }
    let mut text = "[profiles.p]\nprovider = \"alipay\"\n".to_owned();
    for (k, v) in fields {
        writeln!(text, "{k} = {v}").unwrap();
    }
    text
}

fn wechat(appid: &str, secret: &str, redirect: &str) -> String {
    format!(
        "[profiles.p]\nprovider = \"wechat\"\nappid = \"{appid}\"\nsecret = \"{secret}\"\n\
         redirect_uri = \"{redirect}\"\n"
    )
}

fn quoted(path: &Path) -> String {
    format!("\"{}\"", path.display())
}

/// Run `keys check --profile p` on `config` with `extra` arguments: (exit code, finding codes,
/// the JSON report).
fn check(config: &str, extra: &[&str]) -> (i32, Vec<String>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_CONFIG_DIR", dir.path())
        .env("WX_SHORT", "0123456789abcdef0123456789abcde")
        .env_remove("WX_UNSET")
        .args(["keys", "check", "--profile", "p", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let codes = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    (out.status.code().unwrap(), codes, report)
}

fn assert_error(config: &str, extra: &[&str], code: &str) {
    let (status, codes, report) = check(config, extra);
    assert_eq!(status, 1, "{report:#}");
    assert!(codes.iter().any(|c| c == code), "{code} not in {codes:?}");
}

#[test]
fn a_sound_profile_passes_and_shows_its_fingerprint() {
    let (status, codes, report) = check(&alipay(&[]), &["--sdk", "java"]);
    assert_eq!(status, 0, "{report:#}");
    assert!(codes.is_empty(), "{codes:?}");
    let facts = report["facts"].to_string();
    assert!(facts.contains(&keys().fingerprint), "{facts}");
    // The same in text, for a person.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), alipay(&[])).unwrap();
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_CONFIG_DIR", dir.path())
        .env("AUTHWALK_LANG", "en")
        .args(["keys", "check", "--profile", "p"])
        .assert()
        .success()
        .stdout(predicates::str::contains("every check passed"));
}

#[test]
fn an_unusable_private_key() {
    // A public key where the private key belongs.
    assert_error(
        &alipay(&[("private_key", quoted(&keys().app_public))]),
        &[],
        "keys.private-key",
    );
    assert_error(
        &alipay(&[("private_key", "\"env:WX_UNSET\"".to_owned())]),
        &[],
        "keys.private-key",
    );
}

#[test]
fn a_key_too_small_for_rsa2() {
    assert_error(
        &alipay(&[("private_key", quoted(&keys().small))]),
        &[],
        "keys.key-size",
    );
}

#[test]
fn the_app_public_key_given_as_alipays() {
    assert_error(
        &alipay(&[("alipay_public_key", quoted(&keys().app_public))]),
        &[],
        "keys.alipay-public-key-is-app-key",
    );
}

#[test]
fn an_unreadable_alipay_public_key() {
    assert_error(
        &alipay(&[(
            "alipay_public_key",
            "\"/nonexistent/alipay.pem\"".to_owned(),
        )]),
        &[],
        "keys.alipay-public-key",
    );
}

#[test]
fn the_wrong_key_format_for_the_sdk() {
    let pkcs1 = alipay(&[("private_key", quoted(&keys().app_pkcs1))]);
    assert_error(&pkcs1, &["--sdk", "java"], "keys.sdk-format");
    assert_error(&alipay(&[]), &["--sdk", "python"], "keys.sdk-format");
    let (status, codes, _) = check(&pkcs1, &["--sdk", "php"]);
    assert_eq!((status, codes.len()), (0, 0), "{codes:?}");
}

#[test]
fn a_sandbox_app_id_on_the_production_gateway() {
    assert_error(
        &alipay(&[("app_id", "\"9021000122600000\"".to_owned())]),
        &[],
        "keys.app-id-environment",
    );
    assert_error(
        &alipay(&[("environment", "\"sandbox\"".to_owned())]),
        &[],
        "keys.app-id-environment",
    );
}

#[test]
fn a_redirect_uri_that_is_not_https() {
    assert_error(
        &alipay(&[("redirect_uri", "\"http://shop.example/cb\"".to_owned())]),
        &[],
        "keys.redirect-not-https",
    );
    // On the loopback (a developer's machine) plain http is fine.
    let (status, _, report) = check(
        &alipay(&[("redirect_uri", "\"http://127.0.0.1:8080/cb\"".to_owned())]),
        &[],
    );
    assert_eq!(status, 0, "{report:#}");
}

#[test]
fn a_redirect_uri_that_is_not_a_url() {
    assert_error(
        &alipay(&[("redirect_uri", "\"shop.example/cb\"".to_owned())]),
        &[],
        "keys.redirect-uri",
    );
}

#[test]
fn a_redirect_uri_off_the_registered_domain() {
    let config = wechat(
        "wx0123456789abcdef",
        "0123456789abcdef0123456789abcdef",
        "https://m.shop.example/wx/cb",
    );
    // WeChat compares the whole host: a subdomain is another domain.
    assert_error(
        &config,
        &["--domain", "shop.example"],
        "keys.redirect-domain",
    );
    let (status, _, report) = check(&config, &["--domain", "m.shop.example"]);
    assert_eq!(status, 0, "{report:#}");
    // Alipay registers a callback URL.
    assert_error(
        &alipay(&[]),
        &["--domain", "https://shop.example/alipay/"],
        "keys.redirect-domain",
    );
}

#[test]
fn a_wechat_secret_that_is_not_32_hex_characters() {
    let short = wechat(
        "wx0123456789abcdef",
        "env:WX_SHORT",
        "https://shop.example/cb",
    );
    let (status, codes, report) = check(&short, &[]);
    assert_eq!(status, 1);
    assert!(
        codes.contains(&"keys.wechat-secret-format".to_owned()),
        "{codes:?}"
    );
    assert!(
        !report
            .to_string()
            .contains("0123456789abcdef0123456789abcde\""),
        "the secret is never shown: {report}"
    );
    assert_error(
        &wechat(
            "wx0123456789abcdef",
            "env:WX_UNSET",
            "https://shop.example/cb",
        ),
        &[],
        "keys.wechat-secret",
    );
}

#[test]
fn an_odd_wechat_appid_is_a_warning() {
    let (status, codes, _) = check(
        &wechat(
            "gh_0123456789ab",
            "0123456789abcdef0123456789abcdef",
            "https://shop.example/cb",
        ),
        &[],
    );
    assert_eq!(status, 0, "a warning alone exits 0");
    assert_eq!(codes, ["keys.wechat-appid-format"]);
}
