//! The catalog: what every response field, field value and error code of the two providers
//! means, in Chinese and English, with the likely causes and the fix of every error.
//!
//! The explanations are data, not code: `assets/catalog/alipay.toml` and
//! `assets/catalog/wechat.toml` (their schema is documented at the top of each file) are
//! embedded in the binary and parsed once, on first use, by [`Catalog::builtin`]. Everything
//! that explains — `authwalk explain`, triage, the TUI's field pane — reads this one catalog,
//! so a wording fix lands everywhere at once.
//!
//! ```text
//! assets/catalog/*.toml ──include_str!──▶ Catalog::builtin() (LazyLock, parsed once)
//!     ├── field(provider, endpoint, name) ─▶ Field ─▶ value("Q") ─▶ ValueEntry
//!     ├── error(provider, "40163")        ─▶ ErrorEntry ─▶ finding() ─▶ Finding
//!     ├── lookup("wechat.40163")          ─▶ Vec<Hit>  (the fuzzy search behind `explain`)
//!     └── response::analyze(body, url)    ─▶ Analysis (a pasted response, annotated)
//! ```

pub mod meaning;
pub mod response;
mod source;
pub use source::{SourceError, check_source};

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Text};

/// The Alipay catalog as shipped.
const ALIPAY_TOML: &str = include_str!("../assets/catalog/alipay.toml");
/// The WeChat catalog as shipped, WeCom's file read as part of it (the same errcode/errmsg
/// answers; its codes carry a `wecom.` prefix).
const WECHAT_TOML: &str = concat!(
    include_str!("../assets/catalog/wechat.toml"),
    "\n",
    include_str!("../assets/catalog/wecom.toml")
);

/// The embedded catalog: each provider's file is parsed the first time that provider is asked
/// for (a walk of one provider never parses the other's: it is a good part of a `run`'s time).
static BUILTIN: Catalog = Catalog {
    alipay: OnceLock::new(),
    wechat: OnceLock::new(),
    sources: Some((ALIPAY_TOML, WECHAT_TOML)),
};

pub use crate::provider::Provider;

/// Why the embedded (or a given) catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse or does not follow the schema.
    #[error("catalog {file}: {error}")]
    Parse {
        file: &'static str,
        error: Box<toml::de::Error>,
    },
    /// A file declares another provider than the slot it was loaded into.
    #[error("catalog {file}: declares provider {found}, expected {expected}")]
    WrongProvider {
        file: &'static str,
        expected: Provider,
        found: Provider,
    },
    /// A reference inside the catalog points nowhere (e.g. `values_from`, `absent`).
    #[error("catalog {file}: {message}")]
    Dangling { file: &'static str, message: String },
}

/// A reason why a field may be missing, shared by many fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub text: Text,
    pub source: String,
}

/// An API (or page) whose responses the catalog explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Stable id: the Alipay method name or the WeChat URL path.
    pub id: String,
    pub title: Text,
    /// Alipay: the name of the response node (`alipay_user_info_share_response`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// WeChat: the URL path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub source: String,
}

/// Where a field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A field of the response body (almost every entry).
    #[default]
    Response,
    /// A request parameter worth explaining next to the response (e.g. WeChat's `lang`).
    Request,
}

/// How a raw value is compared with a field's value set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueMatch {
    /// The value as sent.
    #[default]
    Exact,
    /// Alipay's `gender` comes as `F`, `M` or lowercase from the sandbox.
    IgnoreCase,
    /// WeChat's `headimgurl`: the size is the URL's last path segment.
    LastPathSegment,
    /// A comma-separated string or a JSON array: every item is looked up.
    List,
}

