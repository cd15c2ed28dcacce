//! The inspector against the goals of its issue, measured, never asserted:
//!
//! 1. launch to the first complete frame (the authorize URL of `--flow alipay-web` on the
//!    embedded sandbox, keys already made), in-process on a `TestBackend` and for the real
//!    binary in tmux (goal ≤ 100 ms);
//! 2. one frame of the response view with a 5 MB JSON body, pretty and raw, at 120×40
//!    (goal ≤ 16 ms), and the whole walk screen's frame for scale;
//! 3. key-to-redraw while a 5-second slow token request is in flight (goal ≤ 50 ms);
//! 4. peak RSS of a whole walk of the real binary in tmux, and of `authwalk run` (goal ≤ 40 MB);
//! 5. a bracketed paste of 2 MB (and 20 KB for scale) to the next frame drawn, into the paste
//!    popup and into the response view's search prompt (goal ≤ 100 ms).
//!
//! Run with `cargo bench --bench tui`; `cargo bench --bench tui -- paste` runs only the
//! sections whose heading contains `paste`. The real-binary figures need tmux and are skipped
//! without it. Each figure is printed as median, min and max over its runs, and again on lines
//! for scripts: `FIGURE tui.<name>.<median|min|max|runs> <value> <unit>`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use authwalk::sandbox::{Fault, FaultKind, Provider};
use authwalk::tui::event::{Message, Sender};
use authwalk::tui::keymap::Action;
use authwalk::tui::runtime::Turn;
use authwalk::tui::theme::Theme;
use authwalk::tui::walk::Report;
use authwalk::tui::widget::text_view::{self, TextBody, TextView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};

#[path = "../tests/support/test_keys.rs"]
mod test_keys;
use test_keys::install_test_keys;
#[path = "support/walk_loop.rs"]
mod walk_loop;
use walk_loop::{Loop, key, start, until};

const LAUNCHES: usize = 30;
const FRAMES: usize = 50;
/// Few: a move through a wrapped 5 MB line can take seconds.
const SCROLLS: usize = 5;
const KEYS: usize = 400;
const TMUX_LAUNCHES: usize = 15;
const WALKS: usize = 5;
/// Few: before input was bounded, one 200 KB paste took over a minute.
const PASTES: usize = 5;

fn main() {
    let dir = std::env::temp_dir().join(format!("authwalk-bench-tui-{}", std::process::id()));
    let state_dir = dir.join("data/sandbox");
    install_test_keys(&state_dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");

    // `cargo bench` passes `--bench`; any other argument picks sections by their heading.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let section = |heading: &str| {
        let on = filters.is_empty() || filters.iter().any(|f| heading.contains(f.as_str()));
        if on {
            println!("\n# {heading}");
        }
        on
    };

    if section("launch to the first complete frame (goal ≤ 100 ms)") {
        let launches: Vec<Duration> = (0..LAUNCHES)
            .map(|_| rt.block_on(launch_in_process(&state_dir)))
            .collect();
        print_stats(
            "launch.in_process",
            "in-process: WalkApp::new → authorize URL drawn (120×40)",
            &launches,
        );
        tmux_launch(&dir);
    }

    if section("one frame with a 5 MB JSON response (goal ≤ 16 ms)") {
        frame_5mb();
        rt.block_on(walk_screen_frame(&state_dir));
    }

    if section("key-to-redraw with a 5 s slow token request in flight (goal ≤ 50 ms)") {
        rt.block_on(key_to_redraw(&state_dir));
    }

    if section("peak RSS of a whole walk (goal ≤ 40 MB)") {
        peak_rss(&dir);
    }

    if section("a bracketed paste to the next frame (goal ≤ 100 ms)") {
        rt.block_on(paste_to_redraw(&state_dir));
    }

    let _ = std::fs::remove_dir_all(&dir);
}

async fn launch_in_process(state_dir: &Path) -> Duration {
    let started = Instant::now();
    let (mut runtime, _tx) = start(state_dir, (120, 40));
    until(&mut runtime, "publicAppAuthorize.htm").await;
    started.elapsed()
}

