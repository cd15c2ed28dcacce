//! Secrets on the command line and on disk: tokens and codes from stdin, a file or the
//! environment; key folders and files owner-only whatever the umask; no symlink followed on
//! `--force`; loose key files warned about; `explain` and `verify` masking like `run`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("the authwalk binary is built");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
}

fn mode(path: &Path) -> u32 {
    let meta = std::fs::symlink_metadata(path).expect("the file exists");
    meta.permissions().mode() & 0o777
}

/// The embedded sandbox's state, shared by the walks here (keys made once).
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("secrets-walks")
}

/// `--code -`, `--code @FILE` and `--code env:NAME` all put the code into the token request
/// (shown with --reveal); none of them puts it on the command line.
#[test]
fn a_code_comes_from_stdin_a_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.txt");
    std::fs::write(&file, "fromfile0001\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cases = [
        ("-".to_owned(), "fromstdin0001"),
        (format!("@{}", file.display()), "fromfile0001"),
        ("env:AUTHWALK_TEST_CODE".to_owned(), "fromenv0001"),
    ];
    for (arg, code) in cases {
        let out = authwalk()
            .args(["run", "wechat-web", "--step", "token", "--reveal", "--json"])
            .args(["--code", &arg])
            .env("AUTHWALK_DATA_DIR", data_dir())
            .env("AUTHWALK_TEST_CODE", "fromenv0001")
            .write_stdin("fromstdin0001\n")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("code={code}")),
            "{arg}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("WARNING"));
    }
}

#[test]
fn a_missing_variable_or_two_stdin_readers_are_usage_errors() {
    authwalk()
        .args([
            "run",
            "wechat-web",
            "--step",
            "token",
            "--code",
            "env:AUTHWALK_NOT_SET_X",
        ])
        .env_remove("AUTHWALK_NOT_SET_X")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AUTHWALK_NOT_SET_X is not set"));
    authwalk()
        .args(["run", "wechat-web", "--from", "user-info"])
        .args(["--auth-token", "-", "--refresh-token", "-"])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard input"));
}

#[test]
fn a_loose_token_file_gets_the_ssh_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "sometoken\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    authwalk()
        .args(["run", "wechat-web", "--step", "user-info", "--openid", "o1"])
        .arg("--auth-token")
        .arg(format!("@{}", file.display()))
        .env("AUTHWALK_DATA_DIR", data_dir())
        .assert()
        .stderr(predicate::str::contains(
            "WARNING: UNPROTECTED SECRET FILE!",
        ))
        .stderr(predicate::str::contains("0644"))
        .stderr(predicate::str::contains(format!(
            "chmod 600 '{}'",
            file.display()
        )));
}

#[test]
fn keys_gen_makes_owner_only_folders_under_umask_000() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/keys");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" keys gen --bits 1024 --out \"$1\"")
        .arg(env!("CARGO_BIN_EXE_authwalk"))
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(mode(&dir.path().join("new")), 0o700);
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join("app_private_key.pem")), 0o600);
}

#[test]
fn force_does_not_follow_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.path().join("keys");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("app_private_key.pem")).unwrap();
    authwalk()
        .args(["keys", "gen", "--bits", "1024", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let key = out.join("app_private_key.pem");
    assert!(!std::fs::symlink_metadata(&key).unwrap().is_symlink());
    assert_eq!(mode(&key), 0o600);

    let converted = dir.path().join("converted.pem");
    std::os::unix::fs::symlink(&victim, &converted).unwrap();
    authwalk()
        .args(["keys", "convert", "--to", "pkcs1", "--force", "--out"])
        .arg(&converted)
        .arg(vector("app_private_key_pkcs8.pem"))
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::read_to_string(&converted)
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
}

#[test]
fn convert_out_dash_writes_a_private_key_to_a_pipe() {
    authwalk()
        .args(["keys", "convert", "--to", "pkcs1", "--out", "-"])
        .arg(vector("app_private_key_pkcs8.pem"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "-----BEGIN RSA PRIVATE KEY-----",
        ));
}

#[test]
fn a_loose_private_key_file_gets_the_ssh_warning() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("app_private_key.pem");
    std::fs::copy(vector("app_private_key_pkcs8.pem"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    authwalk()
        .args(["keys", "inspect"])
        .arg(&key)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "WARNING: UNPROTECTED PRIVATE KEY FILE!",
        ))
        .stderr(predicate::str::contains("Permissions 0644"))
        .stderr(predicate::str::contains("chmod 600"));
    // Owner-only: quiet. A public key may be world-readable: quiet too.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    authwalk()
        .args(["keys", "inspect"])
        .arg(&key)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    let public = dir.path().join("pub.pem");
    std::fs::copy(vector("app_public_key.pem"), &public).unwrap();
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o644)).unwrap();
    authwalk()
        .args(["keys", "inspect"])
        .arg(&public)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

