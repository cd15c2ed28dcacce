//! Public-key-certificate mode: the serial-number strings `app_cert_sn`, `alipay_cert_sn` and
//! `alipay_root_cert_sn`.
//!
//! The SN of one certificate is `md5(issuer DN in RFC 2253 order + serial in decimal)` as
//! lowercase hex; the root SN joins the SNs of the RSA-signed certificates of the root bundle
//! with `_`, in file order (ECDSA and SM2 roots are skipped).

use md5::{Digest, Md5};
use x509_cert::Certificate;
use x509_cert::der::{Decode as _, Tag, Tagged as _};
use x509_cert::name::RdnSequence;

use crate::keys::{self, KeyError};

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
    let sns: Vec<String> = certificates(pem)?
        .iter()
        .filter(|c| is_rsa_signed(c))
        .map(sn_of)
        .collect();
    Ok(sns.join("_"))
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
