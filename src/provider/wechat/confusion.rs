//! Token confusion: recognising, from request URLs and response bodies, the mix-ups between
//! WeChat's two access_tokens and the misuse of codes.
//!
//! The basic token (`/cgi-bin/token`) identifies the app and serves `/cgi-bin/*`; the web-auth
//! token (`/sns/oauth2/access_token`) identifies one user and serves `/sns/userinfo` and
//! `/sns/auth` only. Both look alike (`NN_…`), so the mix-up is only visible from where a token
//! came from and where it went, or from the error that follows. A widely copied tutorial pairs
//! them backwards, and another reads a web-auth login's profile from `/cgi-bin/user/info`.

use serde_json::Value;

use super::{
    PATH_CGI_STABLE_TOKEN, PATH_CGI_TOKEN, PATH_CGI_USER_INFO, PATH_SNS_ACCESS_TOKEN,
    PATH_SNS_AUTH, PATH_SNS_REFRESH_TOKEN, PATH_SNS_USERINFO, SCOPE_USERINFO, parse_response,
};
use crate::finding::{Finding, Severity, Text};
use crate::provider::urlcheck::finding;

/// Which WeChat API a request URL calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/cgi-bin/token` or `/cgi-bin/stable_token`: the app-level basic token.
    BasicToken,
    /// `/cgi-bin/user/info`: a follower's profile, with a basic token.
    CgiUserInfo,
    /// Any other `/cgi-bin/*` API (basic token).
    OtherCgi,
    /// `/sns/oauth2/access_token`: code → web-auth token.
    SnsAccessToken,
    /// `/sns/oauth2/refresh_token`.
    SnsRefreshToken,
    /// `/sns/auth`.
    SnsAuth,
    /// `/sns/userinfo`.
    SnsUserInfo,
}

impl Endpoint {
    /// Classify a URL by its path (any host: the sandbox uses the same paths).
    pub fn of(url: &str) -> Option<Self> {
        let path = path_of(url);
        let path = path.trim_end_matches('/');
        Some(match path {
            p if p.ends_with(PATH_CGI_TOKEN) || p.ends_with(PATH_CGI_STABLE_TOKEN) => {
                Self::BasicToken
            }
            p if p.ends_with(PATH_CGI_USER_INFO) => Self::CgiUserInfo,
            p if p.contains("/cgi-bin/") => Self::OtherCgi,
            p if p.ends_with(PATH_SNS_ACCESS_TOKEN) => Self::SnsAccessToken,
            p if p.ends_with(PATH_SNS_REFRESH_TOKEN) => Self::SnsRefreshToken,
            p if p.ends_with(PATH_SNS_AUTH) => Self::SnsAuth,
            p if p.ends_with(PATH_SNS_USERINFO) => Self::SnsUserInfo,
            _ => return None,
        })
    }

    fn is_cgi(self) -> bool {
        matches!(self, Self::CgiUserInfo | Self::OtherCgi)
    }

    fn is_sns_user_call(self) -> bool {
        matches!(self, Self::SnsAuth | Self::SnsUserInfo)
    }
}

/// One request of a walk, with its response body when there was one.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The full request URL (query included).
    pub url: &'a str,
    /// The raw response body.
    pub response: Option<&'a [u8]>,
}

/// Where a token in a walk came from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Basic,
    WebAuth {
        scope: Option<String>,
        openid: Option<String>,
        /// `is_snapshotuser: 1` in the token response.
        snapshot: bool,
    },
}

