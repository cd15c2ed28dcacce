//! Shared pieces of the authorize-URL linters: splitting a URL while keeping every parameter's
//! raw (still encoded) text and its position, and the `redirect_uri` encoding checks that both
//! providers need.

use std::collections::HashSet;

use percent_encoding::percent_decode_str;

use crate::finding::{Finding, Severity, Text};

/// One query parameter as written in the URL.
#[derive(Debug, Clone)]
pub(crate) struct RawParam<'a> {
    /// The name, decoded.
    pub key: String,
    /// The value exactly as written (still percent-encoded).
    pub raw: &'a str,
    /// The value percent-decoded once (`+` is kept: WeChat and Alipay use RFC 3986 encoding).
    pub value: String,
}

/// A URL split the way a linter needs it: parameters in order, raw and decoded.
#[derive(Debug, Clone)]
pub(crate) struct RawUrl<'a> {
    pub scheme: String,
    pub host: String,
    pub path: String,
    /// The raw query (between `?` and `#`), if any.
    pub query: Option<&'a str>,
    /// The raw fragment (after the first `#`), if any.
    pub fragment: Option<&'a str>,
    pub params: Vec<RawParam<'a>>,
}

/// Why an input is not an absolute URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(transparent)]
    Unparsable(#[from] url::ParseError),
    #[error("it has no host")]
    NoHost,
}

impl<'a> RawUrl<'a> {
    /// Split `input`; the error says why it is not an absolute URL.
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let input = input.trim();
        let (before, fragment) = match input.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (input, None),
        };
        let (base, query) = match before.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (before, None),
        };
        let url = url::Url::parse(base)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if host.is_empty() {
            return Err(UrlError::NoHost);
        }
        let params = query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                RawParam {
                    key: decode(k),
                    raw: v,
                    value: decode(v),
                }
            })
            .collect();
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host,
            path: url.path().to_owned(),
            query,
            fragment,
            params,
        })
    }

    /// The first parameter with this name.
    pub fn get(&self, key: &str) -> Option<&RawParam<'a>> {
        self.params.iter().find(|p| p.key == key)
    }

    /// Names that appear more than once, in the order of their second appearance. Linear in
    /// the number of parameters (a pasted URL may carry 100k of them).
    pub fn duplicates(&self) -> Vec<&str> {
        let mut seen: HashSet<&str> = HashSet::with_capacity(self.params.len());
        let mut reported: HashSet<&str> = HashSet::new();
        let mut dups: Vec<&str> = Vec::new();
        for p in &self.params {
            let key = p.key.as_str();
            if !seen.insert(key) && reported.insert(key) {
                dups.push(key);
            }
        }
        dups
    }
}

/// Percent-decode once, lossily (a linter must not fail on bad UTF-8).
pub(crate) fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Whether the host is the local machine (the embedded sandbox).
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Build a finding from its six texts.
pub(crate) fn finding(
    severity: Severity,
    code: &str,
    title: Text,
    explanation: Text,
    fix: Text,
) -> Finding {
    Finding::new(severity, code, title)
        .explanation(explanation)
        .fix(fix)
}

/// The finding for input that is not a URL at all.
pub(crate) fn invalid_url(provider: &str, reason: &str) -> Finding {
    finding(
        Severity::Error,
        &format!("lint.{provider}.invalid-url"),
        Text::key("provider.urlcheck.this-is-not-an-absolute"),
        Text::with(
            "provider.urlcheck.the-text-could-not-be",
            &[("reason", &reason)],
        ),
        Text::key("provider.urlcheck.paste-the-whole-authorize-url"),
    )
}

/// How the raw `redirect_uri` value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirectEncoding {
    /// Fully percent-encoded once: what both providers expect.
    Once,
    /// Written raw (`https://…`); the callback's own query is cut at its first `&`.
    NotEncoded {
        /// The raw value has its own `?`: its query parameters are lost or split off.
        has_query: bool,
    },
    /// Encoded twice (`https%253A%252F%252F…`): the provider sees `https%3A%2F%2F…`.
    Twice,
}

/// Classify the raw `redirect_uri` value.
pub(crate) fn redirect_encoding(raw: &str) -> RedirectEncoding {
    let lower = raw.to_ascii_lowercase();
    if raw.contains("://") || raw.contains('/') || raw.contains('?') || raw.contains(':') {
        return RedirectEncoding::NotEncoded {
            has_query: raw.contains('?'),
        };
    }
    let bytes = lower.as_bytes();
    let twice = bytes.windows(5).any(|w| {
        w[0] == b'%'
            && w[1] == b'2'
            && w[2] == b'5'
            && w[3].is_ascii_hexdigit()
            && w[4].is_ascii_hexdigit()
    });
    if twice {
        RedirectEncoding::Twice
    } else {
        RedirectEncoding::Once
    }
}