/// One documented value of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueEntry {
    pub value: String,
    pub meaning: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One response field (or request parameter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    /// Endpoint ids that carry the field; empty for fields every response may carry.
    #[serde(default)]
    pub endpoints: Vec<String>,
    #[serde(default)]
    pub location: Location,
    pub meaning: Text,
    /// Ids of [`Absence`] reasons.
    #[serde(default)]
    pub absent: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent_note: Option<Text>,
    #[serde(default, rename = "match")]
    pub matching: ValueMatch,
    /// True when `values` lists every documented value, so anything else is worth a remark.
    #[serde(default)]
    pub values_complete: bool,
    /// Reuse the value set of another field of the same provider (resolved at load time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<String>,
    #[serde(default)]
    pub values: Vec<ValueEntry>,
    pub source: String,
}

impl Field {
    /// True when the field may appear in responses of `endpoint`.
    pub fn applies_to(&self, endpoint: &str) -> bool {
        self.endpoints.is_empty() || self.endpoints.iter().any(|e| e == endpoint)
    }

    /// The documented meaning of one raw value (one item for list fields).
    pub fn value(&self, raw: &str) -> Option<&ValueEntry> {
        let raw = raw.trim();
        let key = match self.matching {
            ValueMatch::LastPathSegment => {
                let path = raw.split(['?', '#']).next().unwrap_or(raw);
                path.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(path)
            }
            ValueMatch::Exact | ValueMatch::IgnoreCase | ValueMatch::List => raw,
        };
        self.values.iter().find(|v| match self.matching {
            ValueMatch::IgnoreCase => v.value.eq_ignore_ascii_case(key),
            _ => v.value == key,
        })
    }

    /// Split a JSON value into the items that are looked up in the value set: one item for
    /// scalar fields, every element for list fields. Objects yield nothing.
    pub fn items(&self, value: &serde_json::Value) -> Vec<String> {
        use serde_json::Value;
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        };
        match (self.matching, value) {
            (ValueMatch::List, Value::Array(items)) => items.iter().filter_map(scalar).collect(),
            (ValueMatch::List, Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            (_, v) => scalar(v).into_iter().collect(),
        }
    }
}

/// What kind of code an error entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Alipay's `code` or WeChat's `errcode`.
    Code,
    /// Alipay's `sub_code` (and the v3 `code`).
    SubCode,
    /// A code shown on WeChat's authorize page (HTML, never JSON).
    Page,
}

/// How serious an entry is when it shows up; `10000` and errcode `0` are good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Good news or context (`10000`, errcode `0`).
    Info,
    /// Worth attention, not a failure.
    Warning,
    /// The call failed.
    #[default]
    Error,
}

impl From<Level> for Severity {
    fn from(level: Level) -> Self {
        match level {
            Level::Info => Self::Info,
            Level::Warning => Self::Warning,
            Level::Error => Self::Error,
        }
    }
}

/// A sharper reading of an error when a given endpoint returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorContext {
    pub endpoint: String,
    pub text: Text,
}

/// One error code, sub-code or authorize-page code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    pub code: String,
    pub kind: ErrorKind,
    /// For sub-codes: the gateway code it usually arrives with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The `msg` / `errmsg` usually seen with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    /// Other spellings, e.g. the Alipay v3 code without its `isv.`/`aop.` prefix.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Endpoints known to return it; empty means any.
    #[serde(default)]
    pub endpoints: Vec<String>,
    #[serde(default)]
    pub severity: Level,
    /// The spec could not confirm the entry; shown as a caveat.
    #[serde(default)]
    pub unverified: bool,
    pub title: Text,
    pub meaning: Text,
    /// Most likely first.
    pub causes: Vec<Text>,
    pub fix: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    pub source: String,
    #[serde(default)]
    pub context: Vec<ErrorContext>,
}