const TOKEN: &str = "authusrB7d3f9a1c5e2b4d6f8a0c2e4b6d8f0a13";
const REFRESH: &str = "authusrB5b8a0c6e2f4d4c1b9e7a3f0d2c8b6a41";

#[test]
fn explain_masks_tokens_unless_revealed() {
    for json in [false, true] {
        let mut cmd = authwalk();
        cmd.arg("explain")
            .arg(vector("v1_resp_oauth_token_ok.body.json"));
        if json {
            cmd.arg("--json");
        }
        cmd.assert()
            .success()
            .stdout(predicate::str::contains(TOKEN).not())
            .stdout(predicate::str::contains(REFRESH).not())
            .stdout(predicate::str::contains("auth…"));
        cmd.arg("--reveal")
            .assert()
            .success()
            .stdout(predicate::str::contains(TOKEN))
            .stdout(predicate::str::contains(REFRESH));
    }
    // The request URL too.
    authwalk()
        .args([
            "explain",
            "--url",
            "https://api.weixin.qq.com/sns/userinfo?access_token=SECRETTOKEN1&openid=o",
        ])
        .arg(r#"{"errcode":40001,"errmsg":"invalid credential"}"#)
        .assert()
        .stdout(predicate::str::contains("SECRETTOKEN1").not());
}

#[test]
fn verify_masks_tokens_unless_revealed_and_still_verifies() {
    for json in [false, true] {
        let mut cmd = authwalk();
        cmd.args(["verify", "--alipay-public-key"])
            .arg(vector("fake_alipay_public_key.pem"))
            .arg(vector("v1_resp_oauth_token_ok.body.json"));
        if json {
            cmd.arg("--json");
        }
        cmd.assert()
            .success()
            .stdout(predicate::str::contains(TOKEN).not())
            .stdout(predicate::str::contains(REFRESH).not());
        cmd.arg("--reveal")
            .assert()
            .success()
            .stdout(predicate::str::contains(TOKEN))
            .stdout(predicate::str::contains(REFRESH));
    }
}

/// A profile whose API base is plain http:// off this machine is refused before anything is
/// sent (the host resolves nowhere, and nothing looks it up).
#[test]
fn plain_http_to_another_host_needs_insecure_http() {
    let config = tempfile::tempdir().unwrap();
    let path = config.path().join("config.toml");
    std::fs::write(
        &path,
        "[profiles.clear]\nprovider = \"wechat\"\nappid = \"wx0123456789abcdef\"\n\
         secret_env = \"AUTHWALK_TEST_SECRET\"\nredirect_uri = \"https://example.com/cb\"\n\
         scope = \"snsapi_userinfo\"\napi_base = \"http://api.weixin.invalid\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    authwalk()
        .args([
            "run",
            "wechat-web",
            "--profile",
            "clear",
            "--step",
            "token",
            "--code",
            "c",
        ])
        .env("AUTHWALK_CONFIG_DIR", config.path())
        .env("AUTHWALK_TEST_SECRET", "s3cret")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain http://"))
        .stderr(predicate::str::contains("--insecure-http"));
}

/// A WeChat walk given a code, whose token call is answered by a 307 that echoes the request (a
/// proxy's login page, a WAF, a wrong base URL): the appsecret and the code come back in the
/// `Location`, plainly and percent-encoded inside a `return_to`, in a cookie, and in an error.
fn echoed_walk() -> (authwalk::flow::Flow, &'static str, &'static str) {
    use authwalk::flow::{
        App, Effect, Flow, FlowKind, HttpFailure, Inputs, RawResponse, WechatApp,
    };
    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const CODE: &str = "081AbCdEfGhIjKlMnOpQrStUvW";
    let app = App::Wechat(WechatApp {
        appid: "wx0123456789abcdef".into(),
        secret: SECRET.into(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: authwalk::provider::Scope::SnsapiUserinfo,
        open_base: "http://127.0.0.1:9".into(),
        api_base: "http://127.0.0.1:9".into(),
        lang: authwalk::provider::wechat::UserInfoLang::ZhCn,
        component: None,
        agentid: None,
    });
    let inputs = Inputs {
        code: Some(CODE.into()),
        ..Inputs::default()
    };
    let now = time::OffsetDateTime::now_utc();
    let mut flow =
        Flow::new(FlowKind::WechatWeb, app, &inputs, "st4te".into(), now).expect("a walk");
    let (attempt, url) = loop {
        match flow.advance(now) {
            Effect::SendHttp {
                attempt, request, ..
            } => break (attempt, request.url.clone()),
            Effect::Finished { .. } => panic!("no request"),
            _ => {}
        }
    };
    assert!(
        url.contains(SECRET),
        "the request carries the secret: {url}"
    );
    let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    let response = RawResponse {
        status: 307,
        headers: vec![
            ("Location".into(), url.clone()),
            (
                "Refresh".into(),
                format!("0; url=https://login.proxy.example/?return_to={encoded}"),
            ),
            ("Set-Cookie".into(), format!("sso={SECRET}; Path=/")),
            ("X-Echo".into(), format!("bare {SECRET} and {CODE}")),
        ],
        body: format!("<a href=\"{url}\">moved</a>").into_bytes(),
    };
    let failure = HttpFailure {
        message: format!("error following redirect for url ({url})"),
        partial: Some(response),
    };
    flow.on_response(attempt, Err(failure), std::time::Duration::ZERO, now)
        .expect("the answer is recorded");
    (flow, SECRET, CODE)
}

/// Every text of a masked walk: headers (request and response), URLs, bodies and errors hold
/// neither the appsecret nor the code, in any spelling; revealed, they are there.
#[test]
fn response_headers_and_echoed_urls_are_masked() {
    use authwalk::present::{Policy, Presenter, TargetInfo, TargetKind};
    let (flow, secret, code) = echoed_walk();
    let mut presenter = Presenter::new();
    presenter.observe(&flow);
    let target = TargetInfo {
        scenario: None,
        kind: TargetKind::Profile,
        name: "mp".into(),
        base: "http://127.0.0.1:9".into(),
        app: authwalk::finding::Text::new("mp", "mp"),
        user: None,
    };
    let now = time::OffsetDateTime::now_utc();
    let elapsed = std::time::Duration::ZERO;
    let masked = presenter.walk(&flow, &target, Policy::default(), now, elapsed);
    let ex = &masked.exchanges[0];
    let response = ex.response.as_ref().expect("the partial response is kept");
    let mut shown = vec![
        authwalk::escape::json_pretty(&masked).unwrap(),
        ex.response
            .as_ref()
            .unwrap()
            .pretty
            .clone()
            .unwrap_or_default(),
    ];
    shown.extend(response.headers.iter().map(|(k, v)| format!("{k}: {v}")));
    for text in &shown {
        for value in [secret, code] {
            let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            assert!(
                !text.contains(value) && !text.contains(&encoded),
                "{value} shown in:\n{text}"
            );
        }
    }
    let location = &response.headers[0].1;
    assert!(location.contains("secret=0123…"), "{location}");
    assert!(location.contains("code=081A…"), "{location}");
    assert_eq!(response.headers[2].1, "sso=…", "a cookie is masked whole");
    let revealed = presenter.walk(&flow, &target, Policy { reveal: true }, now, elapsed);
    let text = authwalk::escape::json_pretty(&revealed).unwrap();
    assert!(
        text.contains(secret) && text.contains(code),
        "revealed: {text}"
    );
}
