//! A scrollable view of a large text (a raw or pretty response body) that lays out only what
//! is on screen.
//!
//! [`TextBody`] indexes the line starts once; a frame then slices the visible lines and walks
//! only their visible characters, so a 5 MB body draws as fast as a 5 KB one. Wrapping is by
//! cells (a raw body is shown as it is, not reflowed by words); without wrapping the view
//! scrolls sideways. `/` searches incrementally (smart case), highlights every match on screen
//! and `n`/`N` move between them. Every character passes through the control-character
//! escaper on its way to a cell.

use std::cell::{Cell, Ref, RefCell};
use std::sync::OnceLock;

use ratatui::crossterm::event::KeyEvent;

use crate::tui::keymap::Action;
use crate::tui::widget::input::{Cut, Input, InputOutcome};

mod render;
mod search;

use render::WrapIndex;
pub use render::render;
pub use search::Search;

/// A text with its line starts indexed, shared by every frame.
#[derive(Debug, Default)]
pub struct TextBody {
    /// Which body this is: a view's cached wrapping belongs to one body, and a new body (the
    /// pretty one after the raw one, the revealed after the masked) gets a new id.
    id: u64,
    text: String,
    /// Byte offset where each line starts; a line ends before the next `\n` (and a `\r` just
    /// before it, so CRLF bodies do not show `\r` on every line).
    starts: Vec<usize>,
    /// The text with ASCII letters lower-cased (same byte offsets), made on the first
    /// case-insensitive search.
    folded: OnceLock<String>,
}

impl TextBody {
    /// Index `text`: one pass over its bytes.
    pub fn new(text: impl Into<String>) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let text = text.into();
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        if starts.len() > 1 && starts.last() == Some(&text.len()) {
            starts.pop();
        }
        Self {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            text,
            starts,
            folded: OnceLock::new(),
        }
    }

    /// The whole text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How many lines it has (at least one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `i` without its line break; empty past the end.
    pub fn line(&self, i: usize) -> &str {
        let Some(&start) = self.starts.get(i) else {
            return "";
        };
        let end = self.starts.get(i + 1).map_or(self.text.len(), |s| s - 1);
        let line = &self.text[start..end.max(start)];
        let line = line.strip_suffix('\n').unwrap_or(line);
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// Where line `i` starts, in bytes.
    pub fn line_start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The line that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn folded(&self) -> &str {
        self.folded.get_or_init(|| self.text.to_ascii_lowercase())
    }
}

/// Where the view is and how it shows the text.
#[derive(Debug, Default)]
pub struct TextView {
    /// The first line on screen.
    top: usize,
    /// With wrapping, how many of the top line's rows are scrolled off.
    top_row: usize,
    /// Without wrapping, how many cells are scrolled off to the left.
    left: usize,
    wrap: bool,
    search: Search,
    /// The text area of the last frame (width, height), for page moves and wrapping.
    viewport: Cell<(u16, u16)>,
    /// The last line wrapped, with its row count and row marks: counting a 5 MB line is slow,
    /// a scroll asks for the same line's count once per row it moves, and a frame far into it
    /// starts from a mark.
    wrapped: RefCell<Option<WrapIndex>>,
}

impl TextView {
    /// A view at the top, wrapping long lines or not.
    pub fn new(wrap: bool) -> Self {
        Self {
            wrap,
            viewport: Cell::new((80, 20)),
            ..Self::default()
        }
    }

    /// The first line on screen.
    pub fn top(&self) -> usize {
        self.top
    }

    /// Cells scrolled off to the left (without wrapping).
    pub fn left(&self) -> usize {
        self.left
    }

    /// Whether long lines wrap.
    pub fn wraps(&self) -> bool {
        self.wrap
    }

    /// The search state.
    pub fn search(&self) -> &Search {
        &self.search
    }

    /// Whether a search has matches, so `n`/`N` mean next/previous match
    /// (see [`crate::tui::keymap::KeyMap::resolve`]).
    pub fn is_searching(&self) -> bool {
        !self.search.matches().is_empty() && !self.search.is_editing()
    }

    /// Whether the search prompt is open: every plain key belongs to it.
    pub fn is_editing_search(&self) -> bool {
        self.search.is_editing()
    }

    fn page(&self) -> usize {
        usize::from(self.viewport.get().1.max(2) - 1)
    }

    fn max_top(&self, body: &TextBody) -> usize {
        body.line_count()
            .saturating_sub(usize::from(self.viewport.get().1.max(1)))
    }

    /// Scroll so that line `line` is on screen, a third of the way down when it was not.
    pub fn reveal_line(&mut self, line: usize) {
        let height = usize::from(self.viewport.get().1.max(1));
        if line < self.top || line >= self.top + height {
            self.top = line.saturating_sub(height / 3);
            self.top_row = 0;
        }
    }

