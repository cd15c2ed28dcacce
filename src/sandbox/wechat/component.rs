//! The emulated WeChat third-party platform (第三方平台): the `component_verify_ticket` WeChat
//! pushes every ten minutes (here: issued when the cast is built, listed in `sandbox.json` and
//! served by the control API), `/cgi-bin/component/api_component_token`, and the component's
//! code exchange and refresh (`/sns/oauth2/component/access_token`, `…/refresh_token`). The
//! web-auth tokens it issues are the Official Account's, so `/sns/userinfo` serves them.
//!
//! Emulation choices: a wrong ticket is 61006 and a wrong secret 40125 (WxJava issue #2968
//! shows the 61006 text); a `component_access_token` that is not a live one of this platform
//! is 40001 (EasyWeChat issues #2049 and #2033), an expired one 42001; an Official Account that
//! did not authorize the platform is 61003; a code issued without this `component_appid` is
//! 40029.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::{
    ACCESS_TTL, ApiResult, CGI_TYPE, Expiring, Refresh, SNS_TYPE, Used, answer, issue_access_token,
    user_of,
};
use crate::provider::wechat::component::{
    PATH_COMPONENT_TOKEN, PATH_SNS_COMPONENT_ACCESS_TOKEN, PATH_SNS_COMPONENT_REFRESH_TOKEN,
};
use crate::sandbox::Shared;
use crate::sandbox::form;
use crate::sandbox::state::{CodeKey, random_token};

/// An issued `component_access_token`.
#[derive(Debug, Clone)]
pub(super) struct ComponentToken {
    component_appid: String,
    deadline: i64,
}

impl Expiring for ComponentToken {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(PATH_COMPONENT_TOKEN, post(component_token))
        .route(
            PATH_SNS_COMPONENT_ACCESS_TOKEN,
            get(sns_component_access_token).post(sns_component_access_token),
        )
        .route(
            PATH_SNS_COMPONENT_REFRESH_TOKEN,
            get(sns_component_refresh).post(sns_component_refresh),
        )
        .route("/__sandbox/wechat/component-ticket", get(ticket))
}

/// `GET /__sandbox/wechat/component-ticket`: the latest `component_verify_ticket` WeChat pushed
/// to the platform (what its push handler would have stored).
async fn ticket(State(shared): State<Arc<Shared>>) -> Response {
    use axum::response::IntoResponse as _;
    let c = &shared.cast.component;
    axum::Json(json!({
        "component_appid": c.appid,
        "component_verify_ticket": c.verify_ticket,
    }))
    .into_response()
}

async fn component_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let fault = shared.faults.hit(
        crate::sandbox::state::Provider::Wechat,
        PATH_COMPONENT_TOKEN,
    );
    let result = serde_json::from_slice::<Map<String, Value>>(&body)
        .map_err(|_| (47001, "data format error"))
        .and_then(|p| issue_component_token(&shared, &p));
    answer(&shared, CGI_TYPE, result).finish(fault.as_ref())
}

