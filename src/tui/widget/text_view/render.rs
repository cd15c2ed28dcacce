//! Drawing a [`TextView`]: only the visible rows are laid out, character by character, each
//! character escaped and styled by the search matches it falls in.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget};

use super::{TextBody, TextView};
use crate::tui::text::{char_width, push_visible, visible};
use crate::tui::theme::Styles;
use crate::tui::widget::input;

/// Draw `body` in `area` as `view` says: text, match highlights, a scrollbar when the text is
/// longer than the area, and the search line at the bottom while a search is active.
/// Returns where the terminal cursor belongs while the search prompt is open.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    body: &TextBody,
    view: &TextView,
    styles: &Styles,
) -> Option<Position> {
    if area.is_empty() {
        return None;
    }
    buf.set_style(area, styles.base);
    let mut text_area = area;
    let search_row = view.search.is_active().then(|| {
        text_area.height = text_area.height.saturating_sub(1);
        Rect::new(area.x, area.bottom() - 1, area.width, 1)
    });
    let scrollbar = body.line_count() > usize::from(text_area.height);
    if scrollbar {
        text_area.width = text_area.width.saturating_sub(1);
    }
    view.set_viewport(text_area.width, text_area.height);
    draw_rows(buf, text_area, body, view, styles);
    if scrollbar {
        let mut state = ScrollbarState::new(body.line_count().saturating_sub(1))
            .position(view.top)
            .viewport_content_length(usize::from(text_area.height));
        let bar_area = Rect::new(area.right() - 1, area.y, 1, text_area.height);
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_style(styles.dim)
            .thumb_style(styles.accent)
            .render(bar_area.inner(Margin::new(0, 0)), buf, &mut state);
    }
    search_row.and_then(|row| draw_search_line(buf, row, view, styles))
}

fn draw_rows(buf: &mut Buffer, area: Rect, body: &TextBody, view: &TextView, styles: &Styles) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let matches = view.search.matches();
    let current = view.search.current();
    let mut y = 0;
    let mut line = view.top;
    let mut skip = if view.wrap { view.top_row() } else { 0 };
    while y < height && line < body.line_count() {
        let mut text = body.line(line);
        let mut start = body.line_start(line);
        let hang = crate::tui::wrap::hang(text, width);
        let mut continued = false;
        if skip >= MARK_EVERY {
            // Far into a long wrapped line: start at the nearest row whose start is known.
            let (row, byte) = view.wrap_index(body, line, width).mark_before(skip);
            // The index is this body's; a mark off a character boundary would be a bug, so
            // it is checked rather than trusted with a slice.
            if let Some(rest) = text.get(byte..) {
                text = rest;
                start += byte;
                skip -= row;
                continued = row > 0;
            }
        }
        let first = matches.partition_point(|m| m.1 <= start);
        let style_at = |offset: usize| -> Style {
            let mut i = first;
            while let Some(m) = matches.get(i) {
                if m.0 > offset {
                    break;
                }
                if offset < m.1 {
                    return if Some(i) == current {
                        styles.search_current
                    } else {
                        styles.search_match
                    };
                }
                i += 1;
            }
            styles.base
        };
        let layout = Layout {
            width,
            wrap: view.wrap,
            left: view.left,
            skip,
            hang,
            continued,
            max_rows: height - y,
        };
        for row in layout.rows(text, start, style_at) {
            buf.set_line(
                area.x,
                area.y + u16::try_from(y).unwrap_or(0),
                &row,
                area.width,
            );
            y += 1;
        }
        skip = 0;
        line += 1;
    }
}

/// How one logical line becomes screen rows.
struct Layout {
    width: usize,
    wrap: bool,
    /// Cells cut on the left (no wrap).
    left: usize,
    /// Rows skipped at the start (wrap, the top line scrolled part way).
    skip: usize,
    /// Indent of the rows after a line's first (wrap).
    hang: usize,
    /// The text starts at a row other than its line's first (resumed from a mark).
    continued: bool,
    max_rows: usize,
}

impl Layout {
    /// The rows of `text` (which starts at byte `start` of the body), stopping as soon as the
    /// screen is full: a 5 MB single-line body costs a screenful of characters, not 5 MB.
    fn rows(
        &self,
        text: &str,
        start: usize,
        style_at: impl Fn(usize) -> Style,
    ) -> Vec<Line<'static>> {
        let mut rows: Vec<Line<'static>> = Vec::new();
        if self.wrap {
            let rows_of =
                crate::tui::wrap::Rows::new(text, start, self.width, self.hang, self.continued);
            for r in rows_of.skip(self.skip) {
                let mut row = RowBuilder::default();
                for _ in 0..r.indent {
                    row.push(' ', Style::default());
                }
                for u in &r.units {
                    row.push(u.ch, style_at(u.byte));
                }
                rows.push(row.finish());
                if rows.len() == self.max_rows {
                    break;
                }
            }
            return rows;
        }
        let mut row = RowBuilder::default();
        let mut col = 0;
        let mut escaped = String::new();
        'chars: for (i, c) in text.char_indices() {
            let style = style_at(start + i);
            escaped.clear();
            push_visible(&mut escaped, c);
            for e in escaped.chars() {
                let w = char_width(e);
                if col >= self.left + self.width {
                    break 'chars;
                }
                if col >= self.left && col + w <= self.left + self.width {
                    row.push(e, style);
                } else if col < self.left && col + w > self.left {
                    row.push(' ', style);
                }
                col += w;
            }
        }
        if rows.len() < self.max_rows {
            rows.push(row.finish());
        }
        rows
    }
}

/// Spans of one row, merging neighbours of the same style.
#[derive(Default)]
struct RowBuilder {
    spans: Vec<Span<'static>>,
    text: String,
    style: Style,
}

