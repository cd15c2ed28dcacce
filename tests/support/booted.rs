//! The inspector booted on the embedded sandbox in a test terminal: the sandbox started and
//! its report delivered, as `authwalk --flow FLOW` does before its first key.

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

/// The inspector's options for `flow` on the embedded sandbox in `state_dir`, with a fixed
/// `state` so that snapshots hold.
pub fn options(
    state_dir: PathBuf,
    flow: Option<FlowKind>,
    scenario: Option<&str>,
    lang: Lang,
) -> Options {
    Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(state_dir),
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
    }
}

/// The app built with `opts` in a `w`×`h` test terminal, booted.
pub async fn booted(opts: Options, (w, h): (u16, u16)) -> Runner<WalkApp> {
    let transport = Transport::new(std::time::Duration::from_secs(10)).expect("HTTP client");
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let Command::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let runner = Runner::new(app, w, h).expect("a test terminal");
    let opened: Message<Report> = boot.await;
    runner.send(opened);
    runner
}
