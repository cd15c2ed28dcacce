//! The web/H5 authorize URL (`publicAppAuthorize.htm`) and the callback Alipay redirects to.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986 percent-encoding of a query value: everything but the unreserved characters.
pub(crate) const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The inputs of the authorize URL. The page itself is not signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub app_id: String,
    /// `auth_user`, `auth_base`, or several joined with a comma.
    pub scope: String,
    /// The callback as registered in the console ("授权回调地址"); encoded here.
    pub redirect_uri: String,
    pub state: Option<String>,
}

/// `base?app_id=…&scope=…&redirect_uri=…[&state=…]`, in the order the docs write it, every
/// value percent-encoded.
pub fn authorize_url(base: &str, req: &AuthorizeRequest) -> String {
    let mut url = format!(
        "{base}?app_id={}&scope={}&redirect_uri={}",
        enc(&req.app_id),
        enc(&req.scope),
        enc(&req.redirect_uri)
    );
    if let Some(state) = &req.state {
        url.push_str("&state=");
        url.push_str(&enc(state));
    }
    url
}

fn enc(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// What Alipay appends to `redirect_uri`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code: single use, valid for minutes to hours.
    pub auth_code: Option<String>,
    pub app_id: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    /// `alipay_wallet` in practice.
    pub source: Option<String>,
    /// Every other query parameter, including ones that were already in `redirect_uri`.
    pub extra: Vec<(String, String)>,
}

/// Why a pasted callback could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("nothing was pasted")]
    Empty,
    #[error(
        "the callback has no auth_code; it carries 'code', so it comes from WeChat, not Alipay"
    )]
    WechatCode,
    #[error(
        "the callback has no auth_code parameter; paste the whole address the browser landed on"
    )]
    NoCode,
}

/// Parse a pasted callback: a full URL, a bare query string, or just the code itself.
pub fn parse_callback(input: &str) -> Result<Callback, CallbackError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(CallbackError::Empty);
    }
    let query = match input.find('?') {
        Some(i) => &input[i + 1..],
        None if input.contains('=') => input,
        None => {
            return Ok(Callback {
                auth_code: Some(input.to_owned()),
                ..Callback::default()
            });
        }
    };
    let query = query.split('#').next().unwrap_or_default();
    let mut cb = Callback::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "auth_code" => cb.auth_code = Some(v),
            "app_id" => cb.app_id = Some(v),
            "scope" => cb.scope = Some(v),
            "state" => cb.state = Some(v),
            "source" => cb.source = Some(v),
            _ => cb.extra.push((k.into_owned(), v)),
        }
    }
    if cb.auth_code.is_none() {
        if cb.extra.iter().any(|(k, _)| k == "code") {
            return Err(CallbackError::WechatCode);
        }
        return Err(CallbackError::NoCode);
    }
    Ok(cb)
}
