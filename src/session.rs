//! An interactive walk: the state an event loop keeps between key presses. It owns the
//! [`Flow`] and the [`Presenter`], turns "run the next step" into a [`Command`] for the loop to
//! carry out (a request to send, a consent to give, a callback to wait for), and takes the
//! results back. Pure: no I/O, no clock (times come in as arguments), so a test drives it
//! exactly as the TUI does.
//!
//! ```text
//!  key n / Enter ─▶ Session::next(now) ─▶ Command::Send { attempt, request } ─▶ task ─┐
//!                                      ├▶ Command::Approve { url, user }     ─▶ task ─┤
//!                                      ├▶ Command::MiniCode { … }            ─▶ task ─┤
//!                                      └▶ Command::Listen                    ─▶ task ─┤
//!  Session::on_response(attempt, …) ◀── message ◀──────────────────────────────────────┘
//!  Session::on_callback(input)      ◀── message (or a paste)
//! ```

mod edit;

use std::time::Duration;

use time::OffsetDateTime;

use crate::finding::Finding;
use crate::flow::{
    AttemptId, Effect, Flow, FlowError, FlowKind, HttpFailure, Inputs, RawResponse, StepKind,
    StepState,
};
use crate::present::{Policy, Presenter, TargetInfo, Walk};
use crate::provider::PreparedRequest;
use crate::target::Target;

pub use edit::{EditError, EditedRequest, Signing};

/// Why an edited request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResendError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Flow(#[from] FlowError),
}

/// What the loop must do for the walk to go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send this request and report with [`Outcome::Response`].
    Send {
        step: StepKind,
        attempt: AttemptId,
        request: PreparedRequest,
    },
    /// On a sandbox, a demo user must be picked to give consent ([`Session::consent`]);
    /// [`Session::give_consent`] then says what to do. The inspector waits for a person to
    /// pick; `run` gives it at once as the chosen user.
    AwaitConsent,
    /// On a sandbox: give consent as `user` (the browser's hop) and report the redirect with
    /// [`Outcome::Callback`].
    Approve { authorize_url: String, user: String },
    /// On a sandbox: get a mini-program auth code as `user`.
    MiniCode {
        app_id: String,
        scope: String,
        user: String,
    },
    /// A real app: wait for the browser's redirect to `redirect_uri` (loopback listener) or a
    /// paste.
    AwaitCallback {
        authorize_url: String,
        redirect_uri: String,
    },
    /// A real mini program: the person pastes the authCode its `my.getAuthCode` gave.
    AwaitMiniCode { app_id: String, scope: String },
}

/// A consent the sandbox waits for: a demo user is picked, then it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consent {
    Authorize { url: String },
    MiniCode { app_id: String, scope: String },
}

/// What came back from carrying out a [`Command`].
#[derive(Debug)]
pub enum Outcome {
    /// The answer to a request, quoting the attempt that sent it.
    Response {
        attempt: AttemptId,
        result: Result<RawResponse, HttpFailure>,
        elapsed: Duration,
    },
    /// A redirect (or a mini-program code) arrived, or why none did.
    Callback(Result<String, crate::transport::ApproveError>),
    /// The callback listener answered a request that was not the redirect, and waits on.
    Ignored(Finding),
    /// A wait was stopped before anything came (nothing to do).
    Stopped,
    /// Hits on the callback seen elsewhere (the sandbox's callback page), taken into the
    /// timeline before the outcome that came with them.
    Hits(Vec<crate::flow::CallbackHit>, Box<Outcome>),
}

/// Dropping it ends the background wait it was made for (a loopback listener), which frees
/// its port. The session holds it while it waits, so a retry, a cancel or the end of the walk
/// stops the wait with it.
pub struct StopHandle(
    #[expect(dead_code, reason = "held for its drop: dropping it stops the wait")]
    Box<dyn std::any::Any + Send + Sync>,
);

impl StopHandle {
    pub fn new(inner: impl std::any::Any + Send + Sync) -> Self {
        Self(Box::new(inner))
    }
}

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopHandle")
    }
}

/// What the walk waits for, when it waits.
#[derive(Debug, Default)]
enum Wait {
    #[default]
    Nothing,
    /// A request in flight.
    Request,
    /// A demo user to be picked for this consent; meanwhile a watch of the sandbox's
    /// callback may run (a phone approving on its own), stopped with its handle.
    Consent(Consent, Option<StopHandle>),
    /// The redirect: a consent given, a listener waiting (with its stop handle), or a paste.
    Redirect {
        background: bool,
        /// Held for its drop.
        _stop: Option<StopHandle>,
    },
}

/// Where the walk stands, in one word for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing is running; `n` runs the next step.
    Ready,
    /// A request, a consent or a callback is awaited.
    Waiting,
    /// Every step is done.
    Finished { ok: bool },
}

