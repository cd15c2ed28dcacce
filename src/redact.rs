//! Masking of secrets for display, logs and transcripts: private keys, appsecrets, access and
//! refresh tokens, auth codes. A masked value keeps its first 4 characters so two values can
//! still be told apart, and says how long it was.

use std::borrow::Cow;

/// Query and form parameter names whose values are secrets.
pub const SECRET_PARAMS: [&str; 20] = [
    "phone_code",
    "js_code",
    "session_key",
    "secret",
    "appsecret",
    "app_secret",
    "client_secret",
    "access_token",
    "refresh_token",
    "auth_token",
    "code",
    "auth_code",
    "app_auth_token",
    "component_access_token",
    "component_appsecret",
    "component_verify_ticket",
    "corpsecret",
    "user_ticket",
    "app_auth_code",
    "app_refresh_token",
];

/// JSON field names whose values are secrets.
pub const SECRET_FIELDS: [&str; 14] = [
    "encrypt_key",
    "session_key",
    "access_token",
    "refresh_token",
    "auth_token",
    "secret",
    "authCode",
    "app_auth_token",
    "component_access_token",
    "component_appsecret",
    "component_verify_ticket",
    "user_ticket",
    "app_auth_code",
    "app_refresh_token",
];

/// Header names whose whole value is a secret.
pub const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    // The sandbox control API's token (the mini program's stand-in calls carry it).
    "x-authwalk-sandbox-token",
];

/// `abcd…` (first 4 characters and an ellipsis); short values are masked whole. A value
/// masked already (it ends in the ellipsis no token or code holds) stays as it is, so a masked
/// document read back (a replay of `run --json`) does not lose what its masking showed; so does
/// a transcript's placeholder (`tok#1`), which is safe to show.
pub fn mask(value: &str) -> String {
    if is_masked(value) || is_placeholder(value) {
        return value.to_owned();
    }
    let count = value.chars().count();
    if count <= 6 {
        "…".repeat(usize::from(count > 0))
    } else {
        let head: String = value.chars().take(4).collect();
        format!("{head}…")
    }
}

/// Whether `value` is what [`mask`] makes: `…`, or at most four characters and `…`.
fn is_masked(value: &str) -> bool {
    value
        .strip_suffix('…')
        .is_some_and(|head| head.chars().count() <= 4)
}

/// A transcript's placeholder: `tok#1`, `code#2`, `secret#1`.
pub fn is_placeholder(value: &str) -> bool {
    value.split_once('#').is_some_and(|(k, n)| {
        !k.is_empty()
            && k.chars().all(|c| c.is_ascii_lowercase())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

/// A header's value as shown: the whole value of a credential header, and secret parameters
/// and known secrets anywhere else (a `Location` that echoes the request URL).
pub fn redact_header<'a>(name: &str, value: &'a str, known: &Known) -> Cow<'a, str> {
    if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Cow::Owned(mask(value));
    }
    redact_text(value, known)
}

/// Free text as shown (a URL, an error, a body, a header): known secret values in any spelling,
/// then `name=value` secrets wherever they stand. The one pass everything shown goes through.
pub fn redact_text<'a>(text: &'a str, known: &Known) -> Cow<'a, str> {
    match known.scrub(text) {
        Cow::Borrowed(_) => scrub_params(text),
        Cow::Owned(scrubbed) => Cow::Owned(scrub_params(&scrubbed).into_owned()),
    }
}

/// Secret values known to a walk (the appsecret, the code, the tokens, what a request sent as a
/// secret parameter), masked wherever they appear, whatever the name beside them, in every
/// spelling (raw, percent-encoded, JSON-escaped).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Each value with its spellings, longest value first.
    values: Vec<(String, Vec<String>)>,
}

impl Known {
    /// Values shorter than this are left to the name-based masking: a short one would mask
    /// every word it is part of.
    const MIN: usize = 8;

    /// Remember `value` as a secret.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.chars().count() < Self::MIN
            || is_masked(value)
            || is_placeholder(value)
            || self.values.iter().any(|(v, _)| v == value)
        {
            return;
        }
        let mut spellings = vec![value.to_owned()];
        let mut push = |s: String| {
            if !spellings.contains(&s) {
                spellings.push(s);
            }
        };
        push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
        let encoded =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        push(
            percent_encoding::utf8_percent_encode(&encoded, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        );
        push(encoded);
        if let Ok(json) = serde_json::to_string(value) {
            let json = json.trim_matches('"').to_owned();
            push(json.replace('/', "\\/"));
            push(json);
        }
        self.values.push((value.to_owned(), spellings));
        self.values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    }

