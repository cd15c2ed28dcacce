//! RSA keys in every spelling people paste: PEM (PKCS#1, PKCS#8, SPKI, X.509 certificate), the
//! one-line base64 that Alipay's console and key tool emit, stray whitespace, Windows line
//! endings and JSON-escaped `\n`.
//!
//! Parsing never trusts the PEM label: the DER inside decides what the key is, and a label that
//! disagrees with the content becomes a note (the Python SDK, for one, wraps any one-line key in
//! an `RSA PRIVATE KEY` label, whatever it holds). Every failure is a [`KeyError`] whose message
//! names the cause and the fix.
//!
//! This module is pure: no file or network I/O. Key generation takes its randomness from the
//! operating system, which is the only way a key should ever be made.

mod text;

use std::fmt;

use base64::Engine as _;
use rsa::pkcs1::{
    DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey,
};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub use text::Armor;

/// Whether a key is the secret half or the public half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Private,
    Public,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Private => "private key",
            Self::Public => "public key",
        })
    }
}

/// The DER structure a key was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `RSAPrivateKey` / `RSAPublicKey` (PEM label `RSA PRIVATE KEY` / `RSA PUBLIC KEY`).
    Pkcs1,
    /// `PrivateKeyInfo` (PEM label `PRIVATE KEY`); what the Java SDK expects.
    Pkcs8,
    /// X.509 `SubjectPublicKeyInfo` (PEM label `PUBLIC KEY`); what Alipay's console shows.
    Spki,
    /// An X.509 certificate carrying the public key (certificate mode).
    Certificate,
}

impl Encoding {
    /// The PEM label this encoding is written with for a key of `kind`.
    pub fn pem_label(self, kind: KeyKind) -> &'static str {
        match (self, kind) {
            (Self::Pkcs1, KeyKind::Private) => "RSA PRIVATE KEY",
            (Self::Pkcs1, KeyKind::Public) => "RSA PUBLIC KEY",
            (Self::Pkcs8, _) => "PRIVATE KEY",
            (Self::Spki, _) => "PUBLIC KEY",
            (Self::Certificate, _) => "CERTIFICATE",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pkcs1 => "PKCS#1",
            Self::Pkcs8 => "PKCS#8",
            Self::Spki => "X.509 SubjectPublicKeyInfo",
            Self::Certificate => "X.509 certificate",
        }
    }
}

/// The hash inside an RSASSA-PKCS1-v1_5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA256withRSA, Alipay's `RSA2`.
    Sha256,
    /// SHA1withRSA, Alipay's legacy `RSA`.
    Sha1,
}

impl HashAlg {
    /// The PKCS#1 v1.5 scheme for this hash, and the digest of `data`.
    fn scheme_and_digest(self, data: &[u8]) -> (Pkcs1v15Sign, Vec<u8>) {
        match self {
            Self::Sha256 => (Pkcs1v15Sign::new::<Sha256>(), Sha256::digest(data).to_vec()),
            Self::Sha1 => (Pkcs1v15Sign::new::<Sha1>(), Sha1::digest(data).to_vec()),
        }
    }
}

/// What was detected about a key, for display next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kind: KeyKind,
    pub encoding: Encoding,
    pub armor: Armor,
    /// Modulus size in bits.
    pub bits: usize,
    /// SHA-256 over the DER SubjectPublicKeyInfo of the (derived) public key, so a private key
    /// and its public key have the same fingerprint.
    pub fingerprint: Fingerprint,
    /// Things worth knowing that are not errors (a mislabelled PEM, several blocks, …).
    pub notes: Vec<String>,
}

impl fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RSA {}, {}-bit, {} {}, fingerprint {}",
            self.kind,
            self.bits,
            self.encoding.name(),
            self.armor,
            self.fingerprint
        )
    }
}