impl ErrorEntry {
    /// True when `code` names this entry (case-insensitively, or by an alias).
    pub fn matches(&self, code: &str) -> bool {
        let code = code.trim();
        self.code.eq_ignore_ascii_case(code)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))
    }

    /// The endpoint-specific reading, if the catalog has one for `endpoint`.
    pub fn context_for(&self, endpoint: &str) -> Option<&Text> {
        self.context
            .iter()
            .find(|c| c.endpoint == endpoint)
            .map(|c| &c.text)
    }

    /// The entry as a [`Finding`] with code `<provider>.<code>` (e.g. `wechat.40163`,
    /// `alipay.isv.code-invalid`): the explanation is the meaning followed by the likely
    /// causes, most likely first.
    pub fn finding(&self, provider: Provider) -> Finding {
        self.finding_at(provider, None)
    }

    /// Like [`ErrorEntry::finding`], with the endpoint-specific reading put first when the
    /// response came from `endpoint`.
    pub fn finding_at(&self, provider: Provider, endpoint: Option<&str>) -> Finding {
        let context = endpoint.and_then(|e| self.context_for(e));
        let explain = |pick: fn(&Text) -> &str, causes_label: &str| {
            let mut out = String::new();
            if let Some(ctx) = context {
                out.push_str(pick(ctx));
                out.push('\n');
            }
            out.push_str(pick(&self.meaning));
            if !self.causes.is_empty() {
                out.push('\n');
                out.push_str(causes_label);
                for (i, cause) in self.causes.iter().enumerate() {
                    let _ = write!(out, "\n{}. {}", i + 1, pick(cause));
                }
            }
            out
        };
        Finding::new(
            self.severity.into(),
            format!("{provider}.{}", self.code),
            self.title.clone(),
        )
        .explanation(Text::new(
            explain(
                |t| t.get(crate::lang::Lang::EN),
                crate::lang::tr(crate::lang::Lang::EN, "catalog.likely-causes"),
            ),
            explain(
                |t| t.get(crate::lang::Lang::ZH),
                crate::lang::tr(crate::lang::Lang::ZH, "catalog.likely-causes"),
            ),
        ))
        .fix(self.fix.clone())
    }
}

/// Everything the catalog knows about one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderCatalog {
    pub provider: Provider,
    #[serde(default, rename = "absence")]
    pub absences: BTreeMap<String, Absence>,
    #[serde(default, rename = "endpoint")]
    pub endpoints: Vec<Endpoint>,
    #[serde(default, rename = "field")]
    pub fields: Vec<Field>,
    #[serde(default, rename = "error")]
    pub errors: Vec<ErrorEntry>,
}

impl ProviderCatalog {
    fn parse(file: &'static str, expected: Provider, text: &str) -> Result<Self, CatalogError> {
        let mut cat: Self = toml::from_str(text).map_err(|e| CatalogError::Parse {
            file,
            error: Box::new(e),
        })?;
        if cat.provider != expected {
            return Err(CatalogError::WrongProvider {
                file,
                expected,
                found: cat.provider,
            });
        }
        cat.resolve(file)?;
        Ok(cat)
    }

    /// Resolve `values_from` and check that every reference points somewhere.
    fn resolve(&mut self, file: &'static str) -> Result<(), CatalogError> {
        let dangling = |message: String| CatalogError::Dangling { file, message };
        for i in 0..self.fields.len() {
            if let Some(from) = self.fields[i].values_from.clone() {
                let values = self
                    .fields
                    .iter()
                    .find(|f| f.name == from && f.values_from.is_none())
                    .map(|f| f.values.clone())
                    .ok_or_else(|| {
                        dangling(format!(
                            "field {}: values_from = {from:?} names no field with values",
                            self.fields[i].name
                        ))
                    })?;
                self.fields[i].values = values;
            }
        }
        let endpoint_known = |id: &str| self.endpoints.iter().any(|e| e.id == id);
        for field in &self.fields {
            if let Some(id) = field
                .absent
                .iter()
                .find(|id| !self.absences.contains_key(*id))
            {
                return Err(dangling(format!(
                    "field {}: unknown absence {id:?}",
                    field.name
                )));
            }
            if let Some(e) = field.endpoints.iter().find(|e| !endpoint_known(e)) {
                return Err(dangling(format!(
                    "field {}: unknown endpoint {e:?}",
                    field.name
                )));
            }
        }
        for error in &self.errors {
            let mut named = error
                .endpoints
                .iter()
                .chain(error.context.iter().map(|c| &c.endpoint));
            if let Some(e) = named.find(|e| !endpoint_known(e)) {
                return Err(dangling(format!(
                    "error {}: unknown endpoint {e:?}",
                    error.code
                )));
            }
        }
        Ok(())
    }

