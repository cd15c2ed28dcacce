//! The authorize-URL linters: a table of bad URLs, each with the finding code it must produce,
//! and `authwalk lint` exit codes.

use assert_cmd::Command;
use authwalk::finding::Severity;
use authwalk::provider::lint_authorize_url;

const WX: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";
const WX_OK: &str = "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_userinfo&state=abc123#wechat_redirect";
const ALI: &str = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm";
const ALI_OK: &str = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=abc123";
const CB: &str = "redirect_uri=https%3A%2F%2Fexample.com%2Fcb";

fn table() -> Vec<(String, &'static str)> {
    let long_state = "a".repeat(129);
    vec![
        // WeChat.
        (format!("{WX}?{CB}&appid=wx520c15f417810387&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.param-order"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&scope=snsapi_userinfo&response_type=code&state=s#wechat_redirect"), "lint.wechat.param-order"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s"), "lint.wechat.missing-fragment"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s%23wechat_redirect"), "lint.wechat.fragment-misplaced"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect&forcePopup=true"), "lint.wechat.params-after-fragment"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s#top"), "lint.wechat.fragment-wrong"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=https://example.com/cb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-not-encoded"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=https%253A%252F%252Fexample.com%252Fcb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-double-encoded"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=%2Fcb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-not-absolute"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=http%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-http"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fa b&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-whitespace"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=%20https%3A%2F%2Fexample.com%2Fcb%20&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.redirect-whitespace"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&redirect_uri=https%3A%2F%2Fexample.com%2Fa b&state=s"), "lint.alipay.redirect-whitespace"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=#wechat_redirect"), "lint.wechat.state-empty"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state={long_state}#wechat_redirect"), "lint.wechat.state-too-long"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=a-b#wechat_redirect"), "lint.wechat.state-charset"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo#wechat_redirect"), "lint.wechat.missing-state"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_login&state=s#wechat_redirect"), "lint.wechat.scope-login-on-oauth2"),
        ("https://open.weixin.qq.com/connect/qrconnect?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect".to_owned(), "lint.wechat.scope-not-login"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=auth_user&state=s#wechat_redirect"), "lint.wechat.scope-alipay"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_everything&state=s#wechat_redirect"), "lint.wechat.scope-unknown"),
        (format!("{WX}?client_id=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.client-id"),
        (format!("{WX}?app_id=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.appid-spelling"),
        (format!("{WX}?{CB}&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.missing-appid"),
        (format!("{WX}?appid=wx520c15f417810387&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.missing-redirect-uri"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.missing-response-type"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=token&scope=snsapi_userinfo&state=s#wechat_redirect"), "lint.wechat.response-type"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&state=s#wechat_redirect"), "lint.wechat.missing-scope"),
        (format!("{WX}?appid=ww1234567890abcdef&{CB}&response_type=code&scope=snsapi_base&state=s#wechat_redirect"), "lint.wechat.wecom"),
        (format!("{WX}?appid=2021000000000001&{CB}&response_type=code&scope=snsapi_base&state=s#wechat_redirect"), "lint.wechat.appid-format"),
        (format!("{WX}?appid=wx520c15f417810387&appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_base&state=s#wechat_redirect"), "lint.wechat.duplicate-param"),
        ("http://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_base&state=s#wechat_redirect".to_owned(), "lint.wechat.http"),
        ("https://open.weixin.qq.com/connect/oauth3?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_base&state=s#wechat_redirect".to_owned(), "lint.wechat.path"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_base&state=s&forcePopup=yes#wechat_redirect"), "lint.wechat.force-value"),
        (format!("{WX}?appid=wx520c15f417810387&redirect_uri=https://example.com/cb?a=1&b=2&response_type=code&scope=snsapi_base&state=s#wechat_redirect"), "lint.wechat.unknown-param"),
        (format!("{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_base&state=s&utm=x#wechat_redirect"), "lint.wechat.unknown-param"),
        // Alipay.
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}&state=s&foo=1"), "lint.alipay.unknown-param"),
        (format!("{ALI}?appid=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.appid-spelling"),
        (format!("{ALI}?client_id=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.client-id"),
        (format!("{ALI}?scope=auth_user&{CB}&state=s"), "lint.alipay.missing-app-id"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_userinfo&{CB}&state=s"), "lint.alipay.scope-unknown"),
        (format!("{ALI}?app_id=2021000000000001&scope=snsapi_userinfo&{CB}&state=s"), "lint.alipay.scope-wechat"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_ecard&{CB}&state=s"), "lint.alipay.scope-legacy"),
        (format!("{ALI}?app_id=2021000000000001&{CB}&state=s"), "lint.alipay.missing-scope"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&state=s"), "lint.alipay.missing-redirect-uri"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&redirect_uri=https://example.com/cb?a=1&b=2&state=s"), "lint.alipay.redirect-not-encoded"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&redirect_uri=https%253A%252F%252Fexample.com&state=s"), "lint.alipay.redirect-double-encoded"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&redirect_uri=http%3A%2F%2Fexample.com%2Fcb&state=s"), "lint.alipay.redirect-http"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}"), "lint.alipay.missing-state"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}&state=%E4%B8%AD%E6%96%87"), "lint.alipay.state-non-ascii"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}&state={}", "a".repeat(101)), "lint.alipay.state-too-long"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}&state=Y2xp+LQ=="), "lint.alipay.state-not-encoded"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}&state=s#wechat_redirect"), "lint.alipay.wechat-fragment"),
        (format!("{ALI}?app_id=2021000000000001&scope=auth_user&{CB}#state=s"), "lint.alipay.params-after-fragment"),
        (format!("{ALI}?app_id=2021000000000001&response_type=code&scope=auth_user&{CB}&state=s"), "lint.alipay.response-type"),
        (format!("{ALI}?app_id=wx520c15f417810387&scope=auth_user&{CB}&state=s"), "lint.alipay.app-id-format"),
        (format!("{ALI}?app_id=2021000000000001&app_id=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.duplicate-param"),
        (format!("https://openauth-sandbox.dl.alipaydev.com/oauth2/publicAppAuthorize.htm?app_id=2021004100000001&scope=auth_user&{CB}&state=s"), "lint.alipay.sandbox-host-production-app"),
        (format!("{ALI}?app_id=9021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.production-host-sandbox-app"),
        (format!("http://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.http"),
        (format!("https://openauth.alipay.com/oauth2/authorize.htm?app_id=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.path"),
        (format!("https://auth.example.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&{CB}&state=s"), "lint.alipay.host"),
        // Dispatch.
        ("https://example.com/login?x=1".to_owned(), "lint.unknown-provider"),
        ("not a url".to_owned(), "lint.unknown.invalid-url"),
    ]
}

#[test]
fn each_bad_url_yields_its_finding() {
    for (url, code) in table() {
        let findings = lint_authorize_url(&url);
        assert!(
            findings.iter().any(|f| f.code == code),
            "{url}\n expected {code}, got {:?}",
            findings.iter().map(|f| &f.code).collect::<Vec<_>>()
        );
        for f in &findings {
            for text in [&f.title, &f.explanation, &f.fix] {
                assert!(
                    !text.get(authwalk::lang::Lang::EN).is_empty()
                        && !text.get(authwalk::lang::Lang::ZH).is_empty(),
                    "{} lacks a language",
                    f.code
                );
            }
        }
    }
}

#[test]
fn clean_urls_have_no_findings() {
    let sandbox = "http://127.0.0.1:8080/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb&response_type=code&scope=snsapi_base&state=abc#wechat_redirect";
    let with_options = "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_userinfo&state=abc&forcePopup=true&connect_redirect=1#wechat_redirect";
    let alipay_sandbox = "https://openauth-sandbox.dl.alipaydev.com/oauth2/publicAppAuthorize.htm?app_id=9021000000000001&scope=auth_user,auth_base&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=abc";
    for url in [WX_OK, ALI_OK, sandbox, with_options, alipay_sandbox] {
        assert_eq!(lint_authorize_url(url), Vec::new(), "{url}");
    }
}

#[test]
fn hostile_input_never_panics() {
    let inputs = [
        "",
        "#",
        "?",
        "https://",
        "https://open.weixin.qq.com",
        "https://open.weixin.qq.com/connect/oauth2/authorize?&&&==&#",
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=%ff%fe&redirect_uri=%&state=%E4#wechat_redirect#x",
        "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=中文&state=\u{0}",
    ];
    for input in inputs {
        let _ = lint_authorize_url(input);
        let _ = authwalk::provider::wechat::lint_authorize_url(input);
        let _ = authwalk::provider::alipay::lint_authorize_url(input);
    }
}

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("the authwalk binary is built");
    cmd.env_remove("AUTHWALK_LANG");
    cmd
}

#[test]
fn lint_command_exit_codes_and_languages() {
    authwalk()
        .args(["lint", WX_OK])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("no findings"));
    let bad = format!(
        "{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo&state=s"
    );
    authwalk()
        .args(["--lang", "en", "lint", &bad])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "error[lint.wechat.missing-fragment] #wechat_redirect is missing",
        ))
        .stdout(predicates::str::contains("fix: Append '#wechat_redirect'"));
    authwalk()
        .args(["--lang", "zh", "lint", &bad])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("缺少 #wechat_redirect"))
        .stdout(predicates::str::contains("修复:"));
    // Warnings only: exit 0.
    let warn_only = format!(
        "{WX}?appid=wx520c15f417810387&{CB}&response_type=code&scope=snsapi_userinfo#wechat_redirect"
    );
    assert!(
        lint_authorize_url(&warn_only)
            .iter()
            .all(|f| f.severity < Severity::Error)
    );
    authwalk().args(["lint", &warn_only]).assert().code(0);
    // JSON output carries both languages.
    let out = authwalk()
        .args(["lint", "--json", &bad])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON findings");
    assert_eq!(json[0]["code"], "lint.wechat.missing-fragment");
    assert!(json[0]["title"]["zh"].is_string());
    // From standard input.
    authwalk()
        .args(["lint", "--file", "-"])
        .write_stdin(format!("{bad}\n"))
        .assert()
        .code(1);
    // Usage errors: exit 2.
    authwalk().arg("lint").assert().code(2);
    authwalk().args(["lint", "--nope", WX_OK]).assert().code(2);
}
