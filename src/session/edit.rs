//! An edited request: a step's request opened as a form (method, base URL, parameters), and
//! built back into a request to send as a new attempt of the step. An Alipay request is signed
//! again with the target's key, or sent with the `sign` of the request it was edited from, to
//! show what the gateway answers to a request changed after signing. Pure.

use crate::flow::{App, StepKind};
use crate::provider::alipay::{self, ApiVersion, Charset, SignError, SignType};
use crate::provider::{HttpMethod, PreparedRequest, SigningTrace};

/// How an edited Alipay request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Signed again over the edited parameters with the target's private key.
    Resign,
    /// Sent with the `sign` of the request it was edited from: the gateway's string to sign
    /// no longer matches it.
    OldSign,
}

impl Signing {
    /// The other way.
    #[must_use]
    pub fn toggled(self) -> Self {
        match self {
            Self::Resign => Self::OldSign,
            Self::OldSign => Self::Resign,
        }
    }

    /// The key in `assets/messages.toml` that names it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Resign => "tui.edit-resign",
            Self::OldSign => "tui.edit-old-sign",
        }
    }
}

/// A step's request as a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedRequest {
    pub step: StepKind,
    pub method: HttpMethod,
    /// The URL without its query.
    pub base_url: String,
    /// Query and form parameters, in the order sent (`sign` left out: it is made on sending).
    pub params: Vec<(String, String)>,
    /// How an Alipay request is signed; `None` for a request nobody signs (WeChat).
    pub signing: Option<Signing>,
    /// The request it was edited from.
    original: PreparedRequest,
}

/// Why an edited request cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the base URL '{0}' is not an http:// or https:// URL; give the scheme and host")]
    BadBase(String),
    #[error("a parameter has an empty name; give it a name or remove it")]
    EmptyName,
    #[error("the request cannot be signed: {0}")]
    Sign(#[from] SignError),
    #[error(
        "the request it was edited from carries no sign to keep; sign it again (toggle the \
         signing)"
    )]
    NoOldSign,
    #[error(
        "an OpenAPI v3 request is signed in its Authorization header over a JSON body, which \
         the form does not edit yet; walk the login with --api v2 to edit and resend its calls"
    )]
    V3,
}

/// The JSON object a request sends as its body (WeChat's `stable_token` and
/// `getuserphonenumber`), if it sends one.
fn json_body(request: &PreparedRequest) -> Option<serde_json::Map<String, serde_json::Value>> {
    let json = request.headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("json")
    });
    json.then(|| serde_json::from_slice(&request.body).ok())
        .flatten()
}

