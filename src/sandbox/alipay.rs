//! The emulated Alipay: the web authorize page and the `gateway.do` gateway.
//!
//! The gateway reads parameters from the query string and the form body alike (the SDKs split
//! them differently), decodes them in the request `charset` (UTF-8 or GBK), checks the common
//! parameters, verifies `sign` over [`canonical_string`] with the app's public key, and answers
//! every call — errors included — in the signed `{"<node>":{…},"sign":"…"}` layout built by
//! [`signed_response`]. Failures of `alipay.system.oauth.token` (and of unknown or missing
//! methods) go under `error_response`; failures of `alipay.user.info.share` inside its own node
//! (spec §4.1).
//!
//! Emulation choices where Alipay documents nothing: request timestamps must be within ±15
//! minutes of the sandbox clock; codes live 5 minutes (Alipay: 3 minutes to 24 hours); a denied
//! consent shows a page and does not redirect; `redirect_uri` must be absolute http(s) on the
//! registered host, a loopback host, or the host the page was reached at.

mod certmode;
mod consent;
mod failure;
mod identity;
pub(crate) mod isv;
mod phone;
mod v3;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use time::macros::{format_description, offset};

use super::demo::AlipayApp;
use super::form;
use super::state::{CodeKey, Expiring, FaultKind, Interned, Provider, Store, random_hex};
use super::{Shared, Wire};
use crate::keys;
use crate::provider::alipay::{
    AUTHORIZE_PATH, Charset, GATEWAY_PATH, METHOD_OAUTH_TOKEN, METHOD_USER_INFO, SignType,
    canonical_string, format_timestamp, response_node, signed_response_with_cert,
};

use consent::is_silent;
pub(crate) use consent::{mint_codes, redirect_allowed};
use failure::{Failure, busy, invalid, missing, token_failure};

/// The demo user an unexpired access token of `app_id` was issued for.
fn token_user(shared: &Shared, token: &str, app_id: &str) -> Option<String> {
    let now = shared.clock.unix();
    shared
        .alipay
        .tokens
        .get(token, now)
        .filter(|t| t.app_id == app_id && t.deadline >= now)
        .map(|t| t.user.clone())
}

/// Lifetime of an authorization code (seconds).
pub const CODE_TTL: i64 = 300;
/// Lifetime of an access token (seconds), as Alipay's own sandbox answers.
pub const ACCESS_TTL: i64 = 1_296_000;
/// Lifetime of a refresh token (seconds).
pub const REFRESH_TTL: i64 = 2_592_000;
/// Accepted distance between a request `timestamp` and the sandbox clock (seconds).
pub const TIMESTAMP_WINDOW: i64 = 900;

const ERROR_NODE: &str = "error_response";

/// An issued code. Nothing in it is allocated for it alone (see [`CodeKey`]): the app id and
/// the scope are shared, the user is a demo user's static id.
#[derive(Debug, Clone)]
struct Code {
    app_id: Arc<str>,
    user: &'static str,
    scope: Arc<str>,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct AccessToken {
    app_id: String,
    user: String,
    scope: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    app_id: String,
    user: String,
    scope: String,
    deadline: i64,
    access_token: String,
}

/// A refresh token that a refresh replaced: using it again is `isv.refreshed-token-invalid`.
#[derive(Debug, Clone)]
struct Replaced {
    deadline: i64,
}

impl Expiring for Code {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}
impl Expiring for AccessToken {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}
impl Expiring for RefreshToken {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}
impl Expiring for Replaced {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}

/// Alipay's issued codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct AlipayState {
    codes: Store<Code, CodeKey>,
    /// The app ids and scopes the codes share.
    interned: Interned,
    tokens: Store<AccessToken>,
    refresh: Store<RefreshToken>,
    replaced: Store<Replaced>,
    /// Merchants' authorizations of third-party (ISV) apps.
    pub(crate) isv: isv::IsvState,
}