/// The whole walk screen at 120×40 on the Response tab of a finished token step: the cost of
/// everything around the body.
async fn walk_screen_frame(state_dir: &Path) {
    let (mut runtime, tx) = start(state_dir, (120, 40));
    approve(&mut runtime, &tx).await;
    key(&tx, KeyCode::Char('n'));
    until(&mut runtime, "✓ 3").await;
    for _ in 0..2 {
        key(&tx, KeyCode::Char(']'));
    }
    until(&mut runtime, "[Response]").await;
    let times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let started = Instant::now();
            runtime.draw().expect("draws");
            started.elapsed()
        })
        .collect();
    print_stats(
        "frame.walk_screen",
        "whole walk screen, Response tab (a small body), Runtime::draw 120×40",
        &times,
    );
}

/// From the authorize screen through the consent to the code.
async fn approve(runtime: &mut Loop, tx: &Sender<Report>) {
    until(runtime, "Lint: no findings").await;
    key(tx, KeyCode::Char('n'));
    key(tx, KeyCode::Char('n'));
    until(runtime, "Approve as demo user").await;
    key(tx, KeyCode::Enter);
    until(runtime, "Code received").await;
}

fn json_5mb() -> String {
    let mut json = String::from("{\"items\":[");
    let mut i = 0;
    while json.len() < 5 * 1024 * 1024 {
        let _ = write!(
            json,
            "{{\"id\":{i},\"name\":\"user {i}\",\"tags\":[\"a\",\"b\"]}},"
        );
        i += 1;
    }
    json.push_str("{}]}");
    json
}

fn frame_5mb() {
    let raw = json_5mb();
    let value: serde_json::Value = serde_json::from_str(&raw).expect("valid JSON");
    let pretty = serde_json::to_string_pretty(&value).expect("serialises");
    let started = Instant::now();
    let pretty_body = TextBody::new(pretty);
    let index_pretty = started.elapsed();
    let started = Instant::now();
    let raw_body = TextBody::new(raw);
    let index_raw = started.elapsed();
    println!(
        "indexing the body once when it arrives: pretty {:.1} MB, {} lines: {:.2} ms; raw {:.1} MB: {:.2} ms",
        mb(pretty_body.as_str().len()),
        pretty_body.line_count(),
        ms(index_pretty),
        mb(raw_body.as_str().len()),
        ms(index_raw)
    );
    println!("FIGURE tui.index.pretty {:.2} ms", ms(index_pretty));
    println!("FIGURE tui.index.raw {:.2} ms", ms(index_raw));
    println!(
        "FIGURE tui.index.pretty_size {:.1} MB",
        mb(pretty_body.as_str().len())
    );
    println!(
        "FIGURE tui.index.pretty_lines {} lines",
        pretty_body.line_count()
    );
    let styles = Theme::builtin("dark").expect("dark exists").styles;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    for (key, label, body, wrap) in [
        ("pretty", "pretty, unwrapped", &pretty_body, false),
        ("raw_wrapped", "raw, wrapped", &raw_body, true),
        ("raw_unwrapped", "raw, unwrapped", &raw_body, false),
    ] {
        let mut view = TextView::new(wrap);
        for position in [Action::Top, Action::Bottom] {
            view.apply(position, body);
            let times: Vec<Duration> = (0..FRAMES)
                .map(|_| {
                    let started = Instant::now();
                    terminal
                        .draw(|f| {
                            let area = f.area();
                            text_view::render(f.buffer_mut(), area, body, &view, &styles);
                        })
                        .expect("draws");
                    started.elapsed()
                })
                .collect();
            print_stats(
                &format!("frame.5mb.{key}.{position:?}").to_lowercase(),
                &format!("5 MB body, {label}, at the {position:?}, text view frame 120×40"),
                &times,
            );
        }
        // Scrolling: a key's move and the frame after it.
        for action in [Action::Down, Action::PageDown] {
            view.apply(Action::Top, body);
            let times: Vec<Duration> = (0..SCROLLS)
                .map(|_| {
                    let started = Instant::now();
                    view.apply(action, body);
                    terminal
                        .draw(|f| {
                            let area = f.area();
                            text_view::render(f.buffer_mut(), area, body, &view, &styles);
                        })
                        .expect("draws");
                    started.elapsed()
                })
                .collect();
            print_stats(
                &format!("scroll.5mb.{key}.{action:?}").to_lowercase(),
                &format!("5 MB body, {label}, {action:?} then a frame"),
                &times,
            );
        }
    }
}

