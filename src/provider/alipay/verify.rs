//! Response verification: locate the exact raw text Alipay signed, then check `sign` over it.
//!
//! The signed text is the raw value of the `<method>_response` node (or `error_response`),
//! byte for byte as received: no re-serialisation, no unescaping. It is found by brace matching
//! that respects JSON strings, which is what the newer Java SDK, EasySDK and the Python SDK do;
//! naive extractors break on a nickname like `小明{\"测试\"}\\`.

use std::ops::Range;

use super::{Charset, SignType, response_node};
use crate::keys::{self, PublicKey};
use crate::lang::{Lang, Text};

const ERROR_NODE: &str = "error_response";

/// The located signed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignSource {
    /// The node the text came from (`alipay_user_info_share_response`, `error_response`, …).
    pub node: String,
    /// Byte range of the text within the (decoded) body.
    pub range: Range<usize>,
    /// The exact text.
    pub content: String,
}

impl SignSource {
    pub fn is_error_node(&self) -> bool {
        self.node == ERROR_NODE
    }
}

/// Why no signed text could be located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocateError {
    #[error("the body has no '{expected}' node and no 'error_response' node")]
    NoNode { expected: String },
    #[error("the body has no '…_response' node")]
    NoResponseNode,
    #[error("the value of '{node}' is neither an object nor a string")]
    NotObject { node: String },
    #[error("the '{node}' object never closes: the body was cut off")]
    Unterminated { node: String },
    /// The node appears again after the signed one: a spoofing attempt the newer SDKs reject.
    #[error("'{node}' appears twice; the SDKs reject such a response as possibly forged")]
    Duplicate { node: String },
}

/// Find the signed text for `method` (or, without a method, for the first `…_response` node,
/// preferring a non-error node).
pub fn locate(body: &str, method: Option<&str>) -> Result<SignSource, LocateError> {
    let node = match method {
        Some(method) => {
            let node = response_node(method);
            if find_key(body, &node, 0).is_some() {
                node
            } else if find_key(body, ERROR_NODE, 0).is_some() {
                ERROR_NODE.to_owned()
            } else {
                return Err(LocateError::NoNode { expected: node });
            }
        }
        None => guess_node(body).ok_or(LocateError::NoResponseNode)?,
    };
    let key_end = find_key(body, &node, 0).expect("node was just found");
    let bytes = body.as_bytes();
    let mut i = key_end;
    while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b':') {
        i += 1;
    }
    let end = match bytes.get(i) {
        Some(b'{') => {
            match_object(bytes, i).ok_or(LocateError::Unterminated { node: node.clone() })?
        }
        Some(b'"') => {
            match_string(bytes, i).ok_or(LocateError::Unterminated { node: node.clone() })?
        }
        Some(_) => return Err(LocateError::NotObject { node }),
        None => return Err(LocateError::Unterminated { node }),
    };
    if find_key(body, &node, end).is_some() {
        return Err(LocateError::Duplicate { node });
    }
    Ok(SignSource {
        node,
        range: i..end,
        content: body[i..end].to_owned(),
    })
}

/// Byte offset just past `"key"` at or after `from`.
fn find_key(body: &str, key: &str, from: usize) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    body.get(from..)?
        .find(&quoted)
        .map(|i| from + i + quoted.len())
}

/// The first `"…_response"` key, preferring one that is not `error_response`.
fn guess_node(body: &str) -> Option<String> {
    let mut error = None;
    let mut from = 0;
    while let Some(pos) = body[from..].find("_response\"") {
        let end = from + pos + "_response".len();
        let start = body[..end].rfind('"')? + 1;
        let name = &body[start..end];
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            if name != ERROR_NODE {
                return Some(name.to_owned());
            }
            error.get_or_insert_with(|| name.to_owned());
        }
        from = end + 1;
    }
    error
}

/// End (exclusive) of the object opening at `start`, counting braces outside strings.
fn match_object(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// End (exclusive, past the closing quote) of the string opening at `start` (an encrypted
/// response body).
fn match_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (escaped, b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The result of checking a response signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The signature verifies over the located text as transmitted.
    Verified,
    /// It verifies only after replacing every `\/` with `/`, the retry the Java and PHP SDKs
    /// perform.
    VerifiedUnescaped,
    /// There is a signature and it does not verify, or the response was rejected.
    Mismatch,
    /// There is nothing to verify (no `sign`, or no JSON at all).
    Unsigned,
}

impl Outcome {
    pub fn is_verified(self) -> bool {
        matches!(self, Self::Verified | Self::VerifiedUnescaped)
    }

    /// Stable machine name, as in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::VerifiedUnescaped => "verified_unescaped",
            Self::Mismatch => "mismatch",
            Self::Unsigned => "unsigned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::VerifiedUnescaped => "verified (after unescaping \\/)",
            Self::Mismatch => "signature mismatch",
            Self::Unsigned => "unsigned",
        }
    }
}

