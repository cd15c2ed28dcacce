//! The callback listener: when `redirect_uri` is on loopback, take the browser's redirect
//! ourselves, answer with a short "you can go back to the terminal" page, and hand the full
//! callback URL to the flow.
//!
//! It is hardened against what a loopback port meets besides the redirect:
//! - connections are served concurrently, each with its own read timeout, so an idle one (a
//!   browser's preconnect, a stuck client) never blocks the real redirect: one that sends
//!   nothing is closed after [`FIRST_BYTE_TIMEOUT`], a request head must arrive whole within the
//!   read timeout, and when [`MAX_CONNECTIONS`] are open the oldest of those still sending
//!   nothing (else the oldest) is closed to make room, never the new one;
//! - the whole wait has a deadline ([`CallbackListener::with_timeout`]);
//! - a request that is not the redirect this walk expects (another path, another method, a
//!   missing or foreign `state`) is answered with a page saying it was ignored and why, reported
//!   to the caller as an [`Ignored`], and the listener goes on waiting.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How long the listener waits for the redirect by default.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_mins(10);

/// How long one connection may take to send its request head.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once (a browser opens a handful); past it, the oldest idle one is
/// closed to make room for the new one.
pub const MAX_CONNECTIONS: usize = 32;

/// How long a connection may stay open without sending a byte (a preconnect): a browser
/// sends its redirect at once on a new connection, and opens another if it finds this one
/// closed.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the listener could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("redirect_uri '{0}' is not a loopback http:// URL; paste the callback instead")]
    NotLoopback(String),
    #[error("cannot listen on {addr} for the callback ({io}); is another program using the port?")]
    Bind {
        addr: SocketAddr,
        io: std::io::Error,
    },
    #[error("the callback connection failed")]
    Io(#[from] std::io::Error),
    /// Nobody came back to the redirect_uri in time.
    #[error(
        "no callback reached {redirect_uri} within {}: open the authorize URL in a browser and approve there, then run again (give more time with --callback-timeout), or copy the code from the browser's address bar and run again with --from token --code -",
        human(*waited)
    )]
    TimedOut {
        redirect_uri: String,
        waited: Duration,
    },
}

/// `90 s`, `10 min`, `1 h 30 min`.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// A request the listener answered and ignored, to show to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// Who sent it.
    pub peer: SocketAddr,
    /// The method and target as received, secrets masked and control characters made
    /// visible (it is shown on a terminal).
    pub request: String,
    pub reason: IgnoreReason,
    /// When it came.
    pub at: time::OffsetDateTime,
}

/// Why a request to the listener was not taken as the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreReason {
    /// Another path (`/favicon.ico`, a probe).
    OtherPath,
    /// Not a `GET` (a redirect is always followed with GET).
    NotGet,
    /// The request head could not be read as HTTP.
    Malformed,
    /// The redirect has no `state` although this walk sent one: not from this login.
    StateMissing,
    /// The redirect's `state` is not the one this walk sent: forged, or from another login.
    StateMismatch,
}

impl IgnoreReason {
    fn status(&self) -> &'static str {
        match self {
            Self::OtherPath => "404 Not Found",
            Self::NotGet => "405 Method Not Allowed",
            Self::Malformed | Self::StateMissing | Self::StateMismatch => "400 Bad Request",
        }
    }
}

impl fmt::Display for IgnoreReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::lang::tr(crate::lang::Lang::EN, self.key()))
    }
}

impl IgnoreReason {
    /// The key of the reason's text.
    fn key(&self) -> &'static str {
        match self {
            Self::OtherPath => "transport.callback.ignored.other-path",
            Self::NotGet => "transport.callback.ignored.not-get",
            Self::Malformed => "transport.callback.ignored.malformed",
            Self::StateMissing => "transport.callback.ignored.state-missing",
            Self::StateMismatch => "transport.callback.ignored.state-mismatch",
        }
    }
}

impl Ignored {
    /// A redirect the listener refused (a missing or foreign `state`) as a hit of the
    /// timeline; `None` for a request that was no redirect (another path, a probe).
    pub fn hit(&self) -> Option<crate::flow::CallbackHit> {
        if !matches!(
            self.reason,
            IgnoreReason::StateMissing | IgnoreReason::StateMismatch
        ) {
            return None;
        }
        let target = self.request.split_whitespace().nth(1)?;
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        Some(crate::flow::CallbackHit {
            at: self.at,
            source: crate::flow::HitSource::Listener,
            user_agent: None,
            state: param("state"),
            code: param("code").or_else(|| param("auth_code")),
            result: crate::flow::HitResult::Refused,
        })
    }

