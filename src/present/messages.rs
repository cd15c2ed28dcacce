//! The words around the data, from `assets/messages.toml` through [`crate::lang`]. The text
//! printer, the TUI chrome and exports take every label, verdict and unit from here, so
//! `--lang zh` shows no English besides protocol names and values.

use std::sync::OnceLock;

use crate::finding::{Lang, Text};

/// Every message, by its key in `assets/messages.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    SignedString,
    Sign,
    Key,
    Bytes,
    Signature,
    SignedText,
    Fields,
    Fix,
    Succeeded,
    Failed,
    StepsIn,
    AccessToken,
    RefreshToken,
    AuthCode,
    ValidUntil,
    StateMatches,
    CodeSingleUse,
    CodeValidMore,
    NoResponse,
    NoContentType,
    Verified,
    VerifiedUnescaped,
    Mismatch,
    Unsigned,
    Days,
    Hours,
    Minutes,
    Seconds,
    TargetSandbox,
    TargetRunningSandbox,
    TargetProfile,
    TargetCapture,
    AsUser,
    Next,
    OpenAndApprove,
    OpenUrl,
    PasteRedirect,
    PasteMiniCode,
    StatePending,
    StateAwaiting,
    StateInFlight,
    StateDone,
    StateFailed,
    StateSkipped,
    Expired,
    Left,
    ActorBrowser,
    ActorMini,
    ActorServer,
    ActorAlipay,
    ActorWechat,
}

impl Msg {
    pub const ALL: [Self; 51] = [
        Self::SignedString,
        Self::Sign,
        Self::Key,
        Self::Bytes,
        Self::Signature,
        Self::SignedText,
        Self::Fields,
        Self::Fix,
        Self::Succeeded,
        Self::Failed,
        Self::StepsIn,
        Self::AccessToken,
        Self::RefreshToken,
        Self::AuthCode,
        Self::ValidUntil,
        Self::StateMatches,
        Self::CodeSingleUse,
        Self::CodeValidMore,
        Self::NoResponse,
        Self::NoContentType,
        Self::Verified,
        Self::VerifiedUnescaped,
        Self::Mismatch,
        Self::Unsigned,
        Self::Days,
        Self::Hours,
        Self::Minutes,
        Self::Seconds,
        Self::TargetSandbox,
        Self::TargetRunningSandbox,
        Self::TargetProfile,
        Self::TargetCapture,
        Self::AsUser,
        Self::Next,
        Self::OpenAndApprove,
        Self::OpenUrl,
        Self::PasteRedirect,
        Self::PasteMiniCode,
        Self::StatePending,
        Self::StateAwaiting,
        Self::StateInFlight,
        Self::StateDone,
        Self::StateFailed,
        Self::StateSkipped,
        Self::Expired,
        Self::Left,
        Self::ActorBrowser,
        Self::ActorMini,
        Self::ActorServer,
        Self::ActorAlipay,
        Self::ActorWechat,
    ];

    /// The key in `assets/messages.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Self::SignedString => "signed-string",
            Self::Sign => "sign",
            Self::Key => "key",
            Self::Bytes => "bytes",
            Self::Signature => "signature",
            Self::SignedText => "signed-text",
            Self::Fields => "fields",
            Self::Fix => "fix",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::StepsIn => "steps-in",
            Self::AccessToken => "access-token",
            Self::RefreshToken => "refresh-token",
            Self::AuthCode => "auth-code",
            Self::ValidUntil => "valid-until",
            Self::StateMatches => "state-matches",
            Self::CodeSingleUse => "code-single-use",
            Self::CodeValidMore => "code-valid-more",
            Self::NoResponse => "no-response",
            Self::NoContentType => "no-content-type",
            Self::Verified => "verified",
            Self::VerifiedUnescaped => "verified-unescaped",
            Self::Mismatch => "mismatch",
            Self::Unsigned => "unsigned",
            Self::Days => "days",
            Self::Hours => "hours",
            Self::Minutes => "minutes",
            Self::Seconds => "seconds",
            Self::TargetSandbox => "target-sandbox",
            Self::TargetRunningSandbox => "target-running-sandbox",
            Self::TargetProfile => "target-profile",
            Self::TargetCapture => "target-capture",
            Self::AsUser => "as-user",
            Self::Next => "next",
            Self::OpenAndApprove => "open-and-approve",
            Self::OpenUrl => "open-url",
            Self::PasteRedirect => "paste-redirect",
            Self::PasteMiniCode => "paste-mini-code",
            Self::StatePending => "state-pending",
            Self::StateAwaiting => "state-awaiting",
            Self::StateInFlight => "state-in-flight",
            Self::StateDone => "state-done",
            Self::StateFailed => "state-failed",
            Self::StateSkipped => "state-skipped",
            Self::Expired => "expired",
            Self::Left => "left",
            Self::ActorBrowser => "actor-browser",
            Self::ActorMini => "actor-mini",
            Self::ActorServer => "actor-server",
            Self::ActorAlipay => "actor-alipay",
            Self::ActorWechat => "actor-wechat",
        }
    }

    /// Both languages of this message.
    pub fn text(self) -> &'static Text {
        static EMPTY: OnceLock<Text> = OnceLock::new();
        lookup(self.key()).unwrap_or_else(|| EMPTY.get_or_init(Text::default))
    }

    /// This message in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        self.text().get(lang)
    }

    /// This message in `lang` with each `{name}` replaced by its value.
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        fill(self.get(lang), values)
    }
}

pub use crate::lang::{fill, lookup, tr, tr_fill};

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const SOURCE: &str = include_str!("../../assets/messages.toml");

    #[test]
    fn every_message_exists_in_both_languages() {
        let parsed: BTreeMap<String, Text> =
            toml::from_str(SOURCE).expect("assets/messages.toml parses");
        for msg in Msg::ALL {
            let text = parsed
                .get(msg.key())
                .unwrap_or_else(|| panic!("{} is missing from messages.toml", msg.key()));
            assert!(
                !text.get(crate::lang::Lang::EN).is_empty()
                    && !text.get(crate::lang::Lang::ZH).is_empty(),
                "{}",
                msg.key()
            );
        }
        for key in parsed
            .keys()
            .filter(|k| !k.starts_with("narrate.") && !k.starts_with("tui."))
        {
            assert!(
                Msg::ALL.iter().any(|m| m.key() == key),
                "{key} in messages.toml is used by nothing"
            );
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::StepsIn.fill(Lang::ZH, &[("done", "3"), ("ran", "4"), ("ms", "20")]),
            "3/4 步，用时 20 ms"
        );
        assert_eq!(Msg::Days.fill(Lang::EN, &[("n", "15")]), "15 d");
    }
}
