//! The inspector on a `TestBackend`: whole-screen snapshots of every pane in its main states
//! at three terminal sizes, and a loop test that walks alipay-web on the in-process sandbox
//! with keys sent through the event channel, waiting on screen conditions (never sleeping).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/booted.rs"]
mod booted;

use std::path::PathBuf;

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::sandbox::{Fault, FaultKind, Provider};
use authwalk::transport::Transport;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::testing::Runner;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, WalkApp};
use ratatui::crossterm::event::KeyCode;

#[path = "support/test_keys.rs"]
mod test_keys;

/// One sandbox state folder for the test binary, holding the published test keys, so every
/// machine signs with the same keys and the screens (fingerprints, signatures) are the same.
fn state_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-walk-sandbox-fixed");
        test_keys::install_test_keys(&dir);
        dir
    })
    .clone()
}

/// 80×24 and 100×30 (a projector) are sizes like any other.
const SIZES: [(u16, u16); 4] = [(80, 24), (100, 30), (120, 40), (160, 48)];

/// An app on the embedded sandbox, booted (the sandbox started, the report delivered).
async fn runner_at(
    flow: Option<FlowKind>,
    scenario: Option<&str>,
    lang: Lang,
    size: (u16, u16),
) -> Runner<WalkApp> {
    runner_with(flow, scenario, lang, size, false).await
}

/// The same, in presenter mode when `present`.
async fn runner_with(
    flow: Option<FlowKind>,
    scenario: Option<&str>,
    lang: Lang,
    size: (u16, u16),
    present: bool,
) -> Runner<WalkApp> {
    let opts = Options {
        present,
        ..booted::options(state_dir(), flow, scenario, lang)
    };
    booted::booted(opts, size).await
}

async fn runner(flow: Option<FlowKind>, scenario: Option<&str>, lang: Lang) -> Runner<WalkApp> {
    runner_at(flow, scenario, lang, (120, 40)).await
}

