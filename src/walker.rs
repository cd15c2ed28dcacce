//! Carries out a [`Session`]'s commands, for every face: the session decides, the walker does
//! the I/O (a request, the sandbox's consent, a loopback listener) and hands each result back
//! as an [`Outcome`] for [`Session::apply`].
//!
//! ```text
//!  run:        run_to_end(session, …) ─ loop { session.next() ─▶ carry out ─▶ session.apply() }
//!  inspector:  key ─▶ session.next() / give_consent() ─▶ one task per command (send, approve,
//!              mini_code, listen) ─▶ Outcome ─▶ message ─▶ session.apply()
//! ```

use std::future::Future;

use time::OffsetDateTime;

use crate::finding::Finding;
use crate::flow::{AttemptId, Flow};
use crate::present::{TargetInfo, TargetKind};
use crate::provider::PreparedRequest;
use crate::session::{Command, Outcome, Phase, Session, StopHandle};
use crate::transport::{Approver, CallbackListener, ListenerApprover, SandboxApprover, Transport};

/// Walk `session` to its end (or to the first wait that fails), carrying out each command at
/// once: a consent is given as the picked demo user, a redirect comes from `approver`.
/// `on_change` sees the session after each change (the text face prints what is new).
pub async fn run_to_end(
    session: &mut Session,
    transport: &Transport,
    approver: &mut impl Approver,
    now: impl Fn() -> OffsetDateTime,
    mut on_change: impl FnMut(&Session),
) {
    loop {
        let Some(mut command) = session.next(now()) else {
            return;
        };
        if command == Command::AwaitConsent {
            match session.give_consent() {
                Some(given) => command = given,
                None => return,
            }
        }
        on_change(session);
        let outcome = match command {
            Command::Send {
                attempt, request, ..
            } => send(transport, attempt, &request).await,
            Command::Approve { authorize_url, .. } => {
                let result = approver.callback(&authorize_url, "").await;
                // A page that redirected twice left a hit of its own on the sandbox's callback.
                let hits = approver.hits(session.flow().state()).await;
                with_hits(hits, Outcome::Callback(result))
            }
            Command::AwaitCallback {
                authorize_url,
                redirect_uri,
            } => Outcome::Callback(approver.callback(&authorize_url, &redirect_uri).await),
            Command::MiniCode { app_id, scope, .. } | Command::AwaitMiniCode { app_id, scope } => {
                Outcome::Callback(approver.mini_code(&app_id, &scope).await)
            }
            // Handled above: a consent is given at once.
            Command::AwaitConsent => return,
        };
        session.apply(outcome, now());
        on_change(session);
        // A refused or failed callback leaves the step waiting: a headless walk stops there.
        if session.phase() == Phase::Ready && session.problem().is_some() {
            return;
        }
    }
}

/// Walk a bare `flow` (no target: tests, benches, the soak) to its end with `approver` giving
/// every consent, and say whether every step succeeded.
pub async fn run_flow(
    flow: Flow,
    transport: &Transport,
    approver: &mut impl Approver,
    now: impl Fn() -> OffsetDateTime,
) -> (Flow, bool) {
    let info = TargetInfo {
        scenario: None,
        kind: TargetKind::Sandbox,
        name: String::new(),
        base: String::new(),
        app: crate::finding::Text::default(),
        user: None,
    };
    let mut session = Session::new(flow, info, Vec::new(), None);
    run_to_end(&mut session, transport, approver, now, |_| {}).await;
    let ok = session.phase() == Phase::Finished { ok: true };
    (session.into_flow(), ok)
}

/// `outcome`, with the hits on the callback seen elsewhere when there are any.
fn with_hits(hits: Vec<crate::flow::CallbackHit>, outcome: Outcome) -> Outcome {
    if hits.is_empty() {
        outcome
    } else {
        Outcome::Hits(hits, Box::new(outcome))
    }
}

