//! The plain data of a walk: the apps, the inputs, what the walk has learnt ([`Context`]), the
//! effects the engine asks for, and the record of each exchange.

use std::fmt;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::StepKind;
use crate::finding::Finding;
use crate::keys::{PrivateKey, PublicKey};
use crate::provider::alipay::aes::EncryptKey;
use crate::provider::alipay::cert::CertSet;
use crate::provider::alipay::{ApiVersion, Charset, IdMode, SignType, Verification};
use crate::provider::wechat::UserInfoLang;
use crate::provider::wechat::component::ComponentApp;
use crate::provider::{PreparedRequest, Scope};

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
    pub scope: Scope,
    pub gateway_url: String,
    pub authorize_url: String,
    /// Public key or public-key certificate, with what the certificate mode needs.
    pub signing: AppSigning,
    /// OpenAPI v2 (`gateway.do`) or v3 (REST paths, header signatures).
    pub api: ApiVersion,
    /// The AES key of content encryption (`encrypt_key`): opens `my.getPhoneNumber`'s answer.
    pub encrypt_key: Option<EncryptKey>,
    /// The ids the app is expected to get (a profile's `id_mode`, the sandbox app's): a token
    /// answer that lacks the expected one gets a finding saying why. `None`: no expectation.
    pub id_mode: Option<IdMode>,
    /// Who plays the mini program's `my.getPhoneNumber`: the sandbox's control API. `None` for
    /// a real app, whose answer comes from the phone (paste it into `authwalk decrypt`).
    pub mini_client: Option<MiniClient>,
    /// A third-party (ISV) walk: this app is the ISV's, acting for a merchant's app
    /// (`alipay-isv`); `None` for an app's own login.
    pub isv: Option<IsvDelegation>,
}

/// What an ISV walk needs from the merchant's authorization.
#[derive(Clone, PartialEq, Eq)]
pub struct IsvDelegation {
    /// The merchant's app: its authorize page, its codes and users.
    pub merchant_app_id: String,
    /// The `app_auth_code` the merchant's authorization gave the ISV (single use).
    pub app_auth_code: String,
}

impl fmt::Debug for IsvDelegation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IsvDelegation")
            .field("merchant_app_id", &self.merchant_app_id)
            .field("app_auth_code", &crate::redact::mask(&self.app_auth_code))
            .finish()
    }
}

/// How an Alipay app signs its requests and checks Alipay's responses.
#[derive(Debug, Clone, Default)]
pub enum AppSigning {
    /// 公钥: responses are checked with `alipay_public_key`.
    #[default]
    Key,
    /// 公钥证书: requests carry the SNs; a response is checked with the Alipay certificate its
    /// `alipay_cert_sn` names.
    Cert(Box<CertSet>),
}

/// The sandbox's stand-in for the mini program's client-side calls.
#[derive(Clone)]
pub struct MiniClient {
    /// `POST` here (`…/__sandbox/alipay/phone-number`).
    pub phone_number_url: String,
    /// The control API's token, sent in its header (masked on screen and in exports).
    pub token: String,
}

impl fmt::Debug for MiniClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiniClient")
            .field("phone_number_url", &self.phone_number_url)
            .finish_non_exhaustive()
    }
}

/// A WeChat app as the flow needs it.
#[derive(Clone)]
pub struct WechatApp {
    pub appid: String,
    pub secret: String,
    pub redirect_uri: String,
    /// `snsapi_base`, `snsapi_userinfo`, or `snsapi_login` for qrconnect.
    pub scope: Scope,
    pub open_base: String,
    pub api_base: String,
    /// `zh_CN`, `zh_TW` or `en` for `/sns/userinfo`.
    pub lang: UserInfoLang,
    /// The third-party platform that logs users in for this Official Account (the
    /// `wechat-component` flow); `None` for the app's own login.
    pub component: Option<ComponentApp>,
    /// WeCom: the app's `agentid` (the `wecom-web` flow, where `appid` is the corpid and
    /// `secret` the app's corpsecret); `None` for WeChat's own logins.
    pub agentid: Option<String>,
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
            .field("component", &self.component)
            .field("agentid", &self.agentid)
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
    /// Run only this step (`--step`); every other step is skipped.
    pub only: Option<StepKind>,
    /// Add the refresh step at the end.
    pub refresh: bool,
    /// Alipay mini program: add the `my.getPhoneNumber` step after the user info.
    pub phone_number: bool,
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
            .field("only", &self.only)
            .field("refresh", &self.refresh)
            .field("phone_number", &self.phone_number)
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
    /// WeChat third-party platform: the `component_access_token` of the component-token step.
    pub component_access_token: Option<Timed>,
    /// Alipay ISV: the `app_auth_token` of the app-auth step, sent on every later call.
    pub app_auth_token: Option<Timed>,
    /// WeCom: the `user_ticket` of a `snsapi_privateinfo` member login (1800 s).
    pub user_ticket: Option<Timed>,
    /// WeCom: a visitor who is not a member, as the corp's external contact.
    pub external_userid: Option<String>,
    /// Granted scope, as the provider reported it.
    pub scope: Option<String>,
    pub user_id: Option<String>,
    pub open_id: Option<String>,
    pub union_id: Option<String>,
    /// The profile from the user-info step.
    pub profile: Option<serde_json::Map<String, Value>>,
    /// Every hit on the callback this walk knows of, in time order: the redirects it took (or
    /// refused), and those the sandbox saw (a page that redirected twice).
    pub hits: Vec<CallbackHit>,
    /// Mini program: the `session_key` jscode2session gave (a secret).
    pub session_key: Option<Timed>,
    /// Mini program: the app's basic token for server-side APIs (a secret).
    pub app_token: Option<Timed>,
    /// Mini program: what the decryption doctor saw and found.
    pub decryption: Option<crate::provider::wechat::doctor::Report>,
    /// The `cgi-user-info` scenario: seed 002's own code path (basic token, then
    /// `/cgi-bin/user/info` with the openid it never learnt).
    pub tutorial_cgi: bool,
    /// WeChat: the walk makes a widely copied tutorial's mistake on purpose (the
    /// `token-mixup` scenario): the code-exchange step fetches the basic token from
    /// `/cgi-bin/token`, and the user-info step sends it to `/sns/userinfo`.
    pub tutorial_mixup: bool,
}

