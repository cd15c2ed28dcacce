//! The edit form and the compare view, drawn over the panes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::finding::Lang;
use crate::present::compare::{self, Part};
use crate::present::{Walk, tr, tr_fill};
use crate::tui::theme::Styles;
use crate::tui::visible;
use crate::tui::walk::workbench::{CompareView, EditForm, attempts};
use crate::tui::widget::{input, popup};

/// A workbench layer over the walk `w`: the edit form, the compare view or the timeline.
pub(super) fn render_layer(
    buf: &mut Buffer,
    area: Rect,
    w: &crate::tui::walk::WalkScreen,
    layer: &crate::tui::walk::Popup,
    lang: Lang,
    s: &Styles,
) -> Option<Position> {
    use crate::tui::walk::Popup;
    match layer {
        Popup::Edit(form) => render_edit(buf, area, form, lang, w.policy().reveal, s),
        Popup::Compare(view) => {
            render_compare(buf, area, &w.walk, *view, lang, s);
            None
        }
        Popup::Timeline => {
            render_timeline(buf, area, &w.walk, lang, s);
            None
        }
        _ => None,
    }
}

/// The edit form: one row per field, the picked one highlighted, the changed ones marked;
/// returns where the cursor goes while a value is typed.
fn render_edit(
    buf: &mut Buffer,
    area: Rect,
    form: &EditForm,
    lang: Lang,
    reveal: bool,
    s: &Styles,
) -> Option<Position> {
    let lines = form.lines(lang, reveal);
    let height = u16::try_from(lines.len() + 4).unwrap_or(u16::MAX);
    let spot = popup::centered(area, area.width.saturating_sub(4).min(110), height);
    let title = tr_fill(lang, "tui.edit-title", &[("step", form.request.step.id())]);
    let inner = popup::frame(buf, spot, &title, s);
    let mut cursor = None;
    for (i, (changed, text)) in lines.iter().enumerate() {
        let y = inner.y + u16::try_from(i).unwrap_or(u16::MAX);
        if y >= inner.bottom().saturating_sub(2) {
            break;
        }
        let row = Rect {
            y,
            height: 1,
            ..inner
        };
        if i == form.row
            && let Some(field) = &form.input
        {
            let label: String = text.chars().take(15).collect();
            cursor = input::render(buf, row, &label, field, s);
            continue;
        }
        let mark = match (i == form.row, *changed) {
            (true, true) => "▶*",
            (true, false) => "▶ ",
            (false, true) => " *",
            (false, false) => "  ",
        };
        let style = if i == form.row { s.selection } else { s.base };
        let shown = visible(text);
        let text = crate::tui::text::truncate(&shown, usize::from(inner.width.saturating_sub(2)));
        buf.set_line(
            inner.x,
            y,
            &Line::from(Span::styled(format!("{mark}{text}"), style)),
            inner.width,
        );
    }
    let hint_y = inner.bottom().saturating_sub(1);
    if hint_y > inner.y {
        buf.set_line(
            inner.x,
            hint_y,
            &Line::from(Span::styled(tr(lang, "tui.edit-keys"), s.dim)),
            inner.width,
        );
    }
    cursor
}

/// The compare view: which parameters changed, then each difference on its line.
fn render_compare(
    buf: &mut Buffer,
    area: Rect,
    walk: &Walk,
    view: CompareView,
    lang: Lang,
    s: &Styles,
) {
    let list = attempts(walk, view.step);
    let (Some(&a), Some(&b)) = (list.get(view.left), list.get(view.right)) else {
        return;
    };
    let (Some(left), Some(right)) = (walk.exchanges.get(a), walk.exchanges.get(b)) else {
        return;
    };
    let differences = compare::exchanges(left, right);
    let spot = popup::centered(
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    );
    let title = tr_fill(
        lang,
        "tui.compare-title",
        &[
            ("step", view.step.id()),
            ("left", &(view.left + 1).to_string()),
            ("right", &(view.right + 1).to_string()),
        ],
    );
    let inner = popup::frame(buf, spot, &title, s);
    let width = usize::from(inner.width.saturating_sub(20)).max(20);
    let mut lines: Vec<Line> = Vec::new();
    let changed = compare::changed_params(&differences);
    lines.push(Line::from(Span::styled(
        if differences.is_empty() {
            tr(lang, "tui.compare-same").to_owned()
        } else if changed.is_empty() {
            tr(lang, "tui.compare-no-param").to_owned()
        } else {
            tr_fill(
                lang,
                "tui.compare-changed",
                &[("names", &changed.join(", "))],
            )
        },
        s.title,
    )));
    if let (Some(l), Some(r)) = (&left.signing, &right.signing)
        && l.key_fingerprint == r.key_fingerprint
    {
        lines.push(Line::from(Span::styled(
            tr_fill(lang, "tui.compare-same-key", &[("key", &l.key_fingerprint)]),
            s.dim,
        )));
    }
    for d in &differences {
        let style = match d.part {
            Part::Param | Part::Key | Part::Endpoint => s.accent,
            Part::Finding | Part::Code | Part::Outcome => s.error,
            _ => s.base,
        };
        if d.part == Part::Canonical {
            // The two strings to sign, one under the other: where they part is the point.
            for (arrow, v) in [("←", &d.left), ("→", &d.right)] {
                let text = format!("canonical {arrow} {}", v.as_deref().unwrap_or("—"));
                lines.push(Line::from(Span::styled(visible(&text).into_owned(), style)));
            }
            continue;
        }
        lines.push(Line::from(Span::styled(
            visible(&compare::line(d, width)).into_owned(),
            style,
        )));
    }
    lines.push(Line::from(Span::styled(
        tr(lang, "tui.compare-keys"),
        s.dim,
    )));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// The callback's timeline: each hit on its line, then what the walk made of two hits with
/// one code.
fn render_timeline(buf: &mut Buffer, area: Rect, walk: &Walk, lang: Lang, s: &Styles) {
    let height = u16::try_from(walk.timeline.len() + 6).unwrap_or(u16::MAX);
    let spot = popup::centered(area, area.width.saturating_sub(4).min(120), height);
    let inner = popup::frame(buf, spot, tr(lang, "tui.timeline-title"), s);
    let mut lines: Vec<Line> = Vec::new();
    if walk.timeline.is_empty() {
        lines.push(Line::from(Span::styled(
            tr(lang, "tui.timeline-empty"),
            s.dim,
        )));
    }
    for hit in &walk.timeline {
        let style = if hit.result == "refused" {
            s.error
        } else {
            s.base
        };
        lines.push(Line::from(Span::styled(
            visible(&hit.line()).into_owned(),
            style,
        )));
    }
    for note in walk
        .notes
        .iter()
        .filter(|n| n.code == crate::flow::CALLBACK_TWICE)
    {
        lines.push(Line::from(Span::styled(
            visible(note.title.get(lang)).into_owned(),
            s.error,
        )));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
