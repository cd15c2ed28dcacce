//! The walk's background work: each a future that ends in one [`Report`], run on its own task
//! so the UI never awaits the network. The work itself is [`crate::walker`]'s, the same for
//! `run`; a request carries its attempt id back, so a late answer to a retried step is refused
//! by the flow, not recorded.

use crate::flow::AttemptId;
use crate::provider::PreparedRequest;
use crate::session::{Command, Outcome};
use crate::target::{Choice, Open, Place, Where};
use crate::transport::{SandboxApprover, Transport};
use crate::tui::event::Message;
use crate::tui::runtime::Task;
use crate::walker;

/// What a background task reports.
#[derive(Debug)]
pub enum Report {
    /// The place (the embedded sandbox, a running one, a profile) is open, or why not.
    Opened(Result<Box<Place>, String>),
    /// What carrying out one of the session's commands gave, for [`crate::session::Session::apply`].
    Walked(Outcome),
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
        Message::Report(Report::Walked(
            walker::send(&transport, attempt, &request).await,
        ))
    })
}

/// Give a consent on the sandbox (the browser's hop, or `my.getAuthCode`) as the demo user
/// the command names. `None` when the command is no consent or the target has no sandbox.
pub fn consent(command: Command, approver: Option<&SandboxApprover>) -> Option<Task<Report>> {
    let given = walker::consent(command, approver)?;
    Some(Box::pin(async move {
        Message::Report(Report::Walked(given.await))
    }))
}

/// While the consent waits, watch the sandbox's callback for the walk's `state`
/// ([`walker::watch_callback`]): a phone that approved brings the code this way. `stop` ends
/// the watch when its handle (kept by the session) is dropped.
pub fn watch_callback(
    approver: SandboxApprover,
    state: String,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Task<Report> {
    Box::pin(async move {
        Message::Report(Report::Walked(
            walker::watch_callback(approver, state, stop).await,
        ))
    })
}

/// Wait for a real browser to come back to a loopback `redirect_uri` ([`walker::listen`]):
/// each request it ignores is reported as it comes, so the person sees a forged redirect
/// arrive. `stop` ends the wait when its handle (kept by the session) is dropped.
pub fn listen(
    redirect_uri: String,
    authorize_url: String,
    tx: crate::tui::event::Sender<Report>,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> Task<Report> {
    Box::pin(async move {
        let outcome = walker::listen(
            redirect_uri,
            authorize_url,
            move |finding, hit| {
                let ignored = Outcome::Ignored(finding);
                let outcome = match hit {
                    Some(hit) => Outcome::Hits(vec![hit], Box::new(ignored)),
                    None => ignored,
                };
                let _ = tx.send(Message::Report(Report::Walked(outcome)));
            },
            stop,
        )
        .await;
        Message::Report(Report::Walked(outcome))
    })
}

/// What to walk, as the command line chose it.
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub place: Where,
    pub choice: Choice,
}
