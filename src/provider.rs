//! Pure protocol code for both providers: URLs, parameters, signing, verification, decoding.
//!
//! Nothing here touches the network, the file system, the terminal or the clock. Time, keys and
//! randomness come in as arguments, so every signing path is deterministic under test, and the
//! embedded sandbox uses this very code to play the provider's side.

pub mod alipay;

use std::fmt;

/// The HTTP method of a prepared request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
        })
    }
}

/// A request exactly as it will go on the wire, plus how it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body bytes as sent (already in the request charset).
    pub body: Vec<u8>,
    pub signing: Option<SigningTrace>,
}

/// Everything needed to show, and to reproduce, a request signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningTrace {
    /// `RSA2` or `RSA`, as sent in `sign_type`.
    pub sign_type: String,
    /// The algorithm behind it, e.g. `SHA256withRSA`.
    pub algorithm: String,
    /// The charset the canonical string was encoded with before signing.
    pub charset: String,
    /// The exact string that was signed.
    pub canonical: String,
    /// SHA-256 (hex) of the signed bytes, to compare with other tools at a glance.
    pub canonical_sha256: String,
    /// Parameters left out of the string because their value was empty or blank.
    pub dropped: Vec<String>,
    /// The base64 signature, as sent in `sign`.
    pub signature: String,
    /// Fingerprint of the public half of the signing key.
    pub key_fingerprint: String,
}
