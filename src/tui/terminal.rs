//! Entering and leaving the full-screen terminal, on every path.
//!
//! [`enter`] turns on raw mode, the alternate screen, mouse capture and bracketed paste, and
//! returns a [`TerminalGuard`] whose `Drop` turns every one of them off again. [`install_panic_hook`]
//! chains a hook that restores the terminal *before* the previous hook prints the panic, so the
//! message lands on a sane screen. Ctrl-C arrives as a key in raw mode and a terminating signal
//! (SIGINT, SIGQUIT, SIGTERM, SIGHUP, …) as a quit message (see [`super::event`]): both end the
//! loop normally, and the guard does the rest. Should the loop not end in time (a frame that
//! never finishes), the signal's watchdog calls [`restore`] itself and exits; [`is_entered`] tells
//! it whether the terminal still needs it.

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// The real terminal the TUI draws on.
pub type RealTerminal = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped, whatever ended the TUI.
#[must_use = "the terminal is restored when the guard is dropped"]
pub struct TerminalGuard {
    _private: (),
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Whether the terminal is taken over: set by [`enter`], cleared by [`restore`].
static ENTERED: AtomicBool = AtomicBool::new(false);

/// Whether [`enter`] took the terminal over and nothing has restored it since.
pub fn is_entered() -> bool {
    ENTERED.load(Ordering::SeqCst)
}

/// Take over the terminal: raw mode, alternate screen, mouse capture, bracketed paste. On an
/// error half way, what was already turned on is turned off again before returning.
pub fn enter() -> io::Result<(RealTerminal, TerminalGuard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    let guard = TerminalGuard { _private: () };
    let mut stdout = io::stdout();
    write_enter(&mut stdout)?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// Give the terminal back: leave raw mode and write [`write_restore`]'s sequences. Safe to call
/// more than once and when the terminal was never entered.
pub fn restore() -> io::Result<()> {
    ENTERED.store(false, Ordering::SeqCst);
    let raw = disable_raw_mode();
    let written = write_restore(&mut io::stdout());
    raw.and(written)
}

/// The sequences that take the terminal over: alternate screen, mouse capture (so clicks and
/// the wheel reach us), bracketed paste (so a pasted URL arrives whole, not as keys).
pub fn write_enter(out: &mut impl Write) -> io::Result<()> {
    execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )
}

/// The sequences that undo [`write_enter`], and show the cursor again.
pub fn write_restore(out: &mut impl Write) -> io::Result<()> {
    execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    )
}

/// Turn mouse capture on or off, e.g. so the user can select text with the mouse.
pub fn write_mouse_capture(out: &mut impl Write, on: bool) -> io::Result<()> {
    if on {
        execute!(out, EnableMouseCapture)
    } else {
        execute!(out, DisableMouseCapture)
    }
}

/// Install, once per process, a panic hook that restores the terminal and then runs the hook
/// that was there before (which prints the message and backtrace).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        install_panic_hook_with(|| {
            let _ = restore();
        });
    });
}

/// Chain `restore` in front of the current panic hook. Tests pass their own `restore` to
/// observe the order; the product uses [`install_panic_hook`].
pub fn install_panic_hook_with(restore: impl Fn() + Send + Sync + 'static) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
