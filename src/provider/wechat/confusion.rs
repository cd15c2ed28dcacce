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
use crate::finding::{Finding, Severity};
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
    drop_superseded_guesses(&mut out);
    out
}

/// A guess from an error code alone gives way to the cause the walk shows.
fn drop_superseded_guesses(out: &mut Vec<Finding>) {
    let has = |out: &[Finding], code: &str| out.iter().any(|f| f.code == code);
    if has(out, "wechat.confusion.basic-token-on-sns") {
        out.retain(|f| f.code != "wechat.confusion.sns-token-rejected");
    }
    if has(out, "wechat.confusion.base-scope-userinfo")
        || has(out, "wechat.confusion.snapshot-userinfo")
    {
        out.retain(|f| f.code != "wechat.confusion.userinfo-unauthorized");
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
        [
            "Basic access_token (from /cgi-bin/token) used on /sns/userinfo instead of the web-auth access_token (from /sns/oauth2/access_token)",
            "在 /sns/userinfo 上使用了基础 access_token（来自 /cgi-bin/token），而不是网页授权 access_token（来自 /sns/oauth2/access_token）",
        ],
        [
            "Seen in this walk: the access_token sent to /sns/* was issued by /cgi-bin/token. \
             That is the app's basic (interface) token; /sns/userinfo and /sns/auth need the \
             user's web-auth token returned by /sns/oauth2/access_token for the code, and \
             answer 40001 to anything else. The two tokens look alike but are different \
             things: the basic token identifies the app (for /cgi-bin/*), the web-auth token \
             identifies one user (for /sns/*). A widely copied tutorial (seed \
             002_aa3bf60b0a6cfa3f.txt) fetches /cgi-bin/token at the code-exchange step.",
            "本次流程中看到：发往 /sns/* 的 access_token 来自 /cgi-bin/token，是应用的基础（接口调用）令牌；\
             /sns/userinfo 和 /sns/auth 需要用 code 在 /sns/oauth2/access_token 换来的用户网页授权令牌，\
             其他令牌一律返回 40001。两种令牌长得一样但完全不同：基础令牌代表应用（用于 /cgi-bin/*），\
             网页授权令牌代表某个用户（用于 /sns/*）。一篇流传很广的教程（seed 002_aa3bf60b0a6cfa3f.txt）\
             在换取 code 这一步调用的却是 /cgi-bin/token。",
        ],
        [
            "Exchange the code at /sns/oauth2/access_token and call /sns/userinfo with the \
             access_token and openid it returns; keep the /cgi-bin/token token for /cgi-bin/* APIs.",
            "用 code 调用 /sns/oauth2/access_token，再用其返回的 access_token 和 openid 调用 /sns/userinfo；\
             /cgi-bin/token 的令牌只用于 /cgi-bin/* 接口。",
        ],
    )
}

/// `/sns/*` refused the token (40001/40014) and nothing shows where the token came from.
fn sns_token_rejected() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.sns-token-rejected",
        [
            "/sns/userinfo refused the access_token (40001/40014); where the token came from is not known",
            "/sns/userinfo 拒绝了该 access_token（40001/40014）；无法确定令牌来源",
        ],
        [
            "Seen: /sns/userinfo or /sns/auth answered 40001/40014 (invalid credential). The \
             token is not a valid web-auth token for this call. Likely causes, none confirmed: a \
             basic token from /cgi-bin/token sent where the web-auth token belongs (the mix-up \
             of a popular tutorial); an expired, superseded, mistyped or made-up token. To \
             confirm: check which endpoint issued the token (/sns/oauth2/access_token or \
             /cgi-bin/token); /sns/auth with the token and its openid answers errcode 0 only \
             for a valid web-auth token.",
            "看到的现象：/sns/userinfo 或 /sns/auth 返回 40001/40014（凭证无效），说明该令牌不是本次调用可用的网页授权令牌。\
             可能的原因（均未确认）：把 /cgi-bin/token 的基础令牌用在了需要网页授权令牌的地方（一篇流行教程的错误），\
             或令牌已过期、被替换、写错或是编造的。如何确认：查看令牌由哪个接口签发（/sns/oauth2/access_token \
             还是 /cgi-bin/token）；用该令牌和对应 openid 调用 /sns/auth，只有有效的网页授权令牌才返回 errcode 0。",
        ],
        [
            "Call /sns/userinfo with the access_token returned by /sns/oauth2/access_token for \
             this user's code, together with the openid returned with it.",
            "用该用户 code 换来的 /sns/oauth2/access_token 返回的 access_token 和 openid 调用 /sns/userinfo。",
        ],
    )
}

