//! The code popup (`C`): the focused step's call in an SDK, the SDK picked with left and
//! right, copied with OSC 52, with no secret of the walk in it.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/booted.rs"]
mod booted;

use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::tui::testing::Runner;
use authwalk::tui::walk::WalkApp;
use ratatui::crossterm::event::KeyCode;

fn state_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-code-sandbox")
}

async fn runner(flow: FlowKind) -> Runner<WalkApp> {
    booted::booted(
        booted::options(state_dir(), Some(flow), None, Lang::EN),
        (120, 40),
    )
    .await
}

/// The text of the last OSC 52 copy written.
fn last_copy(r: &Runner<WalkApp>) -> String {
    use base64::Engine as _;
    let out = String::from_utf8_lossy(&r.output()).into_owned();
    let start = out.rfind("\x1b]52;c;").expect("a copy was written") + 7;
    let end = start + out[start..].find('\x07').expect("the copy ends");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&out[start..end])
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn c_shows_the_token_call_in_the_picked_sdk_and_y_copies_it() {
    let mut r = runner(FlowKind::WechatWeb).await;
    r.wait_for_text("Lint: no findings").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for("the token step done", |b| {
        authwalk::tui::testing::buffer_text(b).contains("✓ 3")
    })
    .await
    .unwrap();
    // The token step is focused: C opens the popup on the first WeChat SDK.
    r.key(KeyCode::Char('C'));
    r.wait_for_text("[wechatpy]").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("fetch_access_token(code)"), "{screen}");
    assert!(screen.contains("pip install wechatpy"), "{screen}");
    // The title names both keys that pick an SDK, not one letter.
    assert!(screen.contains("←/→ SDK"), "{screen}");
    // Right picks the next SDK.
    r.key(KeyCode::Right);
    r.wait_for_text("[wxjava]").await.unwrap();
    assert!(
        r.screen().contains("getAccessToken(code)"),
        "{}",
        r.screen()
    );
    r.key(KeyCode::Char('y'));
    r.wait_for_text("Copied wxjava").await.unwrap();
    let copy = last_copy(&r);
    assert!(
        copy.contains("getOAuth2Service().getAccessToken(code)"),
        "{copy}"
    );
    assert!(
        copy.contains("System.getenv(\"WECHAT_APPSECRET\")"),
        "{copy}"
    );
    // No secret of the walk: the appsecret of the sandbox's app is not in the copy.
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(state_dir().join("sandbox.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    if let Some(apps) = manifest["wechat"]["apps"].as_array() {
        for app in apps {
            let secret = app["secret"].as_str().unwrap();
            assert!(!copy.contains(secret), "{copy}");
        }
    }
    // The popup closed on the copy; C opens it again on the same SDK.
    r.key(KeyCode::Char('C'));
    r.wait_for_text("[wxjava]").await.unwrap();
    r.key(KeyCode::Esc);
    r.settle();
    assert!(!r.screen().contains("[wxjava]"));
}