async fn key_to_redraw(state_dir: &Path) {
    let (mut runtime, tx) = start(state_dir, (120, 40));
    approve(&mut runtime, &tx).await;
    let sandbox = runtime
        .app()
        .place()
        .and_then(|p| p.sandbox())
        .expect("the embedded sandbox");
    sandbox
        .arm(Fault {
            provider: Provider::Alipay,
            method: Some("alipay.system.oauth.token".into()),
            fault: FaultKind::Slow,
            count: 1,
            delay_ms: 5000,
        })
        .expect("arms");
    key(&tx, KeyCode::Char('n'));
    until(&mut runtime, "In flight").await;
    let sent = Instant::now();
    let keys = [
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Tab,
        KeyCode::Char(']'),
    ];
    let mut times = Vec::with_capacity(KEYS);
    for i in 0..KEYS {
        let started = Instant::now();
        key(&tx, keys[i % keys.len()]);
        loop {
            match runtime.turn().await.expect("draws") {
                Turn::Drew => break,
                Turn::Handled => {}
                Turn::Quit => panic!("the app quit"),
            }
        }
        times.push(started.elapsed());
    }
    let window = sent.elapsed();
    assert!(
        window < Duration::from_secs(5),
        "the keys outlasted the slow request ({window:?})"
    );
    print_stats(
        "key_to_redraw",
        &format!(
            "in-process: key sent → next frame drawn, {KEYS} keys (j k Tab ]) in {:.0} ms of the 5 s request",
            ms(window)
        ),
        &times,
    );
}

/// A paste of `bytes` bytes of URL-like text (no line breaks), as a terminal delivers it.
fn paste_text(bytes: usize) -> String {
    let mut text = String::from("https://cb.example/callback?state=xyz&code=");
    while text.len() < bytes {
        text.push_str("0123456789abcdef");
    }
    text.truncate(bytes);
    text
}

/// The paste arrives as one message; time from it sent to the next frame drawn. Into the paste
/// popup (a paste on the walk screen opens it) and into the search prompt of the response view.
async fn paste_to_redraw(state_dir: &Path) {
    let (mut runtime, tx) = start(state_dir, (120, 40));
    approve(&mut runtime, &tx).await;
    // The token step's answer, focused: `/` searches it.
    key(&tx, KeyCode::Char('n'));
    until(&mut runtime, "✓ 3").await;
    let next_frame = async |runtime: &mut Loop, message: Message<Report>| {
        let started = Instant::now();
        tx.send(message).expect("the loop is alive");
        loop {
            match runtime.turn().await.expect("draws") {
                Turn::Drew => break,
                Turn::Handled => {}
                Turn::Quit => panic!("the app quit"),
            }
        }
        started.elapsed()
    };
    for (size, name) in [(20 * 1024, "20kb"), (2 * 1024 * 1024, "2mb")] {
        let text = paste_text(size);
        let mut popup = Vec::with_capacity(PASTES);
        let mut search = Vec::with_capacity(PASTES);
        for _ in 0..PASTES {
            let paste = Message::Input(Event::Paste(text.clone()));
            popup.push(next_frame(&mut runtime, paste).await);
            next_frame(&mut runtime, Message::key(KeyCode::Esc, KeyModifiers::NONE)).await;
            // `/` in the focused text view opens its search prompt; the paste goes there.
            next_frame(
                &mut runtime,
                Message::key(KeyCode::Char('/'), KeyModifiers::NONE),
            )
            .await;
            let paste = Message::Input(Event::Paste(text.clone()));
            search.push(next_frame(&mut runtime, paste).await);
            next_frame(&mut runtime, Message::key(KeyCode::Esc, KeyModifiers::NONE)).await;
        }
        print_stats(
            &format!("paste.{name}.popup"),
            &format!(
                "paste of {} → frame drawn, into the paste popup (120×40)",
                mb_text(size)
            ),
            &popup,
        );
        print_stats(
            &format!("paste.{name}.search"),
            &format!(
                "paste of {} → frame drawn, into the search prompt (120×40)",
                mb_text(size)
            ),
            &search,
        );
    }
}

