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
use crate::flow::{FlowKind, StepState};
use crate::present::{Actor, Badge, Msg, Policy, hops, human_seconds, narration, tr, tr_fill};
use crate::session::Phase;
use crate::tui::keymap::Action;
use crate::tui::theme::Styles;
use crate::tui::visible;
use crate::tui::widget::{help, input, popup, qr, text_view};
use crate::tui::wrap::{wrap_line, wrap_text};

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
        let mut cursor = None;
        for layer in self.popups.iter() {
            match layer {
                Popup::Help => help::render_help(buf, main, &self.keymap, &styles),
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
                        qr::render_fullscreen(buf, area, image, caption, &close, &styles);
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
                        &styles,
                    );
                }
                Popup::Scenarios { selected } => {
                    render_scenarios(buf, area, *selected, &self.keymap, &styles);
                }
                Popup::Paste(field) => {
                    let spot = popup::centered(area, area.width.saturating_sub(4).min(90), 3);
                    let inner = popup::frame(buf, spot, tr(lang, "tui.paste-title"), &styles);
                    cursor = input::render(buf, inner, "> ", field, &styles);
                }
            }
        }
        if let Some(position) = cursor {
            frame.set_cursor_position(position);
        }
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
        for (i, flow) in FlowKind::ALL.iter().enumerate() {
            let y = inner.y + u16::try_from(i).unwrap_or(0) * 2;
            if y >= inner.bottom() {
                break;
            }
            let style = if i == selected { s.selection } else { s.base };
            let text = format!(" {}  {:<12} {}", i + 1, flow.id(), flow.title().get(lang));
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

/// The header: flow, target, and what matters about the screen (secrets shown, LAN exposure).
fn draw_header(buf: &mut Buffer, header: Rect, w: &WalkScreen, app: &WalkApp, s: &Styles) {
    let lang = app.opts.lang;
    let walk = &w.walk;
    // Header: flow, target, and what matters about the screen (secrets shown, LAN exposure).
    let target = &walk.target;
    let mut spans = vec![
        Span::styled("authwalk", s.title),
        Span::styled(format!(" · {} · ", walk.flow.id()), s.base),
    ];
    // Phone mode first: whoever reads the header must know the sandbox is open to the LAN.
    if let Some(base) = app.place.as_ref().and_then(|p| p.lan_base()) {
        spans.push(Span::styled(
            format!("{}  ", tr_fill(lang, "tui.lan-warning", &[("base", &base)])),
            s.warning,
        ));
    }
    if let Some(status) = &app.status {
        spans.push(Span::styled(format!("{status}  "), s.info));
    }
    if let super::Source::Replay {
        recording, name, ..
    } = &w.source
    {
        let when = recording
            .exported_at
            .map(crate::provider::alipay::format_timestamp)
            .unwrap_or_default();
        spans.push(Span::styled(
            format!(
                "{}  ",
                tr_fill(
                    lang,
                    "tui.replay-of",
                    &[("file", &visible(name)), ("when", &when)]
                )
                .trim_end_matches(" · ")
            ),
            s.warning,
        ));
    }
    let shown = w
        .policy()
        .reveal
        .then(|| Span::styled(format!("  {}", tr(lang, "tui.secrets-shown")), s.warning));
    let used: usize = spans.iter().chain(&shown).map(Span::width).sum();
    let room = usize::from(header.width).saturating_sub(used);
    let who = format!(
        "{} {}",
        target.kind.label().get(lang),
        visible(&target.describe(lang))
    );
    let with_base = format!("{who} · {}", visible(&target.base));
    // On a narrow screen the base URL goes first, then the description is cut with an
    // ellipsis after its last whole word: never a word cut in two.
    let target_text = if crate::tui::text::width(&with_base) <= room {
        with_base
    } else if crate::tui::text::width(&who) <= room {
        who
    } else {
        cut_at_word(&who, room)
    };
    spans.push(Span::styled(target_text, s.dim));
    spans.extend(shown);
    buf.set_line(header.x, header.y, &Line::from(spans), header.width);
}

/// `text` in at most `room` cells, cut after its last whole word that fits, with `…`.
fn cut_at_word(text: &str, room: usize) -> String {
    let cut = crate::tui::text::truncate(text, room);
    if crate::tui::text::width(text) <= room {
        return cut.into_owned();
    }
    let head = cut.strip_suffix('…').unwrap_or(&cut);
    let head = head.rfind(' ').map_or(head, |i| &head[..i]);
    format!("{head}…")
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
    let steps_width = if body.width >= 120 {
        34
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

/// A login that went through says so: steps done and the time its exchanges took.
fn done_line(w: &WalkScreen, lang: Lang) -> Option<String> {
    if w.phase() != (Phase::Finished { ok: true }) || !w.walk.ok {
        return None;
    }
    let sum = &w.walk.summary;
    let ms: u64 = w.walk.exchanges.iter().map(|e| e.elapsed_ms).sum();
    Some(format!(
        " ✓ {} ",
        tr_fill(
            lang,
            "tui.login-done",
            &[
                ("done", &sum.done.to_string()),
                ("ran", &sum.ran.to_string()),
                ("ms", &ms.to_string()),
            ],
        )
    ))
}

/// The findings of the selected step (and the walk's notes when it failed), or nothing when
/// all is well: the strip opens only when there is something to fix.
fn diagnosis_text(w: &WalkScreen, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(ex) = w.exchange() {
        for f in ex
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            out.push_str(&super::content::finding(f, lang));
        }
    }
    if w.phase() == (Phase::Finished { ok: false }) || w.problem().is_some() {
        for f in &w.walk.notes {
            out.push_str(&super::content::finding(f, lang));
        }
        if let Some(p) = w.problem()
            && !w
                .walk
                .notes
                .iter()
                .any(|n| w.live().and_then(|(s, _)| s.problem_code()) == Some(n.code.as_str()))
        {
            let _ = writeln!(out, "✗ {p}");
        }
    }
    crate::escape::visible_lines(out.trim_end()).into_owned()
}

/// Browser ⇄ Your server ⇄ Provider, with the selected step's hop lit.
fn draw_strip(buf: &mut Buffer, area: Rect, w: &WalkScreen, lang: Lang, s: &Styles) {
    let flow = w.walk.flow;
    let step = w.step();
    let hop = hops(step);
    let lit = |a: Actor| hop.iter().any(|(f, t)| *f == a || *t == a);
    let mut spans = Vec::new();
    for (i, actor) in Actor::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ⇄ ", s.dim));
        }
        let style = if lit(*actor) {
            s.accent.add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            s.dim
        };
        spans.push(Span::styled(
            format!(" {} ", actor.label(flow).get(lang)),
            style,
        ));
    }
    spans.push(Span::styled("   ", s.base));
    for (i, (from, to)) in hop.iter().enumerate() {
        if i == 0 {
            spans.push(Span::styled(
                from.label(flow).get(lang).to_owned(),
                s.accent,
            ));
        }
        spans.push(Span::styled(" ──▶ ", s.accent));
        spans.push(Span::styled(to.label(flow).get(lang).to_owned(), s.accent));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// Presenter mode: the step in large type, and what happens in it, said to a room.
fn draw_banner(buf: &mut Buffer, area: Rect, w: &WalkScreen, lang: Lang, s: &Styles) {
    let step = w.step();
    let row = w.walk.steps.get(w.selected);
    let (n, of) = row
        .and_then(|r| r.number)
        .unwrap_or((w.selected + 1, w.walk.steps.len()));
    let title = format!(
        "  {} · {}  ",
        tr_fill(
            lang,
            "tui.step-of",
            &[("n", &n.to_string()), ("of", &of.to_string())]
        ),
        step.title().get(lang)
    );
    let big = s.title.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let [top, mid, bottom, text] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let pad = " ".repeat(usize::from(area.width));
    for r in [top, mid, bottom] {
        buf.set_stringn(r.x, r.y, &pad, usize::from(r.width), big);
    }
    buf.set_line(mid.x, mid.y, &Line::styled(title, big), mid.width);
    if let Some(n) = narration(w.walk.flow, step) {
        let rows = wrap_text(n.get(lang), s.base, usize::from(text.width));
        draw_rows(buf, text, text, &rows, 0, s);
    }
}

fn draw_steps(buf: &mut Buffer, area: Rect, w: &WalkScreen, app: &WalkApp, s: &Styles) {
    let lang = app.opts.lang;
    let block = pane_block(
        &format!("1 {}", tr(lang, "tui.steps")),
        app.focus == Focus::Steps,
        s,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    // More steps than rows: the list scrolls so the selection stays on screen.
    let top = w
        .selected
        .saturating_sub(usize::from(inner.height.max(1)) - 1);
    for (i, row) in w.walk.steps.iter().enumerate().skip(top) {
        let y = inner.y + u16::try_from(i - top).unwrap_or(u16::MAX);
        if y >= inner.bottom() {
            break;
        }
        let (glyph, style) = match row.state {
            StepState::Pending => ("·", s.dim),
            StepState::AwaitingUser => ("◆", s.warning),
            StepState::InFlight => (app.spinner.glyph(), s.accent),
            StepState::Done => ("✓", s.ok),
            StepState::Failed => ("✗", s.error),
            StepState::Skipped => ("–", s.dim),
        };
        let number = row
            .number
            .map_or_else(|| " ".to_owned(), |(n, _)| n.to_string());
        let mut tail = Vec::new();
        // A signed answer that verified (or did not) says so on its row.
        if let Some(v) = row
            .exchange
            .and_then(|i| w.walk.exchanges.get(i))
            .and_then(|e| e.verification.as_ref())
            .filter(|v| v.badge != Badge::Unsigned)
        {
            let (key, style) = if v.badge.is_verified() {
                ("tui.sig-verified", s.ok)
            } else {
                ("tui.sig-mismatch", s.error)
            };
            tail.push(Span::styled(format!(" {}", tr(lang, key)), style));
        }
        if let Some(c) = &row.countdown {
            let left = if c.seconds_left <= 0 {
                Msg::Expired.get(lang).to_owned()
            } else {
                countdown(c.seconds_left, lang)
            };
            tail.push(Span::styled(format!(" {left}"), s.dim));
        }
        // Too narrow for the title and all of it: the countdown goes first (the pane beside
        // shows it), then the signature mark.
        let tail_width = |tail: &[Span<'_>]| tail.iter().map(Span::width).sum::<usize>();
        while !tail.is_empty() && usize::from(inner.width) < 2 + 8 + tail_width(&tail) {
            tail.pop();
        }
        let tail_width = tail_width(&tail);
        let room = usize::from(inner.width).saturating_sub(2 + tail_width);
        let title = format!("{number} {}", row.title.get(lang));
        let mut spans = vec![
            Span::styled(format!("{glyph} "), style),
            Span::styled(
                crate::tui::text::truncate(&title, room).into_owned(),
                s.base,
            ),
        ];
        spans.extend(tail);
        let mut l = Line::from(spans);
        if i == w.selected {
            // The whole row, not just the text, so the selection reads as a bar.
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), s.selection);
            for span in &mut l.spans {
                span.style = span.style.patch(s.selection);
            }
        }
        buf.set_line(inner.x, y, &l, inner.width);
    }
}

/// `4:59` under ten minutes, `1 h 59 min` under a day, else `14 d 23 h`.
fn countdown(seconds: i64, lang: Lang) -> String {
    let two = |unit: i64, small: i64| {
        let major = human_seconds(seconds / unit * unit, lang);
        let minor = seconds % unit / small * small;
        if minor == 0 {
            major
        } else {
            format!("{major} {}", human_seconds(minor, lang))
        }
    };
    match seconds {
        s if s < 600 => format!("{}:{:02}", s / 60, s % 60),
        s if s < 86_400 => two(3_600, 60),
        _ => two(86_400, 3_600),
    }
}

/// The detail pane; how far the authorize pane can scroll (0 for the exchange tabs, which
/// scroll as text views).
fn draw_detail(buf: &mut Buffer, area: Rect, w: &WalkScreen, app: &WalkApp, s: &Styles) -> usize {
    let lang = app.opts.lang;
    let focused = app.focus == Focus::Detail;
    if w.shows_authorize() {
        let block = pane_block(&format!("2 {}", tr(lang, "tui.authorize")), focused, s);
        let inner = block.inner(area);
        block.render(area, buf);
        return draw_authorize(buf, area, inner, w, app, s);
    }
    let mut title = String::from("2 ");
    let verification = w.exchange().and_then(|e| e.verification.as_ref());
    for tab in Tab::ALL {
        let mut name = tr(lang, tab.key()).to_owned();
        // The Verify tab carries its badge: what the signature check said, at a glance.
        if let (Tab::Verify, Some(v)) = (tab, verification) {
            name.push_str(if v.badge.is_verified() {
                " ✓"
            } else {
                " ✗"
            });
        }
        if tab == w.tab {
            let _ = write!(title, "[{name}] ");
        } else {
            let _ = write!(title, " {name}  ");
        }
    }
    if let Some(ex) = w.exchange() {
        let _ = write!(title, "· {}", visible(&ex.endpoint));
    }
    let block = pane_block(title.trim_end(), focused, s);
    let inner = block.inner(area);
    block.render(area, buf);
    let mut text_area = inner;
    let in_flight = w.walk.steps.get(w.selected).map(|r| r.state) == Some(StepState::InFlight);
    let lead: Option<(String, Style)> = if in_flight {
        Some((
            format!("{} {}", app.spinner.glyph(), tr(lang, "tui.in-flight")),
            s.accent,
        ))
    } else if let (Tab::Verify, Some(v)) =
        (w.tab, w.exchange().and_then(|e| e.verification.as_ref()))
    {
        let style = match v.badge {
            Badge::Verified | Badge::VerifiedUnescaped => s.ok,
            Badge::Mismatch => s.error,
            Badge::Unsigned => s.warning,
        };
        let mark = if v.badge.is_verified() { "✓" } else { "✗" };
        Some((
            format!("{mark} {}", badge_word(v.badge, lang)),
            style.add_modifier(Modifier::REVERSED),
        ))
    } else if w.exchange().is_none() {
        Some((not_sent(w, app), s.dim))
    } else {
        None
    };
    if let Some((text, style)) = lead {
        line(buf, text_area, &text, style);
        text_area.y = text_area.y.saturating_add(2).min(text_area.bottom());
        text_area.height = text_area.height.saturating_sub(2);
    }
    text_view::render(buf, text_area, &w.body, &w.view, s);
    0
}

/// The badge word: Verified / Mismatch / Unsigned in the walk's language.
fn badge_word(badge: Badge, lang: Lang) -> &'static str {
    let key = match badge {
        Badge::Verified | Badge::VerifiedUnescaped => "tui.badge-verified",
        Badge::Mismatch => "tui.badge-mismatch",
        Badge::Unsigned => "tui.badge-unsigned",
    };
    crate::lang::tr(lang, key)
}

fn draw_authorize(
    buf: &mut Buffer,
    outer: Rect,
    area: Rect,
    w: &WalkScreen,
    app: &WalkApp,
    s: &Styles,
) -> usize {
    let lang = app.opts.lang;
    let mut lines: Vec<Line<'_>> = Vec::new();
    if let Some(url) = w.authorize_url() {
        // Nothing secret rides on an authorize URL: it is shown (and encoded in the QR) whole.
        lines.push(Line::styled(format!("GET {}", visible(&url)), s.accent));
        lines.push(Line::default());
    }
    let lint = &w.walk.context.authorize_lint;
    if lint.is_empty() {
        if w.qr.is_some() {
            lines.push(Line::styled(tr(lang, "tui.lint-ok").to_owned(), s.ok));
        }
    } else {
        for f in lint {
            let style = match f.severity {
                Severity::Error => s.error,
                Severity::Warning => s.warning,
                Severity::Info => s.info,
            };
            lines.push(Line::styled(
                format!("{} [{}]", visible(f.title.get(lang)), visible(&f.code)),
                style,
            ));
        }
    }
    lines.push(Line::default());
    let status_at = lines.len();
    let (status, picked) = status_lines(w, app, s);
    lines.extend(status);
    // The picked demo user's line, to keep on screen.
    let picked = picked.map(|i| status_at + i);
    let qr_size = w.qr.as_ref().and_then(qr::QrImage::size);
    // The QR code beside the text when there is room, else under it.
    let (text_area, qr_area) = match qr_size {
        Some((qw, _)) if area.width >= qw + 36 => {
            let [t, q] =
                Layout::horizontal([Constraint::Min(30), Constraint::Length(qw)]).areas(area);
            (t, Some(q))
        }
        Some(_) => {
            let rows = u16::try_from(wrapped(&lines, area.width).0.len())
                .unwrap_or(u16::MAX)
                .saturating_add(1);
            let [t, q] =
                Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
            (t, Some(q))
        }
        None => (area, None),
    };
    let (rows, starts) = wrapped(&lines, text_area.width);
    // At a consent the list scrolls to the picked user; else the pane scrolls as asked.
    let top = match picked {
        Some(i) => {
            let end = starts.get(i + 1).copied().unwrap_or(rows.len());
            end.saturating_sub(usize::from(text_area.height))
        }
        None => w.scroll.authorize,
    };
    let max = draw_rows(buf, outer, text_area, &rows, top, s);
    if let (Some(q), Some(image)) = (qr_area, &w.qr) {
        let key = app.keymap.hint(Action::FullscreenQr);
        qr::render_in(buf, q, image, &key, lang, s);
    }
    max
}

/// `lines` wrapped at `width`, with the row each line starts at.
fn wrapped(lines: &[Line<'_>], width: u16) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut rows = Vec::new();
    let mut starts = Vec::new();
    for l in lines {
        starts.push(rows.len());
        rows.extend(wrap_line(l, usize::from(width)));
    }
    (rows, starts)
}

/// Where the callback stands: waiting (with the consent to give), received, used, expired;
/// and which of the lines is the picked demo user's, at a consent.
fn status_lines<'a>(
    w: &'a WalkScreen,
    app: &WalkApp,
    s: &Styles,
) -> (Vec<Line<'a>>, Option<usize>) {
    let lang = app.opts.lang;
    let mut out = Vec::new();
    if let Some(consent) = w.consent() {
        let key = match consent {
            Consent::Authorize { .. } => "tui.approve-as",
            Consent::MiniCode { .. } => "tui.mini-as",
        };
        out.push(Line::styled(tr(lang, key).to_owned(), s.warning));
        let (users, picked) = w.live().map_or((&[][..], 0), |(s, _)| s.users());
        for (i, (id, label)) in users.iter().enumerate() {
            let style = if i == picked { s.selection } else { s.base };
            let mark = if i == picked { "▶" } else { " " };
            out.push(Line::styled(format!(" {mark} {id:<18} {label}"), style));
        }
        let picked = (!users.is_empty()).then_some(1 + picked.min(users.len() - 1));
        return (out, picked);
    }
    if w.awaits_redirect() {
        out.push(Line::styled(
            format!(
                "{} {}",
                app.spinner.glyph(),
                tr(lang, "tui.waiting-callback")
            ),
            s.accent,
        ));
        if let Some((_, target)) = w.live()
            && target.approver.is_none()
        {
            let uri = crate::target::redirect_uri(&target.app);
            out.push(Line::styled(
                tr_fill(lang, "tui.listening", &[("uri", uri)]),
                s.dim,
            ));
        }
        // Requests the listener answered and ignored (a favicon, a forged redirect).
        for f in w
            .walk
            .notes
            .iter()
            .filter(|f| f.code == crate::finding::codes::CALLBACK_IGNORED)
        {
            out.push(Line::styled(
                format!("! {}", visible(f.title.get(lang))),
                s.warning,
            ));
        }
        return (out, None);
    }
    match &w.walk.callback {
        Some(cb) => {
            let code = cb.code.as_ref().map_or("", |c| c.value.as_str());
            out.push(Line::styled(
                tr_fill(lang, "tui.code-received", &[("code", code)]),
                s.ok,
            ));
            // The redirect URL that carried it; a mini-program code came alone, already shown.
            if cb.shown != code {
                out.push(Line::styled(visible(&cb.shown).into_owned(), s.dim));
            }
            let countdown_row = w.walk.steps.iter().find(|r| r.id == cb.step);
            if w.walk.context.code_spent {
                out.push(Line::styled(tr(lang, "tui.code-used").to_owned(), s.dim));
            } else if let Some(c) = countdown_row.and_then(|r| r.countdown.as_ref()) {
                let text = if c.seconds_left <= 0 {
                    tr(lang, "tui.code-expired").to_owned()
                } else {
                    Msg::Left.fill(lang, &[("left", &countdown(c.seconds_left, lang))])
                };
                out.push(Line::styled(text, s.warning));
            }
        }
        None if w.is_replay() => {
            out.push(Line::styled(tr(lang, "tui.not-recorded").to_owned(), s.dim));
        }
        None if w.phase() == Phase::Waiting => {
            let key = app.keymap.hint(Action::Paste);
            out.push(Line::styled(
                tr_fill(lang, "tui.paste-hint", &[("key", &key)]),
                s.warning,
            ));
        }
        None => out.push(Line::styled(not_sent(w, app), s.dim)),
    }
    if let Some(p) = w.problem() {
        out.push(Line::styled(format!("✗ {}", visible(p)), s.error));
    }
    (out, None)
}

/// Write the walk's transcript (`authwalk-FLOW-TIME.md` and `.json`, the support question in
/// Alipay's form first) into `dir` (the current folder by default), redacted whatever the
/// screen shows: equal values keep equal placeholders (`tok#1`, `code#1`). Returns the
/// Markdown file.
pub fn export(w: &WalkScreen, dir: Option<&std::path::Path>) -> Result<PathBuf, String> {
    use crate::transcript::{self, Meta, Redaction};
    let now = time::OffsetDateTime::now_utc();
    // The transcript masks by itself; it needs the real values to keep placeholders consistent.
    let walk = match &w.source {
        super::Source::Live { session, .. } => {
            session.walk_with(Policy { reveal: true }, now, std::time::Duration::ZERO)
        }
        super::Source::Replay { recording, .. } => recording.walk(Policy { reveal: true }),
    };
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let t = transcript::export(&walk, &Meta::now(stamp), Redaction::Redacted)
        .map_err(|e| e.to_string())?;
    // The folder asked for, else `<data>/exports`; named by flow and time (UTC), readable.
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => crate::config::data_dir().map_or_else(|| PathBuf::from("."), |d| d.join("exports")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let when = time::macros::format_description!("[year]-[month]-[day]_[hour][minute][second]Z");
    // A new name beside any file already there (never overwritten, a symlink never followed).
    let base = format!(
        "authwalk-{}-{}",
        walk.flow.id(),
        now.format(&when).unwrap_or_default()
    );
    let (md, json) = (1..100)
        .map(|n| {
            let stem = if n == 1 {
                dir.join(&base)
            } else {
                dir.join(format!("{base}-{n}"))
            };
            (stem.with_extension("md"), stem.with_extension("json"))
        })
        .find(|(md, json)| md.symlink_metadata().is_err() && json.symlink_metadata().is_err())
        .ok_or_else(|| format!("{} holds too many exports named {base}", dir.display()))?;
    for (file, text) in [(&md, &t.markdown), (&json, &t.json)] {
        crate::config::write_public_file(file, text.as_bytes(), false)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(md)
}

/// What a step not yet run says: `n` runs it, unless the walk waits at an earlier step (a
/// consent, a redirect), where `n` would not run this one.
fn not_sent(w: &WalkScreen, app: &WalkApp) -> String {
    let lang = app.opts.lang;
    let waiting_at = w
        .live()
        .filter(|(session, _)| session.phase() == Phase::Waiting)
        .and_then(|(session, _)| session.current_step())
        .filter(|step| *step != w.step())
        .and_then(|step| w.walk.steps.iter().position(|r| r.id == step));
    let Some(i) = waiting_at else {
        let key = app.keymap.hint(Action::RunNext);
        return tr_fill(lang, "tui.not-sent", &[("key", &key)]);
    };
    let step = (i + 1).to_string();
    if w.consent().is_some() {
        let key = app.keymap.hint(Action::RunSelected);
        tr_fill(
            lang,
            "tui.not-sent-consent",
            &[("step", &step), ("key", &key)],
        )
    } else {
        tr_fill(lang, "tui.not-sent-waiting", &[("step", &step)])
    }
}

/// The scenario list (`S`): "none", then each embedded scenario with the providers it is for
/// and what it does, the highlighted one marked.
fn render_scenarios(
    buf: &mut Buffer,
    area: Rect,
    selected: usize,
    keymap: &crate::tui::keymap::KeyMap,
    s: &Styles,
) {
    let lang = keymap.lang();
    let rows = super::scenario_rows(lang);
    let height = u16::try_from(rows.len() + 2).unwrap_or(u16::MAX);
    let spot = popup::centered(area, area.width.saturating_sub(4).min(100), height);
    let close = keymap.hint(Action::Cancel);
    let title = tr_fill(lang, "tui.scenarios-title", &[("close", &close)]);
    let inner = popup::frame(buf, spot, &title, s);
    for (i, row) in rows.iter().enumerate() {
        let y = inner.y + u16::try_from(i).unwrap_or(u16::MAX);
        if y >= inner.bottom() {
            break;
        }
        let (mark, style) = if i == selected {
            ("▶ ", s.selection)
        } else {
            ("  ", s.base)
        };
        let text = crate::tui::text::truncate(row, usize::from(inner.width.saturating_sub(2)));
        buf.set_line(
            inner.x,
            y,
            &Line::from(Span::styled(format!("{mark}{text}"), style)),
            inner.width,
        );
    }
}
