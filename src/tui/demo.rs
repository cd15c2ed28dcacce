//! A minimal app over the TUI's pieces: a list pane and a text pane, focus by Tab, number or
//! mouse, the help overlay, theme cycling, a paste input, a full-screen QR, copy through OSC 52,
//! a spawned task with a spinner, and quit. It proves the loop end to end in tests; the real
//! panes replace it.

use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyEvent, MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use super::event::Message;
use super::keymap::{Action, KeyMap};
use super::runtime::{App, Command};
use super::text::truncate;
use super::theme::ThemeSet;
use super::widget::help;
use super::widget::input::{self, Input, InputOutcome};
use super::widget::popup::{self, ModalStack};
use super::widget::qr::{self, QrImage};
use super::widget::spinner::Spinner;
use super::widget::text_view::{self, TextBody, TextView};

/// The two panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The list of items.
    List,
    /// The text view.
    Text,
}

/// What can be open over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    /// The key help.
    Help,
    /// A paste/typing input.
    Input(Input),
    /// The QR code, full screen.
    Qr,
    /// An error to read and close.
    Error(String),
}

/// The demo's state.
pub struct DemoApp {
    keymap: KeyMap,
    themes: ThemeSet,
    items: Vec<String>,
    selected: usize,
    body: TextBody,
    view: TextView,
    focus: Pane,
    popups: ModalStack<Popup>,
    qr: QrImage,
    spinner: Spinner,
    busy: bool,
    mouse: bool,
    areas: [Rect; 2],
}

impl DemoApp {
    /// A demo over `items` and `body`.
    pub fn new(items: Vec<String>, body: &str, keymap: KeyMap, themes: ThemeSet) -> Self {
        Self {
            keymap,
            themes,
            items,
            selected: 0,
            body: TextBody::new(body),
            view: TextView::new(false),
            focus: Pane::List,
            popups: ModalStack::default(),
            qr: QrImage::new("http://127.0.0.1:8080/oauth2/authorize?app_id=2021000000000001"),
            spinner: Spinner::default(),
            busy: false,
            mouse: true,
            areas: [Rect::default(); 2],
        }
    }

    /// The focused pane.
    pub fn focus(&self) -> Pane {
        self.focus
    }

    /// The items, including what tasks and the input added.
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// The theme in use.
    pub fn theme_name(&self) -> &str {
        &self.themes.current().name
    }

    fn commands(&self) -> &'static [Action] {
        match self.focus {
            Pane::List => &[
                Action::FocusNext,
                Action::RunSelected,
                Action::Copy,
                Action::Paste,
                Action::FullscreenQr,
                Action::CycleTheme,
                Action::Quit,
            ],
            Pane::Text => &[
                Action::FocusNext,
                Action::Search,
                Action::SearchNext,
                Action::ToggleWrap,
                Action::PageDown,
                Action::Quit,
            ],
        }
    }

    fn key(&mut self, key: &KeyEvent) -> Vec<Command<String>> {
        let redraw = vec![Command::Redraw];
        if let Some(Popup::Input(input)) = self.popups.top_mut() {
            match input.handle_key(key) {
                InputOutcome::Submit(text) => {
                    self.popups.pop();
                    if !text.is_empty() {
                        self.items.push(text);
                    }
                }
                InputOutcome::Cancel => {
                    self.popups.pop();
                }
                InputOutcome::Changed => {}
                InputOutcome::Ignored => return Vec::new(),
            }
            return redraw;
        }
        if self.focus == Pane::Text && self.view.is_editing_search() && self.popups.is_empty() {
            return match self.view.search_key(key, &self.body) {
                InputOutcome::Ignored => Vec::new(),
                _ => redraw,
            };
        }
        let searching = self.focus == Pane::Text && self.view.is_searching();
        let Some(action) = self.keymap.resolve(key, searching) else {
            return Vec::new();
        };
        if let Some(outcome) = self.popups.on_action(action) {
            return outcome.into();
        }
        self.act(action)
    }

    fn act(&mut self, action: Action) -> Vec<Command<String>> {
        match action {
            Action::Quit => return vec![Command::Quit],
            Action::FocusNext | Action::FocusPrev => {
                self.focus = match self.focus {
                    Pane::List => Pane::Text,
                    Pane::Text => Pane::List,
                };
            }
            Action::Focus(1) => self.focus = Pane::List,
            Action::Focus(2) => self.focus = Pane::Text,
            Action::Help => self.popups.push(Popup::Help),
            Action::FullscreenQr => self.popups.push(Popup::Qr),
            Action::Paste => self.popups.push(Popup::Input(Input::default())),
            Action::CycleTheme => {
                self.themes.cycle();
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                return vec![Command::SetMouseCapture(self.mouse), Command::Redraw];
            }
            Action::Copy => {
                let item = self.items.get(self.selected).cloned().unwrap_or_default();
                return vec![Command::Copy(item)];
            }
            Action::RunSelected if self.focus == Pane::List => {
                let item = self.items.get(self.selected).cloned().unwrap_or_default();
                self.busy = true;
                let task = async move { Message::Report(format!("ran {item}")) };
                return vec![Command::Spawn(Box::pin(task)), Command::Redraw];
            }
            Action::Up if self.focus == Pane::List => {
                self.selected = self.selected.saturating_sub(1);
            }
            Action::Down if self.focus == Pane::List => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
            }
            other if self.focus == Pane::Text => {
                if !self.view.apply(other, &self.body) {
                    return Vec::new();
                }
            }
            _ => return Vec::new(),
        }
        vec![Command::Redraw]
    }

    fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        let at = Position::new(column, row);
        [Pane::List, Pane::Text]
            .into_iter()
            .zip(self.areas)
            .find(|(_, area)| area.contains(at))
            .map(|(pane, _)| pane)
    }
}

