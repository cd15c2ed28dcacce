//! Whether a catalog `source` names something a user can open.

/// Why a catalog `source` was refused by [`check_source`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("no source")]
    Missing,
    #[error(
        "source part {part:?} is not a page (Title — https://…), a repository file \
         (owner/repo path) or a seed document (seed NNN_….txt)"
    )]
    NotOpenable { part: String },
}

/// Check that a catalog `source` names something a user can open: one or more parts joined
/// by `; `, each an official page (`Title — https://…`), a file of a public repository
/// (`owner/repo path/in/repo`) or a seed document by file name (`seed 001_….txt`). A
/// reference to a document outside the repository (`spec/…`) or no source at all is refused.
/// Each part may end with a note in parentheses saying what it is cited for.
pub fn check_source(source: &str) -> Result<(), SourceError> {
    if source.trim().is_empty() {
        return Err(SourceError::Missing);
    }
    for part in source.split("; ") {
        // A part may end with what it is cited for: `owner/repo path (cited for …)`.
        let part = part.trim();
        let part = match part.split_once(" (") {
            Some((head, note)) if note.ends_with(')') && !head.is_empty() => head,
            _ => part,
        };
        let page = part.contains("https://") || part.contains("http://");
        let repo_file = part.split_once(' ').is_some_and(|(repo, path)| {
            let mut halves = repo.split('/');
            let owner_and_name = matches!(
                (halves.next(), halves.next(), halves.next()),
                (Some(o), Some(n), None) if !o.is_empty() && !n.is_empty()
                    && repo.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            );
            owner_and_name && !path.contains(' ') && path.contains('.')
        });
        let seed = part.strip_prefix("seed ").is_some_and(|name| {
            let bytes = name.as_bytes();
            name.len() == "000_0123456789abcdef.txt".len()
                && bytes[..3].iter().all(u8::is_ascii_digit)
                && bytes[3] == b'_'
                && name[4..20].chars().all(|c| c.is_ascii_hexdigit())
                && &name[20..] == ".txt"
        });
        if part.starts_with("spec/") || part.contains(" spec/") || !(page || repo_file || seed) {
            return Err(SourceError::NotOpenable {
                part: part.to_owned(),
            });
        }
    }
    Ok(())
}