/// A space, raw or encoded (%20), is never part of a callback URL: surrounding spaces come
/// from a copy and paste, inner ones break the match with the configured domain or path.
fn lint_redirect_spaces(provider: &str, raw: &str, out: &mut Vec<Finding>) {
    let spaced = decode(raw);
    if raw.contains(char::is_whitespace)
        || spaced.contains(char::is_whitespace)
        || raw.to_ascii_lowercase().contains("%20")
    {
        out.push(finding(
            Severity::Error,
            &format!("lint.{provider}.redirect-whitespace"),
            Text::key("provider.urlcheck.redirect-uri-contains-a-space"),
            Text::with(
                "provider.urlcheck.the-callback-contains-whitespace-raw",
                &[("spaced", &spaced)],
            ),
            Text::key("provider.urlcheck.trim-the-callback-url-and"),
        ));
    }
}

/// The `redirect_uri` checks both providers share: encoding, absoluteness, https.
pub(crate) fn lint_redirect(provider: &str, raw: &str, out: &mut Vec<Finding>) {
    lint_redirect_spaces(provider, raw, out);
    let encoding = redirect_encoding(raw);
    match encoding {
        RedirectEncoding::Once => {}
        RedirectEncoding::NotEncoded { has_query } => {
            let (severity, extra) = if has_query {
                (
                    Severity::Error,
                    Text::key("provider.urlcheck.redirect-has-own-query"),
                )
            } else {
                (Severity::Warning, Text::default())
            };
            out.push(finding(
                severity,
                &format!("lint.{provider}.redirect-not-encoded"),
                Text::key("provider.urlcheck.redirect-uri-is-not-percent"),
                Text::with(
                    "provider.urlcheck.the-value-contains-or-as",
                    &[("raw", &raw)],
                )
                .fill_text("extra", &extra),
                Text::key("provider.urlcheck.encode-the-callback-with-encodeuricomponent"),
            ));
        }
        RedirectEncoding::Twice => out.push(finding(
            Severity::Error,
            &format!("lint.{provider}.redirect-double-encoded"),
            Text::key("provider.urlcheck.redirect-uri-is-encoded-twice"),
            Text::with(
                "provider.urlcheck.the-value-contains-25-escapes",
                &[("raw", &raw), ("value", &decode(raw))],
            ),
            Text::key("provider.urlcheck.encode-the-callback-exactly-once"),
        )),
    }
    if encoding == RedirectEncoding::Twice {
        return;
    }
    let decoded = decode(raw);
    let lower = decoded.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        out.push(finding(
            Severity::Error,
            &format!("lint.{provider}.redirect-not-absolute"),
            Text::key("provider.urlcheck.redirect-uri-is-not-an"),
            Text::with(
                "provider.urlcheck.the-callback-does-not-start",
                &[("decoded", &decoded)],
            ),
            Text::key("provider.urlcheck.use-the-full-callback-url"),
        ));
    } else if lower.starts_with("http://") {
        let host = url::Url::parse(&decoded)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if !is_loopback(&host) {
            out.push(finding(
                Severity::Warning,
                &format!("lint.{provider}.redirect-http"),
                Text::key("provider.urlcheck.the-callback-uses-plain-http"),
                Text::key("provider.urlcheck.the-code-travels-to-the"),
                Text::key("provider.urlcheck.serve-the-callback-over-https"),
            ));
        }
    }
}