/// SHA-256 fingerprint of a public key, as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    fn of(public: &RsaPublicKey) -> Self {
        let der = public
            .to_public_key_der()
            .expect("encoding a valid RSA public key as SPKI cannot fail");
        Self(hex(&Sha256::digest(der.as_bytes())))
    }

    /// The full 64-digit hex form.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The first 16 hex digits, enough to tell keys apart on screen.
    pub fn short(&self) -> &str {
        &self.0[..16]
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SHA256:{}", self.0)
    }
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Why a key could not be used. Each message names the cause and, where there is one, the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing but whitespace was given.
    #[error("no key found: the input is empty")]
    Empty,
    /// A character outside the base64 alphabet, with its position in the input as given.
    #[error(
        "this is not base64 (character {position} is '{found}'{where_}); \
         paste the key exactly as the key tool or console shows it",
        found = found.escape_debug(),
        where_ = line_col(*line, *column)
    )]
    NotBase64 {
        position: usize,
        line: usize,
        column: usize,
        found: char,
    },
    /// The base64 alphabet was right but the text does not decode (bad length, padding inside).
    #[error("the base64 does not decode ({detail}); the key looks truncated or cut in the middle")]
    BadBase64 { detail: String },
    /// The PEM block is encrypted with a passphrase.
    #[error(
        "this private key is encrypted with a passphrase; decrypt it first, e.g. \
         `openssl pkey -in key.pem -out plain.pem`"
    )]
    Encrypted,
    /// A PEM block for a non-RSA key type.
    #[error(
        "this is {} {what}, not an RSA key; Alipay signs with RSA (RSA2 = SHA256withRSA)",
        article(what)
    )]
    NotRsa { what: String },
    /// A `-----BEGIN` line without its matching `-----END` line.
    #[error(
        "the PEM block '{label}' has no matching '-----END {label}-----' line; copy the whole key"
    )]
    UnterminatedPem { label: String },
    /// The bytes decode but are not a known RSA key structure.
    #[error(
        "{bytes} bytes of base64 that are not an RSA key in PKCS#1, PKCS#8, X.509 or certificate \
         form{hint}"
    )]
    NotAKey { bytes: usize, hint: String },
    /// A public key was given where the private key belongs.
    #[error("{}", crate::lang::tr(crate::lang::Lang::EN, "keys.expected-private"))]
    ExpectedPrivate,
    /// A private key was given where a public key belongs.
    ///
    /// Where a public key is expected, it is the Alipay public key: that key is Alipay's own,
    /// shown in the console, and cannot be derived from any key the developer holds (deriving
    /// the app's public key is exactly the classic mix-up).
    #[error("{}", crate::lang::tr(crate::lang::Lang::EN, "keys.expected-public"))]
    ExpectedPublic,
    /// Below 1024 bits: unsafe, and too small to hold a signature's digest info.
    #[error(
        "{bits}-bit key: far too small to sign with (Alipay uses 2048); generate a new pair with \
         `authwalk keys gen`"
    )]
    TooSmall { bits: usize },
    /// Above 4096 bits: RSA, but more than any provider uses and than this tool handles.
    #[error(
        "this RSA key is larger than 4096 bits, which is not supported; Alipay uses 2048: \
         generate a new pair with `authwalk keys gen`"
    )]
    TooLarge,
    /// Binary bytes that are neither UTF-8 text nor DER.
    #[error("{bytes} bytes that are neither text nor a DER key{hint}")]
    NotText { bytes: usize, hint: String },
    /// An OpenSSH public key line (`ssh-rsa AAAA… user@host`).
    #[error(
        "this is an OpenSSH public key line ('{kind} …'), an SSH login key, not a key in PEM or \
         base64 form; Alipay needs the app key pair from the key tool or `authwalk keys gen` \
         (an RSA SSH key converts with `ssh-keygen -e -m PKCS8 -f key.pub`)"
    )]
    SshPublicKey { kind: String },
    /// The key is too small for the signing algorithm.
    #[error(
        "{bits}-bit key: Alipay requires 2048 for RSA2; generate a new pair with `authwalk keys gen`"
    )]
    TooSmallForRsa2 { bits: usize },
    /// The Alipay public key is really the app's own public key.
    #[error(
        "{}",
        crate::lang::tr(crate::lang::Lang::EN, "keys.app-key-as-alipay-key")
    )]
    AppKeyAsAlipayKey,
    /// Generation failed (only with absurd sizes).
    #[error("could not generate a {bits}-bit key: {detail}")]
    Generate { bits: usize, detail: String },
}

