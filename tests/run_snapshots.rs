//! Snapshots of what `authwalk run` prints today, text and `--json`, for every flow and the
//! failure scenarios: the safety net for moving the walk's model out of the CLI.
//!
//! Everything that differs between two runs (ports, times, elapsed milliseconds, the random
//! `state`, masked code and token prefixes, signatures, digests, key fingerprints, request ids)
//! is replaced by a placeholder before comparing, so a snapshot only changes when the output
//! does. Each snapshot starts with the exit status.
//!
//! Known bugs kept as today's output, to be reviewed when fixed:
//! - `frozen_user_*`: `run --scenario frozen-user` walks as `alipay-certified` and prints
//!   `user_status T` and "succeeded"; the scenario's user (`alipay-frozen`) is ignored.
//! - `zh_*`: `--lang zh` still prints English labels ("signed string", "fields", "succeeded").

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup should panic where it fails"
)]

use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;

/// One sandbox state folder for this test binary; its keys are made by the first walk, before
/// any snapshot runs, so parallel tests never race to create them.
fn state_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run-snapshots-sandbox");
        let out = Command::cargo_bin("authwalk")
            .unwrap()
            .args(["run", "alipay-web", "--lang", "en", "--state-dir"])
            .arg(&dir)
            .env_remove("AUTHWALK_LANG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the first walk makes the sandbox keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

/// Run `authwalk run ARGS` on the shared sandbox state and return what a snapshot holds: the
/// exit status, standard output, and standard error when there is any.
fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .arg("run")
        .args(args)
        .arg("--state-dir")
        .arg(state_dir())
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains("panicked"),
        "authwalk run {args:?} panicked: {stderr}"
    );
    let code = out
        .status
        .code()
        .map_or_else(|| "killed by a signal".to_owned(), |c| c.to_string());
    let mut doc = format!("exit: {code}\n{stdout}");
    if !stderr.is_empty() {
        doc.push_str("--- stderr\n");
        doc.push_str(&stderr);
    }
    doc
}

