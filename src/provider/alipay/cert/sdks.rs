//! The SN as each SDK computes it. Every SDK hashes `issuer DN + decimal serial`, but each
//! writes the DN its own way and reads the root bundle its own way, so one file can give
//! several SNs; only the one Alipay computes is accepted.
//!
//! - Java, official (`alipay-sdk-java`, `AntCertificationUtil.getCertSN`):
//!   `X509Certificate.getIssuerX500Principal().getName()`, RFC 2253: the RDNs in reverse
//!   encoding order, values escaped. This is the reference: Alipay's gateway agrees with it.
//! - Node, official (`alipay-sdk`, `dist/esm/antcertutil.js`): `issuer.attributes.reduceRight`
//!   over `shortName=value`, the attributes in reverse encoding order, values not escaped.
//! - PHP, official (`alipay-sdk-php`, `AopCertClient::getCertSN`): `openssl_x509_parse` then
//!   `array_reverse` of the issuer array: like Node, but a repeated attribute (two `OU`)
//!   becomes one array entry, which PHP writes as `Array`.
//! - Go (smartwalle/alipay, `cert.Issuer.String()`): Go's `pkix.Name` rebuilds the RDNs in its
//!   own order (C, ST, L, STREET, POSTALCODE, O, OU, CN) before reversing, whatever the
//!   encoding order was.
//! - Python, fzlee (`python-alipay-sdk`, `alipay/__init__.py`): a hard-coded
//!   `CN={},OU={},O={},C={}` (a missing attribute prints `None`, any other is dropped), and
//!   the root bundle split on blank lines (`'\n\n'`), so a CRLF bundle reads as one
//!   certificate.

use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::der::Decode as _;
use x509_cert::name::RdnSequence;

use super::{CertError, certificates, decimal, escape, is_rsa_signed, short_name, string_value};
use crate::keys;

/// An SDK whose SN rule differs from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sdk {
    Java,
    Node,
    Php,
    Go,
    Fzlee,
}

impl Sdk {
    pub const ALL: [Self; 5] = [Self::Java, Self::Node, Self::Php, Self::Go, Self::Fzlee];

    pub fn name(self) -> &'static str {
        match self {
            Self::Java => "Java (official)",
            Self::Node => "Node (official)",
            Self::Php => "PHP (official)",
            Self::Go => "Go (smartwalle)",
            Self::Fzlee => "Python (fzlee)",
        }
    }
}

/// One SDK's SN of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkSn {
    pub sdk: Sdk,
    /// The SN, or why this SDK cannot read the file.
    pub sn: Result<String, String>,
    /// The md5 inputs, one per certificate that counts.
    pub inputs: Vec<String>,
    /// Differs from the Java SDK's (Alipay's) SN.
    pub differs: bool,
    /// Why it differs, when it does.
    pub why: Option<String>,
}

/// The SN of `pem` (a certificate, or with `root` the root bundle) as each SDK computes it.
pub fn by_sdk(pem: &str, root: bool) -> Result<Vec<SdkSn>, CertError> {
    let all = certificates(pem)?;
    let mut out: Vec<SdkSn> = Sdk::ALL
        .iter()
        .map(|&sdk| {
            let certs = match sdk {
                Sdk::Fzlee => fzlee_chunks(pem),
                Sdk::Java | Sdk::Node | Sdk::Php | Sdk::Go => all.clone(),
            };
            let counted: Vec<&Certificate> = if root {
                certs.iter().filter(|c| is_rsa_signed(c)).collect()
            } else {
                certs.iter().take(1).collect()
            };
            let inputs: Vec<String> = counted
                .iter()
                .map(|c| {
                    format!(
                        "{}{}",
                        issuer(sdk, &c.tbs_certificate.issuer),
                        decimal(c.tbs_certificate.serial_number.as_bytes())
                    )
                })
                .collect();
            let sn = if inputs.is_empty() {
                Err("no certificate read".to_owned())
            } else {
                Ok(inputs
                    .iter()
                    .map(|i| keys::hex(&<md5::Md5 as md5::Digest>::digest(i.as_bytes())))
                    .collect::<Vec<_>>()
                    .join("_"))
            };
            SdkSn {
                sdk,
                sn,
                inputs,
                differs: false,
                why: None,
            }
        })
        .collect();
    let reference = out[0].sn.clone();
    let java_inputs = out[0].inputs.clone();
    for s in &mut out[1..] {
        s.differs = s.sn != reference;
        if s.differs {
            s.why = Some(why(s, &java_inputs, pem, all.len()));
        }
    }
    Ok(out)
}