/// "a" or "an" before a key type name, most of which are read as letters (an EC, a DSA key).
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some(c) if !word.starts_with("non") && "AEFHILMNORSXaeio".contains(c) => "an",
        _ => "a",
    }
}

fn line_col(line: usize, column: usize) -> String {
    if line > 1 {
        format!(", line {line} column {column}")
    } else {
        String::new()
    }
}

/// A private key with what was detected about it. `Debug` never prints the key material.
#[derive(Clone)]
pub struct PrivateKey {
    key: RsaPrivateKey,
    info: KeyInfo,
}

/// A public key with what was detected about it.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: RsaPublicKey,
    info: KeyInfo,
}

/// Either half, as found in the input.
#[derive(Debug, Clone)]
pub enum ParsedKey {
    Private(Box<PrivateKey>),
    Public(PublicKey),
}

impl ParsedKey {
    pub fn info(&self) -> &KeyInfo {
        match self {
            Self::Private(k) => k.info(),
            Self::Public(k) => k.info(),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("info", &self.info)
            .field("key", &"(redacted)")
            .finish()
    }
}

/// Parse a key of either kind from text in any supported spelling.
pub fn parse(input: &str) -> Result<ParsedKey, KeyError> {
    // A byte order mark (Notepad's "UTF-8 with BOM") is not part of the key.
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    from_blob(text::decode(input)?)
}

/// Parse a key file's bytes: text in any spelling [`parse`] takes, or binary DER.
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedKey, KeyError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(_) if bytes.first() == Some(&0x30) => from_blob(text::Blob {
            der: bytes.to_vec(),
            label: None,
            armor: Armor::Der,
            notes: Vec::new(),
        }),
        Err(_) if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) => {
            Err(KeyError::NotText {
                bytes: bytes.len(),
                hint: ": it is UTF-16 text (what Notepad saves as \"Unicode\"); save it again \
                       as UTF-8 and retry"
                    .to_owned(),
            })
        }
        Err(e) => Err(KeyError::NotText {
            bytes: bytes.len(),
            hint: format!(
                " (invalid UTF-8 at byte {}, and DER starts with 0x30): pass the key file \
                 itself, as PEM, one-line base64 or binary DER",
                e.valid_up_to()
            ),
        }),
    }
}

