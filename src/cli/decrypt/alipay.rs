//! `authwalk decrypt --encrypt-key REF DATA`: verify and decrypt Alipay's AES answer
//! (`my.getPhoneNumber`), and explain an error found inside.

use std::io::{self, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;

use super::DecryptArgs;
use crate::cli::secret_arg::{self, System};
use crate::cli::{Global, read_input, read_key};
use crate::escape::{json_pretty, visible, visible_lines};
use crate::keys::PublicKey;
use crate::lang::{tr, tr_fill};
use crate::provider::alipay::aes::EncryptKey;
use crate::provider::alipay::phone::{self, SignCheck};

fn read_data(data: &str, stdin_taken: bool) -> anyhow::Result<String> {
    let bytes = if data.trim() == "-" {
        if stdin_taken {
            anyhow::bail!(
                "--encrypt-key and DATA both ask to read standard input; give the key as @FILE \
                 or env:NAME"
            );
        }
        read_input(std::path::Path::new("-"))?
    } else if let Some(path) = data.strip_prefix('@') {
        read_input(std::path::Path::new(path))?
    } else {
        return Ok(data.to_owned());
    };
    String::from_utf8(bytes).context("the data is not UTF-8 text")
}

/// `--alipay-public-key`, read and parsed, when given.
fn alipay_public_key(args: &DecryptArgs) -> anyhow::Result<Option<PublicKey>> {
    args.alipay_public_key
        .as_ref()
        .map(|path| {
            PublicKey::parse_bytes(&read_key(path)?).with_context(|| {
                format!("{} cannot be used as the Alipay public key", path.display())
            })
        })
        .transpose()
}

pub(super) fn run(args: &DecryptArgs, key_ref: &str, global: &Global) -> anyhow::Result<ExitCode> {
    let lang = global.lang();
    let key_text = secret_arg::resolve("--encrypt-key", key_ref, &mut System)?;
    let key = EncryptKey::parse(&key_text).context("--encrypt-key")?;
    let alipay_key = alipay_public_key(args)?;
    let data = read_data(&args.data, key_ref.trim() == "-")?;
    let envelope = phone::parse_envelope(&data)?;
    let opened = phone::open(&envelope, Some(&key), alipay_key.as_ref());
    let finding = opened.error.as_ref().and_then(|(_, sub_code, _)| {
        crate::present::explain::finding(crate::provider::Provider::Alipay, sub_code)
    });
    let ok = opened.plaintext.is_ok()
        && opened.error.is_none()
        && !matches!(opened.signature, SignCheck::Mismatch);
    let signature = match opened.signature {
        SignCheck::Verified => "verified",
        SignCheck::Mismatch => "mismatch",
        SignCheck::Unsigned => "unsigned",
        SignCheck::NotChecked => "not_checked",
    };
    let mut out = io::stdout().lock();
    if args.json {
        let doc = json!({
            "signature": signature,
            "signed_text": envelope.signed_text,
            "sign_type": envelope.sign_type.as_str(),
            "plaintext": opened.plaintext.as_ref().ok(),
            "decrypt_error": opened.plaintext.as_ref().err().map(ToString::to_string),
            "decoded": opened.decoded,
            "mobile": opened.mobile,
            "error": opened.error.as_ref().map(|(code, sub_code, sub_msg)| json!({
                "code": code, "sub_code": sub_code, "sub_msg": sub_msg,
            })),
            "findings": finding.iter().collect::<Vec<_>>(),
        });
        writeln!(out, "{}", json_pretty(&doc)?)?;
    } else {
        if let Some(text) = &envelope.signed_text {
            writeln!(out, "{}", tr(lang, "cli.decrypt.signed-text"))?;
            writeln!(out, "{}", visible_lines(text))?;
        }
        let key = format!("cli.decrypt.signature-{signature}");
        writeln!(out, "{}", tr(lang, &key.replace('_', "-")))?;
        match &opened.plaintext {
            Ok(plain) => {
                writeln!(out, "{}", tr(lang, "cli.decrypt.plaintext"))?;
                writeln!(out, "{}", visible_lines(plain))?;
            }
            Err(e) => writeln!(
                out,
                "{}",
                tr_fill(lang, "cli.decrypt.failed", &[("cause", &e.to_string())])
            )?,
        }
        if let Some(mobile) = &opened.mobile {
            writeln!(
                out,
                "{}",
                tr_fill(lang, "cli.decrypt.mobile", &[("mobile", &visible(mobile))])
            )?;
        }
        if let Some((code, sub_code, sub_msg)) = &opened.error {
            writeln!(
                out,
                "{}",
                tr_fill(
                    lang,
                    "cli.decrypt.error-inside",
                    &[
                        ("code", &visible(code)),
                        ("sub_code", &visible(sub_code)),
                        ("sub_msg", &visible(sub_msg)),
                    ],
                )
            )?;
        }
        if let Some(f) = &finding {
            writeln!(out, "  {}", f.title.get(lang))?;
            if !f.explanation.get(lang).is_empty() {
                writeln!(out, "  {}", f.explanation.get(lang))?;
            }
            if !f.fix.get(lang).is_empty() {
                writeln!(
                    out,
                    "  {}",
                    tr_fill(lang, "cli.decrypt.fix", &[("fix", f.fix.get(lang))])
                )?;
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
