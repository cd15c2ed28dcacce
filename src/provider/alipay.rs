//! Alipay's member-information login: the authorize URL, the signed `gateway.do` calls
//! (`alipay.system.oauth.token`, `alipay.user.info.share`), response verification and decoding.
//!
//! Lifecycle of one gateway call:
//!
//! ```text
//! GatewayCall ──canonical_string──▶ signed bytes ──sign──▶ SigningTrace
//!      └──────────────── prepare (Java SDK query/body layout) ──▶ PreparedRequest
//! response body ──locate──▶ SignSource ──verify_response──▶ Verification
//!               └──decode──▶ OauthToken / UserInfo (unknown fields kept)
//! ```

pub mod aes;
mod authorize;
pub mod cert;
mod decode;
pub mod identity;
mod lint;
mod mode;
pub mod phone;
pub use lint::{environment_mismatch, lint_authorize_url};
pub use mode::{ApiVersion, SignMode, UnknownApiVersion};
mod respond;
mod sign;
pub mod v3;
mod verify;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub use authorize::{AuthorizeRequest, Callback, CallbackError, authorize_url, parse_callback};
pub use decode::{ApiStatus, DecodeError, Decoded, Lifetime, OauthToken, UserInfo, decode};
pub use identity::{AppIdentity, IdMode};
pub use respond::{SignedResponse, node_text, signed_response, signed_response_with_cert};
pub use sign::{
    GatewayCall, SignError, canonical_string, format_timestamp, lay_out, prepare, prepare_params,
    sign_params,
};
pub use verify::{LocateError, Outcome, SignSource, Verification, locate, verify_response};

use crate::keys::HashAlg;

/// Production gateway.
pub const GATEWAY_PRODUCTION: &str = "https://openapi.alipay.com/gateway.do";
/// Alipay's current sandbox gateway.
pub const GATEWAY_SANDBOX: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";
/// Alipay's older sandbox gateway, still used by older sandbox apps.
pub const GATEWAY_SANDBOX_LEGACY: &str = "https://openapi.alipaydev.com/gateway.do";
/// Production authorize page.
pub const AUTHORIZE_PRODUCTION: &str = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm";
/// Alipay's current sandbox authorize page.
pub const AUTHORIZE_SANDBOX: &str =
    "https://openauth-sandbox.dl.alipaydev.com/oauth2/publicAppAuthorize.htm";
/// Alipay's older sandbox authorize page.
pub const AUTHORIZE_SANDBOX_LEGACY: &str =
    "https://openauth.alipaydev.com/oauth2/publicAppAuthorize.htm";

/// Path of the gateway under a base URL (the embedded sandbox uses it too).
pub const GATEWAY_PATH: &str = "/gateway.do";
/// Path of the authorize page under a base URL.
pub const AUTHORIZE_PATH: &str = "/oauth2/publicAppAuthorize.htm";

/// API name of the code/refresh-token exchange.
pub const METHOD_OAUTH_TOKEN: &str = "alipay.system.oauth.token";
/// API name of the member-information call.
pub const METHOD_USER_INFO: &str = "alipay.user.info.share";

/// Which Alipay the calls go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    Production,
    /// Alipay's own sandbox (`openapi-sandbox.dl.alipaydev.com`).
    Sandbox,
    /// Alipay's older sandbox host (`openapi.alipaydev.com`).
    SandboxLegacy,
    /// Any other base URL, such as the embedded sandbox (`http://127.0.0.1:PORT`).
    Custom {
        base: String,
    },
}

impl Environment {
    pub fn gateway_url(&self) -> Cow<'static, str> {
        match self {
            Self::Production => GATEWAY_PRODUCTION.into(),
            Self::Sandbox => GATEWAY_SANDBOX.into(),
            Self::SandboxLegacy => GATEWAY_SANDBOX_LEGACY.into(),
            Self::Custom { base } => format!("{}{GATEWAY_PATH}", base.trim_end_matches('/')).into(),
        }
    }

    pub fn authorize_url(&self) -> Cow<'static, str> {
        match self {
            Self::Production => AUTHORIZE_PRODUCTION.into(),
            Self::Sandbox => AUTHORIZE_SANDBOX.into(),
            Self::SandboxLegacy => AUTHORIZE_SANDBOX_LEGACY.into(),
            Self::Custom { base } => {
                format!("{}{AUTHORIZE_PATH}", base.trim_end_matches('/')).into()
            }
        }
    }
}

