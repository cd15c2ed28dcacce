//! `authwalk run` against a hostile fake provider (`tests/support/hostile.rs`) on loopback: a
//! redirect that echoes the request, a 500 with a valid body, … Each answer must fail its step
//! with a finding that names what happened, and no secret may show unmasked.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/hostile.rs"]
#[expect(dead_code, reason = "this file uses some of the fixture's modes")]
mod hostile;

use hostile::{Hostile, Mode};

/// The appsecret the profile sends; it must never show unmasked.
const SECRET: &str = "5ec7e7a11ve5ec7e7a11ve5ec7e7a11v";
/// The code exchanged; likewise.
const CODE: &str = "0c0deL1veC0deL1veC0deL1veC0de0001";

/// A config folder with a WeChat profile `p` whose both hosts are `base`.
struct Walk {
    config: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Walk {
    fn wechat(base: &str) -> Self {
        let walk = Self {
            config: tempfile::tempdir().unwrap(),
            data: tempfile::tempdir().unwrap(),
        };
        std::fs::write(
            walk.config.path().join("config.toml"),
            format!(
                "[profiles.p]\nprovider = \"wechat\"\nappid = \"wx0123456789abcdef\"\n\
                 secret_env = \"HOSTILE_WX_SECRET\"\n\
                 redirect_uri = \"https://shop.example/wx/callback\"\n\
                 environment = \"{base}\"\n"
            ),
        )
        .unwrap();
        walk
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("authwalk").unwrap();
        cmd.env("AUTHWALK_CONFIG_DIR", self.config.path())
            .env("AUTHWALK_DATA_DIR", self.data.path())
            .env("HOSTILE_WX_SECRET", SECRET)
            .env("NO_COLOR", "1")
            .env_remove("AUTHWALK_LANG")
            .timeout(std::time::Duration::from_mins(1));
        for var in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// `run wechat-web --profile p --from token --code CODE --json`: (exit code, stdout).
    fn run_token(&self) -> (i32, String) {
        let out = self
            .cmd()
            .args(["run", "wechat-web", "--profile", "p", "--from", "token"])
            .args(["--code", CODE, "--json"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }
}

fn token_exchange(out: &str) -> Value {
    let start = out.find('{').unwrap();
    let doc: Value = serde_json::Deserializer::from_str(&out[start..])
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(doc["ok"], false, "{doc:#}");
    let ex = doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "token")
        .cloned()
        .unwrap_or_else(|| panic!("a token exchange: {doc:#}"));
    assert_eq!(ex["outcome"], "failed", "{ex:#}");
    ex
}

fn finding<'a>(ex: &'a Value, code: &str) -> &'a Value {
    ex["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("a {code} finding: {ex:#}"))
}

#[test]
fn a_wechat_redirect_is_reported_as_one_with_its_location_masked() {
    for status in [302, 307] {
        let fake = Hostile::start(Mode::RedirectEcho(status));
        let walk = Walk::wechat(&fake.base_url());
        let (code, out) = walk.run_token();
        assert_ne!(code, 0, "{out}");
        assert_eq!(fake.requests().len(), 1, "sent once, not followed");
        let ex = token_exchange(&out);
        let f = finding(&ex, "transport.redirect");
        let title = f["title"]["en"].as_str().unwrap();
        assert!(title.contains(&format!("HTTP {status}")), "{title}");
        assert!(
            title.contains("http://localhost:1/steal/sns/oauth2/access_token"),
            "{title}"
        );
        for text in [&f["title"]["en"], &f["title"]["zh"]] {
            let text = text.as_str().unwrap();
            assert!(!text.contains(SECRET) && !text.contains(CODE), "{text}");
        }
        for part in ["explanation", "fix"] {
            assert!(f[part]["en"].as_str().unwrap().contains("proxy"), "{f:#}");
            assert!(!f[part]["zh"].as_str().unwrap().is_empty(), "{f:#}");
        }
        assert!(!out.contains("body is empty"), "{out}");
    }
}

#[test]
fn a_wechat_500_with_a_valid_body_fails_naming_the_status() {
    let body = r#"{"access_token":"ACCESS_TOKEN_FROM_A_500","expires_in":7200,"refresh_token":"REFRESH","openid":"oOPENID","scope":"snsapi_userinfo"}"#;
    let fake = Hostile::start(Mode::Status(500, body.to_owned()));
    let walk = Walk::wechat(&fake.base_url());
    let (code, out) = walk.run_token();
    assert_ne!(code, 0, "{out}");
    let ex = token_exchange(&out);
    let f = finding(&ex, "transport.http-status");
    assert!(f["title"]["en"].as_str().unwrap().contains("500"), "{f:#}");
    assert!(f["title"]["zh"].as_str().unwrap().contains("500"), "{f:#}");
    assert!(!f["fix"]["en"].as_str().unwrap().is_empty(), "{f:#}");
}

/// Response headers are shown as received: a redirect whose `Location` echoes the request
/// must still show the appsecret and the code masked, as the request URL does.
#[test]
fn a_location_echoing_the_request_shows_no_live_secret() {
    let fake = Hostile::start(Mode::RedirectEcho(307));
    let walk = Walk::wechat(&fake.base_url());
    let (_, out) = walk.run_token();
    let re = regex::Regex::new(r"(secret|code)=([^&\s\x22]*)").unwrap();
    let found: Vec<_> = re.captures_iter(&out).map(|c| c[0].to_owned()).collect();
    assert!(!found.is_empty(), "the output shows the request: {out}");
    assert!(
        !out.contains(SECRET) && !out.contains(CODE),
        "a live secret or code in `run --json`: {found:?}"
    );
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_refused_proxy_is_named_with_how_to_fix_it() {
    let port = closed_port();
    // The real API host: the proxy is asked first, refuses, and nothing else is sent.
    let walk = Walk::wechat("production");
    let out = walk
        .cmd()
        .env(
            "HTTPS_PROXY",
            format!("http://proxyuser:pr0xyPa55@127.0.0.1:{port}"),
        )
        .args(["run", "wechat-web", "--profile", "p", "--from", "token"])
        .args(["--code", CODE, "--json"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "the proxy http://127.0.0.1:{port} (set by HTTPS_PROXY)"
        )),
        "{text}"
    );
    assert!(text.contains("connection refused"), "{text}");
    assert!(
        text.contains("NO_PROXY") && text.contains("unset HTTPS_PROXY"),
        "{text}"
    );
    assert!(
        !text.contains("pr0xyPa55") && !text.contains("proxyuser"),
        "{text}"
    );
    assert!(!text.contains("refused to api.weixin.qq.com"), "{text}");
}

#[test]
fn loopback_bases_go_direct_whatever_the_proxy_variables_say() {
    let port = closed_port();
    let fake = Hostile::start(Mode::Status(500, "{}".to_owned()));
    let walk = Walk::wechat(&fake.base_url());
    let proxy = format!("http://127.0.0.1:{port}");
    let out = walk
        .cmd()
        .env("HTTPS_PROXY", &proxy)
        .env("HTTP_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .args(["run", "wechat-web", "--profile", "p", "--from", "token"])
        .args(["--code", CODE, "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(fake.requests().len(), 1, "reached directly: {text}");
    assert!(!text.contains("proxy http://"), "{text}");
}

/// `*.localhost` may use plain http because it is this machine: it must then be this machine,
/// whatever a resolver says (here, the system's does not know the name at all).
#[test]
fn a_dot_localhost_base_is_reached_on_loopback_without_dns() {
    let fake = Hostile::start(Mode::Status(500, "{}".to_owned()));
    let base = format!("http://authwalk-probe.localhost:{}", fake.addr().port());
    let walk = Walk::wechat(&base);
    let (_, out) = walk.run_token();
    assert_eq!(fake.requests().len(), 1, "reached 127.0.0.1: {out}");
    assert!(out.contains("HTTP 500"), "{out}");
}
