//! The Alipay web authorize page (`publicAppAuthorize.htm`): consent, the one-POST approval
//! and its 302 to `redirect_uri`, plus `/__sandbox/alipay/auth-code` for scripts that want a
//! code the way a mini program's `my.getAuthCode` gets one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::{CODE_TTL, Code};
use crate::provider::alipay::AUTHORIZE_PATH;
use crate::sandbox::Shared;
use crate::sandbox::demo::{AlipayApp, AlipayUser};
use crate::sandbox::form;
use crate::sandbox::pages::{self, Look};
use crate::sandbox::state::{CODE_LEN, CodeKey, random_hex};

struct AuthorizeParams<'a> {
    app: &'a AlipayApp,
    scope: String,
    redirect: url::Url,
    state: Option<String>,
}

fn error_page(zh: &str, en: &str) -> Response {
    Html(pages::error(Look::Alipay, None, zh, en)).into_response()
}

/// Whether `redirect` may receive a code, checked as the real providers check it: its host
/// must be the domain registered for the demo apps (the 授权回调地址 of an Alipay app, the
/// 网页授权域名 of a WeChat one), any path and port under it. The demo apps register the
/// sandbox's own host (as written in `sandbox.json`, and `localhost`); when the sandbox is
/// bound to a LAN address, the address a phone reached it on counts too (the request's Host,
/// which the Host check has already limited to an IP address or `localhost`). Any other host,
/// another loopback address included, is refused.
pub(crate) fn redirect_allowed(shared: &Shared, redirect: &url::Url, headers: &HeaderMap) -> bool {
    if !matches!(redirect.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = redirect.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let registered = url::Url::parse(&shared.manifest.control)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    if registered.as_deref() == Some(host.as_str()) || host == "localhost" {
        return true;
    }
    !shared.bind.ip().is_loopback()
        && headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::sandbox::guard::host_name)
            .is_some_and(|h| h == host)
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the finished error page, built once per bad request"
)]
fn authorize_params<'a>(
    shared: &'a Shared,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Result<AuthorizeParams<'a>, Response> {
    let Some(app_id) = form::non_empty(query, "app_id") else {
        return Err(error_page(
            "参数错误：缺少 app_id",
            "Invalid request: app_id is missing.",
        ));
    };
    let Some(app) = shared.cast.alipay_app(app_id) else {
        return Err(error_page(
            "应用不存在，请检查 app_id 是否正确（沙箱与正式环境的 app_id 不同）",
            "No such app: check app_id (sandbox and production app ids differ).",
        ));
    };
    let Some(scope) = form::non_empty(query, "scope") else {
        return Err(error_page(
            "参数错误：缺少 scope",
            "Invalid request: scope is missing.",
        ));
    };
    if !scope
        .split(',')
        .all(|s| matches!(s.trim(), "auth_user" | "auth_base"))
    {
        return Err(error_page(
            "scope 参数错误，仅支持 auth_user 与 auth_base",
            "Invalid scope: only auth_user and auth_base are supported.",
        ));
    }
    let Some(redirect) = form::non_empty(query, "redirect_uri") else {
        return Err(error_page(
            "参数错误：缺少 redirect_uri",
            "Invalid request: redirect_uri is missing.",
        ));
    };
    let redirect = match url::Url::parse(redirect) {
        Ok(url) if redirect_allowed(shared, &url, headers) => url,
        _ => {
            return Err(error_page(
                "授权回跳地址与系统商配置回跳地址不一致",
                "The redirect address does not match the callback address configured for the \
                 app (授权回调地址); only its domain must match.",
            ));
        }
    };
    Ok(AuthorizeParams {
        app,
        scope: scope.to_owned(),
        redirect,
        state: form::first(query, "state").map(str::to_owned),
    })
}

/// Whether a scope asks no consent (no `auth_user` in it).
pub(super) fn is_silent(scope: &str) -> bool {
    !scope.split(',').any(|s| s.trim() == "auth_user")
}

