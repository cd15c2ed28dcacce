//! The certificate chain of the sandbox's public-key-certificate app: a root bundle, Alipay's
//! certificate and the app's certificate, as the Alipay console hands them out
//! (`alipayRootCert.crt`, `alipayCertPublicKey_RSA2.crt`, `appCertPublicKey_<app_id>.crt`).
//!
//! The bundle holds two RSA roots and one ECDSA root, as Alipay's does (it also carries an SM2
//! one), so a client must skip the non-RSA certificate when it computes `alipay_root_cert_sn`.
//! Certificates are built with `x509-cert`'s types and signed with real keys; RSA signatures
//! are deterministic, so a state folder gets the same files, and the same SNs, on every start.

use std::str::FromStr as _;
use std::time::Duration;

use anyhow::Context as _;
use sha2::Digest as _;
use x509_cert::der::asn1::OctetString;
use x509_cert::der::asn1::{BitString, ObjectIdentifier, UtcTime};
use x509_cert::der::{Any, Decode as _, Encode as _};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::RdnSequence;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::keys::{self, Armor, Encoding, HashAlg, PrivateKey, PublicKey};
use crate::provider::alipay::cert;

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// The issuer of Alipay's and the apps' certificates (the RSA root, SHA256withRSA).
pub(crate) const ROOT_DN: &str =
    "CN=authwalk Sandbox Root Class 2 R1,OU=Certification Authority,O=authwalk Sandbox,C=CN";
/// An older RSA root of the bundle (SHA1withRSA), as Alipay's bundle keeps its first root.
const LEGACY_ROOT_DN: &str =
    "CN=authwalk Sandbox Root Class 1,OU=Certification Authority,O=authwalk Sandbox,C=CN";
/// The bundle's ECDSA root, which every SDK skips.
const ECC_ROOT_DN: &str =
    "CN=authwalk Sandbox Root Class 2 E1,OU=Certification Authority,O=authwalk Sandbox,C=CN";

/// 2024-01-01 and 2049-12-31, fixed so the files do not change from one start to the next.
const NOT_BEFORE: u64 = 1_704_067_200;
const NOT_AFTER: u64 = 2_524_521_600;

/// The chain every certificate app of the sandbox shares.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// The root bundle in PEM, certificates separated by a blank line.
    pub root_pem: String,
    /// Alipay's certificate (the sandbox's response-signing key) in PEM.
    pub alipay_cert_pem: String,
    pub alipay_cert_sn: String,
    pub root_cert_sn: String,
}

/// Build the chain: the roots signed by `root_key` (and a fresh ECDSA key), Alipay's
/// certificate for `alipay_key`.
pub(crate) fn chain(root_key: &PrivateKey, alipay_key: &PublicKey) -> anyhow::Result<Chain> {
    let root_spki = spki_of(&root_key.public_key())?;
    let root = rsa_signed(
        ROOT_DN,
        ROOT_DN,
        root_spki.clone(),
        root_key,
        HashAlg::Sha256,
    )?;
    let legacy = rsa_signed(
        LEGACY_ROOT_DN,
        LEGACY_ROOT_DN,
        root_spki,
        root_key,
        HashAlg::Sha1,
    )?;
    let ecc = ecdsa_root()?;
    let alipay = rsa_signed(
        ROOT_DN,
        "CN=Alipay Sandbox Open Platform RSA2,OU=Alipay Open Platform,O=authwalk Sandbox,C=CN",
        spki_of(alipay_key)?,
        root_key,
        HashAlg::Sha256,
    )?;
    let root_pem = [legacy, ecc, root]
        .iter()
        .map(|der| pem(der))
        .collect::<Vec<_>>()
        .join("\n");
    let alipay_cert_pem = pem(&alipay);
    Ok(Chain {
        alipay_cert_sn: cert::cert_sn_pem(&alipay_cert_pem)?,
        root_cert_sn: cert::root_cert_sn(&root_pem)?,
        root_pem,
        alipay_cert_pem,
    })
}

/// The app's certificate (`appCertPublicKey_<app_id>.crt`) for its public key.
pub(crate) fn app_cert(
    root_key: &PrivateKey,
    app_id: &str,
    app_key: &PublicKey,
) -> anyhow::Result<String> {
    let subject = format!("CN={app_id},OU=Alipay Open Platform App,O=authwalk Sandbox,C=CN");
    let der = rsa_signed(
        ROOT_DN,
        &subject,
        spki_of(app_key)?,
        root_key,
        HashAlg::Sha256,
    )?;
    Ok(pem(&der))
}

/// A self-issued RSA certificate with `dn` as issuer and subject, in PEM (tests of the SN
/// rules).
#[cfg(test)]
pub(crate) fn self_issued(dn: &str, key: &PrivateKey) -> String {
    let der = rsa_signed(
        dn,
        dn,
        spki_of(&key.public_key()).expect("an RSA key has an SPKI"),
        key,
        HashAlg::Sha256,
    )
    .expect("the certificate builds");
    pem(&der)
}

fn spki_of(key: &PublicKey) -> anyhow::Result<SubjectPublicKeyInfoOwned> {
    let text = key.encode(Encoding::Spki, Armor::Pem)?;
    let der = keys::pem_blocks(&text)?
        .into_iter()
        .next()
        .map(|(_, der)| der)
        .context("an encoded public key has a PEM block")?;
    Ok(SubjectPublicKeyInfoOwned::from_der(&der)?)
}

