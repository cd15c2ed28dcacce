//! Splitting WeChat's `errmsg` into the human text and the request id WeChat appends.
//!
//! Forms seen over the years: `invalid code, rid: 630c564c-0ddb59e1-5f81042f`, the same without
//! the comma, `invalid code, hints: [ req_id: XYv1Ha07042046 ]`, `… hint: [KJZfAa0644e575]`, an
//! errmsg that is only ` rid: …`, and advice inserted before the id (`, view more at URL`,
//! `, more details at URL`). Match errors on `errcode`, never on this text.

/// The parts of an `errmsg`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrmsgParts {
    /// The human text without suffixes, e.g. `invalid code`. May be empty.
    pub message: String,
    /// The `rid` (three groups of 8 hex digits) of 2020 and later, to quote to WeChat support.
    pub rid: Option<String>,
    /// The older `hint: [...]` / `hints: [ req_id: ... ]` id, without brackets and `req_id:`.
    pub hint: Option<String>,
    /// A documentation link WeChat inserted (`view more at …`, `more details at …`).
    pub more_info: Option<String>,
}

impl ErrmsgParts {
    /// The request time encoded in the rid's first group (hex Unix seconds), if it parses.
    ///
    /// An observation that matches every sample seen, not something WeChat documents: label it
    /// as approximate when showing it.
    pub fn rid_unix_seconds(&self) -> Option<i64> {
        let first = self.rid.as_deref()?.split('-').next()?;
        if first.len() != 8 {
            return None;
        }
        i64::from_str_radix(first, 16).ok()
    }
}

/// Split an `errmsg`. Never fails: text that matches no known form is all `message`.
pub fn split_errmsg(errmsg: &str) -> ErrmsgParts {
    let mut parts = ErrmsgParts::default();
    let mut rest = errmsg.trim_end();

    if let Some((head, rid)) = take_rid(rest) {
        parts.rid = Some(rid.to_owned());
        rest = head;
    } else if let Some((head, hint)) = take_hint(rest) {
        parts.hint = Some(hint.to_owned());
        rest = head;
    }
    rest = trim_separator(rest);

    for marker in ["view more at", "more details at"] {
        if let Some(pos) = rest.rfind(marker) {
            let link = rest[pos + marker.len()..].trim();
            if !link.is_empty() && !link.contains(char::is_whitespace) {
                parts.more_info = Some(link.trim_end_matches(',').to_owned());
                rest = trim_separator(&rest[..pos]);
                break;
            }
        }
    }
    ErrmsgParts {
        message: rest.trim().to_owned(),
        ..parts
    }
}

/// `…[,] rid: HEX-HEX-HEX` at the end.
fn take_rid(text: &str) -> Option<(&str, &str)> {
    let pos = text.rfind("rid:")?;
    let id = text[pos + 4..].trim();
    let is_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    // "rid:" must start a word: not part of e.g. "grid:".
    let starts_word = text[..pos]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || c == ',');
    (is_id && starts_word).then(|| (&text[..pos], id))
}

/// `…[,] hint: [ID]` or `…[,] hints: [ req_id: ID ]` at the end.
fn take_hint(text: &str) -> Option<(&str, &str)> {
    let inner_end = text.strip_suffix(']')?;
    let open = inner_end.rfind('[')?;
    let before = inner_end[..open].trim_end();
    let head = before
        .strip_suffix("hints:")
        .or_else(|| before.strip_suffix("hint:"))?;
    let inner = inner_end[open + 1..].trim();
    let id = inner.strip_prefix("req_id:").unwrap_or(inner).trim();
    Some((head, id))
}

fn trim_separator(text: &str) -> &str {
    text.trim_end().trim_end_matches(',').trim_end()
}