fn mb_text(bytes: usize) -> String {
    authwalk::limits::Size(bytes as u64).to_string()
}

// ---- the real binary in tmux ----

struct Tmux {
    socket: String,
}

impl Tmux {
    fn available() -> Option<Self> {
        let ok = Process::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Self {
            socket: format!("authwalk-bench-{}", std::process::id()),
        })
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Process::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn capture(&self, session: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", session]).stdout)
            .into_owned()
    }

    fn wait_for(&self, session: &str, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.capture(session).contains(text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared:\n{}",
                self.capture(session)
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn keys(&self, session: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", session];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Start `command` in a new 120×40 session (through `sh -c`, `exec`ed so the pane's pid is
    /// the program's) and time it until `text` shows in `capture-pane`.
    fn launch(&self, session: &str, command: &str, text: &str) -> Duration {
        let started = Instant::now();
        self.cmd(&[
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "120",
            "-y",
            "40",
            command,
        ]);
        self.wait_for(session, text);
        started.elapsed()
    }

    /// Send `q` and wait for the session to end with its program. Killing the session instead
    /// would hang the terminal up under a running inspector.
    fn quit(&self, session: &str) {
        let pid = self.pid(session);
        self.keys(session, &["q"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists()
            && self.cmd(&["has-session", "-t", session]).status.success()
        {
            assert!(Instant::now() < deadline, "{session}: q did not quit");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn pid(&self, session: &str) -> u32 {
        let out = self.cmd(&["display-message", "-p", "-t", session, "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a pane pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_authwalk"))
}

fn tui_command(dir: &Path) -> String {
    format!(
        "exec env AUTHWALK_DATA_DIR='{}' TERM=xterm-256color '{}' --lang en --flow alipay-web",
        dir.join("data").display(),
        binary().display()
    )
}

fn tmux_launch(dir: &Path) {
    let Some(tmux) = Tmux::available() else {
        println!("real binary: skipped (no tmux)");
        return;
    };
    // A session that stays, so the server's start is not counted.
    tmux.cmd(&["new-session", "-d", "-s", "keep", "sleep 600"]);
    let mut baseline = Vec::new();
    let mut times = Vec::new();
    for i in 0..TMUX_LAUNCHES {
        let s = format!("base{i}");
        baseline.push(tmux.launch(
            &s,
            "exec sh -c 'echo publicAppAuthorize.htm; exec sleep 60'",
            "publicAppAuthorize.htm",
        ));
        tmux.cmd(&["kill-session", "-t", &s]);
        let s = format!("tui{i}");
        times.push(tmux.launch(&s, &tui_command(dir), "publicAppAuthorize.htm"));
        tmux.quit(&s);
    }
    print_stats(
        "launch.tmux",
        "real binary in tmux: new-session → URL seen by capture-pane (includes tmux)",
        &times,
    );
    print_stats(
        "launch.tmux_alone",
        "tmux alone: new-session → `echo` of the same text seen (the overhead to subtract)",
        &baseline,
    );
    let mut diff: Vec<Duration> = times
        .iter()
        .zip(&baseline)
        .map(|(t, b)| t.saturating_sub(*b))
        .collect();
    diff.sort();
    print_stats(
        "launch.tmux_subtracted",
        "real binary, tmux overhead subtracted pair by pair",
        &diff,
    );
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn peak_rss(dir: &Path) {
    if let Some(tmux) = Tmux::available() {
        tmux.cmd(&["new-session", "-d", "-s", "keep", "sleep 600"]);
        let mut peaks = Vec::new();
        for i in 0..WALKS {
            let s = format!("walk{i}");
            tmux.launch(&s, &tui_command(dir), "publicAppAuthorize.htm");
            tmux.keys(&s, &["n"]);
            tmux.keys(&s, &["n"]);
            tmux.wait_for(&s, "Approve as demo user");
            tmux.keys(&s, &["Enter"]);
            tmux.wait_for(&s, "Code received");
            tmux.keys(&s, &["n"]);
            tmux.wait_for(&s, "✓ 3");
            tmux.keys(&s, &["n"]);
            tmux.wait_for(&s, "✓ 4");
            tmux.keys(&s, &["]", "]", "]"]);
            tmux.wait_for(&s, "Verified");
            tmux.keys(&s, &["]"]);
            tmux.wait_for(&s, "normal user");
            if let Some(kb) = vm_hwm_kb(tmux.pid(&s)) {
                peaks.push(kb);
            }
            tmux.quit(&s);
        }
        print_mb(
            "rss.tui_walk",
            "real binary in tmux, whole alipay-web walk (VmHWM before q)",
            &mut peaks,
        );
    } else {
        println!("real binary in tmux: skipped (no tmux)");
    }
    // `authwalk run` for comparison: the peak of a finished child, from GNU time.
    let mut peaks = Vec::new();
    for _ in 0..WALKS {
        let out = Process::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(binary())
            .args(["run", "alipay-web", "--json"])
            .env("AUTHWALK_DATA_DIR", dir.join("data"))
            .output();
        let Ok(out) = out else {
            println!("authwalk run: skipped (no /usr/bin/time)");
            return;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(kb) = stderr.lines().last().and_then(|l| l.trim().parse().ok()) {
            peaks.push(kb);
        }
    }
    print_mb(
        "rss.run",
        "authwalk run alipay-web --json (max RSS from /usr/bin/time)",
        &mut peaks,
    );
}

// ---- figures ----

/// The lines for scripts: `FIGURE tui.<key>.median …`, `.min`, `.max`, `.runs`.
fn print_figures(key: &str, unit: &str, median: f64, min: f64, max: f64, runs: usize) {
    println!("FIGURE tui.{key}.median {median:.3} {unit}");
    println!("FIGURE tui.{key}.min {min:.3} {unit}");
    println!("FIGURE tui.{key}.max {max:.3} {unit}");
    println!("FIGURE tui.{key}.runs {runs} runs");
}

fn print_stats(key: &str, what: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let Some((min, max)) = sorted.first().zip(sorted.last()) else {
        println!("{what}: no runs");
        return;
    };
    println!(
        "{what}: median {:.3} ms, min {:.3} ms, max {:.3} ms ({} runs)",
        ms(sorted[sorted.len() / 2]),
        ms(*min),
        ms(*max),
        sorted.len()
    );
    print_figures(
        key,
        "ms",
        ms(sorted[sorted.len() / 2]),
        ms(*min),
        ms(*max),
        sorted.len(),
    );
}

fn print_mb(key: &str, what: &str, kb: &mut [u64]) {
    kb.sort_unstable();
    let Some((min, max)) = kb.first().zip(kb.last()) else {
        println!("{what}: no runs");
        return;
    };
    let mib = |k: u64| f64::from(u32::try_from(k).unwrap_or(u32::MAX)) / 1024.0;
    println!(
        "{what}: median {:.1} MiB, min {:.1} MiB, max {:.1} MiB ({} runs)",
        mib(kb[kb.len() / 2]),
        mib(*min),
        mib(*max),
        kb.len()
    );
    print_figures(
        key,
        "MiB",
        mib(kb[kb.len() / 2]),
        mib(*min),
        mib(*max),
        kb.len(),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(bytes: usize) -> f64 {
    f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / (1024.0 * 1024.0)
}