/// What was checked and what came of it. `signed_text` is always the text that was checked,
/// when one could be located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: Outcome,
    /// Why, in one sentence that names the cause and the fix.
    pub reason: String,
    /// The same in Chinese, for the common outcomes (empty when only English is known).
    pub reason_zh: String,
    pub node: Option<String>,
    /// The located text exactly as transmitted.
    pub signed_text: Option<String>,
    /// The text that finally verified when it differs from `signed_text` (the `\/` retry).
    pub checked_text: Option<String>,
    pub sign: Option<String>,
    /// Top-level `alipay_cert_sn` (certificate mode): which Alipay certificate signed.
    pub cert_sn: Option<String>,
    pub sign_type: SignType,
    /// Fingerprint of the key the check used.
    pub key_fingerprint: String,
}

/// Verify a gateway response body against the Alipay public key.
pub fn verify_response(
    body: &[u8],
    method: Option<&str>,
    sign_type: SignType,
    charset: Charset,
    key: &PublicKey,
) -> Verification {
    let mut v = Verification {
        outcome: Outcome::Unsigned,
        reason: String::new(),
        reason_zh: String::new(),
        node: None,
        signed_text: None,
        checked_text: None,
        sign: None,
        cert_sn: None,
        sign_type,
        key_fingerprint: key.fingerprint().hex().to_owned(),
    };
    let (text, text_charset) = match decode_body(body, charset) {
        Ok(decoded) => decoded,
        Err(reason) => {
            v.reason = reason;
            return v;
        }
    };
    if let Some(reason) = not_json_reason(&text) {
        v.reason = reason;
        // Still show what a brace matcher finds, so a truncated body can be inspected.
        if let Ok(source) = locate(&text, method) {
            v.node = Some(source.node);
            v.signed_text = Some(source.content);
        }
        return v;
    }
    let json: serde_json::Value =
        serde_json::from_str(&text).expect("not_json_reason checked that the body parses");
    v.sign = json.get("sign").and_then(|s| s.as_str()).map(str::to_owned);
    v.cert_sn = json
        .get("alipay_cert_sn")
        .and_then(|s| s.as_str())
        .map(str::to_owned);

    let source = match locate(&text, method) {
        Ok(source) => source,
        Err(err @ LocateError::Duplicate { .. }) => {
            v.outcome = Outcome::Mismatch;
            v.reason = err.to_string();
            return v;
        }
        Err(err) => {
            v.reason = format!("{err}; nothing to verify");
            return v;
        }
    };
    v.node = Some(source.node.clone());
    v.signed_text = Some(source.content.clone());

    let sign = match v.sign.as_deref().map(str::trim) {
        Some(sign) if !sign.is_empty() => sign.to_owned(),
        _ => {
            (v.reason, v.reason_zh) = unsigned_reason(&json, &source);
            return v;
        }
    };
    check_signature(&mut v, &source, &sign, text_charset, key);
    v
}

