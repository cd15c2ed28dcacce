//! `authwalk decrypt`: open an encrypted answer pasted from a client. The form is picked by
//! the flags given: `--encrypt-key` opens Alipay's (`my.getPhoneNumber`, `encrypt_type=AES`).

mod alipay;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use super::Global;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 decrypted (and verified when a key was given), 1 the answer \
                  holds an error, its signature does not verify or it does not decrypt, 2 \
                  usage error."
)]
pub struct DecryptArgs {
    /// Alipay: the app's AES key (接口内容加密方式), base64; `-`, `@FILE` or `env:NAME`
    /// keep it out of `ps`.
    #[arg(long, value_name = "REF")]
    pub encrypt_key: Option<String>,
    /// Alipay: the Alipay public key, to check `sign` over the quoted ciphertext.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The pasted answer (`{"response":"…","sign":"…"}` or the bare ciphertext); `-` reads
    /// standard input, `@FILE` a file.
    #[arg(value_name = "DATA", default_value = "-")]
    pub data: String,
}

pub fn run(args: &DecryptArgs, global: &Global) -> anyhow::Result<ExitCode> {
    match &args.encrypt_key {
        Some(key) => alipay::run(args, key, global),
        None => bail!(
            "say which key opens the data: --encrypt-key REF (Alipay's AES key, for \
             my.getPhoneNumber and encrypt_type=AES)"
        ),
    }
}
