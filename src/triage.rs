//! Triage: turn an [`Exchange`] (with what the walk knows) into [`Finding`]s that say what went
//! wrong, why, and how to fix it.
//!
//! A catalog lookup explains a code; the rules here reason over context the code alone does not
//! carry: the scope the token came from, which kind of token was used where, a code already
//! spent earlier in the same walk, the clock behind `isv.invalid-timestamp`, the key behind
//! `isv.invalid-signature`, a sandbox host with a production app, and a callback that came back
//! somewhere other than the `redirect_uri` that was sent.

use serde_json::Value;
use time::OffsetDateTime;

use crate::catalog::{Catalog, Provider};
use crate::finding::{Finding, Severity, Text};
use crate::flow::{App, Exchange, ExchangeOutcome, Flow, StepKind};
use crate::provider::wechat;

/// What the rules may know besides the exchange itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Walk<'a> {
    /// The flow the exchange belongs to, when it came from a walk.
    pub flow: Option<&'a Flow>,
    /// When the response was received (for clock-skew reasoning).
    pub received: Option<OffsetDateTime>,
}

/// Everything triage has to say about exchange `index` of `flow`. Replaces the flow's own bare
/// rejection finding with the catalog's explanation, and adds what the context reveals.
pub fn exchange(flow: &Flow, index: usize) -> Vec<Finding> {
    let ex = &flow.exchanges()[index];
    let walk = Walk {
        flow: Some(flow),
        received: Some(ex.received),
    };
    let mut findings: Vec<Finding> = Vec::new();
    let provider = provider_of(flow);
    let codes = error_codes(provider, ex);
    let endpoint = endpoint_of(provider, ex);
    let catalog = Catalog::builtin();
    // The most specific code the catalog knows (the sub_code before its gateway code).
    if let Some((code, entry)) = codes
        .iter()
        .find_map(|c| catalog.error(provider, c).map(|e| (c, e)))
    {
        let mut f = entry.finding_at(provider, endpoint.as_deref());
        f.code = if code.starts_with("wecom.") {
            code.clone()
        } else {
            format!("{provider}.{code}")
        };
        findings.push(f);
    }
    // Keep the flow's own findings the catalog did not replace (signature, transport, …).
    for f in &ex.findings {
        if !findings.iter().any(|g| g.code == f.code) {
            findings.push(f.clone());
        }
    }
    // A rule's finding the flow already made (the same code) is said once.
    for f in rules(provider, ex, &codes, walk) {
        if !findings.iter().any(|g| g.code == f.code) {
            findings.push(f);
        }
    }
    findings
}

/// One request seen by any face (a walk's exchange, a pasted URL, a HAR entry): its full URL,
/// query included, and the raw response body when there is one.
pub use crate::provider::wechat::confusion::Step as Request;

