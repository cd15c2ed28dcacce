//! The WeChat third-party platform (第三方平台, "component") logging a user in for an Official
//! Account that authorized it: the `component_access_token` from the pushed
//! `component_verify_ticket`, the authorize URL with `component_appid`, and the component's own
//! code exchange and refresh. The user-info call is the Official Account's `/sns/userinfo`.
//!
//! Public references: wechatpy `wechatpy/component.py` (`WeChatComponent`, `ComponentOAuth`),
//! WxJava `WxOpenComponentService.OAUTH2_ACCESS_TOKEN_URL`.

use super::{enc, join};
use crate::provider::{HttpMethod, PreparedRequest};

/// `component_verify_ticket` → `component_access_token` (JSON POST).
pub const PATH_COMPONENT_TOKEN: &str = "/cgi-bin/component/api_component_token";
/// The component's code exchange (`appid`, `code`, `grant_type`, `component_appid`,
/// `component_access_token`; no appsecret).
pub const PATH_SNS_COMPONENT_ACCESS_TOKEN: &str = "/sns/oauth2/component/access_token";
/// The component's refresh of a web-auth token.
pub const PATH_SNS_COMPONENT_REFRESH_TOKEN: &str = "/sns/oauth2/component/refresh_token";

/// The third-party platform a component login runs for.
#[derive(Clone, PartialEq, Eq)]
pub struct ComponentApp {
    /// `component_appid`.
    pub appid: String,
    /// `component_appsecret`.
    pub secret: String,
    /// The message-verification Token set on the platform's console (for the pushed messages'
    /// signatures): not a credential of any API call.
    pub message_token: String,
    /// The latest `component_verify_ticket` WeChat pushed (every 10 minutes, valid 12 hours).
    pub verify_ticket: String,
}

impl std::fmt::Debug for ComponentApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentApp")
            .field("appid", &self.appid)
            .field("secret", &"(redacted)")
            .field("message_token", &"(redacted)")
            .field("verify_ticket", &crate::redact::mask(&self.verify_ticket))
            .finish()
    }
}

/// `POST /cgi-bin/component/api_component_token` with
/// `{"component_appid","component_appsecret","component_verify_ticket"}`.
pub fn component_token_request(api_base: &str, app: &ComponentApp) -> PreparedRequest {
    let body = serde_json::json!({
        "component_appid": app.appid,
        "component_appsecret": app.secret,
        "component_verify_ticket": app.verify_ticket,
    })
    .to_string();
    PreparedRequest {
        method: HttpMethod::Post,
        url: join(api_base, PATH_COMPONENT_TOKEN),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.into_bytes(),
        signing: None,
    }
}

fn get(api_base: &str, path: &str, params: &[(&str, &str)]) -> PreparedRequest {
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    PreparedRequest {
        method: HttpMethod::Get,
        url: format!("{}?{query}", join(api_base, path)),
        headers: Vec::new(),
        body: Vec::new(),
        signing: None,
    }
}

/// `GET /sns/oauth2/component/access_token?appid&code&grant_type=authorization_code
/// &component_appid&component_access_token`: `appid` is the Official Account's.
pub fn component_access_token_request(
    api_base: &str,
    appid: &str,
    code: &str,
    component_appid: &str,
    component_access_token: &str,
) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_COMPONENT_ACCESS_TOKEN,
        &[
            ("appid", appid),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("component_appid", component_appid),
            ("component_access_token", component_access_token),
        ],
    )
}

/// `GET /sns/oauth2/component/refresh_token?appid&grant_type=refresh_token
/// &component_appid&component_access_token&refresh_token`.
pub fn component_refresh_request(
    api_base: &str,
    appid: &str,
    component_appid: &str,
    component_access_token: &str,
    refresh_token: &str,
) -> PreparedRequest {
    get(
        api_base,
        PATH_SNS_COMPONENT_REFRESH_TOKEN,
        &[
            ("appid", appid),
            ("grant_type", "refresh_token"),
            ("component_appid", component_appid),
            ("component_access_token", component_access_token),
            ("refresh_token", refresh_token),
        ],
    )
}

