//! HAR and URL-list import for triage: a browser (devtools), Charles or mitmproxy capture, or a
//! plain list of request URLs, turned back into the walk it recorded: the authorize URL, the
//! callback, the token and user-info calls of either provider. Each step is linted, explained
//! from the catalog, checked for the token mix-ups, and (given the Alipay public key) its
//! response signature verified. Pure: bytes in, a [`Triage`] out; nothing is ever sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{Catalog, Provider, response};
use crate::finding::{Finding, Severity};
use crate::keys::PublicKey;
use crate::present::Policy;
use crate::provider::alipay::{self, Charset, SignType};
use crate::provider::wechat::confusion;

/// One request of a capture, with its answer when the capture has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub method: String,
    pub url: String,
    /// The request body (a form), as text.
    pub body: String,
    pub status: Option<u16>,
    pub response: Option<Vec<u8>>,
    /// When the request started (`startedDateTime`, RFC 3339), if the capture says.
    pub started: Option<String>,
    /// The request's `User-Agent` header, if the capture kept it.
    pub user_agent: Option<String>,
}

/// Why a capture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("the file is JSON but not a HAR (no log.entries): {0}")]
    NotHar(String),
    #[error(
        "the file is neither a HAR (JSON with log.entries) nor a list of URLs (one http(s) URL a \
         line); export the capture as HAR from the browser's Network tab, Charles or mitmproxy"
    )]
    Unknown,
}

/// Read a HAR, or a list of URLs (one a line; blank lines and `#` comments skipped).
pub fn parse_capture(bytes: &[u8]) -> Result<Vec<Entry>, CaptureError> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('{') {
        // Each entry is made an [`Entry`] as it is parsed, and the rest of the file (its pages,
        // creator, …) skipped: the capture is never held as one JSON tree besides its text.
        let doc: HarFile =
            serde_json::from_str(text).map_err(|e| CaptureError::NotHar(e.to_string()))?;
        return doc
            .log
            .and_then(|log| log.entries)
            .map(|entries| entries.0)
            .ok_or_else(|| CaptureError::NotHar("log.entries is missing".to_owned()));
    }
    let urls: Vec<Entry> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            // "GET https://…" as some logs write it.
            let (method, url) = match l.split_once(' ') {
                Some((m, u)) if m.chars().all(|c| c.is_ascii_uppercase()) => (m, u.trim()),
                _ => ("GET", l),
            };
            Entry {
                method: method.to_owned(),
                url: url.to_owned(),
                ..Entry::default()
            }
        })
        .collect();
    if urls.is_empty() || urls.iter().any(|e| !e.url.starts_with("http")) {
        return Err(CaptureError::Unknown);
    }
    Ok(urls)
}

/// A HAR file, as far as triage reads it.
#[derive(Deserialize)]
struct HarFile {
    log: Option<HarLog>,
}

#[derive(Deserialize)]
struct HarLog {
    entries: Option<HarEntries>,
}

/// `log.entries`, each read as JSON on its own and made an [`Entry`] at once, so only one
/// entry's tree is held at a time (an entry that is no request is skipped).
struct HarEntries(Vec<Entry>);

impl<'de> Deserialize<'de> for HarEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = HarEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of HAR entries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<HarEntries, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = seq.next_element::<Value>()? {
                    out.extend(har_entry(&e));
                }
                Ok(HarEntries(out))
            }
        }
        d.deserialize_seq(Visit)
    }
}

