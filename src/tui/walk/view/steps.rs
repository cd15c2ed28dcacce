//! Pane 1: the steps with their states, numbers, signature marks and countdowns.

use super::{
    Badge, Buffer, Focus, Lang, Line, Msg, Rect, Span, StepState, Styles, WalkApp, WalkScreen,
    Widget, human_seconds, pane_block, tr,
};

pub(super) fn draw_steps(buf: &mut Buffer, area: Rect, w: &WalkScreen, app: &WalkApp, s: &Styles) {
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
pub(super) fn countdown(seconds: i64, lang: Lang) -> String {
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
