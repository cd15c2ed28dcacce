//! Public-key-certificate mode: the serial-number strings `app_cert_sn`, `alipay_cert_sn` and
//! `alipay_root_cert_sn`.
//!
//! The SN of one certificate is `md5(issuer DN in RFC 2253 order + serial in decimal)` as
//! lowercase hex; the root SN joins the SNs of the RSA-signed certificates of the root bundle
//! with `_`, in file order (ECDSA and SM2 roots are skipped).

pub mod sdks;

use md5::{Digest, Md5};
use x509_cert::Certificate;
use x509_cert::der::{Decode as _, Encode as _, Tag, Tagged as _};
use x509_cert::name::RdnSequence;

use crate::keys::{self, KeyError, PublicKey};
use crate::provider::SnTrace;

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error(transparent)]
    Text(#[from] KeyError),
    #[error("no certificate found; expected a '-----BEGIN CERTIFICATE-----' block")]
    NoCertificate,
    #[error("certificate {index} is not valid X.509 DER ({detail})")]
    BadDer { index: usize, detail: String },
}

/// One certificate's SN, from its DER.
pub fn cert_sn(der: &[u8]) -> Result<String, CertError> {
    let cert = Certificate::from_der(der).map_err(|e| CertError::BadDer {
        index: 1,
        detail: e.to_string(),
    })?;
    Ok(sn_of(&cert))
}

/// The SN of the first certificate in PEM text (`app_cert_sn`, `alipay_cert_sn`).
pub fn cert_sn_pem(pem: &str) -> Result<String, CertError> {
    let blocks = certificates(pem)?;
    Ok(sn_of(&blocks[0]))
}

/// `alipay_root_cert_sn` of a root bundle.
pub fn root_cert_sn(pem: &str) -> Result<String, CertError> {
    Ok(join_rsa(&certificates(pem)?))
}

/// The exact string whose MD5 is the SN, for display ("why is my SN different?").
pub fn sn_input(cert: &Certificate) -> String {
    format!(
        "{}{}",
        rfc2253(&cert.tbs_certificate.issuer),
        decimal(cert.tbs_certificate.serial_number.as_bytes())
    )
}

/// Parse every certificate in PEM text, in order.
pub fn certificates(pem: &str) -> Result<Vec<Certificate>, CertError> {
    let blocks = keys::pem_blocks(pem)?;
    let certs = blocks
        .iter()
        .filter(|(label, _)| label == "CERTIFICATE")
        .enumerate()
        .map(|(i, (_, der))| {
            Certificate::from_der(der).map_err(|e| CertError::BadDer {
                index: i + 1,
                detail: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(certs)
}

/// What a certificate-mode app signs and verifies with: its SNs, and Alipay's certificates
/// by SN (a response names the one that signed it in `alipay_cert_sn`).
#[derive(Debug, Clone)]
pub struct CertSet {
    pub app_cert_sn: String,
    pub root_cert_sn: String,
    /// Every certificate of Alipay's certificate file, by SN, with its public key.
    pub alipay_certs: Vec<(String, PublicKey)>,
    /// How `app_cert_sn` and `alipay_root_cert_sn` were computed, for the Signing tab.
    pub traces: Vec<SnTrace>,
}

/// Why a response could not be matched to one of Alipay's certificates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error(
        "the response carries no alipay_cert_sn; a certificate-mode app's responses name the          Alipay certificate that signed them (checked with the first one, {first})"
    )]
    Missing { first: String },
    #[error(
        "the response was signed by the Alipay certificate {sent}, which is not in the          profile's Alipay certificate file (it holds {known}); download the current          alipayCertPublicKey_RSA2.crt from the console (Alipay rotates it), or fetch it          with alipay.open.app.alipaycert.download"
    )]
    Unknown { sent: String, known: String },
}

