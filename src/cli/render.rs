//! Text and JSON output of a walk: the request line, the signed string and signature, the
//! response, the verification, the fields with their meaning, and the findings. Secrets are
//! masked unless `--reveal`.

use std::borrow::Cow;
use std::io::{self, IsTerminal as _, Write};
use std::time::Duration;

use serde_json::{Value, json};

use super::run::Target;
use crate::finding::{Finding, Lang, Severity};
use crate::flow::{Exchange, ExchangeOutcome, Flow, StepKind, StepState, Timed};
use crate::provider::alipay::Outcome;
use crate::transport::DriveEvent;
use crate::{redact, triage};

/// Terminal styling: ANSI colours on a terminal, unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn detect(json: bool) -> Self {
        let color = !json
            && io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self { color }
    }

    fn paint<'a>(self, code: &str, text: &'a str) -> Cow<'a, str> {
        if self.color {
            Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
        } else {
            Cow::Borrowed(text)
        }
    }

    fn bold(self, t: &str) -> Cow<'_, str> {
        self.paint("1", t)
    }
    fn dim(self, t: &str) -> Cow<'_, str> {
        self.paint("2", t)
    }
    fn green(self, t: &str) -> Cow<'_, str> {
        self.paint("32", t)
    }
    fn red(self, t: &str) -> Cow<'_, str> {
        self.paint("31", t)
    }
    fn yellow(self, t: &str) -> Cow<'_, str> {
        self.paint("33", t)
    }
    fn cyan(self, t: &str) -> Cow<'_, str> {
        self.paint("36", t)
    }
}

/// How to print.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub reveal: bool,
    pub lang: Lang,
    pub style: Style,
}

impl Options {
    fn url(self, url: &str) -> Cow<'_, str> {
        if self.reveal {
            Cow::Borrowed(url)
        } else {
            redact::redact_query(url)
        }
    }
    fn pairs(self, text: &str) -> Cow<'_, str> {
        if self.reveal {
            Cow::Borrowed(text)
        } else {
            redact::redact_pairs(text)
        }
    }
    fn json_text(self, text: &str) -> Cow<'_, str> {
        if self.reveal {
            Cow::Borrowed(text)
        } else {
            redact::redact_json_text(text)
        }
    }
    fn secret(self, value: &str) -> String {
        if self.reveal {
            value.to_owned()
        } else {
            redact::mask(value)
        }
    }
}

pub fn header(out: &mut impl Write, flow: &Flow, target: &Target, o: Options) -> io::Result<()> {
    let s = o.style;
    writeln!(
        out,
        "{} · {} · {} {} · {}",
        s.bold("authwalk"),
        s.bold(flow.kind.id()),
        target.kind,
        target.name,
        s.dim(&target.base)
    )?;
    writeln!(out, "{}", s.dim(flow.kind.title().get(o.lang)))
}

fn step_heading(
    out: &mut impl Write,
    flow: &Flow,
    step: StepKind,
    extra: &str,
    o: Options,
) -> io::Result<()> {
    let total = flow
        .steps
        .iter()
        .filter(|s| s.state != StepState::Skipped)
        .count();
    let index = flow
        .steps
        .iter()
        .filter(|s| s.state != StepState::Skipped)
        .position(|s| s.kind == step)
        .map_or(0, |i| i + 1);
    let title = format!(
        "[{index}/{total}] {} · {}{extra}",
        step.id(),
        step.title().get(o.lang)
    );
    writeln!(out)?;
    writeln!(out, "{}", o.style.bold(&o.style.cyan(&title)))
}

