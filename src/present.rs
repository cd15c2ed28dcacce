//! The one model of a walk that every face renders: step rows with their states and
//! countdowns, exchange views (request, signing trace, response raw and pretty, verification),
//! field rows with their catalog meaning, findings, the callback, and the summary. Pure and
//! serializable, with one masking [`Policy`]. The `--json` document (`authwalk.run/2`) is its
//! serialization; the view-only parts (titles, field meanings, pretty bodies) are skipped there
//! so the documented schema stays as it is.
//!
//! ```text
//!  Flow ──(an exchange arrives)──▶ Presenter::observe   findings computed once, here
//!       └──────────────────────────▶ Presenter::walk(flow, target, policy, now) ──▶ Walk
//!                                                        text printer · --json · TUI panes
//! ```
//!
//! No terminal styling lives here: a face decides colours and layout.

mod build;
pub mod code;
pub mod compare;
mod decryption;
pub mod explain;
mod identity;
mod messages;
mod restore;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use build::Presenter;
pub use decryption::{DecryptionView, decrypt_pasted};
pub use messages::{Msg, fill, lookup, tr, tr_fill};
pub use restore::restore;

use crate::finding::{Finding, Lang, Text};
use crate::flow::{ExchangeOutcome, FlowKind, StepKind, StepState};
use crate::provider::alipay::{Charset, SignType};
use crate::redact;

/// Where a walk goes, as shown in headers and the JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub kind: TargetKind,
    /// The app (and the demo user on a sandbox), or the profile name.
    pub name: String,
    /// The base URL requests go to.
    pub base: String,
    /// The app, in words ("Alipay app 2021…"), for headers in either language.
    #[serde(default)]
    pub app: Text,
    /// The demo user who approves, on a sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The sandbox scenario in force when the walk started, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

impl TargetInfo {
    /// "Alipay app 2021… as alipay-certified" in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        let mut text = match &self.user {
            Some(user) => format!("{}{}{user}", self.app.get(lang), Msg::AsUser.get(lang)),
            None => self.app.get(lang).to_owned(),
        };
        if let Some(name) = &self.scenario {
            text.push_str(" · ");
            text.push_str(&crate::lang::tr_fill(
                lang,
                "tui.scenario-in-force",
                &[("name", name)],
            ));
        }
        text
    }
}

/// The three kinds of target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// The embedded sandbox, started for this walk.
    Sandbox,
    /// An `authwalk sandbox` already running.
    RunningSandbox,
    /// A real app from the config file.
    Profile,
    /// A browser capture (HAR) replayed: the hosts it recorded.
    Capture,
}

impl TargetKind {
    pub fn label(self) -> Msg {
        match self {
            Self::Sandbox => Msg::TargetSandbox,
            Self::RunningSandbox => Msg::TargetRunningSandbox,
            Self::Profile => Msg::TargetProfile,
            Self::Capture => Msg::TargetCapture,
        }
    }
}

/// The one masking policy: secrets (keys, appsecrets, tokens, codes) are masked unless the
/// person asked to reveal them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    pub reveal: bool,
}

impl Policy {
    /// A URL with secret query parameters masked.
    pub fn url(self, url: &str) -> String {
        if self.reveal {
            url.to_owned()
        } else {
            redact::redact_query(url).into_owned()
        }
    }

    /// `k=v&…` text (a form body, a canonical string) with secret values masked.
    pub fn pairs(self, text: &str) -> String {
        if self.reveal {
            text.to_owned()
        } else {
            redact::redact_pairs(text).into_owned()
        }
    }

    /// JSON (or text that may hold JSON) with secret fields masked, keeping its bytes
    /// otherwise: a signed text must stay comparable to what was signed.
    pub fn json_text(self, text: &str) -> String {
        if self.reveal {
            text.to_owned()
        } else {
            redact::redact_json_text(text).into_owned()
        }
    }

