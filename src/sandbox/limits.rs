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

/// What the listener knows about one open connection.
#[derive(Debug)]
struct Slot {
    last_active: Mutex<Instant>,
    close: Mutex<Option<oneshot::Sender<()>>>,
}

impl Slot {
    fn touch(&self) {
        *self
            .last_active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    fn last_active(&self) -> Instant {
        *self
            .last_active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

    /// Close the connection silent the longest, if one has been silent long enough.
    fn evict_one(&mut self) -> bool {
        self.slots.retain(|w| w.strong_count() > 0);
        let now = Instant::now();
        let oldest = self
            .slots
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|s| now.duration_since(s.last_active()) >= EVICTABLE_AFTER)
            .filter(|s| {
                s.close
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .is_some()
            })
            .min_by_key(|s| s.last_active());
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
                    let slot = Arc::new(Slot {
                        last_active: Mutex::new(Instant::now()),
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
            timer: Box::pin(tokio::time::sleep_until(now + FIRST_BYTE_TIMEOUT)),
            phase: Phase::Fresh,
            since: now,
            _permit: permit,
        }
    }

    fn deadline(&self) -> Instant {
        self.since
            + match self.phase {
                Phase::Fresh => FIRST_BYTE_TIMEOUT,
                Phase::Answered => KEEP_ALIVE_TIMEOUT,
                Phase::Reading => SILENCE_TIMEOUT,
            }
    }

    fn moved(&mut self, phase: Phase) {
        self.phase = phase;
        self.since = Instant::now();
        self.slot.touch();
        let deadline = self.deadline();
        self.timer.as_mut().reset(deadline);
    }
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
                    self.moved(Phase::Reading);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if self.timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the connection was idle too long",
                    )));
                }
                Poll::Pending
            }
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
