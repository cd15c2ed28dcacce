//! The help overlay and the bottom key bar, both generated from the [`KeyMap`] so they can
//! never disagree with what the keys do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::keymap::{Action, KeyMap};
use crate::tui::text::{truncate, width};
use crate::tui::theme::Styles;
use crate::tui::widget::popup;

/// The help popup: every bound action with its keys; in two columns when one does not fit
/// the height (descriptions are cut to the room there is).
pub fn render_help(buf: &mut Buffer, area: Rect, keymap: &KeyMap, styles: &Styles) {
    let rows = keymap.help_rows();
    let key_width = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let text_width = rows.iter().map(|(_, d)| width(d)).max().unwrap_or(0);
    // As few columns as let every key show (a key cut off is a key nobody finds), at most
    // three; the descriptions give way first.
    let height = usize::from(area.height);
    let columns = if rows.len() + 3 <= height {
        1
    } else if rows.len().div_ceil(2) + 2 <= height {
        2
    } else {
        3
    };
    let per_column = rows.len().div_ceil(columns);
    let room = usize::from(area.width.saturating_sub(4));
    let cell = (key_width + 2 + text_width).min((room.saturating_sub(3 * (columns - 1))) / columns);
    let text_room = cell.saturating_sub(key_width + 2);
    let inner_w = columns * cell + (columns - 1) * 3 + 2;
    let popup_area = popup::centered(
        area,
        u16::try_from(inner_w + 2).unwrap_or(u16::MAX),
        u16::try_from(per_column + 2).unwrap_or(u16::MAX),
    );
    let close = keymap.hint(Action::Cancel);
    let title = crate::present::tr_fill(keymap.lang(), "tui.keys-title", &[("close", &close)]);
    let inner = popup::frame(buf, popup_area, &title, styles);
    for (i, (keys, what)) in rows.iter().enumerate() {
        let column = i / per_column;
        let y = inner.y + u16::try_from(i % per_column).unwrap_or(0);
        let x = inner.x + 1 + u16::try_from(column * (cell + 3)).unwrap_or(0);
        if y >= inner.bottom() || x >= inner.right() {
            continue;
        }
        let pad = " ".repeat(key_width.saturating_sub(width(keys)) + 2);
        let line = Line::from(vec![
            Span::styled(keys.clone(), styles.key),
            Span::raw(pad),
            Span::styled(truncate(what, text_room).into_owned(), styles.base),
        ]);
        buf.set_line(x, y, &line, inner.right() - x);
    }
}

/// The key bar: `key label` pairs for `actions` (the focused pane's commands), as many as fit;
/// the help key always shows, last, so the rest is one key away.
pub fn render_key_bar(
    buf: &mut Buffer,
    area: Rect,
    keymap: &KeyMap,
    actions: &[Action],
    styles: &Styles,
) {
    if area.is_empty() {
        return;
    }
    render_key_bar_entries(buf, area, keymap, &keymap.bar(actions), styles);
}

/// The same, from entries already made (key, label): a screen may relabel one (Enter is
/// "approve" at a consent).
pub fn render_key_bar_entries(
    buf: &mut Buffer,
    area: Rect,
    keymap: &KeyMap,
    entries: &[(String, &'static str)],
    styles: &Styles,
) {
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    buf.set_style(area, styles.base);
    let help = keymap.bar(&[Action::Help]);
    let budget = usize::from(area.width).saturating_sub(help.iter().map(entry_width).sum());
    let mut used = 0;
    let mut spans = Vec::new();
    for entry in entries.iter().filter(|e| !help.contains(e)) {
        if used + entry_width(entry) > budget {
            break;
        }
        used += entry_width(entry);
        push_entry(&mut spans, entry, styles);
    }
    for entry in &help {
        push_entry(&mut spans, entry, styles);
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn entry_width((key, label): &(String, &str)) -> usize {
    width(key) + 1 + width(label) + 2
}

fn push_entry(spans: &mut Vec<Span<'static>>, (key, label): &(String, &str), styles: &Styles) {
    spans.push(Span::styled(key.clone(), styles.key));
    spans.push(Span::styled(format!(" {label}  "), styles.dim));
}
