//! What keys, the mouse and pastes do: the key map turns a key into an [`Action`], and one
//! `match` here carries it out.

use ratatui::crossterm::event::{Event, KeyEvent, MouseButton, MouseEventKind};
use ratatui::layout::Position;

use super::{Focus, Popup, Report, Screen, WalkApp};
use crate::flow::{FlowKind, StepState};
use crate::present::tr_fill;
use crate::tui::event::Message;
use crate::tui::keymap::Action;
use crate::tui::runtime::{App, Command};
use crate::tui::widget::input::{Cut, Input, InputOutcome, MAX_INPUT};

impl WalkApp {
    fn key(&mut self, key: &KeyEvent) -> Vec<Command<Report>> {
        let redraw = vec![Command::Redraw];
        // The edit form takes every key.
        if matches!(self.popups.top(), Some(Popup::Edit(_))) {
            return self.edit_key(key);
        }
        // An open input takes every key.
        if let Some(Popup::Paste(input)) = self.popups.top_mut() {
            match input.handle_key(key) {
                InputOutcome::Submit(text) => {
                    self.popups.pop();
                    self.pasted(&text);
                }
                InputOutcome::Cancel => {
                    self.popups.pop();
                }
                InputOutcome::Changed => {}
                InputOutcome::Ignored => return Vec::new(),
            }
            return redraw;
        }
        if self.focus == Focus::Detail
            && self.popups.is_empty()
            && let Screen::Walk(w) = &mut self.screen
            && w.view.is_editing_search()
        {
            return match w.view.search_key(key, &w.body) {
                InputOutcome::Ignored => Vec::new(),
                _ => redraw,
            };
        }
        let searching = match &self.screen {
            Screen::Walk(w) => self.focus == Focus::Detail && w.view.is_searching(),
            _ => false,
        };
        let Some(action) = self.keymap.resolve(key, searching) else {
            return Vec::new();
        };
        // The scenario list takes up, down and Enter.
        if let Some(Popup::Scenarios { selected }) = self.popups.top_mut() {
            let last = crate::sandbox::scenario_names().len();
            match action {
                Action::Up => *selected = selected.saturating_sub(1),
                Action::Down => *selected = (*selected + 1).min(last),
                Action::RunSelected | Action::RunNext => {
                    let picked = *selected;
                    self.popups.pop();
                    self.status = None;
                    self.apply_scenario(picked);
                }
                _ => {
                    if let Some(outcome) = self.popups.on_action(action) {
                        return outcome.into();
                    }
                }
            }
            return redraw;
        }
        if let Some(commands) = self.compare_action(action) {
            return commands;
        }
        if let Some(commands) = self.code_key(action) {
            return commands;
        }
        if let Some(outcome) = self.popups.on_action(action) {
            return outcome.into();
        }
        self.status = None;
        self.act(action)
    }

