//! `authwalk replay FILE`: a saved walk read back for the inspector, read only. Three kinds of
//! file are understood:
//!
//! - a JSON transcript (`authwalk.transcript/1`), from `run --export` or `e` in the inspector;
//! - a `run --json` document (`authwalk.run/2`);
//! - a browser capture (HAR, or a list of URLs), triaged offline as `authwalk triage` does and
//!   laid out as the steps of the login it recorded; or the `triage --json` document
//!   (`authwalk.triage/1`) of one.
//!
//! Pure: bytes in, a [`Recording`] out, and from it the same [`Walk`] a live walk builds, with
//! its view-only parts rebuilt by [`crate::present::restore`]. Nothing is sent, no key is read.
//!
//! ```text
//!  file ─▶ Recording::read ─▶ Recording::walk(policy) ─▶ Walk ─▶ the inspector, read only
//! ```

use serde_json::Value;
use time::OffsetDateTime;

use crate::finding::{Finding, Text};
use crate::flow::{ExchangeOutcome, FlowKind, StepKind, StepState};
use crate::keys::PublicKey;
use crate::present::{
    ContextView, ExchangeView, Policy, RUN_SCHEMA, RUN_SCHEMA_V1, RequestView, ResponseView,
    StepRow, TargetInfo, TargetKind, TimedView, VerificationView, Walk,
};
use crate::provider::Provider;
use crate::transcript::{self, har};

/// What kind of file a recording came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Transcript,
    RunDocument,
    Capture,
}

/// Why a file cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(
        "the file starts as JSON but does not parse ({0}); was it cut off or edited? Export it \
         again (`run --export FILE`, or `e` in the inspector)"
    )]
    BrokenJson(String),
    #[error(
        "the file is JSON with schema '{0}', which this authwalk cannot replay (a newer \
         authwalk may have written it: update); replay reads a transcript (`run --export FILE`, \
         or `e` in the inspector), a `run --json` document, a `triage --json` document or a HAR \
         capture"
    )]
    UnknownSchema(String),
    #[error(
        "the walk in the file cannot be read: {0}. Was it edited by hand? Export it again with \
         `authwalk run FLOW --export FILE`"
    )]
    Malformed(String),
    #[error(transparent)]
    Capture(#[from] har::CaptureError),
    #[error(
        "the file is JSON but no walk authwalk wrote (no \"schema\") and no HAR (no \
         log.entries); replay reads a transcript (`run --export FILE`, or `e` in the \
         inspector), a `run --json` or `triage --json` document, or a HAR capture"
    )]
    NoSchema,
    #[error(
        "the capture holds no request of an Alipay or WeChat login (no authorize URL, callback, \
         gateway.do or /sns/ call); export the whole session from the browser's Network tab"
    )]
    EmptyCapture,
}

/// A walk as a file recorded it.
#[derive(Debug, Clone)]
pub struct Recording {
    pub origin: Origin,
    /// Its secrets are placeholders (or masked) already: nothing is left to reveal.
    pub redacted: bool,
    /// When it was exported, when the file says.
    pub exported_at: Option<OffsetDateTime>,
    walk: Walk,
}

