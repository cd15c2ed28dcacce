//! The inspector's loop on a test backend, as the benches drive it: built as `authwalk --flow
//! alipay-web` builds it, turned until a frame shows a text, fed keys.

use std::path::Path;
use std::time::{Duration, Instant};

use authwalk::finding::Lang;
use authwalk::flow::FlowKind;
use authwalk::target::{Choice, Where};
use authwalk::transport::Transport;
use authwalk::tui::event::{Message, Sender, channel};
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::{Command, Runtime, Turn};
use authwalk::tui::testing::buffer_text;
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Report, Start, WalkApp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

pub type Loop = Runtime<TestBackend, WalkApp>;

pub fn options(state_dir: &Path) -> Options {
    Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(state_dir.to_path_buf()),
                scenario: None,
            },
            choice: Choice::default(),
        },
        flow: Some(FlowKind::AlipayWeb),
        lang: Lang::EN,
        present: false,
        lan: None,
        state: None,
        ..Options::default()
    }
}

/// Build the app and its loop as `authwalk --flow alipay-web` does, draw the first frame,
/// start the boot task; return the loop and its sender.
pub fn start(state_dir: &Path, (w, h): (u16, u16)) -> (Loop, Sender<Report>) {
    let transport = Transport::new(Duration::from_secs(10)).expect("HTTP client");
    let app = WalkApp::new(
        options(state_dir),
        KeyMap::default(),
        ThemeSet::builtin(),
        transport,
    );
    let boot = app.boot();
    let (tx, rx) = channel();
    let terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    let mut runtime = Runtime::new(terminal, app, (tx.clone(), rx), Box::new(std::io::sink()));
    runtime.draw().expect("first frame");
    if let Command::Spawn(task) = boot {
        let tx = tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(task.await);
        });
    }
    (runtime, tx)
}

pub fn screen(runtime: &Loop) -> String {
    buffer_text(runtime.terminal().backend().buffer())
}

/// Turn the loop until a drawn frame contains `text`.
pub async fn until(runtime: &mut Loop, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !screen(runtime).contains(text) {
        assert!(
            Instant::now() < deadline,
            "{text:?} never appeared:\n{}",
            screen(runtime)
        );
        let turn = tokio::time::timeout(Duration::from_secs(20), runtime.turn())
            .await
            .expect("a message within 20 s")
            .expect("draws");
        assert_ne!(turn, Turn::Quit, "the app quit waiting for {text:?}");
    }
}

pub fn key(tx: &Sender<Report>, code: KeyCode) {
    tx.send(Message::key(code, KeyModifiers::NONE))
        .expect("the loop is alive");
}