/// What changes from run to run, replaced: ports, the random state, codes, signatures,
/// times, elapsed milliseconds, countdowns, fingerprints, and the QR code's modules.
const FILTERS: [(&str, &str); 17] = [
    (r"[ █▀▄]*[█▀▄][ █▀▄]*", "[QR]"),
    (r"sign=[A-Za-z0-9%+/=]*", "sign=[SIGN]"),
    (r"=[^&\s…=]{1,8}…", "=[MASKED]…"),
    (r"127\.0\.0\.1(:|%3A)\d{4,5}", "127.0.0.1$1[PORT]"),
    // A port cut at the header's end, or wrapped onto the next row of a URL.
    (r"(?m)127\.0\.0\.1(:|%3A)\d{1,5}$", "127.0.0.1$1[PORT]"),
    (r"(\s)%3A\d{4,5}%2F", "$1%3A[PORT]%2F"),
    (r"state=[A-Za-z0-9]{24}", "state=[STATE]"),
    (r"\b[0-9a-f]{4}…", "[CODE]…"),
    (r"\d{4}-\d\d-\d\d[ +]\d\d(:|%3A)\d\d(:|%3A)\d\d", "[TIME]"),
    // A response's Date header and WeChat's request id, now that a done step shows its answer.
    (r"(?i)date: [^│\n]*GMT", "date: [DATE]"),
    (r"rid: [0-9a-f-]*", "rid: [RID]"),
    (r#"(?m)(││\s+)[0-9a-f-]{1,17}"\s"#, "$1[RID]\" "),
    (r"\b\d+ h \d+ min|\b\d+ h\b|\b\d+ min\b", "[LEFT]"),
    (r"\d+ ms", "[N] ms"),
    (r"\b\d+ d \d+ h|\b\d+:\d\d\b", "[LEFT]"),
    (r"[0-9a-f]{16,64}", "[HEX]"),
    (r"[A-Za-z0-9+/%]{40,}={0,2}", "[BASE64]"),
];

/// Where a word is cut in two at a row's end inside a pane: an ASCII letter, digit or `_` in
/// the pane's last cell and a letter first on the next row of the same pane (right at its
/// edge, or after a hanging indent), unless the row holds one word longer than the row.
fn broken_words(buffer: &ratatui::buffer::Buffer) -> Vec<String> {
    let area = buffer.area;
    let cell = |x: u16, y: u16| buffer[(x, y)].symbol().chars().next().unwrap_or(' ');
    let edge = |c: char| matches!(c, '│' | '┃' | '║' | '█');
    let borders = |y: u16| -> Vec<u16> {
        (area.left()..area.right())
            .filter(|x| edge(cell(*x, y)))
            .collect()
    };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for y in area.top()..area.bottom().saturating_sub(1) {
        let (here, next) = (borders(y), borders(y + 1));
        for pair in here.windows(2) {
            let (l, r) = (pair[0], pair[1]);
            if r <= l + 2 || !next.contains(&l) || !next.contains(&r) {
                continue;
            }
            let row: String = (l + 1..r).map(|x| cell(x, y)).collect();
            let below: String = (l + 1..r).map(|x| cell(x, y + 1)).collect();
            let (Some(last), Some(first)) = (row.chars().last(), below.trim_start().chars().next())
            else {
                continue;
            };
            let long_word = !row.trim().contains(' ');
            let at_edge = below.starts_with(|c: char| c.is_ascii_alphabetic());
            if word(last) && first.is_ascii_alphabetic() && (at_edge || !long_word) {
                out.push(format!("row {y}: {row:?} / {below:?}"));
            }
        }
    }
    out
}

/// Snapshot the whole screen as it is, after checking no word is cut at a row's end.
fn snapshot(r: &Runner<WalkApp>, name: &str) {
    let broken = broken_words(r.buffer());
    assert!(
        broken.is_empty(),
        "{name}: words cut in two:\n{}\n{}",
        broken.join("\n"),
        r.screen()
    );
    snapshot_as_is(r, name);
}

/// Snapshot the whole screen as it is.
fn snapshot_as_is(r: &Runner<WalkApp>, name: &str) {
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

/// Walk alipay-web from its first screen to the end with keys, as a person does: `n` (authorize,
/// then the consent list), Enter to approve, `n` for the token and the user info.
async fn walk_alipay_web_with_keys(r: &mut Runner<WalkApp>) {
    // The authorize URL is on the first screen, before anything is sent.
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
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
}

#[tokio::test]
async fn loop_walks_alipay_web_to_a_verified_profile() {
    let mut r = runner(Some(FlowKind::AlipayWeb), None, Lang::EN).await;
    r.wait_for_text("Authorize").await.unwrap();
    walk_alipay_web_with_keys(&mut r).await;
    // Verify tab: the badge; Fields tab: user_status with its meaning.
    goto_tab(&mut r, "Verify");
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

/// Press `]` until the tab `name` is the open one (`[name` in the pane title).
fn goto_tab(r: &mut Runner<WalkApp>, name: &str) {
    let open = format!("[{name}");
    for _ in 0..5 {
        r.settle();
        if r.screen().contains(&open) {
            return;
        }
        r.key(KeyCode::Char(']'));
    }
    r.settle();
    assert!(r.screen().contains(&open), "no {name} tab:\n{}", r.screen());
}

fn tab(r: &Runner<WalkApp>, times: usize) {
    for _ in 0..times {
        r.key(KeyCode::Char(']'));
    }
}

#[tokio::test]
async fn snapshots_picker_authorize_and_consent() {
    for size in SIZES {
        let mut r = runner_at(None, None, Lang::EN, size).await;
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
        r.wait_for_text("Approve as demo user").await.unwrap();
        snapshot(&r, "consent");
    }
}

#[tokio::test]
async fn snapshots_in_flight_verified_and_fields() {
    for size in SIZES {
        let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::EN, size).await;
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
        // Cut, not wrapped: the scan for words cut by wrapping does not apply.
        snapshot_as_is(&r, "in_flight");
        r.wait_for_text("✓ 3").await.unwrap();
        step(&mut r, 4, '✓').await;
        goto_tab(&mut r, "Verify");
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
            Lang::EN,
            size,
        )
        .await;
        approve(&mut r).await;
        step(&mut r, 3, '✓').await;
        step(&mut r, 4, '✗').await;
        goto_tab(&mut r, "Verify");
        r.wait_for_text("Mismatch").await.unwrap();
        assert!(r.screen().contains("Diagnosis"), "{}", r.screen());
        snapshot(&r, "mismatch");

        let mut r = runner_at(
            Some(FlowKind::WechatWeb),
            Some("wrong-scope"),
            Lang::EN,
            size,
        )
        .await;
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
    let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::ZH, (120, 40)).await;
    approve_zh(&mut r).await;
    step(&mut r, 3, '✓').await;
    step(&mut r, 4, '✓').await;
    goto_tab(&mut r, "字段");
    r.wait_for_text("10000  →").await.unwrap();
    let screen = r.screen();
    assert!(screen.contains("user_status"), "{screen}");
    snapshot(&r, "fields_zh");
}

async fn approve_zh(r: &mut Runner<WalkApp>) {
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("以演示用户身份同意授权").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("已收到授权码").await.unwrap();
}

/// Every screen of a finished walk, in order: each step row, and on a row with exchange tabs
/// each tab from Request on. Run the same keys on a live walk and on its replay.
fn tour(r: &mut Runner<WalkApp>) -> Vec<String> {
    let rows = r.app().screen_walk().unwrap().steps.len();
    r.key(KeyCode::Char('1'));
    for _ in 0..rows {
        r.key(KeyCode::Char('k'));
    }
    r.settle();
    let mut screens = Vec::new();
    for _ in 0..rows {
        if r.screen().contains("Request") {
            // Tabs: start from Request, whatever tab the walk left open.
            for _ in 0..5 {
                if r.screen().contains("[Request]") {
                    break;
                }
                r.key(KeyCode::Char(']'));
                r.settle();
            }
            for _ in 0..5 {
                screens.push(r.screen());
                r.key(KeyCode::Char(']'));
                r.settle();
            }
        } else {
            screens.push(r.screen());
        }
        r.key(KeyCode::Char('j'));
        r.settle();
    }
    screens
}

/// A screen without its header (which names the live target or the replayed file) and key
/// bar (a replay runs nothing, so offers no `n`), with what changes by the second filtered.
fn comparable(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let mut out: Vec<String> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.trim_end().to_owned())
        .collect();
    for (pattern, with) in FILTERS {
        let re = regex::Regex::new(pattern).unwrap();
        out = out
            .iter()
            .map(|l| re.replace_all(l, with).into_owned())
            .collect();
    }
    out.join("\n")
}