fn har_entry(e: &Value) -> Option<Entry> {
    let request = e.get("request")?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    let body = request
        .pointer("/postData/text")
        .and_then(Value::as_str)
        .map_or_else(
            || {
                // Some tools give only params.
                request
                    .pointer("/postData/params")
                    .and_then(Value::as_array)
                    .map(|ps| {
                        let mut form = url::form_urlencoded::Serializer::new(String::new());
                        for p in ps {
                            form.append_pair(
                                p.get("name").and_then(Value::as_str).unwrap_or_default(),
                                p.get("value").and_then(Value::as_str).unwrap_or_default(),
                            );
                        }
                        form.finish()
                    })
                    .unwrap_or_default()
            },
            str::to_owned,
        );
    let status = e
        .pointer("/response/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| *s != 0);
    let response = e.pointer("/response/content").and_then(|c| {
        let text = c.get("text")?.as_str()?;
        if c.get("encoding").and_then(Value::as_str) == Some("base64") {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.decode(text).ok()
        } else {
            Some(text.as_bytes().to_vec())
        }
    });
    let user_agent = request
        .get("headers")
        .and_then(Value::as_array)
        .and_then(|hs| {
            hs.iter().find(|h| {
                h.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("user-agent"))
            })
        })
        .and_then(|h| h.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some(Entry {
        method: text(request.get("method")),
        url: text(request.get("url")),
        body,
        status,
        response,
        started: e
            .get("startedDateTime")
            .and_then(Value::as_str)
            .map(str::to_owned),
        user_agent,
    })
}

/// What a request is, in a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Authorize,
    Callback,
    /// An Alipay gateway call (the method says which).
    Gateway,
    /// A WeChat API call.
    Api,
}

/// One reconstructed step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    pub provider: Provider,
    pub role: Role,
    /// The Alipay method or the WeChat path.
    pub endpoint: String,
    pub method: String,
    /// Masked.
    pub url: String,
    /// Masked.
    pub body: String,
    pub status: Option<u16>,
    /// Masked.
    pub response: Option<String>,
    /// The signature check: `verified`, `mismatch`, … with its reason.
    pub signature: Option<(String, String)>,
    pub findings: Vec<Finding>,
    /// When the request started (RFC 3339), if the capture says: the callback's timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// The request's user agent, if the capture kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// The walk a capture recorded, with its findings. Serialized, it is the `authwalk.triage/1`
/// document (`triage --json`), which `replay` reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Triage {
    #[serde(skip_deserializing, default = "triage_schema")]
    pub schema: &'static str,
    pub steps: Vec<Step>,
    /// Findings about the walk as a whole (a token used where the other kind belongs …).
    pub findings: Vec<Finding>,
    /// Requests in the capture that belong to neither login.
    pub skipped: usize,
}

/// The `schema` of a triage document.
pub const SCHEMA: &str = "authwalk.triage/1";

fn triage_schema() -> &'static str {
    SCHEMA
}

impl Triage {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .chain(self.steps.iter().flat_map(|s| &s.findings))
            .any(|f| f.severity == Severity::Error)
    }
}