fn path_of(url: &str) -> &str {
    let no_query = url.split(['?', '#']).next().unwrap_or_default();
    match no_query.find("://") {
        Some(i) => {
            let rest = &no_query[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => no_query,
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Diagnose one request and its response, without knowing the rest of the walk.
pub fn diagnose_exchange(url: &str, body: &[u8]) -> Vec<Finding> {
    let Some(endpoint) = Endpoint::of(url) else {
        return Vec::new();
    };
    let Ok(parsed) = parse_response(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let errcode = parsed.error.as_ref().map(|e| e.errcode);
    match (endpoint, errcode) {
        (Endpoint::SnsUserInfo | Endpoint::SnsAuth, Some(40001 | 40014)) => {
            out.push(sns_token_rejected());
        }
        (Endpoint::SnsUserInfo, Some(48001)) => out.push(userinfo_unauthorized()),
        (Endpoint::CgiUserInfo | Endpoint::OtherCgi, Some(40001 | 40014)) => {
            out.push(web_token_on_cgi(true));
        }
        (Endpoint::SnsUserInfo | Endpoint::SnsAuth, Some(40003)) => out.push(openid_mismatch()),
        (Endpoint::SnsAccessToken | Endpoint::SnsRefreshToken, None)
            if parsed.json.get("is_snapshotuser").and_then(Value::as_i64) == Some(1) =>
        {
            out.push(snapshot_user());
        }
        (Endpoint::SnsAccessToken, Some(40163)) => out.push(code_reused()),
        (Endpoint::SnsAccessToken, Some(40029 | 42003)) => out.push(code_invalid()),
        (Endpoint::CgiUserInfo, None) => {
            out.push(cgi_user_info_for_login());
            if parsed.json.get("subscribe").and_then(Value::as_i64) == Some(0) {
                out.push(not_follower());
            }
        }
        _ => {}
    }
    out
}

/// Diagnose a whole walk: the sequence of requests (and responses, when known).
///
/// Tracks which token came from which endpoint and flags every use on the wrong family, a code
/// exchanged twice, a `snsapi_base` token sent to `/sns/userinfo`, and a web-auth login that
/// reads the profile from `/cgi-bin/user/info` (the mix-up of a popular tutorial: even from
/// request URLs alone). Findings are de-duplicated by code; a guess made from an error code
/// alone (`sns-token-rejected`, `userinfo-unauthorized`) is dropped when the walk shows the
/// actual cause.
pub fn diagnose_walk(steps: &[Step<'_>]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut tokens: Vec<(String, Origin)> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let push = |out: &mut Vec<Finding>, f: Finding| {
        if !out.iter().any(|g| g.code == f.code) {
            out.push(f);
        }
    };
    for step in steps {
        let Some(endpoint) = Endpoint::of(step.url) else {
            continue;
        };
        let token = query_param(step.url, "access_token");
        let origin = token
            .as_ref()
            .and_then(|t| tokens.iter().find(|(v, _)| v == t).map(|(_, o)| o.clone()));
        match (&origin, endpoint) {
            (Some(Origin::Basic), e) if e.is_sns_user_call() => {
                push(&mut out, basic_token_on_sns());
            }
            (Some(Origin::WebAuth { .. }), e) if e.is_cgi() => {
                push(&mut out, web_token_on_cgi(false));
            }
            (Some(Origin::WebAuth { snapshot: true, .. }), Endpoint::SnsUserInfo)
                if errcode(step) == Some(48001) =>
            {
                push(&mut out, snapshot_userinfo());
            }
            (
                Some(Origin::WebAuth {
                    scope: Some(scope),
                    snapshot: false,
                    ..
                }),
                Endpoint::SnsUserInfo,
                // snsapi_login (website QR login) tokens read the profile too.
            ) if !scope
                .split(',')
                .any(|s| matches!(s.trim(), SCOPE_USERINFO | "snsapi_login")) =>
            {
                push(&mut out, base_scope_userinfo(Some(scope)));
            }
            _ => {}
        }
        if let (
            Some(Origin::WebAuth {
                openid: Some(issued),
                ..
            }),
            true,
        ) = (&origin, endpoint.is_sns_user_call())
            && query_param(step.url, "openid").is_some_and(|sent| sent != *issued)
        {
            push(&mut out, openid_mismatch());
        }
        if endpoint == Endpoint::CgiUserInfo {
            push(&mut out, cgi_user_info_for_login());
        }
        if endpoint == Endpoint::SnsAccessToken
            && let Some(code) = query_param(step.url, "code")
        {
            if codes.contains(&code) {
                push(&mut out, code_reused());
            } else {
                codes.push(code);
            }
        }
        let Some(body) = step.response else {
            continue;
        };
        for f in diagnose_exchange(step.url, body) {
            push(&mut out, f);
        }
        let Ok(parsed) = parse_response(body) else {
            continue;
        };
        if !parsed.is_ok() {
            continue;
        }
        let issued = parsed
            .json
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let new_origin = match endpoint {
            Endpoint::BasicToken => Some(Origin::Basic),
            Endpoint::SnsAccessToken | Endpoint::SnsRefreshToken => Some(Origin::WebAuth {
                scope: str_field(&parsed.json, "scope"),
                openid: str_field(&parsed.json, "openid"),
                snapshot: parsed.json.get("is_snapshotuser").and_then(Value::as_i64) == Some(1),
            }),
            _ => None,
        };
        if let (Some(t), Some(o)) = (issued, new_origin) {
            tokens.push((t, o));
        }
    }
    out.extend(never_exchanged(steps));
    drop_superseded_guesses(&mut out);
    out
}

/// A guess from an error code alone gives way to the cause the walk shows.
fn drop_superseded_guesses(out: &mut Vec<Finding>) {
    let has = |out: &[Finding], code: &str| out.iter().any(|f| f.code == code);
    if has(out, "wechat.confusion.basic-token-on-sns") {
        out.retain(|f| f.code != crate::finding::codes::WECHAT_SNS_TOKEN_REJECTED);
    }
    if has(out, "wechat.confusion.base-scope-userinfo")
        || has(out, "wechat.confusion.snapshot-userinfo")
    {
        out.retain(|f| f.code != crate::finding::codes::WECHAT_USERINFO_UNAUTHORIZED);
    }
}

/// The errcode of a step's response, when it has one.
fn errcode(step: &Step<'_>) -> Option<i64> {
    step.response
        .and_then(|b| parse_response(b).ok())
        .and_then(|p| p.error.map(|e| e.errcode))
}

fn str_field(json: &Value, name: &str) -> Option<String> {
    json.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The token's origin is known: it came from `/cgi-bin/token` and went to `/sns/*`.
fn basic_token_on_sns() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.basic-token-on-sns",
        Text::key("provider.wechat.confusion.basic-access-token-from-cgi"),
        Text::key("provider.wechat.confusion.seen-in-this-walk-the"),
        Text::key("provider.wechat.confusion.exchange-the-code-at-sns"),
    )
}

/// `/sns/*` refused the token (40001/40014) and nothing shows where the token came from.
fn sns_token_rejected() -> Finding {
    finding(
        Severity::Error,
        crate::finding::codes::WECHAT_SNS_TOKEN_REJECTED,
        Text::key("provider.wechat.confusion.sns-userinfo-refused-the-access"),
        Text::key("provider.wechat.confusion.seen-sns-userinfo-or-sns"),
        Text::key("provider.wechat.confusion.call-sns-userinfo-with-the"),
    )
}

/// 48001 on `/sns/userinfo`, with nothing known about the token.
fn userinfo_unauthorized() -> Finding {
    finding(
        Severity::Error,
        crate::finding::codes::WECHAT_USERINFO_UNAUTHORIZED,
        Text::key("provider.wechat.confusion.sns-userinfo-answered-48001-likely"),
        Text::key("provider.wechat.confusion.seen-errcode-48001-api-unauthorized"),
        Text::key("provider.wechat.confusion.authorize-with-scope-snsapi-userinfo"),
    )
}

/// A snapshot-page virtual user (seen in the token response) got 48001 on `/sns/userinfo`.
fn snapshot_userinfo() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.snapshot-userinfo",
        Text::key("provider.wechat.confusion.a-snapshot-page-virtual-user"),
        Text::key("provider.wechat.confusion.seen-in-this-walk-the-2"),
        Text::key("provider.wechat.confusion.ask-for-authorization-only-when"),
    )
}

fn web_token_on_cgi(from_error: bool) -> Finding {
    let lead = Text::key(if from_error {
        "provider.wechat.confusion.cgi-answered-40001"
    } else {
        "provider.wechat.confusion.cgi-got-web-token"
    });
    finding(
        Severity::Error,
        "wechat.confusion.web-token-on-cgi",
        Text::key("provider.wechat.confusion.web-auth-access-token-used"),
        lead,
        Text::key("provider.wechat.confusion.for-the-login-read-the"),
    )
}

fn base_scope_userinfo(scope: Option<&str>) -> Finding {
    let seen = scope.map_or_else(Text::default, |s| {
        Text::with("provider.wechat.confusion.token-scope-is", &[("s", &s)])
    });
    finding(
        Severity::Error,
        "wechat.confusion.base-scope-userinfo",
        Text::key("provider.wechat.confusion.snsapi-base-token-used-for"),
        Text::with("provider.wechat.confusion.sns-userinfo-needs-a-token", &[])
            .fill_text("seen", &seen),
        Text::key("provider.wechat.confusion.authorize-with-scope-snsapi-userinfo"),
    )
}

fn code_reused() -> Finding {
    finding(
        Severity::Error,
        crate::finding::codes::WECHAT_CODE_REUSED,
        Text::key("provider.wechat.confusion.the-code-was-used-twice"),
        Text::key("provider.wechat.confusion.a-code-can-be-exchanged"),
        Text::key("provider.wechat.confusion.exchange-each-code-once-and"),
    )
}

fn code_invalid() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.code-invalid",
        Text::key("provider.wechat.confusion.the-code-is-expired-mistyped"),
        Text::key("provider.wechat.confusion.40029-invalid-code-means-the"),
        Text::key("provider.wechat.confusion.authorize-again-and-exchange-the"),
    )
}

