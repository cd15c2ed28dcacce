//! The decryption doctor: decrypts a mini program's `encryptedData` with the `session_key` and
//! the `iv`, checks the watermark, and when anything fails names the cause from the evidence
//! (which input is not base64 or has the wrong length, a `+` turned into a space on the way, a
//! key that is not the one the data was encrypted with, a damaged end, an IV of other data, a
//! watermark of another app or an old one). Pure: times come in as arguments.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde_json::Value;

use super::crypto::{self, BLOCK, CipherError};
use crate::finding::{Finding, Severity, Text};

/// Standard base64, padding optional (people paste it both ways).
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How old the data may be at decryption before the watermark check warns (seconds). WeChat
/// documents no window; this is authwalk's own: `encryptedData` is made when the button is
/// tapped and sent to the server at once.
pub const WATERMARK_MAX_AGE: i64 = 600;

/// What was pasted or received, all three base64 as WeChat gives them.
#[derive(Clone, Copy)]
pub struct DecryptInput<'a> {
    pub session_key: &'a str,
    pub iv: &'a str,
    pub encrypted_data: &'a str,
    /// The appid the watermark must name (the app whose `wx.login` gave the key).
    pub appid: Option<&'a str>,
    /// Now, in Unix seconds, for the watermark's age.
    pub now: Option<i64>,
    /// How old the watermark may be (seconds); [`WATERMARK_MAX_AGE`] unless told.
    pub max_age: i64,
}

impl std::fmt::Debug for DecryptInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptInput")
            .field("session_key", &crate::redact::mask(self.session_key))
            .field("iv", &self.iv)
            .field("encrypted_data_len", &self.encrypted_data.len())
            .field("appid", &self.appid)
            .finish_non_exhaustive()
    }
}

/// Which of the three inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    SessionKey,
    Iv,
    EncryptedData,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Self::SessionKey => "session_key",
            Self::Iv => "iv",
            Self::EncryptedData => "encryptedData",
        }
    }
}

/// A repair the doctor made to an input before it decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Repair {
    /// Spaces put back as `+` (form or URL decoding turned them into spaces).
    PlusFromSpace { part: Part, count: usize },
    /// `%2B`, `%2F`, `%3D` decoded (the value was percent-encoded once more).
    PercentDecoded { part: Part },
}

/// Why the data did not decrypt, or did not pass the checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Cause {
    /// Not base64, even after the repairs; `position` is the first bad character (0-based).
    NotBase64 {
        part: Part,
        position: usize,
    },
    KeyLength {
        bytes: usize,
    },
    IvLength {
        bytes: usize,
    },
    DataLength {
        bytes: usize,
    },
    /// Garbage all through: the key is not the one that encrypted the data — `wx.login` ran
    /// again after the data was made (the call order), or the key is another login's.
    StaleKey,
    /// The text reads but the end is damaged: the data was cut or altered at its end.
    Padding,
    /// The first 16 bytes are garbage and the rest reads: the IV is another data's.
    IvMismatch,
    /// It decrypts to something that is not JSON.
    NotJson,
    /// The JSON has no `watermark`.
    NoWatermark,
    WatermarkAppid {
        expected: String,
        got: String,
    },
    WatermarkTimestamp {
        age: i64,
    },
}

/// The watermark WeChat puts in every decrypted payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Watermark {
    pub appid: String,
    pub timestamp: i64,
}

/// Everything the doctor saw: the input, key and IV lengths, the repairs, the plaintext, the
/// watermark and the cause (none when all passed).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub data_bytes: Option<usize>,
    pub key_bytes: Option<usize>,
    /// The IV in hex (it is not a secret).
    pub iv_hex: Option<String>,
    pub repairs: Vec<Repair>,
    /// The decrypted JSON, when it decrypted.
    pub plaintext: Option<Value>,
    pub watermark: Option<Watermark>,
    pub cause: Option<Cause>,
    /// Whether the button's `signature` is `sha1(rawData + session_key)`: evidence of whether
    /// this `session_key` was the user's current one when the button was tapped. `None` when
    /// no rawData and signature were given.
    pub signature: Option<bool>,
}

impl Report {
    /// Check the button's `signature` over `rawData` with the session key (WeChat's
    /// `sha1(rawData + session_key)`, hex), keeping the answer as evidence.
    #[must_use]
    pub fn with_signature(mut self, raw_data: &str, signature: &str, session_key: &str) -> Self {
        self.signature = Some(signature_matches(raw_data, signature, session_key));
        self
    }