impl CertSet {
    /// Read the three files' text: the app certificate, Alipay's certificate, the root bundle.
    pub fn from_pem(app_cert: &str, alipay_cert: &str, root: &str) -> Result<Self, CertError> {
        let app = certificates(app_cert)?;
        let roots = certificates(root)?;
        let alipay_certs = certificates(alipay_cert)?
            .iter()
            .map(|c| {
                let der = c.to_der().map_err(|e| CertError::BadDer {
                    index: 1,
                    detail: e.to_string(),
                })?;
                let key = PublicKey::parse(&pem_of(&der))?;
                Ok((sn_of(c), key))
            })
            .collect::<Result<Vec<_>, CertError>>()?;
        let root_cert_sn = join_rsa(&roots);
        let traces = vec![
            SnTrace {
                param: "app_cert_sn".to_owned(),
                sn: sn_of(&app[0]),
                how: format!("md5(\"{}\")", sn_input(&app[0])),
            },
            SnTrace {
                param: "alipay_root_cert_sn".to_owned(),
                sn: root_cert_sn.clone(),
                how: root_how(&roots),
            },
        ];
        Ok(Self {
            app_cert_sn: sn_of(&app[0]),
            root_cert_sn,
            alipay_certs,
            traces,
        })
    }

    /// The key to check a response with: the certificate named by `alipay_cert_sn`.
    pub fn pick(
        &self,
        alipay_cert_sn: Option<&str>,
    ) -> Result<&PublicKey, (PickError, &PublicKey)> {
        let first = &self.alipay_certs[0];
        let Some(sent) = alipay_cert_sn.map(str::trim).filter(|s| !s.is_empty()) else {
            return Err((
                PickError::Missing {
                    first: first.0.clone(),
                },
                &first.1,
            ));
        };
        self.alipay_certs
            .iter()
            .find(|(sn, _)| sn == sent)
            .map(|(_, key)| key)
            .ok_or_else(|| {
                (
                    PickError::Unknown {
                        sent: sent.to_owned(),
                        known: self
                            .alipay_certs
                            .iter()
                            .map(|(sn, _)| sn.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                    &first.1,
                )
            })
    }
}

/// How a root SN was made: each certificate's input, or why it was skipped.
fn root_how(roots: &[Certificate]) -> String {
    roots
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if is_rsa_signed(c) {
                format!("#{} md5(\"{}\")", i + 1, sn_input(c))
            } else {
                format!(
                    "#{} skipped: signed with {}, not RSA",
                    i + 1,
                    c.signature_algorithm.oid
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" _ ")
}

fn join_rsa(certs: &[Certificate]) -> String {
    certs
        .iter()
        .filter(|c| is_rsa_signed(c))
        .map(sn_of)
        .collect::<Vec<_>>()
        .join("_")
}

fn pem_of(der: &[u8]) -> String {
    let body = keys::base64_encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn sn_of(cert: &Certificate) -> String {
    keys::hex(&Md5::digest(sn_input(cert).as_bytes()))
}

fn is_rsa_signed(cert: &Certificate) -> bool {
    cert.signature_algorithm
        .oid
        .to_string()
        .starts_with("1.2.840.113549.1.1.")
}

/// RFC 2253 string of a name: most specific RDN first, `TYPE=value` joined by `,`, as Java's
/// `X500Principal.getName()` writes it.
fn rfc2253(name: &RdnSequence) -> String {
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0
                .iter()
                .map(|atv| {
                    let oid = atv.oid.to_string();
                    match short_name(&oid) {
                        Some(short) => format!("{short}={}", escape(&string_value(&atv.value))),
                        None => format!("{oid}=#{}", keys::hex(atv.value.value())),
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

fn string_value(value: &x509_cert::der::Any) -> String {
    let bytes = value.value();
    if value.tag() == Tag::BmpString {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == value.chars().count() - 1 && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Big-endian unsigned bytes as a decimal string (no leading zeros).
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base-10 digits
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            let v = u32::from(*d) * 256 + carry;
            *d = u8::try_from(v % 10).expect("a remainder of 10 fits in u8");
            carry = v / 10;
        }
        while carry > 0 {
            digits.push(u8::try_from(carry % 10).expect("a remainder of 10 fits in u8"));
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimal_conversion() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0, 0]), "0");
        assert_eq!(decimal(&[0x01, 0x00]), "256");
        assert_eq!(
            decimal(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            "18446744073709551615"
        );
    }
}
