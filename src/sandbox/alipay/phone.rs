//! `my.getPhoneNumber` for scripts and walks: `POST /__sandbox/alipay/phone-number` with
//! `{"app_id": …, "user": …, "consent": true}` (or `auth_token` for the user a walk
//! authorized) answers what the mini program's JSAPI hands to
//! its server: `{"response":"<AES ciphertext>","sign":"…","sign_type":"RSA2",
//! "encrypt_type":"AES","charset":"UTF-8"}`, `sign` over the ciphertext in double quotes.
//! Errors travel inside the ciphertext (`isv.invalid-auth-relations` without consent,
//! `isv.insufficient-isv-permissions` for an app without the feature); an app with no AES key
//! gets `isv.missing-encrypt-key` in clear.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::keys;
use crate::provider::alipay::aes::signed_ciphertext;
use crate::sandbox::Shared;
use crate::sandbox::demo::PhoneProduct;

fn bad(msg: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": 10, "errorMessage": msg})),
    )
        .into_response()
}

/// The demo user's bound mobile number: stable, made from the uid's last digits.
fn mobile_of(user_id: &str) -> String {
    let tail: String = user_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("1380013{tail:0>4}")
}

pub(in crate::sandbox) async fn phone_number_api(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return bad("send JSON {\"app_id\": …, \"user\": …, \"consent\": true}");
    };
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let Some(app) = text("app_id").and_then(|a| shared.cast.alipay_app(a)) else {
        return bad("unknown or missing app_id");
    };
    // A walk names its user by the token it holds; a script names the demo user.
    let by_token = match text("auth_token") {
        Some(token) => match super::token_user(&shared, token, &app.app_id) {
            Some(user) => Some(user),
            None => return bad("auth_token is not a live access token of this app"),
        },
        None => None,
    };
    let user_id = by_token
        .or_else(|| text("user").map(str::to_owned))
        .or_else(|| shared.scenario().and_then(|s| s.user))
        .unwrap_or_else(|| "alipay-certified".to_owned());
    let Some(user) = shared.cast.alipay_user(&user_id) else {
        return bad("unknown user: pick an Alipay demo user id from sandbox.json");
    };
    let consent = fields
        .get("consent")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let Some(key) = &app.encrypt_key else {
        // Nothing to encrypt with: the error comes in clear, and unsigned.
        return axum::Json(json!({
            "response": {
                "code": "40001",
                "msg": "Missing Required Arguments",
                "subCode": "isv.missing-encrypt-key",
                "subMsg": "缺少加密配置",
            }
        }))
        .into_response();
    };
    let plain = match (app.phone_number, consent) {
        (PhoneProduct::NotApplied, _) => json!({
            "code": "40006",
            "msg": "Insufficient Permissions",
            "subCode": "isv.insufficient-isv-permissions",
            "subMsg": "ISV权限不足，建议在开发者中心检查对应功能是否已经添加",
        }),
        (PhoneProduct::Approved, false) => json!({
            "code": "40003",
            "msg": "Insufficient Conditions",
            "subCode": "isv.invalid-auth-relations",
            "subMsg": "无效的授权关系",
        }),
        (PhoneProduct::Approved, true) => json!({
            "code": "10000",
            "msg": "Success",
            "mobile": mobile_of(user.user_id),
        }),
    };
    let cipher = key.encrypt(&plain.to_string());
    let sign = keys::base64_encode(
        &shared
            .cast
            .alipay_key
            .sign(app.sign_type.hash(), signed_ciphertext(&cipher).as_bytes()),
    );
    axum::Json(json!({
        "response": cipher,
        "sign": sign,
        "sign_type": app.sign_type.as_str(),
        "encrypt_type": "AES",
        "charset": "UTF-8",
    }))
    .into_response()
}
