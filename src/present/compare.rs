//! Two exchanges, or two whole walks, side by side: which parameters, which string to sign,
//! which key, which answer and which findings differ, each difference weighed by whether it
//! can decide the outcome (the scope, the app id, the key, the sign type, the charset, the
//! redirect_uri, the endpoint) or never does (timestamps, `state`, nonces, codes and tokens,
//! signatures over them). The inspector's compare view and `authwalk diff` both show this.

use serde::Serialize;
use serde_json::Value;

use super::{ExchangeView, Walk};
use crate::flow::StepKind;

/// What part of an exchange differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The API called (the Alipay `method` or the path).
    Endpoint,
    /// The HTTP method.
    Method,
    /// Scheme, host and path.
    Url,
    /// A query or form parameter.
    Param,
    /// The string that was signed.
    Canonical,
    /// The fingerprint of the signing key.
    Key,
    /// The signature sent.
    Sign,
    /// The HTTP status of the answer.
    Status,
    /// How the exchange ended.
    Outcome,
    /// The provider's error code (`code`/`sub_code`, `errcode`).
    Code,
    /// The body of the answer, otherwise.
    Body,
    /// A finding one side has and the other has not.
    Finding,
    /// A step one walk has and the other has not.
    Step,
}

/// Whether a difference can change how a login ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weight {
    /// It decides the outcome: a different scope, app, key, sign type, charset,
    /// redirect_uri or endpoint.
    Decides,
    /// Worth a look (a value, an answer, a finding).
    Other,
    /// Differs on every walk and never matters (timestamps, `state`, nonces, codes, tokens,
    /// signatures over them).
    Never,
}

/// One difference: the part, its name (the parameter), and both sides (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The step it belongs to, in a walk's comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<StepKind>,
    pub part: Part,
    pub name: String,
    pub left: Option<String>,
    pub right: Option<String>,
    pub weight: Weight,
}

/// Parameters whose value decides the outcome.
const DECIDES: [&str; 10] = [
    "app_id",
    "appid",
    "scope",
    "sign_type",
    "charset",
    "redirect_uri",
    "method",
    "grant_type",
    "version",
    "format",
];

/// Parameters that differ on every walk and never matter.
const NEVER: [&str; 12] = [
    "timestamp",
    "state",
    "nonce",
    "nonce_str",
    "noncestr",
    "sign",
    "code",
    "auth_code",
    "auth_token",
    "access_token",
    "refresh_token",
    "alipay_sdk",
];

/// Whether two values are the same URL on a loopback host but for the port: two walks on
/// sandboxes started apart (each on a port of its own).
fn loopback_port_only(left: &str, right: &str) -> bool {
    let strip = |v: &str| -> Option<String> {
        let mut u = url::Url::parse(v).ok()?;
        let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        loopback.then(|| {
            let _ = u.set_port(None);
            u.to_string()
        })
    };
    strip(left).is_some_and(|l| strip(right).is_some_and(|r| l == r))
}

fn param_weight(name: &str) -> Weight {
    if DECIDES.contains(&name) {
        Weight::Decides
    } else if NEVER.contains(&name) {
        Weight::Never
    } else {
        Weight::Other
    }
}

