//! Consistent placeholders for an export: every secret and user identifier found anywhere in a
//! walk (a field, a URL's query, a form body, `biz_content`, a signed string, an error message
//! that echoes one) gets one placeholder (`tok#1`, `code#1`, `uid#1` …), and every occurrence
//! of that value, in any spelling (raw, percent-encoded, JSON-escaped), is replaced by it.

use std::fmt::Write as _;

use serde_json::Value;

/// What a field or parameter holds, by its name; `None` for anything shareable.
///
/// `code` is a secret only as a parameter (the auth code); in a decoded Alipay response it is
/// the result code (`10000`), which support needs to see.
fn kind_of(name: &str, as_param: bool) -> Option<&'static str> {
    Some(match name {
        "access_token"
        | "refresh_token"
        | "auth_token"
        | "app_auth_token"
        | "accessToken"
        | "refreshToken"
        | "authToken"
        | "component_access_token"
        | "app_refresh_token"
        | "user_ticket" => "tok",
        "code" if as_param => "code",
        "auth_code" | "authCode" | "app_auth_code" | "js_code" | "phone_code" => "code",
        // The mini program's session key decrypts its user data: a secret like the others.
        "secret"
        | "appsecret"
        | "app_secret"
        | "private_key"
        | "client_secret"
        | "encrypt_key"
        | "session_key"
        | "sessionKey"
        | "component_appsecret"
        | "component_verify_ticket"
        | "corpsecret" => "secret",
        "user_id" | "alipay_user_id" | "open_id" | "openid" | "unionid" | "union_id" | "uid"
        | "userId" | "openId" | "unionId" | "buyer_id" | "buyer_open_id" | "userid" | "UserId"
        | "OpenId" | "external_userid" => "uid",
        "nick_name" | "nickname" | "nickName" | "avatar" | "headimgurl" | "mobile" | "phone"
        | "email" | "cert_no" | "real_name" | "user_name" | "city" | "province" | "avatarUrl"
        | "phoneNumber" | "purePhoneNumber" => "pii",
        _ => return None,
    })
}

/// Names looked for in free text (`name=value`, `"name":"value"`).
const TEXT_NAMES: [&str; 38] = [
    "session_key",
    "js_code",
    "phone_code",
    "phoneNumber",
    "purePhoneNumber",
    "access_token",
    "component_access_token",
    "app_refresh_token",
    "user_ticket",
    "app_auth_code",
    "component_appsecret",
    "component_verify_ticket",
    "corpsecret",
    "userid",
    "UserId",
    "OpenId",
    "external_userid",
    "refresh_token",
    "auth_token",
    "app_auth_token",
    "code",
    "auth_code",
    "authCode",
    "secret",
    "appsecret",
    "user_id",
    "alipay_user_id",
    "open_id",
    "openid",
    "unionid",
    "union_id",
    "nick_name",
    "nickname",
    "avatar",
    "headimgurl",
    "mobile",
    "city",
    "province",
];

/// Values shorter than this are replaced only where they stand whole (between non-word
/// characters), so a two-letter nickname does not eat every word it is part of.
const SHORT: usize = 6;

/// The table of placeholders of one export.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    /// (value, placeholder), in the order found.
    entries: Vec<(String, String)>,
    counts: Vec<(&'static str, usize)>,
}

impl Placeholders {
    /// Every secret and identifier in `doc` (a serialized walk, or any JSON).
    pub fn collect(doc: &Value) -> Self {
        let mut p = Self::default();
        p.visit(doc, None);
        // Longest first, so a value that contains another is replaced whole.
        p.entries.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        p
    }

