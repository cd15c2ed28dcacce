//! The names of a walk: which logins there are ([`FlowKind`]), their steps ([`StepKind`]) and
//! where each step is ([`StepState`]), with the ids the `authwalk.run/2` document uses (read
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
    /// Alipay third-party (ISV) call for a merchant's app: the merchant's authorization
    /// (`app_auth_code` → `alipay.open.auth.token.app` → `app_auth_token`), then the merchant's
    /// member login with `app_auth_token` on every gateway call.
    AlipayIsv,
    /// WeChat Official Account web authorization: authorize → callback → token → /sns/auth →
    /// user info (→ refresh).
    WechatWeb,
    /// WeChat Open Platform website QR login (`qrconnect`).
    WechatQr,
    /// WeChat mini program: `wx.login` (with the button's encrypted data and phone code) →
    /// `jscode2session` → decrypt the user data → the app's token → the phone number.
    WechatMini,
    /// WeChat third-party platform (component) logging a user in for an Official Account that
    /// authorized it: component token → authorize (with `component_appid`) → callback →
    /// component exchange → user info (→ component refresh).
    WechatComponent,
    /// WeCom (企业微信) web login for a self-built app: corp token → authorize (corpid and
    /// agentid) → callback → identity (`/cgi-bin/auth/getuserinfo`) → a member's sensitive
    /// fields (`/cgi-bin/auth/getuserdetail`, with `snsapi_privateinfo`).
    WecomWeb,
}

impl FlowKind {
    pub const ALL: [Self; 8] = [
        Self::AlipayWeb,
        Self::AlipayMini,
        Self::AlipayIsv,
        Self::WechatWeb,
        Self::WechatQr,
        Self::WechatMini,
        Self::WechatComponent,
        Self::WecomWeb,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::AlipayWeb => "alipay-web",
            Self::AlipayMini => "alipay-mini",
            Self::AlipayIsv => "alipay-isv",
            Self::WechatWeb => "wechat-web",
            Self::WechatQr => "wechat-qr",
            Self::WechatMini => "wechat-mini",
            Self::WechatComponent => "wechat-component",
            Self::WecomWeb => "wecom-web",
        }
    }

    /// The provider this login belongs to. Every login names one, so a new login must say
    /// which here before it compiles.
    pub fn provider(self) -> Provider {
        match self {
            Self::AlipayWeb | Self::AlipayMini | Self::AlipayIsv => Provider::Alipay,
            // WeCom is of the WeChat family: the same authorize host and errcode/errmsg answers.
            Self::WechatWeb
            | Self::WechatQr
            | Self::WechatMini
            | Self::WechatComponent
            | Self::WecomWeb => Provider::Wechat,
        }
    }

    pub fn title(self) -> Text {
        match self {
            Self::AlipayWeb => Text::key("flow.kinds.alipay-web-login-member-info"),
            Self::AlipayMini => Text::key("flow.kinds.alipay-mini-program-my-getauthcode"),
            Self::AlipayIsv => Text::key("flow.kinds.alipay-isv-login"),
            Self::WechatWeb => Text::key("flow.kinds.wechat-official-account-web-auth"),
            Self::WechatQr => Text::key("flow.kinds.wechat-website-qr-login"),
            Self::WechatMini => Text::key("flow.kinds.wechat-mini-program-login"),
            Self::WechatComponent => Text::key("flow.kinds.wechat-component-login"),
            Self::WecomWeb => Text::key("flow.kinds.wecom-web-login"),
        }
    }

    /// Steps a walk of this login may add on request (`--phone-number`), after the user info.
    pub fn optional_steps(self) -> &'static [StepKind] {
        match self {
            Self::AlipayMini => &[StepKind::PhoneNumber],
            Self::AlipayWeb
            | Self::AlipayIsv
            | Self::WechatWeb
            | Self::WechatQr
            | Self::WechatMini
            | Self::WechatComponent
            | Self::WecomWeb => &[],
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
            Self::AlipayIsv => vec![
                StepKind::AppAuth,
                StepKind::Authorize,
                StepKind::Callback,
                StepKind::Token,
                StepKind::UserInfo,
            ],
            Self::WechatWeb => vec![
                StepKind::Authorize,
                StepKind::Callback,
                StepKind::Token,
                StepKind::CheckToken,
                StepKind::UserInfo,
            ],
            // No refresh: a mini program's session has no refresh token.
            Self::WechatMini => {
                return vec![
                    StepKind::MiniAuthCode,
                    StepKind::Token,
                    StepKind::DecryptUserData,
                    StepKind::AppToken,
                    StepKind::PhoneNumber,
                ];
            }
            Self::WechatComponent => vec![
                StepKind::ComponentToken,
                StepKind::Authorize,
                StepKind::Callback,
                StepKind::Token,
                StepKind::UserInfo,
            ],
            Self::WecomWeb => vec![
                StepKind::CorpToken,
                StepKind::Authorize,
                StepKind::Callback,
                StepKind::UserInfo,
                StepKind::UserDetail,
            ],
        };
        if refresh && self.refreshes() {
            steps.push(StepKind::Refresh);
        }
        steps
    }

    /// The steps of the login with its optional phone-number step when `phone` asks for it:
    /// after the user info, before a refresh.
    pub fn steps_with(self, refresh: bool, phone: bool) -> Vec<StepKind> {
        let mut steps = self.steps(refresh);
        if phone && self.optional_steps().contains(&StepKind::PhoneNumber) {
            let at = steps
                .iter()
                .position(|s| *s == StepKind::UserInfo)
                .map_or(steps.len(), |i| i + 1);
            steps.insert(at, StepKind::PhoneNumber);
        }
        steps
    }

    /// Whether the login has a refresh step: WeCom's web login has no user token to refresh.
    pub fn refreshes(self) -> bool {
        match self {
            // WeCom has no refresh token; a mini program's session has none either.
            Self::WecomWeb | Self::WechatMini => false,
            Self::AlipayWeb
            | Self::AlipayMini
            | Self::AlipayIsv
            | Self::WechatWeb
            | Self::WechatQr
            | Self::WechatComponent => true,
        }
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
    /// Get the third-party platform's `component_access_token` from its verify ticket.
    ComponentToken,
    /// Get the WeCom app's access_token (`/cgi-bin/gettoken`).
    CorpToken,
    /// A WeCom member's sensitive fields from the `user_ticket`.
    UserDetail,
    /// An ISV exchanges the merchant's `app_auth_code` for an `app_auth_token`.
    AppAuth,
    /// Exchange the code for tokens.
    Token,
    /// Check the token (`/sns/auth`).
    CheckToken,
    /// Fetch the user's profile.
    UserInfo,
    /// Refresh the access token.
    Refresh,
    /// Decrypt the mini program's `encryptedData` with the `session_key` (no request: the
    /// server does it), the watermark checked.
    DecryptUserData,
    /// The app's basic token (`/cgi-bin/stable_token`), for server-side APIs.
    AppToken,
    /// The phone number: Alipay's `my.getPhoneNumber` answer (verified, then AES-decrypted), or
    /// WeChat's `getuserphonenumber` for the phone button's code.
    PhoneNumber,
}