fn why(s: &SdkSn, java: &[String], pem: &str, total: usize) -> String {
    if s.sdk == Sdk::Fzlee && fzlee_chunks(pem).len() < total {
        // Python's text mode turns CRLF into LF; the text keeps CRLF when it was read as
        // bytes and decoded, or came from a setting or an environment variable.
        let crlf = if pem.contains("\r\n") {
            "the text has CRLF line ends (as it does when read as bytes and decoded), so "
        } else {
            ""
        };
        return format!(
            "{crlf}its split on blank lines ('\\n\\n') reads {} of the {total} certificates; save \
             the bundle with LF line ends and a blank line between certificates",
            fzlee_chunks(pem).len()
        );
    }
    let mine = s.inputs.first().map_or("", String::as_str);
    let theirs = java.first().map_or("", String::as_str);
    let cause = match s.sdk {
        Sdk::Go => {
            "Go writes the issuer's attributes in its own order (C, ST, L, O, OU, CN), not the certificate's"
        }
        Sdk::Fzlee => {
            "fzlee writes exactly CN, OU, O, C (None for a missing one, nothing for any other)"
        }
        Sdk::Php => "PHP merges a repeated attribute into one 'Array' entry and escapes nothing",
        Sdk::Node => "Node escapes nothing and flattens multi-valued RDNs",
        Sdk::Java => "",
    };
    format!("{cause}: it hashes {mine:?} where Java hashes {theirs:?}")
}

/// The certificates fzlee reads: the text split on `\n\n`, the first certificate of each part.
fn fzlee_chunks(pem: &str) -> Vec<Certificate> {
    pem.split("\n\n")
        .filter(|part| !part.trim().is_empty())
        .filter_map(|part| {
            let blocks = keys::pem_blocks(part).ok()?;
            let (_, der) = blocks
                .into_iter()
                .find(|(label, _)| label == "CERTIFICATE")?;
            Certificate::from_der(&der).ok()
        })
        .collect()
}

/// `(short name or dotted OID, value)` of every attribute, in encoding order.
fn attributes(name: &RdnSequence) -> Vec<(String, String, String)> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| {
            let oid = atv.oid.to_string();
            let short = short_name(&oid).map_or_else(|| oid.clone(), str::to_owned);
            (oid, short, string_value(&atv.value))
        })
        .collect()
}

