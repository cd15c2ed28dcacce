//! Pane 3: the diagnosis, and the line that says a login is complete.

use super::*;

/// A login that went through says so: steps done and the time its exchanges took.
pub(super) fn done_line(w: &WalkScreen, lang: Lang) -> Option<String> {
    if w.phase() != (Phase::Finished { ok: true }) || !w.walk.ok {
        return None;
    }
    let sum = &w.walk.summary;
    let ms: u64 = w.walk.exchanges.iter().map(|e| e.elapsed_ms).sum();
    Some(format!(
        " ✓ {} ",
        tr_fill(
            lang,
            "tui.login-done",
            &[
                ("done", &sum.done.to_string()),
                ("ran", &sum.ran.to_string()),
                ("ms", &ms.to_string()),
            ],
        )
    ))
}

/// The findings of the selected step (and the walk's notes when it failed), or nothing when
/// all is well: the strip opens only when there is something to fix.
pub(super) fn diagnosis_text(w: &WalkScreen, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(ex) = w.exchange() {
        for f in ex
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            out.push_str(&crate::tui::walk::content::finding(f, lang));
        }
    }
    if w.phase() == (Phase::Finished { ok: false }) || w.problem().is_some() {
        for f in &w.walk.notes {
            out.push_str(&crate::tui::walk::content::finding(f, lang));
        }
        if let Some(p) = w.problem()
            && !w
                .walk
                .notes
                .iter()
                .any(|n| w.live().and_then(|(s, _)| s.problem_code()) == Some(n.code.as_str()))
        {
            let _ = writeln!(out, "✗ {p}");
        }
    }
    crate::escape::visible_lines(out.trim_end()).into_owned()
}