    /// The ignored request as a finding of the walk, in both languages: a forged or foreign
    /// redirect is a warning, a stray request (a favicon, a probe) is information.
    pub fn finding(&self) -> crate::finding::Finding {
        use crate::finding::{Finding, Severity, Text};
        let severity = match self.reason {
            IgnoreReason::StateMissing | IgnoreReason::StateMismatch => Severity::Warning,
            _ => Severity::Info,
        };
        let forged = severity == Severity::Warning;
        Finding::new(
            severity,
            crate::finding::codes::CALLBACK_IGNORED,
            Text::key("transport.callback.ignored")
                .fill_text("reason", &Text::key(self.reason.key()))
                .map(|_, t| {
                    crate::lang::fill(
                        t,
                        &[("peer", &self.peer.to_string()), ("request", &self.request)],
                    )
                }),
        )
        .explanation(Text::key(
            "transport.callback.authwalk-listens-on-the-loopback",
        ))
        .fix(if forged {
            Text::key("transport.callback.if-you-did-not-open")
        } else {
            Text::key("transport.callback.nothing-to-do-a-browser")
        })
    }
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ignored a request from {} to the callback listener ({}): {}; still waiting for the real redirect",
            self.peer, self.request, self.reason
        )
    }
}

/// A bound listener for one redirect_uri.
#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
    /// The redirect_uri, for messages.
    redirect_uri: String,
    /// The path the redirect arrives on (`/callback`).
    path: String,
    /// `http://host:port`, to rebuild the full URL from the request line.
    origin: String,
    /// How long [`CallbackListener::wait`] waits in all.
    timeout: Duration,
    /// How long one connection may take to send its request head.
    read_timeout: Duration,
}

/// The page shown in the browser after the redirect.
fn done_page() -> String {
    let go_back = crate::lang::Text::key("transport.callback.page.go-back");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>authwalk</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
</style></head><body><h1>✓ authwalk got the callback</h1><p>{}</p>\
<p>{}</p></body></html>",
        go_back.get(crate::lang::Lang::EN),
        go_back.get(crate::lang::Lang::ZH)
    )
}

/// The page for a request that was ignored: why, and that the walk still waits.
fn ignored_page(reason: &IgnoreReason) -> String {
    let waiting = crate::lang::Text::key("transport.callback.page.still-waiting");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>authwalk</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
</style></head><body><h1>authwalk ignored this request</h1><p>It was ignored because {reason}.</p>\
<p>{}</p><p>{}</p></body></html>",
        waiting.get(crate::lang::Lang::EN),
        waiting.get(crate::lang::Lang::ZH)
    )
}

/// What one connection turned out to be.
enum Outcome {
    /// The redirect: its request target (`/callback?code=…&state=…`).
    Callback(String),
    Ignored(Ignored),
    /// Closed, idle past the read timeout, or failed: nothing to report.
    Dropped,
}