/// Check `sign` over the located text, then over its `\/`-unescaped variant, and explain a
/// mismatch (including a response signed with the other algorithm).
fn check_signature(
    v: &mut Verification,
    source: &SignSource,
    sign: &str,
    charset: Charset,
    key: &PublicKey,
) {
    let sign_type = v.sign_type;
    let Ok(signature) = keys::base64_decode_signature(sign) else {
        v.outcome = Outcome::Mismatch;
        set_reason(v, &Text::key("provider.alipay.verify.sign-not-base64"));
        return;
    };
    let expected_len = {
        use rsa::traits::PublicKeyParts as _;
        key.rsa().size()
    };
    if signature.len() != expected_len {
        v.outcome = Outcome::Mismatch;
        v.reason = format!(
            "the sign value decodes to {} bytes, but a signature by this {}-bit key is {} bytes: \
             it is not a real signature (a placeholder, or a cut copy); paste the response \
             exactly as received",
            signature.len(),
            expected_len * 8,
            expected_len
        );
        return;
    }
    let check = |content: &str, hash| match charset.encode(content) {
        Ok(bytes) => key.verify(hash, &bytes, &signature),
        Err(_) => false,
    };
    if check(&source.content, sign_type.hash()) {
        v.outcome = Outcome::Verified;
        set_reason(
            v,
            &Text::with(
                "provider.alipay.verify.verified",
                &[("sign_type", &sign_type), ("node", &source.node)],
            ),
        );
        return;
    }
    if source.content.contains("\\/") {
        let unescaped = source.content.replace("\\/", "/");
        if check(&unescaped, sign_type.hash()) {
            v.outcome = Outcome::VerifiedUnescaped;
            set_reason(v, &Text::key("provider.alipay.verify.verified-unescaped"));
            v.checked_text = Some(unescaped);
            return;
        }
    }
    v.outcome = Outcome::Mismatch;
    let other = match sign_type {
        SignType::Rsa2 => SignType::Rsa,
        SignType::Rsa => SignType::Rsa2,
    };
    let other_verifies = check(&source.content, other.hash());
    let reason = mismatch_reason(source, other_verifies, sign_type, other, key);
    reason.get(Lang::ZH).clone_into(&mut v.reason_zh);
    v.reason = if other_verifies {
        reason.get(Lang::EN).to_owned()
    } else if let Some(compact) = compact_json(&source.content) {
        if check(&compact, sign_type.hash()) {
            format!(
                "the signature verifies once the whitespace between the JSON tokens is removed: \
                 the {} text was pretty-printed or re-indented after it was received, and the \
                 signature covers the bytes exactly as Alipay sent them; verify the raw body",
                source.node
            )
        } else {
            reason.get(Lang::EN).to_owned()
        }
    } else {
        reason.get(Lang::EN).to_owned()
    };
}

/// Why a signature did not match: the other sign type, a reformatted paste, or the key (or the
/// body on the way).
fn mismatch_reason(
    source: &SignSource,
    other_verifies: bool,
    sign_type: SignType,
    other: SignType,
    key: &PublicKey,
) -> Text {
    if other_verifies {
        Text::with(
            "provider.alipay.verify.other-sign-type",
            &[
                ("other", &other),
                ("algorithm", &other.algorithm()),
                ("sign_type", &sign_type),
            ],
        )
    } else if compact_json(&source.content).is_some() {
        Text::with(
            "provider.alipay.verify.reformatted",
            &[("node", &source.node)],
        )
    } else {
        Text::with(
            "provider.alipay.verify.mismatch",
            &[("node", &source.node), ("key", &key.fingerprint().short())],
        )
    }
}

/// Set the reason in English and Chinese.
fn set_reason(v: &mut Verification, reason: &Text) {
    reason.get(Lang::EN).clone_into(&mut v.reason);
    reason.get(Lang::ZH).clone_into(&mut v.reason_zh);
}

/// The JSON text without whitespace between tokens (strings untouched); `None` when there is
/// none to remove. Alipay sends compact JSON, so whitespace there means the text was reformatted.
fn compact_json(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    (out.len() != text.len()).then_some(out)
}

/// The body as text, in the request charset or, failing that, the other one.
fn decode_body(body: &[u8], charset: Charset) -> Result<(String, Charset), String> {
    if body.is_empty() {
        return Err("the body is empty: nothing to verify".into());
    }
    match charset.decode(body) {
        Ok(text) => Ok((text.into_owned(), charset)),
        Err(first) => {
            let other = match charset {
                Charset::Utf8 => Charset::Gbk,
                Charset::Gbk => Charset::Utf8,
            };
            other
                .decode(body)
                .map(|t| (t.into_owned(), other))
                .map_err(|_| format!("{first}; nothing to verify"))
        }
    }
}

/// `Some(reason)` when `text` is not a JSON document.
pub(super) fn not_json_reason(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        let head: String = trimmed.chars().take(60).collect();
        return Some(format!(
            "the body is HTML, not JSON (it starts with {head:?}); a proxy, load balancer or wrong \
             URL answered instead of the gateway"
        ));
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => None,
        Err(e) if e.is_eof() => Some(format!(
            "the body is cut off ({e}, after {} bytes); the connection closed early",
            text.len()
        )),
        Err(e) => Some(format!("the body is not valid JSON ({e})")),
    }
}

/// The text in English and Chinese.
fn both(t: &Text) -> (String, String) {
    (t.get(Lang::EN).to_owned(), t.get(Lang::ZH).to_owned())
}

fn unsigned_reason(json: &serde_json::Value, source: &SignSource) -> (String, String) {
    let node = json.get(&source.node);
    let sub_code = node
        .and_then(|n| n.get("sub_code"))
        .and_then(|s| s.as_str());
    if sub_code.is_some_and(|s| !s.is_empty()) || source.is_error_node() {
        both(&Text::key("provider.alipay.verify.unsigned-error"))
    } else {
        both(&Text::key("provider.alipay.verify.unsigned-success"))
    }
}
