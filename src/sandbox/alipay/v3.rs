//! OpenAPI v3 at the sandbox: `POST /v3/alipay/system/oauth/token` and
//! `POST /v3/alipay/user/info/share`, the same tokens and users as the v2 gateway.
//!
//! A request is checked as the official Node SDK's `curl()` signs it (see
//! [`crate::provider::alipay::v3`]): the `Authorization` header's auth string, then
//! `METHOD\n/path?query\nbody\n`, SHA256withRSA with the app's key. Answers are plain JSON
//! (no `code`/`msg`, no node), signed in the `alipay-timestamp`, `alipay-nonce`,
//! `alipay-signature` headers (and `alipay-sn` for a certificate app). Failures are HTTP 4xx
//! `{"code","message","links"}`.
//!
//! Emulation choices where the v3 pages list nothing for these two APIs: a v3 `code` is the v2
//! sub-code without its `isv.`/`aop.` prefix (the Node SDK's own test meets
//! `invalid-auth-token` with HTTP 401 for a bad token); signature, app and token failures are
//! 401, the other argument failures 400; errors are signed too.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::{Map, Value, json};

use super::super::Shared;
use super::super::demo::AlipayApp;
use super::super::state::random_hex;
use super::{Failure, TIMESTAMP_WINDOW, certmode, form, invalid, missing};
use crate::keys;
use crate::provider::HttpMethod;
use crate::provider::alipay::v3::{self, PATH_OAUTH_TOKEN, PATH_USER_INFO};
use crate::provider::alipay::{METHOD_OAUTH_TOKEN, METHOD_USER_INFO};
use crate::sandbox::state::FaultKind;

/// Where the v3 error page lives, for `links`.
const ERROR_DOC: &str = "https://opendocs.alipay.com/open-v3/054fcv";

pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let body = String::from_utf8_lossy(&body).into_owned();
    let http_method = if method == Method::GET {
        HttpMethod::Get
    } else {
        HttpMethod::Post
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let root_sn = headers
        .get(v3::HEADER_ROOT_CERT_SN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (app, result) = match check(
        &shared,
        authorization,
        root_sn.as_deref(),
        http_method,
        &path_query,
        &body,
    ) {
        Err((app, failure)) => (app, Err(failure)),
        Ok(app) => (
            Some(app),
            dispatch(&shared, app, uri.path(), &path_query, &body),
        ),
    };
    let cert_sn = app.and_then(|a| certmode::alipay_cert_sn(&shared, &a.app_id));
    // Faults are armed by the v2 method name the path stands for.
    let fault = shared.faults.hit(
        crate::sandbox::state::Provider::Alipay,
        match uri.path() {
            PATH_USER_INFO => METHOD_USER_INFO,
            _ => METHOD_OAUTH_TOKEN,
        },
    );
    let tampered = fault
        .as_ref()
        .is_some_and(|f| f.fault == FaultKind::TamperedSignature);
    let mut response = match result {
        Ok(node) => answer(&shared, StatusCode::OK, &Value::Object(node), cert_sn),
        Err(failure) => {
            let (status, body) = error_body(&failure);
            answer(&shared, status, &body, cert_sn)
        }
    };
    if tampered {
        // `tampered-signature` on v3: a signed header changes on the way (the timestamp moves
        // by one millisecond), so the signature no longer covers what arrives.
        let headers = response.headers_mut();
        let moved = headers
            .get(v3::HEADER_TIMESTAMP)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i64>().ok())
            .map(|ms| (ms + 1).to_string());
        if let Some(value) = moved.and_then(|m| HeaderValue::try_from(m).ok()) {
            headers.insert(v3::HEADER_TIMESTAMP, value);
        }
    }
    response
}