/// One interactive walk.
#[derive(Debug)]
pub struct Session {
    flow: Flow,
    presenter: Presenter,
    info: TargetInfo,
    policy: Policy,
    /// Demo users that can approve (a sandbox), and which one is picked.
    users: Vec<(String, String)>,
    user: usize,
    /// The demo user whose consent was given last (the one the walk really is for).
    approved: Option<String>,
    phase: Phase,
    wait: Wait,
    /// The last thing that went wrong outside an exchange (a refused callback, say).
    problem: Option<String>,
    /// The code of the finding noted along with `problem`, if one was.
    problem_code: Option<&'static str>,
}

impl Session {
    /// A walk of `kind` on `target`: the flow built on the target's app with `inputs` and the
    /// CSRF `state`, the demo users of its provider when a sandbox approves, the authorize URL
    /// linted. Every face starts a walk here.
    pub fn start(
        target: &Target,
        kind: FlowKind,
        inputs: &Inputs,
        state: String,
        now: OffsetDateTime,
    ) -> Result<Self, FlowError> {
        let mut flow = Flow::new(kind, target.app.clone(), inputs, state, now)?;
        flow.set_tutorial_mixup(target.tutorial_mixup);
        flow.set_tutorial_cgi(target.tutorial_cgi);
        let users = match (&target.approver, &target.manifest) {
            (Some(_), Some(m)) => m
                .users_of(kind.provider())
                .map(|u| (u.id.clone(), u.label.clone()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self::new(
            flow,
            target.info.clone(),
            users,
            target.user.as_deref(),
        ))
    }

    /// A session over `flow`. `users` are the demo users (id, label) that can approve on a
    /// sandbox, empty for a real app; `user` is the one picked first.
    pub fn new(
        flow: Flow,
        info: TargetInfo,
        users: Vec<(String, String)>,
        user: Option<&str>,
    ) -> Self {
        let user = user
            .and_then(|u| users.iter().position(|(id, _)| id == u))
            .unwrap_or(0);
        let mut presenter = Presenter::new();
        presenter.observe(&flow);
        Self {
            flow,
            presenter,
            info,
            policy: Policy::default(),
            users,
            user,
            approved: None,
            phase: Phase::Ready,
            wait: Wait::Nothing,
            problem: None,
            problem_code: None,
        }
    }

    /// The flow, once the walk is over (tests and benches inspect its record).
    pub fn into_flow(self) -> Flow {
        self.flow
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Show secrets in full, or mask them again.
    pub fn toggle_reveal(&mut self) {
        self.policy.reveal = !self.policy.reveal;
    }

    /// Mask secrets whatever was asked (presenter mode).
    pub fn force_mask(&mut self) {
        self.policy.reveal = false;
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// The code of the finding the walk noted for [`Session::problem`], if it noted one.
    pub fn problem_code(&self) -> Option<&'static str> {
        self.problem.as_ref().and(self.problem_code)
    }

    /// The demo users (id, label) and the index of the one picked.
    pub fn users(&self) -> (&[(String, String)], usize) {
        (&self.users, self.user)
    }

    /// Pick the demo user at `index` for the next consent.
    pub fn pick_user(&mut self, index: usize) {
        if index < self.users.len() {
            self.user = index;
        }
    }

    /// The walk as every pane shows it.
    pub fn walk(&self, now: OffsetDateTime, elapsed: Duration) -> Walk {
        self.walk_with(self.policy, now, elapsed)
    }

    /// The walk masked by `policy` whatever the screen shows (for an export).
    pub fn walk_with(&self, policy: Policy, now: OffsetDateTime, elapsed: Duration) -> Walk {
        let mut walk = self
            .presenter
            .walk(&self.flow, &self.info, policy, now, elapsed);
        walk.problem.clone_from(&self.problem);
        // The header and the export name the user the walk is really for: the one who gave
        // the consent, else the one highlighted to give it.
        if let Some(user) = self.user_id()
            && let Some(old) = walk.target.user.replace(user.to_owned())
            && let Some(app) = walk.target.name.strip_suffix(&format!(" as {old}"))
        {
            walk.target.name = format!("{app} as {user}");
        }
        walk
    }

    /// The demo user the walk is for: the one who approved, else the one picked to approve.
    pub fn user_id(&self) -> Option<&str> {
        self.approved
            .as_deref()
            .or_else(|| self.users.get(self.user).map(|(id, _)| id.as_str()))
    }

    /// Run the next step: advance the flow to its next effect and say what the loop must do.
    /// `None` when nothing is to be done (waiting already, or finished).
    pub fn next(&mut self, now: OffsetDateTime) -> Option<Command> {
        if self.phase == Phase::Waiting {
            return None;
        }
        self.problem = None;
        let sandbox = !self.users.is_empty();
        loop {
            match self.flow.advance(now) {
                // The URL is shown from the start; authorizing only marks the step done.
                Effect::Authorized { .. } => {}
                Effect::AwaitCallback {
                    authorize_url,
                    redirect_uri,
                    ..
                } => {
                    self.phase = Phase::Waiting;
                    if sandbox {
                        self.wait = Wait::Consent(Consent::Authorize { url: authorize_url }, None);
                        return Some(Command::AwaitConsent);
                    }
                    self.wait = Wait::Redirect {
                        background: false,
                        _stop: None,
                    };
                    return Some(Command::AwaitCallback {
                        authorize_url,
                        redirect_uri,
                    });
                }
                Effect::AwaitMiniCode { app_id, scope } => {
                    self.phase = Phase::Waiting;
                    if sandbox {
                        self.wait = Wait::Consent(
                            Consent::MiniCode {
                                app_id: app_id.clone(),
                                scope: scope.as_str().to_owned(),
                            },
                            None,
                        );
                        return Some(Command::AwaitConsent);
                    }
                    self.wait = Wait::Redirect {
                        background: false,
                        _stop: None,
                    };
                    return Some(Command::AwaitMiniCode {
                        app_id,
                        scope: scope.as_str().to_owned(),
                    });
                }
                Effect::SendHttp {
                    step,
                    attempt,
                    request,
                } => {
                    self.phase = Phase::Waiting;
                    self.wait = Wait::Request;
                    return Some(Command::Send {
                        step,
                        attempt,
                        request,
                    });
                }
                Effect::Wait => {
                    self.phase = Phase::Waiting;
                    return None;
                }
                Effect::Finished { ok } => {
                    self.phase = Phase::Finished { ok };
                    return None;
                }
            }
        }
    }

    /// The consent the sandbox waits for, if a demo user is to be picked.
    pub fn consent(&self) -> Option<&Consent> {
        match &self.wait {
            Wait::Consent(c, _) => Some(c),
            _ => None,
        }
    }

    /// Give the pending consent as the picked demo user: what to carry out (the browser's
    /// hop, or `my.getAuthCode`). `None` when no consent waits.
    pub fn give_consent(&mut self) -> Option<Command> {
        let Wait::Consent(consent, watch) = std::mem::take(&mut self.wait) else {
            return None;
        };
        let Some((user, _)) = self.users.get(self.user).cloned() else {
            self.wait = Wait::Consent(consent, watch);
            return None;
        };
        // The consent is given here: the watch of the sandbox's callback ends.
        drop(watch);
        self.approved = Some(user.clone());
        self.wait = Wait::Redirect {
            background: true,
            _stop: None,
        };
        Some(match consent {
            Consent::Authorize { url } => Command::Approve {
                authorize_url: url,
                user,
            },
            Consent::MiniCode { app_id, scope } => Command::MiniCode {
                app_id,
                scope,
                user,
            },
        })
    }

    /// A watch of the sandbox's callback began while the consent waits (a phone or a browser
    /// may approve on the consent page itself); dropping `stop` ends it. Kept until the
    /// consent is given here, the redirect comes, or the step is retried or cancelled.
    pub fn watching(&mut self, stop: StopHandle) {
        if let Wait::Consent(_, watch) = &mut self.wait {
            *watch = Some(stop);
        }
    }

    /// A background wait for the redirect began (a loopback listener); dropping `stop` ends
    /// it. The session keeps it until the redirect comes, the step is retried or cancelled.
    pub fn listening(&mut self, stop: StopHandle) {
        self.wait = Wait::Redirect {
            background: true,
            _stop: Some(stop),
        };
    }

    /// Whether something in the background waits for the redirect (a consent being given, a
    /// listener), as opposed to a person who is to paste it.
    pub fn awaits_redirect(&self) -> bool {
        matches!(
            self.wait,
            Wait::Redirect {
                background: true,
                ..
            }
        )
    }

    /// Take what came back from carrying out a command. Returns the step of a new exchange
    /// (the face selects it).
    pub fn apply(&mut self, outcome: Outcome, now: OffsetDateTime) -> Option<StepKind> {
        match outcome {
            Outcome::Response {
                attempt,
                result,
                elapsed,
            } => {
                // A stale answer (the step was retried meanwhile) changes nothing.
                let index = self.on_response(attempt, result, elapsed, now).ok()?;
                Some(self.flow.exchanges()[index].step)
            }
            Outcome::Callback(result) => {
                self.wait = Wait::Nothing;
                match result {
                    Ok(input) => {
                        let _ = self.on_callback(&input, now);
                    }
                    Err(e) => self.on_wait_failed(e.to_string()),
                }
                // The step that waited stays on screen, to show the redirect.
                None
            }
            Outcome::Ignored(finding) => {
                self.note(finding);
                None
            }
            Outcome::Stopped => None,
            Outcome::Hits(hits, outcome) => {
                self.add_hits(hits);
                self.apply(*outcome, now)
            }
        }
    }

    /// The answer to a [`Command::Send`]. A stale answer (the step was retried meanwhile) is
    /// refused and changes nothing.
    pub fn on_response(
        &mut self,
        attempt: AttemptId,
        result: Result<RawResponse, HttpFailure>,
        elapsed: Duration,
        now: OffsetDateTime,
    ) -> Result<usize, FlowError> {
        let index = self.flow.on_response(attempt, result, elapsed, now)?;
        self.wait = Wait::Nothing;
        self.presenter.observe(&self.flow);
        self.settle();
        Ok(index)
    }

    /// The redirect (or a pasted callback URL or code) arrived.
    pub fn on_callback(&mut self, input: &str, now: OffsetDateTime) -> Result<(), FlowError> {
        let result = self.flow.on_callback(input, now);
        self.wait = Wait::Nothing;
        if let Err(e) = &result {
            self.problem = Some(e.to_string());
            self.problem_code = e.finding_code();
        }
        self.settle();
        result
    }

    /// Hits on the callback seen outside the engine (a redirect the listener refused).
    pub fn add_hits(&mut self, hits: Vec<crate::flow::CallbackHit>) {
        self.flow.add_hits(hits);
    }

    /// A finding from outside the engine (a request the callback listener ignored).
    pub fn note(&mut self, finding: crate::finding::Finding) {
        self.flow.note(finding);
    }

    /// A consent, a mini code or a listener failed before any callback came.
    pub fn on_wait_failed(&mut self, message: String) {
        self.wait = Wait::Nothing;
        self.problem = Some(message);
        self.problem_code = None;
        self.phase = Phase::Ready;
    }

    /// The latest attempt of `step` as a form to edit; an error when the step was never sent.
    pub fn edit(&self, step: StepKind) -> Result<EditedRequest, FlowError> {
        let index = self
            .flow
            .attempts(step)
            .last()
            .copied()
            .ok_or(FlowError::NeverSent { step })?;
        Ok(EditedRequest::of(
            step,
            &self.flow.exchanges()[index].request,
        ))
    }

    /// Send an edited request as a new attempt of its step: what the loop must send. The
    /// earlier attempts stay; the steps after it keep what they did, and the ones still to
    /// run use the latest successful attempt.
    pub fn resend(&mut self, edited: &EditedRequest) -> Result<Command, ResendError> {
        if self.phase == Phase::Waiting {
            let step = self.current_step().unwrap_or(edited.step);
            return Err(FlowError::Busy { step }.into());
        }
        let request = edited.build(self.flow.app())?;
        match self.flow.resend(edited.step, request)? {
            Effect::SendHttp {
                step,
                attempt,
                request,
            } => {
                self.problem = None;
                self.phase = Phase::Waiting;
                self.wait = Wait::Request;
                Ok(Command::Send {
                    step,
                    attempt,
                    request,
                })
            }
            _ => Err(FlowError::NeverSent { step: edited.step }.into()),
        }
    }

    /// Run `step` again (and everything after it); an answer still in flight becomes stale,
    /// a consent or a listener still waiting is dropped.
    pub fn retry(&mut self, step: StepKind) {
        self.wait = Wait::Nothing;
        self.flow.rerun(step);
        self.problem = None;
        self.phase = Phase::Ready;
    }

    /// Offer the refresh step (and WeChat's token check) to run next, once a refresh token
    /// exists; `false` when there is none yet or something is awaited.
    pub fn offer_refresh(&mut self) -> bool {
        if self.phase == Phase::Waiting || !self.flow.offer_refresh() {
            return false;
        }
        self.problem = None;
        self.phase = Phase::Ready;
        true
    }

    /// Stop waiting for the request in flight.
    pub fn cancel(&mut self) -> Option<StepKind> {
        self.wait = Wait::Nothing;
        let step = self.flow.cancel();
        self.phase = Phase::Ready;
        step
    }

    /// The step the walk is at: the first not done, or the last.
    pub fn current_step(&self) -> Option<StepKind> {
        let steps = self.flow.steps();
        steps
            .iter()
            .find(|s| !matches!(s.state, StepState::Done | StepState::Skipped))
            .or_else(|| steps.last())
            .map(|s| s.kind)
    }

    fn settle(&mut self) {
        let failed = self
            .flow
            .steps()
            .iter()
            .any(|s| s.state == StepState::Failed);
        let open = self
            .flow
            .steps()
            .iter()
            .any(|s| matches!(s.state, StepState::Pending | StepState::AwaitingUser));
        self.phase = if failed {
            Phase::Finished { ok: false }
        } else if open {
            // A callback refused leaves its step waiting for another try.
            Phase::Ready
        } else {
            Phase::Finished {
                ok: self.flow.succeeded(),
            }
        };
    }
}
