//! The WeChat steps: the authorize URL, the `/sns/*` calls, and what their responses mean for
//! the walk.

use time::OffsetDateTime;

use super::{
    CallbackParts, Context, Exchange, ExchangeOutcome, FlowError, FlowKind, RawResponse, StepKind,
    Timed, WechatApp, expiry,
};
use crate::finding::{Finding, Severity, Text};
use crate::provider::PreparedRequest;
use crate::provider::wechat::{self, AuthorizeEndpoint, AuthorizeRequest, WebAccessToken};

pub(super) fn authorize_url(app: &WechatApp, kind: FlowKind, state: &str) -> String {
    let endpoint = if kind == FlowKind::WechatQr {
        AuthorizeEndpoint::QrConnect
    } else {
        AuthorizeEndpoint::OAuth2
    };
    wechat::authorize_url(
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
    )
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
                what: "a web-auth access_token",
                fix: "run the token step first, or pass --access-token with --openid",
            })
    };
    let openid = || {
        // The tutorial's walk never learns an openid: it sends none.
        if ctx.tutorial_mixup && ctx.open_id.is_none() {
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
            if ctx.tutorial_mixup {
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
            wechat::refresh_token_request(&app.api_base, &app.appid, &refresh.value)
        }
        StepKind::CheckToken => wechat::auth_request(&app.api_base, token()?, openid()?),
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
    _app: &WechatApp,
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
                Text::new(e.to_string(), format!("响应无法解析：{e}")),
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
        let code = err.errcode.to_string();
        ex.findings.push(Finding::new(
            Severity::Error,
            format!("wechat.{code}"),
            Text::new(
                format!("WeChat rejected the call: errcode {code}, {}", err.errmsg),
                format!("微信拒绝了调用：errcode {code}，{}", err.errmsg),
            ),
        ));
        if let Some(evicted) = super::code_evicted(&err.errmsg) {
            ex.findings.push(evicted);
        }
        ex.outcome = ExchangeOutcome::Rejected;
        return;
    }
    if basic_token(ctx, ex, &parsed.json, now) {
        return;
    }
    match ex.step {
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
                            Text::new(
                                "is_snapshotuser=1: the page ran in snapshot mode, and this openid \
                                 is a virtual account, not the real user",
                                "is_snapshotuser=1：页面处于快照模式，此 openid 是虚拟账号而非真实用户",
                            ),
                        )
                        .fix(Text::new(
                            "ask the user to tap \"use full service\" at the bottom of the page and log in again",
                            "引导用户点击页面底部「使用完整服务」后重新授权",
                        )),
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

/// A status other than 200: WeChat's API answers 200, errors included.
fn http_status(status: u16) -> Finding {
    Finding::new(
        Severity::Error,
        "transport.http-status",
        Text::new(
            format!("WeChat's API answered HTTP {status}"),
            format!("微信接口返回 HTTP {status}"),
        ),
    )
    .explanation(Text::new(
        "WeChat's API answers 200 even for errors; another status means a proxy, a load                  balancer or a wrong URL answered, so the body is not to be trusted as WeChat's                  answer however valid it reads, and the step fails",
        "微信接口即使出错也返回 200；其他状态码说明是代理、负载均衡或错误的地址在应答，                 无论响应体看起来多么正常都不能当作微信的应答，此步骤判为失败",
    ))
    .fix(Text::new(
        "retry; if it persists, check the API base URL and any proxy between you and                  api.weixin.qq.com",
        "重试；如果仍然如此，请检查接口基础地址以及你与 api.weixin.qq.com 之间的代理",
    ))
}

fn shape_error(ex: &mut Exchange, e: &wechat::ResponseError) {
    ex.findings.push(Finding::new(
        Severity::Error,
        "wechat.bad-response",
        Text::new(e.to_string(), format!("响应字段不符合预期：{e}")),
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
    if ex.step != StepKind::Token || !ctx.tutorial_mixup {
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
        Text::new(
            format!(
                "the body holds {count} raw control character(s) inside strings, which strict \
                 JSON parsers reject"
            ),
            format!("响应字符串中含有 {count} 个未转义的控制字符，严格的 JSON 解析器会报错"),
        ),
    )
    .fix(Text::new(
        "parse leniently or escape control characters before parsing (common in nicknames)",
        "解析前先转义控制字符（常见于昵称），或使用宽松的解析器",
    ))
}
