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
        let text = body.line(line);
        let start = body.line_start(line);
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
        let mut row = RowBuilder::default();
        let mut skipped = 0;
        let mut col = 0;
        let mut escaped = String::new();
        'chars: for (i, c) in text.char_indices() {
            let style = style_at(start + i);
            escaped.clear();
            push_visible(&mut escaped, c);
            for e in escaped.chars() {
                let w = char_width(e);
                if self.wrap {
                    if col + w > self.width && col > 0 {
                        if skipped < self.skip {
                            skipped += 1;
                            row = RowBuilder::default();
                        } else {
                            rows.push(std::mem::take(&mut row).finish());
                            if rows.len() == self.max_rows {
                                break 'chars;
                            }
                        }
                        col = 0;
                    }
                    row.push(e, style);
                    col += w;
                } else {
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
        }
        if rows.len() < self.max_rows && skipped >= self.skip {
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

/// How many rows `text` takes wrapped at `width` cells.
pub(super) fn row_count(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut col = 0;
    let mut escaped = String::new();
    for c in text.chars() {
        escaped.clear();
        push_visible(&mut escaped, c);
        for e in escaped.chars() {
            let w = char_width(e);
            if col + w > width && col > 0 {
                rows += 1;
                col = 0;
            }
            col += w;
        }
    }
    rows
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
