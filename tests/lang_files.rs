//! Languages as data: a third language comes from a TOML file in the language folder, with no
//! code, and shows in `run` and in the inspector; a key it lacks falls back to English. And an
//! `authwalk.run/1` document (a verification's `reason` + `reason_zh`) still replays.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::path::PathBuf;
use std::process::Command;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::target::{Choice, Where};
use authwalk::transport::Transport;
use authwalk::tui::event::Message;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::Command as TuiCommand;
use authwalk::tui::testing::Runner;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Report, Start, WalkApp};

fn lang_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang")
}

/// This test binary loads the fixture folder, before any text is looked up.
fn load_fixture_languages() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| assert!(authwalk::lang::use_dir(lang_dir())));
}

fn authwalk(args: &[&str]) -> std::process::Output {
    let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lang-files-sandbox");
    Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .env("AUTHWALK_LANG_DIR", lang_dir())
        .env_remove("AUTHWALK_LANG")
        .args(args)
        .arg("--state-dir")
        .arg(state)
        .output()
        .unwrap()
}

#[test]
fn run_speaks_a_language_loaded_from_a_file() {
    let out = authwalk(&["--lang", "xx", "run", "alipay-web"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for translated in [
        "⟦Alipay web login (member info)⟧",
        "⟦Exchange code for token⟧",
        "⟦signed string⟧",
        "⟦verified⟧",
        "⟦fields⟧",
    ] {
        assert!(text.contains(translated), "{translated} missing:\n{text}");
    }
    // Not in the file: English, not Chinese and not the key.
    assert!(
        text.contains("Access token for user-authorized APIs"),
        "{text}"
    );
    assert!(!text.contains("换取访问令牌"), "{text}");
    assert!(!text.contains("flow.kinds."), "{text}");
}

#[test]
fn json_carries_every_loaded_language_in_its_text_maps() {
    let url = "http://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef\
               &redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code\
               &scope=snsapi_userinfo&state=abc#wechat_redirect";
    let out = Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .env("AUTHWALK_LANG_DIR", lang_dir())
        .args(["--lang", "xx", "lint", "--json", url])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc
        .as_array()
        .or_else(|| doc["findings"].as_array())
        .unwrap();
    let http = findings
        .iter()
        .find(|f| f["code"] == "lint.wechat.http")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(
        http["title"]["xx"], "⟦The authorize URL uses http⟧",
        "{http}"
    );
    assert_eq!(http["title"]["en"], "The authorize URL uses http", "{http}");
    assert_eq!(http["title"]["zh"], "授权链接使用的是 http", "{http}");
    // A key the file lacks has no "xx" entry: readers fall back to English.
    assert!(http["fix"].get("xx").is_none(), "{http}");

    let out = authwalk(&["--lang", "xx", "run", "alipay-web", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "authwalk.run/2");
    let reason = &doc["exchanges"][0]["verification"]["reason"];
    assert!(
        reason["en"].as_str().unwrap().contains("verifies"),
        "{reason}"
    );
    assert!(
        reason["zh"].as_str().unwrap().contains("验证通过"),
        "{reason}"
    );
}

#[test]
fn an_unknown_language_is_refused_and_the_built_in_two_stay() {
    let out = authwalk(&["--lang", "qq", "run", "alipay-web"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown language 'qq'") && err.contains("xx"),
        "{err}"
    );
    let zh = authwalk(&["--lang", "zh", "run", "alipay-web"]);
    assert!(String::from_utf8_lossy(&zh.stdout).contains("换取访问令牌"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_speaks_a_language_loaded_from_a_file() {
    load_fixture_languages();
    let lang: Lang = "xx".parse().unwrap();
    assert_eq!(lang.tag(), "xx");
    let opts = Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lang-files-tui")),
                scenario: None,
            },
            choice: Choice::default(),
        },
        flow: Some(FlowKind::AlipayWeb),
        lang,
        state: Some("TestState0123456789abcde".into()),
        ..Options::default()
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let TuiCommand::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let mut runner = Runner::new(app, 120, 40).unwrap();
    let opened: Message<Report> = boot.await;
    runner.send(opened);
    runner.wait_for_text("⟦Steps⟧").await.unwrap();
    let screen = runner.screen();
    assert!(screen.contains("⟦Authorize⟧"), "{screen}");
    assert!(screen.contains("⟦Exchange code for token⟧"), "{screen}");
}

#[test]
fn a_run_v1_document_still_replays_with_its_chinese_reason() {
    load_fixture_languages();
    let json = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run/alipay-web.v1.json"),
    )
    .unwrap();
    assert!(json.contains("\"authwalk.run/1\"") && json.contains("\"reason_zh\""));
    let recording = authwalk::replay::Recording::read(json.as_bytes(), None).unwrap();
    let walk = serde_json::to_value(recording.walk(authwalk::present::Policy::default())).unwrap();
    assert_eq!(walk["schema"], "authwalk.run/2");
    let reason = &walk["exchanges"][0]["verification"]["reason"];
    assert_eq!(
        reason["zh"], "RSA2 签名对收到的 alipay_system_oauth_token_response 节点原文验证通过",
        "{reason}"
    );
    assert!(
        reason["en"]
            .as_str()
            .unwrap()
            .starts_with("RSA2 signature verifies")
    );
}
