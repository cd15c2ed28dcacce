//! The step engine both faces share: which steps a login has, what each needs, and what became
//! of it. Pure: it never performs I/O and never reads the clock. It returns [`Effect`]s that
//! the driver (in `transport`) carries out, and it is fed back what happened.
//!
//! Lifecycle of one walk:
//!
//! ```text
//!  Flow::new(kind, app, inputs, state, now)?      --step / --from applied here, once
//!    │
//!    ▼ advance(now) ──▶ Effect::Authorized { authorize_url }      the URL (and QR) to show
//!    ▼ advance(now) ──▶ Effect::AwaitCallback { authorize_url }   wait for the redirect
//!    │                    └── on_callback(url or code)           state (CSRF) checked, code kept
//!    ▼ advance(now) ──▶ Effect::SendHttp { step, attempt, request }   token, check, user info …
//!    │                    │  pending_request() shows it while in flight; cancel() or rerun()
//!    │                    │  make the attempt stale
//!    │                    └── on_response(attempt, result) ──▶ Exchange (verified, decoded);
//!    │                          a stale attempt is refused     context updated
//!    ▼ advance(now) ──▶ Effect::Finished { ok }
//! ```
//!
//! Each [`Step`] moves `Pending → AwaitingUser | InFlight → Done | Failed`, or is `Skipped` when
//! the walk starts in the middle (`--from user-info` with a token given) or runs one step.

mod alipay;
mod alipay_v3;
mod hits;
mod kinds;
mod local;
mod model;
mod phone;
mod wechat;
mod wechat_mini;
mod wecom;

use std::time::Duration;

use time::OffsetDateTime;

pub use hits::{CALLBACK_TWICE, clock};
pub use kinds::{FlowKind, Step, StepKind, StepState};
pub use model::{
    AlipayApp, App, AppSigning, AttemptId, CallbackHit, Context, Effect, Exchange, ExchangeOutcome,
    FlowError, HitResult, HitSource, HttpFailure, Inputs, IsvDelegation, MiniClient, RawResponse,
    Timed, WechatApp,
};

use crate::finding::{Finding, Severity, Text};
use crate::provider::alipay::ApiVersion;
use crate::provider::{PreparedRequest, Provider};

/// A request on the wire: which step, which attempt, and exactly what was sent.
#[derive(Debug, Clone)]
struct InFlight {
    step: StepKind,
    attempt: AttemptId,
    request: PreparedRequest,
    /// An edited resend: the state of the step before it (a success stays one should the
    /// resend fail, and a cancel puts it back).
    resend: Option<StepState>,
}

/// One walk of one login. Fields are private: the engine alone moves steps, so a face can
/// never record an answer against the wrong attempt.
#[derive(Debug, Clone)]
pub struct Flow {
    kind: FlowKind,
    app: App,
    steps: Vec<Step>,
    ctx: Context,
    exchanges: Vec<Exchange>,
    /// Findings about the walk that belong to no exchange (state mismatch, code reuse …).
    notes: Vec<Finding>,
    in_flight: Option<InFlight>,
}

