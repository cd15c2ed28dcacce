//! The sandbox's own API under `/__sandbox`: the manifest, the movable clock, fault injection,
//! scenario presets, and the callback page the demo apps redirect to.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::scenario::{Scenario, scenario_names};
use super::state::{Fault, FaultKind, Provider};
use super::{CALLBACK_PATH, Shared, form, pages};
use crate::provider::alipay::format_timestamp;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__sandbox", get(manifest))
        .route("/__sandbox/clock", get(clock))
        .route("/__sandbox/clock/advance", post(advance))
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/__sandbox/scenario",
            get(current_scenario).post(set_scenario),
        )
        .route("/__sandbox/scenarios", get(list_scenarios))
        .route("/__sandbox/stats", get(stats))
        .route(CALLBACK_PATH, get(callback))
        .route("/__sandbox/callbacks", get(await_callback))
        .route("/__sandbox/callback-log", get(callback_log))
}

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

async fn manifest(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.manifest.clone()).into_response()
}

fn clock_json(shared: &Shared) -> serde_json::Value {
    json!({
        "unix": shared.clock.unix(),
        "offset_seconds": shared.clock.offset(),
        "alipay_timestamp": format_timestamp(shared.clock.now()),
    })
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    Json(clock_json(&shared)).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let Ok(Advance { seconds }) = serde_json::from_slice(&body) else {
        return bad_request("send JSON {\"seconds\": N}");
    };
    shared.clock.advance(seconds);
    tracing::info!(seconds, "sandbox clock advanced");
    Json(clock_json(&shared)).into_response()
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({"faults": shared.faults.list()})).into_response()
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let fault: Fault = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => {
            return bad_request(format!(
                "bad fault ({e}); send {{\"provider\":\"alipay|wechat\",\"method\":\"…\",\
                 \"fault\":\"service-unavailable|slow|tampered-signature|html-502|truncated\",\
                 \"count\":1}}"
            ));
        }
    };
    if fault.provider == Provider::Wechat && fault.fault == FaultKind::TamperedSignature {
        return bad_request("WeChat responses carry no signature to tamper with");
    }
    tracing::info!(?fault, "fault armed");
    if let Err(reason) = shared.faults.add(fault) {
        return bad_request(reason.to_string());
    }
    Json(json!({"faults": shared.faults.list()})).into_response()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults.clear();
    Json(json!({"faults": []})).into_response()
}

#[derive(Deserialize)]
struct ScenarioName {
    name: String,
}

async fn set_scenario(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let Ok(ScenarioName { name }) = serde_json::from_slice(&body) else {
        return bad_request("send JSON {\"name\": \"…\"}");
    };
    match Scenario::named(&name) {
        Ok(scenario) => {
            shared.apply_scenario(scenario.clone());
            Json(scenario).into_response()
        }
        Err(e) => bad_request(e.to_string()),
    }
}

async fn current_scenario(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({"scenario": shared.scenario()})).into_response()
}

async fn list_scenarios() -> Response {
    let list: Vec<_> = scenario_names()
        .into_iter()
        .filter_map(|n| Scenario::named(n).ok())
        .collect();
    Json(json!({"scenarios": list})).into_response()
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({
        "alipay_held": shared.alipay.held(),
        "wechat_held": shared.wechat.held(),
    }))
    .into_response()
}

async fn callback(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let pairs = form::utf8_pairs(query.as_bytes());
    // The address as the browser asked for it (a phone's LAN address in phone mode).
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| shared.bind.to_string(), str::to_owned);
    let state = pairs
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone());
    let url = if query.is_empty() {
        format!("http://{host}{CALLBACK_PATH}")
    } else {
        format!("http://{host}{CALLBACK_PATH}?{query}")
    };
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let at_ms =
        i64::try_from(shared.clock.now().unix_timestamp_nanos() / 1_000_000).unwrap_or_default();
    shared.callbacks.record_at(url, state, at_ms, user_agent);
    Html(pages::callback(&pairs)).into_response()
}

#[derive(Deserialize)]
struct AwaitCallback {
    state: String,
    #[serde(default)]
    wait_ms: u64,
}

#[derive(Deserialize)]
struct LogQuery {
    state: String,
}

/// Every hit on the callback carrying `state`, with its time and user agent: the timeline.
async fn callback_log(
    State(shared): State<Arc<Shared>>,
    axum::extract::Query(q): axum::extract::Query<LogQuery>,
) -> Response {
    Json(json!({ "hits": shared.callbacks.logged(&q.state) })).into_response()
}

/// The long poll of [`super::callbacks`]: the first callback carrying `state`, or `204`.
async fn await_callback(
    State(shared): State<Arc<Shared>>,
    axum::extract::Query(q): axum::extract::Query<AwaitCallback>,
) -> Response {
    let wait = std::time::Duration::from_millis(q.wait_ms);
    match shared.callbacks.wait_for(&q.state, wait).await {
        Some(url) => Json(json!({ "url": url })).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
