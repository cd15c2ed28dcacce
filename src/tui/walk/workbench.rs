//! The workbench over a walk: `E` opens the selected step's request as a form (method, base
//! URL, how it is signed, every parameter) and sends it again as a new attempt of the step;
//! `c` compares an attempt of the step with another (the parameters, the string to sign, the
//! key, the answer, the findings); `T` shows every hit on the callback. The form edits a
//! [`EditedRequest`]; what differs comes from [`crate::present::compare`].

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Popup, Report, Screen, WalkApp, task};
use crate::flow::StepKind;
use crate::present::{tr, tr_fill};
use crate::session::EditedRequest;
use crate::tui::keymap::Action;
use crate::tui::runtime::Command;
use crate::tui::widget::input::{Input, InputOutcome};

/// A row of the edit form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Method,
    Base,
    /// How an Alipay request is signed (absent for WeChat).
    Signing,
    Param(usize),
    /// "Add a parameter".
    Add,
}

/// The edit form: the request, the row picked, and the value being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditForm {
    pub request: EditedRequest,
    pub row: usize,
    /// The value being typed for the row, when one is.
    pub input: Option<Input>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Redraw,
    Send,
    Close,
    /// `q` while no value is typed: leave authwalk, as everywhere.
    Quit,
    Ignored,
}

impl EditForm {
    pub fn new(request: EditedRequest) -> Self {
        Self {
            request,
            row: 0,
            input: None,
        }
    }

    /// The rows in order.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = vec![Row::Method, Row::Base];
        if self.request.signing.is_some() {
            rows.push(Row::Signing);
        }
        rows.extend((0..self.request.params.len()).map(Row::Param));
        rows.push(Row::Add);
        rows
    }

    pub fn current(&self) -> Row {
        self.rows().get(self.row).copied().unwrap_or(Row::Add)
    }

    /// Whether a value is a secret the screen masks: it is typed anew rather than shown.
    fn secret(&self, row: Row, reveal: bool) -> bool {
        !reveal
            && matches!(row, Row::Param(i) if self.request.params.get(i)
                .is_some_and(|(k, _)| crate::redact::SECRET_PARAMS.contains(&k.as_str())))
    }

    fn begin(&mut self, reveal: bool) {
        let row = self.current();
        let text = match row {
            Row::Base => self.request.base_url.clone(),
            Row::Param(_) if self.secret(row, reveal) => String::new(),
            Row::Param(i) => self.request.params[i].1.clone(),
            Row::Add => String::new(),
            Row::Method | Row::Signing => return,
        };
        self.input = Some(Input::with_text(&text));
    }

    fn submit(&mut self, text: &str) {
        match self.current() {
            Row::Base => text.clone_into(&mut self.request.base_url),
            // An empty answer keeps a masked secret as it was.
            Row::Param(_) if text.is_empty() => {}
            Row::Param(i) => text.clone_into(&mut self.request.params[i].1),
            Row::Add => {
                let (k, v) = text.split_once('=').unwrap_or((text, ""));
                if !k.trim().is_empty() {
                    self.request
                        .params
                        .push((k.trim().to_owned(), v.to_owned()));
                    self.row = self.rows().len().saturating_sub(2);
                }
            }
            Row::Method | Row::Signing => {}
        }
    }

    /// Carry out a key: while a value is typed every key goes to it; otherwise the arrows
    /// (and j/k) move, Enter changes the row, `a` adds, `d` removes, `m` switches the method,
    /// `o` the signing, `s` sends, Esc closes and `q` quits.
    pub fn key(&mut self, key: &KeyEvent, reveal: bool) -> FormOutcome {
        if let Some(input) = &mut self.input {
            match input.handle_key(key) {
                InputOutcome::Submit(text) => {
                    self.input = None;
                    self.submit(&text);
                }
                InputOutcome::Cancel => self.input = None,
                InputOutcome::Changed => {}
                InputOutcome::Ignored => return FormOutcome::Ignored,
            }
            return FormOutcome::Redraw;
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return FormOutcome::Ignored;
        }
        let last = self.rows().len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return FormOutcome::Close,
            KeyCode::Char('q') => return FormOutcome::Quit,
            KeyCode::Up | KeyCode::Char('k') => self.row = self.row.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.row = (self.row + 1).min(last),
            KeyCode::Char('m') => self.request.toggle_method(),
            KeyCode::Char('o') => {
                self.request.signing = self.request.signing.map(crate::session::Signing::toggled);
            }
            KeyCode::Char('s') => return FormOutcome::Send,
            KeyCode::Char('a') => {
                self.row = last;
                self.begin(reveal);
            }
            KeyCode::Char('d') | KeyCode::Delete => {
                if let Row::Param(i) = self.current() {
                    self.request.params.remove(i);
                    self.row = self.row.min(self.rows().len().saturating_sub(1));
                }
            }
            KeyCode::Enter => match self.current() {
                Row::Method => self.request.toggle_method(),
                Row::Signing => {
                    self.request.signing =
                        self.request.signing.map(crate::session::Signing::toggled);
                }
                _ => self.begin(reveal),
            },
            _ => return FormOutcome::Ignored,
        }
        FormOutcome::Redraw
    }

    /// The rows as text: label and value, secrets masked unless `reveal`, changed ones marked.
    pub fn lines(&self, lang: crate::finding::Lang, reveal: bool) -> Vec<(bool, String)> {
        let changed = self.request.changed();
        self.rows()
            .into_iter()
            .map(|row| match row {
                Row::Method => (
                    false,
                    format!(
                        "{:<14} {}",
                        tr(lang, "tui.edit-method"),
                        self.request.method
                    ),
                ),
                Row::Base => (
                    self.request.base_url
                        != self
                            .request
                            .original()
                            .url
                            .split('?')
                            .next()
                            .unwrap_or_default(),
                    format!(
                        "{:<14} {}",
                        tr(lang, "tui.edit-base"),
                        self.request.base_url
                    ),
                ),
                Row::Signing => (
                    false,
                    format!(
                        "{:<14} {}",
                        tr(lang, "tui.edit-signing"),
                        self.request.signing.map_or("", |s| tr(lang, s.key()))
                    ),
                ),
                Row::Param(i) => {
                    let (k, v) = &self.request.params[i];
                    let shown = if self.secret(row, reveal) {
                        crate::redact::mask(v)
                    } else {
                        v.clone()
                    };
                    (changed.contains(k), format!("  {k:<12} {shown}"))
                }
                Row::Add => (false, format!("  {}", tr(lang, "tui.edit-add"))),
            })
            .collect()
    }
}

