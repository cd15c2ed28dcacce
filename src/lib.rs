//! authwalk: a terminal inspector for the Alipay and WeChat "get the user's profile" OAuth
//! logins.
//!
//! The layers, from the bottom up: [`keys`] and [`provider`] (pure protocol code, no I/O and
//! no clock), then the command-line face in [`cli`].

pub mod catalog;
pub mod cli;
pub mod config;
pub mod finding;
pub mod flow;
pub mod keys;
pub mod provider;
pub mod qr;
pub mod redact;
pub mod sandbox;
pub mod transport;
pub mod triage;
pub mod tui;