impl AlipayState {
    /// Cap every store at `cap` entries.
    pub fn set_cap(&self, cap: usize) {
        self.codes.set_cap(cap);
        self.codes.remember_evictions();
        self.tokens.set_cap(cap);
        self.refresh.set_cap(cap);
        self.replaced.set_cap(cap);
        self.isv.set_cap(cap);
    }

    /// How many codes and tokens are held (to check that purging bounds memory).
    pub fn held(&self) -> usize {
        self.codes.len() + self.tokens.len() + self.refresh.len() + self.replaced.len()
    }

    /// How many codes are held, not yet exchanged (nor purged).
    pub fn codes_held(&self) -> usize {
        self.codes.len()
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            AUTHORIZE_PATH,
            get(consent::authorize_page).post(consent::authorize_submit),
        )
        .route(GATEWAY_PATH, get(gateway).post(gateway))
        .route(
            crate::provider::alipay::v3::PATH_OAUTH_TOKEN,
            post(v3::handle),
        )
        .route(
            crate::provider::alipay::v3::PATH_USER_INFO,
            post(v3::handle),
        )
        .route("/__sandbox/alipay/auth-code", post(consent::auth_code_api))
        .route(
            "/__sandbox/alipay/phone-number",
            post(phone::phone_number_api),
        )
        .route(
            "/__sandbox/alipay/app-auth-code",
            post(isv::app_auth_code_api),
        )
}

// ---------------------------------------------------------------------------------------------
// Gateway

/// How the answer is signed and encoded.
#[derive(Clone, Copy)]
struct Answer<'a> {
    method: Option<&'a str>,
    sign_type: SignType,
    charset: Charset,
    /// Certificate mode: the `alipay_cert_sn` written next to the node.
    cert_sn: Option<&'a str>,
}

impl Answer<'_> {
    /// The node a response of this call goes under: failures of `alipay.user.info.share` stay
    /// in its own node; everything else fails under `error_response`.
    fn node_name(&self, failed: bool) -> String {
        match self.method {
            Some(m) if m == METHOD_USER_INFO => response_node(m),
            Some(m) if !failed && (m == METHOD_OAUTH_TOKEN || m == isv::METHOD_APP_AUTH_TOKEN) => {
                response_node(m)
            }
            _ => ERROR_NODE.to_owned(),
        }
    }
}

fn content_type(charset: Charset) -> &'static str {
    // The gateway labels its JSON as HTML; SDKs parse the body whatever the header says.
    match charset {
        Charset::Utf8 => "text/html;charset=utf-8",
        Charset::Gbk => "text/html;charset=GBK",
    }
}

fn signed(shared: &Shared, answer: Answer<'_>, node_name: &str, node: &Map<String, Value>) -> Wire {
    let charset = answer.charset;
    let body = signed_response_with_cert(
        node_name,
        node,
        answer.sign_type,
        charset,
        &shared.cast.alipay_key,
        answer.cert_sn,
    )
    .or_else(|_| {
        // The node text escapes what the charset cannot hold, so this only happens for a
        // node name outside it; answer in UTF-8 rather than fail.
        signed_response_with_cert(
            node_name,
            node,
            answer.sign_type,
            Charset::Utf8,
            &shared.cast.alipay_key,
            answer.cert_sn,
        )
    })
    .map(|r| r.body)
    .unwrap_or_default();
    Wire {
        status: StatusCode::OK,
        content_type: content_type(charset),
        body,
    }
}

fn fail(shared: &Shared, answer: Answer<'_>, failure: &Failure) -> Wire {
    tracing::debug!(sub_code = failure.sub_code, "gateway failure");
    signed(shared, answer, &answer.node_name(true), &failure.node())
}

/// An error no app key pair can sign: `{"error_response":{…}}` with no `sign`.
fn unsigned(answer: Answer<'_>, failure: &Failure) -> Wire {
    let mut body = Map::new();
    body.insert(answer.node_name(true), Value::Object(failure.node()));
    let text = Value::Object(body).to_string();
    Wire {
        status: StatusCode::OK,
        content_type: content_type(answer.charset),
        body: answer
            .charset
            .encode(&text)
            .map_or_else(|_| text.clone().into_bytes(), std::borrow::Cow::into_owned),
    }
}

