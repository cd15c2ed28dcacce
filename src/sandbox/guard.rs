//! What stands in front of every handler: the Host check (DNS rebinding), the refusal of
//! cross-origin POSTs, the per-run token of the control API, and the access log.
//!
//! ```text
//!  request ─▶ Host allowed? ── no ─▶ 421
//!               │ POST with a foreign Origin? ── yes ─▶ 403
//!               │ /__sandbox/… (not the callback page) without the token? ── yes ─▶ 401
//!               │ control POST that is not application/json? ── yes ─▶ 415
//!               ▼ handler ─▶ one access-log line (query secrets masked), when logging
//! ```

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{CALLBACK_PATH, CONTROL_PATH, Shared, TOKEN_HEADER};

/// The host part of a `Host` header value (`127.0.0.1:8080`, `[::1]:80`, `localhost`), lowercase.
pub(crate) fn host_name(value: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://{value}/")).ok()?;
    if url.path() != "/" || url.username() != "" || url.query().is_some() {
        return None;
    }
    url.host_str().map(str::to_ascii_lowercase)
}

fn ip_of(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn is_localhost(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost")
}

/// Whether a request naming `host` may be served. A name that could be an attacker's DNS name
/// pointing at this machine is refused (DNS rebinding); IP literals cannot be rebound.
/// - bound to loopback: `localhost` and loopback addresses;
/// - bound to one address: that address, plus `localhost` and loopback;
/// - bound to every interface (a phone on the LAN): any IP literal and `localhost`.
pub(crate) fn host_allowed(bind: SocketAddr, host: &str) -> bool {
    if is_localhost(host) {
        return true;
    }
    let Some(ip) = ip_of(host) else {
        return false;
    };
    let bound = bind.ip();
    ip.is_loopback() || bound.is_unspecified() || ip == bound
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

/// Compare in time that does not depend on where the first difference is.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token a request carries, in [`TOKEN_HEADER`] or as `Authorization: Bearer …`.
fn token_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(v.trim());
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Whether a path is the token-guarded control API (the callback page is not: a browser lands
/// there from the redirect).
pub(crate) fn is_control(path: &str) -> bool {
    (path == CONTROL_PATH || path.starts_with("/__sandbox/")) && path != CALLBACK_PATH
}

/// The checks of the module doc, then the handler, then the access-log line.
pub(crate) async fn guard(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), ToString::to_string);
    let response = match check(&shared, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    };
    if shared.log_requests {
        log_line(client, &method, &target, &response, started);
    }
    response
}

fn check(shared: &Shared, request: &Request) -> Option<Response> {
    let headers = request.headers();
    let host_header = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(ToString::to_string));
    let Some(host_header) = host_header else {
        return Some(refuse(StatusCode::BAD_REQUEST, "a Host header is required"));
    };
    if !host_name(&host_header).is_some_and(|h| host_allowed(shared.bind, &h)) {
        return Some(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "this sandbox does not serve that Host: use its address (as in sandbox.json), \
             localhost, or an IP address of this machine",
        ));
    }
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method
        && let Some(origin) = headers.get(header::ORIGIN)
        && origin.as_bytes() != format!("http://{host_header}").as_bytes()
    {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "cross-origin request refused: only the sandbox's own pages may post to it",
        ));
    }
    let path = request.uri().path();
    if is_control(path) {
        if !token_of(headers)
            .is_some_and(|t| same_secret(t.as_bytes(), shared.manifest.token.as_bytes()))
        {
            return Some(refuse(
                StatusCode::UNAUTHORIZED,
                &format!(
                    "the control API needs this sandbox's token: send the `token` of its \
                     sandbox.json in a {TOKEN_HEADER} header (or Authorization: Bearer …)"
                ),
            ));
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if *request.method() == Method::POST && !json {
            return Some(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "control API posts must be JSON: send Content-Type: application/json",
            ));
        }
    }
    None
}

/// One event per request, a line in the standalone sandbox's log (stderr and its log file):
/// client, method, path (query secrets masked), status, duration.
fn log_line(
    client: Option<SocketAddr>,
    method: &Method,
    target: &str,
    response: &Response,
    started: Instant,
) {
    let client = client.map_or_else(|| "-".to_owned(), |c| c.to_string());
    let target = crate::redact::redact_query(target);
    let target: String = target
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis();
    tracing::info!(
        target: super::ACCESS_LOG_TARGET,
        "{client} {method} {target} {status} {ms}ms"
    );
}