/// The Official Account authorize URL with `&component_appid=…` after `state`, before the
/// `#wechat_redirect` fragment.
pub fn with_component_appid(authorize_url: &str, component_appid: &str) -> String {
    let (head, fragment) = authorize_url
        .split_once('#')
        .map_or((authorize_url, None), |(h, f)| (h, Some(f)));
    let mut url = format!("{head}&component_appid={}", enc(component_appid));
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// The platform's token mix-up over an ordered list of requests (a HAR, a URL list, a walk): a
/// component exchange or refresh whose `component_access_token` is a basic token that
/// `/cgi-bin/token` returned, or (when the bodies show the platform's tokens) none that
/// `api_component_token` returned. Needs response bodies to know where a token came from.
pub fn diagnose_walk(steps: &[super::confusion::Step<'_>]) -> Vec<crate::finding::Finding> {
    use crate::finding::{Finding, Severity, Text};
    let mut basic: Vec<String> = Vec::new();
    let mut component: Vec<String> = Vec::new();
    let mut out: Vec<Finding> = Vec::new();
    for step in steps {
        let path = step.url.split(['?', '#']).next().unwrap_or_default();
        if path.ends_with(PATH_SNS_COMPONENT_ACCESS_TOKEN)
            || path.ends_with(PATH_SNS_COMPONENT_REFRESH_TOKEN)
        {
            let sent = step.url.split_once('?').and_then(|(_, q)| {
                url::form_urlencoded::parse(q.split('#').next().unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == "component_access_token")
                    .map(|(_, v)| v.into_owned())
            });
            let title = match sent {
                Some(t) if basic.contains(&t) => Some("flow.wechat.component-token-is-basic-token"),
                Some(t) if !component.is_empty() && !component.contains(&t) => {
                    Some("flow.wechat.component-token-not-from-api")
                }
                _ => None,
            };
            if let Some(title) = title
                && out.is_empty()
            {
                out.push(
                    Finding::new(
                        Severity::Error,
                        "wechat.component-token-mixup",
                        Text::key(title),
                    )
                    .explanation(Text::key("flow.wechat.component-token-mixup-why"))
                    .fix(Text::key("flow.wechat.component-token-mixup-fix")),
                );
            }
        }
        let Some(json) = step
            .response
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        else {
            continue;
        };
        let text = |k: &str| {
            json.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        if path.ends_with(PATH_COMPONENT_TOKEN) {
            component.extend(text("component_access_token"));
        } else if path.ends_with(super::PATH_CGI_TOKEN)
            || path.ends_with(super::PATH_CGI_STABLE_TOKEN)
        {
            basic.extend(text("access_token"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> ComponentApp {
        ComponentApp {
            appid: "wx5a1d0c0ffee000c1".into(),
            secret: "s".into(),
            message_token: "t".into(),
            verify_ticket: "ticket@@@x".into(),
        }
    }

    #[test]
    fn component_appid_goes_before_the_fragment() {
        let url = with_component_appid(
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&state=s#wechat_redirect",
            "wxc",
        );
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&state=s&component_appid=wxc#wechat_redirect"
        );
    }

    #[test]
    fn the_exchange_sends_no_appsecret_and_the_token_request_is_json() {
        let r = component_access_token_request("http://h", "wx1", "c0de", "wxc", "tok");
        assert_eq!(
            r.url,
            "http://h/sns/oauth2/component/access_token?appid=wx1&code=c0de&grant_type=authorization_code&component_appid=wxc&component_access_token=tok"
        );
        let t = component_token_request("http://h", &app());
        let body: serde_json::Value = serde_json::from_slice(&t.body).expect("json");
        assert_eq!(body["component_verify_ticket"], "ticket@@@x");
        assert_eq!(t.method, HttpMethod::Post);
    }

    #[test]
    fn a_basic_token_sent_as_the_component_token_is_named_from_the_bodies() {
        use super::super::confusion::Step;
        let steps = [
            Step {
                url: "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s",
                response: Some(br#"{"access_token":"BASIC","expires_in":7200}"#),
            },
            Step {
                url: "https://api.weixin.qq.com/sns/oauth2/component/access_token?appid=wx1&code=c&grant_type=authorization_code&component_appid=wxc&component_access_token=BASIC",
                response: Some(br#"{"errcode":40001,"errmsg":"invalid credential"}"#),
            },
        ];
        let found = diagnose_walk(&steps);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "wechat.component-token-mixup");
        // The right token says nothing.
        let right = [
            Step {
                url: "https://api.weixin.qq.com/cgi-bin/component/api_component_token",
                response: Some(br#"{"component_access_token":"COMP","expires_in":7200}"#),
            },
            Step {
                url: "https://api.weixin.qq.com/sns/oauth2/component/access_token?appid=wx1&code=c&grant_type=authorization_code&component_appid=wxc&component_access_token=COMP",
                response: None,
            },
        ];
        assert!(diagnose_walk(&right).is_empty());
    }
}
