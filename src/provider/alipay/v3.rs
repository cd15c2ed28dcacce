//! OpenAPI v3: REST paths, a signed `Authorization` header, responses signed in headers.
//!
//! Request (the official Node SDK's `curl()`, `alipay-sdk` `dist/esm/alipay.js`, and the v3
//! signing page opendocs.alipay.com/open-v3/054q58):
//!
//! ```text
//! authString = app_id=…[,app_cert_sn=…],nonce=…,timestamp=<ms>
//! signed     = authString \n METHOD \n /path?query \n body \n
//! Authorization: ALIPAY-SHA256withRSA authString,sign=<base64>
//! ```
//!
//! The SDK writes `nonce` before `timestamp`; the gateway reads the pairs by name, so the order
//! only matters for the signed text, which is the header's own. Certificate mode adds
//! `app_cert_sn` to the auth string and the root SN in an `alipay-root-cert-sn` header.
//!
//! Response: `alipay-timestamp \n alipay-nonce \n body \n`, SHA256withRSA, base64 in
//! `alipay-signature`; `alipay-sn` names the Alipay certificate in certificate mode. Errors
//! come as HTTP 4xx with `{"code", "message", "links"}`.

use sha2::Digest as _;

use super::{Charset, Outcome, SignType, Verification};
use crate::keys::{self, PrivateKey, PublicKey};
use crate::lang::{Lang, Text};
use crate::provider::{HttpMethod, PreparedRequest, SigningTrace, SnTrace};

/// The scheme word of the `Authorization` header.
pub const SCHEME: &str = "ALIPAY-SHA256withRSA";
/// `POST /v3/alipay/system/oauth/token`.
pub const PATH_OAUTH_TOKEN: &str = "/v3/alipay/system/oauth/token";
/// `POST /v3/alipay/user/info/share` (the token goes in the query as `auth_token`).
pub const PATH_USER_INFO: &str = "/v3/alipay/user/info/share";

pub const HEADER_TIMESTAMP: &str = "alipay-timestamp";
pub const HEADER_NONCE: &str = "alipay-nonce";
pub const HEADER_SIGNATURE: &str = "alipay-signature";
pub const HEADER_SN: &str = "alipay-sn";
pub const HEADER_ROOT_CERT_SN: &str = "alipay-root-cert-sn";

/// One v3 call before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Call {
    pub method: HttpMethod,
    /// `/v3/…`, with its query (`?auth_token=…`) if any.
    pub path_query: String,
    /// The JSON body as sent (empty for none).
    pub body: String,
}

/// Certificate mode's additions to a v3 request.
#[derive(Debug, Clone, Copy)]
pub struct V3Cert<'a> {
    pub app_cert_sn: &'a str,
    pub root_cert_sn: &'a str,
}

/// The auth string: the pairs of the header before `sign`, in the official Node SDK's order.
pub fn auth_string(
    app_id: &str,
    app_cert_sn: Option<&str>,
    nonce: &str,
    timestamp_ms: i64,
) -> String {
    let mut out = format!("app_id={app_id}");
    if let Some(sn) = app_cert_sn {
        out.push_str(",app_cert_sn=");
        out.push_str(sn);
    }
    out.push_str(",nonce=");
    out.push_str(nonce);
    out.push_str(",timestamp=");
    out.push_str(&timestamp_ms.to_string());
    out
}

/// The exact text a v3 request signature covers.
pub fn string_to_sign(auth: &str, method: HttpMethod, path_query: &str, body: &str) -> String {
    format!("{auth}\n{method}\n{path_query}\n{body}\n")
}

/// The exact text a v3 response signature covers.
pub fn response_string(timestamp: &str, nonce: &str, body: &str) -> String {
    format!("{timestamp}\n{nonce}\n{body}\n")
}

