//! `e`: the walk's transcript written to the export folder.

use super::{PathBuf, Policy, WalkScreen};

/// Write the walk's transcript (`authwalk-FLOW-TIME.md` and `.json`, the support question in
/// Alipay's form first) into `dir` (the current folder by default), redacted whatever the
/// screen shows: equal values keep equal placeholders (`tok#1`, `code#1`). Returns the
/// Markdown file.
pub fn export(w: &WalkScreen, dir: Option<&std::path::Path>) -> Result<PathBuf, String> {
    use crate::transcript::{self, Meta, Redaction};
    let now = time::OffsetDateTime::now_utc();
    // The transcript masks by itself; it needs the real values to keep placeholders consistent.
    let walk = match &w.source {
        crate::tui::walk::Source::Live { session, .. } => {
            session.walk_with(Policy { reveal: true }, now, std::time::Duration::ZERO)
        }
        crate::tui::walk::Source::Replay { recording, .. } => {
            recording.walk(Policy { reveal: true })
        }
    };
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let t = transcript::export(&walk, &Meta::now(stamp), Redaction::Redacted)
        .map_err(|e| e.to_string())?;
    // The folder asked for, else `<data>/exports`; named by flow and time (UTC), readable.
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => crate::config::data_dir().map_or_else(|| PathBuf::from("."), |d| d.join("exports")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let when = time::macros::format_description!("[year]-[month]-[day]_[hour][minute][second]Z");
    // A new name beside any file already there (never overwritten, a symlink never followed).
    let base = format!(
        "authwalk-{}-{}",
        walk.flow.id(),
        now.format(&when).unwrap_or_default()
    );
    let (md, json) = (1..100)
        .map(|n| {
            let stem = if n == 1 {
                dir.join(&base)
            } else {
                dir.join(format!("{base}-{n}"))
            };
            (stem.with_extension("md"), stem.with_extension("json"))
        })
        .find(|(md, json)| md.symlink_metadata().is_err() && json.symlink_metadata().is_err())
        .ok_or_else(|| format!("{} holds too many exports named {base}", dir.display()))?;
    for (file, text) in [(&md, &t.markdown), (&json, &t.json)] {
        crate::config::write_public_file(file, text.as_bytes(), false)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(md)
}