/// 48001 on `/sns/userinfo`, with nothing known about the token.
fn userinfo_unauthorized() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.userinfo-unauthorized",
        [
            "/sns/userinfo answered 48001: likely a snsapi_base token or a snapshot-page user (not confirmed)",
            "/sns/userinfo 返回 48001：可能是 snsapi_base 令牌或快照页用户（未确认）",
        ],
        [
            "Seen: errcode 48001 'api unauthorized' on /sns/userinfo. Likely causes: the token \
             comes from a snsapi_base authorization, or the user is a snapshot-page virtual \
             account (is_snapshotuser=1), or the account lacks the API. To confirm: look at \
             scope and is_snapshotuser in the /sns/oauth2/access_token response that issued \
             the token.",
            "看到的现象：/sns/userinfo 返回 48001 “api unauthorized”。可能的原因：令牌来自 snsapi_base 授权，\
             或用户是快照页虚拟账号（is_snapshotuser=1），或账号没有该接口权限。如何确认：查看签发该令牌的 \
             /sns/oauth2/access_token 响应中的 scope 和 is_snapshotuser。",
        ],
        [
            "Authorize with scope=snsapi_userinfo when you need the profile; check the token's \
             scope and is_snapshotuser.",
            "需要用户资料时使用 scope=snsapi_userinfo 授权，并检查令牌的 scope 和 is_snapshotuser。",
        ],
    )
}

/// A snapshot-page virtual user (seen in the token response) got 48001 on `/sns/userinfo`.
fn snapshot_userinfo() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.snapshot-userinfo",
        [
            "A snapshot-page virtual user got 48001 on /sns/userinfo",
            "快照页虚拟用户调用 /sns/userinfo 得到 48001",
        ],
        [
            "Seen in this walk: the token response carried is_snapshotuser=1, and /sns/userinfo \
             answered 48001. The scope is not the problem: the user is browsing the snapshot \
             page, whose openid belongs to a virtual account that cannot read the profile.",
            "本次流程中看到：换取令牌的响应带有 is_snapshotuser=1，随后 /sns/userinfo 返回 48001。\
             问题不在 scope：用户正处于快照页模式，其 openid 属于虚拟账号，不能拉取用户信息。",
        ],
        [
            "Ask for authorization only when the user taps a feature that needs it, so WeChat \
             shows the real consent (使用完整服务); do not bind accounts on the snapshot openid.",
            "仅在用户点击需要身份的功能时再发起授权，让用户进入“使用完整服务”后真正授权；不要用快照页 openid 绑定账号。",
        ],
    )
}

fn web_token_on_cgi(from_error: bool) -> Finding {
    let (lead_en, lead_zh) = if from_error {
        (
            "A /cgi-bin/* API answered 40001/40014. If the token came from \
             /sns/oauth2/access_token, that is the cause: a web-auth token is not an interface \
             credential (expected behaviour; not directly verified).",
            "/cgi-bin/* 接口返回 40001/40014。如果令牌来自 /sns/oauth2/access_token，这就是原因：\
             网页授权令牌不是接口调用凭证（推断的行为，未直接验证）。",
        )
    } else {
        (
            "The access_token sent to /cgi-bin/* was issued by /sns/oauth2/access_token: it is a \
             user's web-auth token, which only /sns/userinfo, /sns/auth and refresh accept.",
            "发往 /cgi-bin/* 的 access_token 来自 /sns/oauth2/access_token，是用户的网页授权令牌，\
             只能用于 /sns/userinfo、/sns/auth 和刷新。",
        )
    };
    finding(
        Severity::Error,
        "wechat.confusion.web-token-on-cgi",
        [
            "Web-auth access_token used on /cgi-bin/*",
            "在 /cgi-bin/* 上使用了网页授权 access_token",
        ],
        [lead_en, lead_zh],
        [
            "For the login, read the profile from /sns/userinfo with this token. /cgi-bin/* needs \
             the basic token from /cgi-bin/token (cached centrally).",
            "登录场景请用该令牌调用 /sns/userinfo。/cgi-bin/* 需要 /cgi-bin/token 的基础令牌（集中缓存）。",
        ],
    )
}