/// Print one driver event as it happens.
pub fn event(out: &mut impl Write, flow: &Flow, event: &DriveEvent, o: Options) -> io::Result<()> {
    let s = o.style;
    match event {
        DriveEvent::AwaitingCallback { authorize_url } => {
            step_heading(out, flow, StepKind::Authorize, "", o)?;
            writeln!(out, "  GET {}", o.url(authorize_url))?;
        }
        DriveEvent::Callback { url } => {
            let step = if flow
                .steps
                .iter()
                .any(|st| st.kind == StepKind::MiniAuthCode)
            {
                StepKind::MiniAuthCode
            } else {
                StepKind::Callback
            };
            step_heading(out, flow, step, "", o)?;
            // A bare code (pasted, or from my.getAuthCode) is a secret as a whole.
            let shown = if url.contains("://") {
                o.url(url).into_owned()
            } else {
                o.secret(url)
            };
            writeln!(out, "  {shown}")?;
            let ctx = &flow.ctx;
            let mut facts = Vec::new();
            if ctx
                .callback_params
                .iter()
                .any(|(k, v)| k == "state" && !v.is_empty())
            {
                facts.push(format!("state {} matches", s.green("✓")));
            }
            for (k, v) in &ctx.callback_params {
                if matches!(k.as_str(), "app_id" | "scope" | "source") {
                    facts.push(format!("{k} {v}"));
                }
            }
            if let Some(code) = &ctx.code {
                facts.push(format!("code {}{}", o.secret(&code.value), lifetime(code)));
            }
            if !facts.is_empty() {
                writeln!(out, "  {}", facts.join(" · "))?;
            }
        }
        DriveEvent::Refused { message } => {
            writeln!(out, "  {} {message}", s.red("✗"))?;
            for note in &flow.notes {
                finding(out, note, o)?;
            }
        }
        DriveEvent::Sending { .. } => {}
        DriveEvent::Exchanged { index } => exchange(out, flow, *index, o)?,
    }
    Ok(())
}

fn lifetime(t: &Timed) -> String {
    t.expires.map_or_else(
        || " (single use; expires within minutes)".to_owned(),
        |e| {
            format!(
                " (valid {} more, single use)",
                human_seconds(rounded_seconds(e - t.obtained))
            )
        },
    )
}

/// Whole seconds, rounded: `obtained` carries sub-second precision, and 1295999.6 s is 15 days.
fn rounded_seconds(d: time::Duration) -> i64 {
    (d + time::Duration::milliseconds(500)).whole_seconds()
}

fn human_seconds(s: i64) -> String {
    match s {
        s if s >= 86_400 => format!("{} d", s / 86_400),
        s if s >= 3_600 => format!("{} h", s / 3_600),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn exchange(out: &mut impl Write, flow: &Flow, index: usize, o: Options) -> io::Result<()> {
    let ex = &flow.exchanges[index];
    request(out, flow, ex, o)?;
    response(out, ex, o)?;
    fields(out, flow, ex, o)?;
    for f in &triage::exchange(flow, index) {
        finding(out, f, o)?;
    }
    Ok(())
}

/// The request line, headers, body, and for Alipay the signed string and `sign`.
fn request(out: &mut impl Write, flow: &Flow, ex: &Exchange, o: Options) -> io::Result<()> {
    let s = o.style;
    let method_name = ex.request.signing.as_ref().and_then(|_| {
        ex.request
            .url
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("method="))
    });
    let extra = method_name.map(|m| format!(" · {m}")).unwrap_or_default();
    step_heading(out, flow, ex.step, &extra, o)?;

    writeln!(
        out,
        "  {} {} {}",
        s.dim("→"),
        ex.request.method,
        o.url(&ex.request.url)
    )?;
    for (k, v) in &ex.request.headers {
        writeln!(out, "    {k}: {v}")?;
    }
    if !ex.request.body.is_empty() {
        let body = String::from_utf8_lossy(&ex.request.body);
        writeln!(out, "    {}", o.pairs(&body))?;
    }
    if let Some(trace) = &ex.request.signing {
        writeln!(
            out,
            "  {} ({}, {} {}, {} bytes, sha256 {}):",
            s.bold("signed string"),
            trace.charset,
            trace.sign_type,
            trace.algorithm,
            trace.canonical.len(),
            &trace.canonical_sha256[..16]
        )?;
        writeln!(out, "    {}", o.pairs(&trace.canonical))?;
        writeln!(
            out,
            "  {} (key SHA256:{}…):",
            s.bold("sign"),
            &trace.key_fingerprint[..16]
        )?;
        writeln!(out, "    {}", trace.signature)?;
    }

    Ok(())
}

/// The status line, the body (pretty when JSON), and the signature check.
fn response(out: &mut impl Write, ex: &Exchange, o: Options) -> io::Result<()> {
    let s = o.style;
    match &ex.response {
        Some(r) => {
            let ct = r.header("content-type").unwrap_or("no content-type");
            writeln!(
                out,
                "  {} {} · {} ms · {} · {} bytes",
                s.dim("←"),
                r.status,
                ex.elapsed.as_millis(),
                ct,
                r.body.len()
            )?;
            let text = String::from_utf8_lossy(&r.body);
            let shown = match serde_json::from_slice::<Value>(&r.body) {
                Ok(mut v) => {
                    if !o.reveal {
                        redact::redact_json(&mut v);
                    }
                    serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string())
                }
                Err(_) => o.json_text(&text).chars().take(2000).collect(),
            };
            for line in shown.lines() {
                writeln!(out, "    {line}")?;
            }
        }
        None => writeln!(
            out,
            "  {} no response after {} ms",
            s.red("✗"),
            ex.elapsed.as_millis()
        )?,
    }

    if let Some(v) = &ex.verification {
        let mark = match v.outcome {
            Outcome::Verified | Outcome::VerifiedUnescaped => s.green("✓"),
            Outcome::Mismatch => s.red("✗"),
            Outcome::Unsigned => s.yellow("–"),
        };
        writeln!(
            out,
            "  {} {mark} {}: {}",
            s.bold("signature"),
            v.outcome.label(),
            v.reason
        )?;
        if let Some(text) = &v.signed_text {
            writeln!(out, "    {} {}", s.dim("signed text:"), o.json_text(text))?;
        }
    }

    Ok(())
}

