//! Connection limits: how many connections are served at once, and how long a connection may
//! sit silent. `axum::serve` has neither, so the listener is wrapped here.
//!
//! - At most `max` connections are open; when all are taken, the one silent the longest (for at
//!   least [`EVICTABLE_AFTER`]) is closed to make room, so idle connections can never lock a new
//!   client out (a connection with traffic keeps its place; with none to close, accepting waits).
//! - A connection that sends nothing within [`FIRST_BYTE_TIMEOUT`] of being accepted is closed
//!   (a header never coming), one idle after an answer for [`KEEP_ALIVE_TIMEOUT`] is closed, and
//!   any connection silent both ways for [`SILENCE_TIMEOUT`] is closed (longer than the longest
//!   `slow` fault, so a delayed answer still goes out).
//! - A request must arrive whole, head and body, within [`REQUEST_TIMEOUT`] of the connection's
//!   accept (its first request) or of its first byte (the next ones): each byte counts as
//!   activity, so without this total deadline a peer sending one byte every 100 ms would hold
//!   its slot for ever. When the limit is reached, a connection still sending its request after
//!   [`SLOW_REQUEST_EVICTABLE`] may be closed to make room as an idle one may.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::time::{Instant, Sleep};

/// Default cap on open connections: well under the usual 1024 open files.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a new connection may take to send its first byte.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may stay idle between an answer and the next request.
pub const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection may be silent both ways (covers the longest `slow` fault).
pub const SILENCE_TIMEOUT: Duration = Duration::from_millis(super::state::MAX_DELAY_MS + 30_000);
/// A connection silent for less than this is never closed to make room.
pub const EVICTABLE_AFTER: Duration = Duration::from_millis(500);
/// How long a request (head and body) may take to arrive, all its bytes counted together.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A request still arriving after this long may be closed to make room: a client sends a
/// request of a few KB in one go, only a trickle takes this long.
pub const SLOW_REQUEST_EVICTABLE: Duration = Duration::from_millis(500);

/// What the listener knows about one open connection.
#[derive(Debug)]
struct Slot {
    activity: Mutex<Activity>,
    close: Mutex<Option<oneshot::Sender<()>>>,
}

#[derive(Debug, Clone, Copy)]
struct Activity {
    last_active: Instant,
    /// When the request still arriving began, if one is.
    request_since: Option<Instant>,
}

impl Slot {
    fn activity(&self) -> std::sync::MutexGuard<'_, Activity> {
        self.activity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn touch(&self, request_since: Option<Instant>) {
        *self.activity() = Activity {
            last_active: Instant::now(),
            request_since,
        };
    }

    /// Since when this connection may be closed to make room, if it may be now: silent for
    /// [`EVICTABLE_AFTER`], or still sending a request begun [`SLOW_REQUEST_EVICTABLE`] ago.
    fn evictable_since(&self, now: Instant) -> Option<Instant> {
        let a = *self.activity();
        let silent =
            (now.duration_since(a.last_active) >= EVICTABLE_AFTER).then_some(a.last_active);
        let slow = a
            .request_since
            .filter(|since| now.duration_since(*since) >= SLOW_REQUEST_EVICTABLE);
        match (silent, slow) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }
}

/// A listener that enforces the limits of the module doc.
#[derive(Debug)]
pub(crate) struct Guarded {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    slots: Vec<Weak<Slot>>,
}

impl Guarded {
    pub fn new(inner: TcpListener, max: usize) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(max.max(1))),
            slots: Vec::new(),
        }
    }

    /// Close the connection silent the longest (or trickling its request the longest), if one
    /// has been so long enough.
    fn evict_one(&mut self) -> bool {
        self.slots.retain(|w| w.strong_count() > 0);
        let now = Instant::now();
        let oldest = self
            .slots
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|s| {
                s.close
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .is_some()
            })
            .filter_map(|s| s.evictable_since(now).map(|since| (since, s)))
            .min_by_key(|(since, _)| *since)
            .map(|(_, s)| s);
        let Some(slot) = oldest else {
            return false;
        };
        if let Some(close) = slot
            .close
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            let _ = close.send(());
        }
        tracing::debug!("connection limit reached: closed the longest-idle connection");
        true
    }

    async fn permit(&mut self) -> OwnedSemaphorePermit {
        loop {
            if let Ok(permit) = self.permits.clone().try_acquire_owned() {
                return permit;
            }
            if self.evict_one() {
                // The evicted connection's task wakes, drops its stream and its permit.
                if let Ok(permit) = self.permits.clone().acquire_owned().await {
                    return permit;
                }
            } else {
                // Nothing idle enough to close: wait for a connection to end, or one to idle.
                tokio::select! {
                    p = self.permits.clone().acquire_owned() => {
                        if let Ok(permit) = p {
                            return permit;
                        }
                    }
                    () = tokio::time::sleep(EVICTABLE_AFTER) => {}
                }
            }
        }
    }
}

