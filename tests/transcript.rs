//! Exported transcripts: the adversarial redaction test (every kind of secret planted, none
//! found in either export; all found with `--unredacted`), the support question, and
//! `authwalk run --export`.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::time::Duration;

use assert_cmd::Command;
use authwalk::finding::Text;
use authwalk::flow::{App, FlowKind, Inputs};
use authwalk::keys::PrivateKey;
use authwalk::present::{Policy, Presenter, TargetInfo, TargetKind, Walk};
use authwalk::transcript::{self, Meta, Redaction};
use predicates::prelude::*;
use serde_json::Value;

#[expect(dead_code, reason = "the shared helpers serve other test files too")]
mod common;

use common::{alipay_app, first_user, sandbox, walk};

fn target(base: &str) -> TargetInfo {
    TargetInfo {
        scenario: None,
        kind: TargetKind::Profile,
        name: "shop".into(),
        base: base.into(),
        app: Text::new("shop", "shop"),
        user: None,
    }
}

/// A walk whose token call is refused with isv.invalid-signature (the app signs with a key
/// the gateway does not know), whose `sub_msg` echoes the signed string, code included.
async fn refused_walk() -> (Walk, String) {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let App::Alipay(mut app) = alipay_app(&m, "auth_user") else {
        unreachable!()
    };
    app.private_key = PrivateKey::generate(2048).unwrap();
    let user = first_user(&m, authwalk::provider::Provider::Alipay);
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        App::Alipay(app),
        &user,
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let code = flow.ctx().code.as_ref().unwrap().value.clone();
    let mut presenter = Presenter::new();
    presenter.observe(&flow);
    let walk = presenter.walk(
        &flow,
        &target(&m.alipay.gateway),
        Policy { reveal: true },
        h.now(),
        Duration::from_millis(5),
    );
    h.shutdown().await;
    (walk, code)
}

/// Spellings a value may take in an export.
fn spellings(value: &str) -> Vec<String> {
    vec![
        value.to_owned(),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        value.replace('/', "\\/"),
    ]
}

#[tokio::test]
async fn every_planted_secret_is_masked_and_unredacted_keeps_them() {
    let (mut walk, code) = refused_walk().await;
    let ex = &mut walk.exchanges[0];
    let sub_msg = ex.decoded.as_ref().unwrap()["sub_msg"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        sub_msg.contains(&code),
        "the gateway echoes the code: {sub_msg}"
    );

    // One secret in a URL, one in biz_content, one in an error message, one user identifier.
    let in_url = "URLPLANTEDAPPAUTHTOKEN0001";
    let in_biz = "BIZPLANTEDAUTHCODE0002";
    let in_error = "ERRPLANTEDREFRESHTOKEN0003";
    let user_id = "2088777766665555";
    let nick = "张小明Planted";
    ex.request.url.push_str("&app_auth_token=");
    ex.request.url.push_str(in_url);
    let biz = format!("{{\"auth_code\":\"{in_biz}\",\"scene\":\"x\"}}");
    ex.request.body.push_str("&biz_content=");
    ex.request
        .body
        .extend(url::form_urlencoded::byte_serialize(biz.as_bytes()));
    let decoded = ex.decoded.as_mut().unwrap();
    let echoed = format!("{sub_msg}&amp;refresh_token={in_error}&amp;x=1");
    decoded["sub_msg"] = Value::String(echoed.clone());
    decoded["user_id"] = Value::String(user_id.into());
    decoded["nick_name"] = Value::String(nick.into());
    let response = ex.response.as_mut().unwrap();
    response.body = serde_json::to_string(&serde_json::json!({
        "alipay_system_oauth_token_response": decoded.clone(),
    }))
    .unwrap();
    response.pretty = Some(serde_json::to_string_pretty(decoded).unwrap());
    walk.context.user_id = Some(user_id.into());

    let planted = [in_url, in_biz, in_error, user_id, nick, code.as_str()];
    let meta = Meta::now("2025-01-01T00:00:00Z");

    let redacted = transcript::export(&walk, &meta, Redaction::Redacted).unwrap();
    for secret in planted {
        for spelled in spellings(secret) {
            for (what, text) in [("markdown", &redacted.markdown), ("json", &redacted.json)] {
                assert!(
                    !text.contains(&spelled),
                    "{spelled} leaked into the {what} export:\n{text}"
                );
            }
        }
    }
    // Consistent: the code sent is the code echoed in the error, one placeholder for both.
    let doc: Value = serde_json::from_str(&redacted.json).unwrap();
    let body = doc["walk"]["exchanges"][0]["request"]["body"]
        .as_str()
        .unwrap();
    assert!(body.contains("code=code#1"), "{body}");
    let shown_sub_msg = doc["walk"]["exchanges"][0]["decoded"]["sub_msg"]
        .as_str()
        .unwrap();
    assert!(shown_sub_msg.contains("code=code#1"), "{shown_sub_msg}");
    assert_eq!(doc["walk"]["context"]["user_id"], "uid#1");
    assert_eq!(doc["redacted"], true);
    // Shareable facts stay: the app id, the method, the error codes.
    assert!(redacted.markdown.contains("isv.invalid-signature"));
    assert!(redacted.markdown.contains("alipay.system.oauth.token"));
    assert!(redacted.markdown.contains("2021000000000001"));

    let raw = transcript::export(&walk, &meta, Redaction::Unredacted).unwrap();
    for secret in planted {
        assert!(
            raw.markdown.contains(secret),
            "{secret} missing from the markdown"
        );
        assert!(raw.json.contains(secret), "{secret} missing from the json");
    }
    assert!(raw.markdown.contains("UNREDACTED"));
}

