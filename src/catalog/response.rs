//! Annotate a pasted response body: tell which provider and endpoint it came from, explain
//! every field (and the value, when the field has a value set), and diagnose any error code
//! with the catalog's meaning, causes and fix.
//!
//! ```text
//! body bytes ──lossy UTF-8, BOM──▶ HTML?  ──▶ authorize-page code, or a clear error
//!            ──escape raw control chars inside strings (WeChat nicknames)──▶ serde_json
//!            ──detect (URL › Alipay *_response node › field shapes)──▶ provider + endpoint
//!            ──annotate fields, diagnose code/sub_code/errcode──▶ Analysis
//! ```
//!
//! Pure: no I/O, no clock. The optional request URL only sharpens the endpoint guess (an
//! `/sns/userinfo` URL turns a bare 48001 into the snsapi_base explanation).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Catalog, Endpoint, ErrorEntry, Field, Provider, ValueEntry};

mod remarks;

use crate::finding::{Finding, Severity, Text};
use remarks::{html_page, mismatch, rid_remark, trace_id_remark};
pub use remarks::{missing_fields, trace_id};

/// Why a body could not be explained.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// Nothing was pasted.
    #[error("the input is empty: paste the raw response body (or pass a file, or `-` for stdin)")]
    Empty,
    /// An HTML page instead of a JSON body.
    #[error("this is an HTML page, not a JSON API response: {hint}")]
    Html { hint: String },
    /// The body is not JSON even after escaping control characters.
    #[error(
        "the body is not valid JSON ({error}): paste the raw response body exactly as received"
    )]
    NotJson { error: serde_json::Error },
    /// Valid JSON, but not an object.
    #[error("the body is JSON but not an object: Alipay and WeChat responses are JSON objects")]
    NotObject,
    /// A JSON object neither provider's shapes match.
    #[error(
        "cannot tell which provider sent this response (top-level keys: {keys}): pass the request URL with --url"
    )]
    Unrecognized { keys: String },
    /// Alipay's encrypted answer (`my.getPhoneNumber`, `encrypt_type=AES`): nothing to read
    /// before decryption.
    #[error(
        "this is an AES-encrypted Alipay answer (my.getPhoneNumber or encrypt_type=AES): its \
         content, errors included, shows only after decryption; open it with `authwalk decrypt \
         --encrypt-key REF -` (and --alipay-public-key to check sign)"
    )]
    Encrypted,
    /// A HAR file (a browser's exported network log) given where one response body belongs.
    #[error(
        "this is a HAR file (a browser's network log, {entries} request(s)), not one response \
         body: in the browser's DevTools (Network → the request → Response) copy the body of the \
         request to explain, and paste that"
    )]
    Har { entries: usize },
}

/// How the endpoint was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detection {
    /// From the request URL given alongside.
    Url,
    /// From Alipay's `<method>_response` node name.
    ResponseNode,
    /// From the set of fields present.
    Shape,
    /// The endpoint could not be decided; fields were looked up by name only.
    Unknown,
}

/// One looked-up item of a field's value (one per element for list fields).
#[derive(Debug, Clone, Serialize)]
pub struct ValueNote<'a> {
    pub item: String,
    /// What the item means; `None` when it is not in the value set.
    pub meaning: Option<&'a Text>,
}

/// One field of the response with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct FieldNote<'a> {
    /// Where the field sits: `alipay_user_info_share_response.user_status`, `openid`.
    pub path: String,
    pub name: String,
    pub value: Value,
    /// False for a field the catalog does not know: it is printed verbatim.
    pub known: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<&'a Text>,
    /// The field has a value set: what each item of the value means.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueNote<'a>>,
    /// The field's value set is complete and some item is not in it.
    pub unexpected_value: bool,
    #[serde(skip)]
    pub field: Option<&'a Field>,
}

/// One error code found in the response.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis<'a> {
    pub provider: Provider,
    /// The code as sent (`40163`, `isv.code-invalid`, `20001`).
    pub code: String,
    /// The provider's own text (`msg`, `sub_msg`, `errmsg`, `message`), verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The catalog entry; `None` for a code the catalog does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<&'a ErrorEntry>,
    /// The endpoint-specific reading of the code, when the catalog has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<&'a Text>,
}

