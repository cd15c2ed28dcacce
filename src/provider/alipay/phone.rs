//! `my.getPhoneNumber`'s answer, as the mini program hands it to its server:
//! `{"response":"<base64 AES ciphertext>","sign":"…","sign_type":"RSA2",…}`. The server checks
//! `sign` over the ciphertext *wrapped in double quotes* (the value exactly as it stands in the
//! body), then decrypts it with the app's `encrypt_key` ([`super::aes`]). The plaintext is
//! `{"code":"10000","msg":"Success","mobile":"…"}`, or an error (`subCode`/`subMsg`) that can
//! only be seen after decryption. An app with no AES key gets its error in clear, as an object.
//!
//! Pure: the body, the keys and the signature algorithm are arguments.

use serde_json::{Map, Value};

use super::SignType;
use super::aes::{AesError, EncryptKey, signed_ciphertext};
use crate::keys::{self, PublicKey};

/// The pasted answer, split into what is signed and what is encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The ciphertext (base64), or `None` when `response` came in clear.
    pub ciphertext: Option<String>,
    /// `response` as an object: an app with no AES key gets its error unencrypted.
    pub clear: Option<Map<String, Value>>,
    /// The exact text `sign` covers: the quoted ciphertext as transmitted.
    pub signed_text: Option<String>,
    pub sign: Option<String>,
    /// `sign_type` of the answer (RSA2 when absent).
    pub sign_type: SignType,
}

/// Why a pasted answer could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("nothing to decrypt: paste the response JSON or the bare ciphertext")]
    Empty,
    #[error(
        "this JSON has no \"response\": paste what my.getPhoneNumber gave \
         ({{\"response\":\"…\",\"sign\":\"…\"}}) or just the ciphertext"
    )]
    NoResponse,
    #[error("\"response\" is neither a string (the ciphertext) nor an object")]
    BadResponse,
}

/// Read a pasted answer: `{"response":…,"sign":…}` or a bare ciphertext.
pub fn parse_envelope(text: &str) -> Result<Envelope, EnvelopeError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(EnvelopeError::Empty);
    }
    if !text.starts_with('{') {
        let bare = text.trim_matches('"').to_owned();
        return Ok(Envelope {
            ciphertext: Some(bare),
            clear: None,
            signed_text: None,
            sign: None,
            sign_type: SignType::Rsa2,
        });
    }
    let doc: Map<String, Value> =
        serde_json::from_str(text).map_err(|_| EnvelopeError::NoResponse)?;
    let sign = doc
        .get("sign")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let sign_type = doc
        .get("sign_type")
        .or_else(|| doc.get("signType"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    match doc.get("response") {
        None => Err(EnvelopeError::NoResponse),
        Some(Value::String(cipher)) => Ok(Envelope {
            ciphertext: Some(cipher.clone()),
            clear: None,
            signed_text: Some(
                raw_string_value(text, "response").unwrap_or_else(|| signed_ciphertext(cipher)),
            ),
            sign,
            sign_type,
        }),
        Some(Value::Object(clear)) => Ok(Envelope {
            ciphertext: None,
            clear: Some(clear.clone()),
            signed_text: None,
            sign,
            sign_type,
        }),
        Some(_) => Err(EnvelopeError::BadResponse),
    }
}

/// The raw text of the string value of top-level `key`, quotes included, as transmitted
/// (a `\/` stays `\/`: the signature covers the bytes, not the decoded string).
fn raw_string_value(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    let at = text.find(&needle)? + needle.len();
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    if !rest.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(rest[..=i].to_owned()),
            _ => {}
        }
    }
    None
}

/// How the signature check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignCheck {
    Verified,
    /// The signature does not verify over the quoted ciphertext with this key.
    Mismatch,
    /// No `sign` in the answer: the app has no signing key set (加签方式), per the
    /// my.getPhoneNumber page, so nothing proves the ciphertext came from Alipay.
    Unsigned,
    /// A `sign` came but no Alipay public key was given to check it.
    NotChecked,
}

/// The answer opened: signature, plaintext, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub signature: SignCheck,
    /// The decrypted text, or why it could not be decrypted.
    pub plaintext: Result<String, AesError>,
    /// The plaintext (or the clear `response`) as JSON.
    pub decoded: Option<Map<String, Value>>,
    /// `mobile` on success.
    pub mobile: Option<String>,
    /// `(code, sub_code, sub_msg)` of an error found inside.
    pub error: Option<(String, String, String)>,
}

