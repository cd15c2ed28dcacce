//! The Alipay steps: the authorize URL, the signed gateway calls, and what their responses mean
//! for the walk.

use serde_json::Value;
use time::OffsetDateTime;
use time::macros::{format_description, offset};

use super::{
    AlipayApp, AppSigning, CallbackParts, Context, Exchange, ExchangeOutcome, FlowError,
    RawResponse, StepKind, Timed, expiry,
};
use crate::finding::{Finding, Severity, Text};
use crate::provider::PreparedRequest;
use crate::provider::alipay::{
    self, ApiStatus, AuthorizeRequest, DecodeError, Decoded, GatewayCall, OauthToken, Outcome,
    UserInfo,
};

pub(super) fn authorize_url(app: &AlipayApp, state: &str) -> String {
    // An ISV logs the member in to the merchant's app: the page is the merchant's.
    let app_id = app.isv.as_ref().map_or(&app.app_id, |d| &d.merchant_app_id);
    alipay::authorize_url(
        &app.authorize_url,
        &AuthorizeRequest {
            app_id: app_id.clone(),
            scope: app.scope.as_str().to_owned(),
            redirect_uri: app.redirect_uri.clone(),
            state: Some(state.to_owned()),
        },
    )
}

/// (code, state, every parameter) from a pasted callback or a bare code.
pub(super) fn parse_callback(input: &str) -> Result<CallbackParts, FlowError> {
    let cb = alipay::parse_callback(input).map_err(|e| FlowError::Callback(e.to_string()))?;
    let code = cb
        .auth_code
        .clone()
        .expect("parse_callback guarantees an auth_code");
    let mut params = Vec::new();
    for (k, v) in [
        ("auth_code", &cb.auth_code),
        ("app_id", &cb.app_id),
        ("scope", &cb.scope),
        ("source", &cb.source),
        ("state", &cb.state),
    ] {
        if let Some(v) = v {
            params.push((k.to_owned(), v.clone()));
        }
    }
    params.extend(cb.extra);
    Ok(CallbackParts {
        code,
        state: cb.state,
        params,
    })
}

pub(super) fn request(
    app: &AlipayApp,
    ctx: &Context,
    step: StepKind,
    now: OffsetDateTime,
) -> Result<PreparedRequest, FlowError> {
    let new = |method| GatewayCall::new(method, &app.app_id, app.sign_type, app.charset, now);
    let call = match step {
        StepKind::Token => {
            let code = ctx.code.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "an auth_code",
                fix: "approve the authorize page first, or pass --code",
            })?;
            new(alipay::METHOD_OAUTH_TOKEN)
                .param("grant_type", "authorization_code")
                .param("code", &code.value)
        }
        StepKind::Refresh => {
            let token = ctx.refresh_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a refresh_token",
                fix: "run the token step first, or pass --refresh-token",
            })?;
            new(alipay::METHOD_OAUTH_TOKEN)
                .param("grant_type", "refresh_token")
                .param("refresh_token", &token.value)
        }
        StepKind::UserInfo => {
            let token = ctx.access_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "an access token (auth_token)",
                fix: "run the token step first, or pass --access-token",
            })?;
            new(alipay::METHOD_USER_INFO).param("auth_token", &token.value)
        }
        StepKind::PhoneNumber => return super::phone::request(app, ctx),
        StepKind::AppAuth => {
            let delegation = app.isv.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a merchant's app_auth_code",
                fix: "walk the sandbox's ISV pair (authwalk run alipay-isv)",
            })?;
            let biz = serde_json::json!({
                "grant_type": "authorization_code",
                "code": delegation.app_auth_code,
            });
            new(METHOD_APP_AUTH_TOKEN).param("biz_content", &biz.to_string())
        }
        _ => {
            return Err(FlowError::MissingInput {
                step,
                what: "an HTTP request",
                fix: "this step has none in an Alipay login",
            });
        }
    };
    // Every call after the app-auth step carries the merchant's app_auth_token, unless the
    // walk repeats the classic mistake on purpose (`isv-missing-app-auth-token`).
    let call = match (&ctx.app_auth_token, step) {
        (Some(token), StepKind::Token | StepKind::Refresh | StepKind::UserInfo)
            if !ctx.tutorial_mixup =>
        {
            call.param("app_auth_token", &token.value)
        }
        _ => call,
    };
    let call = match &app.signing {
        AppSigning::Key => call,
        AppSigning::Cert(certs) => call
            .param("app_cert_sn", &certs.app_cert_sn)
            .param("alipay_root_cert_sn", &certs.root_cert_sn),
    };
    let mut prepared = alipay::prepare(&app.gateway_url, &call, &app.private_key)
        .map_err(|e| FlowError::Callback(format!("cannot sign the request: {e}")))?;
    if let (AppSigning::Cert(certs), Some(trace)) = (&app.signing, prepared.signing.as_mut()) {
        trace.cert_sns.clone_from(&certs.traces);
    }
    Ok(prepared)
}

