//! The modes an Alipay app runs in: how it proves who it is (public key or public-key
//! certificate) and which OpenAPI generation it calls (v2 `gateway.do` or v3 REST).

use std::fmt;
use std::str::FromStr;

/// How requests are signed and responses checked (the console's 接口加签方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignMode {
    /// 公钥: the app's public key is uploaded; responses are checked with Alipay's public key.
    #[default]
    Key,
    /// 公钥证书: requests carry `app_cert_sn` and `alipay_root_cert_sn`; responses carry
    /// `alipay_cert_sn`, which picks the Alipay certificate to check them with.
    Cert,
}

impl SignMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Cert => "cert",
        }
    }
}

impl fmt::Display for SignMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which OpenAPI the calls go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiVersion {
    /// `gateway.do` with signed form parameters and a signed JSON node in the body.
    #[default]
    V2,
    /// REST paths under `/v3/`, an `Authorization: ALIPAY-SHA256withRSA …` header, responses
    /// signed in the `alipay-signature` header, errors as HTTP 4xx `{code, message, links}`.
    V3,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "v2",
            Self::V3 => "v3",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `api` that is neither v2 nor v3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Alipay API '{0}': use v2 (gateway.do) or v3 (/v3/ REST paths)")]
pub struct UnknownApiVersion(pub String);

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v2" | "2" => Ok(Self::V2),
            "v3" | "3" => Ok(Self::V3),
            other => Err(UnknownApiVersion(other.to_owned())),
        }
    }
}
