//! The WeChat mini program login in the inspector, on the in-process sandbox: the flow is in
//! the picker, its five steps run with `n`, and the decryption step's pane shows input → key →
//! IV → plaintext with the watermark.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/booted.rs"]
mod booted;

use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::tui::testing::{Runner, buffer_text};
use authwalk::tui::walk::WalkApp;
use ratatui::crossterm::event::KeyCode;

fn state_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-wechat-mini-sandbox")
}

async fn runner(flow: Option<FlowKind>, scenario: Option<&str>) -> Runner<WalkApp> {
    booted::booted(
        booted::options(state_dir(), flow, scenario, Lang::EN),
        (140, 48),
    )
    .await
}

async fn step(r: &mut Runner<WalkApp>, n: usize, mark: char) {
    r.key(KeyCode::Char('n'));
    let want = format!("{mark} {n}");
    r.wait_for(&want.clone(), move |b| buffer_text(b).contains(&want))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_inspector_walks_wechat_mini_and_shows_the_decryption() {
    let mut r = runner(Some(FlowKind::WechatMini), None).await;
    r.wait_for_text("Steps").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("wx.login) as demo user (Enter)")
        .await
        .unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    step(&mut r, 2, '✓').await;
    // The decryption runs with the next step, which sends the app token.
    step(&mut r, 4, '✓').await;
    step(&mut r, 5, '✓').await;
    let walk = r.app().screen_walk().unwrap();
    assert!(walk.ok);
    assert!(walk.context.decryption.as_ref().unwrap().ok);
    // Up two rows from the last step: the decryption's pane.
    r.key(KeyCode::Char('1'));
    r.key(KeyCode::Char('k'));
    r.key(KeyCode::Char('k'));
    r.wait_for_text("input → key → IV → plaintext")
        .await
        .unwrap();
    let screen = r.screen();
    assert!(screen.contains("session_key"), "{screen}");
    assert!(screen.contains("watermark"), "{screen}");
    assert!(screen.contains("nickName"), "{screen}");
    r.key(KeyCode::Char('q'));
    assert!(r.wait_for_quit().await);
}

#[tokio::test]
async fn a_doctor_scenario_fails_the_decryption_with_its_cause_on_screen() {
    let mut r = runner(Some(FlowKind::WechatMini), Some("mini-login-after-button")).await;
    r.wait_for_text("Steps").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("(Enter)").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    step(&mut r, 2, '✓').await;
    step(&mut r, 3, '✗').await;
    r.wait_for_text("wechat.decrypt.stale-key").await.unwrap();
}

#[tokio::test]
async fn the_picker_offers_wechat_mini() {
    let mut r = runner(None, None).await;
    r.wait_for_text("wechat-mini").await.unwrap();
}

#[tokio::test]
async fn n_on_the_decryption_shows_it_and_e_there_says_it_sends_nothing() {
    let mut r = runner(Some(FlowKind::WechatMini), None).await;
    r.wait_for_text("Steps").await.unwrap();
    r.key(KeyCode::Char('n'));
    // The consent names WeChat's call alone, not Alipay's my.getAuthCode.
    r.wait_for_text("Mini program login (wx.login) as demo user (Enter)")
        .await
        .unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    step(&mut r, 2, '✓').await;
    // One `n` decrypts and sends the app token; the pane stays on the decryption, whole.
    step(&mut r, 4, '✓').await;
    r.wait_for_text("2 Decryption").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("input → key → IV → plaintext"), "{screen}");
    assert!(screen.contains("nickName"), "{screen}");
    assert!(screen.contains("watermark  appid"), "{screen}");
    assert!(!screen.contains("Not sent yet"), "{screen}");
    assert!(!screen.contains("[Request]"), "{screen}");
    // Its key bar offers what works there: no tabs, no raw/pretty, no curl.
    let bar = screen.lines().last().unwrap_or_default().to_owned();
    assert!(
        !bar.contains("next tab") && !bar.contains("copy curl"),
        "{bar}"
    );
    assert!(bar.contains("search"), "{bar}");
    // A wide screen reads each step's title whole.
    assert!(
        screen.contains("3 Decrypt user data (encryptedData)"),
        "{screen}"
    );
    assert!(
        screen.contains("5 Phone number (getuserphonenumber)"),
        "{screen}"
    );
    // There is no request to edit or to copy as curl, and the status says so.
    r.key(KeyCode::Char('E'));
    r.wait_for_text("sends no request: there is nothing to edit and resend")
        .await
        .unwrap();
    r.key(KeyCode::Char('c'));
    r.wait_for_text("sends no request: there are no attempts to compare")
        .await
        .unwrap();
    r.key(KeyCode::Char('Y'));
    r.wait_for_text("This step has sent no request")
        .await
        .unwrap();
    // The next `n` runs the phone number and shows its request.
    step(&mut r, 5, '✓').await;
    r.wait_for_text("getuserphonenumber").await.unwrap();
    r.key(KeyCode::Char('q'));
    assert!(r.wait_for_quit().await);
}