/// `alipay.open.auth.token.app`: a merchant's `app_auth_code` → the ISV's `app_auth_token`.
pub const METHOD_APP_AUTH_TOKEN: &str = "alipay.open.auth.token.app";

fn method_of(step: StepKind) -> &'static str {
    match step {
        StepKind::UserInfo => alipay::METHOD_USER_INFO,
        StepKind::AppAuth => METHOD_APP_AUTH_TOKEN,
        _ => alipay::METHOD_OAUTH_TOKEN,
    }
}

pub(super) fn interpret(
    app: &AlipayApp,
    ctx: &mut Context,
    ex: &mut Exchange,
    response: &RawResponse,
    now: OffsetDateTime,
) {
    let method = method_of(ex.step);
    if response.status != 200 {
        ex.findings.push(
            Finding::new(
                Severity::Error,
                "transport.http-status",
                Text::with(
                    "flow.alipay.the-gateway-answered-http",
                    &[("status", &response.status)],
                ),
            )
            .explanation(Text::key("flow.alipay.alipay-s-gateway-answers-200")),
        );
    }
    let key = match &app.signing {
        AppSigning::Key => &app.alipay_public_key,
        AppSigning::Cert(certs) => match certs.pick(response_cert_sn(&response.body).as_deref()) {
            Ok(key) => key,
            Err((why, first)) => {
                ex.findings.push(
                    Finding::new(
                        Severity::Warning,
                        "alipay.alipay-cert-sn",
                        Text::with("flow.alipay.alipay-cert-sn", &[("why", &why)]),
                    )
                    .fix(Text::key("flow.alipay.alipay-cert-sn-fix")),
                );
                first
            }
        },
    };
    let verification = alipay::verify_response(
        &response.body,
        Some(method),
        app.sign_type,
        app.charset,
        key,
    );
    let outcome = verification.outcome;
    let reason = verification.reason.clone();
    ex.verification = Some(verification);

    let status = decode_status(app, ctx, ex, response, method, outcome.is_verified(), now);
    let Some(status) = status else {
        ex.outcome = ExchangeOutcome::Failed;
        return;
    };
    ex.outcome = if !status.is_success() {
        ex.findings.push(rejection(&status));
        if let Some(missing) = app_auth_token_missing(app, ex) {
            ex.findings.push(missing);
        }
        if let Some(evicted) = status.sub_msg.as_deref().and_then(super::code_evicted) {
            ex.findings.push(evicted);
        }
        ExchangeOutcome::Rejected
    } else if outcome.is_verified() {
        ExchangeOutcome::Ok
    } else {
        ExchangeOutcome::BadSignature
    };
    if !outcome.is_verified() && (outcome == Outcome::Mismatch || status.is_success()) {
        ex.findings.push(
            Finding::new(
                Severity::Error,
                if outcome == Outcome::Mismatch {
                    "alipay.signature-mismatch"
                } else {
                    "alipay.unsigned-success"
                },
                Text::with(
                    if outcome == Outcome::Mismatch {
                        "flow.alipay.signature-mismatch"
                    } else {
                        "flow.alipay.unsigned-success"
                    },
                    &[("outcome", &outcome.label()), ("reason", &reason)],
                ),
            )
            .fix(Text::key("flow.alipay.use-the-alipay-public-key")),
        );
    }
}