fn tbs(
    issuer: &str,
    subject: &str,
    spki: SubjectPublicKeyInfoOwned,
    signature: AlgorithmIdentifierOwned,
) -> anyhow::Result<TbsCertificate> {
    let at = |secs| -> anyhow::Result<Time> {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(
            Duration::from_secs(secs),
        )?))
    };
    // A stable, positive serial per (subject, key): the SN stays put across restarts.
    let digest = sha2::Sha256::digest(format!("{subject}|{:?}", spki.subject_public_key));
    // A root (self-issued) is a CA, so chain checks (OpenSSL, the Java SDK's) accept it.
    let extensions = if issuer == subject {
        Some(vec![Extension {
            extn_id: ObjectIdentifier::new_unwrap("2.5.29.19"),
            critical: true,
            extn_value: OctetString::new(
                BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                }
                .to_der()?,
            )?,
        }])
    } else {
        None
    };
    let mut serial = digest[..12].to_vec();
    serial[0] = (serial[0] & 0x7f) | 0x10;
    Ok(TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial)?,
        signature,
        issuer: RdnSequence::from_str(issuer)?,
        validity: Validity {
            not_before: at(NOT_BEFORE)?,
            not_after: at(NOT_AFTER)?,
        },
        subject: RdnSequence::from_str(subject)?,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions,
    })
}

fn rsa_signed(
    issuer: &str,
    subject: &str,
    spki: SubjectPublicKeyInfoOwned,
    key: &PrivateKey,
    hash: HashAlg,
) -> anyhow::Result<Vec<u8>> {
    let algorithm = AlgorithmIdentifierOwned {
        oid: match hash {
            HashAlg::Sha1 => SHA1_WITH_RSA,
            HashAlg::Sha256 => SHA256_WITH_RSA,
        },
        parameters: Some(Any::null()),
    };
    let tbs = tbs(issuer, subject, spki, algorithm.clone())?;
    let signature = key.sign(hash, &tbs.to_der()?);
    finish(tbs, algorithm, &signature)
}

/// A self-signed ECDSA P-256 root with a fresh key (nothing is ever verified with it).
fn ecdsa_root() -> anyhow::Result<Vec<u8>> {
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("cannot generate an ECDSA P-256 key"))?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| anyhow::anyhow!("cannot load the generated ECDSA key"))?;
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: EC_PUBLIC_KEY,
            parameters: Some(Any::from(&PRIME256V1)),
        },
        subject_public_key: BitString::from_bytes(pair.public_key().as_ref())?,
    };
    let algorithm = AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    };
    let tbs = tbs(ECC_ROOT_DN, ECC_ROOT_DN, spki, algorithm.clone())?;
    let signature = pair
        .sign(&rng, &tbs.to_der()?)
        .map_err(|_| anyhow::anyhow!("cannot sign with the ECDSA key"))?;
    finish(tbs, algorithm, signature.as_ref())
}

fn finish(
    tbs: TbsCertificate,
    algorithm: AlgorithmIdentifierOwned,
    signature: &[u8],
) -> anyhow::Result<Vec<u8>> {
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(signature)?,
    }
    .to_der()?)
}

fn pem(der: &[u8]) -> String {
    let body = keys::base64_encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_skips_its_ecdsa_root_and_joins_the_rsa_ones() {
        let root = PrivateKey::generate(1024).expect("a key");
        let alipay = PrivateKey::generate(1024).expect("a key");
        let chain = chain(&root, &alipay.public_key()).expect("a chain");
        let certs = cert::certificates(&chain.root_pem).expect("three certificates");
        assert_eq!(certs.len(), 3);
        let sns: Vec<String> = chain.root_cert_sn.split('_').map(str::to_owned).collect();
        assert_eq!(sns.len(), 2, "two RSA roots, the ECDSA one skipped");
        // The first is the SHA1 root, the second the SHA256 one (file order).
        assert_eq!(
            sns[0],
            cert::cert_sn(&certs[0].to_der().expect("der")).expect("sn")
        );
        assert_eq!(
            sns[1],
            cert::cert_sn(&certs[2].to_der().expect("der")).expect("sn")
        );
        // The same keys give the same RSA certificates and SNs on the next start.
        let again = chain_again(&root, &alipay);
        assert_eq!(again.alipay_cert_sn, chain.alipay_cert_sn);
        assert_eq!(again.root_cert_sn, chain.root_cert_sn);
        // Alipay's certificate carries the key the responses are signed with.
        let key = PublicKey::parse(&chain.alipay_cert_pem).expect("the certificate's key");
        assert_eq!(key.fingerprint(), alipay.public_key().fingerprint());
    }

    #[test]
    fn a_response_is_checked_with_the_certificate_its_sn_names() {
        let root = PrivateKey::generate(1024).expect("a key");
        let alipay = PrivateKey::generate(1024).expect("a key");
        let app = PrivateKey::generate(1024).expect("a key");
        let chain = chain(&root, &alipay.public_key()).expect("a chain");
        let app_pem = app_cert(&root, "2021", &app.public_key()).expect("an app certificate");
        let set = cert::CertSet::from_pem(&app_pem, &chain.alipay_cert_pem, &chain.root_pem)
            .expect("the three files read");
        assert_eq!(set.root_cert_sn, chain.root_cert_sn);
        let key = set
            .pick(Some(&chain.alipay_cert_sn))
            .expect("the named certificate");
        assert_eq!(key.fingerprint(), alipay.public_key().fingerprint());
        let (missing, _) = set.pick(None).expect_err("no SN");
        assert!(matches!(missing, cert::PickError::Missing { .. }));
        let (unknown, _) = set.pick(Some("00ff")).expect_err("an SN the file lacks");
        assert!(unknown.to_string().contains("00ff"), "{unknown}");
        assert!(
            unknown.to_string().contains(&chain.alipay_cert_sn),
            "{unknown}"
        );
    }

    fn chain_again(root: &PrivateKey, alipay: &PrivateKey) -> Chain {
        chain(root, &alipay.public_key()).expect("a chain")
    }
}