impl axum::serve::Listener for Guarded {
    type Io = Limited;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let permit = self.permit().await;
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let (close, closed) = oneshot::channel();
                    let now = Instant::now();
                    let slot = Arc::new(Slot {
                        // A first request is on its way from the accept: it may be evicted as
                        // slow once it has not arrived whole within SLOW_REQUEST_EVICTABLE.
                        activity: Mutex::new(Activity {
                            last_active: now,
                            request_since: Some(now),
                        }),
                        close: Mutex::new(Some(close)),
                    });
                    self.slots.retain(|w| w.strong_count() > 0);
                    self.slots.push(Arc::downgrade(&slot));
                    return (Limited::new(stream, slot, closed, permit), addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// Where a connection is in its life, for its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Accepted, nothing received yet.
    Fresh,
    /// Last event was a read: a request is arriving or being answered.
    Reading,
    /// Last event was a write: an answer went out, waiting for the next request.
    Answered,
}

/// A connection with the timeouts of the module doc. Its reads fail once it timed out or was
/// closed to make room; hyper then drops it, which releases its permit.
#[derive(Debug)]
pub(crate) struct Limited {
    inner: TcpStream,
    slot: Arc<Slot>,
    closed: oneshot::Receiver<()>,
    /// Set once `closed` fired (a finished receiver must not be polled again).
    evicted: bool,
    timer: Pin<Box<Sleep>>,
    phase: Phase,
    since: Instant,
    /// Where the bytes received stand in the request they belong to.
    scan: RequestScan,
    /// When the request still arriving began (the accept, for the first one).
    request_since: Option<Instant>,
    _permit: OwnedSemaphorePermit,
}

impl Limited {
    fn new(
        inner: TcpStream,
        slot: Arc<Slot>,
        closed: oneshot::Receiver<()>,
        permit: OwnedSemaphorePermit,
    ) -> Self {
        let now = Instant::now();
        Self {
            inner,
            slot,
            closed,
            evicted: false,
            timer: Box::pin(tokio::time::sleep_until(
                now + FIRST_BYTE_TIMEOUT.min(REQUEST_TIMEOUT),
            )),
            phase: Phase::Fresh,
            since: now,
            scan: RequestScan::default(),
            request_since: Some(now),
            _permit: permit,
        }
    }

    fn deadline(&self) -> Instant {
        let phase = self.since
            + match self.phase {
                Phase::Fresh => FIRST_BYTE_TIMEOUT,
                Phase::Answered => KEEP_ALIVE_TIMEOUT,
                Phase::Reading => SILENCE_TIMEOUT,
            };
        match self.request_since {
            Some(since) => phase.min(since + REQUEST_TIMEOUT),
            None => phase,
        }
    }

    fn moved(&mut self, phase: Phase) {
        self.phase = phase;
        self.since = Instant::now();
        self.slot.touch(self.request_since);
        let deadline = self.deadline();
        self.timer.as_mut().reset(deadline);
    }

    /// Account for bytes received: a request begins, or ends.
    fn received(&mut self, bytes: &[u8]) {
        for event in self.scan.feed(bytes) {
            match event {
                Edge::Began => {
                    // The first request's clock started at the accept.
                    if self.phase != Phase::Fresh || self.request_since.is_none() {
                        self.request_since = Some(Instant::now());
                    }
                }
                Edge::Ended => self.request_since = None,
            }
        }
        if self.phase == Phase::Fresh && self.scan.idle() {
            // Only blank lines so far: a request is still due from the accept.
            return;
        }
        self.moved(Phase::Reading);
    }

    fn request_overdue(&self) -> bool {
        self.request_since
            .is_some_and(|since| Instant::now() >= since + REQUEST_TIMEOUT)
    }
}

fn overdue() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the request did not arrive whole within the request timeout",
    )
}

impl AsyncRead for Limited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.evicted && Pin::new(&mut self.closed).poll(cx).is_ready() {
            self.evicted = true;
        }
        if self.evicted {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed to make room for a new connection",
            )));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.received(&buf.filled()[before..]);
                    // A peer that never pauses long enough for the timer still meets it here.
                    if self.request_overdue() {
                        return Poll::Ready(Err(overdue()));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if self.timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(if self.request_overdue() {
                        overdue()
                    } else {
                        io::Error::new(io::ErrorKind::TimedOut, "the connection was idle too long")
                    }));
                }
                Poll::Pending
            }
        }
    }
}

/// A request's start or end, as [`RequestScan::feed`] sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Began,
    Ended,
}

/// How many bytes of a header line are kept to recognise `Content-Length` and
/// `Transfer-Encoding`.
const LINE_KEPT: usize = 32;

