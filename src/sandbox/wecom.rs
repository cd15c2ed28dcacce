//! The emulated WeCom (企业微信): one corp with one self-built app, its web-login authorize
//! page (the Official Account path, `appid` = corpid, with `agentid`), `/cgi-bin/gettoken`,
//! the visitor's identity (`/cgi-bin/auth/getuserinfo`, lowercase keys, and the older
//! `/cgi-bin/user/getuserinfo`, `UserId`/`OpenId`/`DeviceId`), and a member's sensitive fields
//! (`/cgi-bin/auth/getuserdetail`). Members answer `userid` (and a `user_ticket` under
//! `snsapi_privateinfo`); anyone else `openid`, plus `external_userid` for an external contact.
//!
//! Errors as WeCom documents them (全局错误码 — https://developer.work.weixin.qq.com/document/path/90313):
//! 40013 invalid corpid, 40001 invalid secret, 40014 invalid access_token, 42001 expired token,
//! 40029 invalid code (unknown, used, another app's or expired). Emulation choice: an unknown or
//! expired `user_ticket` is answered 40029 too (WeCom's page names no code of its own for it).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::pages::{self, Look};
use super::state::{Expiring, Provider, Store, random_token};
use super::{Shared, Wire, form};
use crate::provider::wecom::{
    PATH_AUTH_GETUSERDETAIL, PATH_AUTH_GETUSERINFO, PATH_GETTOKEN, PATH_USER_GETUSERINFO,
};

/// Lifetime of the app's access_token (seconds).
pub const TOKEN_TTL: i64 = 7200;
/// Lifetime of a code (seconds).
pub const CODE_TTL: i64 = 300;
/// Lifetime of a `user_ticket` (seconds).
pub const TICKET_TTL: i64 = 1800;