    /// A secret value on its own.
    pub fn secret(self, value: &str) -> String {
        if self.reveal {
            value.to_owned()
        } else {
            redact::mask(value)
        }
    }

    /// A decoded JSON value with secret fields masked.
    pub fn json(self, value: &Value) -> Value {
        let mut value = value.clone();
        if !self.reveal {
            redact::redact_json(&mut value);
        }
        value
    }

    /// Headers with credential headers masked whole, and secrets masked in every other value.
    pub fn headers(
        self,
        headers: &[(String, String)],
        known: &redact::Known,
    ) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(k, v)| {
                let v = if self.reveal {
                    v.clone()
                } else {
                    redact::redact_header(k, v, known).into_owned()
                };
                (k.clone(), v)
            })
            .collect()
    }

    /// The last pass over an exchange as shown: every text in it (URL, headers, bodies, the
    /// signed string, errors, findings, decoded fields) with the walk's known secret values and
    /// `name=value` secrets masked, whichever field they turned up in.
    pub fn exchange(self, view: &mut ExchangeView, known: &redact::Known) {
        if self.reveal {
            return;
        }
        let text = |s: &mut String| {
            if let std::borrow::Cow::Owned(masked) = redact::redact_text(s, known) {
                *s = masked;
            }
        };
        text(&mut view.request.url);
        view.request.headers = self.headers(&view.request.headers, known);
        text(&mut view.request.body);
        if let Some(s) = &mut view.signing {
            text(&mut s.canonical);
        }
        if let Some(r) = &mut view.response {
            r.headers = self.headers(&r.headers, known);
            text(&mut r.body);
            if let Some(p) = &mut r.pretty {
                text(p);
            }
            if let Some(c) = &mut r.content_type {
                text(c);
            }
        }
        if let Some(e) = &mut view.transport_error {
            text(e);
        }
        if let Some(v) = &mut view.verification {
            v.reason.values_mut().for_each(&text);
            if let Some(t) = &mut v.signed_text {
                text(t);
            }
        }
        if let Some(d) = &mut view.decoded {
            json_strings(d, &mut |s| text(s));
        }
        for f in &mut view.fields {
            text(&mut f.value);
        }
        for f in &mut view.findings {
            for t in [&mut f.title, &mut f.explanation, &mut f.fix] {
                t.values_mut().for_each(&text);
            }
        }
    }
}

/// Apply `f` to every string in `value`.
fn json_strings(value: &mut Value, f: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| json_strings(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| json_strings(v, f)),
        _ => {}
    }
}

/// A whole walk, as every face shows it. Serialized, it is the `authwalk.run/2` document;
/// [`replay`] reads one back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Walk {
    #[serde(skip_deserializing, default = "run_schema")]
    pub schema: &'static str,
    pub flow: FlowKind,
    pub target: TargetInfo,
    /// Every step that ran succeeded (so far, while the walk runs).
    pub ok: bool,
    pub elapsed_ms: u64,
    pub steps: Vec<StepRow>,
    pub context: ContextView,
    pub exchanges: Vec<ExchangeView>,
    /// Findings about the walk that belong to no exchange.
    pub notes: Vec<Finding>,
    /// The request in flight, masked as the rest.
    #[serde(skip)]
    pub pending: Option<PendingView>,
    /// What stopped the walk outside any exchange (a refused redirect, a consent that failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The redirect as it arrived, when it did.
    #[serde(skip)]
    pub callback: Option<CallbackView>,
    #[serde(skip)]
    pub summary: Summary,
    /// Every hit on the callback, in time order (the timeline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<HitView>,
}

/// One hit on the callback, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitView {
    /// Unix time in milliseconds.
    pub at_ms: i64,
    /// `HH:MM:SS.mmm` in UTC.
    pub clock: String,
    /// `walk`, `sandbox` or `capture`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Masked unless revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `taken`, `refused` or `seen`.
    pub result: String,
}