/// A nonce shaped like the SDK's `randomUUID()`, from caller-supplied entropy (the provider
/// layer takes its randomness as an argument).
pub fn nonce_from(seed: &[u8]) -> String {
    let d = sha2::Sha256::digest(seed);
    let h = keys::hex(&d[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Sign `call` for `base` (`https://openapi.alipay.com`) and lay it out on the wire.
pub fn prepare(
    base: &str,
    app_id: &str,
    call: &V3Call,
    key: &PrivateKey,
    cert: Option<V3Cert<'_>>,
    nonce: &str,
    timestamp_ms: i64,
) -> PreparedRequest {
    let auth = auth_string(app_id, cert.map(|c| c.app_cert_sn), nonce, timestamp_ms);
    let signed = string_to_sign(&auth, call.method, &call.path_query, &call.body);
    let signature = keys::base64_encode(&key.sign(SignType::Rsa2.hash(), signed.as_bytes()));
    let mut headers = vec![
        (
            "Authorization".to_owned(),
            format!("{SCHEME} {auth},sign={signature}"),
        ),
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("Accept".to_owned(), "application/json".to_owned()),
    ];
    if let Some(c) = cert {
        headers.push((HEADER_ROOT_CERT_SN.to_owned(), c.root_cert_sn.to_owned()));
    }
    PreparedRequest {
        method: call.method,
        url: format!("{}{}", base.trim_end_matches('/'), call.path_query),
        headers,
        body: call.body.clone().into_bytes(),
        signing: Some(SigningTrace {
            sign_type: SignType::Rsa2,
            algorithm: SCHEME.to_owned(),
            charset: Charset::Utf8,
            canonical_sha256: keys::hex(&sha2::Sha256::digest(signed.as_bytes())),
            canonical: signed,
            dropped: Vec::new(),
            signature,
            key_fingerprint: key.fingerprint().hex().to_owned(),
            cert_sns: Vec::<SnTrace>::new(),
        }),
    }
}

/// The parts of an `Authorization: ALIPAY-SHA256withRSA …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Everything before `,sign=`: the signed auth string as sent.
    pub auth_string: String,
    pub app_id: Option<String>,
    pub app_cert_sn: Option<String>,
    pub nonce: Option<String>,
    pub timestamp: Option<String>,
    pub sign: String,
}

/// Why an `Authorization` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    #[error("the Authorization header does not start with '{SCHEME} '")]
    Scheme,
    #[error("the Authorization header has no ',sign=' part")]
    NoSign,
}

/// Read an `Authorization` header (the sandbox's side, and `explain` of a pasted header).
pub fn parse_authorization(header: &str) -> Result<Authorization, AuthorizationError> {
    let rest = header
        .trim()
        .strip_prefix(SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(AuthorizationError::Scheme)?;
    let (auth, sign) = rest
        .rsplit_once(",sign=")
        .ok_or(AuthorizationError::NoSign)?;
    let get = |name: &str| {
        auth.split(',')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.to_owned())
    };
    Ok(Authorization {
        auth_string: auth.to_owned(),
        app_id: get("app_id"),
        app_cert_sn: get("app_cert_sn"),
        nonce: get("nonce"),
        timestamp: get("timestamp"),
        sign: sign.to_owned(),
    })
}

/// A signed v3 response: the headers to add.
pub fn sign_response(
    body: &str,
    key: &PrivateKey,
    nonce: &str,
    timestamp_ms: i64,
    alipay_cert_sn: Option<&str>,
) -> Vec<(String, String)> {
    let ts = timestamp_ms.to_string();
    let text = response_string(&ts, nonce, body);
    let sign = keys::base64_encode(&key.sign(SignType::Rsa2.hash(), text.as_bytes()));
    let mut headers = vec![
        (HEADER_TIMESTAMP.to_owned(), ts),
        (HEADER_NONCE.to_owned(), nonce.to_owned()),
        (HEADER_SIGNATURE.to_owned(), sign),
    ];
    if let Some(sn) = alipay_cert_sn {
        headers.push((HEADER_SN.to_owned(), sn.to_owned()));
    }
    headers
}

/// The value of header `name` (case-insensitive).
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The `alipay-sn` header of a response, if any.
pub fn response_sn(headers: &[(String, String)]) -> Option<&str> {
    header(headers, HEADER_SN)
}

/// The reason in both languages.
fn set_reason(v: &mut Verification, reason: &Text) {
    reason.get(Lang::EN).clone_into(&mut v.reason);
    reason.get(Lang::ZH).clone_into(&mut v.reason_zh);
}

/// Verify a v3 response by its headers, as the official Node SDK's `curl()` does. The
/// verification's `signed_text` is the exact string checked, shown like the v2 node text.
pub fn verify_response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    key: &PublicKey,
) -> Verification {
    let mut v = Verification {
        outcome: Outcome::Unsigned,
        reason: String::new(),
        reason_zh: String::new(),
        node: Some("headers alipay-timestamp, alipay-nonce, alipay-signature".to_owned()),
        signed_text: None,
        checked_text: None,
        sign: header(headers, HEADER_SIGNATURE).map(str::to_owned),
        cert_sn: response_sn(headers).map(str::to_owned),
        sign_type: SignType::Rsa2,
        key_fingerprint: key.fingerprint().hex().to_owned(),
    };
    let Ok(text) = std::str::from_utf8(body) else {
        set_reason(&mut v, &Text::key("provider.alipay.v3.not-utf8"));
        return v;
    };
    let (Some(ts), Some(nonce)) = (
        header(headers, HEADER_TIMESTAMP),
        header(headers, HEADER_NONCE),
    ) else {
        let reason = if status >= 400 {
            Text::with("provider.alipay.v3.error-unsigned", &[("status", &status)])
        } else {
            Text::key("provider.alipay.v3.no-headers")
        };
        set_reason(&mut v, &reason);
        return v;
    };
    let signed = response_string(ts, nonce, text);
    v.signed_text = Some(signed.clone());
    let Some(sign) = v.sign.clone().filter(|s| !s.trim().is_empty()) else {
        set_reason(&mut v, &Text::key("provider.alipay.v3.no-signature"));
        return v;
    };
    let ok = keys::base64_decode_signature(&sign)
        .is_ok_and(|sig| key.verify(SignType::Rsa2.hash(), signed.as_bytes(), &sig));
    if ok {
        v.outcome = Outcome::Verified;
        set_reason(&mut v, &Text::key("provider.alipay.v3.verified"));
    } else {
        v.outcome = Outcome::Mismatch;
        let signed = format!("{signed:?}");
        let fingerprint = &key.fingerprint().hex()[..16];
        set_reason(
            &mut v,
            &Text::with(
                "provider.alipay.v3.mismatch",
                &[("signed", &signed), ("fingerprint", &fingerprint)],
            ),
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        include_str!("../../../tests/vectors/alipay/fake_alipay_private_key_pkcs8.pem");

    #[test]
    fn the_request_header_signs_the_documented_string() {
        let key = PrivateKey::parse(KEY).expect("key");
        let call = V3Call {
            method: HttpMethod::Post,
            path_query: PATH_OAUTH_TOKEN.to_owned(),
            body: r#"{"grant_type":"authorization_code","code":"abc"}"#.to_owned(),
        };
        let p = prepare(
            "http://x/",
            "2021",
            &call,
            &key,
            None,
            "n-1",
            1_700_000_000_000,
        );
        let trace = p.signing.expect("trace");
        assert_eq!(
            trace.canonical,
            "app_id=2021,nonce=n-1,timestamp=1700000000000\nPOST\n/v3/alipay/system/oauth/token\n\
             {\"grant_type\":\"authorization_code\",\"code\":\"abc\"}\n"
        );
        let auth = &p.headers[0].1;
        let parsed = parse_authorization(auth).expect("parses");
        assert_eq!(parsed.app_id.as_deref(), Some("2021"));
        assert_eq!(parsed.nonce.as_deref(), Some("n-1"));
        assert_eq!(parsed.sign, trace.signature);
        let public = key.public_key();
        let sig = keys::base64_decode_signature(&parsed.sign).expect("b64");
        assert!(
            public.verify(
                SignType::Rsa2.hash(),
                string_to_sign(
                    &parsed.auth_string,
                    HttpMethod::Post,
                    &call.path_query,
                    &call.body
                )
                .as_bytes(),
                &sig
            )
        );
        assert_eq!(p.url, "http://x/v3/alipay/system/oauth/token");
    }

    #[test]
    fn a_tampered_response_header_fails_with_the_exact_string() {
        let key = PrivateKey::parse(KEY).expect("key");
        let body = r#"{"access_token":"t"}"#;
        let mut headers = sign_response(body, &key, "abc", 1_700_000_000_000, None);
        let ok = verify_response(200, &headers, body.as_bytes(), &key.public_key());
        assert_eq!(ok.outcome, Outcome::Verified);
        headers[0].1 = "1700000000001".to_owned();
        let bad = verify_response(200, &headers, body.as_bytes(), &key.public_key());
        assert_eq!(bad.outcome, Outcome::Mismatch);
        let expected = "1700000000001\nabc\n{\"access_token\":\"t\"}\n";
        assert_eq!(bad.signed_text.as_deref(), Some(expected));
        assert!(
            bad.reason.contains(&format!("{expected:?}")),
            "{}",
            bad.reason
        );
        assert!(
            !bad.reason_zh.is_empty() && bad.reason_zh != bad.reason,
            "{}",
            bad.reason_zh
        );
    }

    #[test]
    fn the_verified_reason_is_one_line_in_both_languages() {
        let key = PrivateKey::parse(KEY).expect("key");
        let body = r#"{"access_token":"t"}"#;
        let headers = sign_response(body, &key, "abc", 1_700_000_000_000, None);
        let ok = verify_response(200, &headers, body.as_bytes(), &key.public_key());
        assert_eq!(ok.outcome, Outcome::Verified);
        // The string's line ends are named, not printed: the sentence reads as one line.
        assert!(!ok.reason.contains('\n'), "{:?}", ok.reason);
        assert!(
            ok.reason.contains(r#"alipay-nonce + "\n""#),
            "{}",
            ok.reason
        );
        assert!(!ok.reason_zh.is_empty() && !ok.reason_zh.contains('\n'));
        assert_ne!(ok.reason_zh, ok.reason);
    }
}