    /// The same placeholders numbered in the order their values first appear in `text` (the
    /// Markdown a person reads top to bottom: `code#1` before `code#2`); a value `text` does not
    /// hold comes after, in the order found.
    #[must_use]
    pub fn numbered_as_read(&self, text: &str) -> Self {
        let mut order: Vec<(usize, usize, &str, &'static str)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (value, placeholder))| {
                let kind = self
                    .counts
                    .iter()
                    .map(|(k, _)| *k)
                    .find(|k| {
                        placeholder
                            .strip_prefix(k)
                            .is_some_and(|r| r.starts_with('#'))
                    })
                    .unwrap_or("pii");
                let number: usize = placeholder
                    .rsplit('#')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(i);
                (
                    text.find(value.as_str()).unwrap_or(usize::MAX),
                    number,
                    value.as_str(),
                    kind,
                )
            })
            .collect();
        order.sort_by_key(|(pos, number, ..)| (*pos, *number));
        let mut out = Self::default();
        for (_, _, value, kind) in order {
            out.add(kind, value);
        }
        out.entries.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        out
    }

    /// The placeholder of `value`, if it is a known secret.
    pub fn get(&self, value: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, p)| p.as_str())
    }

    /// Add `value` as a `kind`: a new placeholder unless it has one already.
    pub fn add(&mut self, kind: &'static str, value: &str) {
        let value = value.trim();
        if value.is_empty() || self.get(value).is_some() || is_placeholder(value) {
            return;
        }
        let n = if let Some((_, n)) = self.counts.iter_mut().find(|(k, _)| *k == kind) {
            *n += 1;
            *n
        } else {
            self.counts.push((kind, 1));
            1
        };
        self.entries.push((value.to_owned(), format!("{kind}#{n}")));
    }

    fn visit(&mut self, value: &Value, key: Option<&str>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    self.visit(v, Some(k));
                }
            }
            Value::Array(items) => {
                // A header is serialized as [name, value].
                if let [Value::String(name), Value::String(v)] = items.as_slice()
                    && matches!(
                        name.to_ascii_lowercase().as_str(),
                        "authorization" | "cookie" | "set-cookie"
                    )
                {
                    self.add("secret", v);
                }
                for item in items {
                    self.visit(item, key);
                }
            }
            Value::String(s) => {
                if let Some(kind) = key.and_then(|k| kind_of(k, false)) {
                    self.add(kind, s);
                }
                self.text(s);
            }
            Value::Number(n) => {
                if let Some(kind) = key.and_then(|k| kind_of(k, false)) {
                    self.add(kind, &n.to_string());
                }
            }
            _ => {}
        }
    }

    /// Secrets inside a text: a query or form, embedded JSON, `name=value` anywhere.
    fn text(&mut self, s: &str) {
        let trimmed = s.trim();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(inner) = serde_json::from_str::<Value>(trimmed)
        {
            self.visit(&inner, None);
        }
        let query = match s.split_once('?') {
            Some((_, q)) => Some(q),
            None if s.contains('=') && !s.contains(char::is_whitespace) => Some(s),
            None => None,
        };
        if let Some(query) = query {
            let query = query.split('#').next().unwrap_or_default();
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                if let Some(kind) = kind_of(&k, true) {
                    self.add(kind, &v);
                }
                let v = v.trim();
                if v.starts_with('{')
                    && let Ok(inner) = serde_json::from_str::<Value>(v)
                {
                    self.visit(&inner, None);
                }
            }
        }
        self.free_text(s);
    }

    /// `name=value` and `"name":"value"` wherever they stand (an error message quoting a
    /// signed string, a log line).
    fn free_text(&mut self, s: &str) {
        for name in TEXT_NAMES {
            let Some(kind) = kind_of(name, true) else {
                continue;
            };
            for (i, _) in s.match_indices(name) {
                let before = s[..i].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &s[i + name.len()..];
                let value = if let Some(v) = rest.strip_prefix('=') {
                    let end = v
                        .find(|c: char| {
                            matches!(c, '&' | '"' | '#' | ',' | ')' | '<' | '\'')
                                || c.is_whitespace()
                        })
                        .unwrap_or(v.len());
                    percent_encoding::percent_decode_str(&v[..end])
                        .decode_utf8_lossy()
                        .into_owned()
                } else if let Some(v) = rest
                    .strip_prefix("\":\"")
                    .or_else(|| rest.strip_prefix("\": \""))
                {
                    json_string_at(v)
                } else if let Some(v) = rest.strip_prefix("\\\":\\\"") {
                    let end = v.find(['"', '\\']).unwrap_or(v.len());
                    v[..end].to_owned()
                } else {
                    continue;
                };
                // A result code (`"code":"10000"`) is not an auth code.
                if name == "code" && value.len() <= 5 && value.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                self.add(kind, &value);
            }
        }
    }

    /// `text` with every known value, in every spelling, replaced by its placeholder.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (value, placeholder) in &self.entries {
            for spelling in spellings(value) {
                if !out.contains(spelling.as_str()) {
                    continue;
                }
                out = if spelling.len() < SHORT {
                    replace_whole(&out, &spelling, placeholder)
                } else {
                    out.replace(spelling.as_str(), placeholder)
                };
            }
        }
        out
    }

    /// `doc` with every string scrubbed, and every secret field replaced whole.
    pub fn scrub_json(&self, doc: &mut Value, key: Option<&str>) {
        match doc {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    self.scrub_json(v, Some(k));
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.scrub_json(item, key);
                }
            }
            Value::String(s) => {
                *s = match self.get(s.trim()) {
                    Some(p) if key.is_some_and(|k| kind_of(k, false).is_some()) => p.to_owned(),
                    _ => self.scrub(s),
                };
            }
            Value::Number(n) if key.is_some_and(|k| kind_of(k, false).is_some()) => {
                if let Some(p) = self.get(&n.to_string()) {
                    *doc = Value::String(p.to_owned());
                }
            }
            _ => {}
        }
    }
}