    /// Remember the values of the secret parameters of a URL's query or a form body.
    pub fn add_params(&mut self, text: &str) {
        let query = text.split_once('?').map_or(text, |(_, q)| q);
        let query = query.split('#').next().unwrap_or_default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if SECRET_PARAMS.contains(&k.as_ref()) {
                self.add(&v);
            }
        }
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every known value, in every spelling, masked.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (value, spellings) in &self.values {
            for spelling in spellings {
                if out.contains(spelling.as_str()) {
                    out = Cow::Owned(out.replace(spelling.as_str(), &mask(value)));
                }
            }
        }
        out
    }
}

/// Mask secret parameters in a URL's query string (or a form body), leaving the rest as is.
pub fn redact_query(text: &str) -> Cow<'_, str> {
    let (head, query) = match text.find('?') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None if text.contains('=') && !text.contains("://") => ("", text),
        None => return Cow::Borrowed(text),
    };
    let (query, fragment) = match fragment_start(query) {
        Some(i) => (&query[..i], &query[i..]),
        None => (query, ""),
    };
    match redact_pairs(query) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(q) => Cow::Owned(format!("{head}{q}{fragment}")),
    }
}

/// Where a query's fragment starts: the first `#` that is not inside a transcript's placeholder
/// (`code=code#1`, as a redacted transcript writes a URL).
fn fragment_start(query: &str) -> Option<usize> {
    query.match_indices('#').map(|(i, _)| i).find(|&i| {
        let value_start = query[..i].rfind(['=', '&']).map_or(0, |v| v + 1);
        let end = query[i..].find('&').map_or(query.len(), |e| i + e);
        !is_placeholder(&query[value_start..end])
    })
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
        let before = &text[..i];
        // A URL quoted inside another one's query (a login page's `return_to=`) spells its
        // `?`, `&` and `=` as `%3F`, `%26` and `%3D`.
        let encoded_boundary = ["%26", "%3F", "%3f"].iter().any(|b| before.ends_with(b));
        let at_boundary =
            i == 0 || encoded_boundary || before.chars().next_back().is_some_and(is_boundary);
        let name = at_boundary
            .then(|| {
                SECRET_PARAMS.iter().find_map(|n| {
                    let after = rest.strip_prefix(*n)?;
                    ["=", "%3D", "%3d"]
                        .into_iter()
                        .find(|eq| after.starts_with(eq))
                        .map(|eq| (*n, eq))
                })
            })
            .flatten();
        if let Some((name, eq)) = name {
            let value_start = i + name.len() + eq.len();
            let tail = &text[value_start..];
            let mut value_len = [tail.find(is_end), tail.find("%26"), tail.find("%23")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(tail.len());
            // A transcript's placeholder (`code=code#1`) is one value, not a value and a
            // fragment.
            if let Some(after) = tail[value_len..].strip_prefix('#') {
                let digits = after
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(after.len());
                let candidate = &tail[..value_len + 1 + digits];
                if is_placeholder(candidate) {
                    value_len = candidate.len();
                }
            }
            let value = &text[value_start..value_start + value_len];
            out.push_str(name);
            out.push_str(eq);
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
        // Copy up to the next place a name could start (just after a boundary character).
        let stop = |c: char| is_boundary(c) || c == '%';
        let run = rest
            .char_indices()
            .find(|&(_, c)| stop(c))
            .map_or(rest.len(), |(b, c)| {
                let encoded = ["%26", "%3F", "%3f"]
                    .iter()
                    .any(|e| rest[b..].starts_with(e));
                b + if encoded { 3 } else { c.len_utf8() }
            });
        out.push_str(&rest[..run]);
        i += run;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Mask secret fields in a JSON text, keeping every other byte as it was (for raw bodies,
/// where re-serialising would hide what was really sent). Linear in the text: only the places
/// where a `"` stands are looked at, and clean runs are copied whole (a raw body may be MBs).
pub fn redact_json_text(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    // Bytes of `text` already accounted for in `out`.
    let mut copied = 0;
    let mut search = 0;
    while let Some(offset) = text[search..].find('"') {
        let start = search + offset;
        search = start + 1;
        let Some(secret) = secret_value_at(&text[start..]) else {
            continue;
        };
        out.push_str(&text[copied..start]);
        out.push_str(secret.key);
        out.push_str(":\"");
        out.push_str(&mask(secret.value));
        if secret.closed {
            out.push('"');
        }
        copied = start + secret.consumed;
        search = copied;
    }
    let changed = copied > 0;
    if changed {
        out.push_str(&text[copied..]);
    }
    match scrub_params(if changed { &out } else { text }) {
        Cow::Owned(scrubbed) => Cow::Owned(scrubbed),
        Cow::Borrowed(_) if changed => Cow::Owned(out),
        Cow::Borrowed(_) => Cow::Borrowed(text),
    }
}

/// A secret field's string value found at the start of some JSON text.
struct SecretValue<'a> {
    /// The quoted key, `"access_token"`.
    key: &'a str,
    /// The value between its quotes (to the end of the text when it was cut off).
    value: &'a str,
    /// The value has its closing quote.
    closed: bool,
    /// Bytes from the key's opening quote to after the value's closing quote.
    consumed: usize,
}

/// `"field" : "value"` at the start of `rest`, for a field in [`SECRET_FIELDS`].
fn secret_value_at(rest: &str) -> Option<SecretValue<'_>> {
    let after_quote = &rest[1..];
    let field = SECRET_FIELDS
        .iter()
        .find(|f| after_quote.starts_with(**f) && after_quote[f.len()..].starts_with('"'))?;
    let key = &rest[..field.len() + 2];
    let value_part = rest[key.len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let inner = value_part.strip_prefix('"')?;
    // A body cut off inside the value has no closing quote: mask to the end.
    let end = inner.find('"').unwrap_or(inner.len());
    let value_start = rest.len() - inner.len();
    Some(SecretValue {
        key,
        value: &inner[..end],
        closed: end < inner.len(),
        consumed: (value_start + end + 1).min(rest.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_in_free_text_is_one_value() {
        assert_eq!(
            scrub_params("/cb?auth_code=code#1&state=s"),
            "/cb?auth_code=code#1&state=s"
        );
        // A real value before a fragment is still masked, the fragment kept.
        assert_eq!(
            scrub_params("/cb?code=0a1b2c3d4e5f#frag"),
            "/cb?code=0a1b…#frag"
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask("authusrB5b8a0c6e"), "auth…");
        assert_eq!(mask("中文令牌值很长"), "中文令牌…");
        // Masking is idempotent: what a masked document shows survives a second masking.
        assert_eq!(mask("auth…"), "auth…");
        assert_eq!(mask(&mask("authusrB5b8a0c6e")), "auth…");
        assert_eq!(mask("…"), "…");
        // Only mask's own shape passes: a secret that merely ends in `…` is masked.
        assert_eq!(mask("REALSECRETVALUE…"), "REAL…");
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
    fn consecutive_boundaries_and_big_bodies() {
        assert_eq!(scrub_params("x &&code=abcdefgh"), "x &&code=abcd…");
        assert_eq!(scrub_params("(code=abcdefgh)"), "(code=abcd…)");
        assert_eq!(scrub_params("zcode=abcdefgh"), "zcode=abcdefgh");
        assert_eq!(
            redact_json_text(r#"["x","access_token", {"secret":"S1234567"}]"#),
            r#"["x","access_token", {"secret":"S123…"}]"#
        );
        // Megabytes of body: linear, and nothing changes when nothing is secret.
        let body = format!(r#"{{"a":"{}"}}"#, "x y&z\"".repeat(1 << 20));
        assert!(matches!(redact_json_text(&body), Cow::Borrowed(_)));
        let body = format!(
            r#"{{"a":"{}","access_token":"TOKENVALUE"}}"#,
            "é".repeat(1 << 20)
        );
        let redacted = redact_json_text(&body);
        assert!(redacted.ends_with(r#","access_token":"TOKE…"}"#));
        assert_eq!(redacted.len(), body.len() - 6 + "…".len());
    }

    #[test]
    fn headers_encoded_urls_and_known_values() {
        let none = Known::default();
        // A login page's `return_to` quotes the request URL percent-encoded.
        assert_eq!(
            scrub_params(
                "https://p/?return_to=https%3A%2F%2Fx%2Fy%3Fappid%3Dwx1%26secret%3DSECRETVALUE%26code%3DCODEVALUE1"
            ),
            "https://p/?return_to=https%3A%2F%2Fx%2Fy%3Fappid%3Dwx1%26secret%3DSECR…%26code%3DCODE…"
        );
        assert_eq!(redact_header("Cookie", "sid=abcdefgh", &none), "sid=…");
        assert_eq!(
            redact_header("Location", "/x?code=abcdefgh", &none),
            "/x?code=abcd…"
        );
        let mut known = Known::default();
        known.add("0123456789abcdef");
        known.add("short");
        assert_eq!(
            redact_text("bare 0123456789abcdef, short", &known),
            "bare 0123…, short"
        );
        assert_eq!(redact_text("x=0123456789abcdef%2F", &known), "x=0123…%2F");
        // Placeholders and masked values pass unchanged.
        assert_eq!(mask("tok#1"), "tok#1");
        assert_eq!(mask("secret#12"), "secret#12");
        assert_eq!(redact_query("/x?code=code#1"), "/x?code=code#1");
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