/// A replay app of `json` (a transcript or walk document).
fn replay_runner(json: &str, lang: Lang, present: bool, (w, h): (u16, u16)) -> Runner<WalkApp> {
    let recording = authwalk::replay::Recording::read(json.as_bytes(), None).unwrap();
    let opts = Options {
        lang,
        present,
        ..Options::default()
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::replay(
        opts,
        KeyMap::default(),
        ThemeSet::monochrome(),
        transport,
        recording,
        "walk.json".into(),
    );
    Runner::new(app, w, h).unwrap()
}

/// The live walk's transcript, as `e` writes it but with the redaction chosen.
fn transcript_of(r: &Runner<WalkApp>, redaction: authwalk::transcript::Redaction) -> String {
    use authwalk::present::Policy;
    use authwalk::tui::walk::Screen;
    let Screen::Walk(w) = r.app().screen() else {
        panic!("a walk is on screen")
    };
    let (session, _) = w.live().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let walk = session.walk_with(Policy { reveal: true }, now, std::time::Duration::ZERO);
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    authwalk::transcript::export(&walk, &authwalk::transcript::Meta::now(stamp), redaction)
        .unwrap()
        .json
}

#[tokio::test]
async fn a_replay_of_the_exported_transcript_shows_the_live_screens() {
    use authwalk::transcript::Redaction;
    // A walk that succeeds and one that fails with a diagnosis.
    for (flow, scenario, last) in [
        (FlowKind::AlipayWeb, None, '✓'),
        (FlowKind::WechatWeb, Some("wrong-scope"), '✗'),
    ] {
        let mut live = runner_at(Some(flow), scenario, Lang::EN, (120, 40)).await;
        approve_any(&mut live).await;
        let rows = flow.steps(false).len();
        for n in 3..rows {
            step(&mut live, n, '✓').await;
        }
        step(&mut live, rows, last).await;
        let json = transcript_of(&live, Redaction::Unredacted);
        let live_screens = tour(&mut live);
        let mut replay = replay_runner(&json, Lang::EN, false, (120, 40));
        let replay_screens = tour(&mut replay);
        assert_eq!(live_screens.len(), replay_screens.len(), "{flow}");
        assert!(live_screens.len() >= 2 + 5 * (rows - 2), "{flow}");
        for (i, (a, b)) in live_screens.iter().zip(&replay_screens).enumerate() {
            let (a, b) = (comparable(a), comparable(b));
            assert!(
                a == b,
                "{flow} screen {i} differs\n--- live\n{a}\n--- replay\n{b}"
            );
        }
        // The replay says what it is, and stays read only.
        let screen = replay.screen();
        assert!(
            screen
                .lines()
                .next()
                .unwrap()
                .contains("Replay of walk.json")
        );
        let bar = screen.lines().last().unwrap();
        assert!(
            bar.contains("n next step") && bar.contains("b back") && !bar.contains("retry"),
            "{bar}"
        );
        // Like slides: n shows the next step, b the one before; r runs nothing.
        let selected = |r: &Runner<WalkApp>| match r.app().screen() {
            authwalk::tui::walk::Screen::Walk(w) => w.selected,
            _ => usize::MAX,
        };
        replay.key(KeyCode::Char('1'));
        replay.key(KeyCode::Char('k'));
        replay.key(KeyCode::Char('n'));
        replay.settle();
        assert_eq!(selected(&replay), rows - 1);
        replay.key(KeyCode::Char('b'));
        replay.key(KeyCode::Char('r'));
        replay.settle();
        assert_eq!(selected(&replay), rows - 2);
        assert!(replay.screen().contains("read only"), "{}", replay.screen());
        // Masked like the live screen until revealed: an unredacted transcript still holds
        // the real token, and the screen shows it only after `s`.
        let token = live_token(&live);
        assert!(!replay_screens.iter().any(|s| s.contains(&token)));
        assert!(
            json.contains(&token),
            "the unredacted transcript keeps the token"
        );
    }
}

/// The access token a live walk obtained.
fn live_token(r: &Runner<WalkApp>) -> String {
    use authwalk::present::Policy;
    use authwalk::tui::walk::Screen;
    let Screen::Walk(w) = r.app().screen() else {
        panic!("a walk is on screen")
    };
    let (session, _) = w.live().unwrap();
    let walk = session.walk_with(
        Policy { reveal: true },
        time::OffsetDateTime::now_utc(),
        std::time::Duration::ZERO,
    );
    walk.context.access_token.unwrap().value
}

/// The consent on either provider's sandbox.
async fn approve_any(r: &mut Runner<WalkApp>) {
    r.wait_for_text("Lint").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
}

#[tokio::test]
async fn snapshots_of_a_redacted_replay_and_the_presenter_demo() {
    use authwalk::transcript::Redaction;
    let mut live = runner_at(Some(FlowKind::AlipayWeb), None, Lang::EN, (120, 40)).await;
    approve(&mut live).await;
    step(&mut live, 3, '✓').await;
    step(&mut live, 4, '✓').await;
    let json = transcript_of(&live, Redaction::Redacted);
    let mut r = replay_runner(&json, Lang::EN, false, (120, 40));
    r.settle();
    snapshot(&r, "replay_authorize");
    // The token step's fields: placeholders, never a value.
    r.key(KeyCode::Char('j'));
    r.key(KeyCode::Char('j'));
    tab(&r, 4);
    r.settle();
    assert!(r.screen().contains("tok#1"), "{}", r.screen());
    snapshot(&r, "replay_token_fields");
    // The trainer's demo: Chinese, presenter mode, the banner and narration.
    let mut r = replay_runner(&json, Lang::ZH, true, (120, 40));
    r.key(KeyCode::Char('j'));
    r.key(KeyCode::Char('j'));
    // The Fields tab: the Request tab's wrapping moves with the signature's length.
    tab(&r, 4);
    r.settle();
    assert!(r.screen().contains("回放 walk.json"), "{}", r.screen());
    snapshot(&r, "replay_present_zh");
}

/// A replayed file is not trusted: escape sequences planted in every text the screens show
/// (the target, an endpoint in a pane title, a finding code, a fingerprint) never reach a cell
/// as control characters.
#[test]
fn a_replay_draws_no_control_character_from_the_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/bad_input/replay/escape_in_nickname.json"
    );
    let json = std::fs::read_to_string(path).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let mut r = replay_runner(&json, Lang::EN, false, (120, 40));
    let screens = tour(&mut r);
    r.key(KeyCode::Char('s'));
    r.settle();
    for screen in screens.iter().chain([&r.screen()]) {
        let raw: Vec<char> = screen
            .lines()
            .flat_map(str::chars)
            .filter(|c| authwalk::tui::text::needs_escape(*c))
            .collect();
        assert!(raw.is_empty(), "{raw:?} in\n{screen}");
    }
    assert!(
        screens.iter().any(|s| s.contains("\\x1b]0;pwned")),
        "shown escaped"
    );
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