/// The JSON string whose text starts `v` (just after its opening quote), unescaped: a value
/// holding `\u001b` is taken whole, not cut at its first escape. A string cut off is taken to
/// the end.
fn json_string_at(v: &str) -> String {
    let mut escaped = false;
    let end = v
        .char_indices()
        .find(|&(_, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end
        })
        .map_or(v.len(), |(i, _)| i);
    let raw = &v[..end];
    let raw = raw.strip_suffix('\\').unwrap_or(raw);
    serde_json::from_str::<String>(&format!("\"{raw}\""))
        .unwrap_or_else(|_| raw.split('\\').next().unwrap_or_default().to_owned())
}

/// `kind#N`.
fn is_placeholder(value: &str) -> bool {
    value.split_once('#').is_some_and(|(k, n)| {
        !k.is_empty()
            && k.chars().all(|c| c.is_ascii_lowercase())
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

/// The ways a value is written in a walk: as is, percent-encoded (as in a URL or a form body,
/// both `%20` and `+` for a space), and JSON-escaped (`\/`, `\"`, `\uXXXX`).
fn spellings(value: &str) -> Vec<String> {
    let mut out = vec![value.to_owned()];
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
    push(
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    );
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    push(json.replace('/', "\\/"));
    push(json);
    let mut ascii = String::new();
    for c in value.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf).iter() {
                let _ = write!(ascii, "\\u{u:04x}");
            }
        }
    }
    push(ascii);
    out
}

/// Replace `needle` where it stands whole: not inside a longer word.
fn replace_whole(text: &str, needle: &str, with: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices(needle) {
        if i < last {
            continue;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        if before.is_some_and(word) || after.is_some_and(word) {
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str(with);
        last = i + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_numbered_in_the_order_a_reader_meets_them() {
        let doc = json!({
            "first": "auth_token=authusrBAAAAAAA1&x=1",
            "second": "auth_token=authusrBBBBBBBB2&x=1",
            "third": "auth_token=authusrBCCCCCCC3&x=1",
        });
        let p = Placeholders::collect(&doc);
        assert_eq!(p.get("authusrBAAAAAAA1"), Some("tok#1"));
        // The Markdown names the second token first, then the first; the third not at all.
        let read = p.numbered_as_read("the call used authusrBBBBBBBB2, then authusrBAAAAAAA1");
        assert_eq!(read.get("authusrBBBBBBBB2"), Some("tok#1"));
        assert_eq!(read.get("authusrBAAAAAAA1"), Some("tok#2"));
        assert_eq!(read.get("authusrBCCCCCCC3"), Some("tok#3"));
        assert_eq!(
            read.scrub("authusrBAAAAAAA1 and authusrBBBBBBBB2"),
            "tok#2 and tok#1"
        );
    }

    #[test]
    fn equal_values_share_a_placeholder_and_result_codes_stay() {
        let doc = json!({
            "url": "https://gw/x?auth_token=authusrB1234567&method=m",
            "body": "{\"code\":\"10000\",\"user_id\":\"2088000000000001\"}",
            "msg": "auth_token=authusrB1234567&code=abcdef0123456789",
        });
        let p = Placeholders::collect(&doc);
        assert_eq!(p.get("authusrB1234567"), Some("tok#1"));
        assert_eq!(p.get("abcdef0123456789"), Some("code#1"));
        assert_eq!(p.get("2088000000000001"), Some("uid#1"));
        assert_eq!(p.get("10000"), None);
        let mut doc = doc;
        p.scrub_json(&mut doc, None);
        let text = doc.to_string();
        assert!(
            !text.contains("authusrB") && !text.contains("2088000000000001"),
            "{text}"
        );
        assert!(text.contains("10000"), "{text}");
    }

    #[test]
    fn an_escaped_value_in_free_text_is_taken_whole() {
        // A body cut off, so not parsed as JSON: the value is read past its escapes.
        let doc = json!({ "body": "{\"nickname\":\"Ab\\u001bCdEf\\u007fGhIj\",\"x\":\"" });
        let p = Placeholders::collect(&doc);
        assert_eq!(p.get("Ab\u{1b}CdEf\u{7f}GhIj"), Some("pii#1"));
    }

    #[test]
    fn short_values_are_replaced_only_whole() {
        let mut p = Placeholders::default();
        p.add("pii", "Al");
        assert_eq!(p.scrub("Al said: Alipay"), "pii#1 said: Alipay");
    }

    #[test]
    fn encoded_spellings_are_replaced() {
        let mut p = Placeholders::default();
        p.add("pii", "https://a.example/head 1.png");
        let text =
            "u=https%3A%2F%2Fa.example%2Fhead+1.png and \"https:\\/\\/a.example\\/head 1.png\"";
        let out = p.scrub(text);
        assert!(!out.contains("a.example"), "{out}");
    }
}
