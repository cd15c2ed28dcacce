//! The inspector on a `TestBackend`: whole-screen snapshots of every pane in its main states
//! at three terminal sizes, and a loop test that walks alipay-web on the in-process sandbox
//! with keys sent through the event channel, waiting on screen conditions (never sleeping).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::target::{Choice, Where};
use authwalk::transport::Transport;
use authwalk::tui::event::Message;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::Command;
use authwalk::tui::testing::Runner;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Report, Start, WalkApp};
use ratatui::crossterm::event::KeyCode;

/// One sandbox state folder for the test binary (keys made once).
fn state_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-walk-sandbox")
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];

/// An app on the embedded sandbox, booted (the sandbox started, the report delivered).
async fn runner(flow: Option<FlowKind>, scenario: Option<&str>, lang: Lang) -> Runner<WalkApp> {
    let opts = Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(state_dir()),
                scenario: scenario.map(str::to_owned),
            },
            choice: Choice::default(),
        },
        flow,
        lang,
        present: false,
        lan: None,
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let Command::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let mut runner = Runner::new(app, 120, 40).unwrap();
    let opened: Message<Report> = boot.await;
    runner.send(opened);
    runner
}

/// What changes from run to run, replaced: ports, the random state, codes, signatures,
/// times, elapsed milliseconds, countdowns, fingerprints, and the QR code's modules.
const FILTERS: [(&str, &str); 9] = [
    (r"[█▀▄][█▀▄ ]{6,}[█▀▄]", "[QR]"),
    (r"127\.0\.0\.1(:|%3A)\d{4,5}", "127.0.0.1$1[PORT]"),
    (r"state=[A-Za-z0-9]{24}", "state=[STATE]"),
    (r"\b[0-9a-f]{4}…", "[CODE]…"),
    (r"\d{4}-\d\d-\d\d[ +]\d\d(:|%3A)\d\d(:|%3A)\d\d", "[TIME]"),
    (r"\d+ ms", "[N] ms"),
    (r"\b\d+ d \d+ h|\b\d+:\d\d\b", "[LEFT]"),
    (r"[0-9a-f]{16,64}", "[HEX]"),
    (r"[A-Za-z0-9+/%]{40,}={0,2}", "[BASE64]"),
];

/// Snapshot the whole screen at every size (80×24, 120×40, 160×48).
async fn snapshot_sizes(r: &mut Runner<WalkApp>, name: &str) {
    for (w, h) in SIZES {
        r.resize(w, h);
        r.wait_for("a frame at the new size", |b| b.area.width == w && b.area.height == h)
            .await
            .unwrap();
        let screen = r
            .screen()
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n");
        insta::with_settings!({filters => FILTERS.to_vec(), snapshot_suffix => format!("{w}x{h}")}, {
            insta::assert_snapshot!(name, screen);
        });
    }
}

#[tokio::test]
async fn loop_walks_alipay_web_to_a_verified_profile() {
    let mut r = runner(Some(FlowKind::AlipayWeb), None, Lang::En).await;
    r.wait_for_text("Authorize").await.unwrap();
    // The authorize URL is on the first screen, before anything is sent.
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("alipay.system.oauth.token").await.unwrap();
    r.wait_for(
        "the token step done",
        |b| authwalk::tui::testing::buffer_text(b).contains("✓ 3"),
    )
    .await
    .unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for(
        "the user-info step done",
        |b| authwalk::tui::testing::buffer_text(b).contains("✓ 4"),
    )
    .await
    .unwrap();
    // Verify tab: the badge; Fields tab: user_status with its meaning.
    for _ in 0..3 {
        r.key(KeyCode::Char(']'));
    }
    r.wait_for_text("Verified").await.unwrap();
    r.key(KeyCode::Char(']'));
    r.wait_for_text("[Fields]").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("user_status"), "{screen}");
    assert!(
        screen.contains("Account status: normal"),
        "the meaning of user_status T: {screen}"
    );
    // y copies through OSC 52; q quits.
    r.key(KeyCode::Char('Y'));
    r.wait_for_text("Copied curl").await.unwrap();
    let out = String::from_utf8_lossy(&r.output()).into_owned();
    assert!(out.contains("\x1b]52;c;"), "{out:?}");
    r.key(KeyCode::Char('q'));
    assert!(r.wait_for_quit().await);
}
