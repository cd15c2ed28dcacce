//! The scenario list (`S`).

use super::{Action, Buffer, Line, Rect, Span, Styles, popup, tr_fill};

/// The scenario list (`S`): "none", then each embedded scenario with the providers it is for
/// and what it does, the highlighted one marked.
pub(super) fn render_scenarios(
    buf: &mut Buffer,
    area: Rect,
    selected: usize,
    keymap: &crate::tui::keymap::KeyMap,
    s: &Styles,
) {
    let lang = keymap.lang();
    let rows = crate::tui::walk::scenario_rows(lang);
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
