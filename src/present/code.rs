//! "Copy as SDK code": the call a developer writes next, in the SDK they use, with the walk's
//! values filled in and every secret as a reference (an environment variable or a file path,
//! never its value), and the traps of that SDK that bear on this walk.
//!
//! Pure: a [`Walk`] in, text out. The calls themselves are data (`assets/code/<sdk>.toml`, one
//! template per step and mode, and a whole program per provider); this module picks the
//! template ([`Sdk`] × [`StepKind`] × the walk's modes), fills it from [`Facts`] and attaches
//! the trap notes of [`traps`]. A new step or SDK is an enum arm and a table entry.

mod facts;
mod traps;

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Serialize;

pub use facts::Facts;
pub use traps::Trap;

use crate::finding::Text;
use crate::flow::{FlowKind, StepKind};
use crate::provider::Provider;
use crate::provider::alipay::{ApiVersion, SignMode};

/// The SDKs a snippet is written for. The ids are fixed: scripts rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    AlipayJava,
    AlipayPython,
    AlipayNode,
    AlipayPhp,
    Fzlee,
    Smartwalle,
    Gopay,
    Wechatpy,
    Wxjava,
    Easywechat,
    Silenceper,
}

impl Sdk {
    pub const ALL: [Self; 11] = [
        Self::AlipayJava,
        Self::AlipayPython,
        Self::AlipayNode,
        Self::AlipayPhp,
        Self::Fzlee,
        Self::Smartwalle,
        Self::Gopay,
        Self::Wechatpy,
        Self::Wxjava,
        Self::Easywechat,
        Self::Silenceper,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::AlipayJava => "alipay-java",
            Self::AlipayPython => "alipay-python",
            Self::AlipayNode => "alipay-node",
            Self::AlipayPhp => "alipay-php",
            Self::Fzlee => "fzlee",
            Self::Smartwalle => "smartwalle",
            Self::Gopay => "gopay",
            Self::Wechatpy => "wechatpy",
            Self::Wxjava => "wxjava",
            Self::Easywechat => "easywechat",
            Self::Silenceper => "silenceper",
        }
    }

    /// The provider whose logins this SDK speaks.
    pub fn provider(self) -> Provider {
        match self {
            Self::AlipayJava
            | Self::AlipayPython
            | Self::AlipayNode
            | Self::AlipayPhp
            | Self::Fzlee
            | Self::Smartwalle
            | Self::Gopay => Provider::Alipay,
            Self::Wechatpy | Self::Wxjava | Self::Easywechat | Self::Silenceper => Provider::Wechat,
        }
    }

    /// The SDKs for the provider of `flow`.
    pub fn for_flow(flow: FlowKind) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.provider() == flow.provider())
            .collect()
    }

    fn template(self) -> &'static str {
        match self {
            Self::AlipayJava => include_str!("../../assets/code/alipay-java.toml"),
            Self::AlipayPython => include_str!("../../assets/code/alipay-python.toml"),
            Self::AlipayNode => include_str!("../../assets/code/alipay-node.toml"),
            Self::AlipayPhp => include_str!("../../assets/code/alipay-php.toml"),
            Self::Fzlee => include_str!("../../assets/code/fzlee.toml"),
            Self::Smartwalle => include_str!("../../assets/code/smartwalle.toml"),
            Self::Gopay => include_str!("../../assets/code/gopay.toml"),
            Self::Wechatpy => include_str!("../../assets/code/wechatpy.toml"),
            Self::Wxjava => include_str!("../../assets/code/wxjava.toml"),
            Self::Easywechat => include_str!("../../assets/code/easywechat.toml"),
            Self::Silenceper => include_str!("../../assets/code/silenceper.toml"),
        }
    }

    /// The parsed template file (parsed once; a test parses every one).
    fn templates(self) -> &'static Templates {
        static CACHE: OnceLock<BTreeMap<Sdk, Templates>> = OnceLock::new();
        let all = CACHE.get_or_init(|| {
            Self::ALL
                .into_iter()
                .map(|sdk| (sdk, Templates::parse(sdk.template())))
                .collect()
        });
        &all[&self]
    }

    /// The package line (`pip install …`, a Maven coordinate …).
    pub fn dependency(self) -> &'static str {
        &self.templates().dependency
    }

    /// The code fence language (`python`, `java` …).
    pub fn language(self) -> &'static str {
        &self.templates().language
    }
}