impl StepKind {
    /// Whether the step sends a request (the authorize URL, the callback, the mini program's
    /// code and the decryption do not): only such a step can be edited and resent.
    pub fn sends_request(self) -> bool {
        !matches!(
            self,
            Self::Authorize | Self::Callback | Self::MiniAuthCode | Self::DecryptUserData
        )
    }

    pub const ALL: [Self; 14] = [
        Self::Authorize,
        Self::Callback,
        Self::MiniAuthCode,
        Self::ComponentToken,
        Self::CorpToken,
        Self::UserDetail,
        Self::AppAuth,
        Self::Token,
        Self::CheckToken,
        Self::UserInfo,
        Self::Refresh,
        Self::DecryptUserData,
        Self::AppToken,
        Self::PhoneNumber,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Callback => "callback",
            Self::MiniAuthCode => "auth-code",
            Self::ComponentToken => "component-token",
            Self::CorpToken => "corp-token",
            Self::UserDetail => "user-detail",
            Self::AppAuth => "app-auth",
            Self::Token => "token",
            Self::CheckToken => "check-token",
            Self::UserInfo => "user-info",
            Self::Refresh => "refresh",
            Self::DecryptUserData => "decrypt",
            Self::AppToken => "app-token",
            Self::PhoneNumber => "phone-number",
        }
    }

    pub fn title(self) -> Text {
        match self {
            Self::Authorize => Text::key("flow.kinds.authorize"),
            Self::Callback => Text::key("flow.kinds.callback"),
            Self::MiniAuthCode => Text::key("flow.kinds.auth-code-my-getauthcode"),
            Self::ComponentToken => Text::key("flow.kinds.component-token"),
            Self::CorpToken => Text::key("flow.kinds.corp-token"),
            Self::UserDetail => Text::key("flow.kinds.user-detail"),
            Self::AppAuth => Text::key("flow.kinds.app-auth"),
            Self::Token => Text::key("flow.kinds.exchange-code-for-token"),
            Self::CheckToken => Text::key("flow.kinds.check-token"),
            Self::UserInfo => Text::key("flow.kinds.user-info"),
            Self::Refresh => Text::key("flow.kinds.refresh-token"),
            Self::DecryptUserData => Text::key("flow.kinds.decrypt-user-data"),
            Self::AppToken => Text::key("flow.kinds.app-token"),
            Self::PhoneNumber => Text::key("flow.kinds.phone-number"),
        }
    }
}

impl StepKind {
    /// The title in a login of `provider`: a step both providers have under different APIs
    /// names the one this login calls.
    pub fn title_in(self, provider: Provider) -> Text {
        match (self, provider) {
            (Self::MiniAuthCode, Provider::Alipay) => Text::key("flow.kinds.auth-code-alipay"),
            (Self::MiniAuthCode, Provider::Wechat) => Text::key("flow.kinds.auth-code-wechat"),
            (Self::PhoneNumber, Provider::Alipay) => Text::key("flow.kinds.phone-number-alipay"),
            (Self::PhoneNumber, Provider::Wechat) => Text::key("flow.kinds.phone-number-wechat"),
            (_, Provider::Alipay | Provider::Wechat) => self.title(),
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

/// Flows, steps, states and outcomes serialize as the ids the `authwalk.run/2` document uses.
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

    /// The id in the `authwalk.run/2` document.
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