impl CallbackListener {
    /// Listen on the host and port of a loopback `redirect_uri`.
    pub async fn bind(redirect_uri: &str) -> Result<Self, ListenError> {
        let url = url::Url::parse(redirect_uri)
            .map_err(|_| ListenError::NotLoopback(redirect_uri.to_owned()))?;
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => std::net::IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => std::net::IpAddr::V6(ip),
            Some(url::Host::Domain("localhost")) => {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            }
            _ => return Err(ListenError::NotLoopback(redirect_uri.to_owned())),
        };
        if url.scheme() != "http" {
            return Err(ListenError::NotLoopback(redirect_uri.to_owned()));
        }
        let addr = SocketAddr::new(ip, url.port_or_known_default().unwrap_or(80));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|io| ListenError::Bind { addr, io })?;
        // The bound port, which differs from the URL's only when it asked for port 0.
        let port = listener.local_addr().map_or(addr.port(), |a| a.port());
        let host = url.host_str().unwrap_or("127.0.0.1");
        let origin = if port == 80 {
            format!("http://{host}")
        } else {
            format!("http://{host}:{port}")
        };
        Ok(Self {
            listener,
            redirect_uri: redirect_uri.to_owned(),
            path: url.path().to_owned(),
            origin,
            timeout: DEFAULT_CALLBACK_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        })
    }

    /// Wait at most `timeout` in all for the redirect (default [`DEFAULT_CALLBACK_TIMEOUT`]).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.set_timeout(timeout);
        self
    }

    /// Change the overall wait of a listener already bound.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// How long [`CallbackListener::wait`] waits in all.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Wait for a GET on the callback path and return its full URL, whatever its `state`.
    /// Other requests (a browser's favicon) get a 404 and are ignored silently.
    pub async fn accept(&self) -> Result<String, ListenError> {
        self.wait(None, |_| {}).await
    }

    /// Wait for the redirect and return its full URL. With `expected_state`, a redirect whose
    /// `state` is missing or different is answered with an "ignored" page and reported to
    /// `on_ignored`, as is any request that is not a GET on the callback path; the wait goes
    /// on until the real redirect comes or the timeout ends it ([`ListenError::TimedOut`]).
    pub async fn wait(
        &self,
        expected_state: Option<&str>,
        mut on_ignored: impl FnMut(Ignored),
    ) -> Result<String, ListenError> {
        let deadline = tokio::time::sleep(self.timeout);
        tokio::pin!(deadline);
        let mut connections = JoinSet::new();
        let mut open: Vec<Open> = Vec::new();
        let expected: Option<std::sync::Arc<str>> = expected_state.map(Into::into);
        let path: std::sync::Arc<str> = self.path.as_str().into();
        loop {
            tokio::select! {
                () = &mut deadline => {
                    return Err(ListenError::TimedOut {
                        redirect_uri: self.redirect_uri.clone(),
                        waited: self.timeout,
                    });
                }
                accepted = self.listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(pair) => pair,
                        // A connection that died between SYN and accept; keep listening.
                        Err(e) if is_transient(&e) => continue,
                        Err(e) => return Err(e.into()),
                    };
                    make_room(&mut open);
                    let (path, expected) = (path.clone(), expected.clone());
                    let read_timeout = self.read_timeout;
                    let spoke = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                    let heard = spoke.clone();
                    let task = connections.spawn(async move {
                        serve(stream, peer, &path, expected.as_deref(), read_timeout, &heard).await
                    });
                    open.push(Open { task, accepted: tokio::time::Instant::now(), spoke });
                }
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    match done {
                        Ok(Outcome::Callback(target)) => {
                            return Ok(format!("{}{target}", self.origin));
                        }
                        Ok(Outcome::Ignored(ignored)) => on_ignored(ignored),
                        Ok(Outcome::Dropped) | Err(_) => {}
                    }
                }
            }
        }
    }
}

/// A connection being served, for [`make_room`].
struct Open {
    task: tokio::task::AbortHandle,
    accepted: tokio::time::Instant,
    /// Whether it sent any byte yet.
    spoke: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// With [`MAX_CONNECTIONS`] open, close one to make room for a new one: the oldest that sent
/// nothing yet (a preconnect, a probe), else the oldest. The new connection, which may be the
/// real redirect, is never the one turned away.
fn make_room(open: &mut Vec<Open>) {
    open.retain(|o| !o.task.is_finished());
    if open.len() < MAX_CONNECTIONS {
        return;
    }
    let silent = |o: &Open| !o.spoke.load(std::sync::atomic::Ordering::Relaxed);
    let victim = open
        .iter()
        .enumerate()
        .filter(|(_, o)| silent(o))
        .min_by_key(|(_, o)| o.accepted)
        .or_else(|| open.iter().enumerate().min_by_key(|(_, o)| o.accepted))
        .map(|(i, _)| i);
    if let Some(i) = victim {
        open.swap_remove(i).task.abort();
    }
}

/// Errors from `accept` that concern one connection only.
fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    )
}

