//! Wrapping text for a pane: rows break between words (CJK between characters, a URL after its
//! `/`, `.` or `=` and before its `&`, `?` or `%`), never inside a word unless the word is
//! longer than the row; the rows after the first hang (indented under the first row's text, or
//! under its value column when the line is `key  value`).
//!
//! Rows are made one at a time from a stream of characters, looking at most a row ahead, so a
//! 5 MB one-line body costs a screenful to lay out. Every character is escaped first
//! ([`push_visible`]); the cells of one escape are never split by a word break.
//!
//! A word never ends in a row's last cell: that cell is kept free so a word that fills a row
//! cannot be mistaken for a word cut in two (only a word longer than the row is cut).

use std::collections::VecDeque;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::text::{char_width, push_visible};

/// One cell-bound character: `ch` is what is drawn, `byte` where its source character starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub byte: usize,
    pub ch: char,
    pub width: usize,
    /// Part of an escape (`\x1b`): opaque to word breaks.
    pub escaped: bool,
    /// The first unit of its source character (a row that starts here can be resumed from
    /// `byte`).
    pub first: bool,
}

/// How far rows after the first are indented, for `line` wrapped at `width` cells: under the
/// value when the line is `key  value` (a run of two spaces before the middle of the row),
/// else two cells more than the line's own indent; at most half the width.
pub fn hang(line: &str, width: usize) -> usize {
    let mut col = 0;
    let mut lead = None;
    let mut spaces = 0;
    let mut seen_text = false;
    for c in line.chars().take(width) {
        if c == ' ' {
            spaces += 1;
        } else {
            if lead.is_none() {
                lead = Some(col);
            } else if seen_text && spaces >= 2 && col < width / 2 {
                return col;
            }
            seen_text = true;
            spaces = 0;
        }
        col += char_width(c);
    }
    (lead.unwrap_or(0) + 2).min(width / 2)
}

/// A row: the units it shows, and the cells of indent before them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub indent: usize,
    pub units: Vec<Unit>,
}

/// The rows of one line, made lazily.
pub struct Rows<'a> {
    chars: std::str::CharIndices<'a>,
    base: usize,
    buf: VecDeque<Unit>,
    done: bool,
    width: usize,
    hang: usize,
    /// The next row is the line's first.
    first: bool,
    /// Units of the line's leading indent still in the first row (no break inside them).
    lead: usize,
}

impl<'a> Rows<'a> {
    /// The rows of `text` (which starts at byte `base` of its body) at `width` cells, rows
    /// after the first indented by `hang`. `continued` when `text` starts at a row other than
    /// its line's first (resuming from a mark).
    pub fn new(text: &'a str, base: usize, width: usize, hang: usize, continued: bool) -> Self {
        let width = width.max(1);
        Self {
            chars: text.char_indices(),
            base,
            buf: VecDeque::new(),
            done: false,
            width,
            hang: hang.min(width.saturating_sub(1)),
            first: !continued,
            lead: if continued {
                0
            } else {
                text.chars().take_while(|c| *c == ' ').count()
            },
        }
    }