impl Diagnosis<'_> {
    /// True unless the code is a documented success (`10000`, errcode `0`).
    pub fn is_error(&self) -> bool {
        self.entry
            .is_none_or(|e| Severity::from(e.severity) == Severity::Error)
    }

    /// The diagnosis as a [`Finding`].
    pub fn finding(&self, endpoint: Option<&str>) -> Finding {
        if let Some(entry) = self.entry {
            entry.finding_at(self.provider, endpoint)
        } else {
            let msg = self.message.as_deref().unwrap_or("");
            Finding::new(
                Severity::Error,
                format!("{}.{}", self.provider, self.code),
                Text::with(
                    "catalog.response.unknown-error-code",
                    &[("code", &self.code)],
                ),
            )
            .explanation(Text::with(
                "catalog.response.the-catalog-has-no-entry",
                &[("msg", &msg)],
            ))
            .fix(Text::key("catalog.response.look-the-code-up-in"))
        }
    }
}

/// A response, explained.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis<'a> {
    pub provider: Provider,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<&'a Endpoint>,
    pub detection: Detection,
    /// Alipay: the name of the response node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Raw control characters that were escaped inside strings before parsing.
    pub control_chars_escaped: usize,
    pub fields: Vec<FieldNote<'a>>,
    pub diagnoses: Vec<Diagnosis<'a>>,
    /// Other things worth saying (snapshot user, base scope, URL and body disagree…).
    pub remarks: Vec<Finding>,
}

impl Analysis<'_> {
    /// True when the response reports an error.
    pub fn is_error(&self) -> bool {
        self.diagnoses.iter().any(Diagnosis::is_error)
    }

    /// Every diagnosis and remark as findings, errors first.
    pub fn findings(&self) -> Vec<Finding> {
        let endpoint = self.endpoint.map(|e| e.id.as_str());
        let mut out: Vec<Finding> = self.diagnoses.iter().map(|d| d.finding(endpoint)).collect();
        out.extend(self.remarks.iter().cloned());
        out
    }
}

/// What the request URL says about the response.
#[derive(Debug, Default)]
struct UrlHint {
    provider: Option<Provider>,
    endpoint: Option<String>,
}

fn url_hint(url: &str) -> UrlHint {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return UrlHint::default();
    };
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let path = parsed.path().trim_end_matches('/');
    if let Some((_, method)) = parsed.query_pairs().find(|(k, _)| k == "method") {
        return UrlHint {
            provider: Some(Provider::Alipay),
            endpoint: Some(method.into_owned()),
        };
    }
    if let Some(rest) = path.strip_prefix("/v3/") {
        return UrlHint {
            provider: Some(Provider::Alipay),
            endpoint: Some(rest.replace('/', ".")),
        };
    }
    if path.starts_with("/sns/") || path.starts_with("/cgi-bin/") || path.starts_with("/connect/") {
        return UrlHint {
            provider: Some(Provider::Wechat),
            endpoint: Some(path.to_owned()),
        };
    }
    let provider = if host.contains("alipay") {
        Some(Provider::Alipay)
    } else if host.contains("weixin") || host.contains("wechat") {
        Some(Provider::Wechat)
    } else {
        None
    };
    UrlHint {
        provider,
        endpoint: None,
    }
}

/// Explain a response body. `url` is the request it answered, when known.
pub fn analyze<'a>(
    catalog: &'a Catalog,
    body: &[u8],
    url: Option<&str>,
) -> Result<Analysis<'a>, AnalyzeError> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(AnalyzeError::Empty);
    }
    if text.starts_with('<') {
        return html_page(catalog, text);
    }
    let (clean, escaped) = crate::provider::wechat::escape_controls(text);
    let escaped = escaped.len();
    let value: Value =
        serde_json::from_str(&clean).map_err(|error| AnalyzeError::NotJson { error })?;
    let Value::Object(object) = value else {
        return Err(AnalyzeError::NotObject);
    };
    let hint = url.map(url_hint).unwrap_or_default();
    let mut analysis = match detect_provider(&object, hint.provider) {
        Some(Provider::Alipay) => alipay(catalog, &object, &hint),
        Some(Provider::Wechat) => wechat(catalog, &object, &hint),
        None => {
            if let Some(entries) = object
                .get("log")
                .and_then(|log| log.get("entries"))
                .and_then(Value::as_array)
            {
                return Err(AnalyzeError::Har {
                    entries: entries.len(),
                });
            }
            if object.get("response").is_some_and(Value::is_string)
                && (object.contains_key("sign") || object.contains_key("encrypt_type"))
            {
                return Err(AnalyzeError::Encrypted);
            }
            // The keys are the sender's: list a few, not a hundred thousand.
            let mut keys: Vec<&str> = object.keys().take(10).map(String::as_str).collect();
            if object.len() > keys.len() {
                keys.push("…");
            }
            return Err(AnalyzeError::Unrecognized {
                keys: keys.join(", "),
            });
        }
    };
    analysis.control_chars_escaped = escaped;
    // The request URL and its answer: the token mix-up checks (basic vs web-auth token, a
    // snsapi_base token on /sns/userinfo, /cgi-bin/user/info for a login, …).
    if let Some(url) = url
        && analysis.provider == Provider::Wechat
    {
        for f in crate::provider::wechat::confusion::diagnose_exchange(url.trim(), clean.as_bytes())
        {
            if !analysis.remarks.iter().any(|r| r.code == f.code) {
                analysis.remarks.push(f);
            }
        }
    }
    if escaped > 0 {
        analysis.remarks.push(
            Finding::new(
                Severity::Info,
                "explain.control-chars",
                Text::with(
                    "catalog.response.raw-control-character-s-escaped",
                    &[("escaped", &escaped)],
                ),
            )
            .explanation(Text::key("catalog.response.the-body-had-raw-control"))
            .fix(Text::key(
                "catalog.response.parse-wechat-bodies-leniently-escape",
            )),
        );
    }
    Ok(analysis)
}