impl Flow {
    /// A new walk. `state` is the CSRF value for the authorize URL; the caller makes it random.
    /// `inputs.from` / `inputs.only` must name a step of this login.
    pub fn new(
        kind: FlowKind,
        app: App,
        inputs: &Inputs,
        state: String,
        now: OffsetDateTime,
    ) -> Result<Self, FlowError> {
        let mut all = kind.steps(true);
        all.extend_from_slice(kind.optional_steps());
        for step in [inputs.from, inputs.only].into_iter().flatten() {
            if !all.contains(&step) {
                return Err(FlowError::UnknownStep {
                    step,
                    flow: kind.id(),
                    choices: all.iter().map(|s| s.id()).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let ctx = Context {
            state,
            ..Context::default()
        };
        let refresh = inputs.refresh || inputs.only == Some(StepKind::Refresh);
        // The phone number comes after the user info (before a refresh, which is optional).
        let phone = inputs.phone_number || inputs.only == Some(StepKind::PhoneNumber);
        let kinds = kind.steps_with(refresh, phone);
        let steps = kinds
            .into_iter()
            .map(|kind| Step {
                kind,
                state: StepState::Pending,
                exchange: None,
            })
            .collect();
        let mut flow = Self {
            kind,
            app,
            steps,
            ctx,
            exchanges: Vec::new(),
            notes: Vec::new(),
            in_flight: None,
        };
        flow.apply_inputs(inputs, now);
        Ok(flow)
    }

    pub fn kind(&self) -> FlowKind {
        self.kind
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// The steps in order, with their states.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// What the walk has learnt so far.
    pub fn ctx(&self) -> &Context {
        &self.ctx
    }

    /// Every recorded exchange, in the order the answers arrived.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// Findings about the walk that belong to no exchange.
    pub fn notes(&self) -> &[Finding] {
        &self.notes
    }

    /// Add a finding about the walk that happened outside the engine (a request the callback
    /// listener ignored): it is shown, exported and in the JSON document with the others.
    pub fn note(&mut self, finding: Finding) {
        self.notes.push(finding);
    }

    /// The request on the wire now, if any: a pane shows it while the answer is awaited.
    pub fn pending_request(&self) -> Option<(StepKind, AttemptId, &PreparedRequest)> {
        self.in_flight
            .as_ref()
            .map(|f| (f.step, f.attempt, &f.request))
    }

    /// The authorize URL this walk sends the person to (known before anything is sent), for
    /// the flows that have one.
    pub fn authorize_url(&self) -> Option<String> {
        self.steps
            .iter()
            .any(|s| s.kind == StepKind::Authorize)
            .then(|| {
                self.ctx
                    .authorize_url
                    .clone()
                    .unwrap_or_else(|| self.build_authorize_url())
            })
    }

    /// Stop waiting for the request in flight: its step goes back to pending and any answer to
    /// it will be refused as stale. Returns the step, if one was in flight.
    pub fn cancel(&mut self) -> Option<StepKind> {
        let f = self.in_flight.take()?;
        self.set_state(f.step, f.resend.unwrap_or(StepState::Pending));
        Some(f.step)
    }

    fn apply_inputs(&mut self, inputs: &Inputs, now: OffsetDateTime) {
        let timed = |v: &String| Timed {
            value: v.clone(),
            obtained: now,
            expires: None,
        };
        self.ctx.code = inputs.code.as_ref().map(timed);
        self.ctx.access_token = inputs.access_token.as_ref().map(timed);
        self.ctx.refresh_token = inputs.refresh_token.as_ref().map(timed);
        self.ctx.open_id.clone_from(&inputs.openid);
        let from = inputs.from.or_else(|| {
            if inputs.access_token.is_some() {
                Some(StepKind::UserInfo)
            } else if inputs.refresh_token.is_some() {
                Some(StepKind::Refresh)
            } else if inputs.code.is_some() {
                Some(StepKind::Token)
            } else {
                None
            }
        });
        if let Some(only) = inputs.only {
            for step in &mut self.steps {
                if step.kind != only {
                    step.state = StepState::Skipped;
                }
            }
            return;
        }
        if let Some(from) = from {
            if from == StepKind::Refresh && !self.steps.iter().any(|s| s.kind == StepKind::Refresh)
            {
                self.steps.push(Step {
                    kind: StepKind::Refresh,
                    state: StepState::Pending,
                    exchange: None,
                });
            }
            if let Some(start) = self.steps.iter().position(|s| s.kind == from) {
                for step in &mut self.steps[..start] {
                    step.state = StepState::Skipped;
                }
            }
        }
    }

    /// The step that is not finished yet, if any.
    pub fn current(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| !matches!(s.state, StepState::Done | StepState::Skipped))
    }

    fn step_mut(&mut self, kind: StepKind) -> Option<&mut Step> {
        self.steps.iter_mut().find(|s| s.kind == kind)
    }

    /// Decide the next effect, moving the current step forward.
    pub fn advance(&mut self, now: OffsetDateTime) -> Effect {
        let Some(step) = self.current().cloned() else {
            return Effect::Finished { ok: true };
        };
        match step.state {
            StepState::Failed => return Effect::Finished { ok: false },
            StepState::InFlight => return Effect::Wait,
            _ => {}
        }
        match step.kind {
            StepKind::Authorize => {
                let url = self.build_authorize_url();
                self.ctx.authorize_url = Some(url.clone());
                self.set_state(StepKind::Authorize, StepState::Done);
                Effect::Authorized { authorize_url: url }
            }
            StepKind::Callback => {
                self.set_state(StepKind::Callback, StepState::AwaitingUser);
                // Started at the callback: the URL the person opens is still this walk's.
                let authorize_url = if let Some(url) = &self.ctx.authorize_url {
                    url.clone()
                } else {
                    let url = self.build_authorize_url();
                    self.ctx.authorize_url = Some(url.clone());
                    url
                };
                Effect::AwaitCallback {
                    authorize_url,
                    redirect_uri: self.redirect_uri().to_owned(),
                    state: self.ctx.state.clone(),
                }
            }
            StepKind::MiniAuthCode => self.await_mini_code(),
            StepKind::DecryptUserData => self.decrypt_user_data(now),
            // A WeCom visitor with no user_ticket (snsapi_base, or not a member) has no
            // sensitive fields to fetch.
            StepKind::UserDetail if self.ctx.user_ticket.is_none() => {
                self.set_state(StepKind::UserDetail, StepState::Skipped);
                self.advance(now)
            }
            kind => match self.request_for(kind, now) {
                Ok(request) => {
                    if kind == StepKind::Token
                        && let Some(code) = &self.ctx.code
                    {
                        self.ctx.used_codes.push(code.value.clone());
                    }
                    self.set_state(kind, StepState::InFlight);
                    let attempt = AttemptId::next();
                    self.in_flight = Some(InFlight {
                        step: kind,
                        attempt,
                        request: request.clone(),
                        resend: None,
                    });
                    Effect::SendHttp {
                        step: kind,
                        attempt,
                        request,
                    }
                }
                Err(e) => {
                    self.notes.push(Finding::new(
                        Severity::Error,
                        crate::finding::codes::FLOW_MISSING_INPUT,
                        Text::new(e.to_string(), e.to_string()),
                    ));
                    self.set_state(kind, StepState::Failed);
                    Effect::Finished { ok: false }
                }
            },
        }
    }

    fn set_state(&mut self, kind: StepKind, state: StepState) {
        if let Some(step) = self.step_mut(kind) {
            step.state = state;
        }
    }

    fn redirect_uri(&self) -> &str {
        match &self.app {
            App::Alipay(a) => &a.redirect_uri,
            App::Wechat(w) => &w.redirect_uri,
        }
    }

    fn build_authorize_url(&self) -> String {
        match &self.app {
            App::Alipay(a) => alipay::authorize_url(a, &self.ctx.state),
            App::Wechat(w) => match self.kind {
                FlowKind::WecomWeb => wecom::authorize_url(w, &self.ctx.state),
                FlowKind::WechatWeb
                | FlowKind::WechatQr
                | FlowKind::WechatMini
                | FlowKind::WechatComponent
                | FlowKind::AlipayWeb
                | FlowKind::AlipayMini
                | FlowKind::AlipayIsv => wechat::authorize_url(w, self.kind, &self.ctx.state),
            },
        }
    }

    /// Read the provider's answer into the exchange (and the walk's context).
    fn interpret(&mut self, exchange: &mut Exchange, response: &RawResponse, now: OffsetDateTime) {
        match &self.app {
            App::Alipay(a) if exchange.step == StepKind::PhoneNumber => {
                phone::interpret(a, exchange, response);
            }
            App::Alipay(a) => match a.api {
                ApiVersion::V2 => alipay::interpret(a, &mut self.ctx, exchange, response, now),
                ApiVersion::V3 => alipay_v3::interpret(a, &mut self.ctx, exchange, response, now),
            },
            App::Wechat(w) => {
                wechat::interpret(w, self.kind, &mut self.ctx, exchange, response, now);
            }
        }
    }

    fn request_for(
        &self,
        step: StepKind,
        now: OffsetDateTime,
    ) -> Result<PreparedRequest, FlowError> {
        match &self.app {
            App::Alipay(a) => match a.api {
                ApiVersion::V2 => alipay::request(a, &self.ctx, step, now),
                ApiVersion::V3 => alipay_v3::request(a, &self.ctx, step, now),
            },
            App::Wechat(w) => match self.kind {
                FlowKind::WecomWeb => wecom::request(w, &self.ctx, step),
                FlowKind::WechatMini => wechat_mini::request(w, &self.ctx, step),
                FlowKind::WechatWeb
                | FlowKind::WechatQr
                | FlowKind::WechatComponent
                | FlowKind::AlipayWeb
                | FlowKind::AlipayMini
                | FlowKind::AlipayIsv => wechat::request(w, self.kind, &self.ctx, step),
            },
        }
    }

    /// The redirect arrived (or was pasted): check `state`, keep the code.
    /// The CSRF `state` this walk sends (and expects back on the redirect).
    pub fn state(&self) -> &str {
        &self.ctx.state
    }

    pub fn on_callback(&mut self, input: &str, now: OffsetDateTime) -> Result<(), FlowError> {
        let waiting = |k| {
            self.steps
                .iter()
                .any(|s| s.kind == k && s.state == StepState::AwaitingUser)
        };
        if !waiting(StepKind::Callback) && !waiting(StepKind::MiniAuthCode) {
            return Err(FlowError::NotAwaiting);
        }
        let CallbackParts {
            code,
            state,
            params,
        } = match &self.app {
            App::Alipay(_) => alipay::parse_callback(input)?,
            App::Wechat(_) => wechat::parse_callback(input)?,
        };
        if let Some(got) = &state {
            let decoded = percent_encoding::percent_decode_str(got).decode_utf8_lossy();
            if *got != self.ctx.state && decoded != self.ctx.state {
                self.took(now, Some(got), &code, HitResult::Refused);
                let err = FlowError::StateMismatch {
                    expected: self.ctx.state.clone(),
                    got: got.clone(),
                };
                self.notes.push(Finding::new(
                    Severity::Error,
                    crate::finding::codes::FLOW_STATE_MISMATCH,
                    Text::with(
                        "flow.state-mismatch",
                        &[("expected", &self.ctx.state), ("got", got)],
                    ),
                ));
                return Err(err);
            }
        } else if input.contains("://")
            && self
                .steps
                .iter()
                .any(|s| s.kind == StepKind::Callback && s.state == StepState::AwaitingUser)
        {
            // This walk always sends a state, so a redirect without one did not come from it:
            // exactly what a forged (CSRF) redirect looks like. A bare pasted code is fine.
            self.took(now, None, &code, HitResult::Refused);
            let err = FlowError::StateMissing {
                expected: self.ctx.state.clone(),
            };
            self.notes.push(Finding::new(
                Severity::Error,
                crate::finding::codes::FLOW_STATE_MISSING,
                Text::with("flow.state-missing", &[("expected", &self.ctx.state)]),
            ));
            return Err(err);
        }
        let expires = match &self.app {
            // WeChat documents 5 minutes (10 for qrconnect); Alipay only "3 minutes to 24 hours".
            App::Wechat(_) => Some(
                now + time::Duration::minutes(if self.kind == FlowKind::WechatQr {
                    10
                } else {
                    5
                }),
            ),
            App::Alipay(_) => None,
        };
        self.took(now, state.as_deref(), &code, HitResult::Taken);
        self.ctx.code = Some(Timed {
            value: code,
            obtained: now,
            expires,
        });
        self.ctx.callback_params = params;
        let input = input.trim();
        self.ctx.callback_url = (input.starts_with("http://") || input.starts_with("https://"))
            .then(|| input.to_owned());
        for kind in [StepKind::Callback, StepKind::MiniAuthCode] {
            if self
                .step_mut(kind)
                .is_some_and(|s| s.state == StepState::AwaitingUser)
            {
                self.set_state(kind, StepState::Done);
            }
        }
        Ok(())
    }

    /// Make this WeChat walk repeat the two-token mix-up of a widely copied tutorial (the
    /// sandbox's `token-mixup` scenario): the code is never exchanged, the basic token of
    /// `/cgi-bin/token` is fetched instead and sent to `/sns/userinfo`. A `wechat-component`
    /// walk makes the platform's mix-up instead: its exchange sends the console's message Token
    /// as `component_access_token` (`component-token-mixup`); a `wecom-web` walk takes its code
    /// to `/sns/oauth2/access_token` (`wecom-sns-mixup`); an `alipay-isv` walk leaves out
    /// `app_auth_token` (`isv-missing-app-auth-token`). Ignored for the other logins.
    pub fn set_tutorial_mixup(&mut self, on: bool) {
        // Each login's classic mistake; the others have none to repeat.
        let has_mixup = match self.kind {
            FlowKind::WechatWeb
            | FlowKind::WechatComponent
            | FlowKind::WecomWeb
            | FlowKind::AlipayIsv => true,
            FlowKind::AlipayWeb
            | FlowKind::AlipayMini
            | FlowKind::WechatQr
            | FlowKind::WechatMini => false,
        };
        self.ctx.tutorial_mixup = on && has_mixup;
        if self.ctx.tutorial_mixup {
            // The tutorial goes straight from the token to the user information.
            self.set_state(StepKind::CheckToken, StepState::Skipped);
        }
    }

    /// Make this WeChat web walk follow seed 002's own code path (the sandbox's
    /// `cgi-user-info` scenario): the code is never exchanged, the basic token of
    /// `/cgi-bin/token` is fetched instead, and the profile is read from `/cgi-bin/user/info`
    /// with the openid the walk never learnt (empty), which WeChat answers with 41009.
    pub fn set_tutorial_cgi(&mut self, on: bool) {
        self.ctx.tutorial_cgi = on && self.kind == FlowKind::WechatWeb;
        if self.ctx.tutorial_cgi {
            self.set_state(StepKind::CheckToken, StepState::Skipped);
        }
    }

    /// The result of the [`Effect::SendHttp`] that handed out `attempt`: interpret it, update
    /// the context, record it, and return its index in [`Flow::exchanges`]. An answer to an
    /// attempt that was retried or cancelled since is refused and changes nothing.
    pub fn on_response(
        &mut self,
        attempt: AttemptId,
        result: Result<RawResponse, HttpFailure>,
        elapsed: Duration,
        now: OffsetDateTime,
    ) -> Result<usize, FlowError> {
        let Some(in_flight) = self.in_flight.take_if(|f| f.attempt == attempt) else {
            let step = self.in_flight.as_ref().map_or(StepKind::Token, |f| f.step);
            return Err(FlowError::StaleAttempt { step, got: attempt });
        };
        let InFlight {
            step,
            request,
            resend,
            ..
        } = in_flight;
        // Alipay's phone number is read from the phone, not fetched from an endpoint.
        let endpoint = match (self.kind.provider(), step) {
            (Provider::Alipay, StepKind::PhoneNumber) => phone::ENDPOINT.to_owned(),
            (Provider::Alipay | Provider::Wechat, _) => endpoint_of(&request),
        };
        let mut exchange = Exchange {
            step,
            attempt,
            endpoint,
            received: now,
            request,
            response: None,
            transport_error: None,
            elapsed,
            verification: None,
            decoded: None,
            findings: Vec::new(),
            outcome: ExchangeOutcome::Failed,
        };
        let response = match result {
            Ok(response) => Some(response),
            Err(failure) => {
                let e = &failure.message;
                exchange.findings.push(Finding::new(
                    Severity::Error,
                    "transport.failed",
                    Text::with("flow.transport-failed", &[("error", e)]),
                ));
                exchange.transport_error = Some(failure.message);
                failure.partial
            }
        };
        if let Some(response) = response {
            if (300..400).contains(&response.status) {
                // Neither provider's API redirects: the body is not its answer, don't read it.
                exchange.findings.push(redirected(&response));
            } else {
                // A partial body is interpreted too: what it says (and why it fails) is worth
                // showing.
                self.interpret(&mut exchange, &response, now);
            }
            // Both providers answer 200, errors included: another status is someone else's
            // answer (a proxy, a load balancer), however valid its body reads. Alipay's
            // OpenAPI v3 is the exception: its errors are HTTP 4xx `{code, message, links}`,
            // which its interpreter judges itself.
            let v3_error = matches!(&self.app, App::Alipay(a) if a.api == ApiVersion::V3)
                && (400..500).contains(&response.status)
                && exchange.outcome == ExchangeOutcome::Rejected;
            if response.status != 200 && !v3_error {
                exchange.outcome = ExchangeOutcome::Failed;
            }
            exchange.response = Some(response);
        }
        if exchange.transport_error.is_some() {
            exchange.outcome = ExchangeOutcome::Failed;
        }
        let ok = exchange.outcome == ExchangeOutcome::Ok;
        let index = self.exchanges.len();
        self.exchanges.push(exchange);
        // A resend that failed after an earlier success leaves the step done: the walk's
        // later steps use the latest successful attempt, whose results the context keeps.
        let ok_before = resend == Some(StepState::Done);
        if let Some(s) = self.step_mut(step) {
            s.state = if ok || ok_before {
                StepState::Done
            } else {
                StepState::Failed
            };
            s.exchange = Some(index);
        }
        Ok(index)
    }

    /// Send `request` (an edited copy of the step's request) as a new attempt of `step`,
    /// which must have been sent before; the steps after it keep their state. The answer is
    /// recorded as another exchange of the step, the earlier ones stay. Refused while a
    /// request is in flight.
    pub fn resend(
        &mut self,
        step: StepKind,
        request: PreparedRequest,
    ) -> Result<Effect, FlowError> {
        if let Some(f) = &self.in_flight {
            return Err(FlowError::Busy { step: f.step });
        }
        let before = self
            .steps
            .iter()
            .find(|s| s.kind == step)
            .map(|s| s.state)
            .ok_or(FlowError::NeverSent { step })?;
        if !self.exchanges.iter().any(|e| e.step == step) {
            return Err(FlowError::NeverSent { step });
        }
        let attempt = AttemptId::next();
        self.in_flight = Some(InFlight {
            step,
            attempt,
            request: request.clone(),
            resend: Some(before),
        });
        self.set_state(step, StepState::InFlight);
        Ok(Effect::SendHttp {
            step,
            attempt,
            request,
        })
    }

    /// Every recorded attempt of `step`, oldest first, as indexes in [`Flow::exchanges`].
    pub fn attempts(&self, step: StepKind) -> Vec<usize> {
        self.exchanges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.step == step)
            .map(|(i, _)| i)
            .collect()
    }

    /// Run `step` again (and every step after it), as a person retrying from the TUI would. The
    /// context is kept, so a retried token step resends the same code — exactly the mistake a
    /// double redirect makes, which triage then recognises.
    pub fn rerun(&mut self, step: StepKind) {
        // An answer still on its way belongs to the old run: make it stale.
        self.in_flight = None;
        if let Some(start) = self.steps.iter().position(|s| s.kind == step) {
            for s in &mut self.steps[start..] {
                s.state = StepState::Pending;
                s.exchange = None;
            }
        }
    }

    /// The optional steps a login documents once a refresh token exists: the refresh (and,
    /// on WeChat, the `/sns/auth` check of the token it gives), appended to run next. `false`
    /// when there is no refresh token yet, or a step is in flight.
    pub fn offer_refresh(&mut self) -> bool {
        if self.ctx.refresh_token.is_none() || self.in_flight.is_some() {
            return false;
        }
        let mut extra = vec![StepKind::Refresh];
        if self.kind.provider() == crate::provider::Provider::Wechat {
            extra.push(StepKind::CheckToken);
        }
        // Each step is one row: one already there moves to the end, to run again.
        self.steps.retain(|s| !extra.contains(&s.kind));
        for kind in extra {
            self.steps.push(Step {
                kind,
                state: StepState::Pending,
                exchange: None,
            });
        }
        true
    }

    /// Whether every step that ran succeeded.
    pub fn succeeded(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.state, StepState::Done | StepState::Skipped))
    }
}

/// When a provider's invalid-code answer carries the sandbox's [eviction
/// hint](crate::provider::SANDBOX_CODE_EVICTED_HINT): the code was not used, expired or mistyped, but
/// dropped because the sandbox's code store was full, so the usual diagnosis does not apply.
fn code_evicted(text: &str) -> Option<Finding> {
    text.contains(crate::provider::SANDBOX_CODE_EVICTED_HINT)
        .then(|| {
            Finding::new(
                Severity::Error,
                "sandbox.code-evicted",
                Text::key("flow.the-sandbox-evicted-this-code"),
            )
            .explanation(Text::key("flow.the-provider-s-error-code"))
            .fix(Text::key("flow.approve-again-and-exchange-the"))
        })
}

/// The finding for a 3xx answer to an API call: where it points (masked: a redirect may echo
/// the request, appsecret and code included), and what usually sends one.
fn redirected(response: &RawResponse) -> Finding {
    let location = response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| {
            let shown: String = crate::redact::redact_query(v).chars().take(300).collect();
            crate::escape::visible(&shown).into_owned()
        });
    let status = response.status;
    let title = match &location {
        Some(l) => Text::with("flow.redirect-to", &[("status", &status), ("location", l)]),
        None => Text::with("flow.redirect-without-location", &[("status", &status)]),
    };
    Finding::new(Severity::Error, "transport.redirect", title)
        .explanation(Text::key("flow.alipay-s-gateway-and-wechat"))
        .fix(Text::key("flow.check-the-base-url-in"))
}

