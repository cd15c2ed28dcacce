//! WeCom (企业微信) web login for a self-built app: the authorize URL (`appid` is the corpid,
//! plus `agentid`), the corp token (`/cgi-bin/gettoken`), the visitor's identity
//! (`/cgi-bin/auth/getuserinfo`, and the older `/cgi-bin/user/getuserinfo`), and a member's
//! sensitive fields (`/cgi-bin/auth/getuserdetail` with the `user_ticket` of
//! `snsapi_privateinfo`). Pure: base URLs are arguments.
//!
//! Public references: 企业微信 构造网页授权链接 — https://developer.work.weixin.qq.com/document/path/91022;
//! 获取访问用户身份 — https://developer.work.weixin.qq.com/document/path/91023;
//! 获取访问用户敏感信息 — https://developer.work.weixin.qq.com/document/path/95833;
//! wechatpy `wechatpy/work/client/api/oauth.py` (calls the older `user/getuserinfo`);
//! WxJava PR #3208 (the newer endpoint's lowercase keys).

use serde_json::Value;

use crate::provider::wechat::{FRAGMENT, enc, join};
use crate::provider::{HttpMethod, PreparedRequest};

/// Host of every WeCom API call.
pub const QYAPI_BASE: &str = "https://qyapi.weixin.qq.com";
/// corpid + corpsecret → the app's access_token (7200 s).
pub const PATH_GETTOKEN: &str = "/cgi-bin/gettoken";
/// access_token + code → who the visitor is (lowercase keys).
pub const PATH_AUTH_GETUSERINFO: &str = "/cgi-bin/auth/getuserinfo";
/// The older identity endpoint, still served (`UserId`, `OpenId`, `DeviceId`).
pub const PATH_USER_GETUSERINFO: &str = "/cgi-bin/user/getuserinfo";
/// access_token + `{"user_ticket"}` → a member's sensitive fields.
pub const PATH_AUTH_GETUSERDETAIL: &str = "/cgi-bin/auth/getuserdetail";

/// Whether `path` is one of the WeCom APIs of the web login.
pub fn is_api_path(path: &str) -> bool {
    [
        PATH_GETTOKEN,
        PATH_AUTH_GETUSERINFO,
        PATH_USER_GETUSERINFO,
        PATH_AUTH_GETUSERDETAIL,
    ]
    .contains(&path)
}

/// WeCom's identity answer: a member has `userid`; anyone else an `openid`, and an
/// `external_userid` when they are an external contact of the corp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub userid: Option<String>,
    pub openid: Option<String>,
    pub external_userid: Option<String>,
    pub user_ticket: Option<String>,
    /// Seconds the `user_ticket` lives (1800).
    pub expires_in: Option<i64>,
    /// The keys came in the older endpoint's casing (`UserId`, `OpenId`).
    pub old_casing: bool,
}