const ALIPAY_KEYS: &[&str] = &[
    "re_expires_in",
    "auth_start",
    "open_id",
    "user_id",
    "alipay_user_id",
    "nick_name",
    "user_status",
    "user_type",
    "is_certified",
];
const WECHAT_KEYS: &[&str] = &[
    "errcode",
    "openid",
    "unionid",
    "nickname",
    "headimgurl",
    "subscribe",
    "is_snapshotuser",
    "privilege",
];

fn detect_provider(object: &Map<String, Value>, from_url: Option<Provider>) -> Option<Provider> {
    if object.keys().any(|k| k.ends_with("_response")) {
        return Some(Provider::Alipay);
    }
    if from_url.is_some() {
        return from_url;
    }
    let has = |keys: &[&str]| keys.iter().any(|k| object.contains_key(*k));
    let v3_error =
        object.get("code").is_some_and(Value::is_string) && object.contains_key("message");
    if has(ALIPAY_KEYS) || v3_error {
        Some(Provider::Alipay)
    } else if has(WECHAT_KEYS) || object.contains_key("access_token") {
        Some(Provider::Wechat)
    } else {
        None
    }
}

/// Fields whose value is an error code: annotated with the code's catalog title.
const STATUS_FIELDS: &[&str] = &["code", "sub_code", "errcode"];

fn annotate<'a>(
    catalog: &'a Catalog,
    provider: Provider,
    endpoint: Option<&str>,
    prefix: Option<&str>,
    object: &Map<String, Value>,
) -> Vec<FieldNote<'a>> {
    object
        .iter()
        .map(|(name, value)| {
            let field = catalog
                .field(provider, endpoint, name)
                .filter(|f| endpoint.is_none_or(|e| f.applies_to(e)));
            let values: Vec<ValueNote<'a>> = field
                .filter(|f| !f.values.is_empty())
                .map(|f| {
                    f.items(value)
                        .into_iter()
                        .map(|item| ValueNote {
                            meaning: f.value(&item).map(|v: &ValueEntry| &v.meaning),
                            item,
                        })
                        .collect()
                })
                .unwrap_or_default();
            // Status fields: the value is a code; its catalog title is the value's meaning.
            let values = if values.is_empty() && STATUS_FIELDS.contains(&name.as_str()) {
                as_code(Some(value))
                    .and_then(|code| {
                        let entry = catalog.error(provider, &code)?;
                        Some(vec![ValueNote {
                            item: code,
                            meaning: Some(&entry.title),
                        }])
                    })
                    .unwrap_or_default()
            } else {
                values
            };
            let unexpected_value = field.is_some_and(|f| f.values_complete)
                && values.iter().any(|v| v.meaning.is_none());
            FieldNote {
                path: prefix.map_or_else(|| name.clone(), |p| format!("{p}.{name}")),
                name: name.clone(),
                value: value.clone(),
                known: field.is_some(),
                meaning: field.map(|f| &f.meaning),
                values,
                unexpected_value,
                field,
            }
        })
        .collect()
}

fn as_code(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn as_text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

fn diagnose<'a>(
    catalog: &'a Catalog,
    provider: Provider,
    endpoint: Option<&str>,
    code: String,
    message: Option<String>,
) -> Diagnosis<'a> {
    let entry = catalog.error(provider, &code);
    Diagnosis {
        provider,
        context: entry.zip(endpoint).and_then(|(e, ep)| e.context_for(ep)),
        code,
        message,
        entry,
    }
}