/// Reconstruct and diagnose the walk in `entries`, masked as `run` masks.
pub fn triage(entries: &[Entry], alipay_key: Option<&PublicKey>) -> Triage {
    let policy = Policy::default();
    let mut steps = Vec::new();
    let mut skipped = 0;
    let mut wechat_calls = Vec::new();
    for e in entries {
        let Some((provider, role, endpoint)) = classify(e) else {
            skipped += 1;
            continue;
        };
        let mut findings = Vec::new();
        let mut signature = None;
        match role {
            Role::Authorize => findings.extend(crate::provider::lint_authorize_url(&e.url)),
            Role::Callback => {}
            Role::Gateway | Role::Api => {
                // A list of URLs has no bodies: the walk's checks read the URLs alone.
                if provider == Provider::Wechat {
                    wechat_calls.push((e.url.as_str(), e.response.as_deref()));
                }
                if let Some(body) = &e.response {
                    findings.extend(explain(provider, &e.url, &endpoint, body));
                    if provider == Provider::Alipay
                        && let Some(key) = alipay_key
                    {
                        let v = verify(e, &endpoint, body, key);
                        if !v.outcome.is_verified() {
                            findings.push(
                                Finding::new(
                                    Severity::Error,
                                    "triage.alipay.signature",
                                    crate::finding::Text::key(
                                        "transcript.har.the-response-signature-does-not",
                                    ),
                                )
                                .explanation(crate::finding::Text::new(&v.reason, &v.reason)),
                            );
                        }
                        signature = Some((v.outcome.id().to_owned(), v.reason));
                    }
                }
            }
        }
        steps.push(Step {
            provider,
            role,
            endpoint,
            method: e.method.clone(),
            url: policy.url(&e.url),
            body: policy.pairs(&e.body),
            status: e.status,
            response: e
                .response
                .as_ref()
                .map(|b| policy.json_text(&String::from_utf8_lossy(b))),
            signature,
            findings: dedup(findings),
            started: e.started.clone(),
            user_agent: e.user_agent.clone(),
        });
    }
    let walk: Vec<confusion::Step<'_>> = wechat_calls
        .iter()
        .map(|(url, body)| confusion::Step {
            url,
            response: *body,
        })
        .collect();
    // The one list of walk-level checks every face uses (token mix-ups, the component token,
    // a WeCom code on /sns/).
    let mut findings = crate::triage::token_mixups(&walk);
    findings.extend(callback_checks(entries));
    findings.retain(|f| {
        !steps
            .iter()
            .any(|s| s.findings.iter().any(|g| g.code == f.code))
    });
    Triage {
        schema: SCHEMA,
        steps,
        findings,
        skipped,
    }
}

/// The callback against the authorize URL that caused it: the `state` sent must come back
/// unchanged (else the server's CSRF check refuses it, or it belongs to another login), and
/// the redirect must land on the `redirect_uri` asked for (else the provider and the server
/// disagree on where the login ends). Checked for each callback after an authorize URL.
fn callback_checks(entries: &[Entry]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut sent: Option<url::Url> = None;
    for e in entries {
        match classify(e).map(|(_, role, _)| role) {
            Some(Role::Authorize) => sent = url::Url::parse(e.url.trim()).ok(),
            Some(Role::Callback) => {
                let (Some(authorize), Ok(callback)) = (&sent, url::Url::parse(e.url.trim())) else {
                    continue;
                };
                let param = |u: &url::Url, k: &str| {
                    u.query_pairs()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.into_owned())
                };
                let state = (param(authorize, "state"), param(&callback, "state"));
                if let (Some(asked), got) = &state
                    && got.as_ref() != Some(asked)
                {
                    let got = got.as_deref().unwrap_or("");
                    out.push(
                        Finding::new(
                            Severity::Error,
                            "triage.state-mismatch",
                            crate::finding::Text::with(
                                "transcript.har.the-callback-s-state-is",
                                &[("got", &got), ("asked", &asked)],
                            ),
                        )
                        .explanation(crate::finding::Text::key(
                            "transcript.har.a-server-that-checks-state",
                        ))
                        .fix(crate::finding::Text::key(
                            "transcript.har.keep-the-state-in-the",
                        )),
                    );
                }
                let asked = param(authorize, "redirect_uri").and_then(|r| url::Url::parse(&r).ok());
                if let Some(asked) = asked
                    && (
                        asked.scheme(),
                        asked.host_str(),
                        asked.port_or_known_default(),
                        asked.path(),
                    ) != (
                        callback.scheme(),
                        callback.host_str(),
                        callback.port_or_known_default(),
                        callback.path(),
                    )
                {
                    let (asked, got) = (
                        format!("{}{}", origin(&asked), asked.path()),
                        format!("{}{}", origin(&callback), callback.path()),
                    );
                    out.push(
                        Finding::new(
                            Severity::Warning,
                            "triage.redirect-mismatch",
                            crate::finding::Text::with(
                                "transcript.har.the-callback-landed-on-not",
                                &[("got", &got), ("asked", &asked)],
                            ),
                        )
                        .explanation(crate::finding::Text::key(
                            "transcript.har.the-provider-redirects-only-to",
                        ))
                        .fix(crate::finding::Text::key(
                            "transcript.har.put-in-redirect-uri-the",
                        )),
                    );
                }
            }
            _ => {}
        }
    }
    dedup(out)
}

