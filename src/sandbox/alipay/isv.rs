//! Third-party (ISV, 服务商) calls: a merchant authorizes the ISV's app (`app_auth_code`, here
//! issued when the sandbox starts and by `/__sandbox/alipay/app-auth-code`), the ISV exchanges
//! it on `alipay.open.auth.token.app` for an `app_auth_token`, and then calls the merchant's
//! member login with its own app id and signature plus `app_auth_token` on every gateway call.
//! The gateway then acts for the merchant's app: its codes, its tokens, its identities.
//!
//! Sub-codes (支付宝开放平台 公共错误码 — https://opendocs.alipay.com/open/common/105806): an
//! unknown token, or one another ISV holds, is `aop.invalid-app-auth-token`; an expired one
//! `aop.app-auth-token-time-out` (both under 20001). Without `app_auth_token`, a merchant's
//! code is another app's code: `isv.code-invalid`. Emulation choices: an app_auth_code lives
//! 24 hours and is single use (a second exchange is `isv.code-invalid`), the token a year.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{AlipayApp, Failure, invalid, token_failure};
use crate::sandbox::Shared;
use crate::sandbox::form;
use crate::sandbox::state::{Expiring, Store, random_hex};

/// The method that turns an `app_auth_code` into an `app_auth_token`.
pub const METHOD_APP_AUTH_TOKEN: &str = "alipay.open.auth.token.app";
/// The demo ISV (third-party) app.
pub const ISV_APP: &str = crate::sandbox::demo::DEFAULT_ALIPAY_APP;
/// The demo merchant app that authorized it.
pub const MERCHANT_APP: &str = "2021000000000002";
/// Lifetime of an `app_auth_code` (seconds).
pub const APP_AUTH_CODE_TTL: i64 = 24 * 3600;
/// Lifetime of an `app_auth_token` (seconds): 365 days.
pub const APP_AUTH_TOKEN_TTL: i64 = 365 * 24 * 3600;
/// Lifetime of an `app_refresh_token` (seconds): 372 days.
pub const APP_REFRESH_TTL: i64 = 372 * 24 * 3600;

#[derive(Debug, Clone)]
struct Delegation {
    isv: String,
    merchant: String,
    deadline: i64,
}

impl Expiring for Delegation {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}

/// Issued app-authorization codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct IsvState {
    codes: Store<Delegation>,
    tokens: Store<Delegation>,
}

impl IsvState {
    /// A fresh `app_auth_code`: `merchant` authorizes `isv`.
    pub fn issue_code(&self, isv: &str, merchant: &str, now: i64) -> String {
        let code = format!("P{}", random_hex(31));
        self.codes.insert(
            code.clone(),
            Delegation {
                isv: isv.to_owned(),
                merchant: merchant.to_owned(),
                deadline: now + APP_AUTH_CODE_TTL,
            },
            now,
        );
        code
    }

    /// Cap both stores at `cap` entries. (Not counted in the gateway's `held`: the code the
    /// sandbox issues when it starts would skew the purge checks.)
    pub fn set_cap(&self, cap: usize) {
        self.codes.set_cap(cap);
        self.tokens.set_cap(cap);
    }
}

/// The app a call acts for: the caller's own, or, with a valid `app_auth_token`, the merchant's
/// app that authorized it.
pub(super) fn acting_for<'a>(
    shared: &'a Shared,
    caller: &'a AlipayApp,
    params: &[(String, String)],
) -> Result<&'a AlipayApp, Failure> {
    let Some(token) = form::non_empty(params, "app_auth_token") else {
        return Ok(caller);
    };
    let now = shared.clock.unix();
    let invalid_token = || token_failure("aop.invalid-app-auth-token", "无效的应用授权令牌");
    let entry = shared
        .alipay
        .isv
        .tokens
        .get(token, now)
        .ok_or_else(invalid_token)?;
    if entry.isv != caller.app_id {
        return Err(invalid_token());
    }
    if entry.deadline < now {
        return Err(token_failure(
            "aop.app-auth-token-time-out",
            "应用授权令牌已过期",
        ));
    }
    shared
        .cast
        .alipay_app(&entry.merchant)
        .ok_or_else(invalid_token)
}