    /// Line `line` wrapped at `width`, indexed once per (line, width).
    fn wrap_index(&self, body: &TextBody, line: usize, width: usize) -> Ref<'_, WrapIndex> {
        let fresh = self
            .wrapped
            .borrow()
            .as_ref()
            .is_some_and(|w| w.body == body.id && w.line == line && w.width == width);
        if !fresh {
            *self.wrapped.borrow_mut() =
                Some(WrapIndex::new(body.id, line, body.line(line), width));
        }
        Ref::map(self.wrapped.borrow(), |w| {
            w.as_ref().expect("indexed just above")
        })
    }

    /// Rows of line `line` wrapped at `width`.
    fn rows(&self, body: &TextBody, line: usize, width: usize) -> usize {
        self.wrap_index(body, line, width).rows
    }

    fn down(&mut self, body: &TextBody, n: usize) {
        if self.wrap {
            let width = usize::from(self.viewport.get().0.max(1));
            for _ in 0..n {
                let rows = self.rows(body, self.top, width);
                if self.top_row + 1 < rows {
                    self.top_row += 1;
                } else if self.top + 1 < body.line_count() {
                    self.top += 1;
                    self.top_row = 0;
                }
            }
        } else {
            self.top = (self.top + n).min(self.max_top(body));
        }
    }

    fn up(&mut self, n: usize) {
        if self.wrap && self.top_row > 0 {
            let back = n.min(self.top_row);
            self.top_row -= back;
            self.top = self.top.saturating_sub(n - back);
        } else {
            self.top = self.top.saturating_sub(n);
            self.top_row = 0;
        }
    }

    /// Carry out a key-map action; false when the action means nothing to a text view.
    pub fn apply(&mut self, action: Action, body: &TextBody) -> bool {
        let width = usize::from(self.viewport.get().0.max(2));
        match action {
            Action::Down => self.down(body, 1),
            Action::Up => self.up(1),
            Action::PageDown => self.down(body, self.page()),
            Action::PageUp => self.up(self.page()),
            Action::Top => {
                self.top = 0;
                self.top_row = 0;
                self.left = 0;
            }
            Action::Bottom => {
                self.top = self.max_top(body);
                self.top_row = 0;
                if self.wrap && self.top + 1 == body.line_count() {
                    // One long last line: show its end, not its start.
                    let height = usize::from(self.viewport.get().1.max(1));
                    let rows = self.rows(body, self.top, width);
                    self.top_row = rows.saturating_sub(height);
                }
            }
            Action::Left if !self.wrap => self.left = self.left.saturating_sub(width / 2),
            Action::Right if !self.wrap => self.left += width / 2,
            Action::ToggleWrap => {
                self.wrap = !self.wrap;
                self.top_row = 0;
                self.left = 0;
            }
            Action::Search => self.search.open(),
            Action::SearchNext => return self.step_match(body, true),
            Action::SearchPrev => return self.step_match(body, false),
            Action::Cancel if self.search.is_active() => self.search.clear(),
            _ => return false,
        }
        true
    }

    fn step_match(&mut self, body: &TextBody, forward: bool) -> bool {
        match self.search.step(forward) {
            Some(offset) => {
                self.reveal(body, offset);
                true
            }
            None => false,
        }
    }

    fn reveal(&mut self, body: &TextBody, offset: usize) {
        let line = body.line_of(offset);
        self.reveal_line(line);
        if !self.wrap {
            let column = crate::tui::text::width(&body.as_str()[body.line_start(line)..offset]);
            let width = usize::from(self.viewport.get().0.max(1));
            if column < self.left || column >= self.left + width {
                self.left = column.saturating_sub(width / 3);
            }
        }
    }

    /// A key while the search prompt is open: edits the query and jumps to the first match at
    /// or after the top of the screen as you type. Enter keeps the matches, Esc drops them.
    pub fn search_key(&mut self, key: &KeyEvent, body: &TextBody) -> InputOutcome {
        let outcome = self.search.key(key, body, body.line_start(self.top));
        if let Some(offset) = self.search.current_offset() {
            self.reveal(body, offset);
        }
        outcome
    }

    /// A bracketed paste into the search prompt; whether it was cut to fit.
    pub fn search_paste(&mut self, text: &str, body: &TextBody) -> Option<Cut> {
        let cut = self.search.paste(text, body, body.line_start(self.top));
        if let Some(offset) = self.search.current_offset() {
            self.reveal(body, offset);
        }
        cut
    }

    /// The search prompt's input, when open.
    pub fn search_input(&self) -> Option<&Input> {
        self.search.input()
    }

    pub(crate) fn set_viewport(&self, width: u16, height: u16) {
        self.viewport.set((width, height));
    }

    pub(crate) fn top_row(&self) -> usize {
        self.top_row
    }
}
