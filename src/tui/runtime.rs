//! The one loop: a message in, the state updated, commands carried out, a frame drawn when due.
//!
//! ```text
//!  InputReader ─┐                      ┌──────────── App::update(msg) ─▶ Vec<Command>
//!  signals ─────┼─▶ channel ─▶ Runtime ┤                                   │
//!  tasks ───────┘      ▲               └─ draw, only if changed ◀──────────┤ Redraw
//!                      └──── Spawn(future) → Report(result) ◀──────────────┘ Spawn
//! ```
//!
//! The loop takes one message at a time (`select!` with `biased;`: queued messages before the
//! animation clock), hands it to the [`App`], and carries out the [`Command`]s it returns. It
//! draws after every input, resize and report (a tick only when the app asks) once the queue
//! is empty, so every change of state is on screen and a burst of input costs one frame. The app never awaits: network work is a [`Command::Spawn`] whose
//! result comes back as [`Message::Report`].

use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::time::Duration;

use ratatui::backend::Backend;
use ratatui::{Frame, Terminal};
use tokio::time::{Interval, MissedTickBehavior};

use super::event::{InputReader, Message, Receiver, Sender, spawn_signal_listener};
use super::terminal;
use super::widget::osc52;

/// How often [`Message::Tick`] arrives while the app animates.
pub const TICK: Duration = Duration::from_millis(250);

/// The state behind a TUI: it reacts to messages and draws itself.
pub trait App {
    /// What background tasks report back in [`Message::Report`].
    type Report: Send + 'static;

    /// React to one message. Return [`Command::Redraw`] when something visible changed;
    /// nothing is drawn otherwise.
    fn update(&mut self, message: Message<Self::Report>) -> Vec<Command<Self::Report>>;

    /// Draw the whole screen. `&mut` only so the app can remember where its panes landed
    /// (for mouse hits); what is drawn must depend on the state alone.
    fn render(&mut self, frame: &mut Frame<'_>);

    /// Whether something on screen moves by itself (a spinner, a countdown): only then does
    /// the loop send [`Message::Tick`].
    fn animating(&self) -> bool {
        false
    }
}

/// A future that ends in a message, run on its own task.
pub type Task<R> = Pin<Box<dyn Future<Output = Message<R>> + Send>>;

/// What the app asks the loop to do after an update.
pub enum Command<R> {
    /// Draw a new frame once the queue is empty.
    Redraw,
    /// Leave the loop.
    Quit,
    /// Put the text on the clipboard with OSC 52 (works over SSH and in tmux).
    Copy(String),
    /// Turn mouse capture on (clicks and wheel reach the app) or off (the terminal selects text).
    SetMouseCapture(bool),
    /// Run the future on its own task; its output comes back as a message.
    Spawn(Task<R>),
    /// The same, for a task that also reports as it goes: it is given a sender for the
    /// messages before its last (a listener telling of each request it ignored).
    Watch(Box<dyn FnOnce(Sender<R>) -> Task<R> + Send>),
}

/// A popup's answer to a key, as the loop's commands.
impl<R> From<crate::tui::widget::popup::PopupOutcome> for Vec<Command<R>> {
    fn from(outcome: crate::tui::widget::popup::PopupOutcome) -> Self {
        use crate::tui::widget::popup::PopupOutcome;
        match outcome {
            PopupOutcome::Quit => vec![Command::Quit],
            PopupOutcome::Closed => vec![Command::Redraw],
            PopupOutcome::Swallowed => Vec::new(),
        }
    }
}

impl<R> fmt::Debug for Command<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Redraw => f.write_str("Redraw"),
            Self::Quit => f.write_str("Quit"),
            Self::Copy(text) => write!(f, "Copy({} bytes)", text.len()),
            Self::SetMouseCapture(on) => write!(f, "SetMouseCapture({on})"),
            Self::Spawn(_) => f.write_str("Spawn(..)"),
            Self::Watch(_) => f.write_str("Watch(..)"),
        }
    }
}

/// The last line of the one escaping rule: every text is escaped where it is laid out, and a
/// cell that still holds a control character (a title or label that missed it) is drawn as
/// U+FFFD rather than sent to the terminal, where it would act.
fn guard_cells(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if cell.symbol().chars().any(crate::tui::text::needs_escape) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

/// What one turn of the loop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// A message was handled; no frame was drawn (nothing changed, or more messages wait).
    Handled,
    /// A message was handled and a frame drawn.
    Drew,
    /// The loop is over.
    Quit,
}

/// The loop, over any ratatui backend.
pub struct Runtime<B: Backend, A: App> {
    terminal: Terminal<B>,
    app: A,
    tx: Sender<A::Report>,
    rx: Receiver<A::Report>,
    /// Where escape sequences outside ratatui go (OSC 52, mouse capture): the terminal, or a
    /// buffer in tests.
    out: Box<dyn Write + Send>,
    dirty: bool,
    ticker: Option<Interval>,
}

