//! Building a [`Walk`] from a [`Flow`]: the one place that decides which rows to show, how to
//! number them, what is masked, and what each field means. Findings are computed once per
//! exchange, when it arrives ([`Presenter::observe`]), and kept.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::{
    Badge, CallbackView, ContextView, Countdown, ExchangeView, FieldRow, Msg, Policy, RequestView,
    ResponseView, SigningView, StepRow, Summary, TargetInfo, TargetKind, TimedView,
    VerificationView, Walk,
};
use crate::catalog::meaning;
use crate::finding::{Finding, Lang, Severity, Text};
use crate::flow::{Exchange, ExchangeOutcome, Flow, StepKind, StepState, Timed};
use crate::{redact, triage};

/// Keeps what must be computed once per exchange (its findings, and its views masked and
/// revealed: parsing and pretty-printing a large body is not redone per frame) and builds
/// [`Walk`]s on demand.
#[derive(Debug, Clone, Default)]
pub struct Presenter {
    findings: Vec<Vec<Finding>>,
    /// Each observed exchange as shown, `[masked, revealed]`: an exchange never changes once
    /// recorded, so its views are built once.
    views: Vec<[ExchangeView; 2]>,
    /// The authorize URL's lint findings, once linted.
    lint: Option<Vec<Finding>>,
}

