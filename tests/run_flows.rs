//! Every flow end to end against the in-process sandbox over real loopback HTTP, and the
//! failure scenarios users meet, through the library and through `authwalk run`.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;
use authwalk::flow::{ExchangeOutcome, FlowKind, Inputs, StepKind};
use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::{alipay_app, codes, first_user, sandbox, state_dir, walk, wechat_app};

#[tokio::test]
async fn every_flow_walks_end_to_end() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let alipay_user = first_user(&m, authwalk::provider::Provider::Alipay);
    let wechat_user = first_user(&m, authwalk::provider::Provider::Wechat);
    for (kind, app, user) in [
        (
            FlowKind::AlipayWeb,
            alipay_app(&m, "auth_user"),
            &alipay_user,
        ),
        (
            FlowKind::AlipayMini,
            alipay_app(&m, "auth_user"),
            &alipay_user,
        ),
        (
            FlowKind::WechatWeb,
            wechat_app(&m, "official_account", "snsapi_userinfo"),
            &wechat_user,
        ),
        (
            FlowKind::WechatQr,
            wechat_app(&m, "website", "snsapi_login"),
            &wechat_user,
        ),
    ] {
        let (flow, ok) = walk(
            &h,
            kind,
            app,
            user,
            &Inputs {
                refresh: true,
                ..Inputs::default()
            },
        )
        .await;
        assert!(
            ok && flow.succeeded(),
            "{kind}: {:#?}",
            flow.exchanges()
                .iter()
                .map(|e| (&e.step, &e.findings))
                .collect::<Vec<_>>()
        );
        assert!(flow.ctx().profile.is_some(), "{kind}: no profile");
        assert!(
            flow.ctx().user_id.is_some() || flow.ctx().open_id.is_some(),
            "{kind}: no user id"
        );
        if kind.provider() == authwalk::provider::Provider::Alipay {
            for ex in flow.exchanges() {
                assert!(
                    ex.verification.as_ref().unwrap().outcome.is_verified(),
                    "{kind} {}: not verified",
                    ex.step
                );
            }
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn wrong_scope_fails_user_info_with_the_scope_explained() {
    let h = sandbox(Some("wrong-scope")).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let last = flow.exchanges().last().unwrap();
    assert_eq!(last.step, StepKind::UserInfo);
    assert_eq!(last.outcome, ExchangeOutcome::Rejected);
    let found = codes(&flow);
    assert!(
        found.iter().any(|c| c == "alipay.aop.invalid-auth-token"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|c| c == "alipay.triage.auth-base-token"),
        "{found:?}"
    );

    let (flow, _) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &first_user(&m, authwalk::provider::Provider::Wechat),
        &Inputs::default(),
    )
    .await;
    let found = codes(&flow);
    assert!(found.iter().any(|c| c == "wechat.48001"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|c| c == "wechat.confusion.base-scope-userinfo"),
        "{found:?}"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_code_used_twice_gives_40163_and_isv_code_invalid() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (first, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &first_user(&m, authwalk::provider::Provider::Wechat),
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let code = first.ctx().code.clone().unwrap().value;
    let inputs = Inputs {
        code: Some(code),
        ..Inputs::default()
    };
    let (second, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "",
        &inputs,
    )
    .await;
    assert!(!ok);
    assert!(
        codes(&second).iter().any(|c| c == "wechat.40163"),
        "{:?}",
        codes(&second)
    );

    let (first, _) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    let inputs = Inputs {
        code: first.ctx().code.clone().map(|c| c.value),
        ..Inputs::default()
    };
    let (second, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        "",
        &inputs,
    )
    .await;
    assert!(!ok);
    assert!(
        codes(&second)
            .iter()
            .any(|c| c == "alipay.isv.code-invalid"),
        "{:?}",
        codes(&second)
    );
    h.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_after_the_clock_moves() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (first, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &first_user(&m, authwalk::provider::Provider::Wechat),
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    h.advance_clock(7300);
    let inputs = Inputs {
        access_token: first.ctx().access_token.clone().map(|t| t.value),
        openid: first.ctx().open_id.clone(),
        ..Inputs::default()
    };
    let (late, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "",
        &inputs,
    )
    .await;
    assert!(!ok);
    assert!(
        codes(&late).iter().any(|c| c == "wechat.42001"),
        "{:?}",
        codes(&late)
    );

    let (first, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let lifetime = first
        .ctx()
        .access_token
        .as_ref()
        .unwrap()
        .remaining(h.now())
        .unwrap();
    h.advance_clock(lifetime + 60);
    let inputs = Inputs {
        access_token: first.ctx().access_token.clone().map(|t| t.value),
        ..Inputs::default()
    };
    let (late, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        "",
        &inputs,
    )
    .await;
    assert!(!ok);
    assert!(
        codes(&late)
            .iter()
            .any(|c| c == "alipay.aop.auth-token-time-out"),
        "{:?}",
        codes(&late)
    );
    h.shutdown().await;
}

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").unwrap();
    cmd.env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .arg("run");
    cmd
}

#[test]
fn cli_walks_alipay_and_wechat_readably() {
    let dir = state_dir();
    authwalk()
        .args(["alipay-web", "--state-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "signed string (utf-8, RSA2 SHA256withRSA",
        ))
        .stdout(predicate::str::contains("signature ✓ verified"))
        .stdout(predicate::str::contains("user_status"))
        .stdout(predicate::str::contains("✓ succeeded: 4/4 steps"));
    authwalk()
        .args(["wechat-web", "--lang", "zh", "--state-dir"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("/sns/userinfo?access_token="))
        // Chinese all through: no English labels besides protocol names and values.
        .stdout(predicate::str::contains("✓ 成功：5/5 步"))
        .stdout(predicate::str::contains("字段"))
        .stdout(predicate::str::contains("succeeded").not())
        .stdout(predicate::str::contains("signed string").not())
        .stdout(predicate::str::contains("China time").not());
}

#[test]
fn cli_masks_secrets_unless_revealed() {
    let dir = state_dir();
    let out = authwalk()
        .args(["wechat-web", "--json", "--state-dir"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["schema"], "authwalk.run/2");
    let token = doc["context"]["access_token"]["value"].as_str().unwrap();
    assert!(
        token.ends_with('…') && token.chars().count() == 5,
        "{token}"
    );
    let token_url = doc["exchanges"][0]["request"]["url"].as_str().unwrap();
    assert!(
        token_url.contains("secret=") && !token_url.contains("secret=&"),
        "{token_url}"
    );
    let secret = token_url
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(secret.ends_with('…'), "{secret}");
    let out = authwalk()
        .args(["wechat-web", "--json", "--reveal", "--state-dir"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert!(
        !doc["context"]["access_token"]["value"]
            .as_str()
            .unwrap()
            .contains('…')
    );
}

#[test]
fn cli_tampered_signature_exits_1() {
    authwalk()
        .args([
            "alipay-web",
            "--scenario",
            "tampered-response",
            "--state-dir",
        ])
        .arg(state_dir())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature mismatch"));
}

#[test]
fn cli_html_502_is_a_clear_finding() {
    let dir = state_dir();
    // The fault is injected through the control API of the in-process sandbox via a scenario.
    authwalk()
        .args([
            "alipay-web",
            "--scenario",
            "gateway-html-502",
            "--state-dir",
        ])
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("HTML, not JSON"));
}

#[test]
fn cli_usage_errors_exit_2() {
    authwalk().args(["alipay-nope"]).assert().code(2);
    authwalk()
        .args(["alipay-web", "--user", "nobody", "--state-dir"])
        .arg(state_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no alipay demo user 'nobody'"));
    authwalk()
        .args(["alipay-web", "--profile", "missing"])
        .env("AUTHWALK_CONFIG_DIR", env!("CARGO_TARGET_TMPDIR"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config"));
}

#[test]
fn no_arguments_walks_alipay_on_the_sandbox() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("default-walk");
    Command::cargo_bin("authwalk")
        .unwrap()
        .env("AUTHWALK_DATA_DIR", &data)
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .stdout(predicate::str::contains("authwalk · alipay-web · sandbox"))
        .stdout(predicate::str::contains("✓ succeeded: 4/4 steps"))
        .stdout(predicate::str::contains("Next: authwalk run wechat-web"));
    assert!(data.join("sandbox/sandbox.json").exists());
}

/// A real app's walk through `authwalk run --profile`: the profile points at the sandbox as if
/// it were Alipay, the redirect_uri is on loopback so authwalk listens for the browser, and the
/// "browser" is this test: it approves on the consent page and follows the 302 to the listener.
#[tokio::test]
async fn profile_walk_with_the_loopback_listener() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let app = m
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == "2021000000000001")
        .expect("demo app");
    let user = first_user(&m, authwalk::provider::Provider::Alipay);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        format!(
            "[profiles.demo]\nprovider = \"alipay\"\napp_id = \"{}\"\nprivate_key = \"{}\"\n\
             alipay_public_key = \"{}\"\nenvironment = \"{}\"\nredirect_uri = \"http://127.0.0.1:{port}/callback\"\n",
            app.app_id,
            app.app_private_key.display(),
            app.alipay_public_key.display(),
            h.base_url(),
        ),
    )
    .unwrap();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .args(["run", "alipay-web", "--profile", "demo"])
        .env("AUTHWALK_CONFIG_DIR", config.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // authwalk prints the authorize URL on stderr and waits for the redirect.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let authorize = tokio::task::spawn_blocking(move || {
        stderr
            .lines()
            .map_while(Result::ok)
            .find(|l| l.starts_with("http"))
            .expect("an authorize URL")
    })
    .await
    .unwrap();
    assert!(
        authorize.contains(&format!(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback"
        )),
        "{authorize}"
    );

    // The person approves; the browser follows the redirect to the listener.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let approved = client
        .post(&authorize)
        .form(&[("user", user.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 302);
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("http://127.0.0.1:{port}/callback?")),
        "{location}"
    );
    let page = client
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("go back to the terminal"), "{page}");

    let out = tokio::time::timeout(
        Duration::from_secs(20),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("authwalk finishes")
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("authwalk · alipay-web · profile demo"),
        "{stdout}"
    );
    assert!(stdout.contains("state ✓ matches"), "{stdout}");
    assert!(stdout.contains("✓ succeeded: 4/4 steps"), "{stdout}");
    h.shutdown().await;
}

/// Whether `text` holds what looks like an unmasked sandbox secret: an Alipay token
/// (`authusr…`), a WeChat token (`86_…` with more than one character shown), or a code (a run of
/// 32 hex digits).
fn leaks(text: &str) -> Option<String> {
    if let Some(i) = text.find("authusr") {
        return Some(text[i..].chars().take(40).collect());
    }
    let bytes = text.as_bytes();
    for (i, w) in bytes.windows(5).enumerate() {
        if &w[..3] == b"86_" && w[3].is_ascii_alphanumeric() && w[4].is_ascii_alphanumeric() {
            return Some(text[i..].chars().take(40).collect());
        }
    }
    let mut run = 0;
    for (i, b) in bytes.iter().enumerate() {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run == 32 && bytes.get(i + 1).is_none_or(|n| !n.is_ascii_alphanumeric()) {
            return Some(String::from_utf8_lossy(&bytes[i + 1 - 32..=i]).into_owned());
        }
    }
    None
}

#[test]
fn cli_never_prints_secrets_unless_revealed() {
    let dir = state_dir();
    let scenarios = [
        None,
        Some("expired-code"),
        Some("wrong-scope"),
        Some("frozen-user"),
        Some("token-mixup"),
        Some("gateway-busy"),
        Some("tampered-response"),
        Some("gateway-html-502"),
        Some("component-token-mixup"),
        Some("wecom-sns-mixup"),
        Some("isv-missing-app-auth-token"),
    ];
    for flow in [
        "alipay-web",
        "alipay-mini",
        "wechat-web",
        "wechat-qr",
        "wechat-component",
        "wecom-web",
        "alipay-isv",
    ] {
        for scenario in scenarios {
            for json in [false, true] {
                let mut cmd = authwalk();
                cmd.args([flow, "--refresh", "--state-dir"]).arg(&dir);
                if let Some(s) = scenario {
                    cmd.args(["--scenario", s]);
                }
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.output().unwrap();
                let all = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(
                    leaks(&all).is_none(),
                    "{flow} {scenario:?} json={json}: {:?}",
                    leaks(&all)
                );
            }
        }
    }
    // The check itself finds what --reveal shows.
    let out = authwalk()
        .args(["alipay-mini", "--reveal", "--state-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(leaks(&String::from_utf8_lossy(&out.stdout)).is_some());
}

#[test]
fn cli_refuses_steps_the_flow_does_not_have() {
    authwalk()
        .args(["alipay-web", "--step", "check-token", "--state-dir"])
        .arg(state_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "step 'check-token' is not part of alipay-web",
        ));
    authwalk()
        .args(["wechat-web", "--step", "token", "--state-dir"])
        .arg(state_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--code"));
    authwalk()
        .args(["wechat-web", "--app", "wx5a1d0c0ffee00002", "--state-dir"])
        .arg(state_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("authwalk run wechat-qr"));
}

#[test]
fn cli_token_mixup_reproduces_seed_002_and_names_both_tokens() {
    let out = authwalk()
        .args([
            "wechat-web",
            "--scenario",
            "token-mixup",
            "--lang",
            "en",
            "--json",
            "--state-dir",
        ])
        .arg(state_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the user-info step fails");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = doc.to_string();
    // The walk fetched the basic token where the code belongs …
    assert!(text.contains("/cgi-bin/token"), "{text}");
    assert!(
        text.contains("wechat.confusion.code-not-exchanged"),
        "{text}"
    );
    // … and /sns/userinfo refused it, diagnosed with both tokens named.
    assert!(text.contains("wechat.40001"), "{text}");
    let rule = text
        .find("wechat.confusion.basic-token-on-sns")
        .unwrap_or_else(|| panic!("no basic-token-on-sns: {text}"));
    let around = &text[rule..(rule + 600).min(text.len())];
    assert!(
        around.contains("/cgi-bin/token") && around.contains("/sns/oauth2/access_token"),
        "{around}"
    );
    // The guess from the error code alone gives way to the evidence.
    assert!(
        !text.contains("wechat.confusion.sns-token-rejected"),
        "{text}"
    );
}

/// `--lang zh` prints no English prose: no line outside URLs, JSON and signed strings holds
/// three English words in a row (protocol names and values stand alone).
#[test]
fn chinese_output_has_no_english_prose() {
    for flow in ["alipay-web", "wechat-web"] {
        let out = authwalk()
            .args([flow, "--lang", "zh", "--state-dir"])
            .arg(state_dir())
            .output()
            .unwrap();
        assert!(out.status.success(), "{flow}");
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            let raw = line.contains("://")
                || line.trim_start().starts_with(['{', '}', '"', '['])
                || line.contains('=')
                || line.contains("·");
            if raw {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let prose = words.windows(3).any(|w| {
                w.iter()
                    .all(|word| word.len() > 2 && word.chars().all(|c| c.is_ascii_lowercase()))
            });
            assert!(!prose, "{flow}: English prose in --lang zh output: {line}");
        }
    }
}