    /// The endpoint with this id, WeChat path or Alipay node name.
    pub fn endpoint(&self, key: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| {
            e.id == key || e.path.as_deref() == Some(key) || e.node.as_deref() == Some(key)
        })
    }

    /// The entry of a field: the one listed for `endpoint` if there is one, else one every
    /// response may carry, else (with no endpoint, or an endpoint the field is not listed
    /// for) the first entry of that name.
    ///
    /// Response fields come before request parameters of the same name (Alipay's `code` is
    /// both the gateway result code and the token call's auth_code parameter).
    pub fn field(&self, endpoint: Option<&str>, name: &str) -> Option<&Field> {
        let named = |location: Option<Location>| {
            self.fields
                .iter()
                .filter(move |f| f.name == name && location.is_none_or(|l| f.location == l))
        };
        let specific =
            |f: &&Field| endpoint.is_some_and(|e| !f.endpoints.is_empty() && f.applies_to(e));
        let response = Some(Location::Response);
        named(response)
            .find(specific)
            .or_else(|| named(response).find(|f| f.endpoints.is_empty()))
            .or_else(|| named(None).find(specific))
            .or_else(|| named(None).next())
    }

    /// The error entry for a code, sub-code or alias.
    pub fn error(&self, code: &str) -> Option<&ErrorEntry> {
        let code = code.trim();
        self.errors
            .iter()
            .find(|e| e.code == code)
            .or_else(|| self.errors.iter().find(|e| e.matches(code)))
    }

    /// The absence reasons of a field, resolved to their text.
    pub fn absence_reasons<'a>(&'a self, field: &'a Field) -> impl Iterator<Item = &'a Absence> {
        field.absent.iter().filter_map(|id| self.absences.get(id))
    }
}

/// One result of [`Catalog::lookup`].
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Hit<'a> {
    /// An error code, sub-code or authorize-page code.
    Error {
        provider: Provider,
        entry: &'a ErrorEntry,
    },
    /// A field, with its meaning, value set and absence reasons.
    Field {
        provider: Provider,
        field: &'a Field,
    },
    /// A `field=value` term: the field and what that value means (`None` when the value is
    /// not in the value set).
    Value {
        provider: Provider,
        field: &'a Field,
        value: String,
        entry: Option<&'a ValueEntry>,
    },
    /// An endpoint id, WeChat path or Alipay node name.
    Endpoint {
        provider: Provider,
        endpoint: &'a Endpoint,
    },
}

impl Hit<'_> {
    /// The provider the hit belongs to.
    pub fn provider(&self) -> Provider {
        match self {
            Self::Error { provider, .. }
            | Self::Field { provider, .. }
            | Self::Value { provider, .. }
            | Self::Endpoint { provider, .. } => *provider,
        }
    }
}

/// Both providers' catalogs.
#[derive(Debug)]
pub struct Catalog {
    alipay: OnceLock<ProviderCatalog>,
    wechat: OnceLock<ProviderCatalog>,
    /// The texts to parse on first use (the embedded catalog); `None` once both are parsed.
    sources: Option<(&'static str, &'static str)>,
}

