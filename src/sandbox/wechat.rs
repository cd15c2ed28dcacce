//! The emulated WeChat: the Official Account and website authorize pages (`open.weixin.qq.com`)
//! and the APIs on `api.weixin.qq.com` — the four `/sns/…` web-authorization calls plus
//! `/cgi-bin/token` and `/cgi-bin/user/info`, so the two-token mix-up can be reproduced.
//!
//! Errors are JSON `{"errcode":N,"errmsg":"… rid: …"}` with HTTP 200, as WeChat sends them; the
//! `/sns/` answers are labelled `text/plain`, the `/cgi-bin/` ones `application/json`.
//!
//! Emulation choices where WeChat documents nothing: the authorize page checks the documented
//! parameter order (`appid, redirect_uri, response_type, scope, state`) and answers a wrong
//! order with the 10005 page; a `state=` that is present but empty gets 10013; a refresh keeps
//! the same refresh token and its 30-day deadline; a denied consent does not redirect; an
//! unknown or foreign token on `/sns/*` is 40001, an expired one 42001.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::demo::{WechatApp, WechatKind, WechatUser, wechat_openid};
use super::form;
use super::pages::{self, Look};
use super::state::{Expiring, FaultKind, Provider, Store, random_hex, random_token};
use super::{Shared, Wire};

/// Lifetime of an Official Account code (seconds).
pub const OA_CODE_TTL: i64 = 300;
/// Lifetime of a website (qrconnect) code (seconds).
pub const WEB_CODE_TTL: i64 = 600;
/// Lifetime of access tokens, web-auth and basic (seconds).
pub const ACCESS_TTL: i64 = 7200;
/// Lifetime of a web-auth refresh token (seconds).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;
/// How long the previous basic token keeps working after a new one is fetched (seconds).
pub const BASIC_OVERLAP: i64 = 300;

const OA_AUTHORIZE: &str = "/connect/oauth2/authorize";
const QRCONNECT: &str = "/connect/qrconnect";