/// Read one request head (bounded in size and time), answer it, and say what it was.
async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    path: &str,
    expected_state: Option<&str>,
    read_timeout: Duration,
    spoke: &std::sync::atomic::AtomicBool,
) -> Outcome {
    // Silent connections go first; then the head, all of it, within the read timeout.
    let first = tokio::time::timeout(FIRST_BYTE_TIMEOUT.min(read_timeout), stream.readable()).await;
    if !matches!(first, Ok(Ok(()))) {
        return Outcome::Dropped;
    }
    spoke.store(true, std::sync::atomic::Ordering::Relaxed);
    let Ok(Ok(head)) = tokio::time::timeout(read_timeout, read_head(&mut stream)).await else {
        return Outcome::Dropped;
    };
    if head.is_empty() {
        return Outcome::Dropped;
    }
    let verdict = judge(&head, path, expected_state);
    let (status, body) = match &verdict {
        Ok(_) => ("200 OK", done_page()),
        Err((_, reason)) => (reason.status(), ignored_page(reason)),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; what it sent still counts.
    let _ = tokio::time::timeout(read_timeout, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
    match verdict {
        Ok(target) => Outcome::Callback(target),
        Err((request, reason)) => Outcome::Ignored(Ignored {
            peer,
            request,
            reason,
            at: time::OffsetDateTime::now_utc(),
        }),
    }
}

/// Read up to the end of the request head, at most 16 KiB: a redirect's request line is all
/// that is needed.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut len = 0;
    while len < buf.len() {
        let n = stream.read(&mut buf[len..]).await?;
        if n == 0 {
            break;
        }
        len += n;
        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf[..len]).into_owned())
}

/// Whether a request head is the expected redirect: its target, or what to report (the
/// request as shown, masked) and why it is ignored.
fn judge(
    head: &str,
    path: &str,
    expected_state: Option<&str>,
) -> Result<String, (String, IgnoreReason)> {
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next());
    let shown = |text: &str| {
        let text: String = text.chars().take(200).collect();
        crate::escape::visible(&crate::redact::redact_query(&text)).into_owned()
    };
    let Some(target) = target.filter(|_| parts.next().is_some_and(|v| v.starts_with("HTTP/")))
    else {
        return Err((shown(line), IgnoreReason::Malformed));
    };
    let request = shown(&format!("{method} {target}"));
    if target.split('?').next() != Some(path) {
        return Err((request, IgnoreReason::OtherPath));
    }
    if method != "GET" {
        return Err((request, IgnoreReason::NotGet));
    }
    if let Some(expected) = expected_state {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or_default();
        let state = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned());
        match state {
            None => return Err((request, IgnoreReason::StateMissing)),
            Some(got) if got != expected => return Err((request, IgnoreReason::StateMismatch)),
            Some(_) => {}
        }
    }
    Ok(target.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_takes_the_redirect_with_its_state() {
        let head = "GET /cb?code=abc&state=s1 HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(
            judge(head, "/cb", Some("s1")),
            Ok("/cb?code=abc&state=s1".to_owned())
        );
        // No expected state: any GET on the path.
        assert!(judge("GET /cb?code=abc HTTP/1.1\r\n\r\n", "/cb", None).is_ok());
    }

    #[test]
    fn judge_ignores_what_is_not_the_redirect() {
        let reason = |head: &str| judge(head, "/cb", Some("s1")).map_err(|(_, r)| r);
        assert_eq!(
            reason("GET /favicon.ico HTTP/1.1\r\n\r\n"),
            Err(IgnoreReason::OtherPath)
        );
        assert_eq!(
            reason("POST /cb?state=s1 HTTP/1.1\r\n\r\n"),
            Err(IgnoreReason::NotGet)
        );
        assert_eq!(
            reason("GET /cb?code=abc HTTP/1.1\r\n\r\n"),
            Err(IgnoreReason::StateMissing)
        );
        assert_eq!(
            reason("GET /cb?code=abc&state=s2 HTTP/1.1\r\n\r\n"),
            Err(IgnoreReason::StateMismatch)
        );
        assert_eq!(reason("\u{1b}[2J hello"), Err(IgnoreReason::Malformed));
    }

    #[test]
    fn the_report_masks_the_code_and_shows_control_characters() {
        let (shown, _) = judge(
            "GET /cb?code=secretcode123&state=\u{1b}]0;x HTTP/1.1\r\n\r\n",
            "/cb",
            Some("s1"),
        )
        .unwrap_err();
        assert!(!shown.contains("secretcode123"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(Duration::from_mins(10)), "10 min");
        assert_eq!(human(Duration::from_secs(45)), "45 s");
        assert_eq!(human(Duration::from_mins(90)), "1 h 30 min");
    }
}