/// The query and form parameters of a request as shown, in order.
pub fn params(url: &str, body: &str) -> Vec<(String, String)> {
    // A fragment (`#wechat_redirect`) is not sent; a transcript's placeholders (`tok#1`) hold
    // a `#` that is part of a value.
    let url = match url.rsplit_once('#') {
        Some((head, tail))
            if !tail.contains(['=', '&']) && !tail.chars().all(|c| c.is_ascii_digit()) =>
        {
            head
        }
        _ => url,
    };
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let decode = |t: &str| {
        url::form_urlencoded::parse(t.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect::<Vec<_>>()
    };
    let mut all = decode(query);
    if !body.trim_start().starts_with('{') {
        all.extend(decode(body));
    }
    all
}

/// Scheme, host and path of a URL.
fn base(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

fn differ(part: Part, name: &str, left: Option<String>, right: Option<String>) -> Difference {
    Difference {
        step: None,
        part,
        name: name.to_owned(),
        left,
        right,
        weight: Weight::Other,
    }
}

/// The parameters that differ between two lists, in the order of `left`, then those only in
/// `right`.
fn param_differences(
    left: &[(String, String)],
    right: &[(String, String)],
    out: &mut Vec<Difference>,
) {
    let get = |list: &[(String, String)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    for (k, v) in left {
        let other = get(right, k);
        if other.as_deref() != Some(v.as_str()) {
            // A transcript's placeholder (`uid#1`) hides the value: nothing to compare.
            let port_only = other.as_deref().is_some_and(|o| {
                loopback_port_only(v, o)
                    || crate::redact::is_placeholder(v)
                    || crate::redact::is_placeholder(o)
            });
            let mut d = differ(Part::Param, k, Some(v.clone()), other);
            d.weight = if port_only {
                Weight::Never
            } else {
                param_weight(k)
            };
            out.push(d);
        }
    }
    for (k, v) in right {
        if get(left, k).is_none() {
            let mut d = differ(Part::Param, k, None, Some(v.clone()));
            d.weight = param_weight(k);
            out.push(d);
        }
    }
}

/// The provider's error code of an answer: Alipay's `code`/`sub_code`, WeChat's `errcode`.
fn code_of(e: &ExchangeView) -> Option<String> {
    let d = e.decoded.as_ref()?;
    let text = |k: &str| {
        d.get(k).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    match (text("code"), text("sub_code"), text("errcode")) {
        (Some(c), Some(s), _) => Some(format!("{c} {s}")),
        (Some(c), None, _) => Some(c),
        (None, _, Some(e)) => Some(e),
        _ => None,
    }
}

/// Every difference between two exchanges (`left` the earlier, `right` the later, say).
pub fn exchanges(left: &ExchangeView, right: &ExchangeView) -> Vec<Difference> {
    let mut out = Vec::new();
    if left.endpoint != right.endpoint {
        let mut d = differ(
            Part::Endpoint,
            "endpoint",
            Some(left.endpoint.clone()),
            Some(right.endpoint.clone()),
        );
        d.weight = Weight::Decides;
        out.push(d);
    }
    if left.request.method != right.request.method {
        out.push(differ(
            Part::Method,
            "method",
            Some(left.request.method.clone()),
            Some(right.request.method.clone()),
        ));
    }
    let (lb, rb) = (base(&left.request.url), base(&right.request.url));
    if lb != rb && !loopback_port_only(lb, rb) {
        out.push(differ(
            Part::Url,
            "url",
            Some(lb.to_owned()),
            Some(rb.to_owned()),
        ));
    }
    param_differences(
        &params(&left.request.url, &left.request.body),
        &params(&right.request.url, &right.request.body),
        &mut out,
    );
    signing_differences(left, right, &mut out);
    answer_differences(left, right, &mut out);
    out
}

fn signing_differences(left: &ExchangeView, right: &ExchangeView, out: &mut Vec<Difference>) {
    let (ls, rs) = (left.signing.as_ref(), right.signing.as_ref());
    let key = |s: Option<&super::SigningView>| s.map(|s| s.key_fingerprint.clone());
    if key(ls) != key(rs) {
        let mut d = differ(Part::Key, "key_fingerprint", key(ls), key(rs));
        d.weight = Weight::Decides;
        out.push(d);
    }
    let canonical = |s: Option<&super::SigningView>| s.map(|s| s.canonical.clone());
    if canonical(ls) != canonical(rs) {
        let mut d = differ(Part::Canonical, "canonical", canonical(ls), canonical(rs));
        d.weight = Weight::Never;
        out.push(d);
    }
    let sign = |s: Option<&super::SigningView>| s.map(|s| s.sign.clone());
    match (ls, rs) {
        (Some(a), Some(b)) if a.sign == b.sign && a.canonical != b.canonical => {
            // One signature over two strings: it can verify for one of them at most.
            out.push(differ(
                Part::Sign,
                "sign",
                Some(a.sign.clone()),
                Some(b.sign.clone()),
            ));
        }
        _ if sign(ls) != sign(rs) => {
            let mut d = differ(Part::Sign, "sign", sign(ls), sign(rs));
            d.weight = Weight::Never;
            out.push(d);
        }
        _ => {}
    }
}

fn answer_differences(left: &ExchangeView, right: &ExchangeView, out: &mut Vec<Difference>) {
    let status = |e: &ExchangeView| e.response.as_ref().map(|r| r.status.to_string());
    if status(left) != status(right) {
        out.push(differ(Part::Status, "status", status(left), status(right)));
    }
    if left.outcome != right.outcome {
        out.push(differ(
            Part::Outcome,
            "outcome",
            Some(left.outcome.id().to_owned()),
            Some(right.outcome.id().to_owned()),
        ));
    }
    // The scope the provider granted decides what the token can do.
    let granted = |e: &ExchangeView| {
        e.decoded
            .as_ref()
            .and_then(|d| d.get("scope"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if granted(left) != granted(right) {
        let mut d = differ(Part::Code, "scope", granted(left), granted(right));
        d.part = Part::Body;
        d.weight = Weight::Decides;
        out.push(d);
    }
    let body = |e: &ExchangeView| e.response.as_ref().map(|r| r.body.clone());
    if code_of(left) == code_of(right) {
        if body(left) != body(right) {
            let mut d = differ(Part::Body, "body", body(left), body(right));
            // Two successful answers differ in their tokens and times.
            d.weight = Weight::Never;
            out.push(d);
        }
    } else {
        out.push(differ(Part::Code, "code", code_of(left), code_of(right)));
    }
    let codes = |e: &ExchangeView| {
        e.findings
            .iter()
            .map(|f| f.code.clone())
            .collect::<Vec<_>>()
    };
    let (lc, rc) = (codes(left), codes(right));
    for c in &lc {
        if !rc.contains(c) {
            out.push(differ(Part::Finding, c, Some(c.clone()), None));
        }
    }
    for c in &rc {
        if !lc.contains(c) {
            out.push(differ(Part::Finding, c, None, Some(c.clone())));
        }
    }
}

/// The parameters that differ, by name: what the compare view's first line names.
pub fn changed_params(differences: &[Difference]) -> Vec<&str> {
    differences
        .iter()
        .filter(|d| d.part == Part::Param)
        .map(|d| d.name.as_str())
        .collect()
}

/// Two walks step by step: the authorize URL's parameters, then each step's latest exchange.
pub fn walks(left: &Walk, right: &Walk) -> Vec<Difference> {
    let mut out = Vec::new();
    let authorize = |w: &Walk| {
        w.context
            .authorize_url
            .as_deref()
            .map(|u| params(u, ""))
            .unwrap_or_default()
    };
    let (la, ra) = (authorize(left), authorize(right));
    if !la.is_empty() && !ra.is_empty() {
        let mut found = Vec::new();
        param_differences(&la, &ra, &mut found);
        for mut d in found {
            d.step = Some(StepKind::Authorize);
            out.push(d);
        }
    }
    let mut steps: Vec<StepKind> = left.steps.iter().map(|s| s.id).collect();
    for s in &right.steps {
        if !steps.contains(&s.id) {
            steps.push(s.id);
        }
    }
    for step in steps {
        let found = match (exchange(left, step), exchange(right, step)) {
            (Some(a), Some(b)) => exchanges(a, b),
            (None, None) => continue,
            (a, b) => {
                let mut d = differ(
                    Part::Step,
                    step.id(),
                    a.map(|e| e.endpoint.clone()),
                    b.map(|e| e.endpoint.clone()),
                );
                // A step one walk did not take: what it would have called is not a choice.
                d.weight = Weight::Other;
                vec![d]
            }
        };
        for mut d in found {
            d.step = Some(step);
            out.push(d);
        }
    }
    out
}

/// The latest exchange of `step` in `walk`.
fn exchange(walk: &Walk, step: StepKind) -> Option<&ExchangeView> {
    walk.step(step)
        .and_then(|r| r.exchange)
        .and_then(|i| walk.exchanges.get(i))
}

/// Whether any difference decides the outcome (`authwalk diff` exits 1).
pub fn decides(differences: &[Difference]) -> bool {
    differences.iter().any(|d| d.weight == Weight::Decides)
}

#[cfg(test)]
mod tests;

impl Part {
    /// Its name in `authwalk diff --json` and on the screen.
    pub fn id(self) -> &'static str {
        match self {
            Self::Endpoint => "endpoint",
            Self::Method => "method",
            Self::Url => "url",
            Self::Param => "param",
            Self::Canonical => "canonical",
            Self::Key => "key",
            Self::Sign => "sign",
            Self::Status => "status",
            Self::Outcome => "outcome",
            Self::Code => "code",
            Self::Body => "body",
            Self::Finding => "finding",
            Self::Step => "step",
        }
    }
}

/// One difference on one line: `part name: left → right`, `—` for an absent side, each
/// value cut to `width` characters. A face escapes it before drawing.
pub fn line(d: &Difference, width: usize) -> String {
    let cut = |v: &Option<String>| {
        v.as_deref().map_or_else(
            || "—".to_owned(),
            |v| {
                let one: String = v.replace(['\n', '\r'], " ");
                if one.chars().count() > width {
                    let mut s: String = one.chars().take(width).collect();
                    s.push('…');
                    s
                } else {
                    one
                }
            },
        )
    };
    let name = if d.part.id() == d.name {
        String::new()
    } else {
        format!(" {}", d.name)
    };
    format!(
        "{}{name}: {} → {}",
        d.part.id(),
        cut(&d.left),
        cut(&d.right)
    )
}
