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
//! unknown or foreign token on `/sns/*` is 40001, an expired one 42001. `forceSnapShot=true`
//! with `snsapi_userinfo` authorizes any demo user in snapshot mode (a virtual account: its own
//! openid, `is_snapshotuser: 1`, a virtual unionid when the app is bound to an Open Platform
//! account, and 48001 on `/sns/userinfo`, which rests on one developer-community report).
//! A refresh while the access token is still valid returns the same token with a renewed
//! expiry (the website/app login page says so). `/sns/*` errmsgs end in `, rid: …`,
//! `/cgi-bin/*` and `/wxa/*` ones in ` rid: …` (no comma), and their 40001 carries the
//! getStableAccessToken hint. The mini program's side is in [`mini`].

pub(crate) mod component;
mod consent;
mod mini;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::demo::{WechatApp, WechatUser, wechat_openid, wechat_unionid};
use super::form;
use super::state::{
    CodeKey, Expiring, FaultKind, Interned, Provider, Store, random_hex, random_token,
};
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

/// An issued code. Nothing in it is allocated for it alone (see [`CodeKey`]): the appid and
/// the scope are shared, the user is a demo user's static id.
#[derive(Debug, Clone)]
struct Code {
    appid: Arc<str>,
    user: &'static str,
    scope: Arc<str>,
    /// Authorized in snapshot-page mode (the user's own mode, or `forceSnapShot=true`).
    snapshot: bool,
    /// The third-party platform the authorize URL named (`component_appid`), if any.
    component: Option<Arc<str>>,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct WebToken {
    appid: String,
    user: String,
    scope: String,
    snapshot: bool,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct Refresh {
    appid: String,
    user: String,
    scope: String,
    snapshot: bool,
    deadline: i64,
    /// The access token last handed out with this refresh token: a refresh while it is still
    /// valid gives it again with a new expiry.
    access: Option<String>,
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

/// The newest basic token of an app, whose predecessor dies after the overlap.
#[derive(Debug, Clone)]
struct Latest {
    token: String,
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
expiring!(Code, WebToken, Refresh, BasicToken, Used, Latest);

/// WeChat's issued codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct WechatState {
    codes: Store<Code, CodeKey>,
    used: Store<Used, CodeKey>,
    /// The appids and scopes the codes share.
    interned: Interned,
    tokens: Store<WebToken>,
    refresh: Store<Refresh>,
    basic: Store<BasicToken>,
    /// The latest basic token per appid, to retire the previous one after the overlap.
    latest_basic: Store<Latest>,
    /// The mini program's codes, session keys, phone codes and stable tokens.
    mini: mini::MiniState,
    /// The third-party platform's `component_access_token`s.
    component_tokens: Store<component::ComponentToken>,
}

impl WechatState {
    /// Cap every store at `cap` entries.
    pub fn set_cap(&self, cap: usize) {
        self.codes.set_cap(cap);
        self.codes.remember_evictions();
        self.used.set_cap(cap);
        self.tokens.set_cap(cap);
        self.refresh.set_cap(cap);
        self.basic.set_cap(cap);
        self.latest_basic.set_cap(cap);
        self.mini.set_cap(cap);
        self.component_tokens.set_cap(cap);
    }

    /// How many codes and tokens are held (to check that purging bounds memory).
    pub fn held(&self) -> usize {
        self.codes.len()
            + self.used.len()
            + self.tokens.len()
            + self.refresh.len()
            + self.basic.len()
            + self.latest_basic.len()
            + self.mini.held()
            + self.component_tokens.len()
    }

    /// How many codes are held, not yet exchanged (nor purged).
    pub fn codes_held(&self) -> usize {
        self.codes.len()
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            OA_AUTHORIZE,
            get(consent::authorize_page).post(consent::authorize_submit),
        )
        .route(QRCONNECT, get(consent::qr_page).post(consent::qr_submit))
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
        .merge(mini::routes())
        .merge(component::routes())
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

pub(super) type ApiResult = Result<Map<String, Value>, (i64, &'static str)>;

pub(super) const SNS_TYPE: &str = "text/plain";
pub(super) const CGI_TYPE: &str = "application/json; encoding=utf-8";

/// The hint WeChat appends to 40001 on `/cgi-bin/*` (and `/wxa/*`) since 2023.
const STABLE_TOKEN_HINT: &str = ", could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r";

pub(super) fn answer(shared: &Shared, content_type: &'static str, result: ApiResult) -> Wire {
    let body = match result {
        Ok(map) => Value::Object(map).to_string(),
        // `/sns/*` writes ", rid: …"; `/cgi-bin/*` and `/wxa/*` write " rid: …" (no comma), and
        // their 40001 carries the getStableAccessToken hint.
        Err((errcode, errmsg)) if content_type == SNS_TYPE => {
            json!({"errcode": errcode, "errmsg": format!("{errmsg}, rid: {}", rid(shared))})
                .to_string()
        }
        Err((errcode, errmsg)) => {
            let hint = if errcode == 40001 {
                STABLE_TOKEN_HINT
            } else {
                ""
            };
            json!({"errcode": errcode, "errmsg": format!("{errmsg}{hint} rid: {}", rid(shared))})
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

pub(super) fn user_of<'a>(
    shared: &'a Shared,
    id: &str,
) -> Result<&'a WechatUser, (i64, &'static str)> {
    shared.cast.wechat_user(id).ok_or((-1, "system error"))
}

/// WeChat's 40029 text with the sandbox's hint, for a code dropped under load.
const EVICTED_ERRMSG: &str = "invalid code, hints: [ sandbox: code evicted under load ]";

fn access_token(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let app = app_with_secret(shared, p)?;
    let code = form::non_empty(p, "code").ok_or((41008, "missing code"))?;
    if form::first(p, "grant_type") != Some("authorization_code") {
        return Err((40002, "invalid grant_type"));
    }
    let already_used = || {
        shared
            .wechat
            .used
            .get(code, now)
            .is_some_and(|u| u.deadline >= now)
    };
    if already_used() {
        return Err((40163, "code been used"));
    }
    // A code of another app is not consumed by the failed attempt.
    let (same_app, deadline) = shared
        .wechat
        .codes
        .with(code, now, |c| {
            c.map(|c| (*c.appid == *app.appid, c.deadline))
        })
        .ok_or_else(|| {
            // Marked used before it is taken (below): a code that is gone and marked lost a
            // race to a concurrent exchange, which is WeChat's 40163, not an unknown code.
            if already_used() {
                (40163, "code been used")
            } else if shared.wechat.codes.was_evicted(code) {
                (40029, EVICTED_ERRMSG)
            } else {
                (40029, "invalid code")
            }
        })?;
    if !same_app {
        return Err((40029, "invalid code"));
    }
    if let Some(key) = CodeKey::new(code) {
        shared.wechat.used.insert(key, Used { deadline }, now);
    }
    let code_entry = shared
        .wechat
        .codes
        .take(code, now)
        .ok_or((40163, "code been used"))?;
    if code_entry.deadline < now {
        return Err((40029, "invalid code"));
    }
    let user = user_of(shared, code_entry.user)?;
    let refresh = format!("86_{}", random_token(80));
    shared.wechat.refresh.insert(
        refresh.clone(),
        Refresh {
            appid: app.appid.clone(),
            user: user.id.to_owned(),
            scope: code_entry.scope.to_string(),
            snapshot: code_entry.snapshot,
            deadline: now + REFRESH_TTL,
            access: None,
        },
        now,
    );
    let mut out = issue_access_token(
        shared,
        &app.appid,
        user,
        &code_entry.scope,
        code_entry.snapshot,
        &refresh,
        now,
    );
    if code_entry.snapshot {
        out.insert("is_snapshotuser".into(), json!(1));
    }
    // Only an app bound to an Open Platform account; a snapshot-mode virtual account gets
    // a virtual one.
    if let Some(unionid) = wechat_unionid(app, user, code_entry.snapshot)
        && *code_entry.scope != *"snsapi_base"
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
    // The website/app login page: while the access token has not timed out, a refresh does
    // not change it, only its expiry.
    if let Some(access) = &entry.access {
        let renewed = shared.wechat.tokens.with(access, now, |t| match t {
            Some(t) if t.deadline >= now => {
                t.deadline = now + ACCESS_TTL;
                true
            }
            _ => false,
        });
        if renewed {
            let mut out = Map::new();
            out.insert("access_token".into(), json!(access));
            out.insert("expires_in".into(), json!(ACCESS_TTL));
            out.insert("refresh_token".into(), json!(token));
            out.insert(
                "openid".into(),
                json!(wechat_openid(&app.appid, user, entry.snapshot)),
            );
            out.insert("scope".into(), json!(entry.scope));
            return Ok(out);
        }
    }
    Ok(issue_access_token(
        shared,
        &app.appid,
        user,
        &entry.scope,
        entry.snapshot,
        token,
        now,
    ))
}

/// Mint a web-auth access token for `user` and answer with the fields both the code exchange
/// and the refresh return: `access_token`, `expires_in`, `refresh_token`, `openid`, `scope`.
pub(super) fn issue_access_token(
    shared: &Shared,
    appid: &str,
    user: &WechatUser,
    scope: &str,
    snapshot: bool,
    refresh: &str,
    now: i64,
) -> Map<String, Value> {
    let access = format!("86_{}", random_token(80));
    shared.wechat.refresh.with(refresh, now, |r| {
        if let Some(r) = r {
            r.access = Some(access.clone());
        }
    });
    shared.wechat.tokens.insert(
        access.clone(),
        WebToken {
            appid: appid.to_owned(),
            user: user.id.to_owned(),
            scope: scope.to_owned(),
            snapshot,
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("access_token".into(), json!(access));
    out.insert("expires_in".into(), json!(ACCESS_TTL));
    out.insert("refresh_token".into(), json!(refresh));
    out.insert("openid".into(), json!(wechat_openid(appid, user, snapshot)));
    out.insert("scope".into(), json!(scope));
    out
}

/// A web-auth token and the user it belongs to, checked against `openid`.
fn web_token<'a>(
    shared: &'a Shared,
    p: &[(String, String)],
) -> Result<(WebToken, &'a WechatUser), (i64, &'static str)> {
    let now = shared.clock.unix();
    let token = form::non_empty(p, "access_token").ok_or((41001, "access_token missing"))?;
    // The credential is checked before the other parameters: a basic token sent without an
    // openid (the tutorial's mix-up) is refused as a credential.
    let entry = shared.wechat.tokens.get(token, now).ok_or((
        40001,
        "invalid credential, access_token is invalid or not latest",
    ))?;
    let openid = form::non_empty(p, "openid").ok_or((41009, "missing openid"))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    let user = user_of(shared, &entry.user)?;
    if wechat_openid(&entry.appid, user, entry.snapshot) != openid {
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
        || token.snapshot
    {
        return Err((48001, "api unauthorized"));
    }
    let mut out = Map::new();
    out.insert(
        "openid".into(),
        json!(wechat_openid(&token.appid, user, token.snapshot)),
    );
    out.insert("nickname".into(), json!(user.nickname));
    // Gender and region are blanked since late 2021; the fields stay.
    out.insert("sex".into(), json!(0));
    out.insert("language".into(), json!(""));
    out.insert("city".into(), json!(""));
    out.insert("province".into(), json!(""));
    out.insert("country".into(), json!(""));
    out.insert("headimgurl".into(), json!(user.headimgurl));
    out.insert("privilege".into(), json!([]));
    if let Some(app) = shared.cast.wechat_app(&token.appid)
        && let Some(unionid) = wechat_unionid(app, user, token.snapshot)
    {
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
    if let Some(previous) = shared.wechat.latest_basic.take(&app.appid, now) {
        shared.wechat.basic.with(&previous.token, now, |t| {
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
    shared.wechat.latest_basic.insert(
        app.appid.clone(),
        Latest {
            token: token.clone(),
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
        .find(|u| wechat_openid(&entry.appid, u, false) == openid)
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
    // `language` stays: what stopped on 2021-12-27 is nickname and headimgurl (blank above).
    out.insert("language".into(), json!("zh_CN"));
    out.insert("city".into(), json!(""));
    out.insert("province".into(), json!(""));
    out.insert("country".into(), json!(""));
    out.insert("headimgurl".into(), json!(""));
    out.insert("subscribe_time".into(), json!(1_700_000_000));
    if let Some(app) = shared.cast.wechat_app(&entry.appid)
        && let Some(unionid) = wechat_unionid(app, user, false)
    {
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