/// The authorize URL: `appid=corpid, redirect_uri, response_type=code, scope, state, agentid`,
/// then `#wechat_redirect`. WeCom's page needs `agentid` for `snsapi_privateinfo`.
pub fn authorize_url(
    open_base: &str,
    corpid: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    agentid: &str,
) -> String {
    format!(
        "{}?appid={}&redirect_uri={}&response_type=code&scope={}&state={}&agentid={}#{FRAGMENT}",
        join(open_base, crate::provider::wechat::AUTHORIZE_PATH),
        enc(corpid),
        enc(redirect_uri),
        enc(scope),
        enc(state),
        enc(agentid),
    )
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

/// `GET /cgi-bin/gettoken?corpid&corpsecret`.
pub fn gettoken_request(api_base: &str, corpid: &str, corpsecret: &str) -> PreparedRequest {
    get(
        api_base,
        PATH_GETTOKEN,
        &[("corpid", corpid), ("corpsecret", corpsecret)],
    )
}

/// `GET /cgi-bin/auth/getuserinfo?access_token&code`.
pub fn getuserinfo_request(api_base: &str, access_token: &str, code: &str) -> PreparedRequest {
    get(
        api_base,
        PATH_AUTH_GETUSERINFO,
        &[("access_token", access_token), ("code", code)],
    )
}

/// `POST /cgi-bin/auth/getuserdetail?access_token` with `{"user_ticket"}`.
pub fn getuserdetail_request(
    api_base: &str,
    access_token: &str,
    user_ticket: &str,
) -> PreparedRequest {
    PreparedRequest {
        method: HttpMethod::Post,
        url: format!(
            "{}?access_token={}",
            join(api_base, PATH_AUTH_GETUSERDETAIL),
            enc(access_token)
        ),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: serde_json::json!({ "user_ticket": user_ticket })
            .to_string()
            .into_bytes(),
        signing: None,
    }
}

/// Read an identity answer of either endpoint, whatever the casing of its keys.
pub fn identity(json: &Value) -> Identity {
    let text = |names: &[&str]| {
        names.iter().find_map(|n| {
            json.get(*n)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
    };
    Identity {
        userid: text(&["userid", "UserId"]),
        openid: text(&["openid", "OpenId"]),
        external_userid: text(&["external_userid"]),
        user_ticket: text(&["user_ticket"]),
        expires_in: json.get("expires_in").and_then(Value::as_i64),
        old_casing: json.get("UserId").is_some() || json.get("OpenId").is_some(),
    }
}

/// Lint a WeCom web-login authorize URL: WeChat's checks of the shared page, without the
/// warning that the link is WeCom's (it is meant to be), plus [`wecom_checks`].
pub fn lint_authorize_url(input: &str) -> Vec<crate::finding::Finding> {
    let mut findings: Vec<crate::finding::Finding> = crate::provider::lint_authorize_url(input)
        .into_iter()
        .filter(|f| {
            f.code != "lint.wechat.wecom"
                && !f.code.starts_with("lint.wechat.scope")
                && !f.code.starts_with("lint.wecom.")
        })
        .collect();
    findings.extend(wecom_checks(input));
    findings
}

/// WeCom's own checks of its authorize URL: the scope is `snsapi_base` or `snsapi_privateinfo`,
/// and `snsapi_privateinfo` needs `agentid`.
pub fn wecom_checks(input: &str) -> Vec<crate::finding::Finding> {
    use crate::finding::{Finding, Severity, Text};
    let query = input
        .split('#')
        .next()
        .and_then(|u| u.split_once('?'))
        .map_or("", |(_, q)| q);
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .filter(|v| !v.is_empty())
    };
    match param("scope") {
        Some("snsapi_privateinfo") if param("agentid").is_none() => vec![
            Finding::new(
                Severity::Error,
                "lint.wecom.agentid-missing",
                Text::key("provider.wecom.lint.agentid-missing"),
            )
            .fix(Text::key("provider.wecom.lint.agentid-missing-fix")),
        ],
        Some("snsapi_base" | "snsapi_privateinfo") => Vec::new(),
        _ => vec![
            Finding::new(
                Severity::Error,
                "lint.wecom.scope",
                Text::key("provider.wecom.lint.scope"),
            )
            .fix(Text::key("provider.wecom.lint.scope-fix")),
        ],
    }
}

/// A WeCom code taken to the Official Account's `/sns/oauth2/access_token`, seen from the URL
/// alone: its `appid` is a corpid (`ww…`).
pub fn diagnose_walk(
    steps: &[crate::provider::wechat::confusion::Step<'_>],
) -> Vec<crate::finding::Finding> {
    use crate::finding::{Finding, Severity, Text};
    let on_sns = steps.iter().any(|s| {
        let (path, query) = s.url.split_once('?').unwrap_or((s.url, ""));
        path.ends_with(crate::provider::wechat::PATH_SNS_ACCESS_TOKEN)
            && query.split('&').any(|p| {
                p.strip_prefix("appid=")
                    .is_some_and(|v| v.starts_with("ww"))
            })
    });
    if !on_sns {
        return Vec::new();
    }
    vec![
        Finding::new(
            Severity::Error,
            "wecom.code-on-sns",
            Text::key("flow.wecom.code-on-sns"),
        )
        .explanation(Text::key("flow.wecom.code-on-sns-why"))
        .fix(Text::key("flow.wecom.code-on-sns-fix")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_names_the_corp_and_the_agent_in_order() {
        let url = authorize_url(
            "https://open.weixin.qq.com",
            "ww1",
            "https://a.example/cb",
            "snsapi_privateinfo",
            "s",
            "1000002",
        );
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww1&redirect_uri=https%3A%2F%2Fa.example%2Fcb&response_type=code&scope=snsapi_privateinfo&state=s&agentid=1000002#wechat_redirect"
        );
    }

    #[test]
    fn both_casings_read_as_one_identity() {
        let new = identity(&serde_json::json!({"errcode":0,"userid":"lisi","user_ticket":"t"}));
        let old = identity(&serde_json::json!({"errcode":0,"UserId":"lisi","DeviceId":""}));
        assert_eq!(new.userid.as_deref(), Some("lisi"));
        assert_eq!(old.userid.as_deref(), Some("lisi"));
        assert!(!new.old_casing && old.old_casing);
        let outsider = identity(&serde_json::json!({"openid":"o1","external_userid":"wm1"}));
        assert_eq!(outsider.userid, None);
        assert_eq!(outsider.external_userid.as_deref(), Some("wm1"));
    }

    #[test]
    fn a_wecom_link_is_checked_as_wecom_s() {
        let base = "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww5a1d0c0ffee0c0de&redirect_uri=https%3A%2F%2Fa.example%2Fcb&response_type=code";
        let codes = |url: &str| -> Vec<String> {
            crate::provider::lint_authorize_url(url)
                .into_iter()
                .map(|f| f.code)
                .collect()
        };
        // The generic lint says WeCom once, then checks it as WeCom's.
        let without_agent = codes(&format!(
            "{base}&scope=snsapi_privateinfo&state=s#wechat_redirect"
        ));
        assert_eq!(
            without_agent
                .iter()
                .filter(|c| *c == "lint.wechat.wecom")
                .count(),
            1,
            "{without_agent:?}"
        );
        assert!(without_agent.contains(&"lint.wecom.agentid-missing".to_owned()));
        // A WeCom walk's own lint: a right link has nothing to say.
        let right =
            format!("{base}&scope=snsapi_privateinfo&state=s&agentid=1000002#wechat_redirect");
        assert!(
            lint_authorize_url(&right).is_empty(),
            "{:?}",
            lint_authorize_url(&right)
        );
        let wrong_scope = format!("{base}&scope=snsapi_userinfo&state=s#wechat_redirect");
        assert!(
            lint_authorize_url(&wrong_scope)
                .iter()
                .any(|f| f.code == "lint.wecom.scope")
        );
    }
}