fn from_blob(blob: text::Blob) -> Result<ParsedKey, KeyError> {
    let mut notes = blob.notes;
    let armor = blob.armor;
    let der = blob.der.as_slice();

    let (parsed, encoding) = if let Ok(key) = RsaPrivateKey::from_pkcs8_der(der) {
        (Found::Private(Box::new(key)), Encoding::Pkcs8)
    } else if let Ok(key) = RsaPrivateKey::from_pkcs1_der(der) {
        (Found::Private(Box::new(key)), Encoding::Pkcs1)
    } else if let Ok(key) = RsaPublicKey::from_public_key_der(der) {
        (Found::Public(key), Encoding::Spki)
    } else if let Ok(key) = RsaPublicKey::from_pkcs1_der(der) {
        (Found::Public(key), Encoding::Pkcs1)
    } else if let Some(key) = public_key_of_certificate(der) {
        (Found::Public(key?), Encoding::Certificate)
    } else {
        return Err(not_a_key(der, blob.label.as_deref()));
    };

    let kind = match parsed {
        Found::Private(_) => KeyKind::Private,
        Found::Public(_) => KeyKind::Public,
    };
    let bits = match &parsed {
        Found::Private(key) => key.n().bits(),
        Found::Public(key) => key.n().bits(),
    };
    if bits < 1024 {
        return Err(KeyError::TooSmall { bits });
    }
    // The rsa crate refuses public keys above 4096 bits but not private ones: refuse both, so
    // a private key is never accepted whose public half would be refused.
    if bits > 4096 {
        return Err(KeyError::TooLarge);
    }
    if let Some(label) = &blob.label {
        let expected = encoding.pem_label(kind);
        if label != expected {
            notes.push(format!(
                "the PEM label says '{label}' but the content is a {} {kind}; \
                 tools that trust the label will reject it",
                encoding.name()
            ));
        }
    }
    Ok(match parsed {
        Found::Private(key) => {
            let info = KeyInfo {
                kind,
                encoding,
                armor,
                bits: key.n().bits(),
                fingerprint: Fingerprint::of(&key.to_public_key()),
                notes,
            };
            ParsedKey::Private(Box::new(PrivateKey { key: *key, info }))
        }
        Found::Public(key) => {
            let info = KeyInfo {
                kind,
                encoding,
                armor,
                bits: key.n().bits(),
                fingerprint: Fingerprint::of(&key),
                notes,
            };
            ParsedKey::Public(PublicKey { key, info })
        }
    })
}

enum Found {
    Private(Box<RsaPrivateKey>),
    Public(RsaPublicKey),
}

/// `Some` when `der` is an X.509 certificate; its key must then be RSA.
fn public_key_of_certificate(der: &[u8]) -> Option<Result<RsaPublicKey, KeyError>> {
    use x509_cert::der::{Decode as _, Encode as _};
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info;
    let spki_der = spki.to_der().ok()?;
    Some(RsaPublicKey::from_public_key_der(&spki_der).map_err(|_| {
        let name = algorithm_name(&spki.algorithm.oid.to_string());
        KeyError::NotRsa {
            what: format!("certificate for {} {name} key", article(name)),
        }
    }))
}

fn algorithm_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.2.1" => "EC (ECDSA)",
        "1.2.156.10197.1.301" => "SM2",
        "1.3.101.112" => "Ed25519",
        "1.3.101.110" => "X25519",
        "1.2.840.10040.4.1" => "DSA",
        // id-RSASSA-PSS: an RSA key restricted to PSS padding, which RSA2 (PKCS#1 v1.5) is not.
        "1.2.840.113549.1.1.10" => "RSA-PSS (PSS-only, unusable for RSA2's PKCS#1 v1.5)",
        _ => "non-RSA",
    }
}

/// Build the most helpful error for DER that is none of the RSA structures.
fn not_a_key(der: &[u8], label: Option<&str>) -> KeyError {
    // A PKCS#8 or SPKI structure for another algorithm: say which.
    const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    if let Ok(info) = rsa::pkcs8::PrivateKeyInfo::try_from(der)
        && info.algorithm.oid.to_string() == RSA_ENCRYPTION
    {
        return KeyError::TooLarge;
    }
    if let Ok(spki) = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der)
        && spki.algorithm.oid.to_string() == RSA_ENCRYPTION
    {
        return KeyError::TooLarge;
    }
    if let Ok(info) = rsa::pkcs8::PrivateKeyInfo::try_from(der) {
        return KeyError::NotRsa {
            what: format!(
                "{} private key",
                algorithm_name(&info.algorithm.oid.to_string())
            ),
        };
    }
    if let Ok(spki) = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der) {
        return KeyError::NotRsa {
            what: format!(
                "{} public key",
                algorithm_name(&spki.algorithm.oid.to_string())
            ),
        };
    }
    let hint = if der.first() == Some(&0x30) {
        // A DER SEQUENCE whose declared length runs past the data: cut off when copied.
        let declared = declared_der_len(der);
        match declared {
            Some(n) if n > der.len() => format!(
                ": the data declares {n} bytes but only {} are there, so the key was cut off \
                 when copied",
                der.len()
            ),
            _ => format!(
                "{}; check that the whole key was copied",
                label
                    .map(|l| format!(" (PEM label '{l}')"))
                    .unwrap_or_default()
            ),
        }
    } else {
        "; this does not start like a key at all (keys start with 'MII')".to_owned()
    };
    KeyError::NotAKey {
        bytes: der.len(),
        hint,
    }
}

