//! A one-line input: typed characters and bracketed pastes, for `p` (a redirect URL, a code or
//! a token) and for `/` search. While it is open every plain character goes to it, so letter
//! keys never fire actions.
//!
//! The text is bounded ([`MAX_INPUT`]) and every operation is linear in what it touches, so a
//! multi-megabyte paste costs one pass over it and a frame the width of the row.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use crate::tui::text::{visible, width};
use crate::tui::theme::Styles;

/// The most an input holds, in bytes. A redirect URL, a code or a token is a few hundred bytes,
/// a few KB at worst; 64 KiB is far above that and still cheap to edit and draw.
pub const MAX_INPUT: usize = 64 * 1024;

/// A paste or key that did not fit in [`MAX_INPUT`]: the input kept what fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Bytes offered (the paste, once trimmed).
    pub offered: usize,
    /// Bytes kept; the input is now full.
    pub kept: usize,
}

/// The text typed so far and where the cursor is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    text: String,
    /// A byte offset on a character boundary.
    cursor: usize,
}

/// What a key or paste did to the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOutcome {
    /// Enter: the text, trimmed.
    Submit(String),
    /// Esc: the input should close.
    Cancel,
    /// The text or the cursor moved: redraw.
    Changed,
    /// The key means nothing here.
    Ignored,
}

impl Input {
    /// An input holding `text` (cut to [`MAX_INPUT`]), cursor at the end.
    pub fn with_text(text: &str) -> Self {
        let mut input = Self::default();
        input.insert(text);
        input
    }

    /// An input holding a bracketed paste, as [`Input::paste`] takes it; whether it was cut.
    pub fn pasted(text: &str) -> (Self, Option<Cut>) {
        let mut input = Self::default();
        let cut = input.paste(text);
        (input, cut)
    }

    /// The text typed so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Insert `text` at the cursor without its control characters, as much as fits in
    /// [`MAX_INPUT`]. One pass over `text`, stopping where the input is full.
    fn insert(&mut self, text: &str) -> Option<Cut> {
        let room = MAX_INPUT.saturating_sub(self.text.len());
        let mut clean = String::with_capacity(text.len().min(room));
        let mut full = false;
        for c in text.chars().filter(|c| !c.is_control()) {
            if clean.len() + c.len_utf8() > room {
                full = true;
                break;
            }
            clean.push(c);
        }
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
        full.then_some(Cut {
            offered: text.len(),
            kept: self.text.len(),
        })
    }

    /// A bracketed paste: line breaks and other control characters are dropped and the ends
    /// trimmed, since a copied URL often drags a newline along. What does not fit in
    /// [`MAX_INPUT`] is dropped, and the [`Cut`] says so (for the status line).
    pub fn paste(&mut self, text: &str) -> Option<Cut> {
        self.insert(text.trim())
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// A key press.
    pub fn handle_key(&mut self, key: &KeyEvent) -> InputOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return InputOutcome::Submit(self.text.trim().to_owned()),
            KeyCode::Esc => return InputOutcome::Cancel,
            KeyCode::Char('u') if ctrl => {
                self.text.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let before = self.text[..self.cursor].trim_end();
                let start = before.rfind(' ').map_or(0, |i| i + 1);
                self.text.drain(start..self.cursor);
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.text.len(),
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                // A full input takes no more keys (a terminal without bracketed paste types
                // a paste as keys).
                if self.insert(c.encode_utf8(&mut [0; 4])).is_some() {
                    return InputOutcome::Ignored;
                }
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let start = self.prev_boundary();
                self.text.drain(start..self.cursor);
                self.cursor = start;
            }
            KeyCode::Delete if self.cursor < self.text.len() => {
                let end = self.next_boundary();
                self.text.drain(self.cursor..end);
            }
            KeyCode::Left => self.cursor = self.prev_boundary(),
            KeyCode::Right => self.cursor = self.next_boundary(),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            _ => return InputOutcome::Ignored,
        }
        InputOutcome::Changed
    }
}

/// Draw `prompt` and the input on the first row of `area`, scrolled so the cursor shows.
/// Returns where the terminal cursor belongs (`frame.set_cursor_position`).
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    prompt: &str,
    input: &Input,
    styles: &Styles,
) -> Option<Position> {
    if area.is_empty() {
        return None;
    }
    let prompt = visible(prompt);
    let prompt_width = u16::try_from(width(&prompt)).unwrap_or(u16::MAX);
    let room = usize::from(area.width.saturating_sub(prompt_width).saturating_sub(1));
    // Only what can show is escaped and measured: the cells just left of the cursor, walking
    // back from it, and after it no more characters than the row has cells.
    let before = tail(&input.text[..input.cursor], room);
    let after = head(&input.text[input.cursor..], usize::from(area.width));
    let cursor_x = u16::try_from(width(&before)).unwrap_or(0);
    let line = Line::from(vec![
        Span::styled(prompt.into_owned(), styles.accent),
        Span::styled(format!("{before}{after}"), styles.base),
    ]);
    buf.set_style(Rect { height: 1, ..area }, styles.base);
    buf.set_line(area.x, area.y, &line, area.width);
    let x = area.x + prompt_width + cursor_x;
    (x < area.right()).then_some(Position::new(x, area.y))
}

/// The end of `text`, made [`visible`], that fits in `room` cells: read from the end, so the
/// cost is the part shown, not the whole text.
fn tail(text: &str, room: usize) -> String {
    let mut used = 0;
    let mut start = text.len();
    for (i, c) in text.char_indices().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            break;
        }
        used += w;
        start = i;
    }
    visible(&text[start..]).into_owned()
}

/// The start of `text`, made [`visible`]: at most `max` characters, enough to fill `max` cells.
fn head(text: &str, max: usize) -> String {
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    visible(&text[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_submitting() {
        let mut input = Input::default();
        for c in "cod用e".chars() {
            assert_eq!(
                input.handle_key(&key(KeyCode::Char(c))),
                InputOutcome::Changed
            );
        }
        input.handle_key(&key(KeyCode::Left));
        input.handle_key(&key(KeyCode::Backspace));
        assert_eq!(input.text(), "code");
        input.handle_key(&key(KeyCode::Home));
        input.handle_key(&key(KeyCode::Delete));
        assert_eq!(input.text(), "ode");
        assert_eq!(
            input.handle_key(&key(KeyCode::Enter)),
            InputOutcome::Submit("ode".into())
        );
        assert_eq!(input.handle_key(&key(KeyCode::Esc)), InputOutcome::Cancel);
        assert_eq!(input.handle_key(&key(KeyCode::F(2))), InputOutcome::Ignored);
    }

    #[test]
    fn paste_drops_line_breaks_and_controls() {
        let mut input = Input::default();
        input.paste("https://cb.example/?code=a\x1bb\r\n");
        assert_eq!(input.text(), "https://cb.example/?code=ab");
        let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        input.handle_key(&ctrl_u);
        assert_eq!(input.text(), "");
    }
}