impl Recording {
    /// Read a transcript, a walk document or a capture. `alipay_key` verifies the Alipay
    /// responses of a capture (a transcript carries its own verification).
    pub fn read(bytes: &[u8], alipay_key: Option<&PublicKey>) -> Result<Self, ReplayError> {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let doc: Option<Value> = if text.starts_with('{') {
            Some(serde_json::from_str(text).map_err(|e| ReplayError::BrokenJson(e.to_string()))?)
        } else {
            None
        };
        let schema = doc
            .as_ref()
            .and_then(|d| d.get("schema"))
            .and_then(Value::as_str);
        match (schema, &doc) {
            (Some(transcript::SCHEMA), Some(doc)) => {
                let walk = doc
                    .get("walk")
                    .ok_or_else(|| ReplayError::Malformed("no \"walk\" in it".to_owned()))?;
                Ok(Self {
                    origin: Origin::Transcript,
                    // Only a file that says so holds placeholders alone; anything else is masked.
                    redacted: doc.get("redacted").and_then(Value::as_bool) == Some(true),
                    exported_at: doc
                        .get("exported_at")
                        .and_then(Value::as_str)
                        .and_then(|t| {
                            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                                .ok()
                        }),
                    walk: walk_of(walk)?,
                })
            }
            (Some(RUN_SCHEMA | RUN_SCHEMA_V1), Some(doc)) => Ok(Self {
                origin: Origin::RunDocument,
                // `run --json` masks unless `--reveal`; masking again changes nothing.
                redacted: false,
                exported_at: None,
                walk: walk_of(doc)?,
            }),
            (Some(har::SCHEMA), Some(doc)) => {
                let triage: har::Triage = serde_json::from_value(doc.clone())
                    .map_err(|e| ReplayError::Malformed(e.to_string()))?;
                Self::of_capture(&triage)
            }
            (Some(other), Some(_)) => Err(ReplayError::UnknownSchema(other.to_owned())),
            (None, Some(doc)) if doc.get("log").is_none() => Err(ReplayError::NoSchema),
            _ => {
                let entries = har::parse_capture(bytes)?;
                Self::of_capture(&har::triage(&entries, alipay_key))
            }
        }
    }

    /// A triaged capture. Triage masks what it keeps, but a `triage --json` document may have
    /// been edited: it is masked again (masking is idempotent).
    fn of_capture(triage: &har::Triage) -> Result<Self, ReplayError> {
        Ok(Self {
            origin: Origin::Capture,
            redacted: false,
            exported_at: None,
            walk: capture_walk(triage).ok_or(ReplayError::EmptyCapture)?,
        })
    }

    /// The walk as the inspector shows it, masked by `policy` (a redacted recording has
    /// nothing left to mask), countdowns standing at [`Recording::moment`].
    pub fn walk(&self, policy: Policy) -> Walk {
        crate::present::restore(self.walk.clone(), policy, self.redacted, self.moment())
    }

    /// The moment the screens stand still at: the export, else the last thing the walk
    /// obtained.
    pub fn moment(&self) -> OffsetDateTime {
        self.exported_at.unwrap_or_else(|| {
            let ctx = &self.walk.context;
            [&ctx.code, &ctx.access_token, &ctx.refresh_token]
                .into_iter()
                .flatten()
                .map(|t| t.obtained)
                .max()
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        })
    }
}

