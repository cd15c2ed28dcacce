//! Gateway request signing: the canonical string, the RSA2/RSA signature, and the request laid
//! out on the wire as the official Java SDK does it.

use time::OffsetDateTime;
use time::macros::{format_description, offset};

use super::{Charset, CharsetError, SignType};
use crate::keys::{self, KeyError, PrivateKey};
use crate::provider::{HttpMethod, PreparedRequest, SigningTrace};

/// Parameters the Java SDK puts in the URL query; everything else goes in the form body.
const QUERY_PARAMS: [&str; 20] = [
    "method",
    "version",
    "app_id",
    "sign_type",
    "charset",
    "timestamp",
    "sign",
    "terminal_type",
    "terminal_info",
    "notify_url",
    "return_url",
    "app_cert_sn",
    "alipay_root_cert_sn",
    "target_app_id",
    "encrypt_type",
    "format",
    "auth_token",
    "alipay_sdk",
    "prod_code",
    "ws_service_url",
];

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("the string to sign {0}")]
    Charset(CharsetError),
    /// The same parameter twice: the gateway keeps one, the signer another.
    #[error("parameter '{0}' is given twice; give each parameter once")]
    Duplicate(String),
}

impl From<CharsetError> for SignError {
    // By hand, not `#[from]`: that would also make the charset error the source, and error
    // chains would print it twice.
    fn from(e: CharsetError) -> Self {
        Self::Charset(e)
    }
}

/// One gateway call before signing: the common parameters plus the API's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCall {
    pub method: String,
    pub app_id: String,
    pub sign_type: SignType,
    pub charset: Charset,
    /// `format`; `JSON` is the only value the gateway knows.
    pub format: Option<String>,
    pub version: String,
    /// `yyyy-MM-dd HH:mm:ss` in UTC+8, see [`format_timestamp`].
    pub timestamp: String,
    /// API and optional system parameters (`grant_type`, `code`, `auth_token`, …) in order.
    pub params: Vec<(String, String)>,
}

impl GatewayCall {
    pub fn new(
        method: &str,
        app_id: &str,
        sign_type: SignType,
        charset: Charset,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            method: method.to_owned(),
            app_id: app_id.to_owned(),
            sign_type,
            charset,
            format: Some("JSON".to_owned()),
            version: "1.0".to_owned(),
            timestamp: format_timestamp(now),
            params: Vec::new(),
        }
    }

    /// Add a parameter (builder style).
    #[must_use]
    pub fn param(mut self, key: &str, value: &str) -> Self {
        self.params.push((key.to_owned(), value.to_owned()));
        self
    }

    /// `alipay.system.oauth.token` exchanging an `auth_code`.
    pub fn token_by_code(
        app_id: &str,
        code: &str,
        sign_type: SignType,
        now: OffsetDateTime,
    ) -> Self {
        Self::new(
            super::METHOD_OAUTH_TOKEN,
            app_id,
            sign_type,
            Charset::Utf8,
            now,
        )
        .param("grant_type", "authorization_code")
        .param("code", code)
    }

    /// `alipay.user.info.share` with the user's access token as `auth_token`.
    pub fn user_info(
        app_id: &str,
        auth_token: &str,
        sign_type: SignType,
        now: OffsetDateTime,
    ) -> Self {
        Self::new(
            super::METHOD_USER_INFO,
            app_id,
            sign_type,
            Charset::Utf8,
            now,
        )
        .param("auth_token", auth_token)
    }

    /// Every parameter that is sent, except `sign`.
    pub fn all_params(&self) -> Vec<(String, String)> {
        let mut all = vec![
            ("app_id".to_owned(), self.app_id.clone()),
            ("method".to_owned(), self.method.clone()),
            ("charset".to_owned(), self.charset.as_str().to_owned()),
            ("sign_type".to_owned(), self.sign_type.as_str().to_owned()),
            ("timestamp".to_owned(), self.timestamp.clone()),
            ("version".to_owned(), self.version.clone()),
        ];
        if let Some(format) = &self.format {
            all.push(("format".to_owned(), format.clone()));
        }
        all.extend(self.params.iter().cloned());
        all
    }
}

/// The gateway's timestamp format, always in China time (UTC+8) whatever the local zone,
/// as the Java SDK does.
pub fn format_timestamp(now: OffsetDateTime) -> String {
    now.to_offset(offset!(+8))
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .expect("formatting a date with a fixed description cannot fail")
}