/// Whether a state value is only ASCII letters and digits.
pub(crate) fn is_alphanumeric(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Report parameters the provider does not know. When `redirect_uri` was written unencoded with
/// its own query, such parameters are most likely that query, split off and lost.
pub(crate) fn lint_unknown_params(
    provider: &str,
    url: &RawUrl<'_>,
    known: &[&str],
    out: &mut Vec<Finding>,
) {
    /// Names listed in the finding; the rest are counted.
    const LISTED: usize = 20;
    let split_redirect = url.get("redirect_uri").is_some_and(|p| p.raw.contains('?'));
    let mut seen: HashSet<&str> = HashSet::new();
    let unknown: Vec<&str> = url
        .params
        .iter()
        .map(|p| p.key.as_str())
        .filter(|k| !known.contains(k) && seen.insert(k))
        .collect();
    if unknown.is_empty() {
        return;
    }
    let listed = unknown[..unknown.len().min(LISTED)].join(", ");
    let list = match unknown.len().checked_sub(LISTED) {
        Some(more) if more > 0 => Text::with(
            "provider.urlcheck.listed-and-more",
            &[("listed", &listed), ("more", &more)],
        ),
        _ => Text::new(listed.clone(), listed),
    };
    let (severity, explanation) = if split_redirect {
        (Severity::Warning, "provider.urlcheck.unknown-params-split")
    } else {
        (Severity::Info, "provider.urlcheck.unknown-params-ignored")
    };
    let explanation = Text::key(explanation).fill_text("list", &list);
    out.push(finding(
        severity,
        &format!("lint.{provider}.unknown-param"),
        Text::key("provider.urlcheck.unknown-parameters"),
        explanation,
        Text::key("provider.urlcheck.remove-them-or-move-them"),
    ));
}

/// Checks that hold for an authorize URL of either provider: no user name or password before
/// the host (a phishing pattern; the real URLs have none) and no broken `%` escape in the query.
pub(crate) fn common_findings(input: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let before_fragment = input.trim().split('#').next().unwrap_or_default();
    let (base, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    if let Ok(url) = url::Url::parse(base)
        && (!url.username().is_empty() || url.password().is_some())
    {
        findings.push(finding(
            Severity::Error,
            "lint.userinfo",
            Text::key("provider.urlcheck.the-url-has-a-user"),
            Text::key("provider.urlcheck.text-before-in-the-address"),
            Text::key("provider.urlcheck.remove-the-user-password-part"),
        ));
    }
    let bytes = query.as_bytes();
    let broken = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if broken {
        findings.push(finding(
            Severity::Error,
            "lint.bad-percent-escape",
            Text::key("provider.urlcheck.a-escape-in-the-query"),
            Text::key("provider.urlcheck.a-is-not-followed-by"),
            Text::key("provider.urlcheck.build-the-url-again-with"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// `count` parameters named by `name(i)`, after a canonical WeChat prefix.
    fn url_with(count: usize, name: impl Fn(usize) -> String) -> String {
        let mut url =
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef\
                       &redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code\
                       &scope=snsapi_base&state=abc"
                .to_owned();
        for i in 0..count {
            let _ = write!(url, "&{}=v", name(i));
        }
        url + "#wechat_redirect"
    }

    // 100k parameters: a quadratic scan makes about 5·10⁹ name comparisons here (minutes in a
    // debug build), a linear one 10⁵ hash lookups.
    const MANY: usize = 100_000;

    #[test]
    fn a_hundred_thousand_distinct_parameters_lint_in_linear_time() {
        let url = url_with(MANY, |i| format!("p{i}"));
        let parsed = RawUrl::parse(&url).expect("parses");
        assert_eq!(parsed.params.len(), MANY + 5);
        assert!(parsed.duplicates().is_empty());
        let findings = crate::provider::lint_authorize_url(&url);
        let unknown = findings
            .iter()
            .find(|f| f.code == "lint.wechat.unknown-param")
            .expect("unknown parameters reported");
        assert!(
            unknown
                .explanation
                .get(crate::lang::Lang::EN)
                .contains("p0, p1, p2")
                && unknown
                    .explanation
                    .get(crate::lang::Lang::EN)
                    .contains(&format!("and {} more", MANY - 20)),
            "{}",
            unknown.explanation.get(crate::lang::Lang::EN)
        );
        assert!(
            unknown.explanation.get(crate::lang::Lang::EN).len() < 1000,
            "the list is cut"
        );
    }

    #[test]
    fn a_hundred_thousand_duplicated_parameters_lint_in_linear_time() {
        let url = url_with(MANY, |i| format!("d{}", i / 2));
        let parsed = RawUrl::parse(&url).expect("parses");
        let dups = parsed.duplicates();
        assert_eq!(dups.len(), MANY / 2);
        assert_eq!(&dups[..3], ["d0", "d1", "d2"]);
        let findings = crate::provider::lint_authorize_url(&url);
        let reported = findings
            .iter()
            .filter(|f| f.code == "lint.wechat.duplicate-param")
            .count();
        assert_eq!(reported, MANY / 2);
    }

    #[test]
    fn duplicates_are_reported_once_in_order() {
        let url = RawUrl::parse("https://h/p?a=1&b=2&a=3&c&b&a").expect("parses");
        assert_eq!(url.duplicates(), ["a", "b"]);
    }
}