fn base_scope_userinfo(scope: Option<&str>) -> Finding {
    let seen_en = scope.map_or_else(String::new, |s| format!(" The token's scope is '{s}'."));
    let seen_zh = scope.map_or_else(String::new, |s| format!("该令牌的 scope 是 '{s}'。"));
    finding(
        Severity::Error,
        "wechat.confusion.base-scope-userinfo",
        [
            "snsapi_base token used for /sns/userinfo (48001)",
            "用 snsapi_base 令牌调用 /sns/userinfo（48001）",
        ],
        [
            &format!(
                "/sns/userinfo needs a token from a snsapi_userinfo authorization; a snsapi_base \
                 token gets 48001 'api unauthorized'.{seen_en} It can look intermittent: right \
                 after a user consented to snsapi_userinfo, base tokens sometimes work for a \
                 while. A snapshot-page virtual user (is_snapshotuser=1) also gets 48001."
            ),
            &format!(
                "/sns/userinfo 需要 snsapi_userinfo 授权得到的令牌；snsapi_base 令牌会返回 48001 \
                 “api unauthorized”。{seen_zh}该错误可能时有时无：用户刚同意过 snsapi_userinfo 后，\
                 base 令牌有时也能用一段时间。快照页虚拟用户（is_snapshotuser=1）同样会得到 48001。"
            ),
        ],
        [
            "Authorize with scope=snsapi_userinfo when you need the profile; check the token's \
             scope and is_snapshotuser.",
            "需要用户资料时使用 scope=snsapi_userinfo 授权，并检查令牌的 scope 和 is_snapshotuser。",
        ],
    )
}

fn code_reused() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.code-reused",
        [
            "The code was used twice (40163)",
            "code 被重复使用（40163）",
        ],
        [
            "A code can be exchanged once. The second exchange gets 40163 'code been used'. \
             Usual causes: the callback was hit twice (double redirect, page refresh, several \
             tabs) or an HTTP client retried the exchange.",
            "code 只能换取一次，第二次会返回 40163 “code been used”。常见原因：回调被访问了两次\
             （重复跳转、刷新页面、多个标签页）或 HTTP 客户端重试了换取请求。",
        ],
        [
            "Exchange each code once and cache the result keyed by the code; add \
             connect_redirect=1 to the authorize URL.",
            "每个 code 只换取一次并按 code 缓存结果；授权链接可加 connect_redirect=1。",
        ],
    )
}

fn code_invalid() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.code-invalid",
        [
            "The code is expired, mistyped or from another appid (40029)",
            "code 已过期、有误或属于另一个 appid（40029）",
        ],
        [
            "40029 'invalid code' means the code was not accepted: older than 5 minutes, \
             already used, altered on the way, or issued for a different AppID than the one \
             exchanging it (e.g. a test account's code exchanged with the production AppID).",
            "40029 “invalid code” 表示 code 不被接受：超过 5 分钟、已被使用、传递中被改动，\
             或换取时用的 AppID 与授权时的不同（例如用正式号 AppID 换测试号的 code）。",
        ],
        [
            "Authorize again and exchange the new code at once, with the same AppID (and its \
             secret) that built the authorize URL.",
            "重新授权并立即换取新 code，换取时使用生成授权链接的同一个 AppID 及其密钥。",
        ],
    )
}

