//! The edit form's keys, without a terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::provider::{HttpMethod, PreparedRequest};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn typed(form: &mut EditForm, text: &str) {
    for c in text.chars() {
        form.key(&key(KeyCode::Char(c)), false);
    }
    form.key(&key(KeyCode::Enter), false);
}

fn form() -> EditForm {
    EditForm::new(EditedRequest::of(
        StepKind::UserInfo,
        &PreparedRequest {
            method: HttpMethod::Get,
            url: "http://127.0.0.1:9/sns/userinfo?access_token=T0abcdefgh&openid=o1&lang=zh_CN"
                .into(),
            headers: Vec::new(),
            body: Vec::new(),
            signing: None,
        },
    ))
}

#[test]
fn a_value_is_changed_a_parameter_added_and_one_removed() {
    let mut f = form();
    assert_eq!(
        f.rows(),
        [
            Row::Method,
            Row::Base,
            Row::Param(0),
            Row::Param(1),
            Row::Param(2),
            Row::Add
        ]
    );
    // Down to `lang`, change it.
    for _ in 0..4 {
        f.key(&key(KeyCode::Down), false);
    }
    assert_eq!(f.current(), Row::Param(2));
    f.key(&key(KeyCode::Enter), false);
    for _ in 0..5 {
        f.key(&key(KeyCode::Backspace), false);
    }
    typed(&mut f, "en");
    assert_eq!(f.request.params[2], ("lang".into(), "en".into()));
    // Add one.
    f.key(&key(KeyCode::Char('a')), false);
    typed(&mut f, "extra=1");
    assert_eq!(f.request.params[3], ("extra".into(), "1".into()));
    // Remove openid.
    f.row = 3;
    assert_eq!(f.key(&key(KeyCode::Char('d')), false), FormOutcome::Redraw);
    assert_eq!(f.request.changed(), ["lang", "extra", "openid"]);
    f.key(&key(KeyCode::Char('m')), false);
    assert_eq!(f.request.method, HttpMethod::Post);
    assert_eq!(f.key(&key(KeyCode::Char('s')), false), FormOutcome::Send);
    assert_eq!(f.key(&key(KeyCode::Esc), false), FormOutcome::Close);
    assert_eq!(f.key(&key(KeyCode::Char('q')), false), FormOutcome::Quit);
}

#[test]
fn a_masked_secret_is_typed_anew_and_an_empty_answer_keeps_it() {
    let mut f = form();
    f.row = 2;
    let lines = f.lines(crate::finding::Lang::EN, false);
    assert!(!lines[2].1.contains("T0abcdefgh"), "{:?}", lines[2]);
    f.key(&key(KeyCode::Enter), false);
    assert_eq!(f.input.as_ref().map(Input::text), Some(""));
    f.key(&key(KeyCode::Enter), false);
    assert_eq!(f.request.params[0].1, "T0abcdefgh");
}
