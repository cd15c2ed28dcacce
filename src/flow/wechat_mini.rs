//! The WeChat mini program's steps: `jscode2session`, the decryption of the button's
//! `encryptedData` (the doctor names the cause when it fails), the app's stable token and the
//! phone number.

use time::OffsetDateTime;

use super::{Context, Exchange, ExchangeOutcome, FlowError, StepKind, Timed, WechatApp, expiry};
use crate::finding::{Finding, Severity, Text};
use crate::provider::PreparedRequest;
use crate::provider::wechat::doctor::{self, DecryptInput};
use crate::provider::wechat::mini;

/// The bundle parameter the phone button's code travels in (beside `code`, `encryptedData`,
/// `iv`, `rawData`, `signature`).
pub const PHONE_CODE_PARAM: &str = "phone_code";

fn param<'a>(ctx: &'a Context, name: &str) -> Option<&'a str> {
    ctx.callback_params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn request(
    app: &WechatApp,
    ctx: &Context,
    step: StepKind,
) -> Result<PreparedRequest, FlowError> {
    Ok(match step {
        StepKind::Token => {
            let code = ctx.code.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a wx.login code",
                fix: "run wx.login in the mini program first, or pass --code",
            })?;
            mini::jscode2session_request(&app.api_base, &app.appid, &app.secret, &code.value)
        }
        StepKind::AppToken => mini::stable_token_request(&app.api_base, &app.appid, &app.secret),
        StepKind::PhoneNumber => {
            let token = ctx.app_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "the app's access token",
                fix: "run the app-token step first",
            })?;
            let code = param(ctx, PHONE_CODE_PARAM).ok_or(FlowError::MissingInput {
                step,
                what: "a phone code",
                fix: "paste the phone button's code as phone_code=… with the wx.login code",
            })?;
            mini::phone_number_request(&app.api_base, &token.value, code)
        }
        _ => {
            return Err(FlowError::MissingInput {
                step,
                what: "an HTTP request",
                fix: "this step has none in a mini program login",
            });
        }
    })
}

/// A successful answer of a mini program step: keep what it says.
pub(super) fn interpret(
    ctx: &mut Context,
    ex: &mut Exchange,
    json: &serde_json::Value,
    now: OffsetDateTime,
) {
    let shape = |ex: &mut Exchange, e: &serde_json::Error| {
        ex.findings.push(Finding::new(
            Severity::Error,
            "wechat.bad-response",
            Text::with("flow.wechat.bad-shape", &[("error", e)]),
        ));
        ex.outcome = ExchangeOutcome::Failed;
    };
    match ex.step {
        StepKind::Token => match serde_json::from_value::<mini::Session>(json.clone()) {
            Ok(session) => {
                ctx.session_key = Some(Timed {
                    value: session.session_key,
                    obtained: now,
                    expires: None,
                });
                ctx.open_id = Some(session.openid);
                ctx.union_id = session.unionid.or(ctx.union_id.take());
                if ctx.union_id.is_none() {
                    ex.findings.push(
                        Finding::new(
                            Severity::Info,
                            "wechat.no-unionid",
                            Text::key("flow.wechat-mini.no-unionid"),
                        )
                        .fix(Text::key("flow.wechat-mini.no-unionid.fix")),
                    );
                }
                ex.outcome = ExchangeOutcome::Ok;
            }
            Err(e) => shape(ex, &e),
        },
        StepKind::AppToken => {
            if let Some(token) = json.get("access_token").and_then(serde_json::Value::as_str) {
                ctx.app_token = Some(Timed {
                    value: token.to_owned(),
                    obtained: now,
                    expires: expiry(
                        now,
                        json.get("expires_in").and_then(serde_json::Value::as_i64),
                    ),
                });
                ex.outcome = ExchangeOutcome::Ok;
            } else {
                ex.findings.push(Finding::new(
                    Severity::Error,
                    "wechat.bad-response",
                    Text::with("flow.wechat.bad-shape", &[("error", &"no access_token")]),
                ));
                ex.outcome = ExchangeOutcome::Failed;
            }
        }
        StepKind::PhoneNumber => {
            let info = json.get("phone_info").cloned().unwrap_or_default();
            match serde_json::from_value::<mini::PhoneInfo>(info.clone()) {
                Ok(_) => {
                    let profile = ctx.profile.get_or_insert_with(serde_json::Map::new);
                    for key in ["phoneNumber", "purePhoneNumber", "countryCode"] {
                        if let Some(v) = info.get(key) {
                            profile.insert(key.to_owned(), v.clone());
                        }
                    }
                    ex.outcome = ExchangeOutcome::Ok;
                }
                Err(e) => shape(ex, &e),
            }
        }
        _ => ex.outcome = ExchangeOutcome::Ok,
    }
}

/// The decryption step: the doctor over the bundle's `encryptedData` and `iv` with the
/// session key. Its findings go to `notes`; true when it decrypted and every check passed.
pub(super) fn decrypt(
    app: &WechatApp,
    ctx: &mut Context,
    notes: &mut Vec<Finding>,
    now: OffsetDateTime,
) -> bool {
    let missing = |what: &str| {
        Finding::new(
            Severity::Error,
            crate::finding::codes::FLOW_MISSING_INPUT,
            Text::with("flow.wechat-mini.missing", &[("what", &what)]),
        )
    };
    let Some(key) = ctx.session_key.as_ref().map(|k| k.value.clone()) else {
        notes.push(missing("session_key"));
        return false;
    };
    let (Some(data), Some(iv)) = (param(ctx, "encryptedData"), param(ctx, "iv")) else {
        notes.push(missing("encryptedData, iv"));
        return false;
    };
    let report = doctor::diagnose(&DecryptInput {
        session_key: &key,
        iv,
        encrypted_data: data,
        appid: Some(&app.appid),
        now: Some(now.unix_timestamp()),
        max_age: doctor::WATERMARK_MAX_AGE,
    });
    // The button's signature says whether this key was current when the data was made.
    let report = match (param(ctx, "rawData"), param(ctx, "signature")) {
        (Some(raw), Some(signature)) => report.with_signature(raw, signature, &key),
        _ => report,
    };
    notes.extend(report.findings());
    let ok = report.ok();
    if let Some(serde_json::Value::Object(plain)) = &report.plaintext {
        let profile = ctx.profile.get_or_insert_with(serde_json::Map::new);
        for (k, v) in plain {
            if k != "watermark" {
                profile.insert(k.clone(), v.clone());
            }
        }
        if let Some(union) = plain.get("unionId").and_then(serde_json::Value::as_str) {
            ctx.union_id.get_or_insert_with(|| union.to_owned());
        }
    }
    ctx.decryption = Some(report);
    ok
}