impl RowBuilder {
    fn push(&mut self, c: char, style: Style) {
        if style != self.style && !self.text.is_empty() {
            self.spans
                .push(Span::styled(std::mem::take(&mut self.text), self.style));
        }
        self.style = style;
        self.text.push(c);
    }

    fn finish(mut self) -> Line<'static> {
        if !self.text.is_empty() {
            self.spans.push(Span::styled(self.text, self.style));
        }
        Line::from(self.spans)
    }
}

/// Rows between two marks of a [`WrapIndex`].
pub(super) const MARK_EVERY: usize = 64;

/// A long line wrapped at one width: how many rows it takes, and where some rows start, so a
/// frame scrolled far into a 5 MB one-line body starts laying out near its first row rather
/// than at the line's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WrapIndex {
    /// The [`TextBody`] it was made from.
    pub body: u64,
    pub line: usize,
    pub width: usize,
    pub rows: usize,
    /// `(row, byte)`: row `row` starts with the character at byte `byte` of the line, about
    /// every [`MARK_EVERY`] rows (a row that starts inside a character's escape is not marked).
    pub marks: Vec<(usize, usize)>,
}

impl WrapIndex {
    /// Wrap line `line` (`text`) at `width` cells: one pass over its characters.
    pub fn new(body: u64, line: usize, text: &str, width: usize) -> Self {
        let mut rows = 0;
        let mut marks = Vec::new();
        let hang = crate::tui::wrap::hang(text, width);
        for row in crate::tui::wrap::Rows::new(text, 0, width, hang, false) {
            rows += 1;
            let last = marks.last().map_or(0, |m: &(usize, usize)| m.0);
            if let Some(u) = row.units.first()
                && u.first
                && rows - 1 > last + MARK_EVERY - 1
                && rows > 1
            {
                marks.push((rows - 1, u.byte));
            }
        }
        let rows = rows.max(1);
        Self {
            body,
            line,
            width,
            rows,
            marks,
        }
    }

    /// The last mark at or before row `row`: `(row, byte)`, or the line's start.
    pub fn mark_before(&self, row: usize) -> (usize, usize) {
        let i = self.marks.partition_point(|m| m.0 <= row);
        i.checked_sub(1).map_or((0, 0), |i| self.marks[i])
    }
}

fn draw_search_line(
    buf: &mut Buffer,
    row: Rect,
    view: &TextView,
    styles: &Styles,
) -> Option<Position> {
    buf.set_style(row, styles.base);
    let search = &view.search;
    let count = match (search.matches().len(), search.current()) {
        (0, _) if search.query().is_empty() => String::new(),
        (0, _) => "no match".to_owned(),
        (n, Some(i)) => format!("{}/{n}", i + 1),
        (n, None) => format!("{n}"),
    };
    let count_width = u16::try_from(count.chars().count()).unwrap_or(0);
    let prompt_area = Rect {
        width: row.width.saturating_sub(count_width + 1),
        ..row
    };
    let cursor = if let Some(input) = search.input() {
        input::render(buf, prompt_area, "/", input, styles)
    } else {
        let line = Line::from(vec![
            Span::styled("/", styles.accent),
            Span::styled(visible(search.query()).into_owned(), styles.base),
        ]);
        buf.set_line(row.x, row.y, &line, prompt_area.width);
        None
    };
    let style = if search.matches().is_empty() {
        styles.warning
    } else {
        styles.dim
    };
    buf.set_stringn(
        row.right().saturating_sub(count_width),
        row.y,
        &count,
        usize::from(count_width),
        style,
    );
    cursor
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows `Layout` gives from the line's start, skipping `skip`.
    fn rows_from_start(text: &str, width: usize, skip: usize, max_rows: usize) -> Vec<String> {
        rows_resumed(
            text,
            crate::tui::wrap::hang(text, width),
            false,
            width,
            skip,
            max_rows,
        )
    }

    fn rows_resumed(
        text: &str,
        hang: usize,
        continued: bool,
        width: usize,
        skip: usize,
        max_rows: usize,
    ) -> Vec<String> {
        let layout = Layout {
            width,
            wrap: true,
            left: 0,
            skip,
            hang,
            continued,
            max_rows,
        };
        layout
            .rows(text, 0, |_| Style::default())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The same rows laid out from the nearest mark, as a frame far into the line does.
    fn rows_from_mark(text: &str, width: usize, skip: usize, max_rows: usize) -> Vec<String> {
        let index = WrapIndex::new(0, 0, text, width);
        let (row, byte) = index.mark_before(skip);
        let hang = crate::tui::wrap::hang(text, width);
        rows_resumed(&text[byte..], hang, row > 0, width, skip - row, max_rows)
    }

    #[test]
    fn a_frame_from_a_mark_shows_the_rows_a_frame_from_the_start_shows() {
        // Wide characters, escapes that expand to several cells, and plain text: rows break
        // inside escapes and before wide characters at every width tried.
        let unit = "{\"nick\":\"微信用户\u{1b}[2J\",\"k\":\"v\u{7}😀abc\"},";
        let text = unit.repeat(400);
        for width in [1, 2, 3, 7, 40, 83] {
            let index = WrapIndex::new(0, 0, &text, width);
            assert!(index.marks.len() > 2, "width {width}: marks are made");
            assert_eq!(
                index.rows,
                rows_from_start(&text, width, 0, usize::MAX).len()
            );
            for skip in [0, 63, 64, 65, 200, index.rows / 2, index.rows - 3] {
                assert_eq!(
                    rows_from_mark(&text, width, skip, 5),
                    rows_from_start(&text, width, skip, 5),
                    "width {width}, skip {skip}"
                );
            }
        }
    }
}
