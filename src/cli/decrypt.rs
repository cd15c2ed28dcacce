//! `authwalk decrypt`: open what a mini program's client passed on, pasted by hand, and name
//! the cause when it fails. One set of arguments for every provider's form, picked by the flags
//! given; this file only dispatches (Alipay: `--encrypt-key`; WeChat: `--session-key … --iv …`).

mod alipay;
mod wechat;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use super::Global;

/// `authwalk decrypt --encrypt-key REF DATA` or `authwalk decrypt --session-key REF --iv IV DATA`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    authwalk decrypt --encrypt-key env:ALIPAY_AES_KEY --alipay-public-key alipay_public_key.pem \
    @phone.json\n  \
    authwalk decrypt --session-key env:SESSION_KEY --iv 'r7BXXKkLb8qrSNn05n0qiA==' \
    --appid wx5a1d0c0ffee00003 @encrypted.txt\n  \
    pbpaste | authwalk decrypt --session-key @session_key.txt --iv … -\n\n\
    Exit status: 0 decrypted and checked, 1 it did not (the cause is named: an error inside the \
    answer, a signature that does not verify, data that does not decrypt), 2 usage error.")]
pub struct DecryptArgs {
    /// Alipay: the app's AES key (接口内容加密方式), base64; `-`, `@FILE` or `env:NAME`
    /// keep it out of `ps`.
    #[arg(long, value_name = "REF", conflicts_with_all = ["session_key", "iv"])]
    pub encrypt_key: Option<String>,
    /// Alipay: the Alipay public key, to check `sign` over the quoted ciphertext.
    #[arg(long, value_name = "FILE", requires = "encrypt_key")]
    pub alipay_public_key: Option<PathBuf>,
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
    /// The data: Alipay's pasted answer (`{"response":"…","sign":"…"}` or the bare
    /// ciphertext), WeChat's `encryptedData` (base64); `-` reads standard input, `@FILE` a file.
    #[arg(value_name = "DATA", default_value = "-")]
    pub data: String,
}

pub fn run(args: &DecryptArgs, global: &Global) -> anyhow::Result<ExitCode> {
    match (&args.encrypt_key, &args.session_key, &args.iv) {
        (Some(key), _, _) => alipay::run(args, key, global),
        (None, Some(key), Some(iv)) => wechat::run(args, key, iv, global),
        (None, Some(_), None) => {
            bail!("--session-key needs --iv: the iv that came with the encryptedData (base64)")
        }
        (None, None, _) => bail!(
            "say whose data this is and which key opens it: Alipay's with --encrypt-key REF (the \
             app's AES key, for my.getPhoneNumber and encrypt_type=AES), or WeChat's with \
             --session-key REF --iv IV (the session_key from jscode2session and the iv from the \
             button)"
        ),
    }
}
