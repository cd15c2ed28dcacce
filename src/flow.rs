//! The step engine both faces share: which steps a login has, what each needs, and what became
//! of it. Pure: it never performs I/O and never reads the clock. It returns [`Effect`]s that
//! the driver (in `transport`) carries out, and it is fed back what happened.
//!
//! Lifecycle of one walk:
//!
//! ```text
//!  Flow::new(kind, app, inputs, state)
//!    │
//!    ▼ advance(now) ──▶ Effect::AwaitCallback { authorize_url }   show URL / QR, wait for redirect
//!    │                    └── on_callback(url or code)           state (CSRF) checked, code kept
//!    ▼ advance(now) ──▶ Effect::SendHttp { step, request }        token, check, user info, refresh
//!    │                    └── on_response(step, request, result) ──▶ Exchange (verified, decoded,
//!    │                                                                findings); context updated
//!    ▼ advance(now) ──▶ Effect::Finished { ok }
//! ```
//!
//! Each [`Step`] moves `Pending → AwaitingUser | InFlight → Done | Failed`, or is `Skipped` when
//! the walk starts in the middle (`--from user-info` with a token given).

mod alipay;
mod wechat;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use crate::finding::{Finding, Severity, Text};
use crate::keys::{PrivateKey, PublicKey};
use crate::provider::PreparedRequest;
use crate::provider::alipay::{Charset, SignType, Verification};

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

    pub fn is_alipay(self) -> bool {
        matches!(self, Self::AlipayWeb | Self::AlipayMini)
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

impl FromStr for FlowKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.id() == s).ok_or_else(|| {
            let ids: Vec<_> = Self::ALL.iter().map(|k| k.id()).collect();
            format!("unknown flow '{s}': choose one of {}", ids.join(", "))
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

impl FromStr for StepKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.id() == s).ok_or_else(|| {
            let ids: Vec<_> = Self::ALL.iter().map(|k| k.id()).collect();
            format!("unknown step '{s}': choose one of {}", ids.join(", "))
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

/// A step and its state; `exchange` indexes [`Flow::exchanges`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub state: StepState,
    pub exchange: Option<usize>,
}

/// An Alipay app as the flow needs it.
#[derive(Debug, Clone)]
pub struct AlipayApp {
    pub app_id: String,
    pub sign_type: SignType,
    pub charset: Charset,
    pub private_key: PrivateKey,
    pub alipay_public_key: PublicKey,
    pub redirect_uri: String,
    /// `auth_user` or `auth_base`.
    pub scope: String,
    pub gateway_url: String,
    pub authorize_url: String,
}

/// A WeChat app as the flow needs it.
#[derive(Clone)]
pub struct WechatApp {
    pub appid: String,
    pub secret: String,
    pub redirect_uri: String,
    /// `snsapi_base`, `snsapi_userinfo`, or `snsapi_login` for qrconnect.
    pub scope: String,
    pub open_base: String,
    pub api_base: String,
    /// `zh_CN`, `zh_TW` or `en` for `/sns/userinfo`.
    pub lang: String,
}

impl fmt::Debug for WechatApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatApp")
            .field("appid", &self.appid)
            .field("secret", &"(redacted)")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("open_base", &self.open_base)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The app a flow runs for.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one App per walk, never stored in bulk"
)]
pub enum App {
    Alipay(AlipayApp),
    Wechat(WechatApp),
}

/// Values given up front, to start in the middle of a walk. `Debug` masks the secrets.
#[derive(Clone, Default)]
pub struct Inputs {
    /// `auth_code` / `code` (skips authorize and callback).
    pub code: Option<String>,
    /// Alipay `access_token` (sent as `auth_token`) or WeChat web-auth `access_token`.
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// WeChat openid (needed with an access token).
    pub openid: Option<String>,
    /// Run from this step on; earlier steps are skipped.
    pub from: Option<StepKind>,
    /// Add the refresh step at the end.
    pub refresh: bool,
}