fn cgi_user_info_for_login() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.cgi-user-info-for-login",
        [
            "/cgi-bin/user/info is not the login's profile API",
            "/cgi-bin/user/info 不是网页授权获取资料的接口",
        ],
        [
            "A web-auth login reads the profile from /sns/userinfo with the user's web-auth \
             token. /cgi-bin/user/info is the follower-management API with the app's basic \
             token (/cgi-bin/token): for users who do not follow the account it returns \
             subscribe:0 and nothing else, and since 2021-12-27 it never returns nickname or \
             avatar. A widely copied tutorial teaches this route.",
            "网页授权登录应使用用户的网页授权 access_token 调用 /sns/userinfo 获取资料。\
             /cgi-bin/user/info 是粉丝管理接口，使用应用的基础令牌（/cgi-bin/token）：对未关注的用户只返回 \
             subscribe:0，且自 2021-12-27 起不再返回昵称和头像。一篇流传很广的教程教的正是这条路。",
        ],
        [
            "Authorize with snsapi_userinfo, exchange the code at /sns/oauth2/access_token, then \
             call /sns/userinfo with that access_token and openid.",
            "使用 snsapi_userinfo 授权，在 /sns/oauth2/access_token 换取令牌，再用该 access_token 和 openid \
             调用 /sns/userinfo。",
        ],
    )
}

fn not_follower() -> Finding {
    finding(
        Severity::Warning,
        "wechat.confusion.not-follower",
        ["The user does not follow the account", "该用户未关注公众号"],
        [
            "/cgi-bin/user/info returned subscribe:0: there is no follower profile for this \
             user, which is expected for a web login.",
            "/cgi-bin/user/info 返回 subscribe:0：该用户没有粉丝资料，网页登录场景下这很正常。",
        ],
        [
            "Use /sns/userinfo for login profiles.",
            "登录场景请使用 /sns/userinfo 获取资料。",
        ],
    )
}

fn openid_mismatch() -> Finding {
    finding(
        Severity::Error,
        "wechat.confusion.openid-mismatch",
        [
            "The openid does not belong to the access_token (40003)",
            "openid 与 access_token 不匹配（40003）",
        ],
        [
            "A web-auth token is bound to the one user who authorized: /sns/userinfo and \
             /sns/auth need the openid returned together with that token. An openid from \
             another user, another app (openids differ per AppID) or a mistyped one gets 40003 \
             'invalid openid'.",
            "网页授权令牌只属于完成授权的那个用户：/sns/userinfo 和 /sns/auth 必须带上与该令牌一起返回的 \
             openid。其他用户的、其他应用的（不同 AppID 下 openid 不同）或写错的 openid 都会得到 40003 \
             “invalid openid”。",
        ],
        [
            "Send the openid from the same /sns/oauth2/access_token response as the token.",
            "使用与该令牌同一次 /sns/oauth2/access_token 响应中的 openid。",
        ],
    )
}

fn snapshot_user() -> Finding {
    finding(
        Severity::Warning,
        "wechat.confusion.snapshot-user",
        [
            "Snapshot-page virtual user (is_snapshotuser=1)",
            "快照页虚拟用户（is_snapshotuser=1）",
        ],
        [
            "The user is in snapshot-page mode: the openid and unionid belong to a virtual \
             account, not the real user, and /sns/userinfo may answer 48001. WeChat shows the \
             snapshot when a page asks for snsapi_userinfo before the user did anything.",
            "用户处于快照页模式：openid 和 unionid 属于虚拟账号而不是真实用户，/sns/userinfo 可能返回 \
             48001。页面在用户尚未操作时就要求 snsapi_userinfo 授权，微信会显示快照页。",
        ],
        [
            "Do not bind or merge accounts on this openid; ask for authorization only when the \
             user taps a feature that needs it.",
            "不要用该 openid 绑定或合并账号；仅在用户点击需要身份的功能时再发起授权。",
        ],
    )
}
