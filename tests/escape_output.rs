//! No raw control character reaches the terminal: a WeChat nickname, a pasted response, a
//! `state` and the text Alipay signed, each holding `ESC ]0;title BEL`, `ESC [2J`,
//! `ESC ]52;c;…` (clipboard write), U+009B (C1 CSI) and DEL, go through `explain`, `verify`,
//! `lint`, `sign`, `url` and `keys`, as text and as `--json`, and come out escaped.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use authwalk::keys::{self, PrivateKey};
use authwalk::provider::alipay::SignType;

/// The hostile sequences, raw.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{7f}";

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("binary builds");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

/// The first raw control character other than a newline, with its position.
fn raw_control(text: &str) -> Option<(usize, char)> {
    text.char_indices()
        .find(|&(_, c)| c != '\n' && authwalk::escape::is_unsafe(c))
}

/// Run, and check that neither stdout nor stderr carries a raw control character; returns
/// stdout and the exit code.
fn run_clean(cmd: &mut Command, what: &str) -> (String, i32) {
    let out = cmd.output().expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(
        raw_control(&stdout),
        None,
        "{what}: raw control on stdout:\n{stdout:?}"
    );
    assert_eq!(
        raw_control(&stderr),
        None,
        "{what}: raw control on stderr:\n{stderr:?}"
    );
    (stdout, out.status.code().expect("exit code"))
}

/// The visible form of HOSTILE in text output, and its JSON escapes.
fn assert_shown_escaped(text: &str, what: &str) {
    assert!(
        text.contains(r"\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u{9b}31m\x7f"),
        "{what}: the sequences are not shown escaped:\n{text}"
    );
}

fn assert_json_escaped(text: &str, what: &str) {
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains(r"\u001b]0;pwned\u0007\u001b[2j") && lower.contains(r"\u009b31m\u007f"),
        "{what}: the sequences are not JSON escapes:\n{text}"
    );
    serde_json::from_str::<serde_json::Value>(text)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{text}"));
}

#[test]
fn explain_shows_a_hostile_nickname_and_errmsg_escaped() {
    // Raw control characters inside the strings, as WeChat has sent them.
    let userinfo = format!(
        "{{\"openid\":\"oABC\",\"nickname\":\"{HOSTILE}\",\"sex\":1,\"province\":\"\",\
         \"city\":\"\",\"country\":\"CN\",\"headimgurl\":\"\",\"privilege\":[]}}"
    );
    let error = format!("{{\"errcode\":40163,\"errmsg\":\"code been used {HOSTILE}\"}}");
    for (body, what) in [(&userinfo, "userinfo"), (&error, "errmsg")] {
        let (text, code) = run_clean(
            authwalk()
                .args(["explain", "-", "--lang", "en"])
                .write_stdin(body.as_bytes()),
            what,
        );
        assert_eq!(code, 0, "{what}: {text}");
        assert_shown_escaped(&text, what);
        let (json, code) = run_clean(
            authwalk()
                .args(["explain", "-", "--json"])
                .write_stdin(body.as_bytes()),
            what,
        );
        assert_eq!(code, 0, "{what}: {json}");
        assert_json_escaped(&json, what);
    }
    // The "Response says" line quotes the provider's message.
    let (text, _) = run_clean(
        authwalk()
            .args(["explain", "-", "--lang", "en"])
            .write_stdin(error.as_bytes()),
        "errmsg",
    );
    let says = text
        .lines()
        .find(|l| l.starts_with("Response says"))
        .expect("a Response says line");
    assert_shown_escaped(says, "Response says");
}

#[test]
fn explain_escapes_a_hostile_term_and_a_hostile_key() {
    let (text, code) = run_clean(
        authwalk().args(["explain", &format!("user_status={HOSTILE}")]),
        "term",
    );
    assert_eq!(code, 0, "{text}");
    assert_shown_escaped(&text, "term");
    // An unrecognised body: its keys are quoted in the error on stderr.
    let out = authwalk()
        .args(["explain", "-"])
        .write_stdin(format!("{{\"{HOSTILE}\":1}}"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(raw_control(&stderr), None, "{stderr:?}");
    assert_shown_escaped(&stderr, "error");
}

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
}

/// A response body whose node text (signed exactly as transmitted) has `nick_name`.
fn signed_body(nick_name: &str) -> (String, String) {
    let key = PrivateKey::parse(
        &std::fs::read_to_string(vector("fake_alipay_private_key_pkcs8.pem")).expect("key"),
    )
    .expect("parses");
    let node = format!(
        "{{\"code\":\"10000\",\"msg\":\"Success\",\"user_id\":\"2088\",\"nick_name\":\"{nick_name}\"}}"
    );
    let sign = keys::base64_encode(&key.sign(SignType::Rsa2.hash(), node.as_bytes()));
    (
        format!("{{\"alipay_user_info_share_response\":{node},\"sign\":\"{sign}\"}}"),
        node,
    )
}

#[test]
fn verify_shows_a_hostile_signed_text_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let public = vector("fake_alipay_public_key.pem");
    // Raw C0 inside the node is not JSON (the check fails, exit 1), but the text is shown.
    // DEL and C1 are valid raw in JSON strings: that body verifies.
    let (raw_c0, _) = signed_body(HOSTILE);
    let (valid, valid_node) = signed_body("nick \u{9b}31m\u{7f}");
    for (body, expected_code, what) in [(raw_c0, 1, "raw C0"), (valid, 0, "DEL and C1")] {
        let path = dir.path().join("response.json");
        std::fs::write(&path, &body).expect("write");
        let (text, code) = run_clean(
            authwalk()
                .args(["verify", "--alipay-public-key"])
                .arg(&public)
                .arg(&path),
            what,
        );
        assert_eq!(code, expected_code, "{what}: {text}");
        let signed = text
            .lines()
            .skip_while(|l| !l.starts_with("signed text"))
            .nth(1)
            .expect("the signed text is shown");
        if expected_code == 1 {
            assert_shown_escaped(signed, what);
        } else {
            assert!(signed.contains(r"nick \u{9b}31m\x7f"), "{what}: {signed}");
        }
        let (json, code) = run_clean(
            authwalk()
                .args(["verify", "--json", "--alipay-public-key"])
                .arg(&public)
                .arg(&path),
            what,
        );
        assert_eq!(code, expected_code, "{what}: {json}");
        let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        if expected_code == 1 {
            assert_json_escaped(&json, what);
        } else {
            assert!(json.contains(r"nick \u009b31m\u007f"), "{what}: {json}");
            assert_eq!(
                doc["signed_text"], valid_node,
                "the JSON still carries the exact text"
            );
        }
    }
}

