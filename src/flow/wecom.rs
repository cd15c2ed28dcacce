//! The WeCom (企业微信) steps: the corp token, the authorize URL with `agentid`, the visitor's
//! identity from the code, and a member's sensitive fields from the `user_ticket`. Errors are
//! read by the WeChat interpreter (the same `errcode`/`errmsg` answers); this module reads the
//! successful ones.

use serde_json::Value;
use time::OffsetDateTime;

use super::{Context, Exchange, ExchangeOutcome, FlowError, StepKind, Timed, WechatApp, expiry};
use crate::finding::{Finding, Severity, Text};
use crate::provider::PreparedRequest;
use crate::provider::{wechat, wecom};

pub(super) fn authorize_url(app: &WechatApp, state: &str) -> String {
    wecom::authorize_url(
        &app.open_base,
        &app.appid,
        &app.redirect_uri,
        app.scope.as_str(),
        state,
        app.agentid.as_deref().unwrap_or_default(),
    )
}

pub(super) fn request(
    app: &WechatApp,
    ctx: &Context,
    step: StepKind,
) -> Result<PreparedRequest, FlowError> {
    let token = || {
        ctx.access_token
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or(FlowError::MissingInput {
                step,
                what: "the app's access_token (/cgi-bin/gettoken)",
                fix: "run the corp-token step first, or pass --access-token",
            })
    };
    Ok(match step {
        StepKind::CorpToken => wecom::gettoken_request(&app.api_base, &app.appid, &app.secret),
        StepKind::UserInfo => {
            let code = ctx.code.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a code",
                fix: "approve the authorize page first, or pass --code",
            })?;
            if ctx.tutorial_mixup {
                // The mix-up: the WeCom code taken to the Official Account's exchange, with the
                // corpid as appid and the app's secret.
                wechat::access_token_request(&app.api_base, &app.appid, &app.secret, &code.value)
            } else {
                wecom::getuserinfo_request(&app.api_base, token()?, &code.value)
            }
        }
        StepKind::UserDetail => {
            let ticket = ctx.user_ticket.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a user_ticket",
                fix: "authorize a member with snsapi_privateinfo",
            })?;
            wecom::getuserdetail_request(&app.api_base, token()?, &ticket.value)
        }
        _ => {
            return Err(FlowError::MissingInput {
                step,
                what: "an HTTP request",
                fix: "this step has none in a WeCom login",
            });
        }
    })
}

/// A successful WeCom answer (errcode 0 or none) read into the walk.
pub(super) fn interpret_ok(
    ctx: &mut Context,
    ex: &mut Exchange,
    json: &Value,
    now: OffsetDateTime,
) {
    match ex.step {
        StepKind::CorpToken => {
            let Some(token) = json.get("access_token").and_then(Value::as_str) else {
                missing(ex, "access_token");
                return;
            };
            ctx.access_token = Some(Timed {
                value: token.to_owned(),
                obtained: now,
                expires: expiry(now, json.get("expires_in").and_then(Value::as_i64)),
            });
            ex.outcome = ExchangeOutcome::Ok;
        }
        StepKind::UserInfo => {
            let id = wecom::identity(json);
            if id.userid.is_none() && id.openid.is_none() {
                missing(ex, "userid or openid");
                return;
            }
            if id.old_casing {
                ex.findings.push(
                    Finding::new(
                        Severity::Info,
                        "wecom.old-key-casing",
                        Text::key("flow.wecom.old-key-casing"),
                    )
                    .fix(Text::key("flow.wecom.old-key-casing-fix")),
                );
            }
            ctx.user_id.clone_from(&id.userid);
            ctx.open_id.clone_from(&id.openid);
            ctx.external_userid.clone_from(&id.external_userid);
            ctx.user_ticket = id.user_ticket.map(|t| Timed {
                value: t,
                obtained: now,
                expires: expiry(now, id.expires_in),
            });
            if let Value::Object(map) = json {
                ctx.profile = Some(map.clone());
            }
            ex.outcome = ExchangeOutcome::Ok;
        }
        StepKind::UserDetail => {
            if let Value::Object(map) = json {
                ctx.profile = Some(map.clone());
            }
            ex.outcome = ExchangeOutcome::Ok;
        }
        _ => ex.outcome = ExchangeOutcome::Ok,
    }
}

/// The WeCom code taken to the Official Account's `/sns/oauth2/access_token`: named from the
/// request, whatever WeChat answered (40013 for a corpid).
pub(super) fn sns_mixup(ex: &Exchange) -> Option<Finding> {
    (ex.step == StepKind::UserInfo && ex.request.url.contains(wechat::PATH_SNS_ACCESS_TOKEN)).then(
        || {
            Finding::new(
                Severity::Error,
                "wecom.code-on-sns",
                Text::key("flow.wecom.code-on-sns"),
            )
            .explanation(Text::key("flow.wecom.code-on-sns-why"))
            .fix(Text::key("flow.wecom.code-on-sns-fix"))
        },
    )
}

fn missing(ex: &mut Exchange, what: &str) {
    ex.findings.push(Finding::new(
        Severity::Error,
        "wechat.bad-response",
        Text::with(
            "flow.wechat.bad-shape",
            &[("error", &format!("missing field `{what}`"))],
        ),
    ));
    ex.outcome = ExchangeOutcome::Failed;
}