/// A user call with no openid in a walk that never exchanged a code: the openid comes only
/// from that exchange (seed 002's own code path).
fn never_exchanged(steps: &[Step<'_>]) -> Option<Finding> {
    let user_call_without_openid = steps.iter().any(|s| {
        Endpoint::of(s.url).is_some_and(|e| e == Endpoint::CgiUserInfo || e.is_sns_user_call())
            && query_param(s.url, "openid").is_none_or(|o| o.trim().is_empty())
    });
    let called = |e| steps.iter().any(|s| Endpoint::of(s.url) == Some(e));
    // The basic token stood in for the exchange (a POST user call without an openid in its
    // URL may carry it in the body: that alone is no evidence).
    (user_call_without_openid && called(Endpoint::BasicToken) && !called(Endpoint::SnsAccessToken))
        .then(code_never_exchanged)
}

fn code_never_exchanged() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.code-never-exchanged",
        Text::key("provider.wechat.confusion.code-never-exchanged"),
        Text::key("provider.wechat.confusion.code-never-exchanged.why"),
        Text::key("provider.wechat.confusion.code-never-exchanged.fix"),
    )
}

fn cgi_user_info_for_login() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.cgi-user-info-for-login",
        Text::key("provider.wechat.confusion.cgi-bin-user-info-is"),
        Text::key("provider.wechat.confusion.a-web-auth-login-reads"),
        Text::key("provider.wechat.confusion.authorize-with-snsapi-userinfo-exchange"),
    )
}

fn not_follower() -> Finding {
    finding(
        Severity::Warning,
        "wechat.confusion.not-follower",
        Text::key("provider.wechat.confusion.the-user-does-not-follow"),
        Text::key("provider.wechat.confusion.cgi-bin-user-info-returned"),
        Text::key("provider.wechat.confusion.use-sns-userinfo-for-login"),
    )
}

fn openid_mismatch() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.openid-mismatch",
        Text::key("provider.wechat.confusion.the-openid-does-not-belong"),
        Text::key("provider.wechat.confusion.a-web-auth-token-is"),
        Text::key("provider.wechat.confusion.send-the-openid-from-the"),
    )
}

fn snapshot_user() -> Finding {
    finding(
        Severity::Warning,
        "wechat.confusion.snapshot-user",
        Text::key("provider.wechat.confusion.snapshot-page-virtual-user-is"),
        Text::key("provider.wechat.confusion.the-user-is-in-snapshot"),
        Text::key("provider.wechat.confusion.do-not-bind-or-merge"),
    )
}
