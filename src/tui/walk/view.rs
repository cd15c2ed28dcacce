//! Drawing the walk: pure functions of the app state and the [`crate::present`] model. Every
//! string that came from the network passes through [`visible`] before it reaches a cell.

use std::fmt::Write as _;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget,
    Widget, Wrap,
};

use super::{Consent, Focus, Popup, Screen, Tab, WalkApp, WalkScreen};
use crate::finding::{Lang, Severity};
use crate::flow::{FlowKind, StepKind, StepState};
use crate::present::{Actor, Badge, Msg, Policy, hops, human_seconds, narration, tr, tr_fill};
use crate::session::Phase;
use crate::tui::keymap::Action;
use crate::tui::theme::Styles;
use crate::tui::visible;
use crate::tui::widget::{help, input, popup, qr, text_view};
use crate::tui::wrap::{wrap_line, wrap_text};

mod authorize;
mod code;
mod detail;
mod diagnosis;
mod export;
mod header;
mod scenarios;
mod steps;
mod strip;
mod workbench;

use authorize::draw_authorize;
use detail::{draw_detail, not_sent};
use diagnosis::{diagnosis_text, done_line};
pub use export::export;
use header::draw_header;
use scenarios::render_scenarios;
use steps::{countdown, draw_steps};
use strip::{draw_banner, draw_strip};

/// Where the panes landed in the last frame, for mouse hits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Areas {
    pub steps: Rect,
    pub detail: Rect,
    pub diagnosis: Rect,
    /// How far the authorize pane and the diagnosis pane can scroll (rows past their height).
    pub authorize_max: usize,
    pub diagnosis_max: usize,
}

/// Rows scrolled off the top of the panes that are not text views.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub authorize: usize,
    pub diagnosis: usize,
}