/// Check `sign` (when a key is given) and decrypt.
pub fn open(
    envelope: &Envelope,
    key: Option<&EncryptKey>,
    alipay_key: Option<&PublicKey>,
) -> Opened {
    let signature = match (&envelope.sign, &envelope.signed_text, alipay_key) {
        (None, _, _) => SignCheck::Unsigned,
        (Some(_), _, None) | (Some(_), None, Some(_)) => SignCheck::NotChecked,
        (Some(sign), Some(text), Some(public)) => {
            let ok = keys::base64_decode_signature(sign).is_ok_and(|signature| {
                public.verify(envelope.sign_type.hash(), text.as_bytes(), &signature)
            });
            if ok {
                SignCheck::Verified
            } else {
                SignCheck::Mismatch
            }
        }
    };
    let plaintext = match (&envelope.clear, &envelope.ciphertext, key) {
        (Some(clear), _, _) => Ok(Value::Object(clear.clone()).to_string()),
        (None, Some(cipher), Some(key)) => key.decrypt(cipher),
        // Parsing guarantees one of the two; without a key there is nothing to decrypt with.
        (None, _, _) => Err(AesError::NoKey),
    };
    let decoded = plaintext
        .as_ref()
        .ok()
        .and_then(|p| serde_json::from_str::<Map<String, Value>>(p).ok());
    let field = |d: &Map<String, Value>, names: [&str; 2]| {
        names
            .iter()
            .find_map(|n| d.get(*n).and_then(Value::as_str))
            .map(str::to_owned)
    };
    let mobile = decoded
        .as_ref()
        .and_then(|d| field(d, ["mobile", "mobile"]));
    let error = decoded.as_ref().and_then(|d| {
        let code = field(d, ["code", "code"]).unwrap_or_default();
        let sub = field(d, ["subCode", "sub_code"])?;
        Some((
            code,
            sub,
            field(d, ["subMsg", "sub_msg"]).unwrap_or_default(),
        ))
    });
    Opened {
        signature,
        plaintext,
        decoded,
        mobile,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;

    const KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
    const ALIPAY: &str =
        include_str!("../../../tests/vectors/alipay/fake_alipay_private_key_pkcs8.pem");

    fn answer(plain: &str, signer: &PrivateKey) -> String {
        let key = EncryptKey::parse(KEY).expect("key");
        let cipher = key.encrypt(plain);
        let sign = keys::base64_encode(
            &signer.sign(SignType::Rsa2.hash(), signed_ciphertext(&cipher).as_bytes()),
        );
        format!(
            r#"{{"response":"{cipher}","sign":"{sign}","sign_type":"RSA2","encrypt_type":"AES","charset":"UTF-8"}}"#
        )
    }

    #[test]
    fn verifies_over_the_quoted_ciphertext_and_decrypts() {
        let signer = PrivateKey::parse(ALIPAY).expect("vector key");
        let body = answer(
            r#"{"code":"10000","msg":"Success","mobile":"13800001234"}"#,
            &signer,
        );
        let envelope = parse_envelope(&body).expect("parses");
        assert!(
            envelope
                .signed_text
                .as_deref()
                .is_some_and(|t| t.starts_with('"') && t.ends_with('"'))
        );
        let key = EncryptKey::parse(KEY).expect("key");
        let opened = open(&envelope, Some(&key), Some(&signer.public_key()));
        assert_eq!(opened.signature, SignCheck::Verified);
        assert_eq!(opened.mobile.as_deref(), Some("13800001234"));
        assert!(opened.error.is_none());
        // Bare ciphertext: decrypts, nothing to verify.
        let cipher = envelope.ciphertext.clone().expect("cipher");
        let bare = parse_envelope(&cipher).expect("bare");
        assert_eq!(open(&bare, Some(&key), None).signature, SignCheck::Unsigned);
        assert_eq!(
            open(&bare, Some(&key), None).mobile.as_deref(),
            Some("13800001234")
        );
    }

    #[test]
    fn errors_inside_the_ciphertext_and_wrong_keys_are_named() {
        let signer = PrivateKey::parse(ALIPAY).expect("vector key");
        let body = answer(
            r#"{"code":"40003","msg":"Insufficient Conditions","subCode":"isv.invalid-auth-relations","subMsg":"无效的授权关系"}"#,
            &signer,
        );
        let envelope = parse_envelope(&body).expect("parses");
        let key = EncryptKey::parse(KEY).expect("key");
        let opened = open(&envelope, Some(&key), Some(&signer.public_key()));
        assert_eq!(
            opened.error.as_ref().map(|e| e.1.as_str()),
            Some("isv.invalid-auth-relations")
        );
        let wrong = EncryptKey::from_bytes([9; 16]);
        let opened = open(&envelope, Some(&wrong), Some(&signer.public_key()));
        // The signature still verifies (it covers the ciphertext); the key is what is wrong.
        assert_eq!(opened.signature, SignCheck::Verified);
        assert!(matches!(
            opened.plaintext,
            Err(AesError::WrongKey | AesError::NotText)
        ));
        // A tampered ciphertext fails the signature.
        let tampered = body.replacen("\"response\":\"", "\"response\":\"A", 1);
        let opened = open(
            &parse_envelope(&tampered).expect("parses"),
            Some(&key),
            Some(&signer.public_key()),
        );
        assert_eq!(opened.signature, SignCheck::Mismatch);
        // No AES key at the app: the error comes in clear.
        let clear = r#"{"response":{"code":"40001","msg":"Missing Required Arguments","subCode":"isv.missing-encrypt-key","subMsg":"缺少加密配置"}}"#;
        let opened = open(&parse_envelope(clear).expect("parses"), None, None);
        assert_eq!(
            opened.error.map(|e| e.1),
            Some("isv.missing-encrypt-key".to_owned())
        );
        assert_eq!(parse_envelope("{}"), Err(EnvelopeError::NoResponse));
        assert_eq!(parse_envelope("  "), Err(EnvelopeError::Empty));
    }
}
