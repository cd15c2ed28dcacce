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
        // A message may quote a signed string or a URL (Alipay's isv.invalid-signature echoes
        // the whole canonical string, code and token included).
        serde_json::Value::String(s) => {
            if let Cow::Owned(scrubbed) = scrub_params(s) {
                *s = scrubbed;
            }
        }
        _ => {}
    }
}

/// Mask `name=value` secrets wherever they stand in free text: inside an error message that
/// quotes a URL or a signed string (`…&amp;code=abc…`), a log line, a diff snippet.
pub fn scrub_params(text: &str) -> Cow<'_, str> {
    let is_boundary =
        |c: char| matches!(c, '&' | '?' | ';' | '"' | ',' | '(' | '«' | '「') || c.is_whitespace();
    let is_end =
        |c: char| matches!(c, '&' | '"' | '#' | ',' | ')' | '<' | '»' | '」') || c.is_whitespace();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_boundary = i == 0 || text[..i].chars().next_back().is_some_and(is_boundary);
        let name = at_boundary
            .then(|| {
                SECRET_PARAMS
                    .iter()
                    .find(|n| rest.starts_with(**n) && rest[n.len()..].starts_with('='))
            })
            .flatten();
        if let Some(name) = name {
            let value_start = i + name.len() + 1;
            let value_len = text[value_start..]
                .find(is_end)
                .unwrap_or(text.len() - value_start);
            let value = &text[value_start..value_start + value_len];
            out.push_str(name);
            out.push('=');
            if value.is_empty() {
                i = value_start;
                continue;
            }
            out.push_str(&mask(
                &percent_encoding::percent_decode_str(value).decode_utf8_lossy(),
            ));
            changed = true;
            i = value_start + value_len;
            continue;
        }
        let c = rest.chars().next().expect("i is inside the text");
        out.push(c);
        i += c.len_utf8();
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
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
                    if let Some(inner) = value_part.strip_prefix('"') {
                        // A body cut off inside the value has no closing quote: mask to the end.
                        let end = inner.find('"').unwrap_or(inner.len());
                        let consumed = (rest.len() - inner.len() + end + 1).min(rest.len());
                        out.push_str(&key);
                        out.push_str(":\"");
                        out.push_str(&mask(&inner[..end]));
                        if end < inner.len() {
                            out.push('"');
                        }
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
    match scrub_params(&out) {
        Cow::Owned(scrubbed) => Cow::Owned(scrubbed),
        Cow::Borrowed(_) if changed => Cow::Owned(out),
        Cow::Borrowed(_) => Cow::Borrowed(text),
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
    fn secrets_quoted_inside_messages() {
        let sub_msg = "验签出错，网关生成的验签字符串为：app_id=2021&amp;code=c35257e8abcdef&amp;method=x&amp;auth_token=authusrXYZ123";
        let scrubbed = scrub_params(sub_msg);
        assert!(
            !scrubbed.contains("c35257e8abcdef") && !scrubbed.contains("authusrXYZ123"),
            "{scrubbed}"
        );
        assert!(scrubbed.contains("code=c352…&amp;method=x"), "{scrubbed}");
        // Not a parameter: left alone.
        assert_eq!(
            scrub_params("errcode=40163 and barcode=1234567"),
            "errcode=40163 and barcode=1234567"
        );
        let body = format!(r#"{{"error_response":{{"sub_msg":"{sub_msg}"}}}}"#);
        assert!(!redact_json_text(&body).contains("authusrXYZ123"));
        let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
        redact_json(&mut v);
        assert!(!v.to_string().contains("c35257e8abcdef"));
        // A body cut off inside a token value.
        assert_eq!(
            redact_json_text(r#"{"access_token":"ACCESSTOKENVAL"#),
            r#"{"access_token":"ACCE…"#
        );
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
