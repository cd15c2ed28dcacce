//! The callback WeChat redirects the browser to: `redirect_uri?code=CODE&state=STATE`.

/// What WeChat appended to `redirect_uri`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code: single use, valid for 5 minutes (10 for qrconnect).
    pub code: String,
    /// The state that was sent, if WeChat echoed one.
    pub state: Option<String>,
    /// Every other query parameter, including ones that were already in `redirect_uri`.
    pub extra: Vec<(String, String)>,
}

/// Why a pasted callback could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The input was blank.
    #[error("nothing was pasted; paste the address the browser landed on, or just the code")]
    Empty,
    /// The input carries Alipay's `auth_code`.
    #[error(
        "the callback has no 'code' but an 'auth_code', so it comes from Alipay, not WeChat; \
         use the Alipay flow"
    )]
    AlipayCode,
    /// A `code` parameter is present but empty.
    #[error(
        "the callback's 'code' is empty; exchange fails with 41008 — check that redirect_uri was \
         percent-encoded so WeChat could append the code"
    )]
    EmptyCode,
    /// The input has a query but no `code` in it.
    #[error(
        "the callback has no 'code' parameter; paste the whole address the browser landed on \
         (WeChat does not redirect at all when the user refuses consent)"
    )]
    NoCode,
}

/// Parse a pasted callback: a full URL, a bare query string, or just the code itself.
///
/// Never fails on odd input: anything unrecognised is an error naming what is missing.
pub fn parse_callback(input: &str) -> Result<Callback, CallbackError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(CallbackError::Empty);
    }
    let without_fragment = input.split('#').next().unwrap_or_default();
    let query = match without_fragment.find('?') {
        Some(i) => &without_fragment[i + 1..],
        None if without_fragment.contains('=') => without_fragment,
        None => {
            return Ok(Callback {
                code: without_fragment.to_owned(),
                ..Callback::default()
            });
        }
    };
    let mut code = None;
    let mut state = None;
    let mut extra = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            // WeChat appends its own code/state after any query already in redirect_uri, so the
            // last occurrence is WeChat's.
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            _ => extra.push((k.into_owned(), v.into_owned())),
        }
    }
    match code {
        Some(code) if code.trim().is_empty() => Err(CallbackError::EmptyCode),
        Some(code) => Ok(Callback { code, state, extra }),
        None if extra.iter().any(|(k, _)| k == "auth_code") => Err(CallbackError::AlipayCode),
        None => Err(CallbackError::NoCode),
    }
}
