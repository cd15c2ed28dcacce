//! Masking of secrets for display, logs and transcripts: private keys, appsecrets, access and
//! refresh tokens, auth codes. A masked value keeps its first 4 characters so two values can
//! still be told apart, and says how long it was.

use std::borrow::Cow;

/// Query and form parameter names whose values are secrets.
pub const SECRET_PARAMS: [&str; 8] = [
    "secret",
    "appsecret",
    "access_token",
    "refresh_token",
    "auth_token",
    "code",
    "auth_code",
    "app_auth_token",
];

/// JSON field names whose values are secrets.
pub const SECRET_FIELDS: [&str; 6] = [
    "access_token",
    "refresh_token",
    "auth_token",
    "secret",
    "authCode",
    "app_auth_token",
];

/// `abcd…` (first 4 characters and an ellipsis); short values are masked whole.
pub fn mask(value: &str) -> String {
    let count = value.chars().count();
    if count <= 6 {
        "…".repeat(usize::from(count > 0))
    } else {
        let head: String = value.chars().take(4).collect();
        format!("{head}…")
    }
}

/// Mask secret parameters in a URL's query string (or a form body), leaving the rest as is.
pub fn redact_query(text: &str) -> Cow<'_, str> {
    let (head, query) = match text.find('?') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None if text.contains('=') && !text.contains("://") => ("", text),
        None => return Cow::Borrowed(text),
    };
    let (query, fragment) = match query.find('#') {
        Some(i) => (&query[..i], &query[i..]),
        None => (query, ""),
    };
    match redact_pairs(query) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(q) => Cow::Owned(format!("{head}{q}{fragment}")),
    }
}

/// Mask secret values in `k=v&k=v` text: a query, a form body, or a canonical string (whose
/// values are raw, so a value may itself contain `://`).
pub fn redact_pairs(text: &str) -> Cow<'_, str> {
    let mut changed = false;
    let parts: Vec<String> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if SECRET_PARAMS.contains(&k) && !v.is_empty() => {
                changed = true;
                let decoded = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                format!("{k}={}", mask(&decoded))
            }
            _ => pair.to_owned(),
        })
        .collect();
    if changed {
        Cow::Owned(parts.join("&"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Mask secret fields anywhere in a JSON value.
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) {
                    if let serde_json::Value::String(s) = v {
                        *s = mask(s);
                    }
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Mask secret fields in a JSON text, keeping every other byte as it was (for raw bodies,
/// where re-serialising would hide what was really sent).
pub fn redact_json_text(text: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    'outer: while !rest.is_empty() {
        for field in SECRET_FIELDS {
            let key = format!("\"{field}\"");
            if rest.starts_with(&key) {
                let after = &rest[key.len()..];
                let trimmed = after.trim_start();
                if let Some(value_part) = trimmed.strip_prefix(':') {
                    let value_part = value_part.trim_start();
                    if let Some(inner) = value_part.strip_prefix('"')
                        && let Some(end) = inner.find('"')
                    {
                        let consumed = rest.len() - inner.len() + end + 1;
                        out.push_str(&key);
                        out.push_str(":\"");
                        out.push_str(&mask(&inner[..end]));
                        out.push('"');
                        rest = &rest[consumed..];
                        changed = true;
                        continue 'outer;
                    }
                }
            }
        }
        let c = rest.chars().next().expect("rest is not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask("authusrB5b8a0c6e"), "auth…");
        assert_eq!(mask("中文令牌值很长"), "中文令牌…");
    }

    #[test]
    fn queries() {
        assert_eq!(
            redact_query("https://x/sns/userinfo?access_token=ACCESSTOKEN&openid=o1&lang=zh_CN"),
            "https://x/sns/userinfo?access_token=ACCE…&openid=o1&lang=zh_CN"
        );
        assert_eq!(
            redact_query("code=abcdefgh&grant_type=authorization_code"),
            "code=abcd…&grant_type=authorization_code"
        );
        assert_eq!(redact_query("https://x/y?a=1"), "https://x/y?a=1");
    }

    #[test]
    fn json() {
        let text = r#"{"a":{"access_token" : "TOKENVALUE1","n":1},"refresh_token":"R2345678"}"#;
        assert_eq!(
            redact_json_text(text),
            r#"{"a":{"access_token":"TOKE…","n":1},"refresh_token":"R234…"}"#
        );
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        redact_json(&mut v);
        assert_eq!(v["a"]["access_token"], "TOKE…");
    }
}