/// Draw `rows` in `inner` from row `top` (held to what there is), with a scrollbar on the
/// pane's right border (`outer`) when they do not fit. Returns how far they can scroll.
fn draw_rows(
    buf: &mut Buffer,
    outer: Rect,
    inner: Rect,
    rows: &[Line<'_>],
    top: usize,
    s: &Styles,
) -> usize {
    let height = usize::from(inner.height);
    let max = rows.len().saturating_sub(height);
    let top = top.min(max);
    for (i, row) in rows.iter().skip(top).take(height).enumerate() {
        let y = inner.y + u16::try_from(i).unwrap_or(0);
        buf.set_line(inner.x, y, row, inner.width);
    }
    if max > 0 && outer.width > 0 {
        let mut state = ScrollbarState::new(rows.len().saturating_sub(1))
            .position(top)
            .viewport_content_length(height);
        let bar = Rect::new(outer.right() - 1, inner.y, 1, inner.height);
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_symbol(Some("│"))
            .thumb_symbol("┃")
            .track_style(s.border)
            .thumb_style(s.accent)
            .render(bar, buf, &mut state);
    }
    max
}

impl WalkApp {
    /// Draw the whole screen.
    pub(super) fn draw(&mut self, frame: &mut Frame<'_>) {
        let styles = self.themes.current().styles;
        let lang = self.opts.lang;
        let area = frame.area();
        let buf = frame.buffer_mut();
        buf.set_style(area, styles.base);
        let [header, main, bar] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.areas = Areas::default();
        match &self.screen {
            Screen::Starting => {
                line(buf, header, "authwalk", styles.title);
                let text = format!("{} {}", self.spinner.glyph(), tr(lang, "tui.starting"));
                line(buf, main, &text, styles.dim);
            }
            Screen::Failed(e) => {
                line(buf, header, "authwalk", styles.title);
                let p = Paragraph::new(crate::escape::visible_lines(e).into_owned())
                    .style(styles.error)
                    .wrap(Wrap { trim: false });
                p.render(main, buf);
            }
            Screen::Picker { selected } => self.draw_picker(buf, header, main, *selected, &styles),
            Screen::Walk(w) => {
                self.areas = draw_walk(buf, header, main, w, self, &styles);
            }
        }
        let actions = self.bar_actions();
        let mut entries = self.keymap.bar(&actions);
        if let Screen::Walk(w) = &self.screen
            && w.consent().is_some()
            && actions.contains(&Action::RunSelected)
        {
            let enter = self.keymap.bar(&[Action::RunSelected]);
            if let Some(entry) = entries.iter_mut().find(|e| enter.contains(e)) {
                entry.1 = tr(lang, "tui.action.approve");
            }
        }
        help::render_key_bar_entries(buf, bar, &self.keymap, &entries, &styles);
        let cursor = self.draw_popups(buf, area, &styles);
        if let Some(position) = cursor {
            frame.set_cursor_position(position);
        }
    }

    /// The popups over the screen, bottom first; where the cursor goes, if one asks for it.
    fn draw_popups(
        &self,
        buf: &mut Buffer,
        area: Rect,
        styles: &Styles,
    ) -> Option<ratatui::layout::Position> {
        let lang = self.opts.lang;
        let mut cursor = None;
        for layer in self.popups.iter() {
            match layer {
                // Over the whole screen: at 80×24 the panes' area is two rows short of every key.
                Popup::Help => help::render_help(buf, area, &self.keymap, styles),
                Popup::Qr => {
                    if let Screen::Walk(w) = &self.screen
                        && let Some(image) = &w.qr
                    {
                        let close = self.keymap.hint(Action::Cancel);
                        // A phone cannot reach a loopback URL: say so instead of "scan".
                        let loopback = w
                            .authorize_url()
                            .is_some_and(|u| crate::transport::is_loopback_url(&u));
                        let caption = tr(
                            lang,
                            if loopback {
                                "tui.qr-caption-loopback"
                            } else {
                                "tui.qr-caption"
                            },
                        );
                        qr::render_fullscreen(buf, area, image, caption, &close, styles);
                    }
                }
                Popup::Error(message) => {
                    let hint = format!("{} ✕", self.keymap.hint(Action::Cancel));
                    let title = tr(lang, "tui.error");
                    popup::render_error(
                        buf,
                        area,
                        title,
                        &crate::escape::visible_lines(message),
                        &hint,
                        styles,
                    );
                }
                Popup::Scenarios { selected } => {
                    render_scenarios(buf, area, *selected, &self.keymap, styles);
                }
                Popup::Edit(_) | Popup::Compare(_) | Popup::Timeline => {
                    if let Screen::Walk(w) = &self.screen {
                        cursor =
                            workbench::render_layer(buf, area, w, layer, lang, styles).or(cursor);
                    }
                }
                Popup::Code(sdk) => {
                    if let Screen::Walk(w) = &self.screen {
                        code::render_code(buf, area, w, *sdk, &self.keymap, styles);
                    }
                }
                Popup::Paste(field) => {
                    let spot = popup::centered(area, area.width.saturating_sub(4).min(90), 3);
                    let inner = popup::frame(buf, spot, tr(lang, "tui.paste-title"), styles);
                    cursor = input::render(buf, inner, "> ", field, styles);
                }
            }
        }
        cursor
    }

    fn draw_picker(&self, buf: &mut Buffer, header: Rect, main: Rect, selected: usize, s: &Styles) {
        let lang = self.opts.lang;
        line(
            buf,
            header,
            &format!("authwalk · {}", tr(lang, "tui.pick-flow")),
            s.title,
        );
        let block = pane_block(&format!("1 {}", tr(lang, "tui.pick-flow")), true, s);
        let inner = block.inner(main);
        block.render(main, buf);
        // A blank line between flows while they all fit so; the id column as wide as the
        // longest id.
        let count = FlowKind::ALL.len();
        let gap: u16 = if usize::from(inner.height) >= count * 2 {
            2
        } else {
            1
        };
        let width = FlowKind::ALL
            .iter()
            .map(|f| f.id().len())
            .max()
            .unwrap_or(12);
        for (i, flow) in FlowKind::ALL.iter().enumerate() {
            let y = inner.y + u16::try_from(i).unwrap_or(0) * gap;
            if y >= inner.bottom() {
                break;
            }
            let style = if i == selected { s.selection } else { s.base };
            let text = format!(
                " {}  {:<width$} {}",
                i + 1,
                flow.id(),
                flow.title().get(lang)
            );
            buf.set_line(inner.x, y, &Line::styled(text, style), inner.width);
        }
    }

    /// The actions the key bar shows for what has the focus.
    fn bar_actions(&self) -> Vec<Action> {
        match &self.screen {
            Screen::Picker { .. } => vec![Action::Down, Action::RunSelected, Action::Quit],
            Screen::Walk(w) => {
                // A replay runs nothing: stepping through it is all there is.
                let replay = w.is_replay();
                // At the consent, Enter (and n) approve: the bar leads with it.
                let mut actions = if w.consent().is_some() {
                    vec![Action::RunSelected, Action::FocusNext]
                } else {
                    vec![Action::RunNext, Action::FocusNext]
                };
                if replay {
                    actions.push(Action::Back);
                }
                match self.focus {
                    Focus::Steps | Focus::Diagnosis if replay => {}
                    Focus::Steps => actions.extend([Action::Retry, Action::Paste]),
                    Focus::Detail if w.shows_authorize() => {
                        // No QR code (the mini-program flow), no key for it.
                        if w.qr.is_some() {
                            actions.push(Action::FullscreenQr);
                        }
                        actions.push(Action::Copy);
                        if !replay {
                            actions.push(Action::Paste);
                        }
                    }
                    // The decryption has no tabs, no raw body and no request: search and copy.
                    Focus::Detail if w.step() == StepKind::DecryptUserData => {
                        actions.extend([Action::Search, Action::Copy]);
                    }
                    Focus::Detail if w.tab == super::Tab::Fields => {
                        actions.extend([Action::NextTab, Action::Copy, Action::Search]);
                    }
                    Focus::Detail => actions.extend([
                        Action::NextTab,
                        Action::Search,
                        Action::TogglePretty,
                        Action::CopyCurl,
                    ]),
                    Focus::Diagnosis => actions.push(Action::Retry),
                }
                if !self.opts.present && w.can_reveal() {
                    actions.push(Action::ToggleSecrets);
                }
                actions.extend([Action::Export, Action::Quit]);
                actions
            }
            _ => vec![Action::Quit],
        }
    }
}

fn line(buf: &mut Buffer, area: Rect, text: &str, style: Style) {
    if area.height > 0 {
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(text.to_owned(), style),
            area.width,
        );
    }
}

