//! The one message enum, and the sources that feed it: terminal input and OS signals.
//!
//! Everything the loop reacts to arrives as a [`Message`] on one tokio channel: keys, mouse and
//! pastes from the [`InputReader`] thread, `Tick` from the loop's own timer while something
//! animates, `Quit` from a terminating signal ([`spawn_signal_listener`]), and `Report` from
//! tasks that did network work. The UI therefore never awaits anything but the next message.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc;

/// What the loop reacts to. `R` is what background tasks report (the walk's results); a
/// shell with no tasks uses `()`.
#[derive(Debug)]
pub enum Message<R> {
    /// A terminal event: a key press, a mouse click or wheel, a bracketed paste, focus change.
    /// Resizes never arrive here: the reader turns them into [`Message::Resize`].
    Input(Event),
    /// A beat of the animation clock (4 Hz), sent only while the app says something animates
    /// (a spinner, a countdown), so an idle TUI costs no CPU.
    Tick,
    /// The terminal is now `width` × `height` cells; the loop redraws.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Leave the loop and restore the terminal: from Ctrl-C, `q`, or a terminating signal.
    Quit,
    /// The result of a background task, reported back so the UI never awaits it.
    Report(R),
}

/// The sending half every source of messages holds.
pub type Sender<R> = mpsc::UnboundedSender<Message<R>>;
/// The receiving half the loop owns.
pub type Receiver<R> = mpsc::UnboundedReceiver<Message<R>>;

/// A fresh message channel.
pub fn channel<R>() -> (Sender<R>, Receiver<R>) {
    mpsc::unbounded_channel()
}

impl<R> Message<R> {
    /// A key press, as terminal input would deliver it.
    pub fn key(code: KeyCode, modifiers: KeyModifiers) -> Self {
        Self::Input(Event::Key(KeyEvent::new(code, modifiers)))
    }

    /// A terminal event as a message: resizes become [`Message::Resize`], key releases and
    /// repeats (reported by some terminals) are dropped, everything else is [`Message::Input`].
    pub fn from_event(event: Event) -> Option<Self> {
        match event {
            Event::Resize(width, height) => Some(Self::Resize { width, height }),
            Event::Key(key) if key.kind == KeyEventKind::Release => None,
            other => Some(Self::Input(other)),
        }
    }

    /// Whether this is Ctrl-C, which always quits (raw mode delivers it as a key, not SIGINT).
    pub fn is_interrupt(&self) -> bool {
        matches!(self, Self::Input(Event::Key(KeyEvent { code: KeyCode::Char('c' | 'C'), modifiers, .. }))
            if modifiers.contains(KeyModifiers::CONTROL))
    }
}