/// Decode the step's node and, on a verified success, keep what it gives the walk; the node's
/// status, or `None` when there is nothing to decode.
fn decode_status(
    app: &AlipayApp,
    ctx: &mut Context,
    ex: &mut Exchange,
    response: &RawResponse,
    method: &str,
    verified: bool,
    now: OffsetDateTime,
) -> Option<ApiStatus> {
    match ex.step {
        StepKind::AppAuth => decode::<Value>(ex, response, app, method).map(|d| {
            let status: ApiStatus =
                serde_json::from_value(Value::Object(d.raw.clone())).unwrap_or_default();
            if status.is_success() && verified && response.status == 200 {
                remember_app_auth_token(ctx, &d.raw, now);
            }
            status
        }),
        StepKind::UserInfo => decode::<UserInfo>(ex, response, app, method).map(|d| {
            let status = d.value.status.clone();
            if status.is_success() && verified && response.status == 200 {
                ctx.user_id = d.value.user_id.clone().or(ctx.user_id.take());
                ctx.open_id = d.value.open_id.clone().or(ctx.open_id.take());
                ctx.profile = Some(d.raw);
            }
            status
        }),
        _ => decode::<OauthToken>(ex, response, app, method).map(|d| {
            let status = d.value.status.clone();
            if status.is_success() && verified && response.status == 200 {
                remember_tokens(ctx, &d.value, now);
                ex.findings.extend(expected_id(app, &d.value));
            }
            status
        }),
    }
}

/// The top-level `alipay_cert_sn` of a gateway body, if it is JSON and has one.
fn response_cert_sn(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    json.get("alipay_cert_sn")?.as_str().map(str::to_owned)
}

/// Decode the node, recording the decoded JSON or a finding; `None` when there is nothing to
/// decode.
fn decode<T: serde::de::DeserializeOwned>(
    ex: &mut Exchange,
    response: &RawResponse,
    app: &AlipayApp,
    method: &str,
) -> Option<Decoded<T>> {
    match alipay::decode::<T>(&response.body, method, app.charset) {
        Ok(d) => {
            ex.decoded = Some(Value::Object(d.raw.clone()));
            Some(d)
        }
        Err(e) => {
            let key = match &e {
                DecodeError::NotJson(_) => "flow.alipay.not-json",
                DecodeError::Charset(_) => "flow.alipay.charset",
                DecodeError::NoNode { .. } => "flow.alipay.no-node",
                DecodeError::Shape { .. } => "flow.alipay.shape",
            };
            ex.findings.push(Finding::new(
                Severity::Error,
                "alipay.bad-response",
                Text::with(key, &[("error", &e)]),
            ));
            None
        }
    }
}

pub(super) fn remember_tokens(ctx: &mut Context, token: &OauthToken, now: OffsetDateTime) {
    let start = token
        .auth_start
        .as_deref()
        .and_then(parse_china_time)
        .unwrap_or(now);
    if let Some(access) = &token.access_token {
        ctx.access_token = Some(Timed {
            value: access.clone(),
            obtained: now,
            expires: expiry(start, token.expires_in.map(|l| l.0)),
        });
    }
    if let Some(refresh) = &token.refresh_token {
        ctx.refresh_token = Some(Timed {
            value: refresh.clone(),
            obtained: now,
            expires: expiry(now, token.re_expires_in.map(|l| l.0)),
        });
    }
    ctx.user_id = token.user_id.clone().or(ctx.user_id.take());
    ctx.open_id = token.open_id.clone().or(ctx.open_id.take());
    ctx.union_id = token.union_id.clone().or(ctx.union_id.take());
    if let Some(scope) = ctx.callback_params.iter().find(|(k, _)| k == "scope") {
        ctx.scope = Some(scope.1.clone());
    }
}