/// How a demo WeChat user stands with the corp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// A member: `userid`.
    Member(&'static str),
    /// An external contact of the corp: `openid` and `external_userid`.
    External(&'static str),
    /// Anyone else: `openid` only.
    Outsider,
}

/// Each demo WeChat user's standing with the demo corp.
pub(crate) fn standing(user: &str) -> Standing {
    match user {
        "wechat-unionid" => Standing::Member("LiLy"),
        "wechat-emoji" => Standing::External("wmsandbox0000000000000000000001"),
        _ => Standing::Outsider,
    }
}

#[derive(Debug, Clone)]
struct Code {
    user: String,
    scope: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct Token {
    deadline: i64,
}

#[derive(Debug, Clone)]
struct Ticket {
    userid: String,
    deadline: i64,
}

macro_rules! expiring {
    ($($t:ty),*) => {$(
        impl Expiring for $t {
            fn deadline(&self) -> i64 {
                self.deadline
            }
        }
    )*};
}
expiring!(Code, Token, Ticket);

/// WeCom's issued codes, tokens and tickets.
#[derive(Debug, Default)]
pub(crate) struct WecomState {
    codes: Store<Code>,
    tokens: Store<Token>,
    tickets: Store<Ticket>,
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(PATH_GETTOKEN, get(gettoken).post(gettoken))
        .route(
            PATH_AUTH_GETUSERINFO,
            get(auth_getuserinfo).post(auth_getuserinfo),
        )
        .route(
            PATH_USER_GETUSERINFO,
            get(user_getuserinfo).post(user_getuserinfo),
        )
        .route(
            PATH_AUTH_GETUSERDETAIL,
            get(getuserdetail).post(getuserdetail),
        )
}

type ApiResult = Result<Map<String, Value>, (i64, &'static str)>;

fn answer(shared: &Shared, path: &'static str, result: ApiResult) -> Response {
    let fault = shared.faults.hit(Provider::Wechat, path);
    let body = match result {
        Ok(mut map) => {
            // WeCom's successful answers lead with errcode 0.
            let mut out = Map::new();
            out.insert("errcode".into(), json!(0));
            out.insert("errmsg".into(), json!("ok"));
            out.append(&mut map);
            Value::Object(out).to_string()
        }
        Err((errcode, errmsg)) => json!({
            "errcode": errcode,
            "errmsg": format!(
                "{errmsg}, hint: [{}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}",
                random_token(8)
            ),
        })
        .to_string(),
    };
    Wire {
        status: StatusCode::OK,
        content_type: "application/json; charset=UTF-8",
        body: body.into_bytes(),
    }
    .finish(fault.as_ref())
}

fn pairs(query: Option<String>, body: &[u8]) -> Vec<(String, String)> {
    let mut p = form::utf8_pairs(query.unwrap_or_default().as_bytes());
    p.extend(form::utf8_pairs(body));
    p
}

async fn gettoken(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let p = pairs(q, &body);
    answer(&shared, PATH_GETTOKEN, issue_token(&shared, &p))
}

fn issue_token(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let corp = &shared.cast.corp;
    let corpid = form::non_empty(p, "corpid").ok_or((41002, "corpid missing"))?;
    if corpid != corp.corpid {
        return Err((40013, "invalid corpid"));
    }
    let secret = form::non_empty(p, "corpsecret").ok_or((41004, "corpsecret missing"))?;
    if secret != corp.secret {
        return Err((40001, "invalid secret"));
    }
    let now = shared.clock.unix();
    let token = random_token(64);
    shared.wecom.tokens.insert(
        token.clone(),
        Token {
            deadline: now + TOKEN_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("access_token".into(), json!(token));
    out.insert("expires_in".into(), json!(TOKEN_TTL));
    Ok(out)
}

/// The app's token checked: missing 41001, unknown 40014, expired 42001.
fn token_ok(shared: &Shared, p: &[(String, String)]) -> Result<(), (i64, &'static str)> {
    let now = shared.clock.unix();
    let token = form::non_empty(p, "access_token").ok_or((41001, "access_token missing"))?;
    let entry = shared
        .wecom
        .tokens
        .get(token, now)
        .ok_or((40014, "invalid access_token"))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    Ok(())
}

async fn auth_getuserinfo(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let p = pairs(q, &body);
    answer(&shared, PATH_AUTH_GETUSERINFO, identity(&shared, &p, false))
}

async fn user_getuserinfo(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let p = pairs(q, &body);
    answer(&shared, PATH_USER_GETUSERINFO, identity(&shared, &p, true))
}

/// Who the code's visitor is; `old` answers in the older endpoint's casing.
fn identity(shared: &Shared, p: &[(String, String)], old: bool) -> ApiResult {
    token_ok(shared, p)?;
    let now = shared.clock.unix();
    let code = form::non_empty(p, "code").ok_or((41008, "missing code"))?;
    let entry = shared
        .wecom
        .codes
        .take(code, now)
        .filter(|c| c.deadline >= now)
        .ok_or((40029, "invalid code"))?;
    let mut out = Map::new();
    let key = |new: &'static str, old_key: &'static str| if old { old_key } else { new };
    match standing(&entry.user) {
        Standing::Member(userid) => {
            out.insert(key("userid", "UserId").into(), json!(userid));
            if old {
                out.insert("DeviceId".into(), json!(""));
            }
            if entry.scope == "snsapi_privateinfo" {
                let ticket = random_token(64);
                shared.wecom.tickets.insert(
                    ticket.clone(),
                    Ticket {
                        userid: userid.to_owned(),
                        deadline: now + TICKET_TTL,
                    },
                    now,
                );
                out.insert("user_ticket".into(), json!(ticket));
                out.insert("expires_in".into(), json!(TICKET_TTL));
            }
        }
        standing @ (Standing::External(_) | Standing::Outsider) => {
            let user = shared
                .cast
                .wechat_user(&entry.user)
                .ok_or((-1, "system error"))?;
            let openid = super::demo::wechat_openid(&shared.cast.corp.corpid, user, false);
            out.insert(key("openid", "OpenId").into(), json!(openid));
            if old {
                out.insert("DeviceId".into(), json!(""));
            }
            if let Standing::External(external) = standing {
                out.insert("external_userid".into(), json!(external));
            }
        }
    }
    Ok(out)
}

async fn getuserdetail(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let p = pairs(q, &[]);
    let result = token_ok(&shared, &p).and_then(|()| {
        let ticket = serde_json::from_slice::<Map<String, Value>>(&body)
            .ok()
            .and_then(|b| {
                b.get("user_ticket")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .ok_or((41034, "user_ticket missing"))?;
        let now = shared.clock.unix();
        let entry = shared
            .wecom
            .tickets
            .get(&ticket, now)
            .filter(|t| t.deadline >= now)
            .ok_or((40029, "invalid user_ticket"))?;
        let mut out = Map::new();
        out.insert("userid".into(), json!(entry.userid));
        out.insert("gender".into(), json!("2"));
        out.insert(
            "avatar".into(),
            json!("https://wework.qpic.cn/wwhead/sandbox0001/0"),
        );
        out.insert(
            "qr_code".into(),
            json!("https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=sandbox0001"),
        );
        out.insert("mobile".into(), json!("13800000001"));
        out.insert("email".into(), json!("lily@example.com"));
        out.insert("biz_mail".into(), json!("lily@corp.example.com"));
        out.insert("address".into(), json!(""));
        Ok(out)
    });
    answer(&shared, PATH_AUTH_GETUSERDETAIL, result)
}

// ---------------------------------------------------------------------------------------------
// The authorize page (reached through the Official Account path when `appid` is the corpid)

fn error_page(code: &str, zh: &str, en: &str) -> Response {
    Html(pages::error(Look::Wechat, Some(code), zh, en)).into_response()
}

struct Params {
    scope: String,
    redirect: url::Url,
    state: Option<String>,
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the finished error page, built once per bad request"
)]
fn params(
    shared: &Shared,
    pairs: &[(String, String)],
    headers: &axum::http::HeaderMap,
) -> Result<Params, Response> {
    let Some(redirect) = form::non_empty(pairs, "redirect_uri") else {
        return Err(error_page(
            "10011",
            "redirect_uri 不能为空",
            "redirect_uri is missing.",
        ));
    };
    let scope = form::non_empty(pairs, "scope").unwrap_or_default();
    if !matches!(scope, "snsapi_base" | "snsapi_privateinfo") {
        return Err(error_page(
            "10005",
            "Scope 参数错误或没有 Scope 权限",
            "WeCom's web login takes snsapi_base or snsapi_privateinfo.",
        ));
    }
    if scope == "snsapi_privateinfo"
        && form::non_empty(pairs, "agentid") != Some(shared.cast.corp.agentid.as_str())
    {
        return Err(error_page(
            "10005",
            "snsapi_privateinfo 需要正确的 agentid",
            "snsapi_privateinfo needs the app's agentid on the authorize URL.",
        ));
    }
    let redirect = match url::Url::parse(redirect) {
        Ok(url) if super::alipay::redirect_allowed(shared, &url, headers) => url,
        _ => {
            return Err(error_page(
                "10003",
                "redirect_uri 需使用应用可信域名",
                "redirect_uri's host is not the app's trusted domain.",
            ));
        }
    };
    Ok(Params {
        scope: scope.to_owned(),
        redirect,
        state: form::first(pairs, "state").map(str::to_owned),
    })
}

/// The consent page of a WeCom authorize URL.
pub(crate) fn page(
    shared: &Shared,
    path: &str,
    headers: &axum::http::HeaderMap,
    raw: &str,
) -> Response {
    let pairs = form::utf8_pairs(raw.as_bytes());
    let p = match params(shared, &pairs, headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let scenario = shared.scenario();
    Html(pages::consent(&pages::Consent {
        look: Look::Wechat,
        app_name: "企业微信自建应用 · WeCom self-built app",
        app_id: &shared.cast.corp.corpid,
        scope: &p.scope,
        silent: p.scope == "snsapi_base",
        users: shared
            .cast
            .wechat_users
            .iter()
            .map(|u| {
                let shown = match standing(u.id) {
                    Standing::Member(userid) => userid.to_owned(),
                    Standing::External(_) | Standing::Outsider => {
                        super::demo::wechat_openid(&shared.cast.corp.corpid, u, false)
                    }
                };
                (u.id, u.label, shown)
            })
            .collect(),
        preselected: scenario.as_ref().and_then(|s| s.user.as_deref()),
        action: format!("{path}?{raw}"),
    }))
    .into_response()
}

/// The approval of a WeCom authorize page: a 302 to `redirect_uri?code=…&state=…`.
pub(crate) fn submit(
    shared: &Shared,
    headers: &axum::http::HeaderMap,
    raw: &str,
    body: &[u8],
) -> Response {
    let pairs = form::utf8_pairs(raw.as_bytes());
    let p = match params(shared, &pairs, headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let decision = form::utf8_pairs(body);
    if form::first(&decision, "decision") != Some("approve") {
        return Html(pages::denied(Look::Wechat)).into_response();
    }
    let Some(user) = form::first(&decision, "user").and_then(|id| shared.cast.wechat_user(id))
    else {
        return Html(pages::error(
            Look::Wechat,
            None,
            "请选择一个演示账户",
            "Pick a demo account: send user=<id> with one of the WeChat demo user ids.",
        ))
        .into_response();
    };
    let now = shared.clock.unix();
    let code = random_token(32);
    shared.wecom.codes.insert(
        code.clone(),
        Code {
            user: user.id.to_owned(),
            scope: p.scope,
            deadline: now + CODE_TTL,
        },
        now,
    );
    let mut redirect = p.redirect;
    {
        let mut q = redirect.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &p.state {
            q.append_pair("state", state);
        }
    }
    tracing::info!(corpid = %shared.cast.corp.corpid, user = user.id, "wecom consent approved");
    super::found(redirect.as_str())
}