impl HitView {
    /// The hit on one line: time, where seen, what it led to, `state`, code, user agent.
    pub fn line(&self) -> String {
        let clock = if self.clock.is_empty() {
            "--:--:--.---"
        } else {
            &self.clock
        };
        let mut out = format!("{clock}  {:<8} {:<8}", self.source, self.result);
        for (label, value) in [
            ("  state=", &self.state),
            ("  code=", &self.code),
            ("  ", &self.user_agent),
        ] {
            if let Some(v) = value {
                out.push_str(label);
                out.push_str(v);
            }
        }
        out
    }

    /// A hit of the flow, its code masked by `policy`.
    pub fn of(hit: &crate::flow::CallbackHit, policy: Policy) -> Self {
        use crate::flow::{HitResult, HitSource};
        Self {
            at_ms: i64::try_from(hit.at.unix_timestamp_nanos() / 1_000_000).unwrap_or_default(),
            clock: crate::flow::clock(hit.at),
            source: match hit.source {
                HitSource::Walk => "walk",
                HitSource::Sandbox => "sandbox",
                HitSource::Listener => "listener",
                HitSource::Capture => "capture",
            }
            .to_owned(),
            user_agent: hit.user_agent.clone(),
            state: hit.state.clone(),
            code: hit.code.as_deref().map(|c| policy.secret(c)),
            result: match hit.result {
                HitResult::Taken => "taken",
                HitResult::Refused => "refused",
                HitResult::Seen => "seen",
                HitResult::Exchanged => "exchanged",
            }
            .to_owned(),
        }
    }
}

/// The `schema` of a walk document.
pub const RUN_SCHEMA: &str = "authwalk.run/2";

/// The first walk document: texts were `{en, zh}` maps already, but a verification's reason was
/// an English `reason` with a Chinese `reason_zh` beside it. [`replay`] still reads it.
pub const RUN_SCHEMA_V1: &str = "authwalk.run/1";

fn run_schema() -> &'static str {
    RUN_SCHEMA
}

impl Walk {
    /// The row of `step`, if the flow has it.
    pub fn step(&self, step: StepKind) -> Option<&StepRow> {
        self.steps.iter().find(|s| s.id == step)
    }
}

/// One row of the step list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRow {
    pub id: StepKind,
    pub state: StepState,
    /// Index into [`Walk::exchanges`] of this step's latest exchange.
    pub exchange: Option<usize>,
    #[serde(skip)]
    pub title: Text,
    /// `(n, of)` among the steps that run; `None` for a skipped step.
    #[serde(skip)]
    pub number: Option<(usize, usize)>,
    /// What this step obtained that runs out (the code, a token), with the time left.
    #[serde(skip)]
    pub countdown: Option<Countdown>,
}

/// A secret that expires, and how long it has left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countdown {
    pub what: Msg,
    /// Seconds left at the time the view was built; negative once expired.
    pub seconds_left: i64,
}

/// What the walk has learnt, masked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContextView {
    pub state: String,
    pub authorize_url: Option<String>,
    /// What the lint found in the walk's authorize URL (a plain-http `redirect_uri`, a scope
    /// that cannot give a profile …), computed once when the walk starts.
    #[serde(default)]
    pub authorize_lint: Vec<Finding>,
    pub callback: serde_json::Map<String, Value>,
    /// The redirect URL as it arrived (or `None` for a pasted bare code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    pub code: Option<TimedView>,
    /// A token request carried the code: it is used, whatever its lifetime says.
    #[serde(default)]
    pub code_spent: bool,
    pub access_token: Option<TimedView>,
    pub refresh_token: Option<TimedView>,
    pub scope: Option<String>,
    pub user_id: Option<String>,
    pub open_id: Option<String>,
    pub union_id: Option<String>,
    /// Mini program: the decryption of the button's `encryptedData`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decryption: Option<DecryptionView>,
}