/// What a callback carried: the code, the echoed `state`, and every parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallbackParts {
    pub code: String,
    pub state: Option<String>,
    pub params: Vec<(String, String)>,
}

/// The API a request calls: the Alipay `method` parameter, else the URL's path.
fn endpoint_of(request: &PreparedRequest) -> String {
    endpoint_in(&request.url, &String::from_utf8_lossy(&request.body))
}

/// The API a request calls, from its URL and form body: the Alipay `method` parameter, else
/// the URL's path (a replay reads it back this way from a document that does not say).
pub fn endpoint_in(url: &str, body: &str) -> String {
    let url = url.split(['#']).next().unwrap_or_default();
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    query
        .split('&')
        .chain(body.split('&'))
        .find_map(|p| p.strip_prefix("method="))
        .map_or_else(
            || {
                let after_scheme = path.split_once("://").map_or(path, |(_, rest)| rest);
                after_scheme
                    .find('/')
                    .map_or_else(|| "/".to_owned(), |i| after_scheme[i..].to_owned())
            },
            |m| {
                percent_encoding::percent_decode_str(m)
                    .decode_utf8_lossy()
                    .into_owned()
            },
        )
}

/// Expiry from a lifetime in seconds, counted from `base`.
fn expiry(base: OffsetDateTime, seconds: Option<i64>) -> Option<OffsetDateTime> {
    seconds
        .filter(|s| *s > 0)
        .map(|s| base + time::Duration::seconds(s))
}

#[cfg(test)]
mod tests;