#[derive(Debug, Clone)]
struct Code {
    appid: String,
    user: String,
    scope: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct WebToken {
    appid: String,
    user: String,
    scope: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct Refresh {
    appid: String,
    user: String,
    scope: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct BasicToken {
    appid: String,
    deadline: i64,
}

/// A code that was exchanged: reusing it is 40163 until it would have expired anyway.
#[derive(Debug, Clone)]
struct Used {
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
expiring!(Code, WebToken, Refresh, BasicToken, Used);

/// WeChat's issued codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct WechatState {
    codes: Store<Code>,
    used: Store<Used>,
    tokens: Store<WebToken>,
    refresh: Store<Refresh>,
    basic: Store<BasicToken>,
    /// The latest basic token per appid, to retire the previous one after the overlap.
    latest_basic: Store<BasicToken>,
}

impl WechatState {
    /// How many codes and tokens are held (to check that purging bounds memory).
    pub fn held(&self) -> usize {
        self.codes.len()
            + self.used.len()
            + self.tokens.len()
            + self.refresh.len()
            + self.basic.len()
            + self.latest_basic.len()
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(OA_AUTHORIZE, get(authorize_page).post(authorize_submit))
        .route(QRCONNECT, get(qr_page).post(qr_submit))
        .route(
            "/sns/oauth2/access_token",
            get(sns_access_token).post(sns_access_token),
        )
        .route(
            "/sns/oauth2/refresh_token",
            get(sns_refresh).post(sns_refresh),
        )
        .route("/sns/auth", get(sns_auth).post(sns_auth))
        .route("/sns/userinfo", get(sns_userinfo).post(sns_userinfo))
        .route("/cgi-bin/token", get(cgi_token).post(cgi_token))
        .route("/cgi-bin/user/info", get(cgi_user_info).post(cgi_user_info))
}

// ---------------------------------------------------------------------------------------------
// Authorize pages

fn error_page(code: &str, zh: &str, en: &str) -> Response {
    Html(pages::error(Look::Wechat, Some(code), zh, en)).into_response()
}

struct AuthorizeParams<'a> {
    app: &'a WechatApp,
    scope: String,
    redirect: url::Url,
    state: Option<String>,
}

/// The documented order; optional extras may follow `state`.
const ORDER: [&str; 5] = ["appid", "redirect_uri", "response_type", "scope", "state"];
const EXTRAS: [&str; 4] = [
    "forcePopup",
    "forceSnapShot",
    "connect_redirect",
    "component_appid",
];

fn order_ok(pairs: &[(String, String)]) -> bool {
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let core: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| ORDER.contains(n))
        .collect();
    let expected: Vec<&str> = ORDER.iter().copied().filter(|n| core.contains(n)).collect();
    if core != expected {
        return false;
    }
    // Extras only after the last core parameter.
    let last_core = names.iter().rposition(|n| ORDER.contains(n)).unwrap_or(0);
    names
        .iter()
        .enumerate()
        .all(|(i, n)| !EXTRAS.contains(n) || i > last_core)
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the finished error page, built once per bad request"
)]
fn authorize_params<'a>(
    shared: &'a Shared,
    kind: WechatKind,
    pairs: &[(String, String)],
    headers: &HeaderMap,
) -> Result<AuthorizeParams<'a>, Response> {
    let Some(appid) = form::non_empty(pairs, "appid") else {
        return Err(error_page("10012", "appid 参数错误", "appid is missing."));
    };
    let Some(redirect) = form::non_empty(pairs, "redirect_uri") else {
        return Err(error_page(
            "10011",
            "redirect_uri 参数错误",
            "redirect_uri is missing.",
        ));
    };
    let Some(scope) = form::non_empty(pairs, "scope") else {
        return Err(error_page("10010", "scope 参数错误", "scope is missing."));
    };
    if form::first(pairs, "state").is_some_and(str::is_empty) {
        return Err(error_page(
            "10013",
            "state 不能为空",
            "state is present but empty.",
        ));
    }
    if form::first(pairs, "state").is_some_and(|s| s.len() > 128) {
        // Observed on the Official Account page (2022); WeChat shows no code for it.
        return Err(Html(pages::error(
            Look::Wechat,
            None,
            "state 参数过长（最多 128 字节）",
            "state is longer than 128 bytes; WeChat rejects it on the Official Account page.",
        ))
        .into_response());
    }
    let Some(app) = shared.cast.wechat_app(appid) else {
        return Err(error_page(
            "10016",
            "该链接无法访问：appid 不存在",
            "This link cannot be opened: no app with this appid.",
        ));
    };
    if !order_ok(pairs) {
        return Err(error_page(
            "10005",
            "Scope 参数错误或没有 Scope 权限",
            "Wrong parameter order: WeChat expects appid, redirect_uri, response_type, scope, state.",
        ));
    }
    if form::first(pairs, "response_type") != Some("code") {
        return Err(error_page(
            "10005",
            "该链接无法访问",
            "response_type must be the literal 'code'.",
        ));
    }
    match (kind, app.kind) {
        (WechatKind::OfficialAccount, WechatKind::Website) => {
            return Err(error_page(
                "10016",
                "不支持开放平台的 appid，请使用公众号 appid",
                "A website-app appid cannot use oauth2/authorize; use the Official Account appid.",
            ));
        }
        (WechatKind::Website, WechatKind::OfficialAccount) => {
            return Err(error_page(
                "10005",
                "Scope 参数错误或没有 Scope 权限",
                "An Official Account appid cannot use qrconnect; use the website app.",
            ));
        }
        _ => {}
    }
    let scopes_ok = scope.split(',').all(|s| match kind {
        WechatKind::OfficialAccount => matches!(s, "snsapi_base" | "snsapi_userinfo"),
        WechatKind::Website => s == "snsapi_login",
    });
    if !scopes_ok {
        return Err(error_page(
            "10005",
            "Scope 参数错误或没有 Scope 权限",
            "This app has no permission for that scope.",
        ));
    }
    let redirect = match url::Url::parse(redirect) {
        Ok(url) if super::alipay::redirect_allowed(shared, &url, headers) => url,
        _ => {
            return Err(error_page(
                "10003",
                "redirect_uri 域名与后台配置不一致",
                "redirect_uri's host is not the configured web-authorization domain.",
            ));
        }
    };
    Ok(AuthorizeParams {
        app,
        scope: scope.to_owned(),
        redirect,
        state: form::first(pairs, "state").map(str::to_owned),
    })
}