impl App for DemoApp {
    type Report = String;

    fn update(&mut self, message: Message<String>) -> Vec<Command<String>> {
        match message {
            Message::Input(Event::Key(key)) => self.key(&key),
            Message::Input(Event::Paste(text)) => {
                match self.popups.top_mut() {
                    Some(Popup::Input(input)) => {
                        input.paste(&text);
                    }
                    _ if self.view.is_editing_search() => {
                        self.view.search_paste(&text, &self.body);
                    }
                    _ => self.popups.push(Popup::Input(Input::pasted(&text).0)),
                }
                vec![Command::Redraw]
            }
            Message::Input(Event::Mouse(mouse)) => {
                let Some(pane) = self.pane_at(mouse.column, mouse.row) else {
                    return Vec::new();
                };
                match mouse.kind {
                    MouseEventKind::Down(MouseButton::Left) => self.focus = pane,
                    MouseEventKind::ScrollDown if pane == Pane::Text => {
                        self.view.apply(Action::Down, &self.body);
                    }
                    MouseEventKind::ScrollUp if pane == Pane::Text => {
                        self.view.apply(Action::Up, &self.body);
                    }
                    _ => return Vec::new(),
                }
                vec![Command::Redraw]
            }
            Message::Tick => {
                self.spinner.tick();
                vec![Command::Redraw]
            }
            Message::Report(note) => {
                self.busy = false;
                self.items.push(note);
                vec![Command::Redraw]
            }
            Message::Resize { .. } => vec![Command::Redraw],
            Message::Input(_) | Message::Quit => Vec::new(),
        }
    }

    fn render(&mut self, frame: &mut Frame<'_>) {
        let styles = self.themes.current().styles;
        let area = frame.area();
        let buf = frame.buffer_mut();
        buf.set_style(area, styles.base);
        let [header, main, bar] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let state = if self.busy { self.spinner.glyph() } else { " " };
        let title = format!("authwalk {state} theme: {}", self.themes.current().name);
        buf.set_stringn(header.x, header.y, title, header.width.into(), styles.title);
        let [list_area, text_area] =
            Layout::horizontal([Constraint::Percentage(35), Constraint::Min(10)]).areas(main);
        self.areas = [list_area, text_area];
        let mut cursor = None;
        for (pane, area, name) in [
            (Pane::List, list_area, "1 Items"),
            (Pane::Text, text_area, "2 Body"),
        ] {
            let border = if self.focus == pane {
                styles.border_focused
            } else {
                styles.border
            };
            let block = Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(border)
                .title(Span::styled(name, styles.title));
            let inner = block.inner(area);
            block.render(area, buf);
            match pane {
                Pane::List => {
                    for (i, item) in self.items.iter().enumerate().take(inner.height.into()) {
                        let y = inner.y + u16::try_from(i).unwrap_or(0);
                        let style = if i == self.selected {
                            styles.selection
                        } else {
                            styles.base
                        };
                        let text = truncate(item, inner.width.into());
                        buf.set_line(inner.x, y, &Line::styled(text, style), inner.width);
                    }
                }
                Pane::Text => {
                    cursor = text_view::render(buf, inner, &self.body, &self.view, &styles);
                }
            }
        }
        help::render_key_bar(buf, bar, &self.keymap, self.commands(), &styles);
        for layer in self.popups.iter() {
            match layer {
                Popup::Help => help::render_help(buf, area, &self.keymap, &styles),
                Popup::Qr => {
                    let close = self.keymap.hint(Action::Cancel);
                    qr::render_fullscreen(buf, area, &self.qr, "Scan to open", &close, &styles);
                }
                Popup::Error(message) => {
                    let hint = format!("{} closes", self.keymap.hint(Action::Cancel));
                    popup::render_error(buf, area, "Error", message, &hint, &styles);
                }
                Popup::Input(input) => {
                    let spot = popup::centered(area, 60, 3);
                    let inner =
                        popup::frame(buf, spot, "Paste a redirect URL, code or token", &styles);
                    cursor = input::render(buf, inner, "> ", input, &styles);
                }
            }
        }
        if let Some(position) = cursor {
            frame.set_cursor_position(position);
        }
    }

    fn animating(&self) -> bool {
        self.busy
    }
}