impl fmt::Debug for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |v: &Option<String>| v.as_deref().map(crate::redact::mask);
        f.debug_struct("Inputs")
            .field("code", &masked(&self.code))
            .field("access_token", &masked(&self.access_token))
            .field("refresh_token", &masked(&self.refresh_token))
            .field("openid", &self.openid)
            .field("from", &self.from)
            .field("refresh", &self.refresh)
            .finish()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &str| crate::redact::redact_query(v).into_owned();
        f.debug_struct("Context")
            .field("state", &self.state)
            .field("authorize_url", &self.authorize_url)
            .field("code", &self.code)
            .field(
                "used_codes",
                &self
                    .used_codes
                    .iter()
                    .map(|c| crate::redact::mask(c))
                    .collect::<Vec<_>>(),
            )
            .field("callback_url", &self.callback_url.as_deref().map(redacted))
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("user_id", &self.user_id)
            .field("open_id", &self.open_id)
            .finish_non_exhaustive()
    }
}

/// A secret value with the time it was obtained and, when known, its deadline.
#[derive(Clone, PartialEq, Eq)]
pub struct Timed {
    pub value: String,
    pub obtained: OffsetDateTime,
    pub expires: Option<OffsetDateTime>,
}

impl fmt::Debug for Timed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timed")
            .field("value", &crate::redact::mask(&self.value))
            .field("obtained", &self.obtained)
            .field("expires", &self.expires)
            .finish()
    }
}

impl Timed {
    /// Seconds left at `now`, negative once expired; `None` when the lifetime is unknown.
    pub fn remaining(&self, now: OffsetDateTime) -> Option<i64> {
        self.expires.map(|e| (e - now).whole_seconds())
    }
}

/// What a walk has learnt so far. `Debug` masks the secrets.
#[derive(Clone, Default)]
pub struct Context {
    /// The CSRF `state` sent on the authorize URL.
    pub state: String,
    pub authorize_url: Option<String>,
    pub code: Option<Timed>,
    /// Codes already sent to the token endpoint in this walk: a second use fails.
    pub used_codes: Vec<String>,
    /// The whole callback URL, when one (not a bare code) was given.
    pub callback_url: Option<String>,
    /// What came back on the redirect besides the code (`app_id`, `scope`, `source`, …).
    pub callback_params: Vec<(String, String)>,
    pub access_token: Option<Timed>,
    pub refresh_token: Option<Timed>,
    /// Granted scope, as the provider reported it.
    pub scope: Option<String>,
    pub user_id: Option<String>,
    pub open_id: Option<String>,
    pub union_id: Option<String>,
    /// The profile from the user-info step.
    pub profile: Option<serde_json::Map<String, Value>>,
}

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one effect at a time, handed straight to the driver"
)]
pub enum Effect {
    /// Show the authorize URL (and QR code) and wait for the redirect, or a pasted callback.
    AwaitCallback {
        authorize_url: String,
        redirect_uri: String,
        state: String,
    },
    /// Obtain a mini-program auth code (from the sandbox, or pasted).
    AwaitMiniCode { app_id: String, scope: String },
    /// Send this request and report the result with [`Flow::on_response`].
    SendHttp {
        step: StepKind,
        request: PreparedRequest,
    },
    /// A request is in flight; wait for it.
    Wait,
    /// The walk is over.
    Finished { ok: bool },
}

/// An HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request that produced no complete response: what went wrong, and whatever did arrive
/// (status, headers, a cut-off body), so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpFailure {
    /// What went wrong and what to check ("timed out after 10 s waiting for …").
    pub message: String,
    pub partial: Option<RawResponse>,
}

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// How one exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeOutcome {
    /// The provider accepted the call (and, for Alipay, its signature verified).
    Ok,
    /// The provider answered with an error code.
    Rejected,
    /// The response signature did not verify, or the response was unsigned success data.
    BadSignature,
    /// No usable response: connection, timeout, HTML, truncated body …
    Failed,
}

/// One step's record: what was sent, what came back, what it means.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub step: StepKind,
    pub request: PreparedRequest,
    /// `None` when the transport failed before a response arrived.
    pub response: Option<RawResponse>,
    /// The transport failure, described ("timed out after 10 s").
    pub transport_error: Option<String>,
    pub elapsed: Duration,
    /// Alipay response signature check.
    pub verification: Option<Verification>,
    /// The decoded JSON (the response node for Alipay, the body for WeChat).
    pub decoded: Option<Value>,
    pub findings: Vec<Finding>,
    pub outcome: ExchangeOutcome,
}