    /// Decrypted and every check passed.
    pub fn ok(&self) -> bool {
        self.cause.is_none() && self.plaintext.is_some()
    }
}

/// Decode one input, repairing the two usual kinds of damage.
fn decode(part: Part, value: &str, repairs: &mut Vec<Repair>) -> Result<Vec<u8>, Cause> {
    let value = value.trim();
    if let Ok(bytes) = B64.decode(value) {
        return Ok(bytes);
    }
    let spaces = value.matches(' ').count();
    if spaces > 0
        && let Ok(bytes) = B64.decode(value.replace(' ', "+"))
    {
        repairs.push(Repair::PlusFromSpace {
            part,
            count: spaces,
        });
        return Ok(bytes);
    }
    if value.contains('%') {
        let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        if let Ok(bytes) = B64.decode(decoded.replace(' ', "+")) {
            repairs.push(Repair::PercentDecoded { part });
            return Ok(bytes);
        }
    }
    let position = value
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        .unwrap_or(value.chars().count());
    Err(Cause::NotBase64 { part, position })
}

/// Run the doctor over one input.
pub fn diagnose(input: &DecryptInput<'_>) -> Report {
    let mut report = Report {
        data_bytes: None,
        key_bytes: None,
        iv_hex: None,
        repairs: Vec::new(),
        plaintext: None,
        watermark: None,
        cause: None,
        signature: None,
    };
    report.cause = run(input, &mut report).err();
    report
}

fn run(input: &DecryptInput<'_>, report: &mut Report) -> Result<(), Cause> {
    let key = decode(Part::SessionKey, input.session_key, &mut report.repairs)?;
    report.key_bytes = Some(key.len());
    let iv = decode(Part::Iv, input.iv, &mut report.repairs)?;
    report.iv_hex = Some(crate::keys::hex(&iv));
    let data = decode(
        Part::EncryptedData,
        input.encrypted_data,
        &mut report.repairs,
    )?;
    report.data_bytes = Some(data.len());
    let raw = crypto::decrypt_raw(&key, &iv, &data).map_err(|e| match e {
        CipherError::KeyLength(bytes) => Cause::KeyLength { bytes },
        CipherError::IvLength(bytes) => Cause::IvLength { bytes },
        CipherError::DataLength(bytes) => Cause::DataLength { bytes },
        CipherError::Padding => Cause::Padding,
    })?;
    let Some(text) = crypto::unpad(&raw) else {
        // The right key still reads everything before the damaged last block.
        let body = &raw[..raw.len().saturating_sub(BLOCK)];
        return Err(if reads_as_json_start(body) {
            Cause::Padding
        } else {
            Cause::StaleKey
        });
    };
    let Ok(json) = serde_json::from_slice::<Value>(text) else {
        let tail = text.get(BLOCK..).unwrap_or_default();
        return Err(if looks_like_json_tail(tail) {
            Cause::IvMismatch
        } else if std::str::from_utf8(text).is_ok() {
            Cause::NotJson
        } else {
            Cause::StaleKey
        });
    };
    report.plaintext = Some(json.clone());
    let Some(mark) = json.get("watermark") else {
        return Err(Cause::NoWatermark);
    };
    let watermark = Watermark {
        appid: mark
            .get("appid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        timestamp: mark.get("timestamp").and_then(Value::as_i64).unwrap_or(0),
    };
    report.watermark = Some(watermark.clone());
    if let Some(expected) = input.appid
        && watermark.appid != expected
    {
        return Err(Cause::WatermarkAppid {
            expected: expected.to_owned(),
            got: watermark.appid,
        });
    }
    if let Some(now) = input.now {
        let age = now - watermark.timestamp;
        if age > input.max_age {
            return Err(Cause::WatermarkTimestamp { age });
        }
    }
    Ok(())
}

/// The first block reads as the start of a JSON object (so the key and the IV are right).
fn reads_as_json_start(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(BLOCK)];
    head.starts_with(b"{\"") && head.iter().all(|b| (0x20..0x7f).contains(b))
}

fn looks_like_json_tail(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.trim_end().ends_with('}') && s.contains('"'))
}

