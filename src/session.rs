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

use std::time::Duration;

use time::OffsetDateTime;

use crate::flow::{
    AttemptId, Effect, Flow, FlowError, HttpFailure, RawResponse, StepKind, StepState,
};
use crate::present::{Policy, Presenter, TargetInfo, Walk};
use crate::provider::PreparedRequest;

/// What the loop must do for the walk to go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send this request and report with [`Session::on_response`].
    Send {
        step: StepKind,
        attempt: AttemptId,
        request: PreparedRequest,
    },
    /// On a sandbox: give consent as `user` (the browser's hop) and report the redirect with
    /// [`Session::on_callback`].
    Approve { authorize_url: String, user: String },
    /// On a sandbox: get a mini-program auth code as `user`.
    MiniCode {
        app_id: String,
        scope: String,
        user: String,
    },
    /// A real app: wait for the browser's redirect (loopback listener) or a paste.
    AwaitCallback { authorize_url: String },
    /// A real mini program: the person pastes the authCode.
    AwaitMiniCode,
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
    phase: Phase,
    /// The last thing that went wrong outside an exchange (a refused callback, say).
    problem: Option<String>,
}

impl Session {
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
        Self {
            flow,
            presenter: Presenter::new(),
            info,
            policy: Policy::default(),
            users,
            user,
            phase: Phase::Ready,
            problem: None,
        }
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
        self.presenter
            .walk(&self.flow, &self.info, self.policy, now, elapsed)
    }

    /// The walk masked by `policy` whatever the screen shows (for an export).
    pub fn walk_with(&self, policy: Policy, now: OffsetDateTime, elapsed: Duration) -> Walk {
        self.presenter
            .walk(&self.flow, &self.info, policy, now, elapsed)
    }

    /// Run the next step: advance the flow to its next effect and say what the loop must do.
    /// `None` when nothing is to be done (waiting already, or finished).
    pub fn next(&mut self, now: OffsetDateTime) -> Option<Command> {
        if self.phase == Phase::Waiting {
            return None;
        }
        self.problem = None;
        let user = self.users.get(self.user).map(|(id, _)| id.clone());
        loop {
            match self.flow.advance(now) {
                // The URL is shown from the start; authorizing only marks the step done.
                Effect::Authorized { .. } => {}
                Effect::AwaitCallback { authorize_url, .. } => {
                    self.phase = Phase::Waiting;
                    return Some(match user {
                        Some(user) => Command::Approve {
                            authorize_url,
                            user,
                        },
                        None => Command::AwaitCallback { authorize_url },
                    });
                }
                Effect::AwaitMiniCode { app_id, scope } => {
                    self.phase = Phase::Waiting;
                    return Some(match user {
                        Some(user) => Command::MiniCode {
                            app_id,
                            scope: scope.as_str().to_owned(),
                            user,
                        },
                        None => Command::AwaitMiniCode,
                    });
                }
                Effect::SendHttp {
                    step,
                    attempt,
                    request,
                } => {
                    self.phase = Phase::Waiting;
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
        self.presenter.observe(&self.flow);
        self.settle();
        Ok(index)
    }

    /// The redirect (or a pasted callback URL or code) arrived.
    pub fn on_callback(&mut self, input: &str, now: OffsetDateTime) -> Result<(), FlowError> {
        let result = self.flow.on_callback(input, now);
        if let Err(e) = &result {
            self.problem = Some(e.to_string());
        }
        self.settle();
        result
    }

    /// A finding from outside the engine (a request the callback listener ignored).
    pub fn note(&mut self, finding: crate::finding::Finding) {
        self.flow.note(finding);
    }

    /// A consent, a mini code or a listener failed before any callback came.
    pub fn on_wait_failed(&mut self, message: String) {
        self.problem = Some(message);
        self.phase = Phase::Ready;
    }

    /// Run `step` again (and everything after it); an answer still in flight becomes stale.
    pub fn retry(&mut self, step: StepKind) {
        self.flow.rerun(step);
        self.problem = None;
        self.phase = Phase::Ready;
    }

    /// Stop waiting for the request in flight.
    pub fn cancel(&mut self) -> Option<StepKind> {
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