/// An `environment` that is none of the known ones nor a base URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "environment '{0}' is not production, sandbox, sandbox-legacy or a base URL \
     (http://… or https://…)"
)]
pub struct UnknownEnvironment(pub String);

impl std::str::FromStr for Environment {
    type Err = UnknownEnvironment;

    /// `production`, `sandbox`, `sandbox-legacy`, or a base URL (`http://…`, `https://…`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "production" => Ok(Self::Production),
            "sandbox" => Ok(Self::Sandbox),
            "sandbox-legacy" => Ok(Self::SandboxLegacy),
            base if base.starts_with("http://") || base.starts_with("https://") => {
                Ok(Self::Custom {
                    base: base.to_owned(),
                })
            }
            other => Err(UnknownEnvironment(other.to_owned())),
        }
    }
}

/// The `sign_type` parameter: which RSASSA-PKCS1-v1_5 hash signs requests and responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignType {
    /// SHA256withRSA, required for new apps.
    #[default]
    Rsa2,
    /// SHA1withRSA, legacy.
    Rsa,
}

impl SignType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2 => "RSA2",
            Self::Rsa => "RSA",
        }
    }

    pub fn algorithm(self) -> &'static str {
        match self {
            Self::Rsa2 => "SHA256withRSA",
            Self::Rsa => "SHA1withRSA",
        }
    }

    pub fn hash(self) -> HashAlg {
        match self {
            Self::Rsa2 => HashAlg::Sha256,
            Self::Rsa => HashAlg::Sha1,
        }
    }
}

impl serde::Serialize for SignType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Charset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SignType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> serde::Deserialize<'de> for Charset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `sign_type` that is neither RSA2 nor RSA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sign_type '{0}': use RSA2 (SHA256withRSA) or RSA (SHA1withRSA)")]
pub struct UnknownSignType(pub String);

impl FromStr for SignType {
    type Err = UnknownSignType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "RSA2" => Ok(Self::Rsa2),
            "RSA" => Ok(Self::Rsa),
            other => Err(UnknownSignType(other.to_owned())),
        }
    }
}

/// The `charset` parameter: the bytes of the signed string and of the form body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Utf8,
    /// GBK (also accepted as `gb2312`, which GBK extends).
    Gbk,
}

/// A string that cannot be represented in the request charset, or bytes that are not in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    #[error("'{ch}' cannot be written in {charset}; use charset=utf-8 or remove the character")]
    Unmappable { ch: char, charset: &'static str },
    #[error("the bytes are not valid {charset} (first bad byte at offset {offset}){hint}")]
    Malformed {
        charset: &'static str,
        offset: usize,
        hint: &'static str,
    },
}

impl Charset {
    /// The value sent in the `charset` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Gbk => "GBK",
        }
    }

    /// Encode `text` in this charset, refusing characters it cannot hold (GBK has no emoji).
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>, CharsetError> {
        match self {
            Self::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Self::Gbk => {
                let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
                if had_errors {
                    let ch = text
                        .chars()
                        .find(|c| {
                            let mut buf = [0u8; 4];
                            encoding_rs::GBK.encode(c.encode_utf8(&mut buf)).2
                        })
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    return Err(CharsetError::Unmappable { ch, charset: "GBK" });
                }
                Ok(bytes)
            }
        }
    }

    /// Decode bytes in this charset, refusing malformed input.
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>, CharsetError> {
        match self {
            Self::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
                let gbk_ok = encoding_rs::GBK
                    .decode_without_bom_handling_and_without_replacement(bytes)
                    .is_some();
                CharsetError::Malformed {
                    charset: "UTF-8",
                    offset: e.valid_up_to(),
                    hint: if gbk_ok {
                        "; they decode as GBK, so the other side used charset=GBK"
                    } else {
                        ""
                    },
                }
            }),
            Self::Gbk => encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(|| CharsetError::Malformed {
                    charset: "GBK",
                    offset: first_bad_gbk_offset(bytes),
                    hint: "",
                }),
        }
    }
}

fn first_bad_gbk_offset(bytes: &[u8]) -> usize {
    let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => read.saturating_sub(usize::from(bad)),
        _ => read,
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `charset` that is neither UTF-8 nor GBK.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown charset '{0}': use utf-8 or GBK")]
pub struct UnknownCharset(pub String);

impl FromStr for Charset {
    type Err = UnknownCharset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "gb2312" => Ok(Self::Gbk),
            other => Err(UnknownCharset(other.to_owned())),
        }
    }
}

/// The node name Alipay wraps a method's response in: dots become underscores, plus
/// `_response`.
pub fn response_node(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

#[cfg(test)]
mod tests;
