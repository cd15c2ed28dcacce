//! `authwalk sign`: sign gateway parameters the way Alipay checks them, and show every
//! intermediate value, so a developer can compare byte for byte with their own code.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use super::{Global, read_key};
use crate::escape::{json_pretty, visible};
use crate::keys::PrivateKey;
use crate::provider::alipay::{Charset, SignType, sign_params};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  authwalk sign --private-key app_private_key.pem \\\n    \
    app_id=2021000000000001 method=alipay.system.oauth.token format=JSON \\\n    \
    timestamp='2024-05-20 12:34:56' version=1.0 grant_type=authorization_code code=4e0f…"
)]
pub struct SignArgs {
    /// The app private key (PEM PKCS#1/PKCS#8 or one-line base64).
    #[arg(long, value_name = "FILE")]
    pub private_key: PathBuf,
    /// RSA2 (SHA256withRSA) or RSA (SHA1withRSA). Added as `sign_type` when not in the params.
    #[arg(long, value_name = "RSA2|RSA")]
    pub sign_type: Option<SignType>,
    /// utf-8 or GBK: the bytes that are signed. Added as `charset` when not in the params.
    #[arg(long, value_name = "utf-8|GBK")]
    pub charset: Option<Charset>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The parameters, as KEY=VALUE. Values are used raw, exactly as given.
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub params: Vec<String>,
}

pub fn run(args: &SignArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    let mut params = parse_params(&args.params)?;
    let mut added = Vec::new();
    let sign_type = resolve(&mut params, "sign_type", args.sign_type, &mut added)?;
    let charset = resolve(&mut params, "charset", args.charset, &mut added)?;

    let key = PrivateKey::parse_bytes(&read_key(&args.private_key)?)
        .with_context(|| format!("{} cannot be used to sign", args.private_key.display()))?;
    let trace = sign_params(&params, sign_type, charset, &key)?;

    let mut out = io::stdout().lock();
    if args.json {
        let doc = json!({
            "canonical": trace.canonical,
            "canonical_sha256": trace.canonical_sha256,
            "sign": trace.signature,
            "sign_type": trace.sign_type,
            "algorithm": trace.algorithm,
            "charset": trace.charset,
            "dropped": trace.dropped,
            "added": added,
            "key": {
                "kind": key.info().kind.to_string(),
                "encoding": key.info().encoding.name(),
                "bits": key.info().bits,
                "fingerprint": key.fingerprint().hex(),
            },
        });
        writeln!(out, "{}", json_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "canonical string ({}, {} bytes):",
            trace.charset,
            trace.canonical.len()
        )?;
        writeln!(out, "{}", visible(&trace.canonical))?;
        writeln!(out)?;
        writeln!(out, "sha256:    {}", trace.canonical_sha256)?;
        writeln!(out, "algorithm: {} ({})", trace.sign_type, trace.algorithm)?;
        writeln!(out, "key:       {}", key.info())?;
        for note in &key.info().notes {
            writeln!(out, "note:      {}", visible(note))?;
        }
        for (k, v) in &added {
            writeln!(
                out,
                "added:     {}={} (not in the parameters; the gateway requires and signs it)",
                visible(k),
                visible(v)
            )?;
        }
        if !trace.dropped.is_empty() {
            writeln!(
                out,
                "dropped:   {} (empty values are neither signed nor sent)",
                visible(&trace.dropped.join(", "))
            )?;
        }
        writeln!(out)?;
        writeln!(out, "sign:")?;
        writeln!(out, "{}", trace.signature)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Split `KEY=VALUE` arguments at the first `=`.
fn parse_params(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => bail!("'{p}' is not KEY=VALUE; write parameters like app_id=2021000000000001"),
        })
        .collect()
}

/// Take a common parameter from the options or the params; they must agree. Missing from the
/// params → added with the option's (or the default) value.
fn resolve<T>(
    params: &mut Vec<(String, String)>,
    name: &str,
    option: Option<T>,
    added: &mut Vec<(String, String)>,
) -> anyhow::Result<T>
where
    T: std::str::FromStr + Default + std::fmt::Display + PartialEq + Copy,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let from_params = params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone());
    match (option, from_params) {
        (Some(opt), Some(given)) => {
            let parsed: T = given.parse().map_err(anyhow::Error::msg)?;
            if parsed != opt {
                bail!(
                    "--{} {opt} contradicts the parameter {name}={given}; give one of them",
                    name.replace('_', "-")
                );
            }
            Ok(opt)
        }
        (None, Some(given)) => given.parse().map_err(anyhow::Error::msg),
        (opt, None) => {
            let value = opt.unwrap_or_default();
            params.push((name.to_owned(), value.to_string()));
            added.push((name.to_owned(), value.to_string()));
            Ok(value)
        }
    }
}