/// The token mix-up checks over an ordered list of requests: which access_token came from
/// which endpoint (`/cgi-bin/token` vs `/sns/oauth2/access_token`) and where it went, a
/// `snsapi_base` or snapshot-user token on `/sns/userinfo`, `/cgi-bin/user/info` used for a
/// login's profile, an openid that is not the token's, a code exchanged twice. Bodies sharpen
/// the findings; URLs alone are enough for the origin checks. Findings are de-duplicated by
/// code, and a guess from an error code alone gives way to the cause the list shows.
///
/// Every face calls this one function: `run` (through [`exchange`]), `explain --url`, and an
/// importer of a HAR file or a list of URLs.
pub fn token_mixups(requests: &[Request<'_>]) -> Vec<Finding> {
    let mut out = wechat::confusion::diagnose_walk(requests);
    // The logins on behalf of others: the platform's token, a WeCom code on /sns/.
    out.extend(wechat::component::diagnose_walk(requests));
    out.extend(crate::provider::wecom::diagnose_walk(requests));
    out
}

/// [`token_mixups`] over bare request URLs, in the order they were made (no bodies).
pub fn token_mixups_in_urls<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<Finding> {
    let requests: Vec<Request<'a>> = urls
        .into_iter()
        .map(|url| Request {
            url,
            response: None,
        })
        .collect();
    token_mixups(&requests)
}

/// Findings for a response pasted on its own, with the request URL when known.
pub fn pasted(provider: Provider, url: Option<&str>, body: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if provider == Provider::Wechat
        && let Some(url) = url
    {
        findings.extend(wechat::confusion::diagnose_exchange(url, body));
    }
    findings
}

fn provider_of(flow: &Flow) -> Provider {
    match flow.app() {
        App::Alipay(_) => Provider::Alipay,
        App::Wechat(_) => Provider::Wechat,
    }
}

/// The catalog's endpoint id: the Alipay method, or the WeChat path.
fn endpoint_of(provider: Provider, ex: &Exchange) -> Option<String> {
    match provider {
        Provider::Alipay => param(&ex.request.url, "method"),
        Provider::Wechat => url::Url::parse(&ex.request.url)
            .ok()
            .map(|u| u.path().to_owned()),
    }
}

fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The error codes in a decoded response: Alipay `sub_code` and `code` (most specific first),
/// WeChat `errcode`.
fn error_codes(provider: Provider, ex: &Exchange) -> Vec<String> {
    let Some(Value::Object(map)) = &ex.decoded else {
        return Vec::new();
    };
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match provider {
        Provider::Alipay => {
            let mut codes = Vec::new();
            if let Some(sub) = text("sub_code") {
                codes.push(sub);
            }
            if let Some(code) =
                text("code").filter(|c| c != "10000" && ex.outcome == ExchangeOutcome::Rejected)
            {
                codes.push(code);
            }
            codes
        }
        Provider::Wechat => {
            let path = url::Url::parse(&ex.request.url)
                .map(|u| u.path().to_owned())
                .unwrap_or_default();
            map.get("errcode")
                .and_then(Value::as_i64)
                .filter(|c| *c != 0)
                .map(|c| {
                    // A WeCom API's number means WeCom's thing first.
                    if crate::provider::wecom::is_api_path(&path) {
                        vec![format!("wecom.{c}"), c.to_string()]
                    } else {
                        vec![c.to_string()]
                    }
                })
                .unwrap_or_default()
        }
    }
}

fn rules(provider: Provider, ex: &Exchange, codes: &[String], walk: Walk<'_>) -> Vec<Finding> {
    let has = |c: &str| codes.iter().any(|x| x == c);
    let mut out = Vec::new();
    out.extend(
        walk.flow
            .and_then(|flow| auth_base_token(provider, ex, &has, flow)),
    );
    let reused = walk.flow.and_then(|flow| code_reused(ex, &has, flow));
    // The token kind (basic vs web-auth), from the request and response themselves.
    if provider == Provider::Wechat
        && let Some(flow) = walk.flow
    {
        out.extend(
            mixups_at(flow, ex)
                .into_iter()
                // The walk knows better than the URL when the code was reused.
                .filter(|f| {
                    !(reused.is_some() && f.code == crate::finding::codes::WECHAT_CODE_REUSED)
                }),
        );
    }
    out.extend(reused);
    if has("isv.invalid-timestamp") {
        out.push(clock_skew(ex, walk.received));
    } else if provider == Provider::Alipay && drifted(ex, walk.received) {
        // Refused first for another reason, or by a gateway that checks the time later.
        let mut f = clock_skew(ex, walk.received);
        f.severity = Severity::Warning;
        out.push(f);
    }
    if has("isv.invalid-signature") {
        out.push(signature_diagnosis(ex));
    }
    if provider == Provider::Alipay
        && (has("isv.invalid-app-id") || has("isv.insufficient-isv-permissions"))
    {
        out.extend(environment_mismatch(ex));
    }
    if ex.step == StepKind::Token
        && let Some(flow) = walk.flow
    {
        out.extend(redirect_mismatch(flow));
        out.extend(code_not_exchanged(provider, ex, flow));
        out.extend(scope_differs(provider, ex, flow));
        out.extend(state_unchecked(flow));
    }
    if ex.step == StepKind::UserInfo
        && provider == Provider::Alipay
        && let Some(Value::Object(node)) = &ex.decoded
    {
        out.extend(frozen_account(node));
        if ex.outcome != ExchangeOutcome::Rejected {
            out.extend(crate::catalog::response::missing_fields(node));
        }
    }
    out
}

/// The token mix-up findings this exchange adds to the walk so far: the checks run over the
/// walk up to and including it, minus what the walk before it already showed.
fn mixups_at(flow: &Flow, ex: &Exchange) -> Vec<Finding> {
    let requests: Vec<Request<'_>> = flow
        .exchanges()
        .iter()
        .map(|e| Request {
            url: &e.request.url,
            response: e.response.as_ref().map(|r| r.body.as_slice()),
        })
        .collect();
    let Some(at) = flow.exchanges().iter().position(|e| std::ptr::eq(e, ex)) else {
        return Vec::new();
    };
    let before = token_mixups(&requests[..at]);
    token_mixups(&requests[..=at])
        .into_iter()
        .filter(|f| !before.iter().any(|b| b.code == f.code))
        .collect()
}

/// The code-exchange step called `/cgi-bin/token`: the code was never exchanged, and the
/// token that came back is the app's basic token (no openid, no user).
fn code_not_exchanged(provider: Provider, ex: &Exchange, flow: &Flow) -> Option<Finding> {
    let basic = matches!(
        wechat::confusion::Endpoint::of(&ex.request.url),
        Some(wechat::confusion::Endpoint::BasicToken)
    );
    (provider == Provider::Wechat && basic && flow.ctx().code.is_some()).then(|| {
        Finding::new(
            Severity::Warning,
            "wechat.confusion.code-not-exchanged",
            Text::key("triage.the-code-exchange-step-called"),
        )
        .explanation(Text::key("triage.cgi-bin-token-grant-type"))
        .fix(Text::key("triage.call-sns-oauth2-access-token"))
    })
}

/// A frozen Alipay account still answers `10000`: say so, or the walk looks clean.
fn frozen_account(node: &serde_json::Map<String, Value>) -> Option<Finding> {
    let text = |k: &str| node.get(k).and_then(Value::as_str).unwrap_or_default();
    let status_b = text("user_status") == "B";
    let blocked = text("is_blocked") == "T";
    if !status_b && !blocked {
        return None;
    }
    let seen = match (status_b, blocked) {
        (true, true) => "user_status = B and is_blocked = T",
        (true, false) => "user_status = B",
        _ => "is_blocked = T",
    };
    Some(
        Finding::new(
            Severity::Warning,
            "alipay.triage.frozen-account",
            Text::with("triage.the-call-succeeded-but-the", &[("seen", &seen)]),
        )
        .explanation(Text::key("triage.alipay-user-info-share-answers"))
        .fix(Text::key("triage.decide-what-a-frozen-account")),
    )
}

/// The scope granted (Alipay: on the callback; WeChat: in the token response) is not the one
/// the authorize URL asked for.
fn scope_differs(provider: Provider, ex: &Exchange, flow: &Flow) -> Option<Finding> {
    let requested = match flow.app() {
        App::Alipay(a) => a.scope.as_str().to_owned(),
        App::Wechat(w) => w.scope.as_str().to_owned(),
    };
    let granted = match provider {
        Provider::Alipay => flow
            .ctx()
            .callback_params
            .iter()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone()),
        Provider::Wechat => match &ex.decoded {
            Some(Value::Object(m)) => m.get("scope").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        },
    }?;
    let set = |s: &str| {
        let mut v: Vec<String> = s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect();
        v.sort();
        v
    };
    if set(&granted) == set(&requested) || set(&granted).is_empty() {
        return None;
    }
    Some(
        Finding::new(
            Severity::Warning,
            "flow.scope-differs",
            Text::with(
                "triage.the-authorize-url-asked-for",
                &[("requested", &requested), ("granted", &granted)],
            ),
        )
        .explanation(Text::key("triage.the-token-can-only-do"))
        .fix(Text::key("triage.read-the-granted-scope-before")),
    )
}