async fn gateway(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut raw = form::raw_pairs(query.unwrap_or_default().as_bytes());
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json") || v.contains("multipart"));
    if !is_json {
        raw.extend(form::raw_pairs(&body));
    }
    let charset_name = raw
        .iter()
        .find(|(k, _)| k == b"charset")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    let method_name = raw
        .iter()
        .find(|(k, _)| k == b"method")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    let sign_type = raw
        .iter()
        .find(|(k, _)| k == b"sign_type")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or_default();

    let fault = shared
        .faults
        .hit(Provider::Alipay, method_name.as_deref().unwrap_or(""));
    let charset = match charset_name.as_deref().map(str::parse::<Charset>) {
        None => Ok(Charset::Utf8),
        Some(Ok(c)) => Ok(c),
        Some(Err(_)) => Err(()),
    };
    let mut answer = Answer {
        method: method_name.as_deref(),
        sign_type,
        charset: charset.unwrap_or(Charset::Utf8),
        cert_sn: None,
    };
    match fault.as_ref().map(|f| f.fault) {
        Some(FaultKind::Html502) => return super::html_502("Tengine"),
        Some(FaultKind::Slow) => {
            let delay = fault
                .as_ref()
                .map_or(0, |f| f.delay_ms.min(super::state::MAX_DELAY_MS));
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        Some(FaultKind::ServiceUnavailable) => {
            answer.method = answer.method.filter(|m| *m == METHOD_USER_INFO);
            return fail(&shared, answer, &busy()).finish(None);
        }
        _ => {}
    }
    let wire = match charset {
        Err(()) => fail(
            &shared,
            answer,
            &invalid("isv.invalid-charset", "字符集错误"),
        ),
        Ok(charset) => match form::decode_pairs(&raw, charset) {
            Err(_) => fail(
                &shared,
                answer,
                &invalid("isv.invalid-charset", "字符集错误"),
            ),
            Ok(pairs) => match dedupe(pairs) {
                Ok(params) => handle(&shared, answer, &params),
                Err(reason) => fail(&shared, answer, &invalid("isv.invalid-parameter", &reason)),
            },
        },
    };
    wire.finish(fault.as_ref())
}

/// More parameters than any gateway call needs: refused before any work is done on them.
const MAX_PARAMS: usize = 64;

/// A parameter sent twice (query and body) with the same value counts once; with two values it
/// is refused, since one of them would escape the signature check. Linear in the request size.
fn dedupe(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    if pairs.len() > MAX_PARAMS {
        return Err(format!("参数过多（{} 个，上限 {MAX_PARAMS}）", pairs.len()));
    }
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match seen.get(&k) {
            Some(first) if *first == v => {}
            Some(_) => return Err(format!("参数 {k} 重复且取值不同")),
            None => {
                seen.insert(k.clone(), v.clone());
                out.push((k, v));
            }
        }
    }
    Ok(out)
}

fn handle<'a>(shared: &'a Shared, mut answer: Answer<'a>, params: &[(String, String)]) -> Wire {
    let known = |m: &str| {
        m == METHOD_OAUTH_TOKEN || m == METHOD_USER_INFO || m == isv::METHOD_APP_AUTH_TOKEN
    };
    match form::non_empty(params, "method") {
        None => {
            answer.method = None;
            return fail(
                shared,
                answer,
                &missing("isv.missing-method", "缺少方法名参数"),
            );
        }
        Some(m) if !known(m) => {
            answer.method = None;
            return fail(
                shared,
                answer,
                &invalid("isv.invalid-method", "不存在的方法名"),
            );
        }
        Some(_) => {}
    }
    answer.cert_sn =
        form::non_empty(params, "app_id").and_then(|id| certmode::alipay_cert_sn(shared, id));
    // A third-party (ISV) call with `app_auth_token` acts for the merchant's app.
    let acting = check_common(shared, &answer, params)
        .and_then(|caller| isv::acting_for(shared, caller, params).map(|app| (caller, app)));
    match acting {
        Ok((caller, app)) => match answer.method {
            Some(METHOD_OAUTH_TOKEN) => oauth_token(shared, answer, app, params),
            Some(isv::METHOD_APP_AUTH_TOKEN) => match isv::token_app_node(shared, caller, params) {
                Err(failure) => fail(shared, answer, &failure),
                Ok(node) => signed(shared, answer, &answer.node_name(false), &node),
            },
            _ => user_info(shared, answer, app, params),
        },
        // With no app, there is no key pair to answer with: the gateway answers unsigned.
        Err(failure)
            if matches!(
                failure.sub_code,
                "isv.invalid-app-id" | "isv.missing-app-id"
            ) =>
        {
            unsigned(answer, &failure)
        }
        Err(failure) => fail(shared, answer, &failure),
    }
}

