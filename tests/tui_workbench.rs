//! The workbench in the inspector, on a `TestBackend` against the embedded sandbox: `E` edits
//! the user-info request, `o` keeps the old sign and the gateway refuses it, `c` names the
//! parameter that changed, the same edit signed again succeeds; `?` lists edit, compare and
//! the timeline, and `T` shows the redirect the walk took.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/booted.rs"]
mod booted;

use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::{ExchangeOutcome, FlowKind, StepKind};
use authwalk::tui::testing::Runner;
use authwalk::tui::walk::WalkApp;
use ratatui::crossterm::event::KeyCode;

#[path = "support/test_keys.rs"]
mod test_keys;

fn state_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-workbench-sandbox");
        test_keys::install_test_keys(&dir);
        dir
    })
    .clone()
}

async fn runner(flow: FlowKind) -> Runner<WalkApp> {
    booted::booted(
        booted::options(state_dir(), Some(flow), None, Lang::EN),
        (120, 40),
    )
    .await
}

async fn step(r: &mut Runner<WalkApp>, n: usize) {
    r.key(KeyCode::Char('n'));
    let want = format!("✓ {n}");
    r.wait_for(&want.clone(), move |b| {
        authwalk::tui::testing::buffer_text(b).contains(&want)
    })
    .await
    .unwrap();
}

fn typed(r: &mut Runner<WalkApp>, text: &str) {
    for c in text.chars() {
        r.key(KeyCode::Char(c));
    }
    r.key(KeyCode::Enter);
}

fn user_info_attempts(r: &Runner<WalkApp>) -> Vec<ExchangeOutcome> {
    r.app()
        .screen_walk()
        .unwrap()
        .exchanges
        .iter()
        .filter(|e| e.step == StepKind::UserInfo)
        .map(|e| e.outcome)
        .collect()
}

#[tokio::test]
async fn an_edit_sent_with_the_old_sign_is_refused_and_compare_names_the_parameter() {
    let mut r = runner(FlowKind::AlipayWeb).await;
    r.wait_for_text("Lint: no findings").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    step(&mut r, 3).await;
    step(&mut r, 4).await;
    r.wait_for_text("Login complete").await.unwrap();

    // One attempt only: nothing to compare yet.
    r.key(KeyCode::Char('c'));
    r.wait_for_text("This step has one attempt").await.unwrap();

    r.key(KeyCode::Char('E'));
    r.wait_for_text("Edit and resend · user-info")
        .await
        .unwrap();
    assert!(r.screen().contains("signed again with the app's key"));
    r.key(KeyCode::Char('a'));
    typed(&mut r, "extra_param=1");
    r.key(KeyCode::Char('o'));
    r.wait_for_text("the old sign kept").await.unwrap();
    r.key(KeyCode::Char('s'));
    r.wait_for_text("Sent attempt 2 of user-info")
        .await
        .unwrap();
    for _ in 0..200 {
        r.settle();
        if user_info_attempts(&r).len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        user_info_attempts(&r),
        [ExchangeOutcome::Ok, ExchangeOutcome::Rejected]
    );
    let walk = r.app().screen_walk().unwrap();
    let last = walk.exchanges.last().unwrap();
    assert!(
        last.findings
            .iter()
            .any(|f| f.code.contains("invalid-signature")),
        "{:?}",
        last.findings
    );

    r.wait_for_text("· attempt 2/2 · alipay.user")
        .await
        .unwrap();
    r.key(KeyCode::Char('c'));
    r.wait_for_text("Changed: extra_param").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("canonical ←"), "{screen}");
    assert!(
        screen.contains("Same signing key on both sides"),
        "{screen}"
    );
    // Enter shows the earlier attempt in the panes; moving the selection shows the latest.
    r.key(KeyCode::Enter);
    r.wait_for_text("Showing attempt 1 of user-info")
        .await
        .unwrap();
    r.wait_for_text("· attempt 1/2 ·").await.unwrap();
    r.key(KeyCode::Char('1'));
    r.key(KeyCode::Char('k'));
    r.key(KeyCode::Char('j'));
    r.wait_for_text("· attempt 2/2 ·").await.unwrap();

    // The same edit, signed again: the form opens on the latest attempt, extra_param in it.
    r.key(KeyCode::Char('E'));
    r.wait_for_text("extra_param").await.unwrap();
    r.key(KeyCode::Char('s'));
    for _ in 0..200 {
        r.settle();
        if user_info_attempts(&r).len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        user_info_attempts(&r),
        [
            ExchangeOutcome::Ok,
            ExchangeOutcome::Rejected,
            ExchangeOutcome::Ok
        ]
    );

    // The timeline holds the one redirect the walk took.
    r.key(KeyCode::Char('T'));
    r.wait_for_text("Callback timeline").await.unwrap();
    assert!(r.screen().contains("taken"), "{}", r.screen());
    r.key(KeyCode::Esc);

    r.key(KeyCode::Char('?'));
    r.settle();
    let help = r.screen();
    for line in [
        "edit and resend the request",
        "compare two attempts",
        "the callback's timeline",
    ] {
        assert!(help.contains(line), "{line} not in the help:\n{help}");
    }
}
