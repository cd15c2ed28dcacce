//! The QR code of an authorize URL: inline when it fits the pane, otherwise a note saying how
//! much room it needs and which key shows it full screen.
//!
//! A realistic authorize URL makes a code of about 60 × 32 cells, more than an 80 × 24 pane
//! leaves, so the note is the common case on a small terminal.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::qr::render_half_blocks;
use crate::tui::text::{truncate, visible, width};
use crate::tui::theme::Styles;
use crate::tui::widget::popup;

/// A QR code drawn once into half-block lines (encoding per frame would be wasteful).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrImage {
    /// The lines, or why the text could not be encoded.
    lines: Result<Vec<String>, String>,
}

impl QrImage {
    /// Encode `data` (the authorize URL).
    pub fn new(data: &str) -> Self {
        Self {
            lines: render_half_blocks(data).map_err(|e| e.to_string()),
        }
    }

    /// Columns × rows it takes, quiet zone included; `None` when it could not be encoded.
    pub fn size(&self) -> Option<(u16, u16)> {
        let lines = self.lines.as_ref().ok()?;
        let cols = lines.first().map_or(0, |l| l.chars().count());
        Some((
            u16::try_from(cols).unwrap_or(u16::MAX),
            u16::try_from(lines.len()).unwrap_or(u16::MAX),
        ))
    }

    /// Whether it fits in `area` as it is.
    pub fn fits(&self, area: Rect) -> bool {
        self.size()
            .is_some_and(|(w, h)| w <= area.width && h <= area.height)
    }
}

/// Draw the code centred in `area` when it fits; otherwise say what it needs and that
/// `fullscreen_key` shows it full screen.
pub fn render(buf: &mut Buffer, area: Rect, qr: &QrImage, fullscreen_key: &str, styles: &Styles) {
    render_in(
        buf,
        area,
        qr,
        fullscreen_key,
        crate::finding::Lang::EN,
        styles,
    );
}

/// [`render`], with the note in `lang`.
pub fn render_in(
    buf: &mut Buffer,
    area: Rect,
    qr: &QrImage,
    fullscreen_key: &str,
    lang: crate::finding::Lang,
    styles: &Styles,
) {
    let lines = match &qr.lines {
        Ok(lines) => lines,
        Err(e) => return note_in(buf, area, e, styles.error),
    };
    let (w, h) = qr.size().unwrap_or_default();
    if w <= area.width && h <= area.height {
        draw_code(buf, popup::centered(area, w, h), lines, styles);
    } else {
        let note = crate::present::tr_fill(
            lang,
            "tui.qr-needs",
            &[
                ("w", &w.to_string()),
                ("h", &h.to_string()),
                ("pw", &area.width.to_string()),
                ("ph", &area.height.to_string()),
                ("key", fullscreen_key),
            ],
        );
        note_in(buf, area, &note, styles.warning);
    }
}

/// The full-screen QR popup: the code over the whole `area`, a caption under it if there is
/// room, and a note when even the whole terminal is too small.
pub fn render_fullscreen(
    buf: &mut Buffer,
    area: Rect,
    qr: &QrImage,
    caption: &str,
    close_key: &str,
    styles: &Styles,
) {
    ratatui::widgets::Clear.render(area, buf);
    buf.set_style(area, styles.base);
    let lines = match &qr.lines {
        Ok(lines) => lines,
        Err(e) => return note_in(buf, area, e, styles.error),
    };
    let (w, h) = qr.size().unwrap_or_default();
    if w > area.width || h > area.height {
        let note = format!(
            "The QR code needs {w} columns × {h} rows and the terminal has {} × {}. Enlarge \
             the window or make the font smaller. {close_key} closes.",
            area.width, area.height
        );
        return note_in(buf, area, &note, styles.warning);
    }
    let with_caption = h < area.height;
    let spot = popup::centered(area, w, if with_caption { h + 1 } else { h });
    draw_code(buf, Rect { height: h, ..spot }, lines, styles);
    if with_caption {
        let caption = format!("{caption} · {close_key} closes");
        let text = truncate(&caption, area.width.into());
        let shown = u16::try_from(width(&text)).unwrap_or(area.width);
        let x = area.x + (area.width - shown.min(area.width)) / 2;
        buf.set_stringn(x, spot.y + h, &text, area.width.into(), styles.dim);
    }
}

fn draw_code(buf: &mut Buffer, spot: Rect, lines: &[String], styles: &Styles) {
    for (dy, line) in (0..spot.height).zip(lines) {
        buf.set_stringn(spot.x, spot.y + dy, line, spot.width.into(), styles.qr);
    }
}

fn note_in(buf: &mut Buffer, area: Rect, note: &str, style: ratatui::style::Style) {
    let rows = crate::tui::wrap::wrap_text(&visible(note), style, usize::from(area.width));
    for (dy, row) in (0..area.height).zip(&rows) {
        buf.set_line(area.x, area.y + dy, row, area.width);
    }
}
