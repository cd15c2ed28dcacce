//! Pure protocol code for both providers: URLs, parameters, signing, verification, decoding.
//!
//! Nothing here touches the network, the file system, the terminal or the clock. Time, keys and
//! randomness come in as arguments, so every signing path is deterministic under test, and the
//! embedded sandbox uses this very code to play the provider's side.

pub mod alipay;
mod urlcheck;
pub mod wechat;

use std::fmt;

use crate::finding::{Finding, Severity};

/// An HTTP `Date` header value (IMF-fixdate, RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(HTTP_DATE)
        .expect("formatting a date with a fixed description cannot fail")
}

/// Parse an HTTP `Date` header (IMF-fixdate, or RFC 2822 as some servers send).
pub fn parse_http_date(text: &str) -> Option<time::OffsetDateTime> {
    let text = text.trim();
    time::PrimitiveDateTime::parse(text, HTTP_DATE)
        .map(time::PrimitiveDateTime::assume_utc)
        .or_else(|_| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc2822)
        })
        .ok()
}

const HTTP_DATE: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// The HTTP method of a prepared request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
        })
    }
}

/// A request exactly as it will go on the wire, plus how it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body bytes as sent (already in the request charset).
    pub body: Vec<u8>,
    pub signing: Option<SigningTrace>,
}

/// Everything needed to show, and to reproduce, a request signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningTrace {
    /// `RSA2` or `RSA`, as sent in `sign_type`.
    pub sign_type: String,
    /// The algorithm behind it, e.g. `SHA256withRSA`.
    pub algorithm: String,
    /// The charset the canonical string was encoded with before signing.
    pub charset: String,
    /// The exact string that was signed.
    pub canonical: String,
    /// SHA-256 (hex) of the signed bytes, to compare with other tools at a glance.
    pub canonical_sha256: String,
    /// Parameters left out of the string because their value was empty or blank.
    pub dropped: Vec<String>,
    /// The base64 signature, as sent in `sign`.
    pub signature: String,
    /// Fingerprint of the public half of the signing key.
    pub key_fingerprint: String,
}

/// Lint an authorize URL of either provider, chosen from its host and path: WeChat for
/// `open.weixin.qq.com` or a `/connect/…` path, Alipay for `publicAppAuthorize.htm` or an
/// Alipay host. Anything else gets one finding saying the provider is unknown.
pub fn lint_authorize_url(input: &str) -> Vec<Finding> {
    let url = match urlcheck::RawUrl::parse(input) {
        Ok(url) => url,
        Err(reason) => return vec![urlcheck::invalid_url("unknown", &reason)],
    };
    let path = url.path.to_ascii_lowercase();
    if url.host.ends_with("weixin.qq.com") || path.starts_with("/connect/") {
        return wechat::lint_authorize_url(input);
    }
    if path.ends_with("publicappauthorize.htm")
        || url.host.ends_with("alipay.com")
        || url.host.ends_with("alipaydev.com")
    {
        return alipay::lint_authorize_url(input);
    }
    vec![urlcheck::finding(
        Severity::Error,
        "lint.unknown-provider",
        ["Not a known authorize URL", "无法识别的授权链接"],
        [
            &format!(
                "Host '{}' and path '{}' match neither WeChat (open.weixin.qq.com, \
                 /connect/oauth2/authorize) nor Alipay (openauth.alipay.com, \
                 /oauth2/publicAppAuthorize.htm).",
                url.host, url.path
            ),
            &format!(
                "域名 '{}' 和路径 '{}' 既不是微信（open.weixin.qq.com、/connect/oauth2/authorize）\
                 也不是支付宝（openauth.alipay.com、/oauth2/publicAppAuthorize.htm）的授权地址。",
                url.host, url.path
            ),
        ],
        [
            "Paste the authorize URL itself (the one the user opens), not the callback or an API URL.",
            "请粘贴用户打开的授权链接本身，而不是回调地址或接口地址。",
        ],
    )]
}