/// `HOSTILE` percent-encoded, as it would stand in a URL.
fn encoded_hostile() -> String {
    HOSTILE
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn lint_shows_a_hostile_state_escaped() {
    let url = format!(
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_base\
         &state={}#wechat_redirect",
        encoded_hostile()
    );
    let (text, _) = run_clean(authwalk().args(["lint", &url, "--lang", "en"]), "lint");
    assert_shown_escaped(&text, "lint");
    let (json, _) = run_clean(authwalk().args(["lint", &url, "--json"]), "lint --json");
    assert_json_escaped(&json, "lint --json");
}

#[test]
fn sign_url_and_keys_show_hostile_input_escaped() {
    let key = vector("app_private_key_pkcs8.pem");
    let param = format!("nick={HOSTILE}");
    let (text, code) = run_clean(
        authwalk()
            .args(["sign", "--private-key"])
            .arg(&key)
            .args(["app_id=2021000000000001", &param]),
        "sign",
    );
    assert_eq!(code, 0, "{text}");
    assert_shown_escaped(&text, "sign");
    let (json, code) = run_clean(
        authwalk()
            .args(["sign", "--json", "--private-key"])
            .arg(&key)
            .args(["app_id=2021000000000001", &param]),
        "sign --json",
    );
    assert_eq!(code, 0, "{json}");
    assert_json_escaped(&json, "sign --json");

    let (_, code) = run_clean(
        authwalk().args([
            "url",
            "wechat",
            "--appid",
            "wx0123456789abcdef",
            "--redirect-uri",
            "https://example.com/cb",
            "--state",
            HOSTILE,
        ]),
        "url",
    );
    assert_eq!(code, 0);

    // A PEM label is quoted in the notes and errors of `keys inspect`.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("odd.pem");
    let pem = std::fs::read_to_string(&key).expect("key");
    let relabelled = pem.replace("PRIVATE KEY", &format!("PRIVATE {HOSTILE} KEY"));
    std::fs::write(&path, relabelled).expect("write");
    let (text, _) = run_clean(authwalk().args(["keys", "inspect"]).arg(&path), "keys");
    assert_shown_escaped(&text, "keys inspect");
    let (json, _) = run_clean(
        authwalk().args(["keys", "inspect", "--json"]).arg(&path),
        "keys --json",
    );
    assert_json_escaped(&json, "keys inspect --json");
}

/// Bidi controls (overrides, isolates, marks) never reach a `--json` document raw: `explain`,
/// `triage` and `run` write them as `\u202e`, and the document still parses to the same text.
#[test]
fn json_output_escapes_bidi_controls() {
    const BIDI: &str = "gpj\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}.exe";
    let userinfo = format!(
        "{{\"openid\":\"oABC\",\"nickname\":\"{BIDI}\",\"sex\":1,\"province\":\"\",\
         \"city\":\"\",\"country\":\"CN\",\"headimgurl\":\"\",\"privilege\":[]}}"
    );
    let url = format!(
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&redirect_uri=https%3A%2F%2Fa.example%2Fcb\
         &response_type=code&scope=snsapi_userinfo&state={}#wechat_redirect\n",
        url::form_urlencoded::byte_serialize(BIDI.as_bytes()).collect::<String>()
    );
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("capture.txt");
    std::fs::write(&list, url).unwrap();
    let runs = [
        (
            "explain",
            authwalk()
                .args(["explain", "-", "--json"])
                .write_stdin(userinfo.as_bytes())
                .output()
                .unwrap(),
        ),
        (
            "triage",
            authwalk()
                .args(["triage", "--json"])
                .arg(&list)
                .output()
                .unwrap(),
        ),
    ];
    for (what, out) in runs {
        let json = String::from_utf8(out.stdout).unwrap();
        assert!(
            !json.chars().any(authwalk::escape::is_bidi),
            "{what}: a raw bidi control:\n{json}"
        );
        assert!(json.contains(r"\u202e\u2066"), "{what}:\n{json}");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            doc.to_string().contains('\u{202e}'),
            "{what}: the text is kept"
        );
    }
}