/// Why input to the flow was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("{0}")]
    Callback(String),
    /// The redirect carries a different `state`: possibly a forged (CSRF) redirect.
    #[error(
        "the callback's state '{got}' is not the '{expected}' this walk sent; the redirect may be \
         forged (CSRF) or from another login — start the login again"
    )]
    StateMismatch { expected: String, got: String },
    /// A full callback URL without the `state` this walk sent.
    #[error(
        "the callback has no state although this walk sent '{expected}': it did not come from \
         this login and may be forged (CSRF) — start the login again"
    )]
    StateMissing { expected: String },
    #[error("the flow is not waiting for a callback now")]
    NotAwaiting,
    /// A step needs an input nobody gave.
    #[error("step {step} needs {what}; {fix}")]
    MissingInput {
        step: StepKind,
        what: &'static str,
        fix: &'static str,
    },
}

/// One walk of one login.
#[derive(Debug, Clone)]
pub struct Flow {
    pub kind: FlowKind,
    pub app: App,
    pub steps: Vec<Step>,
    pub ctx: Context,
    pub exchanges: Vec<Exchange>,
    /// Findings about the walk that belong to no exchange (state mismatch, code reuse …).
    pub notes: Vec<Finding>,
}

impl Flow {
    /// A new walk. `state` is the CSRF value for the authorize URL; the caller makes it random.
    pub fn new(
        kind: FlowKind,
        app: App,
        inputs: &Inputs,
        state: String,
        now: OffsetDateTime,
    ) -> Self {
        let ctx = Context {
            state,
            ..Context::default()
        };
        let steps = kind
            .steps(inputs.refresh)
            .into_iter()
            .map(|kind| Step {
                kind,
                state: StepState::Pending,
                exchange: None,
            })
            .collect();
        let mut flow = Self {
            kind,
            app,
            steps,
            ctx,
            exchanges: Vec::new(),
            notes: Vec::new(),
        };
        flow.apply_inputs(inputs, now);
        flow
    }

    fn apply_inputs(&mut self, inputs: &Inputs, now: OffsetDateTime) {
        let timed = |v: &String| Timed {
            value: v.clone(),
            obtained: now,
            expires: None,
        };
        self.ctx.code = inputs.code.as_ref().map(timed);
        self.ctx.access_token = inputs.access_token.as_ref().map(timed);
        self.ctx.refresh_token = inputs.refresh_token.as_ref().map(timed);
        self.ctx.open_id.clone_from(&inputs.openid);
        let from = inputs.from.or_else(|| {
            if inputs.access_token.is_some() {
                Some(StepKind::UserInfo)
            } else if inputs.refresh_token.is_some() {
                Some(StepKind::Refresh)
            } else if inputs.code.is_some() {
                Some(StepKind::Token)
            } else {
                None
            }
        });
        if let Some(from) = from {
            if from == StepKind::Refresh && !self.steps.iter().any(|s| s.kind == StepKind::Refresh)
            {
                self.steps.push(Step {
                    kind: StepKind::Refresh,
                    state: StepState::Pending,
                    exchange: None,
                });
            }
            if let Some(start) = self.steps.iter().position(|s| s.kind == from) {
                for step in &mut self.steps[..start] {
                    step.state = StepState::Skipped;
                }
            }
        }
    }

