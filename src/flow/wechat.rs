//! The WeChat steps: the authorize URL, the `/sns/*` calls, and what their responses mean for
//! the walk.

use time::OffsetDateTime;

use super::{
    CallbackParts, Context, Exchange, ExchangeOutcome, FlowError, FlowKind, RawResponse, StepKind,
    Timed, WechatApp, expiry,
};
use crate::finding::{Finding, Severity, Text};
use crate::provider::PreparedRequest;
use crate::provider::wechat::component::{self, ComponentApp};
use crate::provider::wechat::{self, AuthorizeEndpoint, AuthorizeRequest, WebAccessToken};

pub(super) fn authorize_url(app: &WechatApp, kind: FlowKind, state: &str) -> String {
    let endpoint = match kind {
        FlowKind::WechatQr => AuthorizeEndpoint::QrConnect,
        // The Alipay logins never reach this module.
        FlowKind::WechatWeb
        | FlowKind::WechatMini
        | FlowKind::WechatComponent
        | FlowKind::WecomWeb
        | FlowKind::AlipayWeb
        | FlowKind::AlipayMini
        | FlowKind::AlipayIsv => AuthorizeEndpoint::OAuth2,
    };
    let url = wechat::authorize_url(
        &app.open_base,
        endpoint,
        &AuthorizeRequest {
            appid: app.appid.clone(),
            redirect_uri: app.redirect_uri.clone(),
            scope: app.scope.as_str().to_owned(),
            state: Some(state.to_owned()),
            force_popup: false,
            force_snapshot: false,
        },
    );
    match (kind, &app.component) {
        (FlowKind::WechatComponent, Some(c)) => component::with_component_appid(&url, &c.appid),
        _ => url,
    }
}

/// (code, state, every parameter) from a pasted callback or a bare code.
pub(super) fn parse_callback(input: &str) -> Result<CallbackParts, FlowError> {
    let cb = wechat::parse_callback(input).map_err(|e| FlowError::Callback(e.to_string()))?;
    let mut params = vec![("code".to_owned(), cb.code.clone())];
    if let Some(state) = &cb.state {
        params.push(("state".to_owned(), state.clone()));
    }
    params.extend(cb.extra);
    Ok(CallbackParts {
        code: cb.code,
        state: cb.state,
        params,
    })
}

/// The third-party platform of a component walk, or the error that names what is missing.
fn component_of(app: &WechatApp, step: StepKind) -> Result<&ComponentApp, FlowError> {
    app.component.as_ref().ok_or(FlowError::MissingInput {
        step,
        what: "a third-party platform (component_appid, component_appsecret, verify ticket)",
        fix: "walk the sandbox's third-party platform (authwalk run wechat-component); a profile \
              describes an app's own login",
    })
}

/// The `component_access_token` a component walk sends: the one its component-token step got,
/// or, when the walk repeats the classic mix-up on purpose, the platform's message Token.
fn component_token<'a>(
    app: &'a WechatApp,
    ctx: &'a Context,
    step: StepKind,
) -> Result<(&'a ComponentApp, &'a str), FlowError> {
    let c = component_of(app, step)?;
    if ctx.tutorial_mixup {
        return Ok((c, c.message_token.as_str()));
    }
    let token = ctx
        .component_access_token
        .as_ref()
        .ok_or(FlowError::MissingInput {
            step,
            what: "a component_access_token",
            fix: "run the component-token step first",
        })?;
    Ok((c, token.value.as_str()))
}

pub(super) fn request(
    app: &WechatApp,
    kind: FlowKind,
    ctx: &Context,
    step: StepKind,
) -> Result<PreparedRequest, FlowError> {
    let component_walk = kind == FlowKind::WechatComponent;
    let token = || {
        ctx.access_token
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or(FlowError::MissingInput {
                step,
                what: "a web-auth access_token",
                fix: "run the token step first, or pass --access-token with --openid",
            })
    };
    let openid = || {
        // The tutorial's walk never learns an openid: it sends none.
        if (ctx.tutorial_mixup || ctx.tutorial_cgi) && ctx.open_id.is_none() {
            return Ok("");
        }
        ctx.open_id.as_deref().ok_or(FlowError::MissingInput {
            step,
            what: "an openid",
            fix: "run the token step first, or pass --openid",
        })
    };
    Ok(match step {
        StepKind::Token => {
            let code = ctx.code.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a code",
                fix: "approve the authorize page first, or pass --code",
            })?;
            if component_walk {
                let (c, token) = component_token(app, ctx, step)?;
                component::component_access_token_request(
                    &app.api_base,
                    &app.appid,
                    &code.value,
                    &c.appid,
                    token,
                )
            } else if ctx.tutorial_mixup || ctx.tutorial_cgi {
                // The tutorial's "code in exchange for access_token" fetches the basic token.
                wechat::basic_token_request(&app.api_base, &app.appid, &app.secret)
            } else {
                wechat::access_token_request(&app.api_base, &app.appid, &app.secret, &code.value)
            }
        }
        StepKind::Refresh => {
            let refresh = ctx.refresh_token.as_ref().ok_or(FlowError::MissingInput {
                step,
                what: "a refresh_token",
                fix: "run the token step first, or pass --refresh-token",
            })?;
            if component_walk {
                let (c, token) = component_token(app, ctx, step)?;
                component::component_refresh_request(
                    &app.api_base,
                    &app.appid,
                    &c.appid,
                    token,
                    &refresh.value,
                )
            } else {
                wechat::refresh_token_request(&app.api_base, &app.appid, &refresh.value)
            }
        }
        StepKind::ComponentToken => {
            component::component_token_request(&app.api_base, component_of(app, step)?)
        }
        StepKind::CheckToken => wechat::auth_request(&app.api_base, token()?, openid()?),
        // Seed 002's own code reads the profile from /cgi-bin/user/info.
        StepKind::UserInfo if ctx.tutorial_cgi => {
            wechat::cgi_user_info_request(&app.api_base, token()?, openid()?, app.lang)
        }
        StepKind::UserInfo => {
            let lang = app.lang;
            wechat::userinfo_request(&app.api_base, token()?, openid()?, lang)
        }
        _ => {
            return Err(FlowError::MissingInput {
                step,
                what: "an HTTP request",
                fix: "this step has none in a WeChat login",
            });
        }
    })
}