impl fmt::Display for Sdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An SDK id that names no SDK.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SDK '{got}': choose one of {choices}")]
pub struct UnknownSdk {
    pub got: String,
    pub choices: String,
}

impl FromStr for Sdk {
    type Err = UnknownSdk;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == s)
            .ok_or_else(|| UnknownSdk {
                got: s.to_owned(),
                choices: Self::ALL.map(Sdk::id).join(", "),
            })
    }
}

/// One template file, as `assets/code/<sdk>.toml` writes it.
#[derive(Debug, Default, serde::Deserialize)]
struct Templates {
    language: String,
    dependency: String,
    /// The HTTP client a request the SDK has no call for is sent with (`requests`, `http.Client` …).
    #[serde(default)]
    http: String,
    /// By key: `client`, a step id, each optionally with `.v3`, `.cert` or `.v3.cert`.
    #[serde(default)]
    snippet: BTreeMap<String, String>,
    /// By flow id, else by provider (`alipay`, `wechat`): a whole program.
    #[serde(default)]
    program: BTreeMap<String, String>,
}

impl Templates {
    fn parse(text: &str) -> Self {
        // The files are compiled in and a test parses each one: a broken file fails the tests,
        // and at run time an unreadable one yields no snippet rather than a panic.
        toml::from_str(text).unwrap_or_default()
    }

    /// The most specific template for `base` under the walk's modes.
    fn pick(map: &BTreeMap<String, String>, base: &str, facts: &Facts) -> Option<String> {
        let api = match facts.api {
            ApiVersion::V2 => "v2",
            ApiVersion::V3 => "v3",
        };
        let mode = match facts.mode {
            SignMode::Key => "key",
            SignMode::Cert => "cert",
        };
        [
            format!("{base}.{api}.{mode}"),
            format!("{base}.{api}"),
            format!("{base}.{mode}"),
            base.to_owned(),
        ]
        .into_iter()
        .find_map(|k| map.get(&k).cloned())
    }
}

/// The snippet of one step in one SDK.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    pub sdk: Sdk,
    /// The step, or `None` for a whole program.
    #[serde(serialize_with = "step_id")]
    pub step: Option<StepKind>,
    pub language: &'static str,
    pub dependency: &'static str,
    pub code: String,
    pub traps: Vec<Trap>,
    /// The SDK has no call for this step: `code` says so and names the request.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_call: bool,
}

#[expect(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn step_id<S: serde::Serializer>(step: &Option<StepKind>, s: S) -> Result<S::Ok, S::Error> {
    match step {
        Some(step) => s.serialize_str(step.id()),
        None => s.serialize_str("program"),
    }
}

/// Why no snippet can be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{sdk} is an SDK for {sdk_provider:?}; the {flow} walk needs one of: {choices}")]
    WrongProvider {
        sdk: Sdk,
        sdk_provider: Provider,
        flow: FlowKind,
        choices: String,
    },
    #[error("step '{step}' is not part of {flow}; choose one of {choices}")]
    NoSuchStep {
        step: StepKind,
        flow: FlowKind,
        choices: String,
    },
    #[error("{sdk} has no template for step '{step}' (assets/code/{sdk}.toml)")]
    NoTemplate { sdk: Sdk, step: String },
    #[error(
        "no whole program for {flow} in {sdk}; its step snippets are there (drop --program), \
         and these SDKs have one for {flow}: {choices}"
    )]
    NoProgram {
        sdk: Sdk,
        flow: FlowKind,
        choices: String,
    },
    #[error(
        "the walk's {fields} cannot be written into code as it is (a quote, backslash, brace, \
         space or control character); check the saved walk, or run the walk again"
    )]
    UnsafeValue { fields: String },
}

fn check_values(facts: &Facts) -> Result<(), CodeError> {
    if facts.unsafe_fields.is_empty() {
        Ok(())
    } else {
        Err(CodeError::UnsafeValue {
            fields: facts.unsafe_fields.join(", "),
        })
    }
}