/// Reads terminal events on a plain thread (crossterm's reader blocks) and sends them as
/// messages. Dropping it stops the thread within one poll interval.
pub struct InputReader {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How long the reader waits for an event before checking whether it should stop.
const POLL: Duration = Duration::from_millis(50);

impl InputReader {
    /// Start reading. A read error (the terminal went away) becomes [`Message::Quit`].
    pub fn spawn<R: Send + 'static>(tx: Sender<R>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("tui-input".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    let message = match event::poll(POLL) {
                        Ok(false) => continue,
                        Ok(true) => {
                            if let Ok(event) = event::read() {
                                Message::from_event(event)
                            } else {
                                // The terminal went away (a hang-up): say so once and stop.
                                let _ = tx.send(Message::Quit);
                                break;
                            }
                        }
                        Err(_) => {
                            let _ = tx.send(Message::Quit);
                            break;
                        }
                    };
                    if let Some(message) = message
                        && tx.send(message).is_err()
                    {
                        break;
                    }
                }
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for InputReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Join only a thread that has stopped: one stuck in a read on a hung-up terminal must
        // not keep the process alive (it ends with the process).
        if let Some(thread) = self.thread.take() {
            let deadline = std::time::Instant::now() + 2 * POLL;
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(POLL / 5);
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// The signal that ended the inspector, 0 while none has.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// How long the loop has after a signal to end by itself and restore the terminal. A frame
/// takes milliseconds, so only a stuck loop is still running after it.
pub const GRACE: Duration = Duration::from_secs(1);

/// How long the process then has to wind down (the embedded sandbox stopping) before the
/// watchdog ends it.
const WIND_DOWN: Duration = Duration::from_secs(2);

/// The signals whose default action ends the process and that a program may catch: a closed
/// terminal (SIGHUP), `kill -INT` (Ctrl-C itself is a key in raw mode), `kill -QUIT`, `kill`,
/// and SIGALRM, SIGUSR1, SIGUSR2.
#[cfg(unix)]
fn ending_signals() -> [tokio::signal::unix::SignalKind; 7] {
    use tokio::signal::unix::SignalKind;
    [
        SignalKind::hangup(),
        SignalKind::interrupt(),
        SignalKind::quit(),
        SignalKind::terminate(),
        SignalKind::alarm(),
        SignalKind::user_defined1(),
        SignalKind::user_defined2(),
    ]
}

/// Turn every terminating signal (see [`ending_signals`]: SIGHUP, SIGINT, SIGQUIT, SIGTERM, …)
/// into [`Message::Quit`], so the loop ends normally and the guard restores the terminal; the
/// process then exits with the shell's code for the signal ([`exit_code`]: 128 + its number).
/// A watchdog thread makes sure of it: should the loop still hold the terminal after [`GRACE`]
/// (stuck in a frame), it restores the terminal itself and exits. Must be called inside a tokio
/// runtime.
pub fn spawn_signal_listener<R: Send + 'static>(tx: Sender<R>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::signal;
        for kind in ending_signals() {
            let mut stream = signal(kind)?;
            let number = kind.as_raw_value();
            let tx = tx.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    ended_by(number, &tx);
                }
            });
        }
        // Each listener holds its own sender.
        drop(tx);
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(Message::Quit);
            }
        });
    }
    Ok(())
}

/// The first signal decides: ask the loop to quit, and start the watchdog.
fn ended_by<R>(number: i32, tx: &Sender<R>) {
    if CAUGHT
        .compare_exchange(0, number, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return;
    }
    let _ = tx.send(Message::Quit);
    let spawned = std::thread::Builder::new()
        .name("tui-signal".into())
        .spawn(move || watchdog(number));
    if spawned.is_err() {
        // No thread to wait on: restore and go now.
        let _ = super::terminal::restore();
        std::process::exit(128 + number);
    }
}

/// Give the loop [`GRACE`] to restore the terminal and the process [`WIND_DOWN`] more to end;
/// then restore (if still needed) and exit with 128 + `number`.
fn watchdog(number: i32) {
    std::thread::sleep(GRACE);
    if super::terminal::is_entered() {
        // The loop is stuck. Restore from a thread of its own, so a write to a terminal that
        // no longer reads cannot hold the exit up either.
        let (done, restored) = std::sync::mpsc::channel();
        let _ = std::thread::Builder::new()
            .name("tui-restore".into())
            .spawn(move || {
                let _ = super::terminal::restore();
                let _ = done.send(());
            });
        let _ = restored.recv_timeout(GRACE);
    } else {
        std::thread::sleep(WIND_DOWN);
    }
    std::process::exit(128 + number);
}

/// The signal that ended the inspector, if one did.
pub fn ending_signal() -> Option<i32> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// How the process should exit once the loop is over: success, or after a signal the shell's
/// code for it (128 + its number: 129 SIGHUP, 130 SIGINT, 131 SIGQUIT, 143 SIGTERM).
pub fn exit_code() -> ExitCode {
    ending_signal().map_or(ExitCode::SUCCESS, |n| {
        ExitCode::from(u8::try_from(128 + n).unwrap_or(u8::MAX))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_and_release_are_translated() {
        assert!(matches!(
            Message::<()>::from_event(Event::Resize(60, 20)),
            Some(Message::Resize {
                width: 60,
                height: 20
            })
        ));
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert!(Message::<()>::from_event(Event::Key(release)).is_none());
        assert!(Message::<()>::key(KeyCode::Char('c'), KeyModifiers::CONTROL).is_interrupt());
        assert!(!Message::<()>::key(KeyCode::Char('c'), KeyModifiers::NONE).is_interrupt());
    }
}
