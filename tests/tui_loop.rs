//! The loop end to end: keys go in through the message channel, the demo app reacts, and the
//! test waits on what the screen shows, never on a clock.

use authwalk::tui::demo::{DemoApp, Pane};
use authwalk::tui::event::Message;
use authwalk::tui::keymap::KeyMap;
use authwalk::tui::testing::{Runner, buffer_text};
use authwalk::tui::theme::ThemeSet;
use authwalk::tui::widget::osc52;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEventKind};

fn demo() -> DemoApp {
    let items = vec![
        "authorize".to_owned(),
        "token".to_owned(),
        "user info".to_owned(),
    ];
    let body = "{\n  \"user_id\": \"2088102104794936\",\n  \"nick_name\": \"张三\"\n}\n";
    DemoApp::new(items, body, KeyMap::default(), ThemeSet::builtin())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn walk_the_demo_through_the_channel() {
    let mut runner = Runner::new(demo(), 80, 24).expect("runner");
    runner.wait_for_text("1 Items").await.expect("first frame");
    assert!(runner.screen().contains("theme: dark"));

    // Focus by Tab, by number and by mouse.
    runner.key(KeyCode::Tab);
    runner
        .wait_for_text("/ search")
        .await
        .expect("key bar of the text pane");
    assert_eq!(runner.app().focus(), Pane::Text);
    runner.key(KeyCode::Char('1'));
    runner
        .wait_for_text("Enter run")
        .await
        .expect("key bar of the list pane");
    runner.mouse(MouseEventKind::Down(MouseButton::Left), 60, 10);
    runner
        .wait_for_text("/ search")
        .await
        .expect("clicked into the text pane");
    assert_eq!(runner.app().focus(), Pane::Text);

    // Search in the text pane: letters go to the prompt, not to actions ('q' must not quit).
    runner.type_text("/nq");
    runner
        .wait_for_text("/nq")
        .await
        .expect("prompt shows the query");
    runner.key(KeyCode::Backspace);
    runner.key(KeyCode::Enter);
    runner.wait_for_text("1/2").await.expect("two matches of n");
    runner.key(KeyCode::Char('n'));
    runner
        .wait_for_text("2/2")
        .await
        .expect("n steps to the next match while searching");
    runner.key(KeyCode::Esc);
    runner
        .wait_for("search closed", |b| !buffer_text(b).contains("2/2"))
        .await
        .expect("closed");

    // Help overlay, generated from the key map; Esc closes it.
    runner.key(KeyCode::Char('?'));
    runner
        .wait_for_text("Keys · Esc closes")
        .await
        .expect("help");
    runner.key(KeyCode::Esc);
    runner
        .wait_for("help closed", |b| !buffer_text(b).contains("Keys · Esc"))
        .await
        .expect("closed");

    // Theme cycling.
    runner.key(KeyCode::Char('t'));
    runner
        .wait_for_text("theme: light")
        .await
        .expect("next theme");
    assert_eq!(runner.app().theme_name(), "light");

    // Paste into the input: single letters type, they do not fire actions.
    runner.key(KeyCode::Char('1'));
    runner.key(KeyCode::Char('p'));
    runner
        .wait_for_text("Paste a redirect URL")
        .await
        .expect("input open");
    runner.paste("https://cb.example/?code=abc\n");
    runner.type_text("tq");
    runner
        .wait_for_text("code=abctq")
        .await
        .expect("typed after the paste");
    runner.key(KeyCode::Enter);
    runner
        .wait_for("the input closed and the text listed", |b| {
            let screen = buffer_text(b);
            !screen.contains("Paste a redirect") && screen.contains("│https://cb.example/?code=")
        })
        .await
        .expect("added to the list");
    assert_eq!(runner.app().items().len(), 4);

    // A spawned task reports back through the channel (the spinner animates meanwhile).
    runner.key(KeyCode::Enter);
    runner
        .wait_for_text("ran authorize")
        .await
        .expect("task result");

    // Copy goes out as OSC 52.
    runner.key(KeyCode::Char('y'));
    runner.key(KeyCode::Char('m'));
    runner.key(KeyCode::Char('f'));
    runner
        .wait_for_text("Scan to open")
        .await
        .expect("full-screen QR");
    let output = runner.output();
    let copy = osc52::sequence("authorize");
    assert!(contains(&output, copy.as_bytes()), "{output:?}");
    assert!(
        contains(&output, b"\x1b[?1000l"),
        "mouse capture turned off"
    );

    // Quit from the QR popup: q quits, and nothing after it is processed.
    runner.key(KeyCode::Char('q'));
    runner.key(KeyCode::Char('t'));
    assert!(runner.wait_for_quit().await);
    assert_eq!(runner.app().theme_name(), "light");
    insta::assert_snapshot!("demo_final_qr_80x24", runner.backend());
}

#[tokio::test]
async fn ctrl_c_and_quit_messages_end_the_loop_even_while_typing() {
    let mut runner = Runner::new(demo(), 80, 24).expect("runner");
    runner.key(KeyCode::Char('p'));
    runner
        .wait_for_text("Paste a redirect URL")
        .await
        .expect("input open");
    runner.key_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(
        runner.wait_for_quit().await,
        "Ctrl-C quits from an open input"
    );

    let mut runner = Runner::new(demo(), 80, 24).expect("runner");
    runner.send(Message::Quit);
    assert!(
        runner.wait_for_quit().await,
        "SIGTERM/SIGHUP arrive as Quit"
    );
}

#[tokio::test]
async fn redraws_on_resize_and_snapshots_at_two_sizes() {
    let mut runner = Runner::new(demo(), 120, 40).expect("runner");
    runner.wait_for_text("1 Items").await.expect("first frame");
    insta::assert_snapshot!("demo_120x40", runner.backend());
    runner.resize(60, 20);
    runner
        .wait_for("a 60-column frame", |b| {
            b.area.width == 60 && buffer_text(b).contains("1 Items")
        })
        .await
        .expect("redrawn at the new size");
    runner.resize(80, 24);
    runner.key(KeyCode::Char('?'));
    runner
        .wait_for_text("Keys · Esc closes")
        .await
        .expect("help");
    insta::assert_snapshot!("demo_help_80x24", runner.backend());
}

#[tokio::test]
async fn unknown_keys_do_not_redraw() {
    let mut runner = Runner::new(demo(), 80, 24).expect("runner");
    runner.wait_for_text("1 Items").await.expect("first frame");
    runner.key(KeyCode::Char('z'));
    runner.key(KeyCode::F(7));
    // The loop handles both without drawing: the screen is unchanged, and the next real change
    // shows up.
    let before = runner.screen();
    runner.key(KeyCode::Char('t'));
    runner
        .wait_for_text("theme: light")
        .await
        .expect("theme changes");
    assert_ne!(before, runner.screen());
}

/// An app that counts keys and never asks for a redraw: the loop draws after each key anyway.
struct Forgetful(u32);

impl authwalk::tui::runtime::App for Forgetful {
    type Report = ();

    fn update(&mut self, message: Message<()>) -> Vec<authwalk::tui::runtime::Command<()>> {
        if let Message::Input(ratatui::crossterm::event::Event::Key(_)) = message {
            self.0 += 1;
        }
        Vec::new()
    }

    fn render(&mut self, frame: &mut ratatui::Frame<'_>) {
        frame.render_widget(
            ratatui::text::Line::raw(format!("keys: {}", self.0)),
            frame.area(),
        );
    }
}

#[tokio::test]
async fn a_key_that_changes_state_is_drawn_even_when_the_app_forgets_to_ask() {
    let mut runner = Runner::new(Forgetful(0), 40, 3).expect("runner");
    runner.wait_for_text("keys: 0").await.expect("first frame");
    runner.key(KeyCode::Char('?'));
    runner
        .wait_for_text("keys: 1")
        .await
        .expect("drawn at once");
    runner.key(KeyCode::Char('x'));
    runner.settle();
    assert!(runner.screen().contains("keys: 2"), "{}", runner.screen());
}