/// The template key of a step: each step the SDKs know of has its own.
fn step_key(step: StepKind) -> &'static str {
    match step {
        StepKind::Authorize => "authorize",
        StepKind::Callback => "callback",
        StepKind::MiniAuthCode => "auth-code",
        StepKind::Token => "token",
        StepKind::CheckToken => "check-token",
        StepKind::UserInfo => "user-info",
        StepKind::Refresh => "refresh",
        StepKind::DecryptUserData => "decrypt",
        StepKind::AppToken => "app-token",
        StepKind::PhoneNumber => "phone-number",
        StepKind::ComponentToken => "component-token",
        StepKind::CorpToken => "corp-token",
        StepKind::UserDetail => "user-detail",
        StepKind::AppAuth => "app-auth",
    }
}

fn check_provider(facts: &Facts, sdk: Sdk) -> Result<(), CodeError> {
    check(facts.flow, None, Some(sdk))
}

/// Whether `sdk` speaks the provider of `flow` and `step` is one of its steps.
pub fn check(flow: FlowKind, step: Option<StepKind>, sdk: Option<Sdk>) -> Result<(), CodeError> {
    if let Some(sdk) = sdk
        && sdk.provider() != flow.provider()
    {
        return Err(CodeError::WrongProvider {
            sdk,
            sdk_provider: sdk.provider(),
            flow,
            choices: Sdk::for_flow(flow)
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let steps = flow.steps_with(true, true);
    if let Some(step) = step
        && !steps.contains(&step)
    {
        return Err(CodeError::NoSuchStep {
            step,
            flow,
            choices: steps.iter().map(|s| s.id()).collect::<Vec<_>>().join(", "),
        });
    }
    Ok(())
}

/// The snippet for `step` of the walk in `sdk`.
pub fn snippet(facts: &Facts, step: StepKind, sdk: Sdk) -> Result<Snippet, CodeError> {
    check(facts.flow, Some(step), Some(sdk))?;
    check_values(facts)?;
    let templates = sdk.templates();
    let key = step_key(step);
    // A flow may word a step its own way (`authorize@wechat-qr`: the website's qrconnect).
    let body = Templates::pick(
        &templates.snippet,
        &format!("{key}@{}", facts.flow.id()),
        facts,
    )
    .or_else(|| Templates::pick(&templates.snippet, key, facts));
    // The rule for a step an SDK has no call for: no template, and a snippet that says so and
    // names the request to send with the SDK's HTTP client (never an error: `--all` goes on).
    let Some(body) = body else {
        return Ok(no_call(facts, step, sdk));
    };
    let client = Templates::pick(
        &templates.snippet,
        &format!("client@{}", facts.flow.id()),
        facts,
    )
    .or_else(|| Templates::pick(&templates.snippet, "client", facts))
    .unwrap_or_default();
    let code = facts.fill(&body.replace("{client}", client.trim_end()));
    Ok(Snippet {
        sdk,
        step: Some(step),
        language: sdk.language(),
        dependency: sdk.dependency(),
        code,
        traps: traps::for_step(facts, sdk, Some(step)),
        no_call: false,
    })
}

/// The snippet of a step `sdk` has no call for: a comment saying so, with the request the walk
/// made for it.
fn no_call(facts: &Facts, step: StepKind, sdk: Sdk) -> Snippet {
    let comment = match sdk.language() {
        "python" => "#",
        _ => "//",
    };
    let request = facts
        .endpoint(step)
        .map_or_else(|| step.id().to_owned(), str::to_owned);
    let text = crate::lang::fill(
        Text::key("code.no-call").get(crate::lang::Lang::EN),
        &[
            ("sdk", sdk.id()),
            ("step", step.id()),
            ("request", &request),
            ("flow", facts.flow.id()),
            ("client", sdk.templates().http.as_str()),
        ],
    );
    let code = textwrap_lines(&text, 96)
        .into_iter()
        .map(|line| format!("{comment} {line}"))
        .collect::<Vec<_>>()
        .join("\n");
    Snippet {
        sdk,
        step: Some(step),
        language: sdk.language(),
        dependency: sdk.dependency(),
        code,
        traps: traps::for_step(facts, sdk, Some(step)),
        no_call: true,
    }
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stands alone).
fn textwrap_lines(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// Every step's snippet for every SDK of the walk's provider, in step order.
pub fn all(facts: &Facts) -> Result<Vec<Snippet>, CodeError> {
    let mut out = Vec::new();
    for step in facts.steps() {
        for sdk in Sdk::for_flow(facts.flow) {
            out.push(snippet(facts, step, sdk)?);
        }
    }
    Ok(out)
}

/// A whole program for the login in `sdk`: against a sandbox it reads `AUTHWALK_SANDBOX` and
/// approves consent with the sandbox's documented request; for a real app it reads its
/// secrets from the environment.
pub fn program(facts: &Facts, sdk: Sdk) -> Result<Snippet, CodeError> {
    check_provider(facts, sdk)?;
    check_values(facts)?;
    let templates = sdk.templates();
    let shared = shared_program(facts.flow);
    let body = Templates::pick(&templates.program, facts.flow.id(), facts)
        .or_else(|| shared.and_then(|key| Templates::pick(&templates.program, key, facts)))
        .ok_or_else(|| CodeError::NoProgram {
            sdk,
            flow: facts.flow,
            choices: program_sdks(facts),
        })?;
    Ok(Snippet {
        sdk,
        step: None,
        language: sdk.language(),
        dependency: sdk.dependency(),
        code: facts.fill(&body),
        traps: traps::for_step(facts, sdk, None),
        no_call: false,
    })
}

/// The program key a provider's plain logins share (`alipay`, `wechat`); the other logins have a
/// program by flow id or none.
fn shared_program(flow: FlowKind) -> Option<&'static str> {
    match flow {
        FlowKind::AlipayWeb | FlowKind::AlipayMini => Some("alipay"),
        FlowKind::WechatWeb | FlowKind::WechatQr => Some("wechat"),
        FlowKind::AlipayIsv
        | FlowKind::WechatMini
        | FlowKind::WechatComponent
        | FlowKind::WecomWeb => None,
    }
}

/// The SDKs with a whole program for the walk's flow, or "none".
fn program_sdks(facts: &Facts) -> String {
    let with: Vec<&str> = Sdk::for_flow(facts.flow)
        .into_iter()
        .filter(|sdk| {
            let programs = &sdk.templates().program;
            programs.contains_key(facts.flow.id())
                || shared_program(facts.flow).is_some_and(|key| programs.contains_key(key))
        })
        .map(Sdk::id)
        .collect();
    if with.is_empty() {
        "none".to_owned()
    } else {
        with.join(", ")
    }
}

/// The trap notes as text in `lang`, one per line with its source.
pub fn trap_lines(snippet: &Snippet, lang: crate::lang::Lang) -> Vec<String> {
    snippet
        .traps
        .iter()
        .map(|t| format!("{} ({})", t.text.get(lang), t.source))
        .collect()
}

/// A whole program as written to a file: its code, then its trap notes as comments.
pub fn program_text(snippet: &Snippet, lang: crate::lang::Lang) -> String {
    let comment = match snippet.language {
        "python" => "#",
        _ => "//",
    };
    let mut text = snippet.code.trim().to_owned();
    let traps = trap_lines(snippet, lang);
    if !traps.is_empty() {
        let _ = write!(
            text,
            "\n\n{comment} {}:\n",
            Text::key("code.traps").get(lang)
        );
        for line in traps {
            let _ = writeln!(text, "{comment} - {line}");
        }
    }
    text
}

/// The heading of a snippet: SDK and step in `lang`.
pub fn heading(snippet: &Snippet, lang: crate::lang::Lang) -> String {
    let step = snippet.step.map_or_else(
        || Text::key("code.program").get(lang).to_owned(),
        |s| s.title_in(snippet.sdk.provider()).get(lang).to_owned(),
    );
    format!("{} · {step}", snippet.sdk)
}

#[cfg(test)]
mod tests;
