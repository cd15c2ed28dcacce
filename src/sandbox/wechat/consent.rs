//! The WeChat authorize pages (`/connect/oauth2/authorize` for Official Accounts,
//! `/connect/qrconnect` for website apps): WeChat's parameter checks and HTML error codes, the
//! consent page, and the one-POST approval with its 302 to `redirect_uri?code=…&state=…`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::{Code, OA_AUTHORIZE, OA_CODE_TTL, QRCONNECT, WEB_CODE_TTL};
use crate::sandbox::Shared;
use crate::sandbox::demo::{WechatApp, WechatKind, wechat_openid};
use crate::sandbox::form;
use crate::sandbox::pages::{self, Look};
use crate::sandbox::state::{CODE_LEN, CodeKey, random_token};

/// The third-party platform `component_appid` names, checked: it must be the platform this
/// Official Account authorized.
#[expect(
    clippy::result_large_err,
    reason = "the error is the finished error page, built once per bad request"
)]
fn component_of<'a>(
    shared: &'a Shared,
    app: &WechatApp,
    pairs: &[(String, String)],
) -> Result<Option<&'a str>, Response> {
    let Some(c) = form::non_empty(pairs, "component_appid") else {
        return Ok(None);
    };
    let platform = &shared.cast.component;
    if c != platform.appid || !platform.authorizers.contains(&app.appid) {
        return Err(error_page(
            "10003",
            "该公众号未授权此第三方平台",
            "component_appid names no third-party platform this Official Account authorized.",
        ));
    }
    Ok(Some(platform.appid.as_str()))
}

/// WeCom's web login shares the Official Account path; its `appid` is the corpid.
fn is_wecom(shared: &Shared, kind: WechatKind, pairs: &[(String, String)]) -> bool {
    kind == WechatKind::OfficialAccount
        && form::first(pairs, "appid") == Some(shared.cast.corp.corpid.as_str())
}

fn error_page(code: &str, zh: &str, en: &str) -> Response {
    Html(pages::error(Look::Wechat, Some(code), zh, en)).into_response()
}

/// The error page for an appid of another kind than the entry point (`kind`) serves.
fn wrong_entry(kind: WechatKind, app: WechatKind) -> Option<Response> {
    Some(match (kind, app) {
        (WechatKind::OfficialAccount, WechatKind::Website) => error_page(
            "10016",
            "不支持微信开放平台的Appid，请使用公众号Appid",
            "A website-app appid cannot use oauth2/authorize; use the Official Account appid.",
        ),
        (_, WechatKind::MiniProgram) => error_page(
            "10016",
            "该链接无法访问",
            "This appid is a mini program's: a mini program logs in with wx.login and jscode2session, not an authorize page.",
        ),
        (WechatKind::Website, WechatKind::OfficialAccount) => error_page(
            "10005",
            "Scope 参数错误或没有 Scope 权限",
            "An Official Account appid cannot use qrconnect; use the website app.",
        ),
        _ => return None,
    })
}

struct AuthorizeParams<'a> {
    app: &'a WechatApp,
    /// `component_appid`: a third-party platform the Official Account authorized.
    component: Option<&'a str>,
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
        return Err(error_page("10012", "appid 不能为空", "appid is missing."));
    };
    let Some(redirect) = form::non_empty(pairs, "redirect_uri") else {
        return Err(error_page(
            "10011",
            "redirect_uri 不能为空",
            "redirect_uri is missing.",
        ));
    };
    let Some(scope) = form::non_empty(pairs, "scope") else {
        return Err(error_page("10010", "scope 不能为空", "scope is missing."));
    };
    if form::first(pairs, "state").is_some_and(str::is_empty) {
        return Err(error_page(
            "10013",
            "state 不能为空",
            "state is present but empty.",
        ));
    }
    // Observed on the Official Account page only; the website login did not enforce it.
    if kind == WechatKind::OfficialAccount
        && form::first(pairs, "state").is_some_and(|s| s.len() > 128)
    {
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
        // An unknown appid has no code of its own in the official table: the page only says
        // that the link cannot be opened.
        return Err(Html(pages::error(
            Look::Wechat,
            None,
            "该链接无法访问",
            "This link cannot be opened: no app with this appid.",
        ))
        .into_response());
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
    if let Some(refused) = wrong_entry(kind, app.kind) {
        return Err(refused);
    }
    let scopes_ok = scope.split(',').all(|s| match kind {
        WechatKind::OfficialAccount => matches!(s, "snsapi_base" | "snsapi_userinfo"),
        WechatKind::Website => s == "snsapi_login",
        WechatKind::MiniProgram => false,
    });
    if !scopes_ok {
        return Err(error_page(
            "10005",
            "Scope 参数错误或没有 Scope 权限",
            "This app has no permission for that scope.",
        ));
    }
    let redirect = match url::Url::parse(redirect) {
        Ok(url) if crate::sandbox::alipay::redirect_allowed(shared, &url, headers) => url,
        _ => {
            return Err(error_page(
                "10003",
                "redirect_uri 域名与后台配置不一致",
                "redirect_uri's host is not the configured web-authorization domain.",
            ));
        }
    };
    let component = component_of(shared, app, pairs)?;
    Ok(AuthorizeParams {
        app,
        component,
        scope: scope.to_owned(),
        redirect,
        state: form::first(pairs, "state").map(str::to_owned),
    })
}