/// The checks every call passes before its API runs, in the gateway's order.
fn check_common<'a>(
    shared: &'a Shared,
    answer: &Answer<'_>,
    params: &[(String, String)],
) -> Result<&'a AlipayApp, Failure> {
    let app_id = form::non_empty(params, "app_id")
        .ok_or_else(|| missing("isv.missing-app-id", "缺少AppID参数"))?;
    let app = shared
        .cast
        .alipay_app(app_id)
        .ok_or_else(|| invalid("isv.invalid-app-id", "无效的AppID参数"))?;
    let sign_type = form::non_empty(params, "sign_type")
        .ok_or_else(|| missing("isv.missing-signature-type", "缺少签名类型参数"))?;
    let sign_type: SignType = sign_type
        .parse()
        .map_err(|_| invalid("isv.invalid-signature-type", "无效的签名类型"))?;
    if sign_type != app.sign_type {
        return Err(Failure {
            code: "40003",
            msg: "Insufficient Conditions",
            sub_code: "isv.missing-signature-config",
            sub_msg: format!(
                "应用未配置{}签名算法对应的公钥或证书（本应用使用 {}）",
                sign_type, app.sign_type
            ),
        });
    }
    certmode::check(shared, app, params)?;
    let sign = form::non_empty(params, "sign")
        .ok_or_else(|| missing("isv.missing-signature", "缺少签名参数"))?;
    let timestamp = form::non_empty(params, "timestamp")
        .ok_or_else(|| missing("isv.missing-timestamp", "缺少时间戳参数"))?;
    let sent = time::PrimitiveDateTime::parse(
        timestamp,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .map_err(|_| invalid("isv.invalid-timestamp", "非法的时间戳参数"))?
    .assume_offset(offset!(+8));
    let skew = (sent.unix_timestamp() - shared.clock.unix()).abs();
    if skew > TIMESTAMP_WINDOW {
        return Err(invalid("isv.invalid-timestamp", "非法的时间戳参数"));
    }
    if form::non_empty(params, "version").is_none() {
        return Err(missing("isv.missing-version", "缺少版本参数"));
    }
    if form::non_empty(params, "format").is_some_and(|f| !f.eq_ignore_ascii_case("json")) {
        return Err(invalid("isv.invalid-format", "无效的数据格式"));
    }
    let canonical = canonical_string(params);
    let verified = keys::base64_decode_signature(sign).is_ok_and(|signature| {
        answer
            .charset
            .encode(&canonical)
            .is_ok_and(|bytes| app.public_key.verify(sign_type.hash(), &bytes, &signature))
    });
    if !verified {
        return Err(invalid(
            "isv.invalid-signature",
            &format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
                canonical.replace('&', "&amp;")
            ),
        ));
    }
    Ok(app)
}

fn oauth_token(
    shared: &Shared,
    answer: Answer<'_>,
    app: &AlipayApp,
    params: &[(String, String)],
) -> Wire {
    match token_node(shared, app, params) {
        Err(failure) => fail(shared, answer, &failure),
        Ok(node) => signed(shared, answer, &answer.node_name(false), &node),
    }
}

