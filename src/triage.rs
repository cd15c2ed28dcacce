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
        f.code = format!("{provider}.{code}");
        findings.push(f);
    }
    // Keep the flow's own findings the catalog did not replace (signature, transport, …).
    for f in &ex.findings {
        if !findings.iter().any(|g| g.code == f.code) {
            findings.push(f.clone());
        }
    }
    findings.extend(rules(provider, ex, &codes, walk));
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
    wechat::confusion::diagnose_walk(requests)
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
        Provider::Wechat => map
            .get("errcode")
            .and_then(Value::as_i64)
            .filter(|c| *c != 0)
            .map(|c| vec![c.to_string()])
            .unwrap_or_default(),
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
                .filter(|f| !(reused.is_some() && f.code == "wechat.confusion.code-reused")),
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
            Text::new(
                "the code-exchange step called /cgi-bin/token: the code was never exchanged, and the access_token that came back is the app's basic token, not the user's web-auth token",
                "换取 code 这一步调用的是 /cgi-bin/token：code 根本没有被换取，拿到的 access_token 是应用的基础令牌，而不是用户的网页授权令牌",
            ),
        )
        .explanation(Text::new(
            "/cgi-bin/token (grant_type=client_credential) needs no code and returns no openid; it identifies the app. The code is exchanged at /sns/oauth2/access_token (grant_type=authorization_code), which returns the web-auth access_token and the openid that /sns/userinfo needs. A widely copied tutorial (seed 002_aa3bf60b0a6cfa3f.txt) does exactly this.",
            "/cgi-bin/token（grant_type=client_credential）不需要 code，也不返回 openid，它代表的是应用。code 应在 /sns/oauth2/access_token（grant_type=authorization_code）换取，返回 /sns/userinfo 所需的网页授权 access_token 和 openid。一篇流传很广的教程（seed 002_aa3bf60b0a6cfa3f.txt）正是这样写的。",
        ))
        .fix(Text::new(
            "call /sns/oauth2/access_token?appid=…&secret=…&code=CODE&grant_type=authorization_code",
            "改为调用 /sns/oauth2/access_token?appid=…&secret=…&code=CODE&grant_type=authorization_code",
        ))
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
            Text::new(
                format!("the call succeeded, but the account is frozen ({seen})"),
                format!("调用成功，但该账户已被冻结（{seen}）"),
            ),
        )
        .explanation(Text::new(
            "alipay.user.info.share answers 10000 for a frozen account too: the profile is returned, the account is not usable. A login that only checks the result code lets it in.",
            "账户被冻结时 alipay.user.info.share 同样返回 10000：会员信息照常返回，但账户不可正常使用。只判断返回码的登录逻辑会放行它。",
        ))
        .fix(Text::new(
            "decide what a frozen account may do in your app (refuse, or allow with limits) and check user_status / is_blocked after the call",
            "在业务中决定冻结账户能做什么（拒绝或限制使用），调用后检查 user_status / is_blocked",
        )),
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
            Text::new(
                format!("the authorize URL asked for scope {requested}, but {granted} was granted"),
                format!("授权链接申请的 scope 是 {requested}，实际授予的是 {granted}"),
            ),
        )
        .explanation(Text::new(
            "The token can only do what the granted scope allows: a silent scope (auth_base / snsapi_base) cannot read the profile. The platform or the user decided, not the URL.",
            "令牌的能力以实际授予的 scope 为准：静默授权（auth_base / snsapi_base）不能获取用户信息。授予范围由平台或用户决定，而不是授权链接。",
        ))
        .fix(Text::new(
            "read the granted scope before calling the profile API, and ask again (with the consent scope) when it is not enough",
            "调用用户信息接口前先检查实际授予的 scope，不够时用需要用户同意的 scope 重新授权",
        )),
    )
}