/// Send a request; the answer quotes its attempt, so a late one is refused by the flow.
pub async fn send(transport: &Transport, attempt: AttemptId, request: &PreparedRequest) -> Outcome {
    let (result, elapsed) = transport.send(request).await;
    Outcome::Response {
        attempt,
        result,
        elapsed,
    }
}

/// The inspector's task for a command given with [`Session::give_consent`]: the sandbox's
/// consent (the browser's hop) or `my.getAuthCode`, as the command's demo user.
/// `None` for a command that is not a consent, or when the target has no sandbox approver.
pub fn consent(
    command: Command,
    approver: Option<&SandboxApprover>,
) -> Option<impl Future<Output = Outcome> + Send + 'static> {
    let mut approver = approver?.clone();
    let (user, action) = match command {
        Command::Approve {
            authorize_url,
            user,
        } => (user, Ok(authorize_url)),
        Command::MiniCode {
            app_id,
            scope,
            user,
        } => (user, Err((app_id, scope))),
        _ => return None,
    };
    approver.user = user;
    Some(async move {
        match action {
            Ok(url) => {
                let result = approver.callback(&url, "").await;
                let state = url::Url::parse(&url).ok().and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "state")
                        .map(|(_, v)| v.into_owned())
                });
                let hits = match state {
                    Some(state) => approver.callback_log(&state).await,
                    None => Vec::new(),
                };
                with_hits(hits, Outcome::Callback(result))
            }
            Err((app_id, scope)) => Outcome::Callback(approver.mini_code(&app_id, &scope).await),
        }
    })
}

/// While a consent waits on a sandbox, watch its callback for this walk's `state`: a phone
/// (phone mode) or a browser that approved on the consent page and followed the 302 lands
/// there, and what it brought is this walk's redirect. Polls the sandbox (a long poll of a
/// few seconds, again and again) until a hit comes ([`Outcome::Callback`]) or `stop`'s handle
/// is dropped ([`Outcome::Stopped`]); a failed poll is tried again a moment later.
pub async fn watch_callback(
    approver: SandboxApprover,
    state: String,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Outcome {
    let watch = async {
        loop {
            match approver
                .callback_hit(&state, std::time::Duration::from_secs(5))
                .await
            {
                Ok(Some(url)) => return url,
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "the sandbox's callback poll failed");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
            }
        }
    };
    tokio::select! {
        url = watch => Outcome::Callback(Ok(url)),
        _ = stop => Outcome::Stopped,
    }
}

/// A stop handle for [`listen`], and the end of it the listener watches.
pub fn stop_pair() -> (StopHandle, tokio::sync::oneshot::Receiver<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    (StopHandle::new(stop), stopped)
}

/// Wait for a real browser to come back to a loopback `redirect_uri`. A request that is not
/// this walk's redirect (another path, a foreign or missing `state`) is answered with an
/// "ignored" page, told to `on_ignored` as it comes (so a person sees a forged redirect
/// arrive), and the wait goes on. Ends with [`Outcome::Stopped`] when `stop`'s handle is
/// dropped: the port is free again for the next listener.
pub async fn listen(
    redirect_uri: String,
    authorize_url: String,
    mut on_ignored: impl FnMut(Finding, Option<crate::flow::CallbackHit>) + Send,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Outcome {
    let wait = async {
        // A listener just stopped may still hold the port for a moment.
        let mut bound = CallbackListener::bind(&redirect_uri).await;
        for _ in 0..20 {
            match &bound {
                Err(crate::transport::ListenError::Bind { io, .. })
                    if io.kind() == std::io::ErrorKind::AddrInUse =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    bound = CallbackListener::bind(&redirect_uri).await;
                }
                _ => break,
            }
        }
        match bound {
            Ok(listener) => {
                ListenerApprover::new(listener)
                    .wait(&authorize_url, |ignored| {
                        on_ignored(ignored.finding(), ignored.hit());
                    })
                    .await
            }
            Err(e) => Err(crate::transport::ApproveError::Listener(e.to_string())),
        }
    };
    tokio::select! {
        result = wait => Outcome::Callback(result),
        _ = stop => Outcome::Stopped,
    }
}