/// `alipay.system.oauth.token`'s answer, whatever the API generation carries it.
fn token_node(
    shared: &Shared,
    app: &AlipayApp,
    params: &[(String, String)],
) -> Result<Map<String, Value>, Failure> {
    let now = shared.clock.unix();
    let Issued {
        access_token,
        refresh_token,
        user,
        expires_in,
        re_expires_in,
    } = match form::first(params, "grant_type").map(str::trim) {
        Some("authorization_code") => exchange_code(shared, app, params, now),
        Some("refresh_token") => refresh(shared, app, params, now),
        _ => Err(invalid("isv.grant-type-invalid", "grant_type参数不正确")),
    }?;
    let mut node = Map::new();
    node.insert("access_token".into(), json!(access_token));
    node.insert(
        "auth_start".into(),
        json!(format_timestamp(shared.clock.now())),
    );
    node.insert("expires_in".into(), json!(expires_in));
    node.insert("re_expires_in".into(), json!(re_expires_in));
    node.insert("refresh_token".into(), json!(refresh_token));
    identity::insert_identity(&mut node, app, &user, identity::Answer::Token);
    Ok(node)
}

struct Issued {
    access_token: String,
    refresh_token: String,
    /// The Alipay uid (`2088…`).
    user: String,
    expires_in: i64,
    re_expires_in: i64,
}

fn token_prefix(scope: &str) -> &'static str {
    if is_silent(scope) {
        "authbseB"
    } else {
        "authusrB"
    }
}

fn code_invalid() -> Failure {
    invalid("isv.code-invalid", "授权码code无效")
}

