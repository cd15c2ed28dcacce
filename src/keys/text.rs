//! The text layer of key parsing: find the PEM block (or accept bare base64), strip what
//! people's copy-paste adds, and decode, reporting bad characters where the user can find them.

use std::fmt;
use std::ops::Range;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::KeyError;

/// How the key text was wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Armor {
    /// `-----BEGIN …-----` / `-----END …-----` with base64 lines between.
    Pem,
    /// Bare base64 with no header, as Alipay's console and key tool show it.
    OneLine,
    /// Binary DER, as `openssl … -outform DER` writes it (read only; written as one-line).
    Der,
}

impl fmt::Display for Armor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pem => "PEM",
            Self::OneLine => "one-line base64",
            Self::Der => "binary DER",
        })
    }
}

/// DER bytes found in the input, with how they were wrapped.
pub(super) struct Blob {
    pub der: Vec<u8>,
    pub label: Option<String>,
    pub armor: Armor,
    pub notes: Vec<String>,
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Labels that are keys, but not RSA keys.
const NOT_RSA_LABELS: [(&str, &str); 5] = [
    ("EC PRIVATE KEY", "EC (ECDSA) private key"),
    (
        "OPENSSH PRIVATE KEY",
        "OpenSSH-format private key (convert it with `ssh-keygen -p -m PEM`)",
    ),
    ("DSA PRIVATE KEY", "DSA private key"),
    ("PGP PRIVATE KEY BLOCK", "PGP key"),
    ("PGP PUBLIC KEY BLOCK", "PGP key"),
];

pub(super) fn decode(input: &str) -> Result<Blob, KeyError> {
    if input.trim().is_empty() {
        return Err(KeyError::Empty);
    }
    let Some(begin) = input.find(BEGIN) else {
        let first = input.split_whitespace().next().unwrap_or_default();
        if first.starts_with("ssh-") || first.starts_with("ecdsa-sha2-") {
            return Err(KeyError::SshPublicKey {
                kind: first.chars().take(40).collect(),
            });
        }
        let range = strip_quotes(input);
        if range.is_empty() {
            return Err(KeyError::Empty);
        }
        let der = decode_range(input, range)?;
        return Ok(Blob {
            der,
            label: None,
            armor: Armor::OneLine,
            notes: Vec::new(),
        });
    };

    let block = pem_block(input, begin)?;
    let label = block.label;
    let (body_start, body_end) = (block.body.start, block.body.end);
    if label.contains("ENCRYPTED") || input[body_start..body_end].contains("Proc-Type: 4,ENCRYPTED")
    {
        return Err(KeyError::Encrypted);
    }
    if let Some((_, what)) = NOT_RSA_LABELS.iter().find(|(l, _)| *l == label) {
        return Err(KeyError::NotRsa {
            what: (*what).to_owned(),
        });
    }

    let mut notes = Vec::new();
    if !input[..begin].trim().is_empty() {
        notes.push("text before the PEM block was ignored".to_owned());
    }
    let rest = &input[block.end..];
    let more = rest.matches(BEGIN).count();
    if more > 0 {
        notes.push(format!(
            "{more} further PEM block(s) after the first were ignored"
        ));
    }

    let der = decode_range(input, skip_headers(input, block.body))?;
    Ok(Blob {
        der,
        label: Some(label),
        armor: Armor::Pem,
        notes,
    })
}

struct PemBlock {
    label: String,
    body: Range<usize>,
    /// Byte offset just past the `-----END …-----` line.
    end: usize,
}

/// The PEM block whose `-----BEGIN` starts at `begin`.
fn pem_block(input: &str, begin: usize) -> Result<PemBlock, KeyError> {
    let label_start = begin + BEGIN.len();
    let label_end = input[label_start..]
        .find(DASHES)
        .map(|i| label_start + i)
        .ok_or_else(|| KeyError::UnterminatedPem {
            label: "?".to_owned(),
        })?;
    let label = input[label_start..label_end].trim().to_owned();
    let body_start = label_end + DASHES.len();
    let end_marker = format!("-----END {label}-----");
    let body_end = input[body_start..]
        .find(&end_marker)
        .map(|i| body_start + i)
        .ok_or_else(|| KeyError::UnterminatedPem {
            label: label.clone(),
        })?;
    Ok(PemBlock {
        label,
        body: body_start..body_end,
        end: body_end + end_marker.len(),
    })
}

/// Skip RFC 1421 headers ("Name: value" lines) and blank lines before the base64.
fn skip_headers(input: &str, body: Range<usize>) -> Range<usize> {
    let mut start = body.start;
    for line in input[body.clone()].split_inclusive('\n') {
        if line.contains(':') || line.trim().is_empty() {
            start += line.len();
        } else {
            break;
        }
    }
    start..body.end
}

/// Every PEM block in `input`, in order, as (label, DER).
pub(super) fn pem_blocks(input: &str) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(i) = input[from..].find(BEGIN) {
        let block = pem_block(input, from + i)?;
        let der = decode_range(input, skip_headers(input, block.body.clone()))?;
        from = block.end;
        blocks.push((block.label, der));
    }
    Ok(blocks)
}

/// The byte range of `input` without surrounding whitespace and one pair of quotes, as when a
/// key is copied out of a JSON or properties file.
fn strip_quotes(input: &str) -> Range<usize> {
    let start = input.len() - input.trim_start().len();
    // Input that is all whitespace leaves `start` past the end of what `trim_end` keeps.
    let end = input.trim_end().len().max(start);
    let inner = &input[start..end];
    for quote in ['"', '\''] {
        if inner.len() >= 2 && inner.starts_with(quote) && inner.ends_with(quote) {
            return start + 1..end - 1;
        }
    }
    start..end
}

/// Decode base64 in `input[range]`, skipping whitespace and literal `\n` escapes.
fn decode_range(input: &str, range: Range<usize>) -> Result<Vec<u8>, KeyError> {
    let text = &input[range.clone()];
    let mut clean = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' | '=' => clean.push(c),
            c if c.is_whitespace() => {}
            '\\' if matches!(chars.peek(), Some((_, 'n' | 'r' | 't'))) => {
                chars.next();
            }
            found => return Err(not_base64(input, range.start + i, found)),
        }
    }
    if clean.is_empty() {
        return Err(KeyError::Empty);
    }
    engine()
        .decode(clean.as_bytes())
        .map_err(|e| KeyError::BadBase64 {
            detail: e.to_string(),
        })
}

/// Decode base64 that is not a key (a signature): same tolerance, same errors.
pub(super) fn decode_base64(text: &str) -> Result<Vec<u8>, KeyError> {
    let range = strip_quotes(text);
    decode_range(text, range)
}

fn not_base64(input: &str, byte_index: usize, found: char) -> KeyError {
    let before = &input[..byte_index];
    let position = before.chars().count() + 1;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    KeyError::NotBase64 {
        position,
        line,
        column,
        found,
    }
}

fn engine() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

/// Write DER as PEM (64-column lines) or as one-line base64.
pub(super) fn encode(der: &[u8], label: &str, armor: Armor) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    match armor {
        Armor::OneLine | Armor::Der => b64,
        Armor::Pem => {
            let mut out = format!("-----BEGIN {label}-----\n");
            for chunk in b64.as_bytes().chunks(64) {
                out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
                out.push('\n');
            }
            out.push_str("-----END ");
            out.push_str(label);
            out.push_str("-----\n");
            out
        }
    }
}
