//! The walk's background work: each a future that ends in one [`Report`], run on its own task
//! so the UI never awaits the network. A request carries its attempt id back, so a late answer
//! to a retried step is refused by the flow, not recorded.

use std::time::Duration;

use crate::flow::{AttemptId, HttpFailure, RawResponse};
use crate::provider::PreparedRequest;
use crate::target::{Choice, Open, Place, Where};
use crate::transport::{Approver as _, CallbackListener, SandboxApprover, Transport};
use crate::tui::event::Message;
use crate::tui::runtime::Task;

/// What a background task reports.
#[derive(Debug)]
pub enum Report {
    /// The place (the embedded sandbox, a running one, a profile) is open, or why not.
    Opened(Result<Box<Place>, String>),
    /// The answer to a request, quoting the attempt that sent it.
    Response {
        attempt: AttemptId,
        result: Result<RawResponse, HttpFailure>,
        elapsed: Duration,
    },
    /// A redirect (or a mini-program code) arrived, or why none did.
    Callback(Result<String, String>),
    /// The callback listener answered a request that was not the redirect, and waits on.
    Ignored(crate::finding::Finding),
    /// A listener was stopped before any redirect came (nothing to do).
    Stopped,
}

/// Open the place the walk goes to.
pub fn open(place: Where, how: Open) -> Task<Report> {
    Box::pin(async move {
        let opened = crate::target::open(&place, &how)
            .await
            .map(Box::new)
            .map_err(|e| format!("{e:#}"));
        Message::Report(Report::Opened(opened))
    })
}

/// Send a request.
pub fn send(transport: Transport, attempt: AttemptId, request: PreparedRequest) -> Task<Report> {
    Box::pin(async move {
        let (result, elapsed) = transport.send(&request).await;
        Message::Report(Report::Response {
            attempt,
            result,
            elapsed,
        })
    })
}

/// Give consent on the sandbox as a demo user: the browser's hop.
pub fn approve(mut approver: SandboxApprover, authorize_url: String) -> Task<Report> {
    Box::pin(async move {
        let result = approver.callback(&authorize_url, "").await;
        Message::Report(Report::Callback(result))
    })
}

/// `my.getAuthCode` on the sandbox as a demo user.
pub fn mini_code(mut approver: SandboxApprover, app_id: String, scope: String) -> Task<Report> {
    Box::pin(async move {
        let result = approver.mini_code(&app_id, &scope).await;
        Message::Report(Report::Callback(result))
    })
}

/// Wait for a real browser to come back to a loopback `redirect_uri`.
/// A request that is not this walk's redirect (another path, a foreign or missing `state`) is
/// answered with an "ignored" page and the wait goes on.
/// Each ignored request is reported as it comes ([`Report::Ignored`]), so the person sees a
/// forged redirect arrive.
///
/// `stop` ends the wait when its sender is dropped or sent to (the wait cancelled, the step
/// retried, the walk left): the port is free again for the next listener.
pub fn listen(
    redirect_uri: String,
    authorize_url: String,
    tx: crate::tui::event::Sender<Report>,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Task<Report> {
    Box::pin(async move {
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
                    crate::transport::ListenerApprover::new(listener)
                        .wait(&authorize_url, |ignored| {
                            let _ = tx.send(Message::Report(Report::Ignored(ignored.finding())));
                        })
                        .await
                }
                Err(e) => Err(e.to_string()),
            }
        };
        tokio::select! {
            result = wait => Message::Report(Report::Callback(result)),
            _ = stop => Message::Report(Report::Stopped),
        }
    })
}

/// The demo users of the flow's provider on a sandbox: (id, label).
pub fn demo_users(place: &Place, provider: crate::provider::Provider) -> Vec<(String, String)> {
    place
        .manifest()
        .map(|m| {
            m.users_of(provider)
                .map(|u| (u.id.clone(), u.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// What to walk, as the command line chose it.
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub place: Where,
    pub choice: Choice,
}