impl Presenter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Take note of exchanges that arrived since the last call: run triage on each, once.
    pub fn observe(&mut self, flow: &Flow) {
        if self.lint.is_none() {
            self.lint = Some(
                flow.authorize_url()
                    .map(|u| lint_walk_url(flow.kind(), &u))
                    .unwrap_or_default(),
            );
        }
        for index in self.findings.len()..flow.exchanges().len() {
            let findings = triage::exchange(flow, index);
            let ex = &flow.exchanges()[index];
            self.views.push(
                [false, true].map(|reveal| exchange_view(flow, ex, &findings, Policy { reveal })),
            );
            self.findings.push(findings);
        }
    }

    /// The findings of exchange `index` (empty before [`Presenter::observe`] saw it).
    pub fn findings(&self, index: usize) -> &[Finding] {
        self.findings.get(index).map_or(&[], Vec::as_slice)
    }

    /// The walk as it stands, masked by `policy`, with countdowns counted at `now`.
    pub fn walk(
        &self,
        flow: &Flow,
        target: &TargetInfo,
        policy: Policy,
        now: OffsetDateTime,
        elapsed: Duration,
    ) -> Walk {
        let ok = flow.succeeded();
        let elapsed_ms = millis(elapsed);
        let ctx = flow.ctx();
        let timed = |t: &Option<Timed>| t.as_ref().map(|t| timed_view(t, policy));
        let steps = step_rows(flow, now);
        let context = ContextView {
            state: ctx.state.clone(),
            authorize_url: ctx.authorize_url.as_deref().map(|u| policy.url(u)),
            authorize_lint: sandbox_lint(self.lint.clone().unwrap_or_default(), target.kind),
            callback: ctx
                .callback_params
                .iter()
                .map(|(k, v)| {
                    let v = if redact::SECRET_PARAMS.contains(&k.as_str()) {
                        policy.secret(v)
                    } else {
                        v.clone()
                    };
                    (k.clone(), Value::String(v))
                })
                .collect(),
            callback_url: ctx.callback_url.as_deref().map(|u| policy.url(u)),
            code: timed(&ctx.code),
            code_spent: code_spent(flow),
            access_token: timed(&ctx.access_token),
            refresh_token: timed(&ctx.refresh_token),
            scope: ctx.scope.clone(),
            user_id: ctx.user_id.clone(),
            open_id: ctx.open_id.clone(),
            union_id: ctx.union_id.clone(),
            decryption: super::decryption::view(flow, policy),
        };
        Walk {
            schema: crate::present::RUN_SCHEMA,
            flow: flow.kind(),
            target: target.clone(),
            ok,
            elapsed_ms,
            pending: flow
                .pending_request()
                .map(|(step, _, request)| super::PendingView {
                    step,
                    request: RequestView::of(request, policy),
                }),
            problem: None,
            callback: callback_view(&steps, &context),
            summary: summary(ok, &steps, &context, elapsed_ms),
            timeline: flow
                .hits()
                .iter()
                .map(|h| super::HitView::of(h, policy))
                .collect(),
            steps,
            context,
            exchanges: flow
                .exchanges()
                .iter()
                .enumerate()
                .map(|(i, ex)| match self.views.get(i) {
                    Some(views) => views[usize::from(policy.reveal)].clone(),
                    None => exchange_view(flow, ex, self.findings(i), policy),
                })
                .collect(),
            notes: flow.notes().to_vec(),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `(n, of)` for each step among the steps that run; `None` for a skipped one.
pub(super) fn numbering(
    steps: impl Iterator<Item = (StepKind, StepState)> + Clone,
) -> Vec<Option<(usize, usize)>> {
    let running: Vec<StepKind> = steps
        .clone()
        .filter(|(_, state)| *state != StepState::Skipped)
        .map(|(kind, _)| kind)
        .collect();
    steps
        .map(|(kind, _)| {
            running
                .iter()
                .position(|k| *k == kind)
                .map(|i| (i + 1, running.len()))
        })
        .collect()
}

/// The end of a walk (or where it stands), from its rows and context.
pub(super) fn summary(
    ok: bool,
    steps: &[StepRow],
    context: &ContextView,
    elapsed_ms: u64,
) -> Summary {
    let ran: Vec<_> = steps
        .iter()
        .filter(|s| s.state != StepState::Skipped)
        .collect();
    Summary {
        ok,
        done: ran.iter().filter(|s| s.state == StepState::Done).count(),
        ran: ran.len(),
        elapsed_ms,
        ids: [
            ("user_id", &context.user_id),
            ("open_id", &context.open_id),
            ("union_id", &context.union_id),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect(),
        access_token: context.access_token.clone(),
        refresh_token: context.refresh_token.clone(),
    }
}

/// Whether a token request carried the walk's code: the one place that says a code is used.
fn code_spent(flow: &Flow) -> bool {
    let ctx = flow.ctx();
    ctx.code
        .as_ref()
        .is_some_and(|c| ctx.used_codes.contains(&c.value))
}

fn step_rows(flow: &Flow, now: OffsetDateTime) -> Vec<StepRow> {
    let numbers = numbering(flow.steps().iter().map(|s| (s.kind, s.state)));
    let ctx = flow.ctx();
    let countdown = |what: Msg, t: &Option<Timed>| {
        t.as_ref()
            .and_then(|t| t.remaining(now))
            .map(|seconds_left| Countdown { what, seconds_left })
    };
    flow.steps()
        .iter()
        .zip(numbers)
        .map(|(s, number)| {
            let countdown = match (s.kind, s.state) {
                (StepKind::Callback | StepKind::MiniAuthCode, StepState::Done) => {
                    if code_spent(flow) {
                        None
                    } else {
                        countdown(Msg::AuthCode, &ctx.code)
                    }
                }
                (StepKind::Token, StepState::Done) => {
                    countdown(Msg::AccessToken, &ctx.access_token)
                }
                (StepKind::Refresh, StepState::Done) => {
                    countdown(Msg::RefreshToken, &ctx.refresh_token)
                }
                _ => None,
            };
            StepRow {
                id: s.kind,
                state: s.state,
                exchange: s.exchange,
                title: s.kind.title_in(flow.kind().provider()),
                number,
                countdown,
            }
        })
        .collect()
}

fn timed_view(t: &Timed, policy: Policy) -> TimedView {
    TimedView {
        value: policy.secret(&t.value),
        obtained: t.obtained.unix_timestamp(),
        expires: t.expires.map(OffsetDateTime::unix_timestamp),
        lifetime_s: t.expires.map(|e| rounded_lifetime(e - t.obtained)),
        expires_china: t.expires.map(crate::provider::alipay::format_timestamp),
    }
}

/// A lifetime in whole seconds, to the nearest minute past ten minutes: `obtained` is taken
/// when the answer arrives, a moment after the provider started counting, so 15 days shows
/// as 1295999.4 s, which is still "15 d".
pub(super) fn rounded_lifetime(d: time::Duration) -> i64 {
    let s = (d + time::Duration::milliseconds(500)).whole_seconds();
    if s >= 600 { (s + 30) / 60 * 60 } else { s }
}

/// The redirect (or pasted code) as it came back, from the rows and the context: only a code
/// that arrived during this walk (not one given with `--code`).
pub(super) fn callback_view(steps: &[StepRow], context: &ContextView) -> Option<CallbackView> {
    let code = context.code.as_ref()?;
    let step = if steps.iter().any(|s| s.id == StepKind::MiniAuthCode) {
        StepKind::MiniAuthCode
    } else {
        StepKind::Callback
    };
    let arrived = steps
        .iter()
        .any(|s| s.id == step && s.state == StepState::Done);
    if !arrived {
        return None;
    }
    let param = |k: &str| context.callback.get(k).and_then(Value::as_str);
    Some(CallbackView {
        step,
        // Both already masked as the context is.
        shown: context
            .callback_url
            .clone()
            .unwrap_or_else(|| code.value.clone()),
        // The one this walk sent came back (a live walk refuses any other before this; a
        // replayed capture may hold one that differs).
        state_matched: param("state").is_some_and(|v| !v.is_empty() && v == context.state),
        facts: ["app_id", "scope", "source"]
            .into_iter()
            .filter_map(|k| param(k).map(|v| (k.to_owned(), v.to_owned())))
            .collect(),
        code: Some(code.clone()),
    })
}

/// The secret values a walk knows, to mask wherever they turn up: the appsecret, the code and
/// tokens it obtained or was given, and the secret parameters each request sent.
fn known_secrets(flow: &Flow) -> redact::Known {
    let mut known = redact::Known::default();
    match flow.app() {
        crate::flow::App::Wechat(app) => {
            known.add(&app.secret);
            if let Some(c) = &app.component {
                for v in [&c.secret, &c.message_token, &c.verify_ticket] {
                    known.add(v);
                }
            }
        }
        crate::flow::App::Alipay(app) => {
            if let Some(d) = &app.isv {
                known.add(&d.app_auth_code);
            }
        }
    }
    let ctx = flow.ctx();
    for t in [
        &ctx.code,
        &ctx.access_token,
        &ctx.refresh_token,
        &ctx.session_key,
        &ctx.app_token,
        &ctx.component_access_token,
        &ctx.app_auth_token,
        &ctx.user_ticket,
    ]
    .into_iter()
    .flatten()
    {
        known.add(&t.value);
    }
    // The mini program's phone code travels in a JSON body, where no parameter name says so.
    for (k, v) in &ctx.callback_params {
        if redact::SECRET_PARAMS.contains(&k.as_str()) {
            known.add(v);
        }
    }
    for code in &ctx.used_codes {
        known.add(code);
    }
    for ex in flow.exchanges() {
        known.add_params(&ex.request.url);
        known.add_params(&String::from_utf8_lossy(&ex.request.body));
    }
    known
}

fn exchange_view(flow: &Flow, ex: &Exchange, findings: &[Finding], policy: Policy) -> ExchangeView {
    let mut view = exchange_view_unchecked(flow, ex, findings, policy);
    if !policy.reveal {
        policy.exchange(&mut view, &known_secrets(flow));
    }
    view
}

fn exchange_view_unchecked(
    flow: &Flow,
    ex: &Exchange,
    findings: &[Finding],
    policy: Policy,
) -> ExchangeView {
    let body_text = |bytes: &[u8]| policy.json_text(&String::from_utf8_lossy(bytes));
    ExchangeView {
        step: ex.step,
        outcome: ex.outcome,
        request: RequestView::of(&ex.request, policy),
        signing: ex.request.signing.as_ref().map(|t| SigningView {
            sign_type: t.sign_type,
            algorithm: t.algorithm.clone(),
            charset: t.charset,
            canonical: policy.pairs(&t.canonical),
            canonical_sha256: t.canonical_sha256.clone(),
            dropped: t.dropped.clone(),
            sign: t.signature.clone(),
            key_fingerprint: t.key_fingerprint.clone(),
            cert_sns: t.cert_sns.clone(),
            canonical_bytes: t.canonical.len(),
        }),
        response: ex.response.as_ref().map(|r| ResponseView {
            status: r.status,
            headers: r.headers.clone(),
            body: body_text(&r.body),
            content_type: r.header("content-type").map(str::to_owned),
            bytes: r.body.len(),
            pretty: pretty(&r.body, policy),
        }),
        transport_error: ex.transport_error.clone(),
        elapsed_ms: millis(ex.elapsed),
        verification: ex.verification.as_ref().map(|v| VerificationView {
            outcome: v.outcome.id().to_owned(),
            reason: VerificationView::reason_of(&v.reason, &v.reason_zh),
            node: v.node.clone(),
            signed_text: v.signed_text.as_deref().map(|t| policy.json_text(t)),
            sign: v.sign.clone(),
            alipay_cert_sn: v.cert_sn.clone(),
            badge: Badge::of(v.outcome),
        }),
        decoded: ex.decoded.as_ref().map(|d| policy.json(d)),
        findings: findings.to_vec(),
        endpoint: ex.endpoint.clone(),
        fields: field_rows(
            flow.kind().provider(),
            ex.step,
            &ex.endpoint,
            ex.outcome,
            ex.decoded.as_ref(),
            policy,
        ),
    }
}

/// A JSON body pretty-printed with its secrets masked; `None` when it is not JSON.
pub(super) fn pretty(body: &[u8], policy: Policy) -> Option<String> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&policy.json(&v)).ok())
}

