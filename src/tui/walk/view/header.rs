//! The header line: the flow, where the walk goes (the real user, the scenario), and what
//! matters about the screen (secrets shown, the sandbox open to the LAN, a replay).

use super::{Buffer, Line, Rect, Span, Styles, WalkApp, WalkScreen, tr, tr_fill, visible};

/// The header: flow, target, and what matters about the screen (secrets shown, LAN exposure).
pub(super) fn draw_header(
    buf: &mut Buffer,
    header: Rect,
    w: &WalkScreen,
    app: &WalkApp,
    s: &Styles,
) {
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
    if let crate::tui::walk::Source::Replay {
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
pub(super) fn cut_at_word(text: &str, room: usize) -> String {
    let cut = crate::tui::text::truncate(text, room);
    if crate::tui::text::width(text) <= room {
        return cut.into_owned();
    }
    let head = cut.strip_suffix('…').unwrap_or(&cut);
    let head = head.rfind(' ').map_or(head, |i| &head[..i]);
    format!("{head}…")
}
