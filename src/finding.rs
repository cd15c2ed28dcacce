//! `Finding`: one thing worth telling the user about a URL, a request or a response, with its
//! severity, a stable code, and text in Chinese and English. Linters, triage rules and the
//! flow engine all speak this one type, so the TUI and the CLI show findings the same way.

use std::fmt;

use serde::Serialize;

/// The language explanations are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Pick the language from a POSIX locale string such as `zh_CN.UTF-8`.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Self::Zh
        } else {
            Self::En
        }
    }
}

/// A language that is neither Chinese nor English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language '{0}': use zh or en")]
pub struct UnknownLang(pub String);

impl std::str::FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Self::En),
            "zh" | "cn" | "zh-cn" | "chinese" | "中文" => Ok(Self::Zh),
            other => Err(UnknownLang(other.to_owned())),
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
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
