//! Popups: a stack of layers over the panes (help, an error, an input, the full-screen QR).
//!
//! The topmost layer gets the keys first and is drawn last; Esc pops it. What a layer *is*
//! belongs to the app (an enum of its popups); this module keeps the stack and draws frames.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

use crate::tui::text::{truncate, visible, width};
use crate::tui::theme::Styles;

/// What a key did while a popup was open; the app maps it to what it does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupOutcome {
    /// Quit still quits.
    Quit,
    /// The top layer closed: draw again.
    Closed,
    /// The popup took the key and nothing changed.
    Swallowed,
}

/// Layers over the panes, bottom first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModalStack<T> {
    layers: Vec<T>,
}

impl<T> Default for ModalStack<T> {
    fn default() -> Self {
        Self { layers: Vec::new() }
    }
}

impl<T> ModalStack<T> {
    /// Open a layer on top.
    pub fn push(&mut self, layer: T) {
        self.layers.push(layer);
    }

    /// Close the top layer.
    pub fn pop(&mut self) -> Option<T> {
        self.layers.pop()
    }

    /// The layer that gets the keys.
    pub fn top(&self) -> Option<&T> {
        self.layers.last()
    }

    /// The layer that gets the keys, to change it.
    pub fn top_mut(&mut self) -> Option<&mut T> {
        self.layers.last_mut()
    }

    /// What a key-map action does while a layer is open: quit still quits, Esc, `?` and `f`
    /// close the top layer, anything else is swallowed. `None` when no layer is open.
    pub fn on_action(&mut self, action: crate::tui::keymap::Action) -> Option<PopupOutcome> {
        use crate::tui::keymap::Action;
        if self.layers.is_empty() {
            return None;
        }
        Some(match action {
            Action::Quit => PopupOutcome::Quit,
            Action::Cancel | Action::Help | Action::FullscreenQr => {
                self.layers.pop();
                PopupOutcome::Closed
            }
            _ => PopupOutcome::Swallowed,
        })
    }

    /// Whether no popup is open.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers bottom to top, the order to draw them in.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.layers.iter()
    }

    /// Close every layer `matches` picks (e.g. the help when it is toggled off).
    pub fn remove_where(&mut self, matches: impl Fn(&T) -> bool) -> bool {
        let before = self.layers.len();
        self.layers.retain(|l| !matches(l));
        self.layers.len() != before
    }
}

/// A `width` × `height` rectangle centred in `area`, shrunk to fit.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clear `area`, draw a focused border with `title`, and return the inside.
pub fn frame(buf: &mut Buffer, area: Rect, title: &str, styles: &Styles) -> Rect {
    frame_with(buf, area, title, styles.border_focused, styles)
}

/// [`frame`] with a border style of its own (an error popup's border is in the error colour).
pub fn frame_with(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    border: Style,
    styles: &Styles,
) -> Rect {
    Clear.render(area, buf);
    let title = truncate(title, usize::from(area.width.saturating_sub(4)));
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border)
        .style(styles.base)
        .title(Span::styled(format!(" {title} "), styles.title));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// An error popup: the message (wrapped, control characters made visible) and a hint line
/// saying how to close it.
pub fn render_error(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    message: &str,
    hint: &str,
    styles: &Styles,
) {
    let max_inner = area.width.saturating_sub(6).clamp(10, 72);
    let inner_width = message
        .lines()
        .chain([hint])
        .map(width)
        .max()
        .unwrap_or(0)
        .clamp(20, usize::from(max_inner));
    let rows: usize = message
        .lines()
        .map(|l| width(l).div_ceil(inner_width).max(1))
        .sum();
    let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
    let popup = centered(
        area,
        u16::try_from(inner_width + 4).unwrap_or(u16::MAX),
        height,
    );
    let inner = frame_with(buf, popup, title, styles.error, styles);
    let text = inner.inner(Margin::new(1, 0));
    let width = usize::from(text.width);
    let mut lines: Vec<Line> = message
        .lines()
        .flat_map(|l| crate::tui::wrap::wrap_text(&visible(l), styles.base, width))
        .collect();
    lines.push(Line::default());
    lines.extend(crate::tui::wrap::wrap_text(
        &visible(hint),
        styles.dim,
        width,
    ));
    Paragraph::new(lines).render(text, buf);
}
