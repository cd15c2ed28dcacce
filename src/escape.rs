//! One escaping rule for everything a terminal shows.
//!
//! Text that came from the network, a file or a user (a WeChat nickname, a pasted response, a
//! `state`, the text Alipay signed) may hold control characters: `ESC ]0;…BEL` retitles the
//! window, `ESC [2J` clears the screen, `ESC ]52;c;…` writes the clipboard, and U+009B is a
//! one-character CSI on terminals that honour C1. Before such text reaches a terminal it goes
//! through [`visible`] (one line) or [`visible_lines`] (deliberately multi-line text), which
//! show every C0 control, DEL and C1 control as a readable escape instead:
//!
//! | character                 | shown as          |
//! | ------------------------- | ----------------- |
//! | tab, newline, CR          | `\t`, `\n`, `\r`  |
//! | other C0 (U+0000–U+001F)  | `\x1b`, `\x07`, … |
//! | DEL (U+007F)              | `\x7f`            |
//! | C1 (U+0080–U+009F)        | `\u{9b}`, …       |
//!
//! Everything else, Chinese text and emoji included, is shown as is. The functions borrow
//! when there is nothing to escape, so clean text costs no allocation.
//!
//! JSON output has its own twin, [`json_pretty`]: serde_json already writes C0 as `\u00XX`
//! but leaves DEL, C1 and the bidi controls raw, so they are escaped the same way (`\u007f`,
//! `\u009b`, `\u202e`).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

/// Whether `c` must not reach a terminal raw: C0, DEL or C1.
pub fn is_unsafe(c: char) -> bool {
    // C0, DEL, C1, and the bidirectional overrides, isolates and marks, which reorder what the
    // reader sees (a `U+202E` can make `gpj.exe` read as `exe.jpg`).
    matches!(u32::from(c), 0x00..=0x1f | 0x7f..=0x9f) || is_bidi(c)
}

/// A bidirectional control: the embeddings and overrides (U+202A–U+202E), the isolates
/// (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C).
pub fn is_bidi(c: char) -> bool {
    matches!(
        u32::from(c),
        0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c
    )
}

/// `text` on one line with every control character shown as an escape (`\n` included).
pub fn visible(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` as several lines: like [`visible`], but newlines and tabs are kept as they are, for
/// text printed deliberately over several lines (a signed body, a raw response).
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && (c == '\n' || c == '\t');
    let Some(first) = text.find(|c: char| is_unsafe(c) && !kept(c)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !is_unsafe(c) || kept(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Writing to a String cannot fail.
            c if u32::from(c) <= 0x7f => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// Escape DEL, C1 and bidi controls in serialized JSON as `\u00XX` / `\u202e`. serde_json
/// escapes C0 in strings but writes the others raw; in valid JSON these characters can only
/// stand inside strings, where `\uXXXX` means the same character, so the document's meaning is
/// unchanged.
pub fn json_visible(json: &str) -> Cow<'_, str> {
    let raw = |c: char| matches!(u32::from(c), 0x7f..=0x9f) || is_bidi(c);
    let Some(first) = json.find(raw) else {
        return Cow::Borrowed(json);
    };
    let mut out = String::with_capacity(json.len() + 8);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Pretty-printed JSON (two-space indent, as `serde_json::to_string_pretty`) with no raw
/// control character in it: what every `--json` output prints. No trailing newline.
pub fn json_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(match json_visible(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    })
}

/// Compact JSON on one line with no raw control character in it (for JSON Lines output).
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string(value)?;
    Ok(match json_visible(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sequences of a hostile nickname: retitle, clear screen, clipboard write, C1 CSI, DEL.
    const HOSTILE: &str =
        "nick\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{7f}";

    fn has_raw_control(text: &str, allowed: &[char]) -> bool {
        text.chars().any(|c| is_unsafe(c) && !allowed.contains(&c))
    }

    #[test]
    fn clean_text_is_borrowed() {
        for text in ["", "plain", "微信用户 😀", "a\\x1b literal"] {
            assert!(matches!(visible(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(visible_lines(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(json_visible(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn every_control_is_shown_as_an_escape() {
        assert_eq!(
            visible(HOSTILE),
            "nick\\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\u{9b}31m\\x7f"
        );
        assert_eq!(visible("a\nb\tc\rd\0"), "a\\nb\\tc\\rd\\x00");
        assert_eq!(visible("\u{80}\u{9f}\u{a0}é"), "\\u{80}\\u{9f}\u{a0}é");
    }

    #[test]
    fn every_c0_del_and_c1_is_escaped_and_nothing_else() {
        for code in 0..=0x2ffu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = c.to_string();
            let shown = visible(&text);
            assert!(
                !has_raw_control(&shown, &[]),
                "U+{code:04X} reached the output raw"
            );
            assert_eq!(
                matches!(shown, Cow::Owned(_)),
                is_unsafe(c),
                "U+{code:04X} escaped wrongly"
            );
        }
    }

    #[test]
    fn json_escapes_bidi_controls() {
        let bidi = "\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}\u{202a}";
        let value = serde_json::json!({ "nickname": format!("gpj{bidi}.exe") });
        for text in [json_pretty(&value).unwrap(), json_line(&value).unwrap()] {
            assert!(!text.chars().any(is_bidi), "{text:?}");
            assert!(
                text.contains("\\u202e\\u2066") && text.contains("\\u061c"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
        assert!(!visible(bidi).chars().any(is_bidi));
    }

    #[test]
    fn multi_line_text_keeps_its_newlines_and_tabs() {
        let shown = visible_lines("line one\n\tline two\r\n\u{1b}[2J");
        assert_eq!(shown, "line one\n\tline two\\r\n\\x1b[2J");
    }

    #[test]
    fn json_escapes_del_and_c1_and_stays_the_same_document() {
        let value = serde_json::json!({ "nickname": HOSTILE, "k\u{9b}": [1, "\u{85}"] });
        let text = json_pretty(&value).expect("serializes");
        assert!(!has_raw_control(&text, &['\n']), "{text:?}");
        assert!(text.contains("\\u009b31m") && text.contains("\\u007f"));
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
        let line = json_line(&value).expect("serializes");
        assert!(!has_raw_control(&line, &[]));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&line).expect("JSON"),
            value
        );
    }
}
