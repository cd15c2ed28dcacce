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
    title: [&str; 2],
    explanation: [&str; 2],
    fix: [&str; 2],
) -> Finding {
    Finding::new(severity, code, Text::new(title[0], title[1]))
        .explanation(Text::new(explanation[0], explanation[1]))
        .fix(Text::new(fix[0], fix[1]))
}

/// The finding for input that is not a URL at all.
pub(crate) fn invalid_url(provider: &str, reason: &str) -> Finding {
    finding(
        Severity::Error,
        &format!("lint.{provider}.invalid-url"),
        ["This is not an absolute URL", "这不是一个完整的 URL"],
        [
            &format!("The text could not be parsed as a URL: {reason}."),
            &format!("无法将该文本解析为 URL：{reason}。"),
        ],
        [
            "Paste the whole authorize URL, starting with https://.",
            "请粘贴完整的授权链接（以 https:// 开头）。",
        ],
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
            ["redirect_uri contains a space", "redirect_uri 中含有空格"],
            [
                &format!(
                    "The callback '{spaced}' contains whitespace (raw or encoded as %20). The \
                     provider compares it with the configured callback and refuses it \
                     (redirect_uri 参数错误, 10003)."
                ),
                &format!(
                    "回调地址 '{spaced}' 中含有空白字符（原样或编码为 %20）。平台会将其与配置的回调地址比对并拒绝\
                     （redirect_uri 参数错误，10003）。"
                ),
            ],
            [
                "Trim the callback URL and remove the spaces before encoding it.",
                "编码前先去掉回调地址首尾及中间的空格。",
            ],
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
            let (severity, extra_en, extra_zh) = if has_query {
                (
                    Severity::Error,
                    " It has its own query string: everything after its first '&' is read as \
                     separate authorize parameters and never reaches your callback.",
                    " 它自带查询串：第一个 '&' 之后的内容会被当成授权链接自己的参数，回调收不到。",
                )
            } else {
                (Severity::Warning, "", "")
            };
            out.push(finding(
                severity,
                &format!("lint.{provider}.redirect-not-encoded"),
                ["redirect_uri is not percent-encoded", "redirect_uri 没有做 URL 编码"],
                [
                    &format!(
                        "The value '{raw}' contains ':', '/' or '?' as is. The provider expects \
                         the callback URL encoded as one query value (encodeURIComponent).{extra_en}"
                    ),
                    &format!(
                        "取值 '{raw}' 中直接出现了 ':'、'/' 或 '?'。平台要求把回调地址作为一个查询参数值\
                         整体编码（encodeURIComponent）。{extra_zh}"
                    ),
                ],
                [
                    "Encode the callback with encodeURIComponent / quote(url, safe='') before \
                     putting it in the URL (https%3A%2F%2F…).",
                    "先用 encodeURIComponent / quote(url, safe='') 编码回调地址再拼接（https%3A%2F%2F…）。",
                ],
            ));
        }
        RedirectEncoding::Twice => out.push(finding(
            Severity::Error,
            &format!("lint.{provider}.redirect-double-encoded"),
            ["redirect_uri is encoded twice", "redirect_uri 被编码了两次"],
            [
                &format!(
                    "The value '{raw}' contains '%25' escapes: after one decoding the provider \
                     sees '{}', which is not a URL, so the page rejects the callback.",
                    decode(raw)
                ),
                &format!(
                    "取值 '{raw}' 含有 '%25'：平台解码一次后得到 '{}'，不是合法地址，授权页会报回调地址错误。",
                    decode(raw)
                ),
            ],
            [
                "Encode the callback exactly once; do not encode a value that is already encoded.",
                "回调地址只编码一次，不要对已编码的值再编码。",
            ],
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
            ["redirect_uri is not an absolute http(s) URL", "redirect_uri 不是完整的 http(s) 地址"],
            [
                &format!("The callback '{decoded}' does not start with http:// or https://."),
                &format!("回调地址 '{decoded}' 不是以 http:// 或 https:// 开头。"),
            ],
            [
                "Use the full callback URL, scheme included, on the domain configured in the console.",
                "使用带协议头的完整回调地址，且域名与后台配置一致。",
            ],
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
                ["The callback uses plain http", "回调地址使用的是 http"],
                [
                    "The code travels to the callback in the URL; over http anyone on the path \
                     can read it and exchange it first.",
                    "授权码通过回调地址的 URL 传递；使用 http 时链路上的任何人都能看到并抢先换取令牌。",
                ],
                ["Serve the callback over https.", "回调地址改用 https。"],
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
    let (list, list_zh) = match unknown.len().checked_sub(LISTED) {
        Some(more) if more > 0 => (
            format!("{listed} and {more} more"),
            format!("{listed} 等（另有 {more} 个）"),
        ),
        _ => (listed.clone(), listed),
    };
    let (severity, en, zh) = if split_redirect {
        (
            Severity::Warning,
            format!(
                "The URL carries parameters the provider does not define: {list}. redirect_uri \
                 was not encoded and has its own query, so these are most likely the callback's \
                 parameters, split off: the callback will not receive them."
            ),
            format!(
                "链接里有平台未定义的参数：{list_zh}。redirect_uri 没有编码且自带查询串，这些多半是回调地址\
                 自己的参数被拆了出来，回调时收不到。"
            ),
        )
    } else {
        (
            Severity::Info,
            format!(
                "The URL carries parameters the provider does not define: {list}. They are ignored."
            ),
            format!("链接里有平台未定义的参数：{list_zh}，会被忽略。"),
        )
    };
    out.push(finding(
        severity,
        &format!("lint.{provider}.unknown-param"),
        ["Unknown parameters", "未知参数"],
        [&en, &zh],
        [
            "Remove them, or move them into redirect_uri and encode it.",
            "删除它们，或把它们放回 redirect_uri 并整体编码。",
        ],
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
            [
                "The URL has a user name or password before the host",
                "链接在域名前带有用户名或密码",
            ],
            [
                "Text before '@' in the address is a user name (and password) sent to the host; \
                 the real authorize URLs have none, and phishing links use it to look genuine.",
                "地址中 '@' 之前的部分是发给服务器的用户名（和密码）；真实的授权链接没有这一部分，\
                 钓鱼链接常用它伪装成正规地址。",
            ],
            [
                "Remove the 'user:password@' part, and check who gave you this link.",
                "删除 'user:password@' 部分，并核实这个链接的来源。",
            ],
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
            [
                "A '%' escape in the query is broken",
                "查询参数中有无效的 '%' 转义",
            ],
            [
                "A '%' is not followed by two hex digits, so the provider cannot decode the \
                 parameter (it was cut, or a literal '%' was not encoded as %25).",
                "'%' 后面不是两位十六进制数字，平台无法解码该参数（链接被截断，或字面的 '%' \
                 没有编码成 %25）。",
            ],
            [
                "Build the URL again with an encoder (`authwalk url …`), or write a literal '%' \
                 as %25.",
                "用编码函数重新生成链接（`authwalk url …`），或把字面的 '%' 写成 %25。",
            ],
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
            unknown.explanation.en.contains("p0, p1, p2")
                && unknown
                    .explanation
                    .en
                    .contains(&format!("and {} more", MANY - 20)),
            "{}",
            unknown.explanation.en
        );
        assert!(unknown.explanation.en.len() < 1000, "the list is cut");
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
