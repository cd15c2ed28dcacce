//! The Alipay steps over OpenAPI v3: the same token and user-info steps as `gateway.do`, signed
//! in an `Authorization` header and answered as plain JSON signed in response headers.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::{
    AlipayApp, AppSigning, Context, Exchange, ExchangeOutcome, FlowError, RawResponse, StepKind,
};
use crate::finding::{Finding, Severity, Text};
use crate::provider::alipay::v3::{self, PATH_OAUTH_TOKEN, PATH_USER_INFO, V3Call, V3Cert};
use crate::provider::alipay::{ApiStatus, OauthToken, Outcome, UserInfo};
use crate::provider::{HttpMethod, PreparedRequest};

/// The v3 base (`https://openapi.alipay.com`): the gateway URL without `/gateway.do`.
fn base(app: &AlipayApp) -> &str {
    app.gateway_url
        .strip_suffix(crate::provider::alipay::GATEWAY_PATH)
        .unwrap_or(&app.gateway_url)
}

pub(super) fn request(
    app: &AlipayApp,
    ctx: &Context,
    step: StepKind,
    now: OffsetDateTime,
) -> Result<PreparedRequest, FlowError> {
    let (path_query, body, seed) = match step {
        StepKind::Token => {
            let code = ctx.code.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "an auth_code",
                fix: "approve the authorize page first, or pass --code",
            })?;
            let body = json!({"grant_type": "authorization_code", "code": code.value});
            (
                PATH_OAUTH_TOKEN.to_owned(),
                body.to_string(),
                code.value.clone(),
            )
        }
        StepKind::Refresh => {
            let token = ctx.refresh_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a refresh_token",
                fix: "run the token step first, or pass --refresh-token",
            })?;
            let body = json!({"grant_type": "refresh_token", "refresh_token": token.value});
            (
                PATH_OAUTH_TOKEN.to_owned(),
                body.to_string(),
                token.value.clone(),
            )
        }
        StepKind::UserInfo => {
            let token = ctx.access_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "an access token (auth_token)",
                fix: "run the token step first, or pass --access-token",
            })?;
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("auth_token", &token.value)
                .finish();
            (
                format!("{PATH_USER_INFO}?{query}"),
                String::new(),
                token.value.clone(),
            )
        }
        _ => {
            return Err(FlowError::MissingInput {
                step,
                what: "an HTTP request",
                fix: "this step has none in an Alipay login",
            });
        }
    };
    let call = V3Call {
        method: HttpMethod::Post,
        path_query,
        body,
    };
    let cert = match &app.signing {
        AppSigning::Key => None,
        AppSigning::Cert(c) => Some(V3Cert {
            app_cert_sn: &c.app_cert_sn,
            root_cert_sn: &c.root_cert_sn,
        }),
    };
    let nanos = now.unix_timestamp_nanos();
    let nonce = v3::nonce_from(format!("{}|{step:?}|{seed}|{nanos}", app.app_id).as_bytes());
    let ms = i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX);
    let mut prepared = v3::prepare(
        base(app),
        &app.app_id,
        &call,
        &app.private_key,
        cert,
        &nonce,
        ms,
    );
    if let (AppSigning::Cert(certs), Some(trace)) = (&app.signing, prepared.signing.as_mut()) {
        trace.cert_sns.clone_from(&certs.traces);
    }
    Ok(prepared)
}

pub(super) fn interpret(
    app: &AlipayApp,
    ctx: &mut Context,
    ex: &mut Exchange,
    response: &RawResponse,
    now: OffsetDateTime,
) {
    let key = match &app.signing {
        AppSigning::Key => &app.alipay_public_key,
        AppSigning::Cert(certs) => match certs.pick(v3::response_sn(&response.headers)) {
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
    let verification = v3::verify_response(response.status, &response.headers, &response.body, key);
    let outcome = verification.outcome;
    let reason = verification.reason.clone();
    ex.verification = Some(verification);

    let Ok(Value::Object(raw)) = serde_json::from_slice::<Value>(&response.body) else {
        ex.findings.push(Finding::new(
            Severity::Error,
            "alipay.bad-response",
            Text::with("flow.alipay.v3-not-json", &[("status", &response.status)]),
        ));
        ex.outcome = ExchangeOutcome::Failed;
        return;
    };
    ex.decoded = Some(Value::Object(raw.clone()));
    let ok = response.status < 300;
    let status = if ok {
        ApiStatus::default()
    } else {
        error_status(&raw)
    };
    if ok && outcome.is_verified() {
        match ex.step {
            StepKind::UserInfo => {
                if let Ok(info) = serde_json::from_value::<UserInfo>(Value::Object(raw.clone())) {
                    ctx.user_id = info.user_id.clone().or(ctx.user_id.take());
                    ctx.open_id = info.open_id.clone().or(ctx.open_id.take());
                    ctx.profile = Some(raw);
                }
            }
            _ => {
                if let Ok(token) = serde_json::from_value::<OauthToken>(Value::Object(raw)) {
                    super::alipay::remember_tokens(ctx, &token, now);
                }
            }
        }
    }
    ex.outcome = if !ok {
        ex.findings.push(super::alipay::rejection(&status));
        ExchangeOutcome::Rejected
    } else if outcome.is_verified() {
        ExchangeOutcome::Ok
    } else {
        ExchangeOutcome::BadSignature
    };
    if !outcome.is_verified() && (outcome == Outcome::Mismatch || ok) {
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

/// A v3 error body `{code, message, links}` as the gateway status a v2 answer would carry:
/// the v3 `code` in `code`, its `message` in `msg`.
fn error_status(raw: &Map<String, Value>) -> ApiStatus {
    let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_owned);
    ApiStatus {
        code: text("code").or_else(|| Some("unknown".to_owned())),
        msg: text("message"),
        sub_code: None,
        sub_msg: None,
    }
}
