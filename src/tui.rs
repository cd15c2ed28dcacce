//! The terminal face: one message enum, one loop, a key map, themes and widgets.
//!
//! The pieces, from the outside in:
//!
//! - [`terminal`] puts the terminal into raw mode, the alternate screen, mouse capture and
//!   bracketed paste, and restores every one of them on every exit path (a guard's `Drop`, a
//!   chained panic hook, Ctrl-C as a key, SIGINT/SIGQUIT/SIGTERM/SIGHUP and the other
//!   terminating signals as a [`event::Message::Quit`], with a watchdog should the loop be stuck).
//! - [`event`] defines [`event::Message`], the only thing the loop reacts to, and the input
//!   reader that turns terminal events into messages on a channel.
//! - [`runtime`] is the loop: it takes one message, lets the [`runtime::App`] update its state
//!   (which answers with [`runtime::Command`]s), and draws only when the state changed and the
//!   queue is empty. It is generic over the ratatui backend so tests drive it on `TestBackend`.
//! - [`keymap`] maps keys to [`keymap::Action`]s, remappable from the config file; the help
//!   overlay and the key bar are generated from it.
//! - [`theme`] loads the semantic palettes of `themes/*.toml` (and the user's own) and derives
//!   [`theme::Styles`] once.
//! - [`widget`] holds pure render functions: the text view for large bodies, the QR code, the
//!   one-line input, the spinner, popups, the help overlay and key bar, and the OSC 52 clipboard.
//!
//! Every string that reaches a cell goes through [`visible`], so a control character in a
//! response body can never drive the terminal.

pub mod event;
pub mod keymap;
pub mod runtime;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod walk;
pub mod widget;
pub mod wrap;

#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod demo;
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod testing;

pub use text::visible;