pub(super) fn interpret(
    app: &WechatApp,
    kind: FlowKind,
    ctx: &mut Context,
    ex: &mut Exchange,
    response: &RawResponse,
    now: OffsetDateTime,
) {
    if response.status != 200 {
        ex.findings.push(http_status(response.status));
    }
    let parsed = match wechat::parse_response(&response.body) {
        Ok(parsed) => parsed,
        Err(e) => {
            ex.findings.push(Finding::new(
                Severity::Error,
                "wechat.bad-response",
                Text::with("flow.wechat.unparsable", &[("error", &e)]),
            ));
            ex.outcome = ExchangeOutcome::Failed;
            return;
        }
    };
    if !parsed.escaped_controls.is_empty() {
        ex.findings
            .push(control_characters(parsed.escaped_controls.len()));
    }
    ex.decoded = Some(parsed.json.clone());
    if response.status != 200 {
        // Shown, but not WeChat's answer: nothing of it goes into the walk.
        ex.outcome = ExchangeOutcome::Failed;
        return;
    }
    if let Some(err) = &parsed.error {
        rejected(app, kind, ctx, ex, err);
        return;
    }
    if kind == FlowKind::WecomWeb {
        super::wecom::interpret_ok(ctx, ex, &parsed.json, now);
        return;
    }
    if kind == FlowKind::WechatWeb && basic_token(ctx, ex, &parsed.json, now) {
        return;
    }
    if kind == FlowKind::WechatMini {
        super::wechat_mini::interpret(ctx, ex, &parsed.json, now);
        return;
    }
    match ex.step {
        StepKind::ComponentToken => component_token_answer(ctx, ex, &parsed.json, now),
        StepKind::Token | StepKind::Refresh => match parsed.decode::<WebAccessToken>() {
            Ok(token) => {
                ctx.access_token = Some(Timed {
                    value: token.access_token.clone(),
                    obtained: now,
                    expires: expiry(now, token.expires_in),
                });
                if let Some(refresh) = &token.refresh_token {
                    // WeChat documents 30 days for the refresh token.
                    ctx.refresh_token = Some(Timed {
                        value: refresh.clone(),
                        obtained: now,
                        expires: expiry(now, Some(30 * 24 * 3600)),
                    });
                }
                ctx.open_id = Some(token.openid.clone());
                ctx.union_id = token.unionid.clone().or(ctx.union_id.take());
                ctx.scope = token.scope.clone().or(ctx.scope.take());
                if token.is_snapshot_user() {
                    ex.findings.push(
                        Finding::new(
                            Severity::Warning,
                            "wechat.snapshot-user",
                            Text::key("flow.wechat.is-snapshotuser-1-the-page"),
                        )
                        .fix(Text::key("flow.wechat.ask-the-user-to-tap")),
                    );
                }
                ex.outcome = ExchangeOutcome::Ok;
            }
            Err(e) => shape_error(ex, &e),
        },
        StepKind::UserInfo => match parsed.decode::<wechat::UserInfo>() {
            Ok(user) => {
                if let serde_json::Value::Object(map) = &parsed.json {
                    ctx.profile = Some(map.clone());
                }
                ctx.union_id = user.unionid.clone().or(ctx.union_id.take());
                ex.outcome = ExchangeOutcome::Ok;
            }
            Err(e) => shape_error(ex, &e),
        },
        // `/sns/auth` answers {"errcode":0,"errmsg":"ok"} on success.
        _ => ex.outcome = ExchangeOutcome::Ok,
    }
}

/// `api_component_token`'s answer: keep the `component_access_token` and its lifetime.
fn component_token_answer(
    ctx: &mut Context,
    ex: &mut Exchange,
    json: &serde_json::Value,
    now: OffsetDateTime,
) {
    let token = json
        .get("component_access_token")
        .and_then(serde_json::Value::as_str);
    if let Some(token) = token {
        ctx.component_access_token = Some(Timed {
            value: token.to_owned(),
            obtained: now,
            expires: expiry(
                now,
                json.get("expires_in").and_then(serde_json::Value::as_i64),
            ),
        });
        ex.outcome = ExchangeOutcome::Ok;
    } else {
        shape_error(
            ex,
            &wechat::ResponseError::Shape {
                reason: "missing field `component_access_token`".to_owned(),
            },
        );
    }
}