#[tokio::test]
async fn the_markdown_leads_with_the_support_question() {
    let (walk, _) = refused_walk().await;
    let t = transcript::export(&walk, &Meta::now("now"), Redaction::Redacted).unwrap();
    let md = &t.markdown;
    let zh = md.find("## 提问").unwrap();
    let en = md.find("## Support question").unwrap();
    let steps = md.find("## Steps").unwrap();
    assert!(zh < en && en < steps, "{md}");
    let question = &md[zh..steps];
    for needle in [
        "**使用环境：**",
        "**接口名称：** 换取授权访问令牌 `alipay.system.oauth.token`",
        "**请求参数：**",
        "grant_type=authorization_code",
        "**报错信息详情：**",
        "- code: 40002",
        "- sub_code: isv.invalid-signature",
        "- sub_msg: 验签出错",
        "**Environment:**",
        "**API:** `alipay.system.oauth.token` — exchange the auth code for an access token",
    ] {
        assert!(question.contains(needle), "{needle} not in:\n{question}");
    }
    let doc: Value = serde_json::from_str(&t.json).unwrap();
    assert_eq!(doc["schema"], transcript::SCHEMA);
    assert_eq!(doc["support_question"]["api"]["zh"], "换取授权访问令牌");
}

#[test]
fn run_export_writes_both_files_redacted_and_warns_when_unredacted() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::state_dir();
    let stem = dir.path().join("walk.md");
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .args(["run", "wechat-web", "--state-dir"])
        .arg(&data)
        .arg("--export")
        .arg(&stem)
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("walk.json"));
    let md = std::fs::read_to_string(dir.path().join("walk.md")).unwrap();
    let json = std::fs::read_to_string(dir.path().join("walk.json")).unwrap();
    let doc: Value = serde_json::from_str(&json).unwrap();
    let access_token = &doc["walk"]["context"]["access_token"]["value"];
    assert_eq!(access_token, "tok#1", "{json}");
    assert!(!md.contains("86_"), "a sandbox token leaked:\n{md}");
    assert!(md.contains("`/sns/userinfo`"), "{md}");

    let raw = dir.path().join("raw");
    Command::cargo_bin("authwalk")
        .unwrap()
        .args(["run", "wechat-web", "--state-dir"])
        .arg(&data)
        .arg("--export")
        .arg(&raw)
        .arg("--unredacted")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").and(predicate::str::contains("unredacted")));
    let raw_json = std::fs::read_to_string(dir.path().join("raw.json")).unwrap();
    assert!(raw_json.contains("\"86_"), "{raw_json}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("raw.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "an unredacted export is owner-only");
    }
}