    /// Carry out one action.
    fn act(&mut self, action: Action) -> Vec<Command<Report>> {
        match action {
            Action::Quit => return vec![Command::Quit],
            Action::Help => {
                self.popups.push(Popup::Help);
                return vec![Command::Redraw];
            }
            Action::CycleTheme => {
                self.themes.cycle();
                return vec![Command::Redraw];
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                return vec![Command::SetMouseCapture(self.mouse), Command::Redraw];
            }
            Action::Language => {
                self.next_language();
                return vec![Command::Redraw];
            }
            Action::Scenario if self.place.is_some() => {
                let current = self.place.as_ref().and_then(|p| p.scenario());
                let selected = current
                    .and_then(|c| {
                        crate::sandbox::scenario_names()
                            .iter()
                            .position(|n| *n == c)
                    })
                    .map_or(0, |i| i + 1);
                self.popups.push(Popup::Scenarios { selected });
                return vec![Command::Redraw];
            }
            _ => {}
        }
        match &mut self.screen {
            Screen::Picker { selected } => {
                match action {
                    Action::Up => *selected = selected.saturating_sub(1),
                    Action::Down => *selected = (*selected + 1).min(FlowKind::ALL.len() - 1),
                    Action::Focus(n) if usize::from(n) <= FlowKind::ALL.len() => {
                        *selected = usize::from(n) - 1;
                    }
                    Action::RunSelected | Action::RunNext => {
                        let flow = FlowKind::ALL[*selected];
                        if let Err(e) = self.start_walk(flow) {
                            self.popups.push(Popup::Error(e));
                        }
                        self.refresh();
                    }
                    _ => return Vec::new(),
                }
                vec![Command::Redraw]
            }
            Screen::Walk(_) => self.act_on_walk(action),
            Screen::Starting | Screen::Failed(_) => Vec::new(),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one flat dispatch match over the key map's actions"
    )]
    fn act_on_walk(&mut self, action: Action) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let present = self.opts.present;
        let focus = self.focus;
        let Screen::Walk(w) = &mut self.screen else {
            return Vec::new();
        };
        let steps = w.walk.steps.len();
        let replay = w.is_replay();
        match action {
            // A replay steps like slides: `n` (or Enter) shows the next step, `b` the one before.
            Action::RunNext | Action::RunSelected if replay => {
                if w.selected + 1 < steps {
                    w.selected += 1;
                    w.view = crate::tui::widget::text_view::TextView::new(true);
                }
            }
            // Nothing runs, nothing is pasted.
            Action::Retry
            | Action::Paste
            | Action::Restart
            | Action::SwitchUser
            | Action::Flows
            | Action::Refresh
                if replay =>
            {
                self.status = Some(crate::present::tr(lang, "tui.replay-read-only").to_owned());
            }
            Action::Restart => {
                self.restart(None);
                return vec![Command::Redraw];
            }
            Action::SwitchUser => {
                self.switch_user();
                return vec![Command::Redraw];
            }
            Action::Flows => {
                self.back_to_picker();
                return vec![Command::Redraw];
            }
            Action::Refresh => return self.run_refresh(),
            Action::Edit => return self.open_edit(),
            Action::Compare => return self.open_compare(),
            Action::Timeline => self.popups.push(Popup::Timeline),
            // At the consent, `n` approves as the highlighted demo user, as Enter does.
            Action::RunNext if w.consent().is_some() => return self.give_consent(),
            Action::RunNext => return self.run_next(),
            Action::RunSelected => {
                if w.consent().is_some()
                    && (focus == Focus::Detail || Some(w.step()) == super::session_consent_step(w))
                {
                    return self.give_consent();
                }
                let selected = w.walk.steps[w.selected].clone();
                if matches!(selected.state, StepState::Done | StepState::Failed)
                    && let Some((session, _)) = w.live_mut()
                {
                    session.retry(selected.id);
                }
                return self.run_next();
            }
            Action::Retry => {
                let failed = w
                    .walk
                    .steps
                    .iter()
                    .find(|s| s.state == StepState::Failed)
                    .map(|s| s.id);
                let step = failed.unwrap_or_else(|| w.step());
                if let Some((session, _)) = w.live_mut() {
                    session.retry(step);
                }
                w.select_step(step);
                return self.run_next();
            }
            Action::Paste => self.popups.push(Popup::Paste(Input::default())),
            Action::ToggleSecrets if !present && w.can_reveal() => w.toggle_reveal(),
            Action::FocusNext | Action::FocusPrev => {
                let order = [Focus::Steps, Focus::Detail, Focus::Diagnosis];
                let shown = if self.areas.diagnosis.is_empty() {
                    2
                } else {
                    3
                };
                let i = order.iter().position(|f| *f == focus).unwrap_or(0);
                let next = if action == Action::FocusNext {
                    (i + 1) % shown
                } else {
                    (i + shown - 1) % shown
                };
                self.focus = order[next];
            }
            Action::Focus(1) => self.focus = Focus::Steps,
            Action::Focus(2) => self.focus = Focus::Detail,
            Action::Focus(3) if !self.areas.diagnosis.is_empty() => self.focus = Focus::Diagnosis,
            Action::Up | Action::Down if focus == Focus::Steps => {
                w.selected = if action == Action::Up {
                    w.selected.saturating_sub(1)
                } else {
                    (w.selected + 1).min(steps - 1)
                };
                w.attempt = None;
                w.view = crate::tui::widget::text_view::TextView::new(true);
                w.scroll = super::view::Scroll::default();
            }
            Action::Up | Action::Down if focus == Focus::Detail && w.consent().is_some() => {
                if let Some((session, _)) = w.live_mut() {
                    let (users, picked) = session.users();
                    let n = users.len().max(1);
                    let next = if action == Action::Up {
                        picked.saturating_sub(1)
                    } else {
                        (picked + 1).min(n - 1)
                    };
                    session.pick_user(next);
                }
            }
            // On the Fields tab the arrows move the row `y` copies.
            Action::Up | Action::Down
                if focus == Focus::Detail
                    && w.tab == super::Tab::Fields
                    && !w.shows_authorize()
                    && w.exchange().is_some_and(|e| !e.fields.is_empty()) =>
            {
                let n = w.exchange().map_or(1, |e| e.fields.len());
                w.field = if action == Action::Up {
                    w.field.saturating_sub(1)
                } else {
                    (w.field + 1).min(n - 1)
                };
                w.view.reveal_line(w.field);
            }
            Action::Copy
                if focus == Focus::Detail
                    && w.tab == super::Tab::Fields
                    && !w.shows_authorize()
                    && w.exchange().is_some_and(|e| !e.fields.is_empty()) =>
            {
                let Some(f) = w.exchange().and_then(|e| e.fields.get(w.field)) else {
                    return Vec::new();
                };
                let secret = crate::redact::SECRET_FIELDS.contains(&f.key.as_str());
                let what = crate::tui::visible(&f.key).into_owned();
                if secret && !w.policy().reveal {
                    // A masked value is no value: say how to get the real one.
                    let key = self.keymap.hint(Action::ToggleSecrets);
                    self.status = Some(tr_fill(
                        lang,
                        "tui.secret-masked",
                        &[("what", &what), ("key", &key)],
                    ));
                    return vec![Command::Redraw];
                }
                let value = f.value.clone();
                let note = if secret {
                    "tui.copied-secret"
                } else {
                    "tui.copied"
                };
                self.status = Some(tr_fill(lang, note, &[("what", &what)]));
                return vec![Command::Copy(value), Command::Redraw];
            }
            // The diagnosis and the authorize pane scroll like the text views.
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
                if focus == Focus::Diagnosis || (focus == Focus::Detail && w.shows_authorize()) =>
            {
                let (top, max, page) = if focus == Focus::Diagnosis {
                    let a = self.areas.diagnosis;
                    (&mut w.scroll.diagnosis, self.areas.diagnosis_max, a.height)
                } else {
                    let a = self.areas.detail;
                    (&mut w.scroll.authorize, self.areas.authorize_max, a.height)
                };
                let page = usize::from(page.saturating_sub(3).max(1));
                *top = match action {
                    Action::Up => top.saturating_sub(1),
                    Action::Down => *top + 1,
                    Action::PageUp => top.saturating_sub(page),
                    Action::PageDown => *top + page,
                    Action::Top => 0,
                    _ => max,
                }
                .min(max);
            }
            Action::Back => {
                w.selected = w.selected.saturating_sub(1);
                self.focus = Focus::Detail;
            }
            Action::NextTab | Action::PrevTab if !w.shows_authorize() => {
                w.tab = w.tab.next(action == Action::NextTab);
                w.view = crate::tui::widget::text_view::TextView::new(true);
            }
            Action::TogglePretty => w.pretty = !w.pretty,
            Action::FullscreenQr if w.qr.is_some() => self.popups.push(Popup::Qr),
            Action::Copy => {
                let (what, text) = if w.shows_authorize() || focus == Focus::Steps {
                    ("URL", w.authorize_url().unwrap_or_default())
                } else {
                    ("text", w.body.as_str().to_owned())
                };
                self.status = Some(tr_fill(lang, "tui.copied", &[("what", what)]));
                return vec![Command::Copy(text), Command::Redraw];
            }
            Action::CopyCode => return self.open_code(),
            Action::CopyCurl => {
                // As it was sent (a live walk), or as the recording holds it (a replay); its
                // secrets masked unless shown (`s`, never in presenter mode), as on screen.
                let step = w.step();
                let request = w.exchange().map(|e| e.request.clone()).or_else(|| {
                    w.walk
                        .pending
                        .as_ref()
                        .filter(|p| p.step == step)
                        .map(|p| p.request.clone())
                });
                if let Some(request) = request {
                    self.status = Some(tr_fill(lang, "tui.copied", &[("what", "curl")]));
                    return vec![
                        Command::Copy(super::content::curl(&request)),
                        Command::Redraw,
                    ];
                }
                self.status = Some(crate::present::tr(lang, "tui.curl-none").to_owned());
            }
            Action::Export => match super::view::export(w, self.opts.export_dir.as_deref()) {
                Ok(path) => {
                    self.status = Some(tr_fill(
                        lang,
                        "tui.exported",
                        &[("path", &path.display().to_string())],
                    ));
                }
                Err(e) => self.popups.push(Popup::Error(e)),
            },
            Action::Search if focus == Focus::Detail && !w.shows_authorize() => {
                w.view.apply(Action::Search, &w.body);
            }
            Action::Cancel => {
                if w.view.is_searching() {
                    w.view.apply(Action::Cancel, &w.body);
                } else if w.consent().is_some() {
                    // The consent stays: Esc says what it waits for rather than hiding it.
                    let approve = self.keymap.hint(Action::RunSelected);
                    self.status = Some(tr_fill(lang, "tui.consent-waits", &[("key", &approve)]));
                } else if w.phase() == crate::session::Phase::Waiting
                    && let Some((session, _)) = w.live_mut()
                {
                    session.cancel();
                }
            }
            other if focus == Focus::Detail && !w.shows_authorize() => {
                if !w.view.apply(other, &w.body) {
                    return Vec::new();
                }
            }
            _ => return Vec::new(),
        }
        self.refresh();
        vec![Command::Redraw]
    }

    fn mouse(&mut self, column: u16, row: u16, kind: MouseEventKind) -> Vec<Command<Report>> {
        let at = Position::new(column, row);
        let areas = self.areas;
        let pane = if areas.steps.contains(at) {
            Focus::Steps
        } else if areas.detail.contains(at) {
            Focus::Detail
        } else if areas.diagnosis.contains(at) {
            Focus::Diagnosis
        } else {
            return Vec::new();
        };
        match kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                if pane == Focus::Steps
                    && let Screen::Walk(w) = &mut self.screen
                {
                    let row = usize::from(row.saturating_sub(areas.steps.y + 1));
                    if row < w.walk.steps.len() {
                        w.selected = row;
                    }
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let action = if kind == MouseEventKind::ScrollDown {
                    Action::Down
                } else {
                    Action::Up
                };
                if let Screen::Walk(w) = &mut self.screen
                    && pane == Focus::Detail
                {
                    w.view.apply(action, &w.body);
                }
            }
            _ => return Vec::new(),
        }
        self.refresh();
        vec![Command::Redraw]
    }
}