fn page(shared: &Shared, kind: WechatKind, path: &str, headers: &HeaderMap, raw: &str) -> Response {
    let pairs = form::utf8_pairs(raw.as_bytes());
    let params = match authorize_params(shared, kind, &pairs, headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let scenario = shared.scenario();
    Html(pages::consent(&pages::Consent {
        look: Look::Wechat,
        app_name: params.app.label,
        app_id: &params.app.appid,
        scope: &params.scope,
        silent: params.scope == "snsapi_base",
        users: shared
            .cast
            .wechat_users
            .iter()
            .map(|u| (u.id, u.label, wechat_openid(&params.app.appid, u)))
            .collect(),
        preselected: scenario.as_ref().and_then(|s| s.user.as_deref()),
        action: format!("{path}?{raw}"),
    }))
    .into_response()
}

fn submit(
    shared: &Shared,
    kind: WechatKind,
    headers: &HeaderMap,
    raw: &str,
    body: &[u8],
) -> Response {
    let pairs = form::utf8_pairs(raw.as_bytes());
    let params = match authorize_params(shared, kind, &pairs, headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let decision = form::utf8_pairs(body);
    match form::first(&decision, "decision") {
        Some("approve") => {}
        Some("deny") => return Html(pages::denied(Look::Wechat)).into_response(),
        _ => {
            return Html(pages::error(
                Look::Wechat,
                None,
                "请选择允许或拒绝",
                "Send decision=approve or decision=deny with the form.",
            ))
            .into_response();
        }
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
    let scope = match kind {
        WechatKind::OfficialAccount => shared
            .scenario()
            .and_then(|s| s.wechat_scope)
            .unwrap_or(params.scope),
        WechatKind::Website => params.scope,
    };
    let ttl = match kind {
        WechatKind::OfficialAccount => OA_CODE_TTL,
        WechatKind::Website => WEB_CODE_TTL,
    };
    let code = format!("0{}", random_token(31));
    shared.wechat.codes.insert(
        code.clone(),
        Code {
            appid: params.app.appid.clone(),
            user: user.id.to_owned(),
            scope,
            deadline: now + ttl,
        },
        now,
    );
    if let Some(jump) = shared.scenario().map(|s| s.advance_after_code)
        && jump != 0
    {
        shared.clock.advance(jump);
    }
    let mut redirect = params.redirect;
    {
        let mut q = redirect.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &params.state {
            q.append_pair("state", state);
        }
    }
    tracing::info!(appid = %params.app.appid, user = user.id, "wechat consent approved");
    super::found(redirect.as_str())
}

async fn authorize_page(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    page(
        &shared,
        WechatKind::OfficialAccount,
        OA_AUTHORIZE,
        &headers,
        &q.unwrap_or_default(),
    )
}

async fn authorize_submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    submit(
        &shared,
        WechatKind::OfficialAccount,
        &headers,
        &q.unwrap_or_default(),
        &body,
    )
}

async fn qr_page(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    page(
        &shared,
        WechatKind::Website,
        QRCONNECT,
        &headers,
        &q.unwrap_or_default(),
    )
}

async fn qr_submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    submit(
        &shared,
        WechatKind::Website,
        &headers,
        &q.unwrap_or_default(),
        &body,
    )
}

// ---------------------------------------------------------------------------------------------
// APIs

/// A per-request id shaped like WeChat's: the first group is the Unix time in hex.
fn rid(shared: &Shared) -> String {
    format!(
        "{:08x}-{}-{}",
        shared.clock.unix(),
        random_hex(8),
        random_hex(8)
    )
}

type ApiResult = Result<Map<String, Value>, (i64, &'static str)>;

const SNS_TYPE: &str = "text/plain";
const CGI_TYPE: &str = "application/json; encoding=utf-8";

fn answer(shared: &Shared, content_type: &'static str, result: ApiResult) -> Wire {
    let body = match result {
        Ok(map) => Value::Object(map).to_string(),
        Err((errcode, errmsg)) => {
            json!({"errcode": errcode, "errmsg": format!("{errmsg}, rid: {}", rid(shared))})
                .to_string()
        }
    };
    Wire {
        status: StatusCode::OK,
        content_type,
        body: body.into_bytes(),
    }
}

/// Run one API call with faults applied around it.
async fn api(
    shared: Arc<Shared>,
    path: &'static str,
    query: Option<String>,
    body: Bytes,
    call: fn(&Shared, &[(String, String)]) -> ApiResult,
) -> Response {
    let content_type = if path.starts_with("/sns/") {
        SNS_TYPE
    } else {
        CGI_TYPE
    };
    let fault = shared.faults.hit(Provider::Wechat, path);
    match fault.as_ref().map(|f| f.fault) {
        Some(FaultKind::Html502) => return super::html_502("nginx"),
        Some(FaultKind::ServiceUnavailable) => {
            return answer(&shared, content_type, Err((-1, "system error"))).finish(None);
        }
        Some(FaultKind::Slow) => {
            let delay = fault
                .as_ref()
                .map_or(0, |f| f.delay_ms.min(super::state::MAX_DELAY_MS));
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        _ => {}
    }
    let mut pairs = form::utf8_pairs(query.unwrap_or_default().as_bytes());
    pairs.extend(form::utf8_pairs(&body));
    answer(&shared, content_type, call(&shared, &pairs)).finish(fault.as_ref())
}

macro_rules! endpoint {
    ($name:ident, $path:literal, $call:ident) => {
        async fn $name(
            State(shared): State<Arc<Shared>>,
            RawQuery(q): RawQuery,
            body: Bytes,
        ) -> Response {
            api(shared, $path, q, body, $call).await
        }
    };
}

endpoint!(sns_access_token, "/sns/oauth2/access_token", access_token);
endpoint!(sns_refresh, "/sns/oauth2/refresh_token", refresh_token);
endpoint!(sns_auth, "/sns/auth", auth);
endpoint!(sns_userinfo, "/sns/userinfo", userinfo);
endpoint!(cgi_token, "/cgi-bin/token", basic_token);
endpoint!(cgi_user_info, "/cgi-bin/user/info", cgi_info);

fn app_with_secret<'a>(
    shared: &'a Shared,
    p: &[(String, String)],
) -> Result<&'a WechatApp, (i64, &'static str)> {
    let appid = form::non_empty(p, "appid").ok_or((41002, "appid missing"))?;
    let app = shared
        .cast
        .wechat_app(appid)
        .ok_or((40013, "invalid appid"))?;
    let secret = form::non_empty(p, "secret").ok_or((41004, "appsecret missing"))?;
    if secret != app.secret {
        return Err((40125, "invalid appsecret"));
    }
    Ok(app)
}

fn user_of<'a>(shared: &'a Shared, id: &str) -> Result<&'a WechatUser, (i64, &'static str)> {
    shared.cast.wechat_user(id).ok_or((-1, "system error"))
}