/// Placeholders for everything that varies between runs. Order matters: the specific patterns
/// (fingerprints, URL-encoded signatures) come before the generic ones.
const FILTERS: &[(&str, &str)] = &[
    // Loopback ports, plain and percent-encoded.
    (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    (r"127\.0\.0\.1%3A\d+", "127.0.0.1%3A[PORT]"),
    // Key fingerprints: `SHA256:cd49f6994493106d…` in text, full hex in JSON.
    (r"SHA256:[0-9a-f]{8,64}…?", "SHA256:[FINGERPRINT]"),
    // Digests of the signed string: `sha256 17f8e5c4c264ad14` in text, 64 hex in JSON.
    (r"sha256 [0-9a-f]{16}\b", "sha256 [SHA256]"),
    (r"\b[0-9a-f]{64}\b", "[SHA256]"),
    // Signatures: percent-encoded in URLs and form bodies, base64 everywhere else.
    (r"\bsign=[A-Za-z0-9%]+", "sign=[SIGN]"),
    (r"[A-Za-z0-9+/]{40,}={0,2}", "[BASE64]"),
    // Gateway timestamps and expiry times (yyyy-MM-dd HH:mm:ss), also form- or URL-encoded.
    (
        r"\d{4}-\d{2}-\d{2}(?: |\+|%20)\d{2}(?::|%3A)\d{2}(?::|%3A)\d{2}",
        "[DATETIME]",
    ),
    // Unix seconds (`obtained`, `expires`).
    (r"\b1\d{9}\b", "[UNIX]"),
    // Elapsed milliseconds.
    (r"\b\d+ ms\b", "[N] ms"),
    (r#""elapsed_ms": \d+"#, r#""elapsed_ms": [N]"#),
    // When the callback was hit (the timeline).
    (r#""at_ms": \d+"#, r#""at_ms": [MS]"#),
    (r#""clock": "[0-9:.]+""#, r#""clock": "[CLOCK]""#),
    // The random `state` of the authorize URL and the callback.
    (r"state=[A-Za-z0-9]{24}\b", "state=[STATE]"),
    (r#""state": "[A-Za-z0-9]{24}""#, r#""state": "[STATE]""#),
    // Key ids in verification messages (`the Alipay public key eaa9e2ca07255ee8`): the
    // sandbox keys are made per state folder.
    (r"\bkey [0-9a-f]{16}\b", "key [KEYID]"),
    (r"公钥 [0-9a-f]{16}\b", "公钥 [KEYID]"),
    // Lifetimes counted down from a clock that moved a fraction of a second: the sandbox may
    // answer one second less, and the summary rounds the remainder down.
    (r"\b(?:2591999|2592000)\b", "2592000"),
    (r"\b(?:1295999|1296000)\b", "1296000"),
    (r"\b(?:7199|7200)\b", "7200"),
    (r"valid (?:29|30) d\b", "valid 30 d"),
    (r"valid (?:14|15) d\b", "valid 15 d"),
    (r"valid (?:1|2) h\b", "valid 2 h"),
    (r"valid (?:4|5) min\b", "valid 5 min"),
    (r"valid (?:9|10) min\b", "valid 10 min"),
    // Masked codes, tokens and secrets: the first 4 characters are random.
    (r"[A-Za-z0-9_\-]{4}…", "[MASKED]…"),
    // WeChat request ids in errmsg.
    (r"rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}", "rid: [RID]"),
    // Date headers, should any be recorded.
    (
        r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
        "[HTTP-DATE]",
    ),
];

fn check(name: &str, args: &[&str]) {
    let doc = run(args);
    insta::with_settings!({
        filters => FILTERS.to_vec(),
        description => format!("authwalk run {}", args.join(" ")),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, doc);
    });
}

/// Text and `--json` in English for one case.
fn both(name: &str, args: &[&str]) {
    let mut text = args.to_vec();
    text.extend(["--lang", "en"]);
    check(&format!("{name}.text"), &text);
    let mut json = text.clone();
    json.push("--json");
    check(&format!("{name}.json"), &json);
}

#[test]
fn alipay_web() {
    both("alipay_web", &["alipay-web"]);
}

#[test]
fn alipay_web_refresh() {
    both("alipay_web_refresh", &["alipay-web", "--refresh"]);
}

#[test]
fn alipay_mini() {
    both("alipay_mini", &["alipay-mini"]);
}

#[test]
fn alipay_mini_refresh() {
    both("alipay_mini_refresh", &["alipay-mini", "--refresh"]);
}

#[test]
fn wechat_web() {
    both("wechat_web", &["wechat-web"]);
}

#[test]
fn wechat_web_refresh() {
    both("wechat_web_refresh", &["wechat-web", "--refresh"]);
}

#[test]
fn wechat_qr() {
    both("wechat_qr", &["wechat-qr"]);
}

#[test]
fn wechat_qr_refresh() {
    both("wechat_qr_refresh", &["wechat-qr", "--refresh"]);
}

#[test]
fn alipay_wrong_scope() {
    both(
        "alipay_wrong_scope",
        &["alipay-web", "--scenario", "wrong-scope"],
    );
}

#[test]
fn wechat_wrong_scope() {
    both(
        "wechat_wrong_scope",
        &["wechat-web", "--scenario", "wrong-scope"],
    );
}

#[test]
fn alipay_tampered_response() {
    both(
        "alipay_tampered_response",
        &["alipay-web", "--scenario", "tampered-response"],
    );
}

#[test]
fn alipay_expired_code() {
    both(
        "alipay_expired_code",
        &["alipay-web", "--scenario", "expired-code"],
    );
}

#[test]
fn wechat_expired_code() {
    both(
        "wechat_expired_code",
        &["wechat-web", "--scenario", "expired-code"],
    );
}

#[test]
fn alipay_gateway_html_502() {
    both(
        "alipay_gateway_html_502",
        &["alipay-web", "--scenario", "gateway-html-502"],
    );
}

/// Known bug, kept as today's output: the scenario's frozen user is not the one who approves.
#[test]
fn frozen_user() {
    both("frozen_user", &["alipay-web", "--scenario", "frozen-user"]);
}

/// Known gap, kept as today's output: `--lang zh` still prints some English labels.
#[test]
fn zh_alipay_web() {
    check("zh_alipay_web.text", &["alipay-web", "--lang", "zh"]);
}

#[test]
fn zh_wechat_web() {
    check("zh_wechat_web.text", &["wechat-web", "--lang", "zh"]);
}
