//! The sequence strip (Browser ⇄ Your server ⇄ provider, the current hop lit) and presenter
//! mode's banner with its narration.

use super::{
    Actor, Buffer, Constraint, Lang, Layout, Line, Modifier, Rect, Span, Styles, WalkScreen,
    draw_rows, hops, narration, tr_fill, wrap_text,
};

/// Browser ⇄ Your server ⇄ Provider, with the selected step's hop lit.
pub(super) fn draw_strip(buf: &mut Buffer, area: Rect, w: &WalkScreen, lang: Lang, s: &Styles) {
    let flow = w.walk.flow;
    let step = w.step();
    let hop = hops(flow.provider(), step);
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
pub(super) fn draw_banner(buf: &mut Buffer, area: Rect, w: &WalkScreen, lang: Lang, s: &Styles) {
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
        step.title_in(w.walk.flow.provider()).get(lang)
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