fn exchange_code(
    shared: &Shared,
    app: &AlipayApp,
    params: &[(String, String)],
    now: i64,
) -> Result<Issued, Failure> {
    let code = form::non_empty(params, "code").ok_or_else(code_invalid)?;
    // Taking the code consumes it, whether or not the exchange then succeeds.
    let code = match shared.alipay.codes.take(code, now) {
        Some(entry) => entry,
        None if shared.alipay.codes.was_evicted(code) => {
            return Err(invalid(
                "isv.code-invalid",
                &format!("授权码code无效（{}）", crate::sandbox::CODE_EVICTED_HINT),
            ));
        }
        None => return Err(code_invalid()),
    };
    if code.deadline < now || *code.app_id != *app.app_id {
        return Err(code_invalid());
    }
    let uid = shared
        .cast
        .alipay_user(code.user)
        .map(|u| u.user_id.to_owned())
        .ok_or_else(code_invalid)?;
    let prefix = token_prefix(&code.scope);
    let access_token = format!("{prefix}{}", random_hex(32));
    let refresh_token = format!("{prefix}{}", random_hex(32));
    shared.alipay.tokens.insert(
        access_token.clone(),
        AccessToken {
            app_id: app.app_id.clone(),
            user: code.user.to_owned(),
            scope: code.scope.to_string(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    shared.alipay.refresh.insert(
        refresh_token.clone(),
        RefreshToken {
            app_id: app.app_id.clone(),
            user: code.user.to_owned(),
            scope: code.scope.to_string(),
            deadline: now + REFRESH_TTL,
            access_token: access_token.clone(),
        },
        now,
    );
    Ok(Issued {
        access_token,
        refresh_token,
        user: uid,
        expires_in: ACCESS_TTL,
        re_expires_in: REFRESH_TTL,
    })
}

/// Refresh as spec §5.3 describes: a new access token with a fresh deadline (the old one dies
/// at once) and a new refresh token that keeps the old deadline (the old one dies too).
fn refresh(
    shared: &Shared,
    app: &AlipayApp,
    params: &[(String, String)],
    now: i64,
) -> Result<Issued, Failure> {
    let invalid_refresh = || invalid("isv.refresh-token-invalid", "刷新令牌refresh_token无效");
    let token = form::non_empty(params, "refresh_token").ok_or_else(invalid_refresh)?;
    let Some(old) = shared.alipay.refresh.take(token, now) else {
        if shared.alipay.replaced.get(token, now).is_some() {
            return Err(invalid("isv.refreshed-token-invalid", "刷新令牌已被使用"));
        }
        return Err(invalid_refresh());
    };
    if old.app_id != app.app_id {
        shared.alipay.refresh.insert(token.to_owned(), old, now);
        return Err(invalid(
            "isv.invalid-app-id",
            "调用接口的应用标识(app_id)与令牌授权的应用不相符",
        ));
    }
    if old.deadline < now {
        shared.alipay.refresh.insert(token.to_owned(), old, now);
        return Err(invalid(
            "isv.refresh-token-time-out",
            "刷新令牌refresh_token已过期",
        ));
    }
    shared.alipay.tokens.remove(&old.access_token);
    shared.alipay.replaced.insert(
        token.to_owned(),
        Replaced {
            deadline: old.deadline,
        },
        now,
    );
    let prefix = token_prefix(&old.scope);
    let access_token = format!("{prefix}{}", random_hex(32));
    let refresh_token = format!("{prefix}{}", random_hex(32));
    shared.alipay.tokens.insert(
        access_token.clone(),
        AccessToken {
            app_id: app.app_id.clone(),
            user: old.user.clone(),
            scope: old.scope.clone(),
            deadline: now + ACCESS_TTL,
        },
        now,
    );
    let uid = shared
        .cast
        .alipay_user(&old.user)
        .map(|u| u.user_id.to_owned())
        .unwrap_or_default();
    let deadline = old.deadline;
    shared.alipay.refresh.insert(
        refresh_token.clone(),
        RefreshToken {
            deadline,
            access_token: access_token.clone(),
            ..old
        },
        now,
    );
    Ok(Issued {
        access_token,
        refresh_token,
        user: uid,
        expires_in: ACCESS_TTL,
        re_expires_in: deadline - now,
    })
}

fn user_info(
    shared: &Shared,
    answer: Answer<'_>,
    app: &AlipayApp,
    params: &[(String, String)],
) -> Wire {
    match user_info_node(shared, app, params) {
        Err(failure) => fail(shared, answer, &failure),
        Ok(node) => signed(shared, answer, &answer.node_name(false), &node),
    }
}

/// `alipay.user.info.share`'s answer, whatever the API generation carries it.
fn user_info_node(
    shared: &Shared,
    app: &AlipayApp,
    params: &[(String, String)],
) -> Result<Map<String, Value>, Failure> {
    let now = shared.clock.unix();
    let invalid_token = || token_failure("aop.invalid-auth-token", "无效的访问令牌");
    let result = (|| {
        let token = form::non_empty(params, "auth_token").ok_or_else(invalid_token)?;
        let token = shared
            .alipay
            .tokens
            .get(token, now)
            .ok_or_else(invalid_token)?;
        if token.app_id != app.app_id {
            return Err(invalid_token());
        }
        if token.deadline < now {
            return Err(token_failure("aop.auth-token-time-out", "访问令牌已过期"));
        }
        // An auth_base token cannot read the profile: Alipay answers aop.invalid-auth-token
        // (spec §1.2), not a scope-specific code.
        if is_silent(&token.scope) {
            // The "invalid-token" scenario reproduces the sub-code a seed document reports.
            if shared.scenario().is_some_and(|s| s.alipay_invalid_token) {
                return Err(Failure {
                    code: "40002",
                    msg: "Invalid Arguments",
                    sub_code: "isv.invalid-token",
                    sub_msg: "无效令牌".to_owned(),
                });
            }
            return Err(invalid_token());
        }
        shared
            .cast
            .alipay_user(&token.user)
            .ok_or_else(invalid_token)
    })();
    let user = result?;
    let mut fields: Vec<(String, Value)> = user
        .profile
        .iter()
        .filter(|(k, _)| identity::field_visible(app, k))
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let mut identity = Map::new();
    identity::insert_identity(&mut identity, app, user.user_id, identity::Answer::UserInfo);
    fields.extend(identity);
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut node = Map::new();
    node.insert("code".into(), json!("10000"));
    node.insert("msg".into(), json!("Success"));
    node.extend(fields);
    Ok(node)
}
