//! The API calls of a login, as [`PreparedRequest`]s: all `GET` with query parameters, no body,
//! no signature. The `/cgi-bin/*` ones are here so the tool can show (and explain) the mix-up.

use std::fmt;
use std::str::FromStr;

use super::{
    PATH_CGI_TOKEN, PATH_CGI_USER_INFO, PATH_SNS_ACCESS_TOKEN, PATH_SNS_AUTH,
    PATH_SNS_REFRESH_TOKEN, PATH_SNS_USERINFO, enc, join,
};
use crate::provider::{HttpMethod, PreparedRequest};

/// The `lang` of `/sns/userinfo`: the language of country/province/city names (blank since
/// October 2021, so it rarely matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserInfoLang {
    /// Simplified Chinese, the SDKs' default.
    #[default]
    ZhCn,
    /// Traditional Chinese.
    ZhTw,
    /// English.
    En,
}

impl UserInfoLang {
    /// The value sent in `lang`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh_CN",
            Self::ZhTw => "zh_TW",
            Self::En => "en",
        }
    }
}

impl fmt::Display for UserInfoLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `lang` the user-info call does not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lang '{0}': use zh_CN, zh_TW or en")]
pub struct UnknownUserInfoLang(pub String);

impl FromStr for UserInfoLang {
    type Err = UnknownUserInfoLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "zh_CN" | "zh_cn" | "zh-CN" => Ok(Self::ZhCn),
            "zh_TW" | "zh_tw" | "zh-TW" => Ok(Self::ZhTw),
            "en" | "EN" => Ok(Self::En),
            other => Err(UnknownUserInfoLang(other.to_owned())),
        }
    }
}

fn get(base: &str, path: &str, params: &[(&str, &str)]) -> PreparedRequest {
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    PreparedRequest {
        method: HttpMethod::Get,
        url: format!("{}?{query}", join(base, path)),
        headers: Vec::new(),
        body: Vec::new(),
        signing: None,
    }
}

/// `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`: exchange the
/// callback's code for a web-auth token. The secret travels in the URL; mask it when showing.
pub fn access_token_request(
    api_base: &str,
    appid: &str,
    secret: &str,
    code: &str,
) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_ACCESS_TOKEN,
        &[
            ("appid", appid),
            ("secret", secret),
            ("code", code),
            ("grant_type", "authorization_code"),
        ],
    )
}

/// `GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token`: a new web-auth
/// token without asking the user again (no secret needed; the refresh token lives 30 days).
pub fn refresh_token_request(api_base: &str, appid: &str, refresh_token: &str) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_REFRESH_TOKEN,
        &[
            ("appid", appid),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// `GET /sns/auth?access_token&openid`: does this web-auth token belong to this openid?
pub fn auth_request(api_base: &str, access_token: &str, openid: &str) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_AUTH,
        &[("access_token", access_token), ("openid", openid)],
    )
}

/// `GET /sns/userinfo?access_token&openid&lang`: the profile, with a `snsapi_userinfo` web-auth
/// token.
pub fn userinfo_request(
    api_base: &str,
    access_token: &str,
    openid: &str,
    lang: UserInfoLang,
) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_USERINFO,
        &[
            ("access_token", access_token),
            ("openid", openid),
            ("lang", lang.as_str()),
        ],
    )
}

/// `GET /cgi-bin/token?grant_type=client_credential&appid&secret`: the app-level basic token.
/// Not part of a web-auth login; built so the mix-up can be walked and explained.
pub fn basic_token_request(api_base: &str, appid: &str, secret: &str) -> PreparedRequest {
    get(
        api_base,
        PATH_CGI_TOKEN,
        &[
            ("grant_type", "client_credential"),
            ("appid", appid),
            ("secret", secret),
        ],
    )
}

/// `GET /cgi-bin/user/info?access_token&openid&lang`: a follower's profile with a basic token.
/// Not part of a web-auth login; built so the mix-up can be walked and explained.
pub fn cgi_user_info_request(
    api_base: &str,
    basic_token: &str,
    openid: &str,
    lang: UserInfoLang,
) -> PreparedRequest {
    get(
        api_base,
        PATH_CGI_USER_INFO,
        &[
            ("access_token", basic_token),
            ("openid", openid),
            ("lang", lang.as_str()),
        ],
    )
}