/// A secret with its lifetime. Times are Unix seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimedView {
    pub value: String,
    pub obtained: i64,
    pub expires: Option<i64>,
    /// The whole lifetime, rounded to seconds.
    #[serde(skip)]
    pub lifetime_s: Option<i64>,
    /// The deadline as both providers write times (`yyyy-MM-dd HH:mm:ss`, UTC+8).
    #[serde(skip)]
    pub expires_china: Option<String>,
}

/// The redirect (or the pasted code) that came back.
#[derive(Debug, Clone)]
pub struct CallbackView {
    /// The step it answered: `callback`, or `auth-code` for a mini program.
    pub step: StepKind,
    /// The URL with its secrets masked, or the masked bare code.
    pub shown: String,
    /// `state` came back and matched the one sent.
    pub state_matched: bool,
    /// `app_id`, `scope`, `source` as the provider sent them.
    pub facts: Vec<(String, String)>,
    pub code: Option<TimedView>,
}

/// The request of a step in flight, before its answer (what the Request tab and `Y` show).
#[derive(Debug, Clone)]
pub struct PendingView {
    pub step: StepKind,
    pub request: RequestView,
}

/// One exchange, ready to show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExchangeView {
    pub step: StepKind,
    pub outcome: ExchangeOutcome,
    pub request: RequestView,
    pub signing: Option<SigningView>,
    pub response: Option<ResponseView>,
    pub transport_error: Option<String>,
    pub elapsed_ms: u64,
    pub verification: Option<VerificationView>,
    pub decoded: Option<Value>,
    pub findings: Vec<Finding>,
    /// The API called: the Alipay method or the WeChat path.
    #[serde(default)]
    pub endpoint: String,
    /// Each decoded field with its meaning, for a successful exchange.
    #[serde(skip)]
    pub fields: Vec<FieldRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestView {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RequestView {
    /// A prepared request as every face shows it, masked by `policy`.
    pub fn of(r: &crate::provider::PreparedRequest, policy: Policy) -> Self {
        Self {
            method: r.method.to_string(),
            url: policy.url(&r.url),
            headers: r.headers.clone(),
            body: {
                let text = String::from_utf8_lossy(&r.body);
                // A JSON body (WeChat's api_component_token, Alipay's v3 calls) masks its
                // secret fields; a form body its secret parameters.
                if text.trim_start().starts_with('{') {
                    policy.json_text(&text)
                } else {
                    policy.pairs(&text)
                }
            },
        }
    }
}

/// How a gateway request was signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningView {
    pub sign_type: SignType,
    pub algorithm: String,
    pub charset: Charset,
    /// The exact string that was signed (secret values masked unless revealed).
    pub canonical: String,
    pub canonical_sha256: String,
    pub dropped: Vec<String>,
    pub sign: String,
    pub key_fingerprint: String,
    /// Certificate mode: the SNs sent and how each was computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cert_sns: Vec<crate::provider::SnTrace>,
    /// Length in bytes of the signed string as sent.
    #[serde(skip)]
    pub canonical_bytes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseView {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The raw body as text, secrets masked.
    pub body: String,
    #[serde(skip)]
    pub content_type: Option<String>,
    #[serde(skip)]
    pub bytes: usize,
    /// Pretty-printed JSON (secrets masked) when the body is JSON.
    #[serde(skip)]
    pub pretty: Option<String>,
}

/// The signature check of an Alipay response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "VerificationDoc")]
pub struct VerificationView {
    /// `verified`, `verified_unescaped`, `mismatch` or `unsigned`.
    pub outcome: String,
    /// Why it verified or not, by language.
    pub reason: Text,
    pub node: Option<String>,
    pub signed_text: Option<String>,
    pub sign: Option<String>,
    pub alipay_cert_sn: Option<String>,
    #[serde(skip)]
    pub badge: Badge,
}

impl VerificationView {
    /// Why it verified or not, in `lang` (English when `lang` has none).
    pub fn reason(&self, lang: Lang) -> &str {
        self.reason.get(lang)
    }

    /// A reason known in English and, when `zh` is not empty, in Chinese.
    pub fn reason_of(en: &str, zh: &str) -> Text {
        let mut reason = Text::default();
        reason.set(Lang::EN, en);
        if !zh.is_empty() {
            reason.set(Lang::ZH, zh);
        }
        reason
    }
}

/// A verification as a document holds it: `reason` a map by language (`authwalk.run/2`), or
/// an English string with `reason_zh` beside it (`authwalk.run/2`).
#[derive(Deserialize)]
struct VerificationDoc {
    outcome: String,
    reason: ReasonDoc,
    node: Option<String>,
    signed_text: Option<String>,
    sign: Option<String>,
    alipay_cert_sn: Option<String>,
    #[serde(default)]
    reason_zh: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ReasonDoc {
    Text(Text),
    Plain(String),
}

impl From<VerificationDoc> for VerificationView {
    fn from(doc: VerificationDoc) -> Self {
        let reason = match doc.reason {
            ReasonDoc::Text(text) => text,
            ReasonDoc::Plain(en) => Self::reason_of(&en, &doc.reason_zh),
        };
        Self {
            outcome: doc.outcome,
            reason,
            node: doc.node,
            signed_text: doc.signed_text,
            sign: doc.sign,
            alipay_cert_sn: doc.alipay_cert_sn,
            badge: Badge::default(),
        }
    }
}

/// The three states a signature badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Badge {
    Verified,
    /// Verified after unescaping `\/`, as the Java and PHP SDKs retry.
    VerifiedUnescaped,
    Mismatch,
    #[default]
    Unsigned,
}

impl Badge {
    pub fn label(self) -> Msg {
        match self {
            Self::Verified => Msg::Verified,
            Self::VerifiedUnescaped => Msg::VerifiedUnescaped,
            Self::Mismatch => Msg::Mismatch,
            Self::Unsigned => Msg::Unsigned,
        }
    }

    /// The badge of a verification outcome.
    pub fn of(outcome: crate::provider::alipay::Outcome) -> Self {
        use crate::provider::alipay::Outcome;
        match outcome {
            Outcome::Verified => Self::Verified,
            Outcome::VerifiedUnescaped => Self::VerifiedUnescaped,
            Outcome::Mismatch => Self::Mismatch,
            Outcome::Unsigned => Self::Unsigned,
        }
    }

    /// The badge of an outcome id as the document writes it (`verified`, `mismatch` …).
    pub fn of_id(id: &str) -> Self {
        use crate::provider::alipay::Outcome;
        [
            Outcome::Verified,
            Outcome::VerifiedUnescaped,
            Outcome::Mismatch,
            Outcome::Unsigned,
        ]
        .into_iter()
        .find(|o| o.id() == id)
        .map_or(Self::Unsigned, Self::of)
    }

    pub fn is_verified(self) -> bool {
        matches!(self, Self::Verified | Self::VerifiedUnescaped)
    }
}

/// One decoded field and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub key: String,
    /// The value as shown (masked when it is a secret).
    pub value: String,
    /// The catalog's one-line meaning, with the value's meaning when it is a documented one.
    pub meaning: Option<Text>,
}