/// Only a code was given (no redirect URL): the `state` (CSRF) check did not happen.
fn state_unchecked(flow: &Flow) -> Option<Finding> {
    let web = !matches!(
        flow.kind(),
        crate::flow::FlowKind::AlipayMini | crate::flow::FlowKind::WechatMini
    );
    let ctx = flow.ctx();
    (web && ctx.code.is_some() && ctx.callback_url.is_none()).then(|| {
        Finding::new(
            Severity::Info,
            "flow.state-unchecked",
            Text::key("triage.only-a-code-was-given"),
        )
        .explanation(Text::key("triage.the-state-parameter-is-compared"))
        .fix(Text::key("triage.paste-the-whole-redirect-url"))
    })
}

/// Scope vs API: an Alipay token from a silent `auth_base` authorization cannot read the
/// profile. (WeChat's 48001 case is recognised by the token-confusion rules.)
fn auth_base_token(
    provider: Provider,
    ex: &Exchange,
    has: &impl Fn(&str) -> bool,
    flow: &Flow,
) -> Option<Finding> {
    if provider != Provider::Alipay
        || ex.step != StepKind::UserInfo
        || ex.outcome != ExchangeOutcome::Rejected
    {
        return None;
    }
    let scope = granted_scope(flow).unwrap_or_default();
    let token_problem = has("aop.invalid-auth-token")
        || has("isv.invalid-token")
        || has("isv.insufficient-user-permissions");
    (token_problem && scope.contains("auth_base") && !scope.contains("auth_user")).then(|| {
        scope_finding(
            "alipay.triage.auth-base-token",
            "auth_base",
            "auth_user",
            "alipay.user.info.share",
        )
    })
}

