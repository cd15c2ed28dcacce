//! Transcripts: a walk written down for a support ticket, a colleague or a slide, as Markdown
//! and as JSON, from the one model of a walk ([`Walk`]). Pure: the caller writes the files.
//!
//! Redacted by default: keys, appsecrets, tokens, codes and user identifiers (`user_id`,
//! `openid`, `unionid`, `nick_name`, avatars …) become placeholders (`tok#1`, `code#1`,
//! `uid#1`, `pii#1`, `secret#1`), the same value always the same placeholder, wherever it stands:
//! a field, a URL, a form body, `biz_content`, a signed string, an error message echoing one.
//! Build the walk with `Policy { reveal: true }` so equal values can be recognised; a masked
//! walk works too (its masked values get placeholders of their own).
//!
//! The Markdown leads with the question Alipay's support asks for (使用环境, 接口名称（中文+英文）,
//! 请求参数, 报错信息详情), in Chinese and English, then the signature check, the steps, every
//! exchange and the findings.
//!
//! ```text
//!  Presenter::walk(…, Policy { reveal: true }, …) ──▶ Walk ──▶ export(&walk, &meta, Redaction)
//!                                                                 └──▶ Transcript { markdown, json }
//! ```

pub mod har;
mod markdown;
mod placeholders;

use serde_json::{Value, json};

pub use placeholders::Placeholders;

use crate::finding::Text;
use crate::present::{Badge, ExchangeView, TargetInfo, TargetKind, Walk};

/// The `schema` of the JSON transcript.
pub const SCHEMA: &str = "authwalk.transcript/1";

/// What the walk does not know about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// authwalk's version (`env!("CARGO_PKG_VERSION")` in the binary).
    pub version: String,
    /// When the export was made, as the caller wants it shown (RFC 3339, say).
    pub exported_at: String,
}

impl Meta {
    /// This build's version, exported at `exported_at`.
    pub fn now(exported_at: impl Into<String>) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            exported_at: exported_at.into(),
        }
    }
}

/// Whether secrets are replaced by placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redaction {
    /// Placeholders for every secret and user identifier (the default).
    #[default]
    Redacted,
    /// Everything as the walk holds it. Only on explicit request (`--unredacted`), with a
    /// warning: such a file must never be attached to a public ticket.
    Unredacted,
}

/// One export, in both formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub markdown: String,
    /// Pretty-printed, schema [`SCHEMA`].
    pub json: String,
}

/// Write `walk` down as Markdown and JSON, with one set of placeholders for both.
pub fn export(walk: &Walk, meta: &Meta, redaction: Redaction) -> serde_json::Result<Transcript> {
    let doc = serde_json::to_value(walk)?;
    let question = support_question(walk);
    let placeholders = match redaction {
        // Numbered as the Markdown is read, top to bottom.
        Redaction::Redacted => Some(
            Placeholders::collect(&doc)
                .numbered_as_read(&markdown::render(walk, meta, redaction, &question, None)),
        ),
        Redaction::Unredacted => None,
    };
    let mut json = json!({
        "schema": SCHEMA,
        "authwalk": meta.version,
        "exported_at": meta.exported_at,
        "redacted": redaction == Redaction::Redacted,
        "environment": environment_json(&walk.target),
        "support_question": question.to_json(),
        "walk": doc,
    });
    let markdown = markdown::render(walk, meta, redaction, &question, placeholders.as_ref());
    if let Some(p) = &placeholders {
        p.scrub_json(&mut json, None);
    }
    Ok(Transcript {
        markdown,
        json: crate::escape::json_pretty(&json)?,
    })
}