fn remark(code: &str, title: Text, explanation: Text, fix: Text, severity: Severity) -> Finding {
    Finding::new(severity, code, title)
        .explanation(explanation)
        .fix(fix)
}

/// The catalog's pseudo-endpoint of an OpenAPI v3 error answer, whose `code` is not the v2
/// gateway code.
const V3_ERROR: &str = "openapi.v3.error";

/// Decide the Alipay endpoint: the URL's `method` wins, then the node name, then the shape.
fn alipay_endpoint<'a>(
    catalog: &'a Catalog,
    object: &Map<String, Value>,
    node: Option<&str>,
    hint: &UrlHint,
) -> (Option<&'a Endpoint>, Detection, Vec<Finding>) {
    let cat = catalog.provider(Provider::Alipay);
    let url_endpoint = hint.endpoint.as_deref().and_then(|e| cat.endpoint(e));
    let node_endpoint = node.and_then(|n| cat.endpoint(n));
    let mut remarks = Vec::new();
    if let (Some(u), Some(n)) = (url_endpoint, node_endpoint)
        && u.id != n.id
    {
        remarks.push(mismatch(&u.id, &n.id));
    }
    let (endpoint, detection) = match (url_endpoint, node_endpoint) {
        (Some(e), _) => (Some(e), Detection::Url),
        (None, Some(e)) => (Some(e), Detection::ResponseNode),
        (None, None) => {
            let body = node
                .and_then(|n| object.get(n))
                .and_then(Value::as_object)
                .unwrap_or(object);
            // An OpenAPI v3 error: `{code, message, links}`, a word code, no `msg`.
            let v3_error = node.is_none()
                && body.get("message").is_some_and(Value::is_string)
                && !body.contains_key("msg")
                && body
                    .get("code")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.parse::<u32>().is_err());
            let guess = if v3_error {
                cat.endpoint(V3_ERROR)
            } else if body.contains_key("access_token") || body.contains_key("re_expires_in") {
                cat.endpoint("alipay.system.oauth.token")
            } else if ["nick_name", "avatar", "user_status", "user_type", "gender"]
                .iter()
                .any(|k| body.contains_key(*k))
            {
                cat.endpoint("alipay.user.info.share")
            } else {
                None
            };
            let detection = if guess.is_some() {
                Detection::Shape
            } else {
                Detection::Unknown
            };
            (guess, detection)
        }
    };
    (endpoint, detection, remarks)
}

/// Diagnose the status fields of an Alipay node (or a v3 error body): the sub_code first,
/// then the gateway code; a plain `10000` is not a diagnosis.
fn alipay_status<'a>(
    catalog: &'a Catalog,
    endpoint: Option<&str>,
    status: &Map<String, Value>,
) -> Vec<Diagnosis<'a>> {
    let mut diagnoses = Vec::new();
    if let Some(sub) = as_code(status.get("sub_code")) {
        let message = as_text(status.get("sub_msg"));
        diagnoses.push(diagnose(catalog, Provider::Alipay, endpoint, sub, message));
    }
    if let Some(code) = as_code(status.get("code"))
        && (code != "10000" || !diagnoses.is_empty())
    {
        let message = as_text(status.get("msg")).or_else(|| as_text(status.get("message")));
        diagnoses.push(diagnose(catalog, Provider::Alipay, endpoint, code, message));
    }
    diagnoses
}

fn encrypted_node() -> Finding {
    remark(
        "alipay.encrypted-node",
        Text::key("catalog.response.the-response-node-is-not"),
        Text::key("catalog.response.an-aes-encrypted-response-carries"),
        Text::key("catalog.response.turn-content-encryption-off-for"),
        Severity::Warning,
    )
}