fn decode(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl EditedRequest {
    /// The form of `request`, the latest attempt of `step`.
    pub fn of(step: StepKind, request: &PreparedRequest) -> Self {
        let (base, query) = request
            .url
            .split_once('?')
            .unwrap_or((request.url.as_str(), ""));
        let mut params = decode(query);
        match json_body(request) {
            // A JSON body's members are rows like parameters: strings as they are, other
            // values as JSON text.
            Some(object) => params.extend(object.into_iter().map(|(k, v)| match v {
                serde_json::Value::String(text) => (k, text),
                other => (k, other.to_string()),
            })),
            None => params.extend(decode(&String::from_utf8_lossy(&request.body))),
        }
        let signing = request.signing.as_ref().map(|_| Signing::Resign);
        if signing.is_some() {
            params.retain(|(k, _)| k != "sign");
        }
        Self {
            step,
            method: request.method,
            base_url: base.to_owned(),
            params,
            signing,
            original: request.clone(),
        }
    }

    /// The request it was edited from.
    pub fn original(&self) -> &PreparedRequest {
        &self.original
    }

    /// Switch GET and POST.
    pub fn toggle_method(&mut self) {
        self.method = match self.method {
            HttpMethod::Get => HttpMethod::Post,
            HttpMethod::Post => HttpMethod::Get,
        };
    }

    /// The names of the parameters whose value differs from the original, or that were added
    /// or removed, in the order of the form and then the removed ones.
    pub fn changed(&self) -> Vec<String> {
        let before = Self::of(self.step, &self.original);
        let mut out: Vec<String> = self
            .params
            .iter()
            .filter(|p| !before.params.contains(p))
            .map(|(k, _)| k.clone())
            .collect();
        for (k, _) in &before.params {
            if !self.params.iter().any(|(n, _)| n == k) && !out.contains(k) {
                out.push(k.clone());
            }
        }
        out
    }

    /// The request to send for `app`.
    pub fn build(&self, app: &App) -> Result<PreparedRequest, EditError> {
        let base = self.base_url.trim();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 9 {
            return Err(EditError::BadBase(base.to_owned()));
        }
        if self.params.iter().any(|(k, _)| k.trim().is_empty()) {
            return Err(EditError::EmptyName);
        }
        let mut request = match (app, self.signing) {
            (App::Alipay(a), Some(signing)) => match a.api {
                ApiVersion::V2 => self.alipay(a, base, signing)?,
                ApiVersion::V3 => return Err(EditError::V3),
            },
            _ => self.plain(base),
        };
        if self.method == HttpMethod::Get && !request.body.is_empty() {
            // A GET has no body: the form goes in the query.
            let body = String::from_utf8_lossy(&request.body).into_owned();
            let separator = if request.url.contains('?') { '&' } else { '?' };
            request.url = format!("{}{separator}{body}", request.url);
            request.body.clear();
            request
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        }
        request.method = self.method;
        Ok(request)
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn alipay(
        &self,
        app: &crate::flow::AlipayApp,
        base: &str,
        signing: Signing,
    ) -> Result<PreparedRequest, EditError> {
        // The parameters say how they are signed; the app's settings when they do not.
        let sign_type = self
            .param("sign_type")
            .and_then(|v| v.parse::<SignType>().ok())
            .unwrap_or(app.sign_type);
        let charset = match self.param("charset") {
            Some(c) if c.eq_ignore_ascii_case("gbk") || c.eq_ignore_ascii_case("gb2312") => {
                Charset::Gbk
            }
            Some(_) => Charset::Utf8,
            None => app.charset,
        };
        match signing {
            Signing::Resign => Ok(alipay::prepare_params(
                base,
                &self.params,
                sign_type,
                charset,
                &app.private_key,
            )?),
            Signing::OldSign => {
                let old = self.original.signing.as_ref().ok_or(EditError::NoOldSign)?;
                let trace = kept_sign(old, &self.params, charset)?;
                Ok(alipay::lay_out(base, &self.params, charset, trace)?)
            }
        }
    }

    fn plain(&self, base: &str) -> PreparedRequest {
        if let (HttpMethod::Post, Some(object)) = (self.method, json_body(&self.original)) {
            return self.json(base, &object);
        }
        let pairs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.params.iter())
            .finish();
        let mut request = PreparedRequest {
            method: self.method,
            url: base.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            signing: None,
        };
        match self.method {
            HttpMethod::Get => {
                if !pairs.is_empty() {
                    request.url = format!("{base}?{pairs}");
                }
            }
            HttpMethod::Post => {
                request.headers.push((
                    "Content-Type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                ));
                request.body = pairs.into_bytes();
            }
        }
        request
    }
}

impl EditedRequest {
    /// A POST with a JSON body, as the original was: the parameters that were in its query
    /// stay there, the others are the body's members, typed as the original's were (a new
    /// member is a string unless its text is a JSON number, boolean, array or object).
    fn json(
        &self,
        base: &str,
        original: &serde_json::Map<String, serde_json::Value>,
    ) -> PreparedRequest {
        let query_names: Vec<String> = self
            .original
            .url
            .split_once('?')
            .map(|(_, q)| decode(q).into_iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        let (query, members): (Vec<_>, Vec<_>) = self
            .params
            .iter()
            .partition(|(k, _)| query_names.contains(k) && !original.contains_key(k));
        let body: serde_json::Map<String, serde_json::Value> = members
            .into_iter()
            .map(|(k, v)| {
                let typed = match original.get(k) {
                    Some(serde_json::Value::String(_)) => None,
                    Some(_) | None => serde_json::from_str::<serde_json::Value>(v)
                        .ok()
                        .filter(|j| !j.is_string()),
                };
                (
                    k.clone(),
                    typed.unwrap_or_else(|| serde_json::Value::String(v.clone())),
                )
            })
            .collect();
        let pairs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        PreparedRequest {
            method: HttpMethod::Post,
            url: if pairs.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{pairs}")
            },
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: serde_json::Value::Object(body).to_string().into_bytes(),
            signing: None,
        }
    }
}

/// The trace of a request sent with an old signature: the string the gateway will check it
/// against (the edited parameters), and the old `sign` and key.
fn kept_sign(
    old: &SigningTrace,
    params: &[(String, String)],
    charset: Charset,
) -> Result<SigningTrace, SignError> {
    let canonical = alipay::canonical_string(params);
    let bytes = charset.encode(&canonical)?;
    Ok(SigningTrace {
        canonical_sha256: crate::keys::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        canonical,
        dropped: params
            .iter()
            .filter(|(k, v)| k != "sign" && v.trim().is_empty())
            .map(|(k, _)| k.clone())
            .collect(),
        ..old.clone()
    })
}

#[cfg(test)]
mod tests;