/// A code already spent earlier in this walk.
fn code_reused(ex: &Exchange, has: &impl Fn(&str) -> bool, flow: &Flow) -> Option<Finding> {
    if ex.step != StepKind::Token || !(has("isv.code-invalid") || has("40163")) {
        return None;
    }
    let code = flow.ctx().code.as_ref()?;
    let uses = flow
        .ctx()
        .used_codes
        .iter()
        .filter(|c| **c == code.value)
        .count();
    (uses > 1).then(|| {
        Finding::new(
            Severity::Error,
            "flow.code-reused",
            Text::with("triage.this-walk-already-sent-this", &[("uses", &uses)]),
        )
        .explanation(Text::key("triage.a-code-is-single-use"))
        .fix(Text::key("triage.authorize-again-for-a-fresh"))
    })
}

/// A sandbox gateway with what looks like a production app id (or the reverse).
fn environment_mismatch(ex: &Exchange) -> Option<Finding> {
    let app_id = param(&ex.request.url, "app_id")?;
    let sandbox_host = ex.request.url.contains("alipaydev.com");
    if !crate::provider::alipay::environment_mismatch(sandbox_host, &app_id) {
        return None;
    }
    let title = Text::key(if sandbox_host {
        "triage.sandbox-gateway-production-app-id"
    } else {
        "triage.production-gateway-sandbox-app-id"
    });
    Some(
        Finding::new(
            Severity::Warning,
            "alipay.triage.environment-mismatch",
            title,
        )
        .explanation(Text::key("triage.sandbox-and-production-apps-keys"))
        .fix(Text::key("triage.use-the-gateway-app-id")),
    )
}

fn granted_scope(flow: &Flow) -> Option<String> {
    flow.ctx()
        .scope
        .clone()
        .or_else(|| {
            flow.ctx()
                .callback_params
                .iter()
                .find(|(k, _)| k == "scope")
                .map(|(_, v)| v.clone())
        })
        .or_else(|| match &flow.app() {
            App::Alipay(a) => Some(a.scope.as_str().to_owned()),
            App::Wechat(w) => Some(w.scope.as_str().to_owned()),
        })
}

fn scope_finding(code: &str, silent: &str, consent: &str, api: &str) -> Finding {
    Finding::new(
        Severity::Error,
        code,
        Text::with(
            "triage.the-token-comes-from-a",
            &[("silent", &silent), ("api", &api)],
        ),
    )
    .explanation(Text::with(
        "triage.only-identifies-the-user-a",
        &[("silent", &silent), ("consent", &consent)],
    ))
    .fix(Text::with(
        "triage.authorize-again-with-scope-and",
        &[("consent", &consent)],
    ))
}

/// How far (seconds) the gateway's `Date` may stray from this machine's clock at receipt before
/// the walk warns of it: the gateway's timestamp window (15 minutes), past which it refuses the
/// `timestamp` this machine signs.
pub const CLOCK_DRIFT_WARN_SECS: i64 = 900;

/// Whether the answer's `Date` is more than [`CLOCK_DRIFT_WARN_SECS`] from `received`, the
/// local time it arrived.
fn drifted(ex: &Exchange, received: Option<OffsetDateTime>) -> bool {
    let server = ex
        .response
        .as_ref()
        .and_then(|r| r.header("date"))
        .and_then(crate::provider::parse_http_date);
    server.zip(received).is_some_and(|(server, local)| {
        (server - local).whole_seconds().abs() > CLOCK_DRIFT_WARN_SECS
    })
}

