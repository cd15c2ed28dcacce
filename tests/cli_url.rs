//! `authwalk url`: exact authorize URLs for both providers, random states, and a QR code that
//! decodes back to the URL.

use assert_cmd::Command;
use serde_json::Value;

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("the authwalk binary is built");
    cmd.env_remove("AUTHWALK_LANG");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("stdout is UTF-8")
}

fn alipay_vector() -> Value {
    let text = include_str!("vectors/alipay/authorize_url.json");
    serde_json::from_str(text).expect("the vector is JSON")
}

#[test]
fn alipay_url_matches_the_vector() {
    let v = alipay_vector();
    let input = |k: &str| v["inputs"][k].as_str().expect("string input").to_owned();
    for (env, key) in [
        ("production", "authorize_url"),
        ("sandbox", "sandbox_authorize_url"),
    ] {
        let out = stdout_of(authwalk().args([
            "url",
            "alipay",
            "--app-id",
            &input("app_id"),
            "--scope",
            &input("scope"),
            "--redirect-uri",
            &input("redirect_uri"),
            "--state",
            &input("state_base64"),
            "--env",
            env,
        ]));
        assert_eq!(
            out.trim_end(),
            v[key].as_str().expect("expected URL"),
            "{env}"
        );
        // The vector's URLs are clean: nothing above Info from the linter.
        let url = v[key].as_str().expect("expected URL");
        assert!(
            authwalk::provider::lint_authorize_url(url)
                .iter()
                .all(|f| f.severity == authwalk::finding::Severity::Info),
            "{url}"
        );
    }
}