/// The environment in Alipay support's words: 正式环境, 沙箱环境, or authwalk's own sandbox.
pub fn environment_label(target: &TargetInfo) -> Text {
    let host = url::Url::parse(&target.base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    match target.kind {
        TargetKind::Sandbox | TargetKind::RunningSandbox => {
            Text::key("transcript.authwalk-s-embedded-sandbox-an")
        }
        TargetKind::Profile | TargetKind::Capture if host.ends_with("alipaydev.com") => {
            Text::key("transcript.alipay-sandbox")
        }
        TargetKind::Profile | TargetKind::Capture
            if host.ends_with("alipay.com") || host.ends_with("weixin.qq.com") =>
        {
            Text::key("transcript.production")
        }
        TargetKind::Profile | TargetKind::Capture => {
            Text::with("transcript.custom-base-url", &[("base", &target.base)])
        }
    }
}

fn environment_json(target: &TargetInfo) -> Value {
    let label = environment_label(target);
    json!({
        "kind": target.kind,
        "name": target.name,
        "base": target.base,
        "label": {"en": label.get(crate::lang::Lang::EN), "zh": label.get(crate::lang::Lang::ZH)},
    })
}

/// The API an exchange called, in Chinese and English, by its Alipay method or WeChat path.
pub fn api_name(endpoint: &str) -> Option<Text> {
    let key = match endpoint {
        "alipay.system.oauth.token" => "transcript.api.oauth-token",
        "alipay.user.info.share" => "transcript.api.user-info-share",
        "/sns/oauth2/access_token" => "transcript.api.sns-access-token",
        "/sns/oauth2/refresh_token" => "transcript.api.sns-refresh-token",
        "/sns/auth" => "transcript.api.sns-auth",
        "/sns/userinfo" => "transcript.api.sns-userinfo",
        "/cgi-bin/token" => "transcript.api.cgi-token",
        "/cgi-bin/user/info" => "transcript.api.cgi-user-info",
        "/connect/oauth2/authorize" => "transcript.api.oauth2-authorize",
        "/connect/qrconnect" => "transcript.api.qrconnect",
        e if e.ends_with("publicAppAuthorize.htm") => "transcript.api.alipay-authorize",
        _ => return None,
    };
    Some(Text::key(key))
}

/// The support question of seed form: where, which API, what was sent, what came back.
#[derive(Debug, Clone)]
pub struct SupportQuestion {
    pub environment: Text,
    pub base: String,
    /// The exchange asked about: the first that failed, else the last.
    pub endpoint: String,
    pub api: Option<Text>,
    /// The request's parameters (query and form), in order.
    pub params: Vec<(String, String)>,
    /// `code`, `msg`, `sub_code`, `sub_msg`, `errcode`, `errmsg` as the provider sent them.
    pub error: Vec<(String, String)>,
    /// Alipay's trace id or WeChat's rid, to quote.
    pub trace: Option<(String, String)>,
    /// The signature check, in words, when the response was checked.
    pub signature: Option<Text>,
    /// HTTP status, or the transport error.
    pub status: Option<String>,
    /// Whether the exchange asked about succeeded (the walk's warning, not an error, is then
    /// what is asked about).
    pub succeeded: bool,
    /// The scope the authorize URL asked for.
    pub scope: Option<String>,
    /// The demo user (or the profile's user) the walk was for.
    pub user: Option<String>,
    /// How long the walk took.
    pub elapsed_ms: u64,
}

impl SupportQuestion {
    fn to_json(&self) -> Value {
        json!({
            "environment": {"en": self.environment.get(crate::lang::Lang::EN), "zh": self.environment.get(crate::lang::Lang::ZH), "base": self.base},
            "api": {
                "endpoint": self.endpoint,
                "en": self.api.as_ref().map(|t| t.get(crate::lang::Lang::EN).to_owned()),
                "zh": self.api.as_ref().map(|t| t.get(crate::lang::Lang::ZH).to_owned()),
            },
            "request_parameters": self.params.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "error": self.error.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "trace": self.trace.as_ref().map(|(k, v)| json!({k: v})),
            "signature": self.signature.as_ref().map(|t| json!({"en": t.get(crate::lang::Lang::EN), "zh": t.get(crate::lang::Lang::ZH)})),
            "status": self.status,
            "succeeded": self.succeeded,
            "scope": self.scope,
            "user": self.user,
            "elapsed_ms": self.elapsed_ms,
        })
    }
}

/// The exchange support should look at, in the final walk only (an exchange a retry of its
/// step replaced does not count): the last that did not succeed when the walk failed; when
/// it succeeded, the last with a warning; else the last.
pub fn focus(walk: &Walk) -> Option<&ExchangeView> {
    let all = &walk.exchanges;
    let latest: Vec<&ExchangeView> = all
        .iter()
        .enumerate()
        .filter(|(i, e)| !all[i + 1..].iter().any(|later| later.step == e.step))
        .map(|(_, e)| e)
        .collect();
    let asked = if walk.ok {
        latest.iter().rev().find(|e| {
            e.findings
                .iter()
                .any(|f| f.severity >= crate::finding::Severity::Warning)
        })
    } else {
        latest
            .iter()
            .rev()
            .find(|e| e.outcome != crate::flow::ExchangeOutcome::Ok)
    };
    asked.or(latest.last()).copied()
}

/// The support question for `walk`.
pub fn support_question(walk: &Walk) -> SupportQuestion {
    let mut q = SupportQuestion {
        environment: environment_label(&walk.target),
        base: walk.target.base.clone(),
        endpoint: String::new(),
        api: None,
        params: Vec::new(),
        error: Vec::new(),
        trace: None,
        signature: None,
        status: None,
        succeeded: walk.ok,
        scope: walk
            .context
            .authorize_url
            .as_deref()
            .and_then(|u| u.split_once('?'))
            .and_then(|(_, query)| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "scope")
                    .map(|(_, v)| v.into_owned())
            }),
        user: walk.target.user.clone(),
        elapsed_ms: walk.elapsed_ms,
    };
    let Some(ex) = focus(walk) else {
        return q;
    };
    q.succeeded = ex.outcome == crate::flow::ExchangeOutcome::Ok;
    q.endpoint.clone_from(&ex.endpoint);
    q.api = api_name(&ex.endpoint);
    q.params = request_params(&ex.request.url, &ex.request.body);
    q.status = match (&ex.response, &ex.transport_error) {
        (Some(r), _) => Some(format!("HTTP {}", r.status)),
        (None, Some(e)) => Some(e.clone()),
        (None, None) => None,
    };
    if let Some(Value::Object(map)) = &ex.decoded {
        for key in ["code", "msg", "sub_code", "sub_msg", "errcode", "errmsg"] {
            if let Some(v) = map.get(key) {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                q.error.push((key.to_owned(), v));
            }
        }
        if let Some(errmsg) = map.get("errmsg").and_then(Value::as_str) {
            let parts = crate::provider::wechat::split_errmsg(errmsg);
            q.trace = parts
                .rid
                .map(|r| ("rid".to_owned(), r))
                .or_else(|| parts.hint.map(|h| ("hint".to_owned(), h)));
        }
        for key in ["trace_id", "traceId"] {
            if let Some(v) = map.get(key).and_then(Value::as_str) {
                q.trace = Some(("traceId".to_owned(), v.to_owned()));
            }
        }
    }
    if q.trace.is_none()
        && let Some(r) = &ex.response
        && let Some((_, v)) = r
            .headers
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().contains("trace"))
    {
        q.trace = Some(("traceId".to_owned(), v.clone()));
    }
    q.signature = ex.verification.as_ref().map(|v| {
        let key = match v.badge {
            Badge::Verified => "transcript.signature-verified",
            Badge::VerifiedUnescaped => "transcript.signature-verified-unescaped",
            Badge::Mismatch => "transcript.signature-mismatch",
            Badge::Unsigned => "transcript.signature-unsigned",
        };
        // The reason as the English document gave it, in every language (as `/1` did).
        Text::with(key, &[("reason", &v.reason.get(crate::lang::Lang::EN))])
    });
    q
}

/// The parameters of a request: its query, then its form body.
fn request_params(url: &str, body: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some((_, query)) = url.split_once('?') {
        let query = query.split('#').next().unwrap_or_default();
        params.extend(url::form_urlencoded::parse(query.as_bytes()).into_owned());
    }
    if !body.is_empty() && !body.trim_start().starts_with('{') {
        params.extend(url::form_urlencoded::parse(body.as_bytes()).into_owned());
    }
    params
}
