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
use authwalk::sandbox::{Fault, FaultKind, Provider};
use authwalk::target::{Choice, Where};
use authwalk::transport::Transport;
use authwalk::tui::event::Message;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::Command;
use authwalk::tui::testing::Runner;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Report, Start, WalkApp};
use ratatui::crossterm::event::KeyCode;

/// One sandbox state folder for the test binary, holding the published test keys, so every
/// machine signs with the same keys and the screens (fingerprints, signatures) are the same.
fn state_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-walk-sandbox-fixed");
        let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/alipay");
        let app = dir.join("keys/2021000000000001");
        std::fs::create_dir_all(&app).unwrap();
        for (from, to) in [
            (
                "fake_alipay_private_key_pkcs8.pem",
                dir.join("keys/alipay_private_key.pem"),
            ),
            (
                "fake_alipay_public_key.pem",
                dir.join("keys/alipay_public_key.pem"),
            ),
            ("app_private_key_pkcs8.pem", app.join("app_private_key.pem")),
            ("app_public_key.pem", app.join("app_public_key.pem")),
        ] {
            if !to.exists() {
                std::fs::copy(vectors.join(from), &to).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
                }
            }
        }
        dir
    })
    .clone()
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];

/// An app on the embedded sandbox, booted (the sandbox started, the report delivered).
async fn runner_at(
    flow: Option<FlowKind>,
    scenario: Option<&str>,
    lang: Lang,
    (w, h): (u16, u16),
) -> Runner<WalkApp> {
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
        state: Some("TestState0123456789abcde".into()),
        export_dir: None,
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let Command::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let runner = Runner::new(app, w, h).unwrap();
    let opened: Message<Report> = boot.await;
    runner.send(opened);
    runner
}

async fn runner(flow: Option<FlowKind>, scenario: Option<&str>, lang: Lang) -> Runner<WalkApp> {
    runner_at(flow, scenario, lang, (120, 40)).await
}

/// What changes from run to run, replaced: ports, the random state, codes, signatures,
/// times, elapsed milliseconds, countdowns, fingerprints, and the QR code's modules.
const FILTERS: [(&str, &str); 11] = [
    (r"[ █▀▄]*[█▀▄][ █▀▄]*", "[QR]"),
    (r"sign=[A-Za-z0-9%+/=]*", "sign=[SIGN]"),
    (r"=[^&\s…=]{1,8}…", "=[MASKED]…"),
    (r"127\.0\.0\.1(:|%3A)\d{4,5}", "127.0.0.1$1[PORT]"),
    (r"state=[A-Za-z0-9]{24}", "state=[STATE]"),
    (r"\b[0-9a-f]{4}…", "[CODE]…"),
    (r"\d{4}-\d\d-\d\d[ +]\d\d(:|%3A)\d\d(:|%3A)\d\d", "[TIME]"),
    (r"\d+ ms", "[N] ms"),
    (r"\b\d+ d \d+ h|\b\d+:\d\d\b", "[LEFT]"),
    (r"[0-9a-f]{16,64}", "[HEX]"),
    (r"[A-Za-z0-9+/%]{40,}={0,2}", "[BASE64]"),
];