    /// Pull units until the buffer holds more than `cells` cells or the text ends.
    fn fill(&mut self, cells: usize) {
        let mut have: usize = self.buf.iter().map(|u| u.width).sum();
        let mut escaped = String::new();
        while have <= cells && !self.done {
            let Some((i, c)) = self.chars.next() else {
                self.done = true;
                break;
            };
            escaped.clear();
            push_visible(&mut escaped, c);
            let is_escape = escaped.chars().count() > 1 || !escaped.starts_with(c);
            for (k, e) in escaped.chars().enumerate() {
                let width = char_width(e);
                have += width;
                self.buf.push_back(Unit {
                    byte: self.base + i,
                    ch: e,
                    width,
                    escaped: is_escape,
                    first: k == 0,
                });
            }
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let indent = if self.first { 0 } else { self.hang };
        if !self.first {
            // A row after a break starts at a word, not at the spaces between words.
            loop {
                self.fill(0);
                match self.buf.front() {
                    Some(u) if u.ch == ' ' && !u.escaped => {
                        self.buf.pop_front();
                    }
                    _ => break,
                }
            }
        }
        let avail = self.width.saturating_sub(indent).max(1);
        self.fill(avail + 1);
        if self.buf.is_empty() {
            if self.first {
                self.first = false;
                return Some(Row::default());
            }
            return None;
        }
        let lead = if self.first { self.lead } else { 0 };
        let units = self.buf.make_contiguous();
        let end = best_break(units, avail, self.done, lead);
        self.first = false;
        self.lead = 0;
        let mut row: Vec<Unit> = self.buf.drain(..end).collect();
        while row.len() > 1 && row.last().is_some_and(|u| is_space(*u)) {
            row.pop();
        }
        Some(Row { indent, units: row })
    }
}

/// Where the row ends in `units` (a row's worth and a little more; `done` when the text ends
/// with them): the last break that fits in `avail` cells, else as many units as fit.
fn best_break(units: &[Unit], avail: usize, done: bool, lead: usize) -> usize {
    let mut cells = 0;
    let mut best = None;
    let mut fit = 0;
    for k in 1..=units.len() {
        cells += units[k - 1].width;
        if cells > avail && !is_space(units[k - 1]) {
            break;
        }
        if cells <= avail {
            fit = k;
        }
        let at_end = k == units.len() && done;
        if k > lead && (at_end || (k < units.len() && breaks(units[k - 1], units[k]))) {
            // Trailing spaces do not count; a word keeps the row's last cell free.
            let shown = units[..k]
                .iter()
                .rposition(|u| !is_space(*u))
                .map_or(0, |p| p + 1);
            let used: usize = units[..shown].iter().map(|u| u.width).sum();
            let word_end = shown > 0 && is_word(units[shown - 1]);
            if used < avail || (used == avail && !word_end) {
                best = Some(k);
            }
        }
    }
    match best {
        Some(k) => k,
        // A row with the whole rest of the text that fits, however it ends.
        None if done && units.iter().map(|u| u.width).sum::<usize>() <= avail => units.len(),
        None => fit.max(1),
    }
}

fn is_space(u: Unit) -> bool {
    u.ch == ' ' && !u.escaped
}

/// An ASCII letter, digit or `_` (or part of an escape): what a word is made of.
fn is_word(u: Unit) -> bool {
    u.escaped || u.ch.is_ascii_alphanumeric() || u.ch == '_'
}

/// Whether a row may end between `a` and `b`.
fn breaks(a: Unit, b: Unit) -> bool {
    const NO_START: &str = "，。、；：！？）》」』】,.;:!?)]}";
    if a.escaped && b.escaped && a.byte == b.byte {
        return false;
    }
    if is_space(a) {
        return !is_space(b);
    }
    if is_space(b) {
        return true;
    }
    if a.escaped || b.escaped {
        return false;
    }
    if a.width == 2 || b.width == 2 {
        return !NO_START.contains(b.ch);
    }
    if "/-.,;:=)]}|".contains(a.ch) {
        return !"/-.,;:=)]}|".contains(b.ch);
    }
    "&?%([{".contains(b.ch) && !"&?%([{".contains(a.ch)
}

/// A row as text: its indent and its characters.
pub fn row_text(row: &Row) -> String {
    let mut out = " ".repeat(row.indent);
    out.extend(row.units.iter().map(|u| u.ch));
    out
}

/// `line` wrapped at `width` cells, each row in the style of the line's first span.
pub fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let style = line
        .spans
        .first()
        .map_or(line.style, |s| line.style.patch(s.style));
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    wrap_text(&text, style, width)
}

/// `text` (one line or many) wrapped at `width` cells, in `style`.
pub fn wrap_text(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for l in text.split('\n') {
        let hang = hang(l, width);
        for row in Rows::new(l, 0, width, hang, false) {
            out.push(Line::from(Span::styled(row_text(&row), style)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> Vec<String> {
        wrap_text(text, Style::default(), width)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn words_are_never_cut_and_rows_hang() {
        let got = rows(
            "    a class explained by sub_code, then is_certified = T",
            24,
        );
        assert_eq!(
            got,
            [
                "    a class explained",
                "      by sub_code, then",
                "      is_certified = T"
            ]
        );
    }

    #[test]
    fn key_value_rows_hang_under_the_value() {
        let got = rows("code  10000  → Gateway result code", 20);
        assert_eq!(
            got,
            ["code  10000  →", "      Gateway", "      result code"]
        );
    }

    #[test]
    fn cjk_breaks_between_characters_but_not_before_punctuation() {
        let got = rows("实名认证用户，冻结账户", 9);
        assert!(
            got.iter().all(|r| !r.trim_start().starts_with('，')),
            "{got:?}"
        );
        assert!(
            got.iter().all(|r| crate::tui::text::width(r) <= 9),
            "{got:?}"
        );
    }

    #[test]
    fn a_word_longer_than_the_row_is_cut_and_urls_break_at_their_punctuation() {
        assert_eq!(rows("abcdefghij", 4), ["abcd", "  ef", "  gh", "  ij"]);
        let got = rows(
            "http://h/oauth2/publicAppAuthorize.htm?app_id=1&scope=x",
            24,
        );
        assert_eq!(
            got,
            [
                "http://h/oauth2/",
                "  publicAppAuthorize.",
                "  htm?app_id=1&scope=x"
            ]
        );
    }

    #[test]
    fn a_word_keeps_the_last_cell_free() {
        assert_eq!(rows("abc defg", 8), ["abc", "  defg"]);
        assert_eq!(rows("abc defg.", 9), ["abc defg."]);
    }
}