fn clock_skew(ex: &Exchange, received: Option<OffsetDateTime>) -> Finding {
    let sent = param(&ex.request.url, "timestamp");
    let server = ex
        .response
        .as_ref()
        .and_then(|r| r.header("date"))
        .and_then(crate::provider::parse_http_date)
        .or(received);
    let china = time::macros::offset!(+8);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let skew = sent
        .as_deref()
        .and_then(|s| time::PrimitiveDateTime::parse(s, format).ok())
        .zip(server)
        .map(|(s, srv)| (s.assume_offset(china) - srv).whole_seconds());
    let title = match (skew, sent) {
        (Some(skew), Some(sent)) => Text::with(
            "triage.clock-skew",
            &[("sent", &sent), ("skew", &format!("{skew:+}"))],
        ),
        (_, Some(sent)) => Text::with("triage.timestamp-rejected", &[("sent", &sent)]),
        _ => Text::key("triage.no-timestamp"),
    };
    Finding::new(Severity::Error, "alipay.triage.clock-skew", title)
        .explanation(Text::key("triage.the-timestamp-must-be-yyyy"))
        .fix(Text::key("triage.format-the-time-in-utc"))
}

/// Compare the gateway's echoed sign string (in `sub_msg`) with the string that was signed.
fn signature_diagnosis(ex: &Exchange) -> Finding {
    let ours = ex.request.signing.as_ref();
    let sub_msg = match &ex.decoded {
        Some(Value::Object(m)) => m
            .get("sub_msg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    let theirs = sub_msg
        .split_once(crate::provider::words::ALIPAY_SIGN_STRING_MARKS[0])
        .or_else(|| sub_msg.split_once(crate::provider::words::ALIPAY_SIGN_STRING_MARKS[1]))
        .map(|(_, s)| {
            s.replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .trim()
                .to_owned()
        });
    let key = ours
        .map(|t| t.key_fingerprint[..16].to_owned())
        .unwrap_or_default();
    let title = match (ours, &theirs) {
        (Some(t), Some(theirs)) if *theirs == t.canonical => {
            Text::with("triage.same-sign-string-wrong-key", &[("key", &key)])
        }
        (Some(t), Some(theirs)) => {
            // Compared masked: the strings hold the code or token, and findings are shown as is.
            let ours = crate::redact::redact_pairs(&t.canonical);
            let theirs = crate::redact::redact_pairs(theirs);
            let at = ours
                .chars()
                .zip(theirs.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let ours_tail: String = ours.chars().skip(at).take(40).collect();
            let theirs_tail: String = theirs.chars().skip(at).take(40).collect();
            if ours_tail == theirs_tail {
                Text::key("triage.sign-strings-differ-in-secret")
            } else {
                Text::with(
                    "triage.sign-strings-differ-at",
                    &[
                        ("at", &(at + 1)),
                        ("ours", &ours_tail),
                        ("theirs", &theirs_tail),
                    ],
                )
            }
        }
        _ => Text::with("triage.gateway-could-not-verify", &[("key", &key)]),
    };
    Finding::new(Severity::Error, "alipay.triage.signature", title)
        .explanation(Text::key("triage.either-the-private-key-does"))
        .fix(Text::key("triage.run-authwalk-keys-inspect-app"))
}

fn redirect_mismatch(flow: &Flow) -> Option<Finding> {
    let sent = match &flow.app() {
        App::Alipay(a) => &a.redirect_uri,
        App::Wechat(w) => &w.redirect_uri,
    };
    let sent = url::Url::parse(sent).ok()?;
    let arrived = url::Url::parse(flow.ctx().callback_url.as_deref()?).ok()?;
    let same = sent.scheme() == arrived.scheme()
        && sent.host_str() == arrived.host_str()
        && sent.port_or_known_default() == arrived.port_or_known_default()
        && sent.path() == arrived.path();
    (!same).then(|| {
        Finding::new(
            Severity::Warning,
            "flow.redirect-mismatch",
            Text::with(
                "triage.the-browser-came-back-to",
                &[("arrived", &arrived), ("sent", &sent)],
            ),
        )
        .fix(Text::key("triage.use-one-redirect-uri-exactly"))
    })
}
