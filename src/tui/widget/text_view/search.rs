//! Incremental search over a [`TextBody`]: smart case (a query without capitals ignores ASCII
//! case), every match kept as a byte range, one of them current.

use ratatui::crossterm::event::KeyEvent;

use super::TextBody;
use crate::tui::widget::input::{Cut, Input, InputOutcome};

/// Matches kept at most; a search for `"` in a 5 MB JSON would otherwise hold millions.
pub const MAX_MATCHES: usize = 100_000;

/// The query, its matches and which one the view is on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Search {
    /// The prompt, while the query is being typed.
    editing: Option<Input>,
    query: String,
    /// Byte ranges, in order.
    matches: Vec<(usize, usize)>,
    current: Option<usize>,
}

impl Search {
    /// Open the prompt, starting from the last query.
    pub fn open(&mut self) {
        self.editing = Some(Input::with_text(&self.query));
    }

    /// Whether the prompt is open.
    pub fn is_editing(&self) -> bool {
        self.editing.is_some()
    }

    /// Whether there is a query to show (being typed or kept).
    pub fn is_active(&self) -> bool {
        self.editing.is_some() || !self.query.is_empty()
    }

    /// Drop the query and its matches.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The query.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Every match, as byte ranges in order.
    pub fn matches(&self) -> &[(usize, usize)] {
        &self.matches
    }

    /// Which match the view is on.
    pub fn current(&self) -> Option<usize> {
        self.current
    }

    /// Where the current match starts.
    pub fn current_offset(&self) -> Option<usize> {
        self.current.and_then(|i| self.matches.get(i)).map(|m| m.0)
    }

    /// The prompt's input, while open.
    pub fn input(&self) -> Option<&Input> {
        self.editing.as_ref()
    }

    /// Move to the next (or previous) match, wrapping; its offset.
    pub fn step(&mut self, forward: bool) -> Option<usize> {
        let n = self.matches.len();
        if n == 0 {
            return None;
        }
        let i = match (self.current, forward) {
            (None, _) => 0,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        self.current = Some(i);
        self.current_offset()
    }

    pub(super) fn key(&mut self, key: &KeyEvent, body: &TextBody, from: usize) -> InputOutcome {
        let Some(input) = self.editing.as_mut() else {
            return InputOutcome::Ignored;
        };
        let outcome = input.handle_key(key);
        match &outcome {
            InputOutcome::Submit(_) => self.editing = None,
            InputOutcome::Cancel => self.clear(),
            InputOutcome::Changed => {
                let query = input.text().to_owned();
                self.find(body, query, from);
            }
            InputOutcome::Ignored => {}
        }
        outcome
    }

    pub(super) fn paste(&mut self, text: &str, body: &TextBody, from: usize) -> Option<Cut> {
        let input = self.editing.as_mut()?;
        let cut = input.paste(text);
        let query = input.text().to_owned();
        self.find(body, query, from);
        cut
    }

    /// Find every match of `query`; the current one is the first at or after `from`.
    fn find(&mut self, body: &TextBody, query: String, from: usize) {
        self.matches.clear();
        self.current = None;
        if !query.is_empty() {
            let fold = !query.chars().any(|c| c.is_ascii_uppercase());
            let (haystack, needle) = if fold {
                (body.folded(), query.to_ascii_lowercase())
            } else {
                (body.as_str(), query.clone())
            };
            self.matches.extend(
                haystack
                    .match_indices(needle.as_str())
                    .take(MAX_MATCHES)
                    .map(|(i, m)| (i, i + m.len())),
            );
            if !self.matches.is_empty() {
                let at = self.matches.partition_point(|m| m.0 < from);
                self.current = Some(if at < self.matches.len() { at } else { 0 });
            }
        }
        self.query = query;
    }
}