/// The common checks, in order: the header, the app, the clock, the certificate SNs, the
/// signature. The app comes back with a failure when it is known (its answers name its
/// certificate).
fn check<'a>(
    shared: &'a Shared,
    authorization: &str,
    root_sn: Option<&str>,
    method: HttpMethod,
    path_query: &str,
    body: &str,
) -> Result<&'a AlipayApp, (Option<&'a AlipayApp>, Failure)> {
    let auth = v3::parse_authorization(authorization).map_err(|e| {
        let failure = if authorization.is_empty() {
            missing("isv.missing-signature", "缺少签名参数")
        } else {
            invalid(
                "isv.invalid-signature",
                &format!("Authorization 头无效：{e}"),
            )
        };
        (None, failure)
    })?;
    let app_id = auth
        .app_id
        .as_deref()
        .ok_or_else(|| (None, missing("isv.missing-app-id", "缺少AppID参数")))?;
    let app = shared
        .cast
        .alipay_app(app_id)
        .ok_or_else(|| (None, invalid("isv.invalid-app-id", "无效的AppID参数")))?;
    let fail = |failure| (Some(app), failure);
    let sent_ms: i64 = auth
        .timestamp
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| fail(invalid("isv.invalid-timestamp", "非法的时间戳参数")))?;
    if (sent_ms / 1000 - shared.clock.unix()).abs() > TIMESTAMP_WINDOW {
        return Err(fail(invalid("isv.invalid-timestamp", "非法的时间戳参数")));
    }
    if auth.nonce.as_deref().is_none_or(str::is_empty) {
        return Err(fail(missing("isv.missing-nonce", "缺少nonce参数")));
    }
    let mut sns = Vec::new();
    if let Some(sn) = &auth.app_cert_sn {
        sns.push(("app_cert_sn".to_owned(), sn.clone()));
    }
    if let Some(sn) = root_sn {
        sns.push(("alipay_root_cert_sn".to_owned(), sn.to_owned()));
    }
    certmode::check(shared, app, &sns).map_err(fail)?;
    let signed = v3::string_to_sign(&auth.auth_string, method, path_query, body);
    let verified = keys::base64_decode_signature(&auth.sign).is_ok_and(|sig| {
        app.public_key
            .verify(crate::keys::HashAlg::Sha256, signed.as_bytes(), &sig)
    });
    if !verified {
        return Err(fail(invalid(
            "isv.invalid-signature",
            &format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{signed:?}"
            ),
        )));
    }
    Ok(app)
}

fn dispatch(
    shared: &Shared,
    app: &AlipayApp,
    path: &str,
    path_query: &str,
    body: &str,
) -> Result<Map<String, Value>, Failure> {
    let mut params: Vec<(String, String)> = path_query
        .split_once('?')
        .map(|(_, q)| form::utf8_pairs(q.as_bytes()))
        .unwrap_or_default();
    if !body.trim().is_empty() {
        let Ok(Value::Object(json)) = serde_json::from_str::<Value>(body) else {
            return Err(invalid("isv.invalid-parameter", "请求体不是 JSON 对象"));
        };
        for (k, v) in json {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            params.push((k, text));
        }
    }
    match path {
        PATH_OAUTH_TOKEN => super::token_node(shared, app, &params),
        PATH_USER_INFO => super::user_info_node(shared, app, &params).map(|mut node| {
            // v3 carries no gateway status in a success.
            node.remove("code");
            node.remove("msg");
            node
        }),
        _ => Err(invalid("isv.invalid-method", "不存在的方法名")),
    }
}

/// HTTP status and `{code, message, links}` of a failure.
fn error_body(failure: &Failure) -> (StatusCode, Value) {
    let code = failure
        .sub_code
        .split_once('.')
        .map_or(failure.sub_code, |(_, rest)| rest);
    let status = match (failure.code, code) {
        (_, "invalid-method") => StatusCode::NOT_FOUND,
        ("20001", _) | (_, "invalid-signature" | "missing-signature" | "invalid-app-id") => {
            StatusCode::UNAUTHORIZED
        }
        ("20000", _) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({
        "code": code,
        "message": failure.sub_msg,
        "links": [{"link": ERROR_DOC, "desc": "OpenAPI v3 错误码"}],
    });
    (status, body)
}

fn answer(shared: &Shared, status: StatusCode, body: &Value, cert_sn: Option<&str>) -> Response {
    let text = body.to_string();
    let ms = shared.clock.unix() * 1000;
    let hex = random_hex(16);
    let nonce = v3::nonce_from(hex.as_bytes());
    let signed = v3::sign_response(&text, &shared.cast.alipay_key, &nonce, ms, cert_sn);
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    for (name, value) in signed {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.insert(name, value);
        }
    }
    if let Ok(trace) = HeaderValue::try_from(random_hex(16)) {
        headers.insert("alipay-trace-id", trace);
    }
    response
}
