//! `authwalk verify`: locate the exact text Alipay signed in a gateway response and check its
//! signature, saying why when it fails.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use super::{Global, read_input, read_key};
use crate::escape::{json_pretty, visible, visible_lines};
use crate::keys::{self, ParsedKey, PublicKey};
use crate::provider::alipay::{Charset, SignType, verify_response};

#[derive(Debug, clap::Args)]
#[command(after_help = "Exit status: 0 verified, 1 signature mismatch or unsigned, 2 usage error.")]
pub struct VerifyArgs {
    /// The Alipay public key (支付宝公钥) of this app and environment.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: PathBuf,
    /// The API called, e.g. alipay.user.info.share (default: the first `…_response` node).
    #[arg(long, value_name = "NAME")]
    pub method: Option<String>,
    /// The sign_type of the request: RSA2 or RSA.
    #[arg(long, value_name = "RSA2|RSA", default_value = "RSA2")]
    pub sign_type: SignType,
    /// The charset of the request: utf-8 or GBK.
    #[arg(long, value_name = "utf-8|GBK", default_value = "utf-8")]
    pub charset: Charset,
    /// The app's own key (private or public), to catch it being used as the Alipay key.
    #[arg(long, value_name = "FILE")]
    pub app_key: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show tokens and codes in the signed text in full instead of masked (`abcd…`); the
    /// signature is checked on the full text either way.
    #[arg(long)]
    pub reveal: bool,
    /// The response body; `-` or nothing reads standard input.
    #[arg(value_name = "RESPONSE_FILE|-", default_value = "-")]
    pub response: PathBuf,
}

pub fn run(args: &VerifyArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    let key = PublicKey::parse_bytes(&read_key(&args.alipay_public_key)?).with_context(|| {
        format!(
            "{} cannot be used as the Alipay public key",
            args.alipay_public_key.display()
        )
    })?;
    if let Some(app_key) = &args.app_key {
        let app = keys::parse_bytes(&read_key(app_key)?)
            .with_context(|| format!("{} is not a usable key", app_key.display()))?;
        let same = match &app {
            ParsedKey::Private(k) => keys::check_alipay_public_key(&key, k).is_err(),
            ParsedKey::Public(k) => k.fingerprint() == key.fingerprint(),
        };
        if same {
            return Err(keys::KeyError::AppKeyAsAlipayKey)
                .with_context(|| args.alipay_public_key.display().to_string());
        }
    }
    let body = read_input(&args.response)?;
    // Nothing to verify is a usage error (exit 2), as it is for `explain`, not a mismatch.
    if String::from_utf8_lossy(&body)
        .trim_start_matches('\u{feff}')
        .trim()
        .is_empty()
    {
        bail!(
            "{} is empty: paste the raw response body (or pass a file, or `-` for stdin)",
            if args.response.as_os_str() == "-" {
                "standard input".to_owned()
            } else {
                args.response.display().to_string()
            }
        );
    }
    let mut v = verify_response(
        &body,
        args.method.as_deref(),
        args.sign_type,
        args.charset,
        &key,
    );
    let signed_len = v.signed_text.as_ref().map(String::len);
    let masked = !args.reveal && mask_secrets(&mut v);
    let mut out = io::stdout().lock();
    if args.json {
        let doc = json!({
            "outcome": v.outcome.id(),
            "reason": v.reason,
            "node": v.node,
            "signed_text": v.signed_text,
            "checked_text": v.checked_text,
            "sign": v.sign,
            "alipay_cert_sn": v.cert_sn,
            "sign_type": v.sign_type.as_str(),
            "key_fingerprint": v.key_fingerprint,
        });
        writeln!(out, "{}", json_pretty(&doc)?)?;
    } else {
        match &v.node {
            Some(node) => writeln!(out, "node:    {}", visible(node))?,
            None => writeln!(out, "node:    (none found)")?,
        }
        if let Some(text) = &v.signed_text {
            writeln!(
                out,
                "signed text ({} bytes, exactly as transmitted{}):",
                signed_len.unwrap_or(text.len()),
                if masked {
                    "; tokens masked, --reveal shows them"
                } else {
                    ""
                }
            )?;
            writeln!(out, "{}", visible_lines(text))?;
        }
        if let Some(text) = &v.checked_text {
            writeln!(out, "checked text (after replacing \\/ with /):")?;
            writeln!(out, "{}", visible_lines(text))?;
        }
        if let Some(sn) = &v.cert_sn {
            writeln!(
                out,
                "alipay_cert_sn: {} (not part of the signed text)",
                visible(sn)
            )?;
        }
        writeln!(out, "key:     {}", key.info())?;
        writeln!(out, "outcome: {}", v.outcome.label())?;
        writeln!(out, "reason:  {}", visible(&v.reason))?;
    }
    Ok(if v.outcome.is_verified() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Mask tokens in the signed and checked texts (for display only: the check is done), as
/// `run` does. Returns whether anything was masked.
fn mask_secrets(v: &mut crate::provider::alipay::Verification) -> bool {
    let mut masked = false;
    for text in [&mut v.signed_text, &mut v.checked_text]
        .into_iter()
        .flatten()
    {
        if let std::borrow::Cow::Owned(shown) = crate::redact::redact_json_text(text) {
            *text = shown;
            masked = true;
        }
    }
    masked
}