fn issuer(sdk: Sdk, name: &RdnSequence) -> String {
    let attrs = attributes(name);
    match sdk {
        Sdk::Java => super::rfc2253(name),
        Sdk::Node => attrs
            .iter()
            .rev()
            .map(|(_, k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        Sdk::Php => {
            let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
            for (_, k, v) in &attrs {
                match grouped.iter_mut().find(|(g, _)| g == k) {
                    Some((_, values)) => values.push(v.clone()),
                    None => grouped.push((k.clone(), vec![v.clone()])),
                }
            }
            grouped
                .iter()
                .rev()
                .map(|(k, values)| match values.as_slice() {
                    [one] => format!("{k}={one}"),
                    _ => format!("{k}=Array"),
                })
                .collect::<Vec<_>>()
                .join(",")
        }
        Sdk::Go => {
            const ORDER: [&str; 9] = [
                "2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11",
                "2.5.4.3", "2.5.4.5",
            ];
            let mut rdns: Vec<String> = attrs
                .iter()
                .filter(|(oid, ..)| !ORDER.contains(&oid.as_str()))
                .map(|(oid, k, v)| go_pair(oid, k, v))
                .collect();
            for wanted in ORDER {
                let values: Vec<&(String, String, String)> =
                    attrs.iter().filter(|(oid, ..)| oid == wanted).collect();
                // Go keeps one CommonName and one SerialNumber: the last.
                let keep: Vec<&(String, String, String)> =
                    if wanted == "2.5.4.3" || wanted == "2.5.4.5" {
                        values.last().copied().into_iter().collect()
                    } else {
                        values
                    };
                rdns.extend(keep.iter().map(|(oid, k, v)| go_pair(oid, k, v)));
            }
            rdns.reverse();
            rdns.join(",")
        }
        Sdk::Fzlee => {
            let get = |short: &str| {
                attrs
                    .iter()
                    .find(|(_, k, _)| k == short)
                    .map_or_else(|| "None".to_owned(), |(_, _, v)| v.clone())
            };
            format!(
                "CN={},OU={},O={},C={}",
                get("CN"),
                get("OU"),
                get("O"),
                get("C")
            )
        }
    }
}

fn go_pair(oid: &str, short: &str, value: &str) -> String {
    let key = match oid {
        "2.5.4.8" => "ST",
        "2.5.4.17" => "POSTALCODE",
        "2.5.4.5" => "SERIALNUMBER",
        _ => short,
    };
    format!("{key}={}", escape(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;

    fn sns(pem: &str, root: bool) -> Vec<SdkSn> {
        by_sdk(pem, root).expect("the certificates read")
    }

    fn differs(list: &[SdkSn], sdk: Sdk) -> bool {
        list.iter()
            .find(|s| s.sdk == sdk)
            .expect("every SDK")
            .differs
    }

    #[test]
    fn an_issuer_encoded_cn_first_splits_go_and_fzlee_from_java() {
        let key = PrivateKey::generate(1024).expect("a key");
        // RFC 4514 text is most specific first, so this issuer is encoded CN first.
        let pem = crate::sandbox::test_certificate(
            "C=CN,O=Example,OU=Certification Authority,CN=Example Root",
            &key,
        );
        let list = sns(&pem, false);
        assert_eq!(
            list[0].inputs[0].split(',').next(),
            Some("C=CN"),
            "Java writes the encoding order reversed"
        );
        assert!(!differs(&list, Sdk::Node));
        assert!(!differs(&list, Sdk::Php));
        assert!(differs(&list, Sdk::Go));
        assert!(differs(&list, Sdk::Fzlee));
        let go = list.iter().find(|s| s.sdk == Sdk::Go).expect("go");
        assert!(
            go.inputs[0].starts_with("CN=Example Root,OU="),
            "{:?}",
            go.inputs
        );
        assert!(
            go.why
                .as_deref()
                .is_some_and(|w| w.contains("its own order"))
        );
    }

    #[test]
    fn a_crlf_bundle_loses_all_but_the_first_certificate_in_fzlee_only() {
        let key = PrivateKey::generate(1024).expect("a key");
        let one = crate::sandbox::test_certificate("CN=R1,OU=CA,O=Example,C=CN", &key);
        let two = crate::sandbox::test_certificate("CN=R2,OU=CA,O=Example,C=CN", &key);
        let lf = format!("{one}\n{two}");
        assert!(
            sns(&lf, true).iter().all(|s| !s.differs),
            "LF: every SDK agrees"
        );
        let crlf = lf.replace('\n', "\r\n");
        let list = sns(&crlf, true);
        assert!(!differs(&list, Sdk::Java) && !differs(&list, Sdk::Node));
        let fzlee = list.iter().find(|s| s.sdk == Sdk::Fzlee).expect("fzlee");
        assert!(fzlee.differs);
        assert_eq!(fzlee.inputs.len(), 1);
        assert!(
            fzlee.why.as_deref().is_some_and(|w| w.contains("CRLF")),
            "{:?}",
            fzlee.why
        );
    }

    #[test]
    fn a_repeated_attribute_is_an_array_in_php() {
        let key = PrivateKey::generate(1024).expect("a key");
        let pem = crate::sandbox::test_certificate("CN=R,OU=One,OU=Two,O=Example,C=CN", &key);
        let list = sns(&pem, false);
        let php = list.iter().find(|s| s.sdk == Sdk::Php).expect("php");
        assert!(php.differs);
        assert!(php.inputs[0].contains("OU=Array"), "{:?}", php.inputs);
    }
}
