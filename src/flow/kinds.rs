//! The names of a walk: which logins there are ([`FlowKind`]), their steps ([`StepKind`]) and
//! where each step is ([`StepState`]), with the ids the `authwalk.run/1` document uses (read
//! back by `replay`).

use std::fmt;
use std::str::FromStr;

use super::ExchangeOutcome;
use crate::finding::Text;
use crate::provider::Provider;

/// The logins authwalk walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// Alipay web/H5: authorize → callback → token → user info (→ refresh).
    AlipayWeb,
    /// Alipay mini program: `my.getAuthCode` → token → user info.
    AlipayMini,
    /// WeChat Official Account web authorization: authorize → callback → token → /sns/auth →
    /// user info (→ refresh).
    WechatWeb,
    /// WeChat Open Platform website QR login (`qrconnect`).
    WechatQr,
}

impl FlowKind {
    pub const ALL: [Self; 4] = [
        Self::AlipayWeb,
        Self::AlipayMini,
        Self::WechatWeb,
        Self::WechatQr,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::AlipayWeb => "alipay-web",
            Self::AlipayMini => "alipay-mini",
            Self::WechatWeb => "wechat-web",
            Self::WechatQr => "wechat-qr",
        }
    }

    /// The provider this login belongs to. Every login names one, so a new login must say
    /// which here before it compiles.
    pub fn provider(self) -> Provider {
        match self {
            Self::AlipayWeb | Self::AlipayMini => Provider::Alipay,
            Self::WechatWeb | Self::WechatQr => Provider::Wechat,
        }
    }

    pub fn title(self) -> Text {
        match self {
            Self::AlipayWeb => Text::new(
                "Alipay web login (member info)",
                "支付宝网页授权（会员信息）",
            ),
            Self::AlipayMini => Text::new(
                "Alipay mini program (my.getAuthCode)",
                "支付宝小程序（my.getAuthCode）",
            ),
            Self::WechatWeb => Text::new("WeChat Official Account web auth", "微信公众号网页授权"),
            Self::WechatQr => Text::new("WeChat website QR login", "微信开放平台网站扫码登录"),
        }
    }

    /// The steps of this login, in order.
    pub fn steps(self, refresh: bool) -> Vec<StepKind> {
        let mut steps = match self {
            Self::AlipayWeb | Self::WechatQr => {
                vec![
                    StepKind::Authorize,
                    StepKind::Callback,
                    StepKind::Token,
                    StepKind::UserInfo,
                ]
            }
            Self::AlipayMini => vec![StepKind::MiniAuthCode, StepKind::Token, StepKind::UserInfo],
            Self::WechatWeb => vec![
                StepKind::Authorize,
                StepKind::Callback,
                StepKind::Token,
                StepKind::CheckToken,
                StepKind::UserInfo,
            ],
        };
        if refresh {
            steps.push(StepKind::Refresh);
        }
        steps
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A flow id that names no flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown flow '{got}': choose one of {choices}")]
pub struct UnknownFlow {
    pub got: String,
    /// The ids there are, comma-separated.
    pub choices: String,
}

impl FromStr for FlowKind {
    type Err = UnknownFlow;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == s)
            .ok_or_else(|| UnknownFlow {
                got: s.to_owned(),
                choices: Self::ALL.map(FlowKind::id).join(", "),
            })
    }
}

/// One step of a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// Build the authorize URL (and QR code).
    Authorize,
    /// Receive the redirect with the code, check `state`.
    Callback,
    /// Get a mini-program auth code (`my.getAuthCode`).
    MiniAuthCode,
    /// Exchange the code for tokens.
    Token,
    /// Check the token (`/sns/auth`).
    CheckToken,
    /// Fetch the user's profile.
    UserInfo,
    /// Refresh the access token.
    Refresh,
}

impl StepKind {
    pub const ALL: [Self; 7] = [
        Self::Authorize,
        Self::Callback,
        Self::MiniAuthCode,
        Self::Token,
        Self::CheckToken,
        Self::UserInfo,
        Self::Refresh,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Callback => "callback",
            Self::MiniAuthCode => "auth-code",
            Self::Token => "token",
            Self::CheckToken => "check-token",
            Self::UserInfo => "user-info",
            Self::Refresh => "refresh",
        }
    }

    pub fn title(self) -> Text {
        match self {
            Self::Authorize => Text::new("Authorize", "发起授权"),
            Self::Callback => Text::new("Callback", "授权回调"),
            Self::MiniAuthCode => Text::new("Auth code (my.getAuthCode)", "获取授权码"),
            Self::Token => Text::new("Exchange code for token", "换取访问令牌"),
            Self::CheckToken => Text::new("Check token", "校验令牌"),
            Self::UserInfo => Text::new("User info", "获取用户信息"),
            Self::Refresh => Text::new("Refresh token", "刷新令牌"),
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A step id that names no step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown step '{got}': choose one of {choices}")]
pub struct UnknownStep {
    pub got: String,
    /// The ids there are, comma-separated.
    pub choices: String,
}

impl FromStr for StepKind {
    type Err = UnknownStep;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == s)
            .ok_or_else(|| UnknownStep {
                got: s.to_owned(),
                choices: Self::ALL.map(StepKind::id).join(", "),
            })
    }
}

/// Where a step is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    /// Waiting for a person: open the URL and approve, or paste a code.
    AwaitingUser,
    InFlight,
    Done,
    Failed,
    /// Not run: the walk started after it, with its result given as input.
    Skipped,
}

/// Flows, steps, states and outcomes serialize as the ids the `authwalk.run/1` document uses.
impl serde::Serialize for FlowKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl serde::Serialize for StepKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl serde::Serialize for StepState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl serde::Serialize for ExchangeOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Read back from a saved document by the same ids (a replay).
macro_rules! deserialize_by_id {
    ($($ty:ty),*) => {$(
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let id = <String as serde::Deserialize>::deserialize(d)?;
                Self::ALL
                    .into_iter()
                    .find(|v| v.id() == id)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown id '{id}'")))
            }
        }
    )*};
}

deserialize_by_id!(FlowKind, StepKind, StepState, ExchangeOutcome);

impl StepState {
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::AwaitingUser,
        Self::InFlight,
        Self::Done,
        Self::Failed,
        Self::Skipped,
    ];

    /// The id in the `authwalk.run/1` document.
    pub fn id(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::AwaitingUser => "awaitinguser",
            Self::InFlight => "inflight",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// A step and its state; `exchange` indexes [`Flow::exchanges`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub state: StepState,
    pub exchange: Option<usize>,
}