#[test]
fn alipay_url_on_the_embedded_sandbox_and_legacy_host() {
    let base = [
        "url",
        "alipay",
        "--app-id",
        "9021000000000001",
        "--redirect-uri",
        "https://example.com/cb",
        "--state",
        "s1",
    ];
    let out = stdout_of(
        authwalk()
            .args(base)
            .args(["--env", "http://127.0.0.1:8080"]),
    );
    assert_eq!(
        out.trim_end(),
        "http://127.0.0.1:8080/oauth2/publicAppAuthorize.htm?app_id=9021000000000001\
         &scope=auth_user&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=s1"
    );
    let out = stdout_of(authwalk().args(base).args(["--env", "sandbox-legacy"]));
    assert!(out.starts_with("https://openauth.alipaydev.com/oauth2/publicAppAuthorize.htm?"));
    authwalk()
        .args(base)
        .args(["--env", "staging"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown --env 'staging'"));
}

#[test]
fn wechat_url_is_exact() {
    let out = stdout_of(authwalk().args([
        "url",
        "wechat",
        "--appid",
        "wx520c15f417810387",
        "--scope",
        "snsapi_userinfo",
        "--redirect-uri",
        "https://example.com/wechat/callback?from=cli",
        "--state",
        "abc123",
        "--force-popup",
    ]));
    assert_eq!(
        out.trim_end(),
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fwechat%2Fcallback%3Ffrom%3Dcli\
         &response_type=code&scope=snsapi_userinfo&state=abc123&forcePopup=true#wechat_redirect"
    );
    let out = stdout_of(authwalk().args([
        "url",
        "wechat",
        "--appid",
        "wx520c15f417810387",
        "--redirect-uri",
        "https://example.com/cb",
        "--state",
        "s",
        "--qrconnect",
        "--base",
        "http://127.0.0.1:9000",
    ]));
    assert_eq!(
        out.trim_end(),
        "http://127.0.0.1:9000/connect/qrconnect?appid=wx520c15f417810387\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_login\
         &state=s#wechat_redirect"
    );
}

#[test]
fn omitted_state_is_random_and_alphanumeric() {
    let run = || {
        stdout_of(authwalk().args([
            "url",
            "wechat",
            "--appid",
            "wx520c15f417810387",
            "--redirect-uri",
            "https://example.com/cb",
        ]))
    };
    let state_of = |url: &str| {
        let start = url.find("&state=").expect("a state is always sent") + 7;
        let end = url.find('#').expect("fragment");
        url[start..end].to_owned()
    };
    let (a, b) = (state_of(&run()), state_of(&run()));
    assert_eq!(a.len(), 16);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
    assert_ne!(a, b, "two runs drew the same state");
}

/// Turn half-block lines back into a greyscale bitmap (4 pixels per module) and decode it.
fn decode_half_blocks(lines: &[&str]) -> String {
    const SCALE: usize = 4;
    let cols = lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .expect("some lines");
    let rows = lines.len() * 2;
    let mut dark = vec![false; cols * rows];
    for (y, line) in lines.iter().enumerate() {
        for (x, ch) in line.chars().enumerate() {
            let (top, bottom) = match ch {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected glyph {other:?}"),
            };
            dark[2 * y * cols + x] = top;
            dark[(2 * y + 1) * cols + x] = bottom;
        }
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(cols * SCALE, rows * SCALE, |x, y| {
            if dark[(y / SCALE) * cols + x / SCALE] {
                0
            } else {
                255
            }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code is found");
    grids[0].decode().expect("the QR code decodes").1
}

#[test]
fn qr_code_decodes_back_to_the_url() {
    let out = stdout_of(authwalk().args([
        "url",
        "wechat",
        "--appid",
        "wx520c15f417810387",
        "--redirect-uri",
        "https://example.com/wechat/callback?from=cli",
        "--state",
        "abc123",
        "--qr",
    ]));
    let mut lines = out.lines();
    let url = lines.next().expect("the URL comes first");
    let qr: Vec<&str> = lines.collect();
    assert!(
        !out.contains('\x1b'),
        "no colours when stdout is not a terminal"
    );
    assert!(
        qr.iter()
            .all(|l| l.chars().count() == qr[0].chars().count())
    );
    assert!(
        qr[0].trim().is_empty() && qr[1].trim().is_empty(),
        "quiet zone on top"
    );
    assert_eq!(decode_half_blocks(&qr), url);

    let out = stdout_of(authwalk().args([
        "url",
        "alipay",
        "--app-id",
        "2021000000000001",
        "--redirect-uri",
        "https://example.com/alipay/callback",
        "--qr",
    ]));
    let mut lines = out.lines();
    let url = lines.next().expect("the URL comes first");
    assert_eq!(decode_half_blocks(&lines.collect::<Vec<_>>()), url);
}

#[test]
fn library_renderer_reports_oversized_input() {
    let huge = "x".repeat(5000);
    let err = authwalk::qr::render_half_blocks(&huge).expect_err("too long for a QR code");
    assert!(err.to_string().contains("5000 bytes"), "{err}");
    let painted = authwalk::qr::paint(&["ab".to_owned()]);
    assert_eq!(painted, ["\x1b[30;107mab\x1b[0m"]);
}

#[test]
fn questionable_urls_are_printed_with_their_lint_and_errors_exit_1() {
    authwalk()
        .args([
            "--lang",
            "en",
            "url",
            "wechat",
            "--appid",
            "wx520c15f417810387",
            "--scope",
            "snsapi_login",
            "--redirect-uri",
            "https://example.com/cb",
            "--state",
            "s",
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("scope=snsapi_login"))
        .stderr(predicates::str::contains(
            "error[lint.wechat.scope-login-on-oauth2]",
        ));
    authwalk()
        .args([
            "url",
            "wechat",
            "--appid",
            "wx520c15f417810387",
            "--redirect-uri",
            "https://example.com/cb",
        ])
        .assert()
        .success()
        .stderr(predicates::str::is_empty());
}

#[test]
fn url_exits_1_on_its_own_lint_errors() {
    // A website QR login asked with the Official Account's scope …
    authwalk()
        .args([
            "url",
            "wechat",
            "--qrconnect",
            "--appid",
            "wx520c15f417810387",
            "--scope",
            "snsapi_userinfo",
            "--redirect-uri",
            "https://example.com/cb",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error["));
    // … and a redirect URI with spaces around it.
    authwalk()
        .args([
            "url",
            "wechat",
            "--appid",
            "wx520c15f417810387",
            "--redirect-uri",
            " https://example.com/cb ",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error["));
}

#[test]
fn an_already_encoded_redirect_uri_is_encoded_once() {
    let out = authwalk()
        .args([
            "url",
            "wechat",
            "--appid",
            "wx520c15f417810387",
            "--redirect-uri",
            "https%3A%2F%2Fexample.com%2Fcb",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let url = String::from_utf8(out).unwrap();
    assert!(
        url.contains("redirect_uri=https%3A%2F%2Fexample.com%2Fcb&"),
        "{url}"
    );
    assert!(!url.contains("%253A"), "{url}");
}
