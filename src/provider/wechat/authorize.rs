//! The authorize URL, built in the exact parameter order WeChat documents (it regex-matches the
//! link, and a different order has broken `snsapi_userinfo` in the past).

use super::{AUTHORIZE_PATH, FRAGMENT, QRCONNECT_PATH, enc, join};

/// Which authorize page the URL opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthorizeEndpoint {
    /// `/connect/oauth2/authorize`: Official Account web authorization inside the WeChat client
    /// (`snsapi_base`, `snsapi_userinfo`).
    #[default]
    OAuth2,
    /// `/connect/qrconnect`: Open Platform website-app QR login in a desktop browser
    /// (`snsapi_login`, a website-app AppID).
    QrConnect,
}

impl AuthorizeEndpoint {
    /// The path under the open host.
    pub fn path(self) -> &'static str {
        match self {
            Self::OAuth2 => AUTHORIZE_PATH,
            Self::QrConnect => QRCONNECT_PATH,
        }
    }
}

/// The inputs of an authorize URL. Nothing here is secret: the URL is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorizeRequest {
    /// The Official Account's (or website app's) AppID, `wx` + 16 hex digits.
    pub appid: String,
    /// The callback, as a plain absolute URL on the configured web-auth domain; encoded here.
    pub redirect_uri: String,
    /// `snsapi_base`, `snsapi_userinfo` (OA) or `snsapi_login` (qrconnect); comma-separated if
    /// several.
    pub scope: String,
    /// Echoed back on the callback. Keep it non-empty, `[A-Za-z0-9]`, at most 128 bytes: WeChat
    /// rejects an empty one (10013) and mangles other characters.
    pub state: Option<String>,
    /// `forcePopup=true`: always show the consent popup (ignored for silent special cases).
    pub force_popup: bool,
    /// `forceSnapShot=true`: force snapshot-page mode, to reproduce it while testing.
    pub force_snapshot: bool,
}

/// `base + path ? appid & redirect_uri & response_type=code & scope & state [& forcePopup]
/// [& forceSnapShot] #wechat_redirect`, every value percent-encoded.
///
/// `open_base` is [`super::OPEN_BASE`] for the real WeChat, or the embedded sandbox's base.
/// A `None` state is left out, as wechatpy does; the linter warns about it.
pub fn authorize_url(
    open_base: &str,
    endpoint: AuthorizeEndpoint,
    req: &AuthorizeRequest,
) -> String {
    let mut url = format!(
        "{}?appid={}&redirect_uri={}&response_type=code&scope={}",
        join(open_base, endpoint.path()),
        enc(&req.appid),
        enc(&req.redirect_uri),
        enc(&req.scope),
    );
    if let Some(state) = &req.state {
        url.push_str("&state=");
        url.push_str(&enc(state));
    }
    if req.force_popup {
        url.push_str("&forcePopup=true");
    }
    if req.force_snapshot {
        url.push_str("&forceSnapShot=true");
    }
    url.push('#');
    url.push_str(FRAGMENT);
    url
}