/// `alipay.open.auth.token.app`: `biz_content` `{"grant_type":"authorization_code","code"}`.
pub(super) fn token_app_node(
    shared: &Shared,
    caller: &AlipayApp,
    params: &[(String, String)],
) -> Result<Map<String, Value>, Failure> {
    let biz: Map<String, Value> = form::non_empty(params, "biz_content")
        .and_then(|b| serde_json::from_str(b).ok())
        .ok_or_else(|| invalid("isv.invalid-biz-content", "biz_content无效"))?;
    let field = |k: &str| biz.get(k).and_then(Value::as_str).unwrap_or_default();
    if field("grant_type") != "authorization_code" {
        return Err(invalid("isv.grant-type-invalid", "grant_type参数不正确"));
    }
    let now = shared.clock.unix();
    let code_invalid = || invalid("isv.code-invalid", "授权码code无效");
    let code = shared
        .alipay
        .isv
        .codes
        .take(field("code"), now)
        .ok_or_else(code_invalid)?;
    if code.deadline < now || code.isv != caller.app_id {
        return Err(code_invalid());
    }
    let token = format!("202612BB{}", random_hex(32));
    let refresh = format!("202612BB{}", random_hex(32));
    shared.alipay.isv.tokens.insert(
        token.clone(),
        Delegation {
            deadline: now + APP_AUTH_TOKEN_TTL,
            ..code.clone()
        },
        now,
    );
    let user_id = shared
        .cast
        .alipay_users
        .first()
        .map_or("2088000000000001", |u| u.user_id);
    let mut node = Map::new();
    node.insert("code".into(), json!("10000"));
    node.insert("msg".into(), json!("Success"));
    node.insert(
        "tokens".into(),
        json!([{
            "app_auth_token": token,
            "app_refresh_token": refresh,
            "auth_app_id": code.merchant,
            "expires_in": APP_AUTH_TOKEN_TTL,
            "re_expires_in": APP_REFRESH_TTL,
            "user_id": user_id,
        }]),
    );
    Ok(node)
}

/// The ISV and merchant the sandbox registers, when both apps are in its cast.
pub(crate) fn demo_pair(shared_cast: &crate::sandbox::demo::Cast) -> Option<(&str, &str)> {
    (shared_cast.alipay_app(ISV_APP).is_some() && shared_cast.alipay_app(MERCHANT_APP).is_some())
        .then_some((ISV_APP, MERCHANT_APP))
}

/// A fresh `app_auth_code` of the demo merchant for the demo ISV (the control API's
/// `/__sandbox/alipay/app-auth-code`), when both apps are registered.
pub(crate) fn issue_demo_code(shared: &Arc<Shared>) -> Option<String> {
    let (isv, merchant) = demo_pair(&shared.cast)?;
    Some(
        shared
            .alipay
            .isv
            .issue_code(isv, merchant, shared.clock.unix()),
    )
}

/// `POST /__sandbox/alipay/app-auth-code`: the merchant approves the ISV again, as on
/// `appToAppAuth.htm`; answers `{"app_auth_code","isv_app_id","merchant_app_id"}`.
pub(super) async fn app_auth_code_api(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match (issue_demo_code(&shared), demo_pair(&shared.cast)) {
        (Some(code), Some((isv, merchant))) => axum::Json(json!({
            "app_auth_code": code,
            "isv_app_id": isv,
            "merchant_app_id": merchant,
        }))
        .into_response(),
        _ => (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(json!({
                "error": format!(
                    "this sandbox registers no ISV pair: it needs the apps {ISV_APP} and {MERCHANT_APP}"
                )
            })),
        )
            .into_response(),
    }
}