/// Total length (header + content) a DER SEQUENCE declares, if the header is readable.
fn declared_der_len(der: &[u8]) -> Option<usize> {
    let first = *der.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let len = der
        .get(2..2 + count)?
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some(2 + count + len)
}

impl PrivateKey {
    /// Parse a private key; a public key gives [`KeyError::ExpectedPrivate`].
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        Self::expect(parse(input)?)
    }

    /// [`PrivateKey::parse`] for a file's bytes (text or binary DER).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Self::expect(parse_bytes(bytes)?)
    }

    fn expect(key: ParsedKey) -> Result<Self, KeyError> {
        match key {
            ParsedKey::Private(key) => Ok(*key),
            ParsedKey::Public(_) => Err(KeyError::ExpectedPrivate),
        }
    }

    /// Generate a fresh key pair from the operating system's randomness.
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).map_err(|e| {
            KeyError::Generate {
                bits,
                detail: e.to_string(),
            }
        })?;
        Ok(Self::from_rsa(key))
    }

    /// Wrap an already-decoded key (reported as PKCS#8 PEM).
    pub fn from_rsa(key: RsaPrivateKey) -> Self {
        let info = KeyInfo {
            kind: KeyKind::Private,
            encoding: Encoding::Pkcs8,
            armor: Armor::Pem,
            bits: key.n().bits(),
            fingerprint: Fingerprint::of(&key.to_public_key()),
            notes: Vec::new(),
        };
        Self { key, info }
    }

    pub fn info(&self) -> &KeyInfo {
        &self.info
    }

    pub fn fingerprint(&self) -> &Fingerprint {
        &self.info.fingerprint
    }

    pub fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }

    /// The matching public key (reported as SPKI PEM).
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_rsa(self.key.to_public_key())
    }

    /// Check that the key is big enough for `hash` as Alipay uses it.
    pub fn check_size_for(&self, hash: HashAlg) -> Result<(), KeyError> {
        check_size(self.info.bits, hash)
    }

    /// RSASSA-PKCS1-v1_5 signature over `data`.
    pub fn sign(&self, hash: HashAlg, data: &[u8]) -> Vec<u8> {
        let (scheme, digest) = hash.scheme_and_digest(data);
        // Signing only fails when the modulus is too small for the digest info, and every
        // key here is at least 1024 bits (parse refuses less), which holds SHA-256's 51 bytes.
        self.key
            .sign(scheme, &digest)
            .expect("PKCS#1 v1.5 signing with a parsed RSA key")
    }

    /// Encode in `encoding` (PKCS#1 or PKCS#8) with `armor`.
    pub fn encode(&self, encoding: Encoding, armor: Armor) -> Result<String, EncodeError> {
        let der = match encoding {
            Encoding::Pkcs1 => self
                .key
                .to_pkcs1_der()
                .map(|d| d.as_bytes().to_vec())
                .map_err(der_error),
            Encoding::Pkcs8 => self
                .key
                .to_pkcs8_der()
                .map(|d| d.as_bytes().to_vec())
                .map_err(der_error),
            Encoding::Spki | Encoding::Certificate => Err(EncodeError::Unsupported {
                encoding,
                kind: KeyKind::Private,
            }),
        }?;
        Ok(text::encode(
            &der,
            encoding.pem_label(KeyKind::Private),
            armor,
        ))
    }
}