/// Where a hit on the callback was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitSource {
    /// The redirect (or a paste) this walk took in.
    Walk,
    /// The sandbox's callback page.
    Sandbox,
    /// The loopback listener of a real app's walk (a redirect it refused).
    Listener,
    /// A request of a capture (HAR).
    Capture,
}

/// What a hit on the callback led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitResult {
    /// Its code went on to the token step.
    Taken,
    /// Refused: its `state` was not this walk's, or missing.
    Refused,
    /// Seen, not taken by this walk.
    Seen,
    /// Its code was exchanged by the page it landed on (another load than this walk's).
    Exchanged,
}

/// One hit on the callback: when, from what, with which `state` and code, and what it led to.
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackHit {
    pub at: OffsetDateTime,
    pub source: HitSource,
    pub user_agent: Option<String>,
    pub state: Option<String>,
    pub code: Option<String>,
    pub result: HitResult,
}

impl fmt::Debug for CallbackHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHit")
            .field("at", &self.at)
            .field("source", &self.source)
            .field("state", &self.state)
            .field("code", &self.code.as_deref().map(crate::redact::mask))
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Show the authorize URL (and QR code) and wait for the redirect, or a pasted callback.
    AwaitCallback {
        authorize_url: String,
        redirect_uri: String,
        state: String,
    },
    /// The authorize URL is built (the authorize step is done): show it, then advance again.
    Authorized { authorize_url: String },
    /// Obtain a mini-program auth code (from the sandbox, or pasted).
    AwaitMiniCode { app_id: String, scope: Scope },
    /// Send this request and report the result with [`Flow::on_response`], quoting `attempt`.
    SendHttp {
        step: StepKind,
        attempt: AttemptId,
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

/// Which sending of a request an answer belongs to. Every [`Effect::SendHttp`] gets a new one;
/// an answer quoting an older one (the step was retried or cancelled meanwhile) is refused, as
/// gitui drops a result whose generation is not the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttemptId(pub(super) u64);

impl AttemptId {
    /// A new id, never given before in this process: an answer to a walk that was restarted
    /// (a new `Flow`) can never pass for an answer to the new walk's request.
    pub(super) fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl fmt::Display for AttemptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl ExchangeOutcome {
    pub const ALL: [Self; 4] = [Self::Ok, Self::Rejected, Self::BadSignature, Self::Failed];

    /// The id in the `authwalk.run/2` document.
    pub fn id(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Rejected => "rejected",
            Self::BadSignature => "bad_signature",
            Self::Failed => "failed",
        }
    }
}

/// One step's record: what was sent, what came back, what it means.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub step: StepKind,
    /// The sending this record answers.
    pub attempt: AttemptId,
    /// The API called: the Alipay `method`, or the WeChat path (`/sns/userinfo`).
    pub endpoint: String,
    /// When the answer (or the failure) arrived, on the walk's clock.
    pub received: OffsetDateTime,
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
    /// An answer to a sending that was retried or cancelled since: it is dropped, not recorded.
    #[error(
        "the answer to attempt {got} of step {step} came after that attempt was retried or \
         cancelled; it is ignored"
    )]
    StaleAttempt { step: StepKind, got: AttemptId },
    /// An edited resend of a step that was never sent: there is nothing to edit.
    #[error("step {step} has not been sent yet; run it first, then edit and resend it")]
    NeverSent { step: StepKind },
    /// An edited resend while a request is on the wire.
    #[error("step {step} is waiting for its answer; wait for it (or cancel), then resend")]
    Busy { step: StepKind },
    /// `--step`/`--from` named a step this login does not have.
    #[error("step '{step}' is not part of {flow}; choose one of {choices}")]
    UnknownStep {
        step: StepKind,
        flow: &'static str,
        choices: String,
    },
    /// A step needs an input nobody gave.
    #[error("step {step} needs {what}; {fix}")]
    MissingInput {
        step: StepKind,
        what: &'static str,
        fix: &'static str,
    },
}

impl FlowError {
    /// The code of the finding the flow notes along with this error, if it notes one.
    pub fn finding_code(&self) -> Option<&'static str> {
        use crate::finding::codes;
        match self {
            Self::StateMismatch { .. } => Some(codes::FLOW_STATE_MISMATCH),
            Self::StateMissing { .. } => Some(codes::FLOW_STATE_MISSING),
            Self::MissingInput { .. } => Some(codes::FLOW_MISSING_INPUT),
            _ => None,
        }
    }
}
