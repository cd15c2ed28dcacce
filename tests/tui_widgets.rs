//! Widgets on a `TestBackend`: the text view (scrolling, wrapping, search, escaping, wide
//! characters, a 5 MB body), the QR code inline and full screen (decoded back from the cells),
//! the input, the help overlay, the key bar and the error popup.

use std::fmt::Write as _;

use authwalk::tui::keymap::{Action, KeyMap};
use authwalk::tui::testing::buffer_text;
use authwalk::tui::text::needs_escape;
use authwalk::tui::theme::{Styles, Theme};
use authwalk::tui::widget::input::{self, Cut, Input, InputOutcome, MAX_INPUT};
use authwalk::tui::widget::qr::{self, QrImage};
use authwalk::tui::widget::text_view::{self, TextBody, TextView};
use authwalk::tui::widget::{help, popup};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

fn styles() -> Styles {
    Theme::builtin("dark").expect("dark exists").styles
}

fn draw(width: u16, height: u16, f: impl FnOnce(&mut Buffer, Rect)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| {
            let area = frame.area();
            f(frame.buffer_mut(), area);
        })
        .expect("draws");
    terminal
}

fn body_json() -> String {
    let mut s = String::from("{\n  \"alipay_user_info_share_response\": {\n");
    for i in 0..30 {
        let _ = writeln!(
            s,
            "    \"field_{i:02}\": \"value number {i} of the user profile\","
        );
    }
    s.push_str("    \"user_id\": \"2088102104794936\"\n  },\n  \"sign\": \"ERITJKEIJKJHKKKKKKKHJEREEEEEEEEEEE\"\n}\n");
    s
}