fn access_token(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let app = app_with_secret(shared, p)?;
    let code = form::non_empty(p, "code").ok_or((41008, "missing code"))?;
    if form::first(p, "grant_type") != Some("authorization_code") {
        return Err((40002, "invalid grant_type"));
    }
    if shared
        .wechat
        .used
        .get(code, now)
        .is_some_and(|u| u.deadline >= now)
    {
        return Err((40163, "code been used"));
    }
    // A code of another app is not consumed by the failed attempt.
    let entry = shared
        .wechat
        .codes
        .with(code, now, |c| c.map(|c| c.appid == app.appid))
        .ok_or((40029, "invalid code"))?;
    if !entry {
        return Err((40029, "invalid code"));
    }
    let code_entry = shared
        .wechat
        .codes
        .take(code, now)
        .ok_or((40163, "code been used"))?;
    shared.wechat.used.insert(
        code.to_owned(),
        Used {
            deadline: code_entry.deadline,
        },
        now,
    );
    if code_entry.deadline < now {
        return Err((40029, "invalid code"));
    }
    let user = user_of(shared, &code_entry.user)?;
    let token = format!("86_{}", random_token(80));
    let refresh = format!("86_{}", random_token(80));
    shared.wechat.tokens.insert(
        token.clone(),
        WebToken {
            appid: app.appid.clone(),
            user: user.id.to_owned(),
            scope: code_entry.scope.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    shared.wechat.refresh.insert(
        refresh.clone(),
        Refresh {
            appid: app.appid.clone(),
            user: user.id.to_owned(),
            scope: code_entry.scope.clone(),
            deadline: now + REFRESH_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("access_token".into(), json!(token));
    out.insert("expires_in".into(), json!(ACCESS_TTL));
    out.insert("refresh_token".into(), json!(refresh));
    out.insert("openid".into(), json!(wechat_openid(&app.appid, user)));
    out.insert("scope".into(), json!(code_entry.scope));
    if user.snapshot {
        out.insert("is_snapshotuser".into(), json!(1));
    }
    if let Some(unionid) = user.unionid
        && code_entry.scope != "snsapi_base"
    {
        out.insert("unionid".into(), json!(unionid));
    }
    Ok(out)
}

fn refresh_token(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let appid = form::non_empty(p, "appid").ok_or((41002, "appid missing"))?;
    let app = shared
        .cast
        .wechat_app(appid)
        .ok_or((40013, "invalid appid"))?;
    let token = form::non_empty(p, "refresh_token").ok_or((41003, "refresh_token missing"))?;
    if form::first(p, "grant_type") != Some("refresh_token") {
        return Err((40002, "invalid grant_type"));
    }
    let entry = shared
        .wechat
        .refresh
        .get(token, now)
        .filter(|r| r.appid == app.appid)
        .ok_or((40030, "invalid refresh_token"))?;
    if entry.deadline < now {
        return Err((42002, "refresh_token expired"));
    }
    let user = user_of(shared, &entry.user)?;
    let access = format!("86_{}", random_token(80));
    shared.wechat.tokens.insert(
        access.clone(),
        WebToken {
            appid: app.appid.clone(),
            user: entry.user.clone(),
            scope: entry.scope.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("access_token".into(), json!(access));
    out.insert("expires_in".into(), json!(ACCESS_TTL));
    out.insert("refresh_token".into(), json!(token));
    out.insert("openid".into(), json!(wechat_openid(&app.appid, user)));
    out.insert("scope".into(), json!(entry.scope));
    Ok(out)
}

/// A web-auth token and the user it belongs to, checked against `openid`.
fn web_token<'a>(
    shared: &'a Shared,
    p: &[(String, String)],
) -> Result<(WebToken, &'a WechatUser), (i64, &'static str)> {
    let now = shared.clock.unix();
    let token = form::non_empty(p, "access_token").ok_or((41001, "access_token missing"))?;
    let openid = form::non_empty(p, "openid").ok_or((41009, "missing openid"))?;
    let entry = shared.wechat.tokens.get(token, now).ok_or((
        40001,
        "invalid credential, access_token is invalid or not latest",
    ))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    let user = user_of(shared, &entry.user)?;
    if wechat_openid(&entry.appid, user) != openid {
        return Err((40003, "invalid openid"));
    }
    Ok((entry, user))
}

fn auth(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    web_token(shared, p)?;
    let mut out = Map::new();
    out.insert("errcode".into(), json!(0));
    out.insert("errmsg".into(), json!("ok"));
    Ok(out)
}

fn userinfo(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let (token, user) = web_token(shared, p)?;
    if !token
        .scope
        .split(',')
        .any(|s| s == "snsapi_userinfo" || s == "snsapi_login")
        || user.snapshot
    {
        return Err((48001, "api unauthorized"));
    }
    let mut out = Map::new();
    out.insert("openid".into(), json!(wechat_openid(&token.appid, user)));
    out.insert("nickname".into(), json!(user.nickname));
    // Gender and region are blanked since late 2021; the fields stay.
    out.insert("sex".into(), json!(0));
    out.insert("language".into(), json!(""));
    out.insert("city".into(), json!(""));
    out.insert("province".into(), json!(""));
    out.insert("country".into(), json!(""));
    out.insert("headimgurl".into(), json!(user.headimgurl));
    out.insert("privilege".into(), json!([]));
    if let Some(unionid) = user.unionid {
        out.insert("unionid".into(), json!(unionid));
    }
    Ok(out)
}

fn basic_token(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    if form::first(p, "grant_type") != Some("client_credential") {
        return Err((40002, "invalid grant_type"));
    }
    let app = app_with_secret(shared, p)?;
    let token = format!("86_{}", random_token(100));
    // The previous token keeps working for the overlap, then dies.
    let previous_key = format!("latest:{}", app.appid);
    if let Some(prev) = shared.wechat.latest_basic.take(&previous_key, now) {
        let prev_token = prev.appid.clone();
        shared.wechat.basic.with(&prev_token, now, |t| {
            if let Some(t) = t {
                t.deadline = t.deadline.min(now + BASIC_OVERLAP);
            }
        });
    }
    shared.wechat.basic.insert(
        token.clone(),
        BasicToken {
            appid: app.appid.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    // Remember which token is the latest (the entry's `appid` field holds the token here).
    shared.wechat.latest_basic.insert(
        previous_key,
        BasicToken {
            appid: token.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("access_token".into(), json!(token));
    out.insert("expires_in".into(), json!(ACCESS_TTL));
    Ok(out)
}

fn cgi_info(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let token = form::non_empty(p, "access_token").ok_or((41001, "access_token missing"))?;
    let entry = shared.wechat.basic.get(token, now).ok_or((
        40001,
        "invalid credential, access_token is invalid or not latest",
    ))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    let openid = form::non_empty(p, "openid").ok_or((41009, "missing openid"))?;
    let user = shared
        .cast
        .wechat_users
        .iter()
        .find(|u| wechat_openid(&entry.appid, u) == openid)
        .ok_or((40003, "invalid openid"))?;
    let mut out = Map::new();
    if !user.follows {
        out.insert("subscribe".into(), json!(0));
        out.insert("openid".into(), json!(openid));
        return Ok(out);
    }
    out.insert("subscribe".into(), json!(1));
    out.insert("openid".into(), json!(openid));
    // Nickname and avatar are blank on this API since 2021-12-27.
    out.insert("nickname".into(), json!(""));
    out.insert("sex".into(), json!(0));
    out.insert("language".into(), json!("zh_CN"));
    out.insert("city".into(), json!(""));
    out.insert("province".into(), json!(""));
    out.insert("country".into(), json!(""));
    out.insert("headimgurl".into(), json!(""));
    out.insert("subscribe_time".into(), json!(1_700_000_000));
    if let Some(unionid) = user.unionid {
        out.insert("unionid".into(), json!(unionid));
    }
    out.insert("remark".into(), json!(""));
    out.insert("groupid".into(), json!(0));
    out.insert("tagid_list".into(), json!([]));
    out.insert("subscribe_scene".into(), json!("ADD_SCENE_QR_CODE"));
    out.insert("qr_scene".into(), json!(0));
    out.insert("qr_scene_str".into(), json!(""));
    Ok(out)
}
