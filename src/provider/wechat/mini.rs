//! The mini program login's server calls, as [`PreparedRequest`]s, and their answers:
//! `/sns/jscode2session` (the `wx.login` code → `openid`, `session_key`, `unionid`),
//! `/cgi-bin/stable_token` (the app's basic token, JSON body) and
//! `/wxa/business/getuserphonenumber` (the phone button's code → `phone_info`).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{enc, join};
use crate::provider::{HttpMethod, PreparedRequest};

pub const PATH_JSCODE2SESSION: &str = "/sns/jscode2session";
pub const PATH_PHONE_NUMBER: &str = "/wxa/business/getuserphonenumber";

/// `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`.
pub fn jscode2session_request(
    api_base: &str,
    appid: &str,
    secret: &str,
    js_code: &str,
) -> PreparedRequest {
    let query = [
        ("appid", appid),
        ("secret", secret),
        ("js_code", js_code),
        ("grant_type", "authorization_code"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    PreparedRequest {
        method: HttpMethod::Get,
        url: format!("{}?{query}", join(api_base, PATH_JSCODE2SESSION)),
        headers: Vec::new(),
        body: Vec::new(),
        signing: None,
    }
}

fn post_json(url: String, body: &Value) -> PreparedRequest {
    PreparedRequest {
        method: HttpMethod::Post,
        url,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.to_string().into_bytes(),
        signing: None,
    }
}

/// `POST /cgi-bin/stable_token {grant_type, appid, secret}`: the app's basic token, the same
/// one until it expires however often it is asked for (unless `force_refresh`).
pub fn stable_token_request(api_base: &str, appid: &str, secret: &str) -> PreparedRequest {
    post_json(
        join(api_base, super::PATH_CGI_STABLE_TOKEN),
        &json!({"grant_type": "client_credential", "appid": appid, "secret": secret}),
    )
}

/// `POST /wxa/business/getuserphonenumber?access_token {code}`: the phone number behind the
/// code of a `getPhoneNumber` button, with the app's basic (or stable) token.
pub fn phone_number_request(api_base: &str, access_token: &str, code: &str) -> PreparedRequest {
    post_json(
        format!(
            "{}?access_token={}",
            join(api_base, PATH_PHONE_NUMBER),
            enc(access_token)
        ),
        &json!({"code": code}),
    )
}

/// The answer of `jscode2session`.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub openid: String,
    /// The key of this login's encrypted data; never sent to the client.
    pub session_key: String,
    /// Only when the mini program is bound to an Open Platform account.
    #[serde(default)]
    pub unionid: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer of `getuserphonenumber`, `phone_info`.
#[derive(Debug, Clone, Deserialize)]
pub struct PhoneInfo {
    /// With the country code for foreign numbers.
    #[serde(rename = "phoneNumber")]
    pub phone_number: String,
    /// Without the country code.
    #[serde(rename = "purePhoneNumber")]
    pub pure_phone_number: String,
    #[serde(rename = "countryCode")]
    pub country_code: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_shaped_as_documented() {
        let r = jscode2session_request("https://api.weixin.qq.com", "wx1", "s e", "c+1");
        assert_eq!(
            r.url,
            "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s%20e&js_code=c%2B1&grant_type=authorization_code"
        );
        let r = phone_number_request("https://api.weixin.qq.com/", "T", "pc");
        assert_eq!(r.method, HttpMethod::Post);
        assert!(
            r.url
                .ends_with("/wxa/business/getuserphonenumber?access_token=T")
        );
        assert_eq!(r.body, br#"{"code":"pc"}"#);
        let r = stable_token_request("http://h", "wx1", "s");
        assert!(r.url.ends_with("/cgi-bin/stable_token"));
        let body: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(body["grant_type"], "client_credential");
    }
}