fn no_control_cells(buffer: &Buffer) {
    for cell in &buffer.content {
        assert!(
            !cell.symbol().chars().any(needs_escape),
            "{:?}",
            cell.symbol()
        );
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn text_view_scrolls_without_wrapping() {
    let body = TextBody::new(body_json());
    let mut view = TextView::new(false);
    let t = draw(40, 8, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    insta::assert_snapshot!("text_view_top", t.backend());
    view.apply(Action::Down, &body);
    view.apply(Action::PageDown, &body);
    view.apply(Action::Right, &body);
    assert_eq!(view.top(), 8);
    assert_eq!(view.left(), 19);
    let t = draw(40, 8, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    insta::assert_snapshot!("text_view_scrolled", t.backend());
    view.apply(Action::Bottom, &body);
    assert_eq!(view.top(), 28, "the last line at the bottom of the view");
    let t = draw(40, 8, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    assert!(buffer_text(t.backend().buffer()).contains("KKKKKKKHJ"));
}

#[test]
fn text_view_wraps_between_words_with_a_hanging_indent() {
    let body = TextBody::new(
        "short\r\nthis line is far too long for the narrow view and wraps\r\nend\r\n",
    );
    assert_eq!(body.line_count(), 3);
    assert_eq!(
        body.line(0),
        "short",
        "CRLF line breaks leave no \\r behind"
    );
    let mut view = TextView::new(true);
    let t = draw(20, 6, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    insta::assert_snapshot!("text_view_wrapped", t.backend());
    view.apply(Action::Down, &body);
    view.apply(Action::Down, &body);
    let t = draw(20, 6, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    let screen = buffer_text(t.backend().buffer());
    assert!(
        screen.starts_with("  too long for the  \n  narrow view and"),
        "{screen}"
    );
}

/// A view scrolled far into a long wrapped line keeps its place when the body is swapped for
/// another (raw ↔ pretty, masked ↔ revealed): the wrapping it cached belongs to the old body
/// and must not be used on the new one.
#[test]
fn text_view_far_into_one_body_draws_another() {
    let long = TextBody::new(format!("{{\"v\":\"{}\"}}", "é中a".repeat(40_000)));
    let mut view = TextView::new(true);
    draw(40, 10, |b, a| {
        text_view::render(b, a, &long, &view, &styles());
    });
    for _ in 0..40 {
        view.apply(Action::PageDown, &long);
    }
    draw(40, 10, |b, a| {
        text_view::render(b, a, &long, &view, &styles());
    });
    let short = TextBody::new("{");
    let t = draw(40, 10, |b, a| {
        text_view::render(b, a, &short, &view, &styles());
    });
    // Scrolled past the short body's only row: nothing to draw, and no panic.
    assert!(!buffer_text(t.backend().buffer()).contains('é'));
}

#[test]
fn text_view_search_highlights_and_steps() {
    let body = TextBody::new(body_json());
    let mut view = TextView::new(false);
    let s = styles();
    view.apply(Action::Search, &body);
    assert!(view.is_editing_search());
    for c in "User".chars() {
        view.search_key(&key(KeyCode::Char(c)), &body);
    }
    assert_eq!(
        view.search().matches().len(),
        0,
        "a capital makes the search case-sensitive"
    );
    for _ in 0..4 {
        view.search_key(&key(KeyCode::Backspace), &body);
    }
    for c in "user".chars() {
        view.search_key(&key(KeyCode::Char(c)), &body);
    }
    let found = view.search().matches().len();
    assert_eq!(
        found, 32,
        "smart case: user matches user_info, user profile, user_id"
    );
    view.search_key(&key(KeyCode::Enter), &body);
    assert!(!view.is_editing_search() && view.is_searching());
    let t = draw(60, 8, |b, a| {
        text_view::render(b, a, &body, &view, &s);
    });
    insta::assert_snapshot!("text_view_search", t.backend());
    let buffer = t.backend().buffer();
    // "user" on the first body line is the current match; the cells carry its style.
    let row: String = (0..60)
        .map(|x| buffer[(x, 1)].symbol().to_owned())
        .collect();
    let at = u16::try_from(row.find("user").expect("match on row 1")).expect("fits");
    assert_eq!(buffer[(at, 1)].style().bg, s.search_current.bg);
    assert_eq!(buffer[(at, 2)].style().bg, s.base.bg, "no match there");
    assert!(buffer_text(buffer).contains(&format!("1/{found}")));
    view.apply(Action::SearchNext, &body);
    assert_eq!(view.search().current(), Some(1));
    view.apply(Action::SearchPrev, &body);
    view.apply(Action::SearchPrev, &body);
    assert_eq!(view.search().current(), Some(found - 1), "wraps around");
    assert!(view.top() > 0, "the view followed the match to the bottom");
    view.apply(Action::Cancel, &body);
    assert!(!view.is_searching() && view.search().query().is_empty());
}

#[test]
fn control_characters_never_reach_a_cell() {
    let body = TextBody::new("ok\x1b[2J\x1b]52;c;aGk=\x07 tab\there\u{9b}31m \u{202e}evil\u{7f}");
    let view = TextView::new(true);
    let t = draw(30, 4, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    no_control_cells(t.backend().buffer());
    insta::assert_snapshot!("text_view_escaped", t.backend());
}

#[test]
fn wide_characters_keep_their_columns() {
    let body = TextBody::new("张三丰|中文\n🙂🎉🚀|emoji\nabcdef|ascii\n用户a 🙂b|mixed");
    let view = TextView::new(false);
    let t = draw(24, 4, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    insta::assert_snapshot!("text_view_wide", t.backend());
    let buffer = t.backend().buffer();
    for y in 0..3 {
        assert_eq!(buffer[(6, y)].symbol(), "|", "row {y}");
    }
    assert_eq!(buffer[(9, 3)].symbol(), "|");
}

/// A 5 MB body draws its visible lines: pretty at the top and at the bottom (with the
/// scrollbar's thumb following), raw wrapped at the top, raw unwrapped as one row. How fast is
/// measured by `cargo bench --bench tui`, not here.
#[test]
fn a_5mb_body_shows_its_first_and_last_lines() {
    let mut json = String::from("{\"items\":[");
    let mut i = 0;
    while json.len() < 5 * 1024 * 1024 {
        let _ = write!(
            json,
            "{{\"id\":{i},\"name\":\"user {i}\",\"tags\":[\"a\",\"b\"]}},"
        );
        i += 1;
    }
    let last_id = i - 1;
    json.push_str("{}]}");
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let pretty = serde_json::to_string_pretty(&value).expect("serialises");
    let bodies = [TextBody::new(pretty), TextBody::new(json)];
    // `{`, `"items": [`, eight lines per item, `{}`, `]`, `}`.
    assert_eq!(
        bodies[0].line_count(),
        8 * i + 5,
        "pretty: one line per value"
    );
    assert_eq!(bodies[1].line_count(), 1, "raw: one long line");
    let s = styles();
    let screens = |body: &TextBody, wrap: bool| {
        let mut view = TextView::new(wrap);
        [Action::Top, Action::Bottom].map(|position| {
            view.apply(position, body);
            let t = draw(120, 40, |b, a| {
                text_view::render(b, a, body, &view, &s);
            });
            buffer_text(t.backend().buffer())
        })
    };
    let [top, bottom] = screens(&bodies[0], false);
    assert!(top.starts_with("{ "), "{top}");
    assert!(top.contains("\"items\": ["), "{top}");
    assert!(top.contains("\"name\": \"user 0\""), "{top}");
    assert!(
        bottom.contains(&format!("\"name\": \"user {last_id}\"")),
        "{bottom}"
    );
    let last_row = bottom.lines().last().expect("40 rows");
    assert!(last_row.starts_with("} "), "the body's last line: {bottom}");
    // The scrollbar's thumb moves from the top row to the bottom row.
    let first_row = top.lines().next().expect("40 rows");
    assert!(
        first_row.ends_with('█') && last_row.ends_with('█'),
        "{top}{bottom}"
    );
    assert!(
        !top.lines().last().expect("40 rows").ends_with('█'),
        "{top}"
    );
    // Wrapped, the 40 rows are the body's first characters, in order: nothing lost but the
    // spaces rows break at and the rows' hanging indent.
    let [top, _] = screens(&bodies[1], true);
    let raw = bodies[1].as_str();
    let shown: String = top.chars().filter(|c| !c.is_whitespace()).collect();
    let body: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(shown.len() > 100 * 40, "{top}");
    assert!(body.starts_with(&shown), "{top}");
    let [top, bottom] = screens(&bodies[1], false);
    assert!(top.starts_with("{\"items\":[{\"id\":0,"), "{top}");
    assert_eq!(
        top.lines().nth(1).map(str::trim),
        Some(""),
        "one row: {top}"
    );
    assert_eq!(top, bottom, "one line: the top is the bottom");
}

/// Read a QR code back from half-block cells, as a phone would from the screen.
fn decode(buffer: &Buffer) -> Vec<String> {
    let (w, h) = (
        usize::from(buffer.area.width),
        usize::from(buffer.area.height),
    );
    let dark = |x: usize, y: usize| -> bool {
        let symbol = buffer[(
            u16::try_from(x).expect("fits"),
            u16::try_from(y / 2).expect("fits"),
        )]
            .symbol();
        match symbol {
            "█" => true,
            "▀" => y.is_multiple_of(2),
            "▄" => y % 2 == 1,
            _ => false,
        }
    };
    let scale = 4;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w * scale, h * 2 * scale, |x, y| {
            if dark(x / scale, y / scale) { 0 } else { 255 }
        });
    image
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

const AUTHORIZE: &str = "http://127.0.0.1:41234/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user&redirect_uri=http%3A%2F%2F127.0.0.1%3A41235%2Fcallback&state=Zk9mX2V4YW1wbGVfc3RhdGVfdmFsdWU";

#[test]
fn qr_inline_when_it_fits() {
    let qr = QrImage::new("https://example.com/");
    let (w, h) = qr.size().expect("encodes");
    assert!(w <= 40 && h <= 20, "{w}x{h}");
    let t = draw(40, 20, |b, a| qr::render(b, a, &qr, "f", &styles()));
    insta::assert_snapshot!("qr_inline", t.backend());
    assert_eq!(decode(t.backend().buffer()), ["https://example.com/"]);
    let cell = &t.backend().buffer()[(20, 10)];
    assert_eq!(
        cell.style().bg,
        styles().qr.bg,
        "drawn black on white whatever the theme"
    );
}

#[test]
fn qr_too_big_says_what_it_needs() {
    let qr = QrImage::new(AUTHORIZE);
    let (w, h) = qr.size().expect("encodes");
    let t = draw(50, 12, |b, a| qr::render(b, a, &qr, "f", &styles()));
    let screen = buffer_text(t.backend().buffer());
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("needs {w} columns × {h} rows")),
        "{flat}"
    );
    assert!(flat.contains("Press f to show it full screen"), "{flat}");
    insta::assert_snapshot!("qr_too_big", t.backend());
}

#[test]
fn qr_full_screen_scans() {
    let qr = QrImage::new(AUTHORIZE);
    let t = draw(120, 40, |b, a| {
        qr::render_fullscreen(b, a, &qr, "Scan with your phone", "Esc", &styles());
    });
    assert_eq!(decode(t.backend().buffer()), [AUTHORIZE]);
    let screen = buffer_text(t.backend().buffer());
    assert!(screen.contains("Scan with your phone · Esc closes"));
    let t = draw(60, 20, |b, a| {
        qr::render_fullscreen(b, a, &qr, "Scan", "Esc", &styles());
    });
    let flat = buffer_text(t.backend().buffer())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("the terminal has 60 × 20"), "{flat}");
}

#[test]
fn input_shows_prompt_text_and_cursor() {
    let mut field = Input::default();
    field.paste("https://cb.example/callback?code=4e0f&state=xyz\n");
    let mut position = None;
    let t = draw(30, 1, |b, a| {
        position = input::render(b, a, "> ", &field, &styles());
    });
    insta::assert_snapshot!("input_scrolled", t.backend());
    assert_eq!(
        position.map(|p| p.x),
        Some(29),
        "cursor at the end, text scrolled left"
    );
    field.handle_key(&key(KeyCode::Home));
    let t = draw(30, 1, |b, a| {
        position = input::render(b, a, "> ", &field, &styles());
    });
    assert!(buffer_text(t.backend().buffer()).starts_with("> https://cb.example"));
    assert_eq!(position.map(|p| p.x), Some(2));
}

/// A URL-like paste of `bytes` bytes, no line breaks.
fn long_paste(bytes: usize) -> String {
    let mut text = String::from("https://cb.example/callback?state=xyz&code=");
    while text.len() < bytes {
        text.push_str("0123456789abcdef");
    }
    text.truncate(bytes);
    text
}

/// A 2 MB paste once froze the inspector: each frame dropped one character at a time from the
/// left of the text and measured all the rest again (a 200 KB paste took 82 s). The input now
/// keeps at most `MAX_INPUT` bytes, says it cut the paste, and draws from the cursor.
#[test]
fn a_2mb_paste_is_cut_to_the_limit_and_drawn_from_the_cursor() {
    let text = long_paste(2 * 1024 * 1024);
    let mut field = Input::default();
    let cut = field.paste(&format!("{text}\n"));
    assert_eq!(
        cut,
        Some(Cut {
            offered: text.len(),
            kept: MAX_INPUT
        })
    );
    assert_eq!(field.text(), &text[..MAX_INPUT], "the start is kept");
    let mut position = None;
    let t = draw(40, 1, |b, a| {
        position = input::render(b, a, "> ", &field, &styles());
    });
    let row = buffer_text(t.backend().buffer());
    assert!(row.starts_with("> "), "{row}");
    assert!(
        row.trim_end().ends_with(&field.text()[MAX_INPUT - 20..]),
        "the end of the text, at the cursor: {row}"
    );
    assert_eq!(position.map(|p| p.x), Some(39), "cursor at the end");
    // Full: a typed key is refused, and room made by Backspace takes one again.
    let x = key(KeyCode::Char('x'));
    assert_eq!(field.handle_key(&x), InputOutcome::Ignored);
    assert_eq!(field.text().len(), MAX_INPUT);
    field.handle_key(&key(KeyCode::Backspace));
    assert_eq!(field.handle_key(&x), InputOutcome::Changed);
    assert!(field.text().ends_with('x'));
    // From the start too: the cursor at Home shows the beginning.
    field.handle_key(&key(KeyCode::Home));
    let t = draw(40, 1, |b, a| {
        position = input::render(b, a, "> ", &field, &styles());
    });
    assert!(buffer_text(t.backend().buffer()).starts_with("> https://cb.example/callback"));
    assert_eq!(position.map(|p| p.x), Some(2));
    // A paste into a full input keeps nothing more and says so.
    field.handle_key(&key(KeyCode::End));
    assert_eq!(
        field.paste("more"),
        Some(Cut {
            offered: 4,
            kept: MAX_INPUT
        })
    );
    // Text that fits is not cut.
    let (small, cut) = Input::pasted(&long_paste(MAX_INPUT));
    assert_eq!((small.text().len(), cut), (MAX_INPUT, None));
}

/// A paste into the search prompt is bounded the same way, and still finds its matches.
#[test]
fn a_2mb_search_paste_is_cut_and_still_searches() {
    let body = TextBody::new(format!("before\n{}\nafter\n", long_paste(100_000)));
    let mut view = TextView::new(false);
    view.apply(Action::Search, &body);
    let cut = view.search_paste(&long_paste(2 * 1024 * 1024), &body);
    assert_eq!(cut.map(|c| c.kept), Some(MAX_INPUT));
    assert_eq!(view.search_input().map(|i| i.text().len()), Some(MAX_INPUT));
    assert_eq!(
        view.search().matches().len(),
        1,
        "the cut query still matches"
    );
    let t = draw(60, 6, |b, a| {
        text_view::render(b, a, &body, &view, &styles());
    });
    no_control_cells(t.backend().buffer());
}

#[test]
fn the_help_shows_every_key_when_two_columns_are_too_short() {
    let map = KeyMap::default();
    // 80×20: two columns of 22 rows do not fit, three do; the last keys (quit among them)
    // are on screen rather than cut off.
    let t = draw(80, 20, |b, a| help::render_help(b, a, &map, &styles()));
    let text = buffer_text(t.backend().buffer());
    for key in ["q/^C", "R  ", "u  ", "Tab", "?  "] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
}

#[test]
fn help_overlay_and_key_bar_follow_the_key_map() {
    let map = KeyMap::default();
    let t = draw(80, 24, |b, a| help::render_help(b, a, &map, &styles()));
    insta::assert_snapshot!("help_80x24", t.backend());
    let t = draw(120, 40, |b, a| help::render_help(b, a, &map, &styles()));
    insta::assert_snapshot!("help_120x40", t.backend());
    let actions = [
        Action::FocusNext,
        Action::RunNext,
        Action::Paste,
        Action::Copy,
        Action::Quit,
    ];
    let t = draw(80, 1, |b, a| {
        help::render_key_bar(b, a, &map, &actions, &styles());
    });
    insta::assert_snapshot!("key_bar_80", t.backend());
    let t = draw(30, 1, |b, a| {
        help::render_key_bar(b, a, &map, &actions, &styles());
    });
    let bar = buffer_text(t.backend().buffer());
    assert!(bar.contains("? help"), "help always shows: {bar}");
    let remapped = KeyMap::from_table(&toml::from_str("help = \"f1\"").expect("toml")).expect("ok");
    let t = draw(80, 1, |b, a| {
        help::render_key_bar(b, a, &remapped, &actions, &styles());
    });
    assert!(buffer_text(t.backend().buffer()).contains("F1 help"));
}

#[test]
fn error_popup_wraps_and_escapes() {
    let t = draw(80, 24, |b, a| {
        popup::render_error(
            b,
            a,
            "Request failed",
            "The gateway answered 40002 invalid-signature.\nThe body held \x1b[31m, shown escaped; check that the app private key matches the public key uploaded to the open platform console.",
            "Esc closes",
            &styles(),
        );
    });
    no_control_cells(t.backend().buffer());
    insta::assert_snapshot!("error_popup", t.backend());
}

#[test]
fn modal_stack_is_last_in_first_out() {
    let mut stack = popup::ModalStack::default();
    assert!(stack.is_empty());
    stack.push("help");
    stack.push("qr");
    assert_eq!(stack.top(), Some(&"qr"));
    assert!(stack.remove_where(|l| *l == "help"));
    assert_eq!(stack.iter().copied().collect::<Vec<_>>(), ["qr"]);
    assert_eq!(stack.pop(), Some("qr"));
    assert!(stack.is_empty());
    let spot = popup::centered(Rect::new(0, 0, 80, 24), 100, 10);
    assert_eq!(spot, Rect::new(0, 7, 80, 10));
}

/// The stack answers a key with its own outcome (no loop command): nothing when empty, quit
/// still quits, Esc closes the top layer, other keys are swallowed.
#[test]
fn modal_stack_answers_keys_with_its_own_outcome() {
    use authwalk::tui::keymap::Action;
    use popup::PopupOutcome;
    let mut stack = popup::ModalStack::default();
    assert_eq!(stack.on_action(Action::Cancel), None);
    stack.push("help");
    stack.push("qr");
    assert_eq!(stack.on_action(Action::Quit), Some(PopupOutcome::Quit));
    assert_eq!(
        stack.on_action(Action::FocusNext),
        Some(PopupOutcome::Swallowed)
    );
    assert_eq!(stack.iter().count(), 2);
    assert_eq!(stack.on_action(Action::Cancel), Some(PopupOutcome::Closed));
    assert_eq!(stack.iter().copied().collect::<Vec<_>>(), ["help"]);
    let commands: Vec<authwalk::tui::runtime::Command<()>> = PopupOutcome::Closed.into();
    assert!(matches!(
        commands.as_slice(),
        [authwalk::tui::runtime::Command::Redraw]
    ));
}
