//! `Finding`: one thing worth telling the user about a URL, a request or a response, with its
//! severity, a stable code, and text in every known language ([`crate::lang`]). Linters, triage rules and the
//! flow engine all speak this one type, so the TUI and the CLI show findings the same way.

use std::fmt;

use serde::Serialize;

pub use crate::lang::{Lang, Text};

/// The finding codes code compares against (the values are the wire strings scripts and the
/// JSON document see; they never change).
pub mod codes {
    /// A step needs an input nobody gave.
    pub const FLOW_MISSING_INPUT: &str = "flow.missing-input";
    /// The callback's `state` is not the one the walk sent.
    pub const FLOW_STATE_MISMATCH: &str = "flow.state-mismatch";
    /// A callback URL without the `state` the walk sent.
    pub const FLOW_STATE_MISSING: &str = "flow.state-missing";
    /// The callback listener ignored a request.
    pub const CALLBACK_IGNORED: &str = "callback.ignored";
    /// The walk exchanged the same WeChat code twice.
    pub const WECHAT_CODE_REUSED: &str = "wechat.confusion.code-reused";
    /// /sns/userinfo refused the token; where it came from is unknown.
    pub const WECHAT_SNS_TOKEN_REJECTED: &str = "wechat.confusion.sns-token-rejected";
    /// /sns/userinfo answered 48001; the scope is unknown.
    pub const WECHAT_USERINFO_UNAUTHORIZED: &str = "wechat.confusion.userinfo-unauthorized";
    /// The catalog's "open this page in WeChat" entry.
    pub const PAGE_OPEN_IN_WECHAT: &str = "page.open-in-wechat";
}

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// One diagnosis: what is wrong (or notable), why, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, e.g. `wechat.40163`, `alipay.isv.invalid-token`,
    /// `lint.wechat.missing-fragment`. Tests and scripts match on it.
    pub code: String,
    pub title: Text,
    pub explanation: Text,
    /// Empty when there is nothing to do.
    pub fix: Text,
}

impl Finding {
    pub fn new(severity: Severity, code: impl Into<String>, title: Text) -> Self {
        Self {
            severity,
            code: code.into(),
            title,
            explanation: Text::default(),
            fix: Text::default(),
        }
    }

    #[must_use]
    pub fn explanation(mut self, text: Text) -> Self {
        self.explanation = text;
        self
    }

    #[must_use]
    pub fn fix(mut self, text: Text) -> Self {
        self.fix = text;
        self
    }
}