impl PublicKey {
    /// Parse a public key; a private key gives [`KeyError::ExpectedPublic`].
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        Self::expect(parse(input)?)
    }

    /// [`PublicKey::parse`] for a file's bytes (text or binary DER).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Self::expect(parse_bytes(bytes)?)
    }

    fn expect(key: ParsedKey) -> Result<Self, KeyError> {
        match key {
            ParsedKey::Public(key) => Ok(key),
            ParsedKey::Private(_) => Err(KeyError::ExpectedPublic),
        }
    }

    pub fn from_rsa(key: RsaPublicKey) -> Self {
        let info = KeyInfo {
            kind: KeyKind::Public,
            encoding: Encoding::Spki,
            armor: Armor::Pem,
            bits: key.n().bits(),
            fingerprint: Fingerprint::of(&key),
            notes: Vec::new(),
        };
        Self { key, info }
    }

    pub fn info(&self) -> &KeyInfo {
        &self.info
    }

    pub fn fingerprint(&self) -> &Fingerprint {
        &self.info.fingerprint
    }

    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }

    pub fn check_size_for(&self, hash: HashAlg) -> Result<(), KeyError> {
        check_size(self.info.bits, hash)
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature over `data`.
    pub fn verify(&self, hash: HashAlg, data: &[u8], signature: &[u8]) -> bool {
        let (scheme, digest) = hash.scheme_and_digest(data);
        self.key.verify(scheme, &digest, signature).is_ok()
    }

    /// Encode in `encoding` (SPKI or PKCS#1) with `armor`.
    pub fn encode(&self, encoding: Encoding, armor: Armor) -> Result<String, EncodeError> {
        let der = match encoding {
            Encoding::Pkcs1 => self
                .key
                .to_pkcs1_der()
                .map(|d| d.as_bytes().to_vec())
                .map_err(der_error),
            Encoding::Spki => self
                .key
                .to_public_key_der()
                .map(|d| d.as_bytes().to_vec())
                .map_err(der_error),
            Encoding::Pkcs8 | Encoding::Certificate => Err(EncodeError::Unsupported {
                encoding,
                kind: KeyKind::Public,
            }),
        }?;
        Ok(text::encode(
            &der,
            encoding.pem_label(KeyKind::Public),
            armor,
        ))
    }
}

/// Why a key could not be written in the requested form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// For example a private key as SPKI, which only holds public keys.
    #[error("a {kind} cannot be written as {}", encoding.name())]
    Unsupported { encoding: Encoding, kind: KeyKind },
    #[error("DER encoding failed: {0}")]
    Der(String),
}

fn der_error(e: impl fmt::Display) -> EncodeError {
    EncodeError::Der(e.to_string())
}

fn check_size(bits: usize, hash: HashAlg) -> Result<(), KeyError> {
    if hash == HashAlg::Sha256 && bits < 2048 {
        Err(KeyError::TooSmallForRsa2 { bits })
    } else {
        Ok(())
    }
}

/// Catch the classic mix-up: the "Alipay public key" setting holds the app's own public key,
/// so every response signature check fails.
pub fn check_alipay_public_key(alipay: &PublicKey, app: &PrivateKey) -> Result<(), KeyError> {
    if alipay.fingerprint() == app.fingerprint() {
        Err(KeyError::AppKeyAsAlipayKey)
    } else {
        Ok(())
    }
}

/// Every PEM block in `input` as (label, DER), for certificate bundles.
pub fn pem_blocks(input: &str) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
    text::pem_blocks(input)
}

/// Standard base64 (with padding), the form Alipay uses for signatures.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decode a standard-base64 signature, tolerating whitespace and missing padding.
pub fn base64_decode_signature(text: &str) -> Result<Vec<u8>, KeyError> {
    text::decode_base64(text)
}

#[cfg(test)]
mod tests;