impl Report {
    /// What the doctor found, as findings: each repair (and that it worked), the cause with
    /// its explanation and fix, and on success one line with what was checked.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out: Vec<Finding> = self.repairs.iter().map(|r| repair_finding(*r)).collect();
        match self.signature {
            Some(true) => out.push(Finding::new(
                Severity::Info,
                "wechat.decrypt.signature-ok",
                Text::key("provider.wechat.doctor.signature-ok"),
            )),
            Some(false) => out.push(
                Finding::new(
                    Severity::Error,
                    "wechat.decrypt.signature-mismatch",
                    Text::key("provider.wechat.doctor.signature-mismatch"),
                )
                .explanation(Text::key("provider.wechat.doctor.signature-mismatch.why"))
                .fix(Text::key("provider.wechat.doctor.stale-key.fix")),
            ),
            None => {}
        }
        if let Some(cause) = &self.cause {
            out.push(cause_finding(cause));
        } else if let Some(w) = &self.watermark {
            out.push(Finding::new(
                Severity::Info,
                "wechat.decrypt.ok",
                Text::with(
                    "provider.wechat.doctor.ok",
                    &[("appid", &w.appid), ("timestamp", &w.timestamp)],
                ),
            ));
        }
        out
    }
}

fn repair_finding(repair: Repair) -> Finding {
    let (key, part) = match repair {
        Repair::PlusFromSpace { part, .. } => ("plus-space", part),
        Repair::PercentDecoded { part } => ("percent", part),
    };
    Finding::new(
        Severity::Warning,
        format!("wechat.decrypt.{key}"),
        Text::with(
            &format!("provider.wechat.doctor.{key}"),
            &[("part", &part.name())],
        ),
    )
    .explanation(Text::key(&format!("provider.wechat.doctor.{key}.why")))
    .fix(Text::key(&format!("provider.wechat.doctor.{key}.fix")))
}

fn cause_finding(cause: &Cause) -> Finding {
    let (id, title) = match cause {
        Cause::NotBase64 { part, position } => (
            "not-base64",
            Text::with(
                "provider.wechat.doctor.not-base64",
                &[("part", &part.name()), ("position", &(position + 1))],
            ),
        ),
        Cause::KeyLength { bytes } => (
            "key-length",
            Text::with("provider.wechat.doctor.key-length", &[("bytes", bytes)]),
        ),
        Cause::IvLength { bytes } => (
            "iv-length",
            Text::with("provider.wechat.doctor.iv-length", &[("bytes", bytes)]),
        ),
        Cause::DataLength { bytes } => (
            "data-length",
            Text::with("provider.wechat.doctor.data-length", &[("bytes", bytes)]),
        ),
        Cause::StaleKey => ("stale-key", Text::key("provider.wechat.doctor.stale-key")),
        Cause::Padding => ("padding", Text::key("provider.wechat.doctor.padding")),
        Cause::IvMismatch => (
            "iv-mismatch",
            Text::key("provider.wechat.doctor.iv-mismatch"),
        ),
        Cause::NotJson => ("not-json", Text::key("provider.wechat.doctor.not-json")),
        Cause::NoWatermark => (
            "no-watermark",
            Text::key("provider.wechat.doctor.no-watermark"),
        ),
        Cause::WatermarkAppid { expected, got } => (
            "watermark-appid",
            Text::with(
                "provider.wechat.doctor.watermark-appid",
                &[("expected", expected), ("got", got)],
            ),
        ),
        Cause::WatermarkTimestamp { age } => (
            "watermark-timestamp",
            Text::with(
                "provider.wechat.doctor.watermark-timestamp",
                &[("age", age)],
            ),
        ),
    };
    Finding::new(Severity::Error, format!("wechat.decrypt.{id}"), title)
        .explanation(Text::key(&format!("provider.wechat.doctor.{id}.why")))
        .fix(Text::key(&format!("provider.wechat.doctor.{id}.fix")))
}

/// WeChat's check of a button's `rawData`: `signature == sha1(rawData + session_key)` (hex),
/// the session key as the base64 text jscode2session gave.
pub fn signature_matches(raw_data: &str, signature: &str, session_key: &str) -> bool {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(raw_data.as_bytes());
    h.update(session_key.trim().as_bytes());
    crate::keys::hex(&h.finalize()).eq_ignore_ascii_case(signature.trim())
}

/// The base64 of `bytes`, as WeChat writes `session_key`, `iv` and `encryptedData`.
pub fn to_base64(bytes: &[u8]) -> String {
    general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
#[path = "doctor_tests.rs"]
mod tests;