/// Only a code was given (no redirect URL): the `state` (CSRF) check did not happen.
fn state_unchecked(flow: &Flow) -> Option<Finding> {
    let web = !matches!(flow.kind(), crate::flow::FlowKind::AlipayMini);
    let ctx = flow.ctx();
    (web && ctx.code.is_some() && ctx.callback_url.is_none()).then(|| {
        Finding::new(
            Severity::Info,
            "flow.state-unchecked",
            Text::new(
                "only a code was given, so the state (CSRF) check was skipped",
                "只提供了 code，因此跳过了 state（CSRF）校验",
            ),
        )
        .explanation(Text::new(
            "The state parameter is compared when the whole redirect URL is pasted or received. A bare code carries no state, so nothing shows that this code came from this login.",
            "只有粘贴或收到完整的回跳地址时才会比对 state。单独的 code 不带 state，无法确认它来自本次登录。",
        ))
        .fix(Text::new(
            "paste the whole redirect URL (with state) to have it checked; your server must compare state on every callback",
            "粘贴完整的回跳地址（含 state）即可校验；你的服务端应在每次回调时比对 state",
        ))
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
        Finding::new(Severity::Error, "flow.code-reused", Text::new(
            format!("this walk already sent this code to the token endpoint ({uses} uses)"),
            format!("本次流程已经用这个 code 换过令牌（共 {uses} 次）"),
        ))
        .explanation(Text::new(
            "A code is single use: the first exchange consumes it, whether or not it succeeds. A page that redirects twice (or a retry) spends it a second time.",
            "授权码只能使用一次：第一次换取即被消耗，无论成功与否。页面重复跳转或请求重试会造成第二次使用。",
        ))
        .fix(Text::new(
            "authorize again for a fresh code, and exchange each code exactly once",
            "重新授权获取新 code，每个 code 只换取一次",
        ))
    })
}

