//! Pane 2 on the authorize and callback steps: the URL, its lint, the QR code, the consent
//! list and where the callback stands.

use super::{
    Action, Buffer, Consent, Constraint, Layout, Line, Msg, Phase, Rect, Severity, Styles, WalkApp,
    WalkScreen, countdown, draw_rows, not_sent, qr, tr, tr_fill, visible, wrap_line,
};

pub(super) fn draw_authorize(
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
            // The phone's call by provider: my.getAuthCode on Alipay, wx.login on WeChat.
            Consent::MiniCode { .. } => match w.walk.flow.provider() {
                crate::provider::Provider::Alipay => "tui.mini-as",
                crate::provider::Provider::Wechat => "tui.mini-as-wechat",
            },
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