/// A walk document read and checked: its rows are the steps of its flow, in order, each once;
/// its exchanges belong to those steps; its times are times. What it says of itself (`ok`)
/// cannot contradict its rows.
fn walk_of(doc: &Value) -> Result<Walk, ReplayError> {
    let bad = |why: String| ReplayError::Malformed(why);
    // Counted before the walk is read: each exchange is an attempt at its step.
    let mut attempts: Vec<(&str, usize)> = Vec::new();
    for step in doc
        .get("exchanges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("step").and_then(Value::as_str))
    {
        let n = match attempts.iter_mut().find(|(s, _)| *s == step) {
            Some((_, n)) => n,
            None => &mut attempts.push_mut((step, 0)).1,
        };
        *n += 1;
        if *n > crate::limits::MAX_ATTEMPTS_PER_STEP {
            return Err(bad(format!(
                "more than {max} exchanges of step '{step}', and a step is tried at most {max} \
                 times in one walk",
                step = crate::escape::visible(step),
                max = crate::limits::MAX_ATTEMPTS_PER_STEP
            )));
        }
    }
    let mut walk: Walk = serde_json::from_value(doc.clone()).map_err(|e| bad(e.to_string()))?;
    let rows: Vec<StepKind> = walk.steps.iter().map(|r| r.id).collect();
    let refresh = rows.contains(&StepKind::Refresh);
    let expected = walk
        .flow
        .steps_with(refresh, rows.contains(&StepKind::PhoneNumber));
    if rows != expected {
        let ids = |steps: &[StepKind]| steps.iter().map(|s| s.id()).collect::<Vec<_>>().join(", ");
        return Err(bad(format!(
            "its steps ({}) are not those of {} ({})",
            ids(&rows),
            walk.flow,
            ids(&expected)
        )));
    }
    if let Some(ex) = walk.exchanges.iter().find(|e| !rows.contains(&e.step)) {
        return Err(bad(format!(
            "an exchange of step '{}', which {} does not have",
            ex.step, walk.flow
        )));
    }
    let ctx = &walk.context;
    for t in [&ctx.code, &ctx.access_token, &ctx.refresh_token]
        .into_iter()
        .flatten()
    {
        for time in std::iter::once(t.obtained).chain(t.expires) {
            if OffsetDateTime::from_unix_timestamp(time).is_err() {
                return Err(bad(format!("{time} is not a time (Unix seconds)")));
            }
        }
    }
    walk.ok &= !walk.steps.iter().any(|r| r.state == StepState::Failed);
    Ok(walk)
}

/// The login a triaged capture recorded, as a walk: its steps in the flow's order, each call
/// an exchange with the findings triage gave it.
fn capture_walk(t: &har::Triage) -> Option<Walk> {
    let first = t.steps.first()?;
    let provider = first.provider;
    let steps: Vec<&har::Step> = t.steps.iter().filter(|s| s.provider == provider).collect();
    let authorize = steps.iter().find(|s| s.role == har::Role::Authorize);
    let flow = match provider {
        Provider::Alipay if authorize.is_some() => FlowKind::AlipayWeb,
        Provider::Alipay => FlowKind::AlipayMini,
        Provider::Wechat
            if authorize.is_some_and(|a| a.url.to_ascii_lowercase().contains("/qrconnect")) =>
        {
            FlowKind::WechatQr
        }
        Provider::Wechat => FlowKind::WechatWeb,
    };
    let mut context = ContextView::default();
    let mut exchanges: Vec<ExchangeView> = Vec::new();
    let mut seen: Vec<(StepKind, StepState, Option<usize>)> = Vec::new();
    let mut notes = t.findings.clone();
    let mut base = String::new();
    let mut timeline = Vec::new();
    for s in &steps {
        let step = match s.role {
            har::Role::Authorize => {
                context.authorize_url = Some(s.url.clone());
                context.state = query(&s.url, "state").unwrap_or_default();
                context.scope = query(&s.url, "scope");
                notes.extend(s.findings.iter().cloned());
                seen.push((StepKind::Authorize, StepState::Done, None));
                continue;
            }
            har::Role::Callback => {
                note_callback(&mut context, &s.url);
                timeline.push(capture_hit(s));
                seen.push((StepKind::Callback, StepState::Done, None));
                continue;
            }
            har::Role::Gateway | har::Role::Api => {
                if base.is_empty()
                    && let Ok(u) = url::Url::parse(&s.url)
                {
                    base = u.origin().ascii_serialization();
                }
                let Some(step) = api_step(s) else {
                    notes.extend(s.findings.iter().cloned());
                    continue;
                };
                step
            }
        };
        let (view, ok) = capture_exchange(provider, step, s);
        seen.push((
            step,
            if ok {
                StepState::Done
            } else {
                StepState::Failed
            },
            Some(exchanges.len()),
        ));
        exchanges.push(view);
    }
    notes.extend(capture_twice(&timeline));
    let rows = capture_rows(flow, &seen);
    let ok = rows.iter().all(|r| r.state == StepState::Done)
        && !notes
            .iter()
            .any(|f| f.severity == crate::finding::Severity::Error);
    Some(Walk {
        schema: RUN_SCHEMA,
        flow,
        target: capture_target(flow, base),
        ok,
        elapsed_ms: 0,
        steps: rows,
        context,
        exchanges,
        notes,
        pending: None,
        problem: None,
        callback: None,
        summary: crate::present::Summary::default(),
        timeline,
    })
}

/// Where a captured walk went: the provider, at the host the capture recorded.
fn capture_target(flow: FlowKind, base: String) -> TargetInfo {
    let name = flow.provider().display_name();
    TargetInfo {
        scenario: None,
        kind: TargetKind::Capture,
        name: name.get(crate::lang::Lang::EN).to_owned(),
        base,
        app: name,
        user: None,
    }
}

/// The flow's rows, each in the state of its last call in the capture; `Pending` when the
/// capture does not have it.
fn capture_rows(flow: FlowKind, seen: &[(StepKind, StepState, Option<usize>)]) -> Vec<StepRow> {
    let has_refresh = seen.iter().any(|(k, ..)| *k == StepKind::Refresh);
    flow.steps(has_refresh)
        .into_iter()
        .map(|id| {
            let last = seen.iter().rev().find(|(k, ..)| *k == id);
            StepRow {
                id,
                state: last.map_or(StepState::Pending, |(_, s, _)| *s),
                exchange: last.and_then(|(.., e)| *e),
                title: Text::default(),
                number: None,
                countdown: None,
            }
        })
        .collect()
}

/// What a callback URL of a capture tells: its parameters and the code (masked, as the
/// capture shows it; a capture has no clock).
fn note_callback(context: &mut ContextView, url: &str) {
    context.callback_url = Some(url.to_owned());
    if let Ok(u) = url::Url::parse(url) {
        context.callback = u
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
    }
    // The code as the capture shows it (masked); a capture has no clock.
    context.code = ["auth_code", "code"]
        .into_iter()
        .find_map(|k| context.callback.get(k).and_then(Value::as_str))
        .map(|code| TimedView {
            value: code.to_owned(),
            obtained: 0,
            expires: None,
            lifetime_s: None,
            expires_china: None,
        });
}

/// A callback request of a capture as a hit of the timeline: its time and user agent when the
/// capture kept them.
fn capture_hit(s: &har::Step) -> crate::present::HitView {
    let at = s.started.as_deref().and_then(|t| {
        OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    });
    crate::present::HitView {
        at_ms: at.map_or(0, |t| {
            i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or_default()
        }),
        clock: at.map(crate::flow::clock).unwrap_or_default(),
        source: "capture".to_owned(),
        user_agent: s.user_agent.clone(),
        state: query(&s.url, "state"),
        code: query(&s.url, "code").or_else(|| query(&s.url, "auth_code")),
        result: "seen".to_owned(),
    }
}

/// A code that reached a capture's callback more than once: the finding the live walk notes.
fn capture_twice(timeline: &[crate::present::HitView]) -> Option<Finding> {
    let (i, hit) = timeline
        .iter()
        .enumerate()
        .find(|(i, h)| h.code.is_some() && timeline[..*i].iter().any(|e| e.code == h.code))?;
    let same: Vec<&crate::present::HitView> = timeline[..=i]
        .iter()
        .filter(|h| h.code == hit.code)
        .collect();
    let times: Vec<&str> = same
        .iter()
        .map(|h| {
            if h.clock.is_empty() {
                "?"
            } else {
                h.clock.as_str()
            }
        })
        .collect();
    Some(
        Finding::new(
            crate::finding::Severity::Error,
            crate::flow::CALLBACK_TWICE,
            Text::with(
                "flow.callback-twice",
                &[
                    ("count", &same.len()),
                    ("code", &hit.code.clone().unwrap_or_default()),
                    ("times", &times.join(", ")),
                ],
            ),
        )
        .explanation(Text::key("flow.callback-twice-why"))
        .fix(Text::key("flow.callback-twice-fix")),
    )
}

/// Which step an API call of a capture is, if any (each endpoint belongs to one provider).
fn api_step(s: &har::Step) -> Option<StepKind> {
    use crate::provider::alipay::{METHOD_OAUTH_TOKEN, METHOD_USER_INFO};
    let refresh =
        s.body.contains("grant_type=refresh_token") || s.url.contains("grant_type=refresh_token");
    match (s.endpoint.as_str(), refresh) {
        (METHOD_OAUTH_TOKEN, true) | ("/sns/oauth2/refresh_token", _) => Some(StepKind::Refresh),
        // The basic token a tutorial fetches in place of the code exchange (seed 002) stands
        // where the exchange should have been: the last call of a step wins its row.
        (METHOD_OAUTH_TOKEN | "/sns/oauth2/access_token" | "/cgi-bin/token", _) => {
            Some(StepKind::Token)
        }
        ("/sns/auth", _) => Some(StepKind::CheckToken),
        // The mix-up of seed 002 calls the basic-token API for the profile: it is the walk's
        // user-info step all the same, and its findings say what went wrong.
        (METHOD_USER_INFO | "/sns/userinfo" | "/cgi-bin/user/info", _) => Some(StepKind::UserInfo),
        _ => None,
    }
}

/// One call of a capture as an exchange, and whether it succeeded.
fn capture_exchange(provider: Provider, step: StepKind, s: &har::Step) -> (ExchangeView, bool) {
    let body: Option<Value> = s
        .response
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok());
    let decoded = body.as_ref().map(|b| match provider {
        Provider::Alipay => b
            .as_object()
            .and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.ends_with("_response"))
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| b.clone()),
        Provider::Wechat => b.clone(),
    });
    let rejected = decoded.as_ref().is_some_and(|d| match provider {
        Provider::Alipay => {
            d.get("code").and_then(Value::as_str).unwrap_or("10000") != "10000"
                || d.get("sub_code").is_some()
        }
        Provider::Wechat => d.get("errcode").and_then(Value::as_i64).unwrap_or(0) != 0,
    });
    let mismatch = s
        .signature
        .as_ref()
        .is_some_and(|(o, _)| o == "mismatch" || o == "unsigned");
    let outcome = if s.response.is_none() || s.status.is_some_and(|c| c != 200) || body.is_none() {
        ExchangeOutcome::Failed
    } else if rejected {
        ExchangeOutcome::Rejected
    } else if mismatch {
        ExchangeOutcome::BadSignature
    } else {
        ExchangeOutcome::Ok
    };
    let errors = s
        .findings
        .iter()
        .any(|f| f.severity == crate::finding::Severity::Error);
    let view = ExchangeView {
        step,
        outcome,
        request: RequestView {
            method: s.method.clone(),
            url: s.url.clone(),
            headers: Vec::new(),
            body: s.body.clone(),
        },
        signing: None,
        response: s.response.as_ref().map(|b| ResponseView {
            status: s.status.unwrap_or(0),
            headers: Vec::new(),
            body: b.clone(),
            content_type: None,
            bytes: 0,
            pretty: None,
        }),
        transport_error: s
            .response
            .is_none()
            .then(|| "the capture has no response for this request".to_owned()),
        elapsed_ms: 0,
        verification: s
            .signature
            .as_ref()
            .map(|(outcome, reason)| VerificationView {
                outcome: outcome.clone(),
                reason: VerificationView::reason_of(reason, ""),
                node: None,
                signed_text: None,
                sign: None,
                alipay_cert_sn: None,
                badge: crate::present::Badge::default(),
            }),
        decoded,
        findings: s.findings.clone(),
        endpoint: s.endpoint.clone(),
        fields: Vec::new(),
    };
    (view, outcome == ExchangeOutcome::Ok && !errors)
}

fn query(url: &str, key: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    u.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