/// A sandbox gateway with what looks like a production app id (or the reverse).
fn environment_mismatch(ex: &Exchange) -> Option<Finding> {
    let app_id = param(&ex.request.url, "app_id")?;
    let sandbox_host = ex.request.url.contains("alipaydev.com");
    if !crate::provider::alipay::environment_mismatch(sandbox_host, &app_id) {
        return None;
    }
    let (en, zh) = if sandbox_host {
        (
            "the sandbox gateway was called with what looks like a production app_id",
            "用看起来是正式环境的 app_id 调用了沙箱网关",
        )
    } else {
        (
            "a gateway other than Alipay's sandbox was called with what looks like a sandbox app_id",
            "用看起来是沙箱的 app_id 调用了非沙箱（正式环境）网关",
        )
    };
    Some(
        Finding::new(Severity::Warning, "alipay.triage.environment-mismatch", Text::new(en, zh))
            .explanation(Text::new(
                "Sandbox and production apps, keys and gateways are separate; sandbox app ids have been seen starting with 9021, 2021000 or 2016. This is an unverified heuristic.",
                "沙箱与正式环境的应用、密钥和网关互不相通；沙箱 app_id 常见以 9021、2021000 或 2016 开头。此为未经验证的经验判断。",
            ))
            .fix(Text::new(
                "use the gateway, app_id and keys of the same environment",
                "网关、app_id 与密钥需来自同一环境",
            )),
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
        Text::new(
            format!("the token comes from a {silent} authorization, which cannot call {api}"),
            format!("该令牌来自 {silent} 静默授权，不能调用 {api}"),
        ),
    )
    .explanation(Text::new(
        format!("{silent} only identifies the user (a user id / openid) without consent; reading the profile needs the user to consent with {consent}."),
        format!("{silent} 只在无感知的情况下识别用户（user_id / openid），读取用户信息需要用户通过 {consent} 授权同意。"),
    ))
    .fix(Text::new(
        format!("authorize again with scope={consent} and use that token"),
        format!("使用 scope={consent} 重新授权，并用新的令牌调用"),
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
    let (en, zh) = match (skew, sent) {
        (Some(skew), Some(sent)) => (
            format!("the request's timestamp {sent} is {skew:+} s from the gateway's clock"),
            format!("请求的 timestamp {sent} 与网关时间相差 {skew:+} 秒"),
        ),
        (_, Some(sent)) => (
            format!("the gateway rejected the timestamp {sent}"),
            format!("网关拒绝了 timestamp {sent}"),
        ),
        _ => (
            "the request carries no timestamp".to_owned(),
            "请求中没有 timestamp".to_owned(),
        ),
    };
    Finding::new(Severity::Error, "alipay.triage.clock-skew", Text::new(en, zh))
        .explanation(Text::new(
            "The timestamp must be yyyy-MM-dd HH:mm:ss in China time (UTC+8) and close to the gateway's clock. A host in another time zone that formats local time, or a drifting clock, fails this check.",
            "timestamp 须为北京时间（UTC+8）的 yyyy-MM-dd HH:mm:ss，且与网关时间接近。服务器在其他时区却按本地时间格式化、或系统时钟漂移，都会导致校验失败。",
        ))
        .fix(Text::new(
            "format the time in UTC+8 whatever the server's zone, and keep the clock synchronised (NTP)",
            "无论服务器在哪个时区都按 UTC+8 格式化时间，并用 NTP 同步时钟",
        ))
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
        .split_once("验签字符串为：")
        .or_else(|| sub_msg.split_once("验签字符串为:"))
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
    let (en, zh) = match (ours, &theirs) {
        (Some(t), Some(theirs)) if *theirs == t.canonical => (
            format!(
                "the gateway built the same string, so the key is wrong: the request was signed with the key SHA256:{key}…, which does not match the app public key uploaded to the console"
            ),
            format!(
                "网关生成的验签字符串与本地一致，问题在密钥：本次用指纹为 SHA256:{key}… 的私钥签名，与控制台上传的应用公钥不匹配"
            ),
        ),
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
                (
                    "the strings differ inside a secret value (the code or token): the gateway received another value than was signed".to_owned(),
                    "两端的待签名字符串在机密值（code 或令牌）内部不同：网关收到的值与签名时的值不一致".to_owned(),
                )
            } else {
                (
                    format!(
                        "the strings differ from character {}: we signed «{ours_tail}», the gateway checked «{theirs_tail}»",
                        at + 1
                    ),
                    format!(
                        "两端的待签名字符串从第 {} 个字符起不同：本地为「{ours_tail}」，网关为「{theirs_tail}」",
                        at + 1
                    ),
                )
            }
        }
        _ => (
            format!("the gateway could not verify the signature made with the key SHA256:{key}…"),
            format!("网关无法验证用指纹为 SHA256:{key}… 的私钥生成的签名"),
        ),
    };
    Finding::new(Severity::Error, "alipay.triage.signature", Text::new(en, zh))
        .explanation(Text::new(
            "Either the private key does not match the app public key uploaded to the console (another app, another environment, a regenerated key), or the signed string differs (empty parameters, URL-encoded values, another charset).",
            "要么签名私钥与控制台上传的应用公钥不是一对（其他应用、其他环境或重新生成过密钥），要么待签名字符串不同（空参数、值被 URL 编码、字符集不同）。",
        ))
        .fix(Text::new(
            "run `authwalk keys inspect --app-private-key KEY` and compare its fingerprint with the key in the console; sign exactly the parameters that are sent",
            "用 `authwalk keys inspect --app-private-key KEY` 查看指纹并与控制台中的公钥比对；只对实际发送的参数签名",
        ))
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
            Text::new(
                format!("the browser came back to {arrived}, not to the redirect_uri {sent} that was sent"),
                format!("浏览器回到了 {arrived}，而不是发出的 redirect_uri {sent}"),
            ),
        )
        .fix(Text::new(
            "use one redirect_uri, exactly as registered in the console, for the authorize URL and the callback handler",
            "授权链接与回调处理使用同一个、与控制台登记完全一致的 redirect_uri",
        ))
    })
}