pub(super) async fn authorize_page(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let raw = query.unwrap_or_default();
    let pairs = form::utf8_pairs(raw.as_bytes());
    let params = match authorize_params(&shared, &pairs, &headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let scenario = shared.scenario();
    let page = pages::consent(&pages::Consent {
        look: Look::Alipay,
        app_name: params.app.label,
        app_id: &params.app.app_id,
        scope: &params.scope,
        silent: is_silent(&params.scope),
        users: shared
            .cast
            .alipay_users
            .iter()
            .map(|u| (u.id, u.label, u.user_id.to_owned()))
            .collect(),
        preselected: scenario.as_ref().and_then(|s| s.user.as_deref()),
        action: format!("{AUTHORIZE_PATH}?{raw}"),
    });
    Html(page).into_response()
}

pub(super) async fn authorize_submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = form::utf8_pairs(query.unwrap_or_default().as_bytes());
    let params = match authorize_params(&shared, &pairs, &headers) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let decision = form::utf8_pairs(&body);
    match form::first(&decision, "decision") {
        Some("approve") => {}
        Some("deny") => return Html(pages::denied(Look::Alipay)).into_response(),
        _ => {
            return error_page(
                "请选择同意或拒绝",
                "Send decision=approve or decision=deny with the form.",
            );
        }
    }
    let Some(user) = form::first(&decision, "user").and_then(|id| shared.cast.alipay_user(id))
    else {
        return error_page(
            "请选择一个演示账户",
            "Pick a demo account: send user=<id> with one of the Alipay demo user ids.",
        );
    };
    let code = issue_code(&shared, &params.app.app_id, user, &params.scope);
    let mut redirect = params.redirect;
    {
        let mut q = redirect.query_pairs_mut();
        q.append_pair("app_id", &params.app.app_id)
            .append_pair("source", "alipay_wallet")
            .append_pair("scope", &granted_scope(&shared, &params.scope))
            .append_pair("auth_code", &code);
        if let Some(state) = &params.state {
            q.append_pair("state", state);
        }
    }
    tracing::info!(app_id = %params.app.app_id, user = user.id, "alipay consent approved");
    crate::sandbox::found(redirect.as_str())
}

fn granted_scope(shared: &Shared, asked: &str) -> String {
    shared
        .scenario()
        .and_then(|s| s.alipay_scope)
        .unwrap_or_else(|| asked.to_owned())
}

fn issue_code(shared: &Shared, app_id: &str, user: &AlipayUser, scope: &str) -> String {
    let now = shared.clock.unix();
    let code = random_hex(CODE_LEN);
    shared.alipay.codes.insert(
        CodeKey::new(&code).expect("32 hex digits make a code key"),
        Code {
            app_id: shared.alipay.interned.get(app_id),
            user: user.id,
            scope: shared.alipay.interned.get(&granted_scope(shared, scope)),
            deadline: now + CODE_TTL,
        },
        now,
    );
    if let Some(jump) = shared.scenario().map(|s| s.advance_after_code)
        && jump != 0
    {
        shared.clock.advance(jump);
    }
    code
}

/// Mint `count` codes exactly as an approval does (same store, same entries), without the HTTP
/// round trips: the soak benchmark fills the store with millions. Returns the last code.
pub(crate) fn mint_codes(
    shared: &Shared,
    app_id: &str,
    user: &str,
    scope: &str,
    count: usize,
) -> Result<Option<String>, String> {
    let app = shared
        .cast
        .alipay_app(app_id)
        .ok_or_else(|| format!("unknown Alipay app {app_id}"))?;
    let user = shared
        .cast
        .alipay_user(user)
        .ok_or_else(|| format!("unknown Alipay demo user {user}"))?;
    let mut last = None;
    for _ in 0..count {
        last = Some(issue_code(shared, &app.app_id, user, scope));
    }
    Ok(last)
}

/// `my.getAuthCode` for scripts: `app_id`, `scope` (default `auth_base`), `user`, in a JSON
/// body (or the query string).
pub(super) async fn auth_code_api(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut pairs = form::utf8_pairs(query.unwrap_or_default().as_bytes());
    // The body is JSON, `{"app_id": …, "scope": …, "user": …}` (the control API takes only
    // JSON posts); string values only.
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&body) {
        pairs.extend(
            fields
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned()))),
        );
    } else if !body.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": 10, "errorMessage": "send JSON {\"app_id\": …, \"scope\": …, \"user\": …}"})),
        )
            .into_response();
    }
    let bad = |msg: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": 10, "errorMessage": msg})),
        )
            .into_response()
    };
    let Some(app) = form::non_empty(&pairs, "app_id").and_then(|a| shared.cast.alipay_app(a))
    else {
        return bad("unknown or missing app_id");
    };
    let scope = form::non_empty(&pairs, "scope").unwrap_or("auth_base");
    if !scope
        .split(',')
        .all(|s| matches!(s.trim(), "auth_user" | "auth_base"))
    {
        return bad("scope must be auth_base or auth_user");
    }
    let default_user = shared.scenario().and_then(|s| s.user);
    let user_id = form::non_empty(&pairs, "user")
        .map(str::to_owned)
        .or(default_user)
        .unwrap_or_else(|| "alipay-certified".to_owned());
    let Some(user) = shared.cast.alipay_user(&user_id) else {
        return bad("unknown user: pick an Alipay demo user id from sandbox.json");
    };
    let code = issue_code(&shared, &app.app_id, user, scope);
    let granted = granted_scope(&shared, scope);
    axum::Json(json!({
        "authCode": code,
        "authSuccessScopes": granted.split(',').collect::<Vec<_>>(),
        "authErrorScopes": {},
    }))
    .into_response()
}