impl Catalog {
    /// The catalog embedded in the binary, parsed on first use.
    pub fn builtin() -> &'static Self {
        &BUILTIN
    }

    /// Parse a catalog from the text of the two files (the embedded ones, or candidates in a
    /// test), checking every internal reference.
    pub fn from_sources(alipay: &str, wechat: &str) -> Result<Self, CatalogError> {
        Ok(Self {
            alipay: OnceLock::from(ProviderCatalog::parse(
                "alipay.toml",
                Provider::Alipay,
                alipay,
            )?),
            wechat: OnceLock::from(ProviderCatalog::parse(
                "wechat.toml",
                Provider::Wechat,
                wechat,
            )?),
            sources: None,
        })
    }

    /// One provider's catalog (the embedded one parsed on first use).
    pub fn provider(&self, provider: Provider) -> &ProviderCatalog {
        let (cell, file) = match provider {
            Provider::Alipay => (&self.alipay, "alipay.toml"),
            Provider::Wechat => (&self.wechat, "wechat.toml"),
        };
        cell.get_or_init(|| {
            let (alipay, wechat) = self
                .sources
                .expect("a catalog without sources was parsed whole by from_sources");
            let text = match provider {
                Provider::Alipay => alipay,
                Provider::Wechat => wechat,
            };
            ProviderCatalog::parse(file, provider, text)
                .expect("the embedded catalog is valid: tests/catalog.rs loads and validates it")
        })
    }

    /// A field of a provider, preferring the entry for `endpoint` (see
    /// [`ProviderCatalog::field`]).
    pub fn field(&self, provider: Provider, endpoint: Option<&str>, name: &str) -> Option<&Field> {
        self.provider(provider).field(endpoint, name)
    }

    /// The meaning of one value of a field, e.g. (`Alipay`, `user_status`, `Q`).
    pub fn value_meaning(&self, provider: Provider, field: &str, value: &str) -> Option<&Text> {
        self.field(provider, None, field)
            .and_then(|f| f.value(value))
            .map(|v| &v.meaning)
    }

    /// The error entry for a code or sub-code of one provider.
    pub fn error(&self, provider: Provider, code: &str) -> Option<&ErrorEntry> {
        self.provider(provider).error(code)
    }

    /// The finding for a code of one provider (`wechat.40163`, `alipay.isv.code-invalid`).
    pub fn finding(&self, provider: Provider, code: &str) -> Option<Finding> {
        self.error(provider, code).map(|e| e.finding(provider))
    }

    /// The fuzzy "what is this term" search behind `authwalk explain`. Accepts an error code
    /// (`40163`, `20001`), a sub-code (`isv.invalid-token`, v3 `invalid-auth-token`), a field
    /// (`sex`), a field and value (`user_status=Q`), an endpoint (`/sns/userinfo`,
    /// `alipay.user.info.share`), each optionally prefixed by a provider (`wechat.40163`,
    /// `alipay.isv.code-invalid`, `alipay:gender=m`). Returns every match, errors first; a
    /// code both providers use (`40001`) yields both.
    pub fn lookup(&self, term: &str) -> Vec<Hit<'_>> {
        let term = term.trim();
        let mut hits = self.lookup_in(&Provider::ALL, term);
        if let Some((provider, rest)) = split_provider(term) {
            for hit in self.lookup_in(&[provider], rest) {
                if !hits.iter().any(|h| same_hit(h, &hit)) {
                    hits.push(hit);
                }
            }
            // A prefixed term names one provider: drop the other's hits.
            hits.retain(|h| h.provider() == provider);
        }
        hits
    }

    fn lookup_in(&self, providers: &[Provider], term: &str) -> Vec<Hit<'_>> {
        let mut hits = Vec::new();
        if term.is_empty() {
            return hits;
        }
        if let Some((name, value)) = term.split_once('=') {
            let (name, value) = (name.trim(), value.trim());
            for &provider in providers {
                let cat = self.provider(provider);
                for field in cat
                    .fields
                    .iter()
                    .filter(|f| f.name.eq_ignore_ascii_case(name))
                {
                    hits.push(Hit::Value {
                        provider,
                        field,
                        value: value.to_owned(),
                        entry: field.value(value),
                    });
                }
            }
            // `scope=auth_base` is Alipay's scope, not an unknown value of WeChat's: when the
            // value is documented somewhere, drop the fields that do not know it.
            if hits
                .iter()
                .any(|h| matches!(h, Hit::Value { entry: Some(_), .. }))
            {
                hits.retain(|h| matches!(h, Hit::Value { entry: Some(_), .. }));
            }
            return hits;
        }
        for &provider in providers {
            if let Some(entry) = self.provider(provider).error(term) {
                hits.push(Hit::Error { provider, entry });
            }
        }
        for &provider in providers {
            if let Some(endpoint) = self.provider(provider).endpoint(term) {
                hits.push(Hit::Endpoint { provider, endpoint });
            }
        }
        for &provider in providers {
            let cat = self.provider(provider);
            for field in cat
                .fields
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case(term))
            {
                hits.push(Hit::Field { provider, field });
            }
        }
        if hits.is_empty() && term.len() >= 4 {
            // A bare documented value (`auth_base`, `snsapi_userinfo`): the fields that know
            // it. One- and two-letter values (`T`, `1`) are too common to mean one thing.
            for &provider in providers {
                for field in &self.provider(provider).fields {
                    if let Some(entry) = field.value(term).filter(|v| v.value == term) {
                        hits.push(Hit::Value {
                            provider,
                            field,
                            value: term.to_owned(),
                            entry: Some(entry),
                        });
                    }
                }
            }
        }
        hits
    }

    /// Terms close to `term` (edit distance or substring), for a "did you mean" message.
    pub fn suggest(&self, term: &str, max: usize) -> Vec<String> {
        let needle = split_provider(term)
            .map_or(term, |(_, rest)| rest)
            .trim()
            .to_ascii_lowercase();
        let needle = needle.split('=').next().unwrap_or_default().to_owned();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut keys: Vec<String> = Vec::new();
        for provider in Provider::ALL {
            let cat = self.provider(provider);
            keys.extend(cat.errors.iter().map(|e| e.code.clone()));
            keys.extend(cat.fields.iter().map(|f| f.name.clone()));
            keys.extend(cat.endpoints.iter().map(|e| e.id.clone()));
        }
        keys.sort();
        keys.dedup();
        let limit = (needle.chars().count() / 3).max(2);
        let mut scored: Vec<(usize, String)> = keys
            .into_iter()
            .filter_map(|key| {
                let lower = key.to_ascii_lowercase();
                let distance = edit_distance(&needle, &lower);
                if distance <= limit {
                    Some((distance, key))
                } else if needle.len() >= 3 && lower.contains(&needle) {
                    Some((limit + 1, key))
                } else {
                    None
                }
            })
            .collect();
        scored.sort();
        scored.into_iter().take(max).map(|(_, k)| k).collect()
    }
}

/// Split `wechat.40163`, `alipay:isv.code-invalid`, `weixin 40001` into provider and rest.
fn split_provider(term: &str) -> Option<(Provider, &str)> {
    let (head, rest) = term.split_once(['.', ':', ' ', '/'])?;
    let provider = head.parse().ok()?;
    let rest = rest.trim();
    (!rest.is_empty()).then_some((provider, rest))
}

fn same_hit(a: &Hit<'_>, b: &Hit<'_>) -> bool {
    match (a, b) {
        (Hit::Error { entry: x, .. }, Hit::Error { entry: y, .. }) => std::ptr::eq(*x, *y),
        (Hit::Field { field: x, .. }, Hit::Field { field: y, .. })
        | (Hit::Value { field: x, .. }, Hit::Value { field: y, .. }) => std::ptr::eq(*x, *y),
        (Hit::Endpoint { endpoint: x, .. }, Hit::Endpoint { endpoint: y, .. }) => {
            std::ptr::eq(*x, *y)
        }
        _ => false,
    }
}

/// Levenshtein distance over characters; terms are short, so the quadratic cost is nothing.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