/// The end of a walk (or where it stands).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub ok: bool,
    /// Steps done, of the steps that ran.
    pub done: usize,
    pub ran: usize,
    pub elapsed_ms: u64,
    /// `user_id`, `open_id`, `union_id` that the walk learnt.
    pub ids: Vec<(&'static str, String)>,
    pub access_token: Option<TimedView>,
    pub refresh_token: Option<TimedView>,
}

/// Who talks in a login, for the sequence strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The browser, or the mini program in the Alipay app.
    Client,
    /// The developer's server, where authwalk stands in.
    Server,
    /// Alipay or WeChat.
    Provider,
}

impl Actor {
    pub const ALL: [Self; 3] = [Self::Client, Self::Server, Self::Provider];

    pub fn label(self, flow: FlowKind) -> Msg {
        match (self, flow) {
            (Self::Client, FlowKind::AlipayMini | FlowKind::WechatMini) => Msg::ActorMini,
            (Self::Client, _) => Msg::ActorBrowser,
            (Self::Server, _) => Msg::ActorServer,
            (Self::Provider, f) => match f.provider() {
                crate::provider::Provider::Alipay => Msg::ActorAlipay,
                crate::provider::Provider::Wechat => Msg::ActorWechat,
            },
        }
    }
}

/// The hops of a step, in order: who sends to whom.
pub fn hops(provider: crate::provider::Provider, step: StepKind) -> &'static [(Actor, Actor)] {
    use Actor::{Client, Provider, Server};
    match step {
        StepKind::Authorize => &[(Client, Provider)],
        StepKind::Callback | StepKind::MiniAuthCode => &[(Provider, Client), (Client, Server)],
        // Alipay: the phone asks Alipay, then hands the encrypted answer to the server.
        // WeChat: the server trades the phone button's code for the number.
        StepKind::PhoneNumber => match provider {
            crate::provider::Provider::Alipay => {
                &[(Client, Provider), (Provider, Client), (Client, Server)]
            }
            crate::provider::Provider::Wechat => &[(Server, Provider), (Provider, Server)],
        },
        StepKind::Token
        | StepKind::CheckToken
        | StepKind::UserInfo
        | StepKind::Refresh
        | StepKind::AppToken
        | StepKind::ComponentToken
        | StepKind::CorpToken
        | StepKind::UserDetail
        | StepKind::AppAuth => &[(Server, Provider), (Provider, Server)],
        // The server decrypts on its own: no hop.
        StepKind::DecryptUserData => &[],
    }
}

