//! Test support: a [`Runner`] that drives a [`Runtime`] on a `TestBackend` through its message
//! channel and waits on a condition of the screen, never on a clock.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

use super::event::{Message, Sender, channel};
use super::runtime::{App, Runtime, Turn};

/// How long [`Runner::wait_for`] waits before failing with the screen it saw: a safety net
/// against a hung test, not a delay.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Bytes written outside ratatui (OSC 52, mouse capture), shared with the test.
#[derive(Debug, Clone, Default)]
pub struct SharedOutput(Arc<Mutex<Vec<u8>>>);

impl SharedOutput {
    /// Everything written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Write for SharedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Drives an app the way a terminal would, on a `TestBackend`.
pub struct Runner<A: App> {
    runtime: Runtime<TestBackend, A>,
    tx: Sender<A::Report>,
    output: SharedOutput,
    quit: bool,
}

impl<A: App> Runner<A> {
    /// A runner for `app` on a `width` × `height` screen, with its first frame drawn.
    pub fn new(app: A, width: u16, height: u16) -> io::Result<Self> {
        let terminal = Terminal::new(TestBackend::new(width, height))?;
        let (tx, rx) = channel();
        let output = SharedOutput::default();
        let mut runtime = Runtime::new(terminal, app, (tx.clone(), rx), Box::new(output.clone()));
        runtime.draw()?;
        Ok(Self {
            runtime,
            tx,
            output,
            quit: false,
        })
    }

    /// Queue a message.
    pub fn send(&self, message: Message<A::Report>) {
        self.tx
            .send(message)
            .expect("the runtime owns the receiver");
    }

    /// Queue a key press.
    pub fn key(&self, code: KeyCode) {
        self.send(Message::key(code, KeyModifiers::NONE));
    }

    /// Queue a key press with modifiers.
    pub fn key_with(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.send(Message::key(code, modifiers));
    }

    /// Queue one key press per character of `text`.
    pub fn type_text(&self, text: &str) {
        text.chars().for_each(|c| self.key(KeyCode::Char(c)));
    }

    /// Queue a bracketed paste.
    pub fn paste(&self, text: &str) {
        self.send(Message::Input(Event::Paste(text.to_owned())));
    }

    /// Queue a mouse event at a cell.
    pub fn mouse(&self, kind: MouseEventKind, column: u16, row: u16) {
        self.send(Message::Input(Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })));
    }

    /// Resize the screen, as the terminal would.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.runtime
            .terminal_mut()
            .backend_mut()
            .resize(width, height);
        self.send(Message::Resize { width, height });
    }

    /// Run the loop until `condition` holds on the screen (checked after every frame) or the
    /// loop ends; fail with `what` and the last screen after [`PATIENCE`].
    pub async fn wait_for(
        &mut self,
        what: &str,
        condition: impl Fn(&Buffer) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if condition(self.buffer()) {
                return Ok(());
            }
            if self.quit {
                return Err(format!("the app quit before {what}:\n{}", self.screen()));
            }
            match tokio::time::timeout_at(deadline, self.runtime.turn()).await {
                Ok(Ok(Turn::Quit)) => self.quit = true,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(format!("drawing failed: {e}")),
                Err(_) => return Err(format!("timed out waiting for {what}:\n{}", self.screen())),
            }
        }
    }

    /// Wait until some row of the screen contains `text`.
    pub async fn wait_for_text(&mut self, text: &str) -> Result<(), String> {
        let what = format!("{text:?} on screen");
        self.wait_for(&what, |b| buffer_text(b).contains(text))
            .await
    }

    /// Handle the keys (and other messages) queued so far and draw: their effect is on the
    /// screen when this returns. Background tasks they started may still be running.
    pub fn settle(&mut self) {
        if self.runtime.settle().expect("drawing on a test backend") {
            self.quit = true;
        }
    }

    /// Run until the app quits; false when it did not within [`PATIENCE`].
    pub async fn wait_for_quit(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self.quit {
            match tokio::time::timeout_at(deadline, self.runtime.turn()).await {
                Ok(Ok(Turn::Quit)) => self.quit = true,
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => return false,
            }
        }
        true
    }

    /// The last frame.
    pub fn buffer(&self) -> &Buffer {
        self.runtime.terminal().backend().buffer()
    }

    /// The last frame as text, one line per row.
    pub fn screen(&self) -> String {
        buffer_text(self.buffer())
    }

    /// The backend, for `insta::assert_snapshot!`.
    pub fn backend(&self) -> &TestBackend {
        self.runtime.terminal().backend()
    }

    /// The app.
    pub fn app(&self) -> &A {
        self.runtime.app()
    }

    /// Bytes written outside ratatui (OSC 52 sequences, mouse capture toggles).
    pub fn output(&self) -> Vec<u8> {
        self.output.bytes()
    }
}

/// A buffer's text, rows joined by newlines, trailing spaces kept; the cells hidden behind a
/// wide character are skipped so CJK reads as written.
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut skip = 0;
        for x in area.left()..area.right() {
            let symbol = buffer[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push_str(symbol);
            skip = crate::tui::text::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}