/// WeChat's errcode answer: the finding with its code, and what the walk's kind reveals.
fn rejected(
    app: &WechatApp,
    kind: FlowKind,
    ctx: &Context,
    ex: &mut Exchange,
    err: &wechat::ApiError,
) {
    let code = err.errcode.to_string();
    // A WeCom API's errcode is WeCom's (the catalog's `wecom.` entries).
    let path = url::Url::parse(&ex.request.url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let family = if crate::provider::wecom::is_api_path(&path) {
        "wecom"
    } else {
        "wechat"
    };
    ex.findings.push(Finding::new(
        Severity::Error,
        format!("{family}.{code}"),
        Text::with(
            "flow.wechat.wechat-rejected-the-call-errcode",
            &[("code", &code), ("errmsg", &err.errmsg)],
        ),
    ));
    if let Some(evicted) = super::code_evicted(&err.errmsg) {
        ex.findings.push(evicted);
    }
    if kind == FlowKind::WechatComponent
        && let Some(mixup) = component_token_mixup(app, ctx, ex, err.errcode)
    {
        ex.findings.push(mixup);
    }
    if kind == FlowKind::WecomWeb
        && let Some(mixup) = super::wecom::sns_mixup(ex)
    {
        ex.findings.push(mixup);
    }
    ex.outcome = ExchangeOutcome::Rejected;
}

/// A status other than 200: WeChat's API answers 200, errors included.
fn http_status(status: u16) -> Finding {
    Finding::new(
        Severity::Error,
        "transport.http-status",
        Text::with(
            "flow.wechat.wechat-s-api-answered-http",
            &[("status", &status)],
        ),
    )
    .explanation(Text::key("flow.wechat.wechat-s-api-answers-200"))
    .fix(Text::key("flow.wechat.retry-if-it-persists-check"))
}

fn shape_error(ex: &mut Exchange, e: &wechat::ResponseError) {
    ex.findings.push(Finding::new(
        Severity::Error,
        "wechat.bad-response",
        Text::with("flow.wechat.bad-shape", &[("error", e)]),
    ));
    ex.outcome = ExchangeOutcome::Failed;
}

/// The `token-mixup` walk got a basic token at its code-exchange step: keep it as the access
/// token (no openid, no refresh token, no scope), as the tutorial does. False for any other
/// step or walk.
fn basic_token(
    ctx: &mut Context,
    ex: &mut Exchange,
    json: &serde_json::Value,
    now: OffsetDateTime,
) -> bool {
    if ex.step != StepKind::Token || !(ctx.tutorial_mixup || ctx.tutorial_cgi) {
        return false;
    }
    let Some(token) = json.get("access_token").and_then(serde_json::Value::as_str) else {
        return false;
    };
    ctx.access_token = Some(Timed {
        value: token.to_owned(),
        obtained: now,
        expires: expiry(
            now,
            json.get("expires_in").and_then(serde_json::Value::as_i64),
        ),
    });
    ex.outcome = ExchangeOutcome::Ok;
    true
}

/// Raw control characters inside the body's strings (common in nicknames).
fn control_characters(count: usize) -> Finding {
    Finding::new(
        Severity::Warning,
        "wechat.control-characters",
        Text::with(
            "flow.wechat.the-body-holds-raw-control",
            &[("count", &count)],
        ),
    )
    .fix(Text::key("flow.wechat.parse-leniently-or-escape-control"))
}

/// A component call refused as a credential (40001) whose `component_access_token` is not the
/// one the component-token step returned: the classic mix-up (EasyWeChat issues #2049 and
/// #2033 sent the console's message Token, or a stale or basic token, in its place).
fn component_token_mixup(
    app: &WechatApp,
    ctx: &Context,
    ex: &Exchange,
    errcode: i64,
) -> Option<Finding> {
    if errcode != 40001 || !matches!(ex.step, StepKind::Token | StepKind::Refresh) {
        return None;
    }
    let sent = query_value(&ex.request.url, "component_access_token")?;
    let got = ctx
        .component_access_token
        .as_ref()
        .map(|t| t.value.as_str());
    if got == Some(sent.as_str()) {
        return None;
    }
    let is_message_token = app
        .component
        .as_ref()
        .is_some_and(|c| c.message_token == sent);
    let title = if is_message_token {
        Text::key("flow.wechat.component-token-is-message-token")
    } else {
        Text::key("flow.wechat.component-token-not-from-api")
    };
    Some(
        Finding::new(Severity::Error, "wechat.component-token-mixup", title)
            .explanation(Text::key("flow.wechat.component-token-mixup-why"))
            .fix(Text::key("flow.wechat.component-token-mixup-fix")),
    )
}

/// The decoded value of `name` in a URL's query.
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split('#').next()?.split_once('?')?.1;
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}