/// The presenter's paragraph for a step: what happens on the wire, said to a room.
pub fn narration(flow: FlowKind, step: StepKind) -> Option<&'static Text> {
    // A login's own paragraph (`narrate.wechat-mini.token`, `narrate.wecom-web.user-info`)
    // before its provider's.
    lookup(&format!("narrate.{}.{}", flow.id(), step.id())).or_else(|| {
        lookup(&format!(
            "narrate.{}.{}",
            flow.provider().as_str(),
            step.id()
        ))
    })
}

/// `15 d`, `2 h`, `5 min`, `42 s` in `lang`.
pub fn human_seconds(s: i64, lang: Lang) -> String {
    let (msg, n) = match s {
        s if s >= 86_400 => (Msg::Days, s / 86_400),
        s if s >= 3_600 => (Msg::Hours, s / 3_600),
        s if s >= 60 => (Msg::Minutes, s / 60),
        s => (Msg::Seconds, s),
    };
    msg.fill(lang, &[("n", &n.to_string())])
}

/// A step state's words.
pub fn state_label(state: StepState) -> Msg {
    match state {
        StepState::Pending => Msg::StatePending,
        StepState::AwaitingUser => Msg::StateAwaiting,
        StepState::InFlight => Msg::StateInFlight,
        StepState::Done => Msg::StateDone,
        StepState::Failed => Msg::StateFailed,
        StepState::Skipped => Msg::StateSkipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_of_every_flow_has_a_narration_in_both_languages() {
        for flow in FlowKind::ALL {
            for step in flow.steps(true) {
                let text = narration(flow, step)
                    .unwrap_or_else(|| panic!("no narration for {flow} {step}"));
                assert!(
                    !text.get(crate::lang::Lang::EN).is_empty()
                        && !text.get(crate::lang::Lang::ZH).is_empty(),
                    "{flow} {step}"
                );
            }
        }
    }
}