/// Each decoded field with its one-line meaning, for a successful exchange.
pub(super) fn field_rows(
    provider: crate::provider::Provider,
    step: StepKind,
    endpoint: &str,
    outcome: ExchangeOutcome,
    decoded: Option<&Value>,
    policy: Policy,
) -> Vec<FieldRow> {
    let Some(Value::Object(map)) = decoded else {
        return Vec::new();
    };
    if outcome != ExchangeOutcome::Ok {
        return Vec::new();
    }
    let identity = super::identity::rows(provider, step, map);
    map.iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(text) if redact::SECRET_FIELDS.contains(&k.as_str()) => {
                    policy.secret(text)
                }
                Value::String(text) => text.clone(),
                // A nested value (Alipay's `tokens` array) masks its own secret fields.
                other => policy.json(other).to_string(),
            };
            let en = meaning::field_of(provider, step, endpoint, k, v, Lang::EN);
            let zh = meaning::field_of(provider, step, endpoint, k, v, Lang::ZH);
            FieldRow {
                key: k.clone(),
                value,
                meaning: en.map(|en| Text::new(en.clone(), zh.unwrap_or(en))),
            }
        })
        .chain(identity)
        .collect()
}

/// The lint of a walk on a sandbox: that its URLs are plain http on an address that is no
/// provider's host is what a sandbox is, not a mistake, so those findings are information
/// saying they are expected there (in phone mode, on a LAN address, they would otherwise read
/// as warnings). Everything else is as linted.
pub(crate) fn sandbox_lint(mut lint: Vec<Finding>, kind: TargetKind) -> Vec<Finding> {
    const EXPECTED: [&str; 3] = [".http", ".host", ".redirect-http"];
    if !matches!(kind, TargetKind::Sandbox | TargetKind::RunningSandbox) {
        return lint;
    }
    for f in &mut lint {
        let of_sandbox =
            f.code.starts_with("lint.") && EXPECTED.iter().any(|e| f.code.ends_with(e));
        if of_sandbox && f.severity != Severity::Info {
            f.severity = Severity::Info;
            // Every language the title is in, with the note in that language.
            f.title = std::mem::take(&mut f.title).map(|lang, title| {
                format!(
                    "{title}{}",
                    crate::present::tr(lang, "tui.lint-expected-on-sandbox")
                )
            });
        }
    }
    lint
}

/// The lint of a walk's authorize URL: WeCom's for a WeCom walk (its link is meant to be
/// WeCom's), else the provider's, chosen from the URL.
pub(crate) fn lint_walk_url(kind: crate::flow::FlowKind, url: &str) -> Vec<Finding> {
    use crate::flow::FlowKind;
    match kind {
        FlowKind::WecomWeb => crate::provider::wecom::lint_authorize_url(url),
        FlowKind::AlipayWeb
        | FlowKind::AlipayMini
        | FlowKind::AlipayIsv
        | FlowKind::WechatWeb
        | FlowKind::WechatQr
        | FlowKind::WechatMini
        | FlowKind::WechatComponent => crate::provider::lint_authorize_url(url),
    }
}