/// Follows the HTTP/1 requests in a byte stream just enough to tell where each ends: the head
/// ends at an empty line, the body after `Content-Length` bytes or, chunked, at the last
/// chunk. Bounded: it keeps the start of one line and a few counters, whatever it is fed.
#[derive(Debug, Default)]
struct RequestScan {
    state: ScanState,
    line: [u8; LINE_KEPT],
    line_len: usize,
    /// Whether the current line has any byte but `\r`.
    line_has_text: bool,
    content_length: u64,
    chunked: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ScanState {
    /// Between requests (blank lines before a request line are allowed).
    #[default]
    Idle,
    /// In the head.
    Head,
    /// In a body of known length: this many bytes to go.
    Body(u64),
    /// In a chunked body: the last bytes seen, to find `0\r\n\r\n`.
    Chunked(u64),
}

impl RequestScan {
    fn idle(&self) -> bool {
        self.state == ScanState::Idle
    }

    fn feed(&mut self, bytes: &[u8]) -> Vec<Edge> {
        const LAST_CHUNK: u64 = 0x30_0d_0a_0d_0a;
        let mut edges = Vec::new();
        let mut rest = bytes;
        while let Some((&b, tail)) = rest.split_first() {
            match self.state {
                ScanState::Idle => {
                    if b != b'\r' && b != b'\n' {
                        self.state = ScanState::Head;
                        self.line_len = 0;
                        self.line_has_text = false;
                        self.content_length = 0;
                        self.chunked = false;
                        edges.push(Edge::Began);
                        continue;
                    }
                }
                ScanState::Head => {
                    if b == b'\n' {
                        if self.line_has_text {
                            self.header_line();
                        } else {
                            self.state = if self.chunked {
                                ScanState::Chunked(0)
                            } else if self.content_length > 0 {
                                ScanState::Body(self.content_length)
                            } else {
                                edges.push(Edge::Ended);
                                ScanState::Idle
                            };
                        }
                        self.line_len = 0;
                        self.line_has_text = false;
                    } else if b != b'\r' {
                        self.line_has_text = true;
                        if self.line_len < LINE_KEPT {
                            self.line[self.line_len] = b;
                            self.line_len += 1;
                        }
                    }
                }
                ScanState::Body(left) => {
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    let left = left.saturating_sub(u64::try_from(take).unwrap_or(u64::MAX));
                    rest = &rest[take..];
                    if left == 0 {
                        edges.push(Edge::Ended);
                        self.state = ScanState::Idle;
                    } else {
                        self.state = ScanState::Body(left);
                    }
                    continue;
                }
                ScanState::Chunked(window) => {
                    let window = ((window << 8) | u64::from(b)) & 0xff_ffff_ffff;
                    if window == LAST_CHUNK {
                        edges.push(Edge::Ended);
                        self.state = ScanState::Idle;
                    } else {
                        self.state = ScanState::Chunked(window);
                    }
                }
            }
            rest = tail;
        }
        edges
    }

    /// Note the body's framing from one header line.
    fn header_line(&mut self) {
        let line = &self.line[..self.line_len];
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = String::from_utf8_lossy(value);
        let value = value.trim();
        if name.eq_ignore_ascii_case(b"content-length") {
            // An unreadable length is hyper's to refuse; the head's deadline still applies.
            self.content_length = value.parse().unwrap_or(0);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            self.chunked = true;
        }
    }
}

impl AsyncWrite for Limited {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = result
            && n > 0
        {
            self.moved(Phase::Answered);
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = result
            && n > 0
        {
            self.moved(Phase::Answered);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(scan: &mut RequestScan, bytes: &[u8]) -> Vec<Edge> {
        // Byte by byte and all at once must agree.
        bytes.iter().flat_map(|b| scan.feed(&[*b])).collect()
    }

    #[test]
    fn a_request_ends_after_its_head_or_its_body() {
        let mut scan = RequestScan::default();
        assert_eq!(
            edges(&mut scan, b"GET / HTTP/1.1\r\nHost: x\r\n"),
            [Edge::Began]
        );
        assert!(!scan.idle(), "the head is not over");
        assert_eq!(edges(&mut scan, b"\r\n"), [Edge::Ended]);
        let post = b"POST /g HTTP/1.1\r\ncontent-LENGTH: 5\r\n\r\nabc";
        assert_eq!(scan.feed(post), [Edge::Began]);
        assert_eq!(scan.feed(b"de"), [Edge::Ended]);
        // Pipelined, and chunked.
        let two = b"GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
        assert_eq!(scan.feed(two), [Edge::Began, Edge::Ended, Edge::Began]);
        assert_eq!(scan.feed(b"0\r\n\r\n"), [Edge::Ended]);
        assert!(scan.idle());
    }

    #[test]
    fn a_trickled_head_never_ends_by_itself() {
        let mut scan = RequestScan::default();
        let mut all = edges(&mut scan, b"GET / HTTP/1.1\r\nX-Pad: ");
        all.extend(edges(&mut scan, &[b'a'; 10_000]));
        assert_eq!(all, [Edge::Began]);
        assert!(!scan.idle());
    }
}