/// Snapshot the whole screen as it is.
fn snapshot(r: &Runner<WalkApp>, name: &str) {
    let area = r.buffer().area;
    let screen = r
        .screen()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    let suffix = format!("{}x{}", area.width, area.height);
    insta::with_settings!({filters => FILTERS.to_vec(), snapshot_suffix => suffix}, {
        insta::assert_snapshot!(name, screen);
    });
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
    r.wait_for("the token step done", |b| {
        authwalk::tui::testing::buffer_text(b).contains("✓ 3")
    })
    .await
    .unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for("the user-info step done", |b| {
        authwalk::tui::testing::buffer_text(b).contains("✓ 4")
    })
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
        screen.contains("normal user"),
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

/// Walk from the authorize screen through the consent to the code.
async fn approve(r: &mut Runner<WalkApp>) {
    r.wait_for_text("Lint: no findings").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
}

/// Run the next step and wait until step `n` shows `mark` (✓ or ✗).
async fn step(r: &mut Runner<WalkApp>, n: usize, mark: char) {
    r.key(KeyCode::Char('n'));
    let want = format!("{mark} {n}");
    r.wait_for(&want.clone(), move |b| {
        authwalk::tui::testing::buffer_text(b).contains(&want)
    })
    .await
    .unwrap();
}

fn tab(r: &Runner<WalkApp>, times: usize) {
    for _ in 0..times {
        r.key(KeyCode::Char(']'));
    }
}

#[tokio::test]
async fn snapshots_picker_authorize_and_consent() {
    for size in SIZES {
        let mut r = runner_at(None, None, Lang::En, size).await;
        r.wait_for_text("Pick a login").await.unwrap();
        snapshot(&r, "picker");
        r.key(KeyCode::Enter);
        r.wait_for_text("Lint: no findings").await.unwrap();
        snapshot(&r, "authorize");
        if size == (160, 48) {
            // Wide enough: the QR code is drawn inline.
            assert!(r.screen().contains('█'), "{}", r.screen());
        }
        r.key(KeyCode::Char('n'));
        r.key(KeyCode::Char('n'));
        r.wait_for_text("Approve as demo user").await.unwrap();
        snapshot(&r, "consent");
    }
}

#[tokio::test]
async fn snapshots_in_flight_verified_and_fields() {
    for size in SIZES {
        let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::En, size).await;
        approve(&mut r).await;
        let sandbox = r.app().place().unwrap().sandbox().unwrap();
        sandbox
            .arm(Fault {
                provider: Provider::Alipay,
                method: Some("alipay.system.oauth.token".into()),
                fault: FaultKind::Slow,
                count: 1,
                delay_ms: 1500,
            })
            .unwrap();
        r.key(KeyCode::Char('n'));
        r.wait_for_text("In flight").await.unwrap();
        // Long lines cut, not wrapped: the signature's random characters stay on one line.
        r.key(KeyCode::Char('w'));
        r.wait_for("the request unwrapped", |b| {
            let screen = authwalk::tui::testing::buffer_text(b);
            let lines: Vec<&str> = screen.lines().collect();
            lines
                .windows(2)
                .any(|pair| pair[0].contains("POST http") && pair[1].contains("Content-Type"))
        })
        .await
        .unwrap();
        snapshot(&r, "in_flight");
        r.wait_for_text("✓ 3").await.unwrap();
        step(&mut r, 4, '✓').await;
        tab(&r, 3);
        r.wait_for_text("✓ Verified").await.unwrap();
        snapshot(&r, "verified");
        tab(&r, 1);
        r.wait_for_text("10000  →").await.unwrap();
        snapshot(&r, "fields");
    }
}

#[tokio::test]
async fn snapshots_mismatch_and_failure_with_diagnosis() {
    for size in SIZES {
        let mut r = runner_at(
            Some(FlowKind::AlipayWeb),
            Some("tampered-response"),
            Lang::En,
            size,
        )
        .await;
        approve(&mut r).await;
        step(&mut r, 3, '✓').await;
        step(&mut r, 4, '✗').await;
        tab(&r, 3);
        r.wait_for_text("Mismatch").await.unwrap();
        assert!(r.screen().contains("Diagnosis"), "{}", r.screen());
        snapshot(&r, "mismatch");

        let mut r = runner_at(
            Some(FlowKind::WechatWeb),
            Some("wrong-scope"),
            Lang::En,
            size,
        )
        .await;
        r.key(KeyCode::Char('n'));
        r.key(KeyCode::Char('n'));
        r.wait_for_text("Approve as demo user").await.unwrap();
        r.key(KeyCode::Enter);
        r.wait_for_text("Code received").await.unwrap();
        step(&mut r, 3, '✓').await;
        step(&mut r, 4, '✓').await;
        step(&mut r, 5, '✗').await;
        r.wait_for_text("Diagnosis").await.unwrap();
        snapshot(&r, "failure");
    }
}

/// Chinese chrome and explanations at their true width.
#[tokio::test]
async fn snapshot_in_chinese() {
    let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::Zh, (120, 40)).await;
    approve_zh(&mut r).await;
    step(&mut r, 3, '✓').await;
    step(&mut r, 4, '✓').await;
    tab(&r, 4);
    r.wait_for_text("10000  →").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("user_status"), "{screen}");
    snapshot(&r, "fields_zh");
}

async fn approve_zh(r: &mut Runner<WalkApp>) {
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.key(KeyCode::Char('n'));
    r.wait_for_text("以演示用户身份同意授权").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("已收到授权码").await.unwrap();
}
