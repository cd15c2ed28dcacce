//! The code popup (`C`): the SDK picker line, the snippet, the trap notes.

use super::{Action, Buffer, Rect, Styles, WalkScreen, popup, tr_fill, visible};
use crate::present::code::{self, Sdk};

pub(super) fn render_code(
    buf: &mut Buffer,
    area: Rect,
    w: &WalkScreen,
    sdk: Sdk,
    keymap: &crate::tui::keymap::KeyMap,
    s: &Styles,
) {
    let lang = keymap.lang();
    let mut lines: Vec<(String, ratatui::style::Style)> = Vec::new();
    let picker: Vec<String> = Sdk::for_flow(w.walk.flow)
        .into_iter()
        .map(|x| {
            if x == sdk {
                format!("[{x}]")
            } else {
                x.id().to_owned()
            }
        })
        .collect();
    lines.push((picker.join(" "), s.selection));
    match crate::tui::walk::code::snippet(w, sdk) {
        Ok(snippet) => {
            lines.push((format!("# {}", snippet.dependency), s.dim));
            lines.extend(snippet.code.trim().lines().map(|l| (l.to_owned(), s.base)));
            for trap in code::trap_lines(&snippet, lang) {
                lines.push((String::new(), s.base));
                lines.push((format!("! {trap}"), s.warning));
            }
        }
        Err(e) => lines.push((e.to_string(), s.error)),
    }
    let width = area.width.saturating_sub(4).min(110);
    let height = area.height.saturating_sub(2);
    let spot = popup::centered(area, width, height);
    // Both directions pick an SDK: name the pair, the arrows when they are bound ("←/→"),
    // rather than one letter alone.
    let arrow = |action: Action| {
        keymap
            .keys(action)
            .iter()
            .map(crate::tui::keymap::Key::label)
            .find(|l| l == "←" || l == "→")
            .unwrap_or_else(|| keymap.hint(action))
    };
    let pick = format!("{}/{}", arrow(Action::Left), arrow(Action::Right));
    let title = tr_fill(
        lang,
        "code.tui-title",
        &[
            ("step", w.step().title_in(w.walk.flow.provider()).get(lang)),
            ("pick", &pick),
            ("copy", &keymap.hint(Action::Copy)),
            ("close", &keymap.hint(Action::Cancel)),
        ],
    );
    let inner = popup::frame(buf, spot, &title, s);
    let mut y = inner.y;
    let text_width = usize::from(inner.width);
    for (text, style) in lines {
        for piece in crate::tui::wrap::wrap_text(&visible(&text), style, text_width) {
            if y >= inner.bottom() {
                return;
            }
            buf.set_line(inner.x, y, &piece, inner.width);
            y += 1;
        }
    }
}