fn origin(u: &url::Url) -> String {
    u.origin().ascii_serialization()
}

fn dedup(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        if !out.iter().any(|g| g.code == f.code) {
            out.push(f);
        }
    }
    out
}

/// The catalog's explanation of a response, and the pasted-response rules.
fn explain(provider: Provider, url: &str, endpoint: &str, body: &[u8]) -> Vec<Finding> {
    // The gateway's method may travel in the form body: give the catalog a URL that says it.
    let hinted = if provider == Provider::Alipay && !url.contains("method=") {
        format!(
            "{url}{}method={endpoint}",
            if url.contains('?') { '&' } else { '?' }
        )
    } else {
        url.to_owned()
    };
    let mut out: Vec<Finding> = match response::analyze(Catalog::builtin(), body, Some(&hinted)) {
        Ok(analysis) => analysis.findings(),
        // An HTML error page or a cut body is the diagnosis itself: say so, never nothing.
        Err(e) => vec![Finding::new(
            Severity::Error,
            "triage.unreadable-response",
            crate::finding::Text::with("transcript.har.the-response-cannot-be-read", &[("e", &e)]),
        )],
    };
    out.extend(crate::triage::pasted(provider, Some(url), body));
    out
}

fn verify(e: &Entry, method: &str, body: &[u8], key: &PublicKey) -> alipay::Verification {
    let params = params(e);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let sign_type = get("sign_type")
        .and_then(|s| s.parse::<SignType>().ok())
        .unwrap_or_default();
    let charset = get("charset")
        .and_then(|s| s.parse::<Charset>().ok())
        .unwrap_or_default();
    // No `method` in the captured request (a HAR without the form body): let the verifier find
    // the `…_response` node itself rather than look for a node named `_response`.
    let method = Some(method).filter(|m| !m.is_empty());
    alipay::verify_response(body, method, sign_type, charset, key)
}

/// Query and form parameters of a request.
fn params(e: &Entry) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some((_, q)) = e.url.split_once('?') {
        let q = q.split('#').next().unwrap_or_default();
        out.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    if !e.body.trim_start().starts_with('{') {
        out.extend(url::form_urlencoded::parse(e.body.as_bytes()).into_owned());
    }
    out
}

/// Which provider and role a request has, if it belongs to a login at all.
fn classify(e: &Entry) -> Option<(Provider, Role, String)> {
    let url = url::Url::parse(e.url.trim()).ok()?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let path = url.path().to_owned();
    let lower = path.to_ascii_lowercase();
    if lower.ends_with("publicappauthorize.htm") {
        return Some((Provider::Alipay, Role::Authorize, path));
    }
    if lower.starts_with("/connect/oauth2/authorize") || lower.starts_with("/connect/qrconnect") {
        return Some((Provider::Wechat, Role::Authorize, path));
    }
    if lower.ends_with("/gateway.do") {
        let method = params(e)
            .into_iter()
            .find(|(k, _)| k == "method")
            .map(|(_, v)| v)
            .unwrap_or_default();
        return Some((Provider::Alipay, Role::Gateway, method));
    }
    if lower.starts_with("/sns/") || lower.starts_with("/cgi-bin/") {
        return Some((Provider::Wechat, Role::Api, path));
    }
    let has = |k: &str| url.query_pairs().any(|(n, v)| n == k && !v.is_empty());
    let provider_host = host.ends_with("alipay.com")
        || host.ends_with("alipaydev.com")
        || host.ends_with("weixin.qq.com");
    if !provider_host && has("auth_code") && has("app_id") {
        return Some((Provider::Alipay, Role::Callback, path));
    }
    if !provider_host && has("code") && has("state") {
        return Some((Provider::Wechat, Role::Callback, path));
    }
    None
}
