//! authwalk: a terminal inspector for the Alipay and WeChat "get the user's profile" OAuth
//! logins.
//!
//! The layers, from the bottom up: [`keys`] and [`provider`] (pure protocol code, no I/O and
//! no clock), then the command-line face in [`cli`].

pub mod cli;
pub mod finding;
pub mod keys;
pub mod provider;
pub mod sandbox;