fn alipay<'a>(catalog: &'a Catalog, object: &Map<String, Value>, hint: &UrlHint) -> Analysis<'a> {
    let node = object.keys().find(|k| k.ends_with("_response")).cloned();
    let (endpoint, detection, mut remarks) =
        alipay_endpoint(catalog, object, node.as_deref(), hint);
    let endpoint_id = endpoint.map(|e| e.id.as_str());
    let mut fields = Vec::new();
    let mut diagnoses = Vec::new();
    if let Some(node_name) = node.as_deref() {
        if let Some(Value::Object(inner)) = object.get(node_name) {
            fields.extend(annotate(
                catalog,
                Provider::Alipay,
                endpoint_id,
                Some(node_name),
                inner,
            ));
            diagnoses = alipay_status(catalog, endpoint_id, inner);
        } else {
            remarks.push(encrypted_node());
        }
        let rest: Map<String, Value> = object
            .iter()
            .filter(|(k, _)| k.as_str() != node_name)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        fields.extend(annotate(catalog, Provider::Alipay, None, None, &rest));
    } else {
        fields.extend(annotate(
            catalog,
            Provider::Alipay,
            endpoint_id,
            None,
            object,
        ));
        diagnoses = alipay_status(catalog, endpoint_id, object);
    }
    let status = object
        .get(node.as_deref().unwrap_or_default())
        .and_then(Value::as_object)
        .unwrap_or(object);
    if let Some(remark) = status
        .get("sub_msg")
        .and_then(Value::as_str)
        .and_then(trace_id_remark)
    {
        remarks.push(remark);
    }
    if endpoint_id == Some("alipay.user.info.share") {
        remarks.extend(missing_fields(status));
    }
    Analysis {
        provider: Provider::Alipay,
        endpoint,
        detection,
        node,
        control_chars_escaped: 0,
        fields,
        diagnoses,
        remarks,
    }
}

fn wechat<'a>(catalog: &'a Catalog, object: &Map<String, Value>, hint: &UrlHint) -> Analysis<'a> {
    let cat = catalog.provider(Provider::Wechat);
    let has = |k: &str| object.contains_key(k);
    let errcode = as_code(object.get("errcode"));
    let shape = if has("subscribe") {
        Some("/cgi-bin/user/info")
    } else if has("nickname") || has("headimgurl") || has("privilege") {
        Some("/sns/userinfo")
    } else if has("access_token") && has("openid") {
        Some("/sns/oauth2/access_token")
    } else if has("access_token") && has("expires_in") {
        Some("/cgi-bin/token")
    } else if errcode.as_deref() == Some("0") {
        Some("/sns/auth")
    } else {
        None
    };
    let url_endpoint = hint.endpoint.as_deref().and_then(|e| cat.endpoint(e));
    let shape_endpoint = shape.and_then(|s| cat.endpoint(s));
    let (endpoint, detection) = match (url_endpoint, shape_endpoint) {
        (Some(e), _) => (Some(e), Detection::Url),
        (None, Some(e)) => (Some(e), Detection::Shape),
        (None, None) => (None, Detection::Unknown),
    };
    let endpoint_id = endpoint.map(|e| e.id.as_str());
    let mut remarks = Vec::new();
    if let (Some(u), Some(s)) = (url_endpoint, shape_endpoint) {
        let compatible = u.id == s.id
            || (u.id == "/sns/oauth2/refresh_token" && s.id == "/sns/oauth2/access_token");
        if !compatible {
            remarks.push(mismatch(&u.id, &s.id));
        }
    }
    let fields = annotate(catalog, Provider::Wechat, endpoint_id, None, object);
    let mut diagnoses = Vec::new();
    if let Some(code) = errcode
        && (code != "0" || endpoint_id == Some("/sns/auth"))
    {
        let message = as_text(object.get("errmsg"));
        diagnoses.push(diagnose(
            catalog,
            Provider::Wechat,
            endpoint_id,
            code,
            message,
        ));
    }
    if let Some(remark) = object
        .get("errmsg")
        .and_then(Value::as_str)
        .and_then(rid_remark)
    {
        remarks.push(remark);
    }
    if as_code(object.get("is_snapshotuser")).as_deref() == Some("1") {
        remarks.push(remark(
            "wechat.snapshot-user",
            Text::key("catalog.response.snapshot-mode-virtual-account"),
            Text::key("catalog.response.is-snapshotuser-1-the-user"),
            Text::key("catalog.response.do-not-bind-or-merge"),
            Severity::Warning,
        ));
    }
    let base_only = object
        .get("scope")
        .and_then(Value::as_str)
        .is_some_and(|s| s.split(',').map(str::trim).all(|s| s == "snsapi_base"));
    if base_only {
        remarks.push(remark(
            "wechat.scope-base",
            Text::key("catalog.response.token-from-snsapi-base"),
            Text::key("catalog.response.scope-is-snsapi-base-the"),
            Text::key("catalog.response.use-scope-snsapi-userinfo-on"),
            Severity::Info,
        ));
    }
    Analysis {
        provider: Provider::Wechat,
        endpoint,
        detection,
        node: None,
        control_chars_escaped: 0,
        fields,
        diagnoses,
        remarks,
    }
}
