//! Pure protocol code for both providers: URLs, parameters, signing, verification, decoding.
//!
//! Nothing here touches the network, the file system, the terminal or the clock. Time, keys and
//! randomness come in as arguments, so every signing path is deterministic under test, and the
//! embedded sandbox uses this very code to play the provider's side.

pub mod alipay;
mod urlcheck;
pub mod wechat;
pub mod wecom;
pub mod words;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Text};

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

/// What the embedded sandbox adds to the provider's invalid-code answer (Alipay's `sub_msg`,
/// WeChat's `errmsg` hint) for a code it dropped to stay under its store cap, so that the walk
/// can tell "evicted under load" from used or expired; the error code stays the provider's.
/// Part of the wire vocabulary both sides share, so it lives here, below both.
pub const SANDBOX_CODE_EVICTED_HINT: &str = "sandbox: code evicted under load";

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

/// Which provider a term, a field or a response belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// 支付宝: `alipay.system.oauth.token` and `alipay.user.info.share` on the gateway.
    Alipay,
    /// 微信: Official Account web authorization (`/sns/*`) and the basic-token APIs.
    Wechat,
}

impl Provider {
    /// Both providers, in the order the catalog searches them.
    pub const ALL: [Self; 2] = [Self::Alipay, Self::Wechat];

    /// The lowercase name used in finding codes (`alipay.…`, `wechat.…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alipay => "alipay",
            Self::Wechat => "wechat",
        }
    }

    /// The provider's name for people, in both languages.
    pub fn display_name(self) -> Text {
        match self {
            Self::Alipay => Text::key("provider.alipay"),
            Self::Wechat => Text::key("provider.wechat"),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is neither Alipay nor WeChat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider '{0}': use alipay or wechat")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "alipay" | "zfb" | "支付宝" => Ok(Self::Alipay),
            "wechat" | "weixin" | "wx" | "微信" => Ok(Self::Wechat),
            other => Err(UnknownProvider(other.to_owned())),
        }
    }
}

/// An OAuth scope of the logins authwalk walks: a closed set, so a typo is caught before the
/// authorize URL is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Alipay: the member's profile (`alipay.user.info.share`).
    #[serde(rename = "auth_user")]
    AuthUser,
    /// Alipay: the user id only, silently.
    #[serde(rename = "auth_base")]
    AuthBase,
    /// WeChat: the openid only, silently.
    #[serde(rename = "snsapi_base")]
    SnsapiBase,
    /// WeChat: the profile, after the user agrees.
    #[serde(rename = "snsapi_userinfo")]
    SnsapiUserinfo,
    /// WeChat Open Platform website QR login.
    #[serde(rename = "snsapi_login")]
    SnsapiLogin,
    /// WeCom (企业微信): a member's sensitive fields through `user_ticket`, after consent.
    #[serde(rename = "snsapi_privateinfo")]
    SnsapiPrivateinfo,
}

impl Scope {
    pub const ALL: [Self; 6] = [
        Self::AuthUser,
        Self::AuthBase,
        Self::SnsapiBase,
        Self::SnsapiUserinfo,
        Self::SnsapiLogin,
        Self::SnsapiPrivateinfo,
    ];

    /// The value sent in `scope`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthUser => "auth_user",
            Self::AuthBase => "auth_base",
            Self::SnsapiBase => "snsapi_base",
            Self::SnsapiUserinfo => "snsapi_userinfo",
            Self::SnsapiLogin => "snsapi_login",
            Self::SnsapiPrivateinfo => "snsapi_privateinfo",
        }
    }

    /// Whose scope this is.
    pub fn provider(self) -> Provider {
        match self {
            Self::AuthUser | Self::AuthBase => Provider::Alipay,
            // WeCom is of the WeChat family: same authorize host, same errcode/errmsg answers.
            Self::SnsapiBase
            | Self::SnsapiUserinfo
            | Self::SnsapiLogin
            | Self::SnsapiPrivateinfo => Provider::Wechat,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scope that is none of [`Scope::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope '{got}': choose one of {choices}")]
pub struct UnknownScope {
    pub got: String,
    /// The scopes there are, comma-separated.
    pub choices: String,
}

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| UnknownScope {
                got: s.to_owned(),
                choices: Self::ALL.map(Scope::as_str).join(", "),
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
    pub sign_type: alipay::SignType,
    /// The algorithm behind it, e.g. `SHA256withRSA`.
    pub algorithm: String,
    /// The charset the canonical string was encoded with before signing.
    pub charset: alipay::Charset,
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
    /// Certificate mode: the SNs the request carries and how each was computed.
    pub cert_sns: Vec<SnTrace>,
}

/// One certificate serial-number string sent with a request (`app_cert_sn`,
/// `alipay_root_cert_sn`) and how it was computed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnTrace {
    /// The parameter or header it is sent in.
    pub param: String,
    pub sn: String,
    /// `md5("<issuer DN><decimal serial>")` for each certificate that counts, and which were
    /// skipped.
    pub how: String,
}

/// Lint an authorize URL of either provider, chosen from its host and path: WeChat for
/// `open.weixin.qq.com` or a `/connect/…` path, Alipay for `publicAppAuthorize.htm` or an
/// Alipay host. Anything else gets one finding saying the provider is unknown.
pub fn lint_authorize_url(input: &str) -> Vec<Finding> {
    let url = match urlcheck::RawUrl::parse(input) {
        Ok(url) => url,
        Err(reason) => return vec![urlcheck::invalid_url("unknown", &reason.to_string())],
    };
    let path = url.path.to_ascii_lowercase();
    let provider_findings = if url.host.ends_with("weixin.qq.com") || path.starts_with("/connect/")
    {
        Some(wechat::lint_authorize_url(input))
    } else if path.ends_with("publicappauthorize.htm")
        || url.host.ends_with("alipay.com")
        || url.host.ends_with("alipaydev.com")
    {
        Some(alipay::lint_authorize_url(input))
    } else {
        None
    };
    if let Some(mut findings) = provider_findings {
        // A WeCom link is said once, then checked as WeCom's.
        if let Some(first) = findings.iter().position(|f| f.code == "lint.wechat.wecom") {
            let mut i = 0;
            findings.retain(|f| {
                i += 1;
                i - 1 == first || f.code != "lint.wechat.wecom"
            });
            findings.extend(wecom::wecom_checks(input));
        }
        findings.extend(urlcheck::common_findings(input));
        return findings;
    }
    vec![urlcheck::finding(
        Severity::Error,
        "lint.unknown-provider",
        Text::key("provider.not-a-known-authorize-url"),
        Text::with(
            "provider.host-and-path-match-neither",
            &[("host", &url.host), ("path", &url.path)],
        ),
        Text::key("provider.paste-the-authorize-url-itself"),
    )]
}