/// The secret values a copy holds, as `name=value` (queries, forms) or `"name": "value"`.
fn secret_values(text: &str) -> Vec<(String, String)> {
    let pairs =
        regex::Regex::new(r"\b(secret|code|access_token|refresh_token)=([^&'\s]*)").unwrap();
    let json = regex::Regex::new(r#""(access_token|refresh_token)"\s*:\s*"([^"]*)""#).unwrap();
    pairs
        .captures_iter(text)
        .chain(json.captures_iter(text))
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect()
}

/// `Y` once copied the live request, appsecret and code included, even in presenter mode. A
/// copy now holds what the screen shows: secrets masked until `s` reveals them, and presenter
/// mode never reveals, in a copy or on screen.
#[tokio::test]
async fn copies_hold_what_the_screen_shows_and_presenter_mode_never_reveals() {
    let mut revealed_secret = None;
    for present in [false, true] {
        let mut r = runner_with(
            Some(FlowKind::WechatWeb),
            None,
            Lang::EN,
            (120, 40),
            present,
        )
        .await;
        approve(&mut r).await;
        step(&mut r, 3, '✓').await;
        let copy = |r: &mut Runner<WalkApp>, key: char| {
            r.key(KeyCode::Char(key));
            r.settle();
            last_copy(r)
        };
        // Masked: the token request (appsecret and code in its URL) and the response shown.
        let curl = copy(&mut r, 'Y');
        assert!(curl.contains("/sns/oauth2/access_token"), "{curl}");
        let text = copy(&mut r, 'y');
        for (name, value) in secret_values(&curl).iter().chain(&secret_values(&text)) {
            assert!(
                value.ends_with('…'),
                "present={present}: {name}={value} in\n{curl}\n{text}"
            );
        }
        assert!(
            secret_values(&curl).iter().any(|(n, _)| n == "secret"),
            "{curl}"
        );
        assert!(!secret_values(&text).is_empty(), "the token answer: {text}");
        // `s` reveals, outside presenter mode only; the copies follow the screen.
        r.key(KeyCode::Char('s'));
        r.settle();
        let curl = copy(&mut r, 'Y');
        let text = copy(&mut r, 'y');
        let secret = secret_values(&curl)
            .into_iter()
            .find(|(n, _)| n == "secret")
            .map(|(_, v)| v)
            .unwrap();
        if present {
            for (name, value) in secret_values(&curl).iter().chain(&secret_values(&text)) {
                assert!(
                    value.ends_with('…'),
                    "presenter mode revealed {name}={value}"
                );
            }
            let real: String = revealed_secret.clone().unwrap();
            assert!(!curl.contains(&real) && !text.contains(&real));
            assert!(!r.screen().contains(&real), "{}", r.screen());
        } else {
            assert!(
                !secret.ends_with('…') && secret.len() > 8,
                "revealed: {curl}"
            );
            assert!(
                secret_values(&text).iter().all(|(_, v)| !v.ends_with('…')),
                "{text}"
            );
            revealed_secret = Some(secret);
        }
    }
}

/// What a walk is, whatever face made it: each step with its state and number, each exchange
/// with its endpoint, method, status, signature outcome, finding codes and field names, the
/// notes, the authorize URL and its lint, and the verdict. Times, codes, tokens, signatures and
/// ports differ from walk to walk and are left out.
fn shape(walk: &serde_json::Value) -> serde_json::Value {
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let url = walk["context"]["authorize_url"]
        .as_str()
        .map(without_state_and_port);
    serde_json::json!({
        "schema": walk["schema"],
        "flow": walk["flow"],
        "ok": walk["ok"],
        "target": walk["target"]["kind"],
        "steps": walk["steps"].as_array().unwrap().iter().map(|s| {
            serde_json::json!([s["id"], s["state"], s["number"], s["exchange"]])
        }).collect::<Vec<_>>(),
        "exchanges": walk["exchanges"].as_array().unwrap().iter().map(|e| {
            serde_json::json!({
                "step": e["step"],
                "endpoint": e["endpoint"],
                "method": e["request"]["method"],
                "status": e["response"]["status"],
                "outcome": e["outcome"],
                "verification": e["verification"]["outcome"],
                "findings": codes(&e["findings"]),
                "fields": e["decoded"].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
            })
        }).collect::<Vec<_>>(),
        "notes": codes(&walk["notes"]),
        "authorize_url": url,
        "authorize_lint": codes(&walk["context"]["authorize_lint"]),
        "context": walk["context"].as_object().unwrap().iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>(),
    })
}

/// An authorize URL with its port and random `state` taken out (the `redirect_uri` it carries
/// names the sandbox's port too).
fn without_state_and_port(url: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    let _ = url.set_port(None);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "state")
        .map(|(k, v)| {
            let v = url::Url::parse(&v).map_or_else(
                |_| v.clone().into_owned(),
                |mut inner| {
                    let _ = inner.set_port(None);
                    inner.to_string()
                },
            );
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

/// One walker for every face: alipay-web walked through the inspector's loop (keys, tasks,
/// reports) and through `authwalk run --json` makes the same walk, step for step and finding
/// for finding, apart from what differs on every walk (times, codes, signatures, ports).
#[tokio::test]
async fn the_inspector_and_run_make_the_same_walk() {
    let mut r = runner(Some(FlowKind::AlipayWeb), None, Lang::EN).await;
    walk_alipay_web_with_keys(&mut r).await;
    let inspector = serde_json::to_value(r.app().screen_walk().unwrap()).unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .args(["--lang", "en", "run", "alipay-web", "--json", "--state-dir"])
        .arg(state_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(shape(&inspector), shape(&run));
    // Not a comparison of two empty things: the walk is whole and verified.
    let shape = shape(&run);
    assert_eq!(shape["ok"], true);
    assert_eq!(shape["exchanges"].as_array().unwrap().len(), 2);
    assert_eq!(shape["exchanges"][1]["verification"], "verified");
}

/// `?` shows the help at once on the picker, the first authorize screen and a replay (it once
/// waited for some other redraw, a countdown or a resize, and swallowed keys meanwhile), and
/// Esc closes it at once.
#[tokio::test]
async fn help_shows_at_once_on_the_picker_the_authorize_screen_and_a_replay() {
    let mut picker = runner(None, None, Lang::EN).await;
    picker.wait_for_text("alipay-web").await.unwrap();
    picker.key(KeyCode::Char('?'));
    picker.settle();
    assert!(
        picker.screen().contains("Keys · Esc closes"),
        "{}",
        picker.screen()
    );
    picker.key(KeyCode::Esc);
    picker.settle();
    assert!(
        !picker.screen().contains("Keys · Esc closes"),
        "{}",
        picker.screen()
    );
    let mut walk = runner(Some(FlowKind::AlipayWeb), None, Lang::EN).await;
    walk.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    walk.key(KeyCode::Char('?'));
    walk.settle();
    assert!(
        walk.screen().contains("Keys · Esc closes"),
        "{}",
        walk.screen()
    );
    let json = std::fs::read_to_string("tests/fixtures/transcripts/alipay-web.json").unwrap();
    let mut replay = replay_runner(&json, Lang::EN, false, (120, 40));
    replay.settle();
    replay.key(KeyCode::Char('?'));
    replay.settle();
    assert!(
        replay.screen().contains("Keys · Esc closes"),
        "{}",
        replay.screen()
    );
}

/// The full-screen QR code of a walk on 127.0.0.1 does not tell the person to scan it with a
/// phone: a phone cannot reach this computer's loopback.
#[tokio::test]
async fn a_loopback_qr_code_does_not_say_scan_with_a_phone() {
    let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::EN, (160, 48)).await;
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    r.key(KeyCode::Char('f'));
    r.settle();
    let screen = r.screen();
    assert!(!screen.contains("Scan with a phone"), "{screen}");
    assert!(screen.contains("127.0.0.1 is this computer"), "{screen}");
}

/// At the consent: the key bar says Enter approves; a later step says the walk waits for the
/// consent (not "press n to run this step"); Esc says what the list waits for and keeps it;
/// `n` approves as the highlighted demo user.
#[tokio::test]
async fn the_consent_explains_itself_and_n_approves_as_the_highlighted_user() {
    let mut r = runner(Some(FlowKind::AlipayWeb), None, Lang::EN).await;
    r.wait_for_text("publicAppAuthorize.htm").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    let bar = r.screen().lines().last().unwrap().to_owned();
    assert!(bar.contains("Enter approve"), "{bar}");
    assert!(!bar.contains("next step"), "{bar}");

    // Down picks the second demo user; the list keeps the focus.
    r.key(KeyCode::Down);
    r.settle();
    assert!(r.screen().contains("▶ alipay-quick"), "{}", r.screen());

    // Esc: the list stays, and the status line says what it waits for.
    r.key(KeyCode::Esc);
    r.settle();
    let screen = r.screen();
    assert!(
        screen.contains("The walk waits for this consent"),
        "{screen}"
    );
    assert!(screen.contains("▶ alipay-quick"), "{screen}");

    // A later step, selected from the steps pane, does not ask for an `n` that would not run it.
    r.key(KeyCode::Char('1'));
    r.key(KeyCode::Down);
    r.settle();
    let screen = r.screen();
    assert!(!screen.contains("press n to run this step"), "{screen}");
    assert!(
        screen.contains("the walk waits for the consent at step 2"),
        "{screen}"
    );

    // n approves as the highlighted demo user.
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 3").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 4").await.unwrap();
    let walk = r.app().screen_walk().unwrap();
    // alipay-quick's uid, not the first user's.
    assert_eq!(
        walk.context.user_id.as_deref(),
        Some("2088102000000002"),
        "{:?}",
        walk.context
    );
    // The header and the export name the user who approved, not the first one.
    assert_eq!(walk.target.user.as_deref(), Some("alipay-quick"));
    assert!(
        walk.target.name.ends_with(" as alipay-quick"),
        "{}",
        walk.target.name
    );
    let screen = r.screen();
    assert!(screen.contains("as alipay-quick"), "{screen}");
    assert!(!screen.contains("as alipay-certified"), "{screen}");
}

/// Restart, switch user, refresh, scenario, language and the flow picker, each one key away:
/// the header always names the real user and the scenario in force.
#[tokio::test]
async fn keys_restart_switch_user_refresh_pick_a_scenario_and_a_language() {
    // Wide, so the header shows the status, the user and the scenario in full.
    let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::EN, (240, 40)).await;
    walk_alipay_web_with_keys(&mut r).await;
    let header = |r: &Runner<WalkApp>| r.screen().lines().next().unwrap_or_default().to_owned();
    assert!(header(&r).contains("as alipay-certified"), "{}", header(&r));

    // x: the refresh step is offered once a refresh token exists, and runs.
    r.key(KeyCode::Char('x'));
    r.wait_for_text("✓ 5").await.unwrap();
    let walk = r.app().screen_walk().unwrap();
    assert_eq!(
        walk.steps.last().unwrap().id,
        authwalk::flow::StepKind::Refresh
    );

    // u: the walk starts again as the next demo user, whom the header names.
    r.key(KeyCode::Char('u'));
    r.wait_for_text("Restarted alipay-web").await.unwrap();
    assert!(header(&r).contains("as alipay-quick"), "{}", header(&r));
    assert_eq!(r.app().screen_walk().unwrap().steps.len(), 4);

    // R: the same walk again, fresh, as the same user.
    r.key(KeyCode::Char('R'));
    r.wait_for_text("Restarted alipay-web").await.unwrap();
    assert!(header(&r).contains("as alipay-quick"), "{}", header(&r));

    // S: the scenarios with their providers; one for WeChat is refused in one sentence.
    r.key(KeyCode::Char('S'));
    r.wait_for_text("Scenarios").await.unwrap();
    assert!(r.screen().contains("token-mixup"), "{}", r.screen());
    assert!(r.screen().contains("[wechat]"), "{}", r.screen());
    let mixup = authwalk::sandbox::scenario_names()
        .iter()
        .position(|n| *n == "token-mixup")
        .unwrap();
    for _ in 0..=mixup {
        r.key(KeyCode::Down);
    }
    r.key(KeyCode::Enter);
    r.wait_for_text("for wechat flows only, so alipay-web cannot take it")
        .await
        .unwrap();
    // frozen-user applies: its user holds the phone, the header names both.
    let frozen = authwalk::sandbox::scenario_names()
        .iter()
        .position(|n| *n == "frozen-user")
        .unwrap();
    r.key(KeyCode::Char('S'));
    r.wait_for_text("Scenarios").await.unwrap();
    for _ in 0..=frozen {
        r.key(KeyCode::Down);
    }
    r.key(KeyCode::Enter);
    r.wait_for_text("Scenario frozen-user applied")
        .await
        .unwrap();
    let top = header(&r);
    assert!(top.contains("as alipay-frozen"), "{top}");
    assert!(top.contains("scenario frozen-user"), "{top}");

    // L: the language switches live.
    r.key(KeyCode::Char('L'));
    r.wait_for_text("语言").await.unwrap();
    assert!(header(&r).contains("场景 frozen-user"), "{}", header(&r));
    r.key(KeyCode::Char('L'));
    r.wait_for_text("Language: en").await.unwrap();

    // F: back to the picker, on the flow that was walked.
    r.key(KeyCode::Char('F'));
    r.settle();
    assert!(matches!(
        r.app().screen(),
        authwalk::tui::walk::Screen::Picker { selected: 0 }
    ));
}

/// An interactive walk whose token exchange was rejected once (the gateway busy) and then
/// retried: the support question of its export asks about the final walk, not the older
/// rejection, and says the scope, the user and the elapsed time.
#[tokio::test]
async fn the_support_question_leads_with_the_final_walk_not_an_older_rejection() {
    let mut r = runner(Some(FlowKind::AlipayWeb), Some("gateway-busy"), Lang::EN).await;
    approve(&mut r).await;
    step(&mut r, 3, '✗').await;
    r.key(KeyCode::Char('r'));
    r.wait_for_text("✓ 3").await.unwrap();
    step(&mut r, 4, '✓').await;
    let authwalk::tui::walk::Screen::Walk(w) = r.app().screen() else {
        panic!("a walk is on screen")
    };
    let (session, _) = w.live().unwrap();
    let walk = session.walk(time::OffsetDateTime::now_utc(), std::time::Duration::ZERO);
    let md = authwalk::transcript::export(
        &walk,
        &authwalk::transcript::Meta::now("now"),
        authwalk::transcript::Redaction::Unredacted,
    )
    .unwrap()
    .markdown;
    let question = md.split("## Support question").next().unwrap();
    assert!(!question.contains("20000"), "{question}");
    assert!(!question.contains("Success"), "{question}");
    assert!(
        question.contains("**授权范围 scope：** `auth_user`"),
        "{question}"
    );
    assert!(
        question.contains("**用户：** `alipay-certified`"),
        "{question}"
    );
    assert!(question.contains("**耗时：**"), "{question}");
    assert!(question.contains("alipay.user.info.share"), "{question}");
}

/// Walk WeChat web until a step fails (or all are done): `n` until a ✗ shows.
async fn walk_until_failure(r: &mut Runner<WalkApp>) {
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    for _ in 0..5 {
        r.key(KeyCode::Char('n'));
        r.settle();
        r.wait_for("a step answered", |b| {
            let s = authwalk::tui::testing::buffer_text(b);
            !s.contains("In flight")
        })
        .await
        .unwrap();
        if r.screen().contains("Diagnosis") {
            return;
        }
    }
}

/// At 80×24 the token mix-up's diagnosis does not fit: focused, it scrolls to its last line
/// (the second finding's fix) and back.
#[tokio::test]
async fn the_diagnosis_pane_scrolls_on_a_small_screen() {
    let mut r = runner_at(
        Some(FlowKind::WechatWeb),
        Some("token-mixup"),
        Lang::EN,
        (80, 24),
    )
    .await;
    r.wait_for_text("Authorize").await.unwrap();
    walk_until_failure(&mut r).await;
    r.wait_for_text("Diagnosis").await.unwrap();
    // The diagnosis pane's rows.
    let pane = |r: &Runner<WalkApp>| -> String {
        let screen = r.screen();
        let rows: Vec<&str> = screen.lines().collect();
        let at = rows.iter().position(|l| l.contains("3 Diagnosis")).unwrap();
        rows[at..rows.len() - 1].join("\n")
    };
    r.key(KeyCode::Char('3'));
    r.settle();
    let first = pane(&r);
    r.key(KeyCode::Char('G'));
    r.settle();
    let last = pane(&r);
    assert_ne!(first, last, "G in the diagnosis scrolled nothing:\n{last}");
    assert!(
        broken_words(r.buffer()).is_empty(),
        "{:?}",
        broken_words(r.buffer())
    );
    r.key(KeyCode::Char('g'));
    r.settle();
    assert_eq!(pane(&r), first, "g brings the diagnosis back to its top");
}

/// A completed step lands on what came back: the Verify tab (its badge in the tab title and
/// the step row) for a signed answer; the finished login says so; `y` on a field row copies
/// that value, and a masked secret only after it is shown.
#[tokio::test]
async fn a_done_step_lands_on_its_answer_and_y_copies_a_field() {
    let mut r = runner_at(Some(FlowKind::AlipayWeb), None, Lang::EN, (100, 30)).await;
    approve(&mut r).await;
    step(&mut r, 3, '✓').await;
    r.wait_for_text("[Verify ✓]").await.unwrap();
    assert!(r.screen().contains("sig ✓"), "{}", r.screen());
    step(&mut r, 4, '✓').await;
    r.wait_for_text("Login complete: 4 of 4 steps done")
        .await
        .unwrap();
    // Step 3's fields: access_token first, masked.
    r.key(KeyCode::Char('1'));
    r.key(KeyCode::Char('k'));
    r.key(KeyCode::Char('2'));
    goto_tab(&mut r, "Fields");
    r.key(KeyCode::Char('y'));
    r.wait_for_text("access_token is a secret and masked")
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&r.output()).contains("\x1b]52;"));
    r.key(KeyCode::Char('s'));
    r.key(KeyCode::Char('y'));
    r.wait_for_text("Copied access_token, a secret")
        .await
        .unwrap();
    let token = r.app().screen_walk().unwrap().exchanges[0].fields[0]
        .value
        .clone();
    assert!(!token.contains('…'), "revealed: {token}");
    let out = String::from_utf8_lossy(&r.output()).into_owned();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &token);
    assert!(out.contains(&format!("\x1b]52;c;{b64}")), "{out:?}");
    // The next row down: its own value.
    r.key(KeyCode::Char('j'));
    r.key(KeyCode::Char('y'));
    r.wait_for_text("Copied auth_start").await.unwrap();
}

/// The mini-program flow has no QR code: no `f QR` key, and its code is shown once.
#[tokio::test]
async fn the_mini_flow_offers_no_qr_and_shows_its_code_once() {
    let mut r = runner_at(Some(FlowKind::AlipayMini), None, Lang::EN, (100, 30)).await;
    r.wait_for_text("Steps").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("(Enter)").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    r.key(KeyCode::Char('2'));
    r.settle();
    let screen = r.screen();
    assert!(!screen.contains("f QR"), "{screen}");
    let code = r.app().screen_walk().unwrap().callback.clone().unwrap();
    let code = code.code.unwrap().value;
    assert_eq!(screen.matches(code.as_str()).count(), 1, "{screen}");
}