/// Whether a parameter takes part in the signature: not `sign`, and not empty or blank (the
/// Java SDK skips those, and never sending them is what keeps every gateway view in step).
fn is_signed(key: &str, value: &str) -> bool {
    key != "sign" && !key.is_empty() && !value.trim().is_empty()
}

/// The canonical string: every parameter except `sign`, empty values dropped, sorted by key
/// bytes, joined as `key=value` with `&`, values raw (not URL-encoded).
pub fn canonical_string(params: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = params.iter().filter(|(k, v)| is_signed(k, v)).collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    kept.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Sign `params` (which must include `sign_type` and `charset` if they are to be signed).
pub fn sign_params(
    params: &[(String, String)],
    sign_type: SignType,
    charset: Charset,
    key: &PrivateKey,
) -> Result<SigningTrace, SignError> {
    let mut seen = std::collections::HashSet::new();
    for (k, _) in params {
        if !seen.insert(k.as_str()) {
            return Err(SignError::Duplicate(k.clone()));
        }
    }
    key.check_size_for(sign_type.hash())?;
    let canonical = canonical_string(params);
    let bytes = charset.encode(&canonical)?;
    let signature = keys::base64_encode(&key.sign(sign_type.hash(), &bytes));
    let dropped = params
        .iter()
        .filter(|(k, v)| k != "sign" && !is_signed(k, v))
        .map(|(k, _)| k.clone())
        .collect();
    Ok(SigningTrace {
        sign_type,
        algorithm: sign_type.algorithm().to_owned(),
        charset,
        canonical_sha256: keys::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        canonical,
        dropped,
        signature,
        key_fingerprint: key.fingerprint().hex().to_owned(),
        cert_sns: Vec::new(),
    })
}

/// Sign `call` and lay it out as the Java SDK sends it: system parameters and `sign` in the
/// URL query, API parameters in an `application/x-www-form-urlencoded` body. Empty parameters
/// are not sent at all. Both parts are sorted by key so the output is stable.
pub fn prepare(
    gateway_url: &str,
    call: &GatewayCall,
    key: &PrivateKey,
) -> Result<PreparedRequest, SignError> {
    prepare_params(
        gateway_url,
        &call.all_params(),
        call.sign_type,
        call.charset,
        key,
    )
}

/// [`prepare`] for an arbitrary parameter list (which should hold `sign_type` and `charset`).
pub fn prepare_params(
    gateway_url: &str,
    params: &[(String, String)],
    sign_type: SignType,
    charset: Charset,
    key: &PrivateKey,
) -> Result<PreparedRequest, SignError> {
    let trace = sign_params(params, sign_type, charset, key)?;
    lay_out(gateway_url, params, charset, trace)
}

/// Lay `params` out on the wire as the Java SDK does, with `trace.signature` as `sign`,
/// whatever the parameters now say: [`prepare_params`] after signing, and an edited request
/// sent with the signature of the one it was edited from (the gateway then answers
/// `isv.invalid-signature`).
pub fn lay_out(
    gateway_url: &str,
    params: &[(String, String)],
    charset: Charset,
    trace: SigningTrace,
) -> Result<PreparedRequest, SignError> {
    let mut sent: Vec<(String, String)> = params
        .iter()
        .filter(|(k, v)| is_signed(k, v))
        .cloned()
        .collect();
    sent.push(("sign".to_owned(), trace.signature.clone()));
    sent.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let (query, body): (Vec<_>, Vec<_>) = sent
        .into_iter()
        .partition(|(k, _)| QUERY_PARAMS.contains(&k.as_str()));

    let query = form_encode(&query, charset)?;
    let body = form_encode(&body, charset)?;
    let separator = if gateway_url.contains('?') { '&' } else { '?' };
    Ok(PreparedRequest {
        method: HttpMethod::Post,
        url: format!("{gateway_url}{separator}{query}"),
        headers: vec![(
            "Content-Type".to_owned(),
            format!(
                "application/x-www-form-urlencoded;charset={}",
                charset.as_str()
            ),
        )],
        body: body.into_bytes(),
        signing: Some(trace),
    })
}

/// `application/x-www-form-urlencoded` over the charset's bytes, as Java's `URLEncoder` does.
pub(crate) fn form_encode(
    pairs: &[(String, String)],
    charset: Charset,
) -> Result<String, SignError> {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(url::form_urlencoded::byte_serialize(&charset.encode(k)?));
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(&charset.encode(v)?));
    }
    Ok(out)
}
