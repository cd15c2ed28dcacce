//! The mini program's decryption as every face shows it: the input, the key, the IV, the
//! plaintext and the watermark, with what the doctor found.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Policy;
use crate::finding::Finding;
use crate::flow::Flow;

/// The decryption step, masked as the rest of the walk (the `session_key` is a secret; the
/// IV, the ciphertext and the plaintext are not).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecryptionView {
    /// Decrypted, and the watermark checked out.
    pub ok: bool,
    /// `encryptedData`: its length in base64 characters and, once decoded, in bytes.
    pub input_chars: usize,
    pub input_bytes: Option<usize>,
    /// The start of `encryptedData` as received, to recognise it.
    pub input_head: String,
    /// The `session_key`, masked unless revealed, and its length once decoded.
    pub key: String,
    pub key_bytes: Option<usize>,
    /// The `iv` as received and in hex.
    pub iv: String,
    pub iv_hex: Option<String>,
    /// What the doctor repaired before it decoded (`plus-from-space`, `percent-decoded`).
    pub repairs: Vec<Value>,
    /// The decrypted JSON, when it decrypted.
    pub plaintext: Option<Value>,
    /// The watermark's `appid` and `timestamp`, and the appid it must name.
    pub watermark: Option<Value>,
    pub expected_appid: String,
    /// The cause's id (`stale-key`, `iv-length` …) when something failed.
    pub cause: Option<String>,
    /// Whether the button's signature is `sha1(rawData + session_key)`, when both were given.
    #[serde(default)]
    pub signature: Option<bool>,
    pub findings: Vec<Finding>,
}

/// The decryption of `flow`, if its walk has one.
pub(super) fn view(flow: &Flow, policy: Policy) -> Option<DecryptionView> {
    let ctx = flow.ctx();
    let report = ctx.decryption.as_ref()?;
    let param = |k: &str| {
        ctx.callback_params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let key = ctx
        .session_key
        .as_ref()
        .map(|k| k.value.clone())
        .unwrap_or_default();
    let appid = match flow.app() {
        crate::flow::App::Wechat(w) => w.appid.clone(),
        crate::flow::App::Alipay(a) => a.app_id.clone(),
    };
    Some(of_report(
        report,
        &key,
        &param("iv"),
        &param("encryptedData"),
        &appid,
        policy,
    ))
}

/// Pasted values (`authwalk decrypt`): the doctor over them, shown as a walk's decryption.
/// `now` (Unix seconds) turns on the watermark's age check.
#[expect(
    clippy::too_many_arguments,
    reason = "the pasted values and the checks asked for, each a flag of `authwalk decrypt`"
)]
pub fn decrypt_pasted(
    session_key: &str,
    iv: &str,
    encrypted_data: &str,
    appid: Option<&str>,
    now: Option<i64>,
    max_age: i64,
    signed: Option<(&str, &str)>,
    policy: Policy,
) -> DecryptionView {
    use crate::provider::wechat::doctor::{DecryptInput, diagnose};
    let report = diagnose(&DecryptInput {
        session_key,
        iv,
        encrypted_data,
        appid,
        now,
        max_age,
    });
    let report = match signed {
        Some((raw, signature)) => report.with_signature(raw, signature, session_key),
        None => report,
    };
    of_report(
        &report,
        session_key,
        iv,
        encrypted_data,
        appid.unwrap_or_default(),
        policy,
    )
}

fn of_report(
    report: &crate::provider::wechat::doctor::Report,
    key: &str,
    iv: &str,
    data: &str,
    appid: &str,
    policy: Policy,
) -> DecryptionView {
    DecryptionView {
        ok: report.ok(),
        input_chars: data.chars().count(),
        input_bytes: report.data_bytes,
        input_head: data.chars().take(24).collect(),
        key: policy.secret(key),
        key_bytes: report.key_bytes,
        iv: iv.to_owned(),
        iv_hex: report.iv_hex.clone(),
        repairs: report.repairs.iter().map(to_value).collect(),
        plaintext: report.plaintext.as_ref().map(|p| policy.json(p)),
        watermark: report.watermark.as_ref().map(to_value),
        expected_appid: appid.to_owned(),
        signature: report.signature,
        cause: report.cause.as_ref().map(|c| {
            to_value(c)
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        }),
        findings: report.findings(),
    }
}

/// One of the doctor's plain values as JSON.
fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}
