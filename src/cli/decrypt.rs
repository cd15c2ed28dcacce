//! `authwalk decrypt`: decrypt a mini program's encrypted data pasted by hand, with the doctor
//! naming the cause when it fails. One set of arguments for every provider's form; this file
//! only dispatches (WeChat: `--session-key … --iv …`).

mod wechat;

use std::process::ExitCode;

use clap::Args;

use super::Global;

/// `authwalk decrypt --session-key REF --iv IV DATA`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  authwalk decrypt --session-key env:SESSION_KEY --iv \
                        'r7BXXKkLb8qrSNn05n0qiA==' --appid wx5a1d0c0ffee00003 @encrypted.txt\n  \
                        pbpaste | authwalk decrypt --session-key @session_key.txt --iv … -\n\n\
                        Exit status: 0 decrypted and checked, 1 it did not (the cause is named), \
                        2 usage error."
)]
pub struct DecryptArgs {
    /// WeChat: the `session_key` jscode2session gave (a secret): `-` (standard input),
    /// `@FILE`, `env:NAME`, or the value itself.
    #[arg(long, value_name = "REF")]
    pub session_key: Option<String>,
    /// WeChat: the `iv` that came with the data (base64).
    #[arg(long, value_name = "IV", requires = "session_key")]
    pub iv: Option<String>,
    /// WeChat: the mini program's appid, which the watermark must name.
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,
    /// WeChat: the button's `rawData`, to check its `signature` with the session key.
    #[arg(long, value_name = "JSON", requires = "signature")]
    pub raw_data: Option<String>,
    /// WeChat: the button's `signature` (sha1 of rawData + session_key, hex).
    #[arg(long, value_name = "HEX", requires = "raw_data")]
    pub signature: Option<String>,
    /// WeChat: fail when the watermark is older than this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<i64>,
    /// Print the session_key unmasked.
    #[arg(long)]
    pub reveal: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// The encrypted data (`encryptedData`, base64): `-` (standard input), `@FILE`, or the
    /// value itself.
    #[arg(value_name = "DATA")]
    pub data: String,
}

pub fn run(args: &DecryptArgs, global: &Global) -> anyhow::Result<ExitCode> {
    match (&args.session_key, &args.iv) {
        (Some(key), Some(iv)) => wechat::run(args, key, iv, global),
        (Some(_), None) => anyhow::bail!(
            "--session-key needs --iv: the iv that came with the encryptedData (base64)"
        ),
        (None, _) => anyhow::bail!(
            "say whose data this is: WeChat's with --session-key REF --iv IV (the session_key \
             from jscode2session and the iv from the button)"
        ),
    }
}