/// `yyyy-MM-dd HH:mm:ss` in China time.
fn parse_china_time(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text.trim(), format)
        .ok()
        .map(|t| t.assume_offset(offset!(+8)))
}

/// The provider's own words for a rejection; the catalog adds meaning, causes and fixes.
pub(super) fn rejection(status: &ApiStatus) -> Finding {
    let code = status
        .sub_code
        .as_deref()
        .filter(|s| !s.is_empty())
        .or(status.code.as_deref())
        .unwrap_or("unknown");
    let msg = [
        status.code.as_deref(),
        status.msg.as_deref(),
        status.sub_code.as_deref(),
        status.sub_msg.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ");
    Finding::new(
        Severity::Error,
        format!("alipay.{code}"),
        Text::with("flow.alipay.alipay-rejected-the-call", &[("msg", &msg)]),
    )
}

/// A token answer without the id the app was expected to get (a profile's `id_mode`): why, and
/// what to key users on instead. No expectation, or the id there: nothing to say.
fn expected_id(app: &AlipayApp, token: &OauthToken) -> Option<Finding> {
    let expected = app.id_mode?;
    let (code, key) =
        if expected.has_user_id() && token.user_id.is_none() && token.open_id.is_some() {
            ("alipay.identity.no-user-id", "flow.alipay.no-user-id")
        } else if expected.has_open_id() && token.open_id.is_none() && token.user_id.is_some() {
            ("alipay.identity.no-open-id", "flow.alipay.no-open-id")
        } else {
            return None;
        };
    Some(
        Finding::new(
            Severity::Warning,
            code,
            Text::with(key, &[("id_mode", &expected.as_str())]),
        )
        .explanation(Text::key(&format!("{key}-why")))
        .fix(Text::key(&format!("{key}-fix"))),
    )
}

/// The `app_auth_token` of `alipay.open.auth.token.app`'s answer: in `tokens[0]` since 2020,
/// at the top of the node before (smartwalle/alipay PR #107 follows the change).
fn remember_app_auth_token(
    ctx: &mut Context,
    node: &serde_json::Map<String, Value>,
    now: OffsetDateTime,
) {
    let entry = node
        .get("tokens")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_object)
        .unwrap_or(node);
    if let Some(token) = entry.get("app_auth_token").and_then(Value::as_str) {
        ctx.app_auth_token = Some(Timed {
            value: token.to_owned(),
            obtained: now,
            expires: expiry(now, entry.get("expires_in").and_then(Value::as_i64)),
        });
    }
}

/// An ISV walk's call for the merchant rejected while it carried no `app_auth_token`: the code
/// or token is the merchant app's, and without the token the gateway reads the call as the
/// ISV's own.
fn app_auth_token_missing(app: &AlipayApp, ex: &Exchange) -> Option<Finding> {
    let delegation = app.isv.as_ref()?;
    if !matches!(
        ex.step,
        StepKind::Token | StepKind::Refresh | StepKind::UserInfo
    ) {
        return None;
    }
    let body = String::from_utf8_lossy(&ex.request.body);
    let sent = ex.request.url.contains("app_auth_token=") || body.contains("app_auth_token=");
    (!sent).then(|| {
        Finding::new(
            Severity::Error,
            "alipay.isv.app-auth-token-missing",
            Text::with(
                "flow.alipay.isv-app-auth-token-missing",
                &[
                    ("merchant", &delegation.merchant_app_id),
                    ("isv", &app.app_id),
                ],
            ),
        )
        .explanation(Text::key("flow.alipay.isv-app-auth-token-missing-why"))
        .fix(Text::key("flow.alipay.isv-app-auth-token-missing-fix"))
    })
}
