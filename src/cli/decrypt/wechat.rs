//! `authwalk decrypt --session-key … --iv … DATA`: a WeChat mini program's `encryptedData`.

use std::io::Write as _;
use std::process::ExitCode;

use super::DecryptArgs;
use crate::cli::Global;
use crate::cli::render::{Printer, Style};
use crate::cli::secret_arg::{System, resolve_all};
use crate::present::{Policy, decrypt_pasted};

pub(super) fn run(
    args: &DecryptArgs,
    key: &str,
    iv: &str,
    global: &Global,
) -> anyhow::Result<ExitCode> {
    let data = match args.data.trim() {
        "-" if key.trim() == "-" => anyhow::bail!(
            "--session-key and DATA both ask to read standard input; give the key as @FILE or \
             env:NAME"
        ),
        "-" => crate::cli::read_text(std::path::Path::new("-"))?,
        d => match d.strip_prefix('@') {
            Some(path) => crate::cli::read_text(std::path::Path::new(path))?,
            None => d.to_owned(),
        },
    };
    let [key] = resolve_all([("--session-key", Some(key))], &mut System)?;
    let key = key.unwrap_or_default();
    let now = args
        .max_age
        .map(|_| time::OffsetDateTime::now_utc().unix_timestamp());
    let view = decrypt_pasted(
        &key,
        iv,
        &data,
        args.appid.as_deref(),
        now,
        args.max_age.unwrap_or_default(),
        args.raw_data.as_deref().zip(args.signature.as_deref()),
        Policy {
            reveal: args.reveal,
        },
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", crate::escape::json_pretty(&view)?)?;
    } else {
        let mut printer = Printer::new(out, Style::detect(args.json), global.lang());
        printer.decryption_block(&view)?;
    }
    Ok(if view.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