/// Each decoded field with its one-line meaning, for a successful exchange.
fn fields(out: &mut impl Write, flow: &Flow, ex: &Exchange, o: Options) -> io::Result<()> {
    let s = o.style;
    if let Some(Value::Object(map)) = &ex.decoded
        && ex.outcome == ExchangeOutcome::Ok
    {
        writeln!(out, "  {}", s.bold("fields"))?;
        let width = map
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        for (k, v) in map {
            let value = match v {
                Value::String(text) if redact::SECRET_FIELDS.contains(&k.as_str()) => {
                    o.secret(text)
                }
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let meaning = super::meaning::field(flow.kind.is_alipay(), ex.step, k, v, o.lang);
            match meaning {
                Some(m) => writeln!(
                    out,
                    "    {k:<width$}  {value}  {}",
                    s.dim(&format!("— {m}"))
                )?,
                None => writeln!(out, "    {k:<width$}  {value}")?,
            }
        }
    }
    Ok(())
}

fn finding(out: &mut impl Write, f: &Finding, o: Options) -> io::Result<()> {
    let s = o.style;
    let mark = match f.severity {
        Severity::Error => s.red("✗"),
        Severity::Warning => s.yellow("!"),
        Severity::Info => s.cyan("i"),
    };
    writeln!(
        out,
        "  {mark} {} {}",
        s.bold(f.title.get(o.lang)),
        s.dim(&format!("[{}]", f.code))
    )?;
    let explanation = f.explanation.get(o.lang);
    for line in explanation.lines().filter(|l| !l.trim().is_empty()) {
        writeln!(out, "      {line}")?;
    }
    let fix = f.fix.get(o.lang);
    if !fix.is_empty() {
        let label = if o.lang == Lang::Zh {
            "解决："
        } else {
            "fix: "
        };
        for (i, line) in fix.lines().enumerate() {
            let lead = if i == 0 { label } else { "     " };
            writeln!(out, "      {lead}{line}")?;
        }
    }
    Ok(())
}

pub fn summary(
    out: &mut impl Write,
    flow: &Flow,
    ok: bool,
    elapsed: Duration,
    o: Options,
) -> io::Result<()> {
    let s = o.style;
    for note in flow
        .notes
        .iter()
        .filter(|n| n.code != "flow.state-mismatch")
    {
        finding(out, note, o)?;
    }
    let ran: Vec<_> = flow
        .steps
        .iter()
        .filter(|st| st.state != StepState::Skipped)
        .collect();
    let done = ran.iter().filter(|st| st.state == StepState::Done).count();
    writeln!(out)?;
    let verdict = if ok && flow.succeeded() {
        s.green("✓ succeeded")
    } else {
        s.red("✗ failed")
    };
    writeln!(
        out,
        "{verdict}: {done}/{} steps in {} ms",
        ran.len(),
        elapsed.as_millis()
    )?;
    let ctx = &flow.ctx;
    let ids: Vec<String> = [
        ("user_id", &ctx.user_id),
        ("open_id", &ctx.open_id),
        ("union_id", &ctx.union_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
    .collect();
    if !ids.is_empty() {
        writeln!(out, "  {}", ids.join(" · "))?;
    }
    if let Some(t) = &ctx.access_token {
        writeln!(
            out,
            "  access token {}{}",
            o.secret(&t.value),
            expiry_note(t)
        )?;
    }
    if let Some(t) = &ctx.refresh_token {
        writeln!(
            out,
            "  refresh token {}{}",
            o.secret(&t.value),
            expiry_note(t)
        )?;
    }
    Ok(())
}

fn expiry_note(t: &Timed) -> String {
    t.expires
        .map(|e| {
            let left = human_seconds(rounded_seconds(e - t.obtained));
            format!(", valid {left} (until {} China time)", china_time(e))
        })
        .unwrap_or_default()
}

/// `yyyy-MM-dd HH:mm:ss` in UTC+8, the way both providers write times.
fn china_time(t: time::OffsetDateTime) -> String {
    crate::provider::alipay::format_timestamp(t)
}

/// The whole walk as one JSON document, schema `authwalk.run/1` (documented in the README).
pub fn json_document(
    flow: &Flow,
    target: &Target,
    ok: bool,
    elapsed: Duration,
    o: Options,
) -> Value {
    let timed = |t: &Option<Timed>| {
        t.as_ref().map(|t| {
            json!({
                "value": o.secret(&t.value),
                "obtained": t.obtained.unix_timestamp(),
                "expires": t.expires.map(time::OffsetDateTime::unix_timestamp),
            })
        })
    };
    let ctx = &flow.ctx;
    json!({
        "schema": "authwalk.run/1",
        "flow": flow.kind.id(),
        "target": { "kind": target.kind, "name": target.name, "base": target.base },
        "ok": ok && flow.succeeded(),
        "elapsed_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "steps": flow.steps.iter().map(|s| json!({
            "id": s.kind.id(),
            "state": format!("{:?}", s.state).to_lowercase(),
            "exchange": s.exchange,
        })).collect::<Vec<_>>(),
        "context": {
            "state": ctx.state,
            "authorize_url": ctx.authorize_url.as_deref().map(|u| o.url(u).into_owned()),
            "callback": ctx.callback_params.iter().map(|(k, v)| {
                let v = if redact::SECRET_PARAMS.contains(&k.as_str()) { o.secret(v) } else { v.clone() };
                (k.clone(), Value::String(v))
            }).collect::<serde_json::Map<_, _>>(),
            "code": timed(&ctx.code),
            "access_token": timed(&ctx.access_token),
            "refresh_token": timed(&ctx.refresh_token),
            "scope": ctx.scope,
            "user_id": ctx.user_id,
            "open_id": ctx.open_id,
            "union_id": ctx.union_id,
        },
        "exchanges": (0..flow.exchanges.len()).map(|i| exchange_json(flow, i, o)).collect::<Vec<_>>(),
        "notes": flow.notes.iter().map(finding_json).collect::<Vec<_>>(),
    })
}