fn page(shared: &Shared, kind: WechatKind, path: &str, headers: &HeaderMap, raw: &str) -> Response {
    let pairs = form::utf8_pairs(raw.as_bytes());
    if is_wecom(shared, kind, &pairs) {
        return crate::sandbox::wecom::page(shared, path, headers, raw);
    }
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
            .map(|u| (u.id, u.label, wechat_openid(&params.app.appid, u, false)))
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
    if is_wecom(shared, kind, &pairs) {
        return crate::sandbox::wecom::submit(shared, headers, raw, body);
    }
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
        WechatKind::Website | WechatKind::MiniProgram => params.scope,
    };
    let ttl = match kind {
        WechatKind::OfficialAccount | WechatKind::MiniProgram => OA_CODE_TTL,
        WechatKind::Website => WEB_CODE_TTL,
    };
    let forced = kind == WechatKind::OfficialAccount
        && form::first(&pairs, "forceSnapShot") == Some("true")
        && scope.split(',').any(|s| s == "snsapi_userinfo");
    // Snapshot mode only ever applies to a consent (snsapi_userinfo) authorization on an
    // Official Account page; snsapi_base is always silent.
    let snapshot = forced
        || (user.snapshot
            && kind == WechatKind::OfficialAccount
            && scope.split(',').any(|s| s == "snsapi_userinfo"));
    let code = format!("0{}", random_token(CODE_LEN - 1));
    shared.wechat.codes.insert(
        CodeKey::new(&code).expect("32 letters and digits make a code key"),
        Code {
            appid: shared.wechat.interned.get(&params.app.appid),
            user: user.id,
            scope: shared.wechat.interned.get(&scope),
            snapshot,
            component: params.component.map(|c| shared.wechat.interned.get(c)),
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
        // A component authorization also names the Official Account on the redirect.
        if params.component.is_some() {
            q.append_pair("appid", &params.app.appid);
        }
    }
    if shared.scenario().is_some_and(|s| s.redirect_twice) {
        redirect_twice(
            shared,
            headers,
            &code,
            redirect.as_str(),
            params.state,
            now + ttl,
        );
    }
    tracing::info!(appid = %params.app.appid, user = user.id, "wechat consent approved");
    crate::sandbox::found(redirect.as_str())
}

pub(super) async fn authorize_page(
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

pub(super) async fn authorize_submit(
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

pub(super) async fn qr_page(
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

pub(super) async fn qr_submit(
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

/// The `redirect-twice` scenario's first landing: the browser reached the callback once
/// already with this code, and the page exchanged it there (as an app's callback page does on
/// each load). Logged for the timeline; the 302 that follows is the second landing.
fn redirect_twice(
    shared: &Shared,
    headers: &HeaderMap,
    code: &str,
    url: &str,
    state: Option<String>,
    deadline: i64,
) {
    let now = shared.clock.unix();
    if let Some(key) = CodeKey::new(code) {
        shared
            .wechat
            .used
            .insert(key, super::Used { deadline }, now);
    }
    let _ = shared.wechat.codes.take(code, now);
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let at_ms =
        i64::try_from(shared.clock.now().unix_timestamp_nanos() / 1_000_000).unwrap_or_default();
    shared.callbacks.log(crate::sandbox::callbacks::Logged {
        at_ms,
        state,
        url: url.to_owned(),
        user_agent,
        exchanged: true,
    });
}