/// Where the compare view stands: the step and the two attempts, as positions in the step's
/// list of attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareView {
    pub step: StepKind,
    pub left: usize,
    pub right: usize,
}

/// The indexes in the walk's exchanges of every attempt of `step`, oldest first.
pub fn attempts(walk: &crate::present::Walk, step: StepKind) -> Vec<usize> {
    walk.exchanges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.step == step)
        .map(|(i, _)| i)
        .collect()
}

impl WalkApp {
    /// `E`: the selected step's latest request as a form.
    pub(super) fn open_edit(&mut self) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let Screen::Walk(w) = &mut self.screen else {
            return Vec::new();
        };
        let step = w.step();
        let Some((session, _)) = w.live_mut() else {
            self.status = Some(tr(lang, "tui.replay-read-only").to_owned());
            return vec![Command::Redraw];
        };
        match session.edit(step) {
            Ok(request) => self
                .popups
                .push(Popup::Edit(Box::new(EditForm::new(request)))),
            Err(crate::flow::FlowError::NeverSent { step }) => {
                let key = if step.sends_request() {
                    "tui.edit-never-sent"
                } else {
                    "tui.edit-no-request"
                };
                let title = step.title_in(session.flow().kind().provider());
                self.status = Some(tr_fill(lang, key, &[("step", title.get(lang))]));
            }
            Err(e) => self.status = Some(e.to_string()),
        }
        vec![Command::Redraw]
    }

    /// A key while the edit form is open.
    pub(super) fn edit_key(&mut self, key: &KeyEvent) -> Vec<Command<Report>> {
        let reveal = match &self.screen {
            Screen::Walk(w) => w.policy().reveal,
            _ => false,
        };
        let Some(Popup::Edit(form)) = self.popups.top_mut() else {
            return Vec::new();
        };
        match form.key(key, reveal) {
            FormOutcome::Ignored => Vec::new(),
            FormOutcome::Quit => vec![Command::Quit],
            FormOutcome::Redraw => vec![Command::Redraw],
            FormOutcome::Close => {
                self.popups.pop();
                vec![Command::Redraw]
            }
            FormOutcome::Send => {
                let request = form.request.clone();
                self.send_edited(&request)
            }
        }
    }

    fn send_edited(&mut self, request: &EditedRequest) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let transport = self.transport.clone();
        let Screen::Walk(w) = &mut self.screen else {
            return Vec::new();
        };
        let Some((session, _)) = w.live_mut() else {
            return Vec::new();
        };
        match session.resend(request) {
            Ok(crate::session::Command::Send {
                step,
                attempt,
                request,
            }) => {
                self.popups.pop();
                let n = session.flow().attempts(step).len() + 1;
                w.select_step(step);
                w.tab = super::Tab::Request;
                self.status = Some(tr_fill(
                    lang,
                    "tui.resent",
                    &[("n", &n.to_string()), ("step", step.id())],
                ));
                self.refresh();
                vec![
                    Command::Spawn(task::send(transport, attempt, request)),
                    Command::Redraw,
                ]
            }
            Ok(_) => vec![Command::Redraw],
            Err(e) => {
                self.popups.push(Popup::Error(e.to_string()));
                vec![Command::Redraw]
            }
        }
    }

    /// `c`: the selected step's latest attempt against the one before.
    pub(super) fn open_compare(&mut self) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let Screen::Walk(w) = &self.screen else {
            return Vec::new();
        };
        let step = w.step();
        if !step.sends_request() {
            let title = step.title_in(w.walk.flow.provider());
            let text = tr_fill(lang, "tui.compare-no-request", &[("step", title.get(lang))]);
            self.status = Some(text);
            return vec![Command::Redraw];
        }
        let n = attempts(&w.walk, step).len();
        if n < 2 {
            self.status = Some(tr(lang, "tui.compare-none").to_owned());
            return vec![Command::Redraw];
        }
        self.popups.push(Popup::Compare(CompareView {
            step,
            left: n - 2,
            right: n - 1,
        }));
        vec![Command::Redraw]
    }

    /// Enter in the compare view: show its earlier attempt in the panes, in place of the
    /// step's latest, until the selection moves or an answer comes.
    fn show_compared(&mut self) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let Some(Popup::Compare(view)) = self.popups.top().cloned() else {
            return Vec::new();
        };
        self.popups.pop();
        let Screen::Walk(w) = &mut self.screen else {
            return Vec::new();
        };
        let list = attempts(&w.walk, view.step);
        if let Some(&index) = list.get(view.left) {
            w.select_step(view.step);
            w.attempt = Some(index);
            self.status = Some(tr_fill(
                lang,
                "tui.showing-attempt",
                &[
                    ("n", &(view.left + 1).to_string()),
                    ("step", view.step.id()),
                ],
            ));
        }
        self.refresh();
        vec![Command::Redraw]
    }

    /// An action while the compare view is open: left and right pick the earlier attempt,
    /// up and down the later one, Enter shows the earlier one in the panes.
    pub(super) fn compare_action(&mut self, action: Action) -> Option<Vec<Command<Report>>> {
        let n = match &self.screen {
            Screen::Walk(w) => match self.popups.top() {
                Some(Popup::Compare(c)) => attempts(&w.walk, c.step).len(),
                _ => return None,
            },
            _ => return None,
        };
        if action == Action::RunSelected {
            return Some(self.show_compared());
        }
        let Some(Popup::Compare(c)) = self.popups.top_mut() else {
            return None;
        };
        let last = n.saturating_sub(1);
        match action {
            Action::Left | Action::PrevTab => c.left = c.left.saturating_sub(1),
            Action::Right | Action::NextTab => c.left = (c.left + 1).min(last),
            Action::Up => c.right = c.right.saturating_sub(1),
            Action::Down => c.right = (c.right + 1).min(last),
            _ => return None,
        }
        Some(vec![Command::Redraw])
    }
}

#[cfg(test)]
mod tests;
