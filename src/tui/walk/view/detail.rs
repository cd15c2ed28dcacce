//! Pane 2 on an API step: the exchange tabs (request, signing, response, verify, fields).

use super::*;

/// The detail pane; how far the authorize pane can scroll (0 for the exchange tabs, which
/// scroll as text views).
pub(super) fn draw_detail(
    buf: &mut Buffer,
    area: Rect,
    w: &WalkScreen,
    app: &WalkApp,
    s: &Styles,
) -> usize {
    let lang = app.opts.lang;
    let focused = app.focus == Focus::Detail;
    if w.shows_authorize() {
        let block = pane_block(&format!("2 {}", tr(lang, "tui.authorize")), focused, s);
        let inner = block.inner(area);
        block.render(area, buf);
        return draw_authorize(buf, area, inner, w, app, s);
    }
    // The decryption sends nothing: its pane is the decryption, with no exchange tabs.
    if w.step() == StepKind::DecryptUserData && w.exchange().is_none() {
        let block = pane_block(&format!("2 {}", tr(lang, "tui.decryption")), focused, s);
        let inner = block.inner(area);
        block.render(area, buf);
        if w.walk.context.decryption.is_none() {
            line(buf, inner, &not_sent(w, app), s.dim);
            let mut rest = inner;
            rest.y = rest.y.saturating_add(2).min(rest.bottom());
            rest.height = rest.height.saturating_sub(2);
            text_view::render(buf, rest, &w.body, &w.view, s);
        } else {
            text_view::render(buf, inner, &w.body, &w.view, s);
        }
        return 0;
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
    // A step sent more than once (a retry, an edited resend): which attempt is shown, before
    // the endpoint so a narrow pane cuts the endpoint rather than it.
    let attempts = crate::tui::walk::workbench::attempts(&w.walk, w.step());
    if attempts.len() > 1
        && let Some(shown) = w
            .shown()
            .and_then(|i| attempts.iter().position(|a| *a == i))
    {
        let _ = write!(
            title,
            "· {} ",
            tr_fill(
                lang,
                "tui.attempt-of",
                &[
                    ("n", &(shown + 1).to_string()),
                    ("total", &attempts.len().to_string())
                ]
            )
        );
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

/// What a step not yet run says: `n` runs it, unless the walk waits at an earlier step (a
/// consent, a redirect), where `n` would not run this one.
pub(super) fn not_sent(w: &WalkScreen, app: &WalkApp) -> String {
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
