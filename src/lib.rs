//! authwalk: a terminal inspector for the Alipay and WeChat "get the user's profile" OAuth
//! logins. `ARCHITECTURE.md` draws the layers; each module in one line, bottom up:
//!
//! - [`finding`]: a finding (severity, stable code, text in every language) and [`finding::Lang`].
//! - [`escape`]: one escaping rule for every text a terminal or a JSON document shows.
//! - [`limits`]: size and time limits on everything read, and the bounded reader they share.
//! - [`redact`]: masking of secrets for screens, logs and transcripts.
//! - [`keys`]: RSA keys: parsing every format Alipay's tools emit, fingerprints, generation.
//! - [`catalog`]: what every field, value and error code means, from `assets/catalog/`.
//! - [`provider`]: Alipay and WeChat protocol code (URLs, signing, verification, lint). Pure.
//! - [`flow`]: the step engine: a login's steps, their inputs and effects. Pure.
//! - [`triage`]: an exchange (or a pasted response) turned into findings.
//! - [`config`]: profiles and the files that hold secrets (0600).
//! - [`preflight`]: a profile checked before any call (`keys check`).
//! - [`qr`]: QR codes drawn with half blocks.
//! - [`transport`]: HTTP that records every byte, the loopback callback listener, approvers.
//! - [`sandbox`]: the in-process emulator of both providers, served over loopback HTTP.
//! - [`target`]: a profile, the embedded or a running sandbox, turned into what a walk talks to.
//! - [`present`]: the one model of a walk ([`present::Walk`]) every face renders, and masking.
//! - [`session`]: the one interpreter of a walk: builds it, owns its wait, takes its results.
//! - [`walker`]: carries out a session's commands (requests, consent, listener) for every face.
//! - [`transcript`]: a walk written for a ticket (Markdown and JSON, redacted); HAR import.
//! - [`replay`]: a saved walk (transcript, `run --json`, HAR, triage) read back, read only.
//! - [`tui`]: the inspector: one loop, key map, themes, widgets, the walk's panes.
//! - [`cli`]: the command-line face: clap arguments, printing the model as text or JSON.

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
