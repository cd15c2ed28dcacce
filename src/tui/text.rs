//! Text that is safe to put in a cell: control characters made visible, widths in cells.
//!
//! A response body is attacker-controlled text. Written raw, an `ESC` could move the cursor,
//! retitle the window or set the clipboard; a `U+202E` could reorder what the reader sees. So
//! every character bound for a cell goes through [`visible`] (or [`push_visible`] one character
//! at a time, which the text view uses so it never escapes more than what is on screen).

use std::borrow::Cow;

use ratatui::text::Span;

/// `text` with every C0 control, DEL, C1 control and bidirectional override replaced by a
/// visible escape: the one rule of [`crate::escape`], which the text printer uses too.
pub use crate::escape::visible;

/// Whether `c` must not reach the terminal as itself ([`crate::escape::is_unsafe`]).
pub fn needs_escape(c: char) -> bool {
    crate::escape::is_unsafe(c)
}

/// Append `c` to `out`, escaped when [`needs_escape`] says so, exactly as [`visible`] would.
pub fn push_visible(out: &mut String, c: char) {
    let mut bytes = [0; 4];
    out.push_str(&visible(c.encode_utf8(&mut bytes)));
}

/// How many terminal cells `c` takes (0 for combining marks, 2 for CJK and most emoji).
pub fn char_width(c: char) -> usize {
    let mut bytes = [0; 4];
    Span::raw(&*c.encode_utf8(&mut bytes)).width()
}

/// How many terminal cells `text` takes once made [`visible`].
pub fn width(text: &str) -> usize {
    Span::raw(visible(text)).width()
}

/// `text` cut to at most `max` cells, with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    let text = visible(text);
    if Span::raw(&*text).width() <= max {
        return text;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    if max > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(visible("user_id 2088 用户 🙂"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(
            visible("a\x1b[31mb\x07\t\u{7f}\u{85}\u{202e}"),
            "a\\x1b[31mb\\x07\\t\\x7f\\u{85}\\u{202e}"
        );
        let all: String = (0u32..0x200).filter_map(char::from_u32).collect();
        assert!(!visible(&all).chars().any(needs_escape));
    }

    #[test]
    fn widths_count_cells() {
        assert_eq!(char_width('a'), 1);
        assert_eq!(char_width('用'), 2);
        assert_eq!(char_width('🙂'), 2);
        assert_eq!(width("用户a"), 5);
        assert_eq!(truncate("用户名称", 5), "用户…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