fn issue_component_token(shared: &Shared, p: &Map<String, Value>) -> ApiResult {
    let field = |k: &str| p.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let c = &shared.cast.component;
    let appid = field("component_appid").ok_or((41002, "appid missing"))?;
    if appid != c.appid {
        return Err((40013, "invalid appid"));
    }
    let secret = field("component_appsecret").ok_or((41004, "appsecret missing"))?;
    if secret != c.secret {
        return Err((40125, "invalid appsecret"));
    }
    if field("component_verify_ticket") != Some(c.verify_ticket.as_str()) {
        return Err((61006, "component ticket is invalid"));
    }
    let now = shared.clock.unix();
    let token = format!("86_{}", random_token(100));
    shared.wechat.component_tokens.insert(
        token.clone(),
        ComponentToken {
            component_appid: c.appid.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    let mut out = Map::new();
    out.insert("component_access_token".into(), json!(token));
    out.insert("expires_in".into(), json!(ACCESS_TTL));
    Ok(out)
}

async fn sns_component_access_token(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    sns(&shared, PATH_SNS_COMPONENT_ACCESS_TOKEN, q, &body, exchange)
}

async fn sns_component_refresh(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    sns(&shared, PATH_SNS_COMPONENT_REFRESH_TOKEN, q, &body, refresh)
}

fn sns(
    shared: &Shared,
    path: &'static str,
    query: Option<String>,
    body: &[u8],
    call: fn(&Shared, &[(String, String)]) -> ApiResult,
) -> Response {
    let fault = shared
        .faults
        .hit(crate::sandbox::state::Provider::Wechat, path);
    let mut pairs = form::utf8_pairs(query.unwrap_or_default().as_bytes());
    pairs.extend(form::utf8_pairs(body));
    answer(shared, SNS_TYPE, call(shared, &pairs)).finish(fault.as_ref())
}

/// The checks both component calls share: a live token of this platform, and an Official
/// Account that authorized it. Returns the Official Account's appid.
fn authorized<'a>(
    shared: &Shared,
    p: &'a [(String, String)],
) -> Result<&'a str, (i64, &'static str)> {
    let now = shared.clock.unix();
    let c = &shared.cast.component;
    let component_appid = form::non_empty(p, "component_appid").ok_or((41002, "appid missing"))?;
    let token =
        form::non_empty(p, "component_access_token").ok_or((41001, "access_token missing"))?;
    let entry = shared
        .wechat
        .component_tokens
        .get(token, now)
        .filter(|t| t.component_appid == component_appid)
        .ok_or((
            40001,
            "invalid credential, access_token is invalid or not latest",
        ))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    if component_appid != c.appid {
        return Err((40013, "invalid appid"));
    }
    let appid = form::non_empty(p, "appid").ok_or((41002, "appid missing"))?;
    if !c.authorizers.iter().any(|a| a == appid) {
        return Err((61003, "component is not authorized by this account"));
    }
    Ok(appid)
}

fn exchange(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let appid = authorized(shared, p)?;
    let component_appid = form::non_empty(p, "component_appid").unwrap_or_default();
    if form::first(p, "grant_type") != Some("authorization_code") {
        return Err((40002, "invalid grant_type"));
    }
    let code = form::non_empty(p, "code").ok_or((41008, "missing code"))?;
    if shared.wechat.used.get(code, now).is_some() {
        return Err((40163, "code been used"));
    }
    let fits = shared.wechat.codes.with(code, now, |c| {
        c.map(|c| {
            *c.appid == *appid
                && c.component.as_deref() == Some(component_appid)
                && c.deadline >= now
        })
    });
    if fits != Some(true) {
        return Err((40029, "invalid code"));
    }
    let entry = shared
        .wechat
        .codes
        .take(code, now)
        .ok_or((40163, "code been used"))?;
    if let Some(key) = CodeKey::new(code) {
        shared.wechat.used.insert(
            key,
            Used {
                deadline: entry.deadline,
            },
            now,
        );
    }
    let user = user_of(shared, entry.user)?;
    let refresh_token = format!("86_{}", random_token(80));
    shared.wechat.refresh.insert(
        refresh_token.clone(),
        Refresh {
            appid: appid.to_owned(),
            user: user.id.to_owned(),
            scope: entry.scope.to_string(),
            snapshot: false,
            deadline: now + super::REFRESH_TTL,
            access: None,
        },
        now,
    );
    Ok(issue_access_token(
        shared,
        appid,
        user,
        &entry.scope,
        false,
        &refresh_token,
        now,
    ))
}

fn refresh(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let appid = authorized(shared, p)?;
    if form::first(p, "grant_type") != Some("refresh_token") {
        return Err((40002, "invalid grant_type"));
    }
    let token = form::non_empty(p, "refresh_token").ok_or((41003, "refresh_token missing"))?;
    let entry = shared
        .wechat
        .refresh
        .get(token, now)
        .filter(|r| r.appid == appid)
        .ok_or((40030, "invalid refresh_token"))?;
    if entry.deadline < now {
        return Err((42002, "refresh_token expired"));
    }
    let user = user_of(shared, &entry.user)?;
    Ok(issue_access_token(
        shared,
        appid,
        user,
        &entry.scope,
        entry.snapshot,
        token,
        now,
    ))
}