/// A profile whose nickname, city and province hold DEL, C1, bidi controls and escape sequences
/// is redacted in the Markdown as in the JSON: raw values are replaced before anything is
/// escaped, so no part of them is left, whole or cut at a control character.
#[test]
fn control_characters_do_not_hide_personal_data_from_the_redactor() {
    use authwalk::replay::Recording;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_input/replay/flipped_redacted_flag.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let nickname = "Nick\u{7f}Alpha\u{9b}Bravo\u{202e}Charlie\u{2066}";
    let city = "Delta\u{1b}[2JEcho\u{1b}]0;Foxtrot\u{7}Golf";
    let province = "Hotel\u{85}India\u{200f}Juliet";
    let ex = &mut doc["walk"]["exchanges"][2];
    assert_eq!(ex["step"], "user-info");
    for (k, v) in [
        ("nickname", nickname),
        ("city", city),
        ("province", province),
    ] {
        ex["decoded"][k] = Value::from(v);
    }
    let mut body: Value = serde_json::from_str(ex["response"]["body"].as_str().unwrap()).unwrap();
    for (k, v) in [
        ("nickname", nickname),
        ("city", city),
        ("province", province),
    ] {
        body[k] = Value::from(v);
    }
    ex["response"]["body"] = Value::from(body.to_string());
    let recording = Recording::read(doc.to_string().as_bytes(), None).unwrap();
    let walk = recording.walk(Policy { reveal: true });
    let t = transcript::export(
        &walk,
        &Meta::now("2026-01-01T00:00:00Z"),
        Redaction::Redacted,
    )
    .unwrap();
    for word in [
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet",
    ] {
        assert!(
            !t.markdown.contains(word),
            "{word} in the Markdown:\n{}",
            t.markdown
        );
        assert!(!t.json.contains(word), "{word} in the JSON:\n{}", t.json);
    }
    assert!(t.markdown.contains("pii#"), "{}", t.markdown);
    // Still escaped: no raw control reaches the file.
    assert!(
        !t.markdown
            .chars()
            .any(|c| authwalk::escape::is_unsafe(c) && c != '\n'),
        "{:?}",
        t.markdown
    );
}

/// `run --export` never replaces a file silently nor writes through a symlink: without `--force`
/// an existing file (or a symlink, dangling or not) is refused before anything is written; with
/// it the symlink itself is replaced and its target left alone.
#[cfg(unix)]
#[test]
fn run_export_refuses_to_overwrite_and_never_follows_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::state_dir();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("walk.json")).unwrap();
    std::fs::write(dir.path().join("walk.md"), "old notes").unwrap();
    let run = |force: bool| {
        let mut cmd = Command::cargo_bin("authwalk").unwrap();
        cmd.args(["run", "wechat-web", "--state-dir"])
            .arg(&data)
            .arg("--export")
            .arg(dir.path().join("walk"));
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    run(false).failure().stderr(predicate::str::contains(
        "already exists; pass --force to replace it",
    ));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("walk.md")).unwrap(),
        "old notes"
    );
    run(true).success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let json = dir.path().join("walk.json");
    assert!(!json.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(
        std::fs::read_to_string(json)
            .unwrap()
            .contains("authwalk.transcript/1")
    );
}

/// `replay` of an export's Markdown replays the JSON written beside it and says so; without that
/// twin it says where the walk is, with exit 2.
#[test]
fn replay_of_the_markdown_replays_its_json_twin() {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("walk");
    Command::cargo_bin("authwalk")
        .unwrap()
        .args(["--lang", "en", "run", "wechat-web", "--state-dir"])
        .arg(common::state_dir())
        .arg("--export")
        .arg(&stem)
        .assert()
        .success();
    let md = dir.path().join("walk.md");
    Command::cargo_bin("authwalk")
        .unwrap()
        .args(["--lang", "en", "replay"])
        .arg(&md)
        .assert()
        .success()
        .stdout(predicate::str::contains("/sns/userinfo"))
        .stderr(predicate::str::contains("replaying its JSON twin"));
    std::fs::remove_file(dir.path().join("walk.json")).unwrap();
    Command::cargo_bin("authwalk")
        .unwrap()
        .args(["--lang", "en", "replay"])
        .arg(&md)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not beside it"));
}