fn pane_block<'a>(title: &str, focused: bool, s: &Styles) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused { s.border_focused } else { s.border })
        .title(Span::styled(format!(" {title} "), s.title))
}

fn draw_walk(
    buf: &mut Buffer,
    header: Rect,
    main: Rect,
    w: &WalkScreen,
    app: &WalkApp,
    s: &Styles,
) -> Areas {
    let lang = app.opts.lang;
    draw_header(buf, header, w, app, s);

    let diagnosis = diagnosis_text(w, lang);
    let diagnosis = if diagnosis.is_empty() {
        Vec::new()
    } else {
        wrap_text(
            &diagnosis,
            s.base,
            usize::from(main.width.saturating_sub(2)),
        )
    };
    let banner_rows: u16 = if app.opts.present { 7 } else { 0 };
    let diag_rows = if diagnosis.is_empty() {
        0
    } else {
        (u16::try_from(diagnosis.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2))
        .min(main.height / 3)
        .max(3)
    };
    let done = done_line(w, lang);
    let [strip, banner, body, done_row, diag] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_rows),
        Constraint::Min(3),
        Constraint::Length(u16::from(done.is_some())),
        Constraint::Length(diag_rows),
    ])
    .areas(main);
    if let Some(text) = done {
        line(
            buf,
            done_row,
            &text,
            s.ok.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        );
    }
    draw_strip(buf, strip, w, lang, s);
    if app.opts.present {
        draw_banner(buf, banner, w, lang, s);
    }
    // The steps keep what their titles need on a wide screen and give way on a narrow one:
    // a quarter of the width (at least 18 columns) under 120.
    // On a wide screen the pane grows (to a third) for the longest title, so a step such as
    // "Phone number (getuserphonenumber)" is read whole.
    let steps_width = if body.width >= 120 {
        let longest = w
            .walk
            .steps
            .iter()
            .map(|r| crate::tui::text::width(r.title.get(lang)))
            .max()
            .unwrap_or(0);
        // The glyph, the number and the borders.
        u16::try_from(longest + 7)
            .unwrap_or(u16::MAX)
            .clamp(34, body.width / 3)
    } else {
        (body.width / 4).max(18)
    }
    .min(body.width / 2);
    let [steps, detail] =
        Layout::horizontal([Constraint::Length(steps_width), Constraint::Min(10)]).areas(body);
    draw_steps(buf, steps, w, app, s);
    let authorize_max = draw_detail(buf, detail, w, app, s);
    let mut diagnosis_max = 0;
    if diag_rows > 0 {
        let block = pane_block(
            &format!("3 {}", tr(lang, "tui.diagnosis")),
            app.focus == Focus::Diagnosis,
            s,
        );
        let inner = block.inner(diag);
        block.render(diag, buf);
        diagnosis_max = draw_rows(buf, diag, inner, &diagnosis, w.scroll.diagnosis, s);
    }
    Areas {
        steps,
        detail,
        diagnosis: diag,
        authorize_max,
        diagnosis_max,
    }
}
