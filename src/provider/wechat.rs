//! WeChat Official Account web authorization (网页授权): the authorize URL, the `/sns/*` calls
//! (and the `/cgi-bin/*` calls people confuse them with), tolerant response parsing, a linter
//! for authorize URLs and the detection of token mix-ups.
//!
//! One login, as this module sees it:
//!
//! ```text
//! AuthorizeRequest ──authorize_url──▶ open.weixin.qq.com/connect/oauth2/authorize?…#wechat_redirect
//! redirect URL ──parse_callback──▶ Callback { code, state }
//! code ──access_token_request──▶ PreparedRequest ──(transport)──▶ body bytes
//! body ──parse_response──▶ Parsed (errcode split, control chars escaped) ──▶ WebAccessToken
//! token ──userinfo_request / auth_request / refresh_token_request──▶ … ──▶ UserInfo
//! request URLs + bodies ──confusion::diagnose_walk──▶ Findings (basic vs web-auth token)
//! ```
//!
//! Every function is pure: base URLs are arguments, so the embedded sandbox
//! (`http://127.0.0.1:PORT`) and the real hosts go through the same code.

mod authorize;
mod callback;
pub mod component;
pub mod confusion;
pub mod crypto;
pub mod doctor;
mod errmsg;
mod lint;
pub mod mini;
mod request;
mod response;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

pub use authorize::{AuthorizeEndpoint, AuthorizeRequest, authorize_url};
pub use callback::{Callback, CallbackError, parse_callback};
pub use errmsg::{ErrmsgParts, split_errmsg};
pub use lint::lint_authorize_url;
pub use request::{
    UserInfoLang, access_token_request, auth_request, basic_token_request, cgi_user_info_request,
    refresh_token_request, userinfo_request,
};
pub use response::{
    ApiError, BasicToken, Parsed, ResponseError, Sex, UserInfo, WebAccessToken, escape_controls,
    parse_response,
};

/// Host of the authorize pages (`/connect/oauth2/authorize`, `/connect/qrconnect`).
pub const OPEN_BASE: &str = "https://open.weixin.qq.com";
/// Host of every API call (`/sns/*`, `/cgi-bin/*`).
pub const API_BASE: &str = "https://api.weixin.qq.com";

/// Official Account authorize page, opened inside the WeChat client.
pub const AUTHORIZE_PATH: &str = "/connect/oauth2/authorize";
/// Open Platform website-app QR login page, opened in a desktop browser.
pub const QRCONNECT_PATH: &str = "/connect/qrconnect";
/// The fragment the WeChat client needs at the very end of an authorize URL.
pub const FRAGMENT: &str = "wechat_redirect";

/// code → web-auth (user) access_token.
pub const PATH_SNS_ACCESS_TOKEN: &str = "/sns/oauth2/access_token";
/// Refresh a web-auth access_token (no secret needed).
pub const PATH_SNS_REFRESH_TOKEN: &str = "/sns/oauth2/refresh_token";
/// Check that a web-auth access_token and openid belong together.
pub const PATH_SNS_AUTH: &str = "/sns/auth";
/// The user's profile, with a `snsapi_userinfo` web-auth token.
pub const PATH_SNS_USERINFO: &str = "/sns/userinfo";
/// The app-level "basic" access_token (`grant_type=client_credential`).
pub const PATH_CGI_TOKEN: &str = "/cgi-bin/token";
/// The app-level "stable" access_token (JSON POST); also a basic token.
pub const PATH_CGI_STABLE_TOKEN: &str = "/cgi-bin/stable_token";
/// Follower profile, with a basic token: not part of a web-auth login.
pub const PATH_CGI_USER_INFO: &str = "/cgi-bin/user/info";

/// Silent scope: openid only.
pub const SCOPE_BASE: &str = "snsapi_base";
/// Consent scope: allows `/sns/userinfo`.
pub const SCOPE_USERINFO: &str = "snsapi_userinfo";
/// Open Platform website QR login scope (`/connect/qrconnect` only).
pub const SCOPE_LOGIN: &str = "snsapi_login";

/// RFC 3986 percent-encoding of a query value (everything but the unreserved characters), as
/// the SDKs do with `quote(…, safe='')` / `encodeURIComponent`.
pub(crate) const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one query value.
pub(crate) fn enc(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Join a base URL (scheme and host, maybe a path prefix) and an absolute path.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests;