impl<B: Backend, A: App> Runtime<B, A> {
    /// A loop over `terminal` and `app`, reading `rx`; `tx` is handed to spawned tasks.
    pub fn new(
        terminal: Terminal<B>,
        app: A,
        (tx, rx): (Sender<A::Report>, Receiver<A::Report>),
        out: Box<dyn Write + Send>,
    ) -> Self {
        Self {
            terminal,
            app,
            tx,
            rx,
            out,
            dirty: true,
            ticker: None,
        }
    }

    /// The app, to inspect its state.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// The terminal, to read the last frame (`terminal().backend()` on `TestBackend`).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// The terminal, e.g. to resize a `TestBackend`.
    pub fn terminal_mut(&mut self) -> &mut Terminal<B> {
        &mut self.terminal
    }

    /// Run until [`Message::Quit`] or [`Command::Quit`]; return the app.
    pub async fn run(mut self) -> io::Result<A> {
        self.draw()?;
        while self.turn().await? != Turn::Quit {}
        Ok(self.app)
    }

    /// Draw a frame now.
    pub fn draw(&mut self) -> io::Result<()> {
        let app = &mut self.app;
        self.terminal.draw(|frame| {
            app.render(frame);
            guard_cells(frame.buffer_mut());
        })?;
        self.dirty = false;
        Ok(())
    }

    /// Handle every message already queued, then draw if something changed; true when the
    /// loop must end. What a key does at once (not what a task reports later) is on screen.
    pub fn settle(&mut self) -> io::Result<bool> {
        while let Ok(message) = self.rx.try_recv() {
            if self.handle(message)? {
                return Ok(true);
            }
        }
        if self.dirty {
            self.draw()?;
        }
        Ok(false)
    }

    /// Wait for one message, handle it, and draw if something changed and the queue is empty.
    pub async fn turn(&mut self) -> io::Result<Turn> {
        let animating = self.app.animating();
        let ticker = self.ticker.get_or_insert_with(|| {
            let mut ticker = tokio::time::interval(TICK);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
            ticker
        });
        let message = tokio::select! {
            biased;
            message = self.rx.recv() => message.unwrap_or(Message::Quit),
            _ = ticker.tick(), if animating => Message::Tick,
        };
        if self.handle(message)? {
            return Ok(Turn::Quit);
        }
        if self.dirty && self.rx.is_empty() {
            self.draw()?;
            return Ok(Turn::Drew);
        }
        Ok(Turn::Handled)
    }

    /// Handle one message; true when the loop must end.
    fn handle(&mut self, message: Message<A::Report>) -> io::Result<bool> {
        if message.is_interrupt() || matches!(message, Message::Quit) {
            return Ok(true);
        }
        if matches!(message, Message::Resize { .. }) {
            self.terminal.autoresize()?;
        }
        // Whatever a key, a click, a paste, a resize or a task's report changed is on screen
        // after it, whether or not the app remembered to ask: a popup it opened and forgot to
        // redraw for would otherwise stay invisible and swallow keys. A frame that changed
        // nothing writes nothing (ratatui sends only the cells that differ); only the clock's
        // ticks wait for the app's Redraw.
        if !matches!(message, Message::Tick) {
            self.dirty = true;
        }
        let mut quit = false;
        for command in self.app.update(message) {
            match command {
                Command::Redraw => self.dirty = true,
                Command::Quit => quit = true,
                Command::Copy(text) => {
                    osc52::write(&mut self.out, &text)?;
                    self.out.flush()?;
                }
                Command::SetMouseCapture(on) => terminal::write_mouse_capture(&mut self.out, on)?,
                Command::Spawn(task) => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(task.await);
                    });
                }
                Command::Watch(start) => {
                    let tx = self.tx.clone();
                    let task = start(tx.clone());
                    tokio::spawn(async move {
                        let _ = tx.send(task.await);
                    });
                }
            }
        }
        Ok(quit)
    }
}

/// Run `app` full screen on the real terminal until it quits, restoring the terminal however
/// it ends (return, error, panic, Ctrl-C, a terminating signal). Must be called inside a tokio
/// runtime; `channel` is the app's message queue (keep a sender to report into it).
pub async fn run_in_terminal<A: App>(
    app: A,
    channel: (Sender<A::Report>, Receiver<A::Report>),
) -> io::Result<A> {
    let (terminal, guard) = terminal::enter()?;
    let reader = InputReader::spawn(channel.0.clone())?;
    spawn_signal_listener(channel.0.clone())?;
    let result = Runtime::new(terminal, app, channel, Box::new(io::stdout()))
        .run()
        .await;
    drop(reader);
    drop(guard);
    result
}
