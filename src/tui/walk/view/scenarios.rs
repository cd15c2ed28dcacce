//! The scenario list (`S`).

use super::{Action, Buffer, Lang, Line, Rect, Span, Styles, popup, tr_fill};

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
    let rows = scenario_rows(lang);
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

/// The rows of the scenario list: "none", then each scenario's name, its providers and what it
/// does, in columns as wide as the longest name and provider list (a long name such as
/// `isv-missing-app-auth-token` once pushed its row out of line).
pub(crate) fn scenario_rows(lang: Lang) -> Vec<String> {
    let scenarios: Vec<(&str, String, String)> = crate::sandbox::scenario_names()
        .into_iter()
        .filter_map(|name| {
            let scenario = crate::sandbox::Scenario::named(name).ok()?;
            let providers: Vec<&str> = scenario
                .providers()
                .into_iter()
                .map(crate::provider::Provider::as_str)
                .collect();
            let what = if lang == Lang::ZH {
                scenario.description_zh
            } else {
                scenario.description_en
            };
            Some((name, format!("[{}]", providers.join(", ")), what))
        })
        .collect();
    let name_width = scenarios.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    let tag_width = scenarios.iter().map(|(_, t, _)| t.len()).max().unwrap_or(0);
    let mut rows = vec![crate::present::tr(lang, "tui.scenario-none").to_owned()];
    for (name, tags, what) in scenarios {
        rows.push(format!("{name:<name_width$} {tags:<tag_width$}  {what}"));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::{Lang, scenario_rows};

    #[test]
    fn the_scenario_rows_line_up_whatever_the_name_length() {
        for lang in [Lang::EN, Lang::ZH] {
            let rows = scenario_rows(lang);
            assert!(rows.len() > 2);
            let at = |row: &String| row.find(" [").map(|i| row[..i].chars().count());
            // The descriptions start in one column too: after the tags and their padding.
            let what = |row: &String| {
                let close = row.find(']')?;
                let rest = &row[close + 1..];
                let start = close + 1 + (rest.len() - rest.trim_start().len());
                Some(row[..start].chars().count())
            };
            let first = (at(&rows[1]), what(&rows[1]));
            assert!(first.0.is_some() && first.1.is_some());
            for row in &rows[1..] {
                assert_eq!((at(row), what(row)), first, "{row}");
            }
            assert!(
                rows.iter()
                    .any(|r| r.starts_with("isv-missing-app-auth-token ["))
            );
        }
    }
}
