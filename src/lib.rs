//! authwalk: a terminal inspector for the Alipay and WeChat "get the user's profile" OAuth
//! logins.
//!
//! The layers, from the bottom up: [`keys`] and [`provider`] (pure protocol code, no I/O and
//! no clock), [`flow`] (the step engine), [`transport`] and [`sandbox`], then [`target`] (what a
//! walk talks to) and [`present`] (the one model of a walk every face renders), and on top the
//! command-line face in [`cli`].

pub mod catalog;
pub mod cli;
pub mod config;
pub mod escape;
pub mod finding;
pub mod flow;
pub mod keys;
pub mod lang;
pub mod limits;
pub mod preflight;
pub mod present;
pub mod provider;
pub mod qr;
pub mod redact;
pub mod replay;
pub mod sandbox;
pub mod session;
pub mod target;
pub mod transcript;
pub mod transport;
pub mod triage;
pub mod tui;
pub mod walker;