impl App for WalkApp {
    type Report = Report;

    fn update(&mut self, message: Message<Report>) -> Vec<Command<Report>> {
        match message {
            Message::Input(Event::Key(key)) => self.key(&key),
            Message::Input(Event::Paste(text)) => {
                let cut = match self.popups.top_mut() {
                    Some(Popup::Paste(input)) => input.paste(&text),
                    _ => match &mut self.screen {
                        Screen::Walk(w) if w.view.is_editing_search() => {
                            w.view.search_paste(&text, &w.body)
                        }
                        _ => {
                            let (input, cut) = Input::pasted(&text);
                            self.popups.push(Popup::Paste(input));
                            cut
                        }
                    },
                };
                if let Some(cut) = cut {
                    self.status = Some(cut_message(self.opts.lang, cut));
                }
                vec![Command::Redraw]
            }
            Message::Input(Event::Mouse(m)) => self.mouse(m.column, m.row, m.kind),
            Message::Tick => {
                self.spinner.tick();
                self.refresh();
                vec![Command::Redraw]
            }
            Message::Report(report) => self.report(report),
            Message::Resize { .. } => vec![Command::Redraw],
            Message::Input(_) | Message::Quit => Vec::new(),
        }
    }

    fn render(&mut self, frame: &mut ratatui::Frame<'_>) {
        self.draw(frame);
    }

    fn animating(&self) -> bool {
        match &self.screen {
            Screen::Starting => true,
            // Spinners while waiting, countdowns while a code or token runs out.
            // A replay stands still.
            Screen::Walk(w) => {
                !w.is_replay()
                    && (w.phase() == crate::session::Phase::Waiting
                        || w.walk.steps.iter().any(|s| s.countdown.is_some()))
            }
            _ => false,
        }
    }
}

/// The status line after a paste that did not fit in an input.
fn cut_message(lang: crate::finding::Lang, cut: Cut) -> String {
    use crate::limits::Size;
    tr_fill(
        lang,
        "tui.paste-cut",
        &[
            ("kept", &Size(cut.kept as u64).to_string()),
            ("offered", &Size(cut.offered as u64).to_string()),
            ("max", &Size(MAX_INPUT as u64).to_string()),
        ],
    )
}