    /// The step that is not finished yet, if any.
    pub fn current(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| !matches!(s.state, StepState::Done | StepState::Skipped))
    }

    fn step_mut(&mut self, kind: StepKind) -> Option<&mut Step> {
        self.steps.iter_mut().find(|s| s.kind == kind)
    }

    /// Decide the next effect, moving the current step forward.
    pub fn advance(&mut self, now: OffsetDateTime) -> Effect {
        let Some(step) = self.current().cloned() else {
            return Effect::Finished { ok: true };
        };
        match step.state {
            StepState::Failed => return Effect::Finished { ok: false },
            StepState::InFlight => return Effect::Wait,
            _ => {}
        }
        match step.kind {
            StepKind::Authorize => {
                let url = self.authorize_url();
                self.ctx.authorize_url = Some(url);
                self.set_state(StepKind::Authorize, StepState::Done);
                self.advance(now)
            }
            StepKind::Callback => {
                self.set_state(StepKind::Callback, StepState::AwaitingUser);
                Effect::AwaitCallback {
                    authorize_url: self
                        .ctx
                        .authorize_url
                        .clone()
                        .unwrap_or_else(|| self.authorize_url()),
                    redirect_uri: self.redirect_uri().to_owned(),
                    state: self.ctx.state.clone(),
                }
            }
            StepKind::MiniAuthCode => {
                self.set_state(StepKind::MiniAuthCode, StepState::AwaitingUser);
                match &self.app {
                    App::Alipay(a) => Effect::AwaitMiniCode {
                        app_id: a.app_id.clone(),
                        scope: a.scope.clone(),
                    },
                    App::Wechat(_) => Effect::Finished { ok: false },
                }
            }
            kind => match self.request_for(kind, now) {
                Ok(request) => {
                    if kind == StepKind::Token
                        && let Some(code) = &self.ctx.code
                    {
                        self.ctx.used_codes.push(code.value.clone());
                    }
                    self.set_state(kind, StepState::InFlight);
                    Effect::SendHttp {
                        step: kind,
                        request,
                    }
                }
                Err(e) => {
                    self.notes.push(Finding::new(
                        Severity::Error,
                        "flow.missing-input",
                        Text::new(e.to_string(), e.to_string()),
                    ));
                    self.set_state(kind, StepState::Failed);
                    Effect::Finished { ok: false }
                }
            },
        }
    }

    fn set_state(&mut self, kind: StepKind, state: StepState) {
        if let Some(step) = self.step_mut(kind) {
            step.state = state;
        }
    }

    fn redirect_uri(&self) -> &str {
        match &self.app {
            App::Alipay(a) => &a.redirect_uri,
            App::Wechat(w) => &w.redirect_uri,
        }
    }

    fn authorize_url(&self) -> String {
        match &self.app {
            App::Alipay(a) => alipay::authorize_url(a, &self.ctx.state),
            App::Wechat(w) => wechat::authorize_url(w, self.kind, &self.ctx.state),
        }
    }

    fn request_for(
        &self,
        step: StepKind,
        now: OffsetDateTime,
    ) -> Result<PreparedRequest, FlowError> {
        match &self.app {
            App::Alipay(a) => alipay::request(a, &self.ctx, step, now),
            App::Wechat(w) => wechat::request(w, &self.ctx, step),
        }
    }

    /// The redirect arrived (or was pasted): check `state`, keep the code.
    pub fn on_callback(&mut self, input: &str, now: OffsetDateTime) -> Result<(), FlowError> {
        let waiting = |k| {
            self.steps
                .iter()
                .any(|s| s.kind == k && s.state == StepState::AwaitingUser)
        };
        if !waiting(StepKind::Callback) && !waiting(StepKind::MiniAuthCode) {
            return Err(FlowError::NotAwaiting);
        }
        let CallbackParts {
            code,
            state,
            params,
        } = match &self.app {
            App::Alipay(_) => alipay::parse_callback(input)?,
            App::Wechat(_) => wechat::parse_callback(input)?,
        };
        if let Some(got) = &state {
            let decoded = percent_encoding::percent_decode_str(got).decode_utf8_lossy();
            if *got != self.ctx.state && decoded != self.ctx.state {
                let err = FlowError::StateMismatch {
                    expected: self.ctx.state.clone(),
                    got: got.clone(),
                };
                self.notes.push(
                    Finding::new(Severity::Error, "flow.state-mismatch", Text::new(err.to_string(), format!(
                        "回调中的 state「{got}」与本次发出的「{}」不一致：回调可能被伪造（CSRF）或来自另一次登录，请重新发起授权",
                        self.ctx.state
                    ))),
                );
                return Err(err);
            }
        } else if input.contains("://")
            && self
                .steps
                .iter()
                .any(|s| s.kind == StepKind::Callback && s.state == StepState::AwaitingUser)
        {
            // This walk always sends a state, so a redirect without one did not come from it:
            // exactly what a forged (CSRF) redirect looks like. A bare pasted code is fine.
            let err = FlowError::StateMissing {
                expected: self.ctx.state.clone(),
            };
            self.notes.push(Finding::new(
                Severity::Error,
                "flow.state-missing",
                Text::new(
                    err.to_string(),
                    format!(
                        "回调中没有 state，而本次发出的是「{}」：这个回调不是本次授权产生的，可能被伪造（CSRF）；请重新发起授权",
                        self.ctx.state
                    ),
                ),
            ));
            return Err(err);
        }
        let expires = match &self.app {
            // WeChat documents 5 minutes (10 for qrconnect); Alipay only "3 minutes to 24 hours".
            App::Wechat(_) => Some(
                now + time::Duration::minutes(if self.kind == FlowKind::WechatQr {
                    10
                } else {
                    5
                }),
            ),
            App::Alipay(_) => None,
        };
        self.ctx.code = Some(Timed {
            value: code,
            obtained: now,
            expires,
        });
        self.ctx.callback_params = params;
        let input = input.trim();
        self.ctx.callback_url = (input.starts_with("http://") || input.starts_with("https://"))
            .then(|| input.to_owned());
        for kind in [StepKind::Callback, StepKind::MiniAuthCode] {
            if self
                .step_mut(kind)
                .is_some_and(|s| s.state == StepState::AwaitingUser)
            {
                self.set_state(kind, StepState::Done);
            }
        }
        Ok(())
    }

    /// The result of a [`Effect::SendHttp`]: interpret it, update the context, record it.
    pub fn on_response(
        &mut self,
        step: StepKind,
        request: PreparedRequest,
        result: Result<RawResponse, HttpFailure>,
        elapsed: Duration,
        now: OffsetDateTime,
    ) -> usize {
        let mut exchange = Exchange {
            step,
            request,
            response: None,
            transport_error: None,
            elapsed,
            verification: None,
            decoded: None,
            findings: Vec::new(),
            outcome: ExchangeOutcome::Failed,
        };
        let response = match result {
            Ok(response) => Some(response),
            Err(failure) => {
                let e = &failure.message;
                exchange.findings.push(Finding::new(
                    Severity::Error,
                    "transport.failed",
                    Text::new(e.clone(), format!("请求未完成：{e}")),
                ));
                exchange.transport_error = Some(failure.message);
                failure.partial
            }
        };
        if let Some(response) = response {
            // A partial body is interpreted too: what it says (and why it fails) is worth showing.
            match &self.app {
                App::Alipay(a) => {
                    alipay::interpret(a, &mut self.ctx, &mut exchange, &response, now);
                }
                App::Wechat(w) => {
                    wechat::interpret(w, &mut self.ctx, &mut exchange, &response, now);
                }
            }
            exchange.response = Some(response);
        }
        if exchange.transport_error.is_some() {
            exchange.outcome = ExchangeOutcome::Failed;
        }
        let ok = exchange.outcome == ExchangeOutcome::Ok;
        let index = self.exchanges.len();
        self.exchanges.push(exchange);
        if let Some(s) = self.step_mut(step) {
            s.state = if ok {
                StepState::Done
            } else {
                StepState::Failed
            };
            s.exchange = Some(index);
        }
        index
    }

    /// Run `step` again (and every step after it), as a person retrying from the TUI would. The
    /// context is kept, so a retried token step resends the same code — exactly the mistake a
    /// double redirect makes, which triage then recognises.
    pub fn rerun(&mut self, step: StepKind) {
        if let Some(start) = self.steps.iter().position(|s| s.kind == step) {
            for s in &mut self.steps[start..] {
                s.state = StepState::Pending;
                s.exchange = None;
            }
        }
    }

    /// Whether every step that ran succeeded.
    pub fn succeeded(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.state, StepState::Done | StepState::Skipped))
    }
}

/// What a callback carried: the code, the echoed `state`, and every parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallbackParts {
    pub code: String,
    pub state: Option<String>,
    pub params: Vec<(String, String)>,
}

/// Expiry from a lifetime in seconds, counted from `base`.
fn expiry(base: OffsetDateTime, seconds: Option<i64>) -> Option<OffsetDateTime> {
    seconds
        .filter(|s| *s > 0)
        .map(|s| base + time::Duration::seconds(s))
}

#[cfg(test)]
mod tests;