fn exchange_json(flow: &Flow, index: usize, o: Options) -> Value {
    let ex = &flow.exchanges[index];
    let body_text = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        o.json_text(&text).into_owned()
    };
    let mut decoded = ex.decoded.clone();
    if let Some(d) = decoded.as_mut()
        && !o.reveal
    {
        redact::redact_json(d);
    }
    json!({
        "step": ex.step.id(),
        "outcome": match ex.outcome {
            ExchangeOutcome::Ok => "ok",
            ExchangeOutcome::Rejected => "rejected",
            ExchangeOutcome::BadSignature => "bad_signature",
            ExchangeOutcome::Failed => "failed",
        },
        "request": {
            "method": ex.request.method.to_string(),
            "url": o.url(&ex.request.url),
            "headers": ex.request.headers,
            "body": o.pairs(&String::from_utf8_lossy(&ex.request.body)),
        },
        "signing": ex.request.signing.as_ref().map(|t| json!({
            "sign_type": t.sign_type,
            "algorithm": t.algorithm,
            "charset": t.charset,
            "canonical": o.pairs(&t.canonical),
            "canonical_sha256": t.canonical_sha256,
            "dropped": t.dropped,
            "sign": t.signature,
            "key_fingerprint": t.key_fingerprint,
        })),
        "response": ex.response.as_ref().map(|r| json!({
            "status": r.status,
            "headers": r.headers,
            "body": body_text(&r.body),
        })),
        "transport_error": ex.transport_error,
        "elapsed_ms": u64::try_from(ex.elapsed.as_millis()).unwrap_or(u64::MAX),
        "verification": ex.verification.as_ref().map(|v| json!({
            "outcome": v.outcome.id(),
            "reason": v.reason,
            "node": v.node,
            "signed_text": v.signed_text.as_deref().map(|t| o.json_text(t).into_owned()),
            "sign": v.sign,
            "alipay_cert_sn": v.cert_sn,
        })),
        "decoded": decoded,
        "findings": triage::exchange(flow, index).iter().map(finding_json).collect::<Vec<_>>(),
    })
}

fn finding_json(f: &Finding) -> Value {
    serde_json::to_value(f).unwrap_or(Value::Null)
}
