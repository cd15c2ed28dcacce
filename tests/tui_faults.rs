//! The inspector under faults: a busy gateway, an HTML 502, a body cut mid-JSON, a tampered
//! signature, and a slow answer. Each failure lands in the diagnosis strip, the screen keeps
//! answering keys while a request hangs, a cancelled request's late answer is dropped, and the
//! walk can still be exported (secrets masked). A 2 MB paste is cut to the input's limit with
//! a word in the status line, and the screen keeps answering keys.

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
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::runtime::Command;
use authwalk::tui::testing::{Runner, buffer_text};
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::walk::{Options, Start, WalkApp};
use ratatui::crossterm::event::KeyCode;

async fn runner(export: &std::path::Path) -> Runner<WalkApp> {
    let opts = Options {
        start: Start {
            place: Where::Embedded {
                state_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-faults")),
                scenario: None,
            },
            choice: Choice::default(),
        },
        flow: Some(FlowKind::AlipayWeb),
        lang: Lang::EN,
        present: false,
        lan: None,
        state: None,
        export_dir: Some(export.to_owned()),
    };
    let transport = Transport::new(std::time::Duration::from_secs(10)).unwrap();
    let app = WalkApp::new(opts, KeyMap::default(), ThemeSet::monochrome(), transport);
    let Command::Spawn(boot) = app.boot() else {
        panic!("boot is a task")
    };
    let mut r = Runner::new(app, 120, 40).unwrap();
    r.send(boot.await);
    r.wait_for_text("Lint: no findings").await.unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("Approve as demo user").await.unwrap();
    r.key(KeyCode::Enter);
    r.wait_for_text("Code received").await.unwrap();
    r
}

fn arm(r: &Runner<WalkApp>, fault: FaultKind, delay_ms: u64) {
    r.app()
        .place()
        .unwrap()
        .sandbox()
        .unwrap()
        .arm(Fault {
            provider: Provider::Alipay,
            method: Some("alipay.system.oauth.token".into()),
            fault,
            count: 1,
            delay_ms,
        })
        .unwrap();
}

#[tokio::test]
async fn each_fault_is_diagnosed_and_the_walk_exported() {
    for (fault, says) in [
        (FaultKind::ServiceUnavailable, "isp.unknow-error"),
        (FaultKind::Html502, "HTML"),
        (FaultKind::Truncated, "JSON"),
        (FaultKind::TamperedSignature, "Mismatch"),
    ] {
        let export = tempfile::tempdir().unwrap();
        let mut r = runner(export.path()).await;
        arm(&r, fault, 0);
        r.key(KeyCode::Char('n'));
        r.wait_for_text("✗ 3").await.unwrap();
        r.wait_for_text("Diagnosis").await.unwrap();
        // The tabs still move; the one that names the fault shows it (a failed step lands on
        // its answer, which may already be that tab).
        for _ in 0..5 {
            r.settle();
            if r.screen().contains(says) {
                break;
            }
            r.key(KeyCode::Char(']'));
        }
        assert!(r.screen().contains(says), "{fault:?}: {}", r.screen());
        // e exports the walk, masked, even though it failed.
        r.key(KeyCode::Char('e'));
        r.wait_for_text("Exported").await.unwrap();
        let mut files: Vec<_> = std::fs::read_dir(export.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        // Named by flow and a readable UTC time, not an epoch; the status gives the full path.
        let name = files[1].file_name().unwrap().to_str().unwrap().to_owned();
        let stamp = name
            .strip_prefix("authwalk-alipay-web-")
            .and_then(|n| n.strip_suffix("Z.md"))
            .unwrap_or_else(|| panic!("{name}"));
        assert!(
            stamp.len() == 17 && stamp.as_bytes()[4] == b'-' && stamp.as_bytes()[10] == b'_',
            "{name}"
        );
        let status = r.app().status_line().unwrap_or_default().to_owned();
        assert!(status.contains(&files[1].display().to_string()), "{status}");
        let json = std::fs::read_to_string(&files[0]).unwrap();
        let markdown = std::fs::read_to_string(&files[1]).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            doc["schema"].as_str().unwrap().starts_with("authwalk."),
            "{doc}"
        );
        // The support question leads, and the code the walk used appears only as a placeholder.
        assert!(markdown.contains("code#1"), "{markdown}");
        for text in [&json, &markdown] {
            let raw_code = text.match_indices("code=").any(|(i, _)| {
                let value: String = text[i + 5..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                value.len() >= 16
            });
            assert!(!raw_code, "{fault:?}: a raw code in the export:\n{text}");
        }
    }
}

#[tokio::test]
async fn a_hanging_request_leaves_the_screen_live_and_a_cancelled_answer_is_dropped() {
    let export = tempfile::tempdir().unwrap();
    let mut r = runner(export.path()).await;
    arm(&r, FaultKind::Slow, 1500);
    r.key(KeyCode::Char('n'));
    r.wait_for_text("In flight").await.unwrap();
    // While it hangs, keys still move the screen: focus, tabs, the help overlay.
    r.key(KeyCode::Char('?'));
    r.wait_for_text("Keys ·").await.unwrap();
    r.key(KeyCode::Esc);
    r.wait_for("the help closed", |b| !buffer_text(b).contains("Keys ·"))
        .await
        .unwrap();
    // Esc cancels the request; the step can run again and its new answer is the one kept.
    r.key(KeyCode::Esc);
    r.wait_for("the step back to pending", |b| {
        buffer_text(b).contains("· 3")
    })
    .await
    .unwrap();
    r.key(KeyCode::Char('n'));
    r.wait_for_text("✓ 3").await.unwrap();
    // One exchange recorded: the cancelled attempt's answer (still on its way) is not.
    let exchanges = r
        .app()
        .screen_walk()
        .map(|w| w.exchanges.len())
        .unwrap_or_default();
    assert_eq!(exchanges, 1, "{}", r.screen());
}

#[tokio::test]
async fn a_2mb_paste_is_cut_with_a_word_and_the_screen_still_answers() {
    let export = tempfile::tempdir().unwrap();
    let mut r = runner(export.path()).await;
    let mut text = String::from("https://cb.example/callback?state=xyz&code=");
    while text.len() < 2 * 1024 * 1024 {
        text.push_str("0123456789abcdef");
    }
    r.paste(&text);
    r.wait_for_text("Paste cut to 64 KiB of 2 MiB")
        .await
        .unwrap();
    assert!(
        r.screen().contains("Paste"),
        "the paste popup: {}",
        r.screen()
    );
    // Keys still work: Esc closes the popup, ? opens the help, q quits.
    r.key(KeyCode::Esc);
    r.key(KeyCode::Char('?'));
    r.wait_for_text("Keys ·").await.unwrap();
    r.key(KeyCode::Esc);
    r.key(KeyCode::Char('q'));
    assert!(r.wait_for_quit().await, "q quits after the paste");
}
