//! `authwalk keys`: generate key pairs, inspect what a pasted key really is, convert between
//! the spellings the SDKs want.

use std::io::{self, IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use super::{Global, read_key};
use crate::config::{write_public_file, write_secret_file};
use crate::escape::{json_pretty, visible};
use crate::keys::{self, Armor, Encoding, HashAlg, ParsedKey, PrivateKey, PublicKey};
use crate::provider::alipay::cert;

#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Generate an app key pair: the private key stays with you, the public key goes to the
    /// Alipay console (接口加签方式 → 公钥).
    Gen(GenArgs),
    /// Say what a key is: kind, format, size, fingerprint, and whether it fits its role.
    Inspect(InspectArgs),
    /// Rewrite a key in another format (PKCS#1, PKCS#8, SPKI; PEM or one-line).
    Convert(ConvertArgs),
    /// Pre-flight a profile before any call: keys, formats, app id, redirect_uri, appsecret.
    /// Exit 1 when a check fails.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The profile to check (authwalk profile list).
    #[arg(long, value_name = "NAME")]
    pub profile: String,
    /// The SDK the key goes to: java, python, php, dotnet, node, go (PKCS#8 or PKCS#1).
    #[arg(long, value_name = "LANG")]
    pub sdk: Option<crate::preflight::Sdk>,
    /// The registered callback domain (WeChat 网页授权域名) or URL (Alipay 授权回调地址).
    #[arg(long, value_name = "DOMAIN|URL")]
    pub domain: Option<String>,
    /// Print the facts and findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Output formats, named as people know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// PKCS#8 `PRIVATE KEY` (Java SDK).
    Pkcs8,
    /// PKCS#1 `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (Python and PHP SDKs).
    Pkcs1,
    /// X.509 SubjectPublicKeyInfo `PUBLIC KEY` (what the console shows).
    Spki,
}

/// Formats a private key can be written in: what `keys gen --format` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrivateFormat {
    /// PKCS#8 `PRIVATE KEY` (Java SDK).
    Pkcs8,
    /// PKCS#1 `RSA PRIVATE KEY` (Python and PHP SDKs).
    Pkcs1,
}

#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// Key size in bits (1024 to 4096); Alipay RSA2 needs 2048.
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Folder to write app_private_key.pem (mode 0600) and app_public_key.pem into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Format of the private key file (the public key is always written as SPKI).
    #[arg(long, value_enum, default_value = "pkcs8")]
    pub format: PrivateFormat,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Key files to describe (any role).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The app private key (应用私钥): must be private and big enough for RSA2.
    #[arg(long, value_name = "FILE")]
    pub app_private_key: Option<PathBuf>,
    /// The Alipay public key (支付宝公钥): must be public, and not the app's own.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The key to convert.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Target format.
    #[arg(long, value_enum)]
    pub to: Format,
    /// Write bare one-line base64 (as the console and key tool show keys) instead of PEM.
    #[arg(long)]
    pub one_line: bool,
    /// Output the public half of a private key.
    #[arg(long)]
    pub public: bool,
    /// Where to write; private keys are written with mode 0600. Default: standard output
    /// (refused for a private key when that is a terminal).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &KeysArgs, global: &Global) -> anyhow::Result<ExitCode> {
    match &args.command {
        KeysCommand::Gen(a) => generate(a),
        KeysCommand::Inspect(a) => inspect(a),
        KeysCommand::Convert(a) => convert(a),
        KeysCommand::Check(a) => check(a, global),
    }
}

/// `keys check --profile NAME`: the profile's pre-flight, exit 1 when a check fails.
fn check(args: &CheckArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let path = crate::config::profile::config_path()?;
    let profile = crate::config::profile::load(&path, &args.profile)?;
    let report = crate::preflight::check(
        &profile,
        &crate::preflight::Options {
            sdk: args.sdk,
            domain: args.domain.clone(),
        },
    );
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json_pretty(&report)?)?;
    } else {
        writeln!(out, "profile {}", visible(&args.profile))?;
        for (label, value) in &report.facts {
            writeln!(out, "  {label}: {}", visible(value))?;
        }
        writeln!(out)?;
        if report.findings.is_empty() {
            let ok = crate::lang::tr(global.lang(), "cli.keys.every-check-passed");
            writeln!(out, "{ok}")?;
        } else {
            super::lint::print_findings(&mut out, &report.findings, global)?;
        }
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn generate(args: &GenArgs) -> anyhow::Result<ExitCode> {
    if !(1024..=4096).contains(&args.bits) {
        bail!(
            "--bits {} is out of range; use 2048 (Alipay RSA2), at most 4096",
            args.bits
        );
    }
    let encoding = match args.format {
        PrivateFormat::Pkcs8 => Encoding::Pkcs8,
        PrivateFormat::Pkcs1 => Encoding::Pkcs1,
    };
    let private_path = args.out.join("app_private_key.pem");
    let public_path = args.out.join("app_public_key.pem");
    if !args.force {
        for p in [&private_path, &public_path] {
            if p.exists() {
                bail!("{} already exists; pass --force to replace it", p.display());
            }
        }
    }
    crate::config::create_private_dir(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let key = PrivateKey::generate(args.bits)?;
    let public = key.public_key();
    write_secret_file(
        &private_path,
        key.encode(encoding, Armor::Pem)?.as_bytes(),
        args.force,
    )
    .with_context(|| format!("cannot write {}", private_path.display()))?;
    write_public_file(
        &public_path,
        public.encode(Encoding::Spki, Armor::Pem)?.as_bytes(),
        args.force,
    )
    .with_context(|| format!("cannot write {}", public_path.display()))?;

    let mut out = io::stdout().lock();
    writeln!(
        out,
        "private key: {} ({}, mode 0600; keep it secret)",
        private_path.display(),
        encoding.name()
    )?;
    writeln!(out, "public key:  {}", public_path.display())?;
    writeln!(out, "fingerprint: {}", key.fingerprint())?;
    if args.bits < 2048 {
        writeln!(
            out,
            "warning:     {}",
            keys::KeyError::TooSmallForRsa2 { bits: args.bits }
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        crate::lang::tr(crate::lang::Lang::EN, "cli.keys.paste-app-public-key")
    )?;
    writeln!(out, "{}", public.encode(Encoding::Spki, Armor::OneLine)?)?;
    Ok(ExitCode::SUCCESS)
}

/// One inspected key, or why it is unusable.
struct Report {
    path: PathBuf,
    role: Option<&'static str>,
    key: Result<ParsedKey, keys::KeyError>,
    problems: Vec<String>,
    /// Certificate mode: the SN of the (first) certificate, and of the bundle as a root SN.
    cert_sn: Option<String>,
    root_cert_sn: Option<String>,
    /// Certificate mode: the SN as each SDK computes it (of the bundle, for a bundle).
    sdk_sns: Vec<cert::sdks::SdkSn>,
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    if args.files.is_empty() && args.app_private_key.is_none() && args.alipay_public_key.is_none() {
        bail!("give key files to inspect, or --app-private-key / --alipay-public-key");
    }
    let mut reports = Vec::new();
    for path in &args.files {
        reports.push(load(path, None)?);
    }
    let app = args
        .app_private_key
        .as_deref()
        .map(|p| load(p, Some("app private key")))
        .transpose()?;
    let alipay = args
        .alipay_public_key
        .as_deref()
        .map(|p| load(p, Some("Alipay public key")))
        .transpose()?;
    let app_private = if let Some(mut report) = app {
        match &report.key {
            Ok(ParsedKey::Public(_)) => report
                .problems
                .push(keys::KeyError::ExpectedPrivate.to_string()),
            Ok(ParsedKey::Private(k)) => {
                if let Err(e) = k.check_size_for(HashAlg::Sha256) {
                    report.problems.push(e.to_string());
                }
            }
            Err(_) => {}
        }
        let key = match &report.key {
            Ok(ParsedKey::Private(k)) => Some((**k).clone()),
            _ => None,
        };
        reports.push(report);
        key
    } else {
        None
    };
    if let Some(mut report) = alipay {
        match &report.key {
            Ok(ParsedKey::Private(_)) => report
                .problems
                .push(keys::KeyError::ExpectedPublic.to_string()),
            Ok(ParsedKey::Public(k)) => {
                if let Some(app) = &app_private
                    && let Err(e) = keys::check_alipay_public_key(k, app)
                {
                    report.problems.push(e.to_string());
                }
            }
            Err(_) => {}
        }
        reports.push(report);
    }

    let ok = reports
        .iter()
        .all(|r| r.key.is_ok() && r.problems.is_empty());
    let mut out = io::stdout().lock();
    if args.json {
        let doc: Vec<_> = reports.iter().map(report_json).collect();
        writeln!(out, "{}", json_pretty(&doc)?)?;
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            print_report(&mut out, r)?;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load(path: &Path, role: Option<&'static str>) -> anyhow::Result<Report> {
    let bytes = read_key(path)?;
    let key = keys::parse_bytes(&bytes);
    let text = String::from_utf8_lossy(&bytes);
    let is_cert = matches!(&key, Ok(k) if k.info().encoding == Encoding::Certificate);
    let (cert_sn, root_cert_sn, sdk_sns) = if is_cert {
        let count = cert::certificates(&text).map_or(0, |c| c.len());
        (
            cert::cert_sn_pem(&text).ok(),
            (count > 1)
                .then(|| cert::root_cert_sn(&text).ok())
                .flatten(),
            cert::sdks::by_sdk(&text, count > 1).unwrap_or_default(),
        )
    } else {
        (None, None, Vec::new())
    };
    Ok(Report {
        path: path.to_owned(),
        role,
        key,
        problems: Vec::new(),
        cert_sn,
        root_cert_sn,
        sdk_sns,
    })
}

fn print_report(out: &mut impl Write, r: &Report) -> io::Result<()> {
    match r.role {
        Some(role) => writeln!(out, "{} ({role})", visible(&r.path.display().to_string()))?,
        None => writeln!(out, "{}", visible(&r.path.display().to_string()))?,
    }
    match &r.key {
        Ok(key) => {
            let info = key.info();
            writeln!(out, "  kind:        RSA {}", info.kind)?;
            writeln!(
                out,
                "  format:      {} {}",
                info.encoding.name(),
                info.armor
            )?;
            writeln!(out, "  size:        {} bits", info.bits)?;
            writeln!(out, "  fingerprint: {}", info.fingerprint)?;
            if let ParsedKey::Private(_) = key {
                writeln!(
                    out,
                    "  (the fingerprint is of the matching public key, so pairs share it)"
                )?;
            }
            for note in &info.notes {
                writeln!(out, "  note:        {}", visible(note))?;
            }
            if let Some(sn) = &r.cert_sn {
                writeln!(
                    out,
                    "  cert SN:     {sn} (app_cert_sn / alipay_cert_sn of this certificate)"
                )?;
            }
            if let Some(sn) = &r.root_cert_sn {
                writeln!(
                    out,
                    "  root SN:     {sn} (alipay_root_cert_sn of this bundle)"
                )?;
            }
            print_sdk_sns(out, &r.sdk_sns)?;
            if info.bits < 2048 {
                writeln!(
                    out,
                    "  warning:     {}",
                    keys::KeyError::TooSmallForRsa2 { bits: info.bits }
                )?;
            }
        }
        Err(e) => writeln!(out, "  error:       {}", visible(&e.to_string()))?,
    }
    for p in &r.problems {
        writeln!(out, "  error:       {}", visible(p))?;
    }
    Ok(())
}

/// The SN each SDK computes, and why one differs from Alipay's (the Java SDK's).
fn print_sdk_sns(out: &mut impl Write, sns: &[cert::sdks::SdkSn]) -> io::Result<()> {
    if sns.is_empty() {
        return Ok(());
    }
    writeln!(out, "  SN by SDK:")?;
    for s in sns {
        let sn = match &s.sn {
            Ok(sn) => sn.clone(),
            Err(e) => e.clone(),
        };
        let mark = if s.differs { "differs" } else { "same" };
        writeln!(out, "    {:<16} {} ({mark})", s.sdk.name(), visible(&sn))?;
        if let Some(why) = &s.why {
            writeln!(out, "      {}", visible(why))?;
        }
    }
    Ok(())
}

fn report_json(r: &Report) -> serde_json::Value {
    let mut problems = r.problems.clone();
    let key = match &r.key {
        Ok(key) => {
            let info = key.info();
            json!({
                "kind": match info.kind { keys::KeyKind::Private => "private", keys::KeyKind::Public => "public" },
                "encoding": info.encoding.name(),
                "armor": info.armor.to_string(),
                "bits": info.bits,
                "fingerprint": info.fingerprint.hex(),
                "notes": info.notes,
            })
        }
        Err(e) => {
            problems.insert(0, e.to_string());
            serde_json::Value::Null
        }
    };
    json!({
        "path": r.path.display().to_string(),
        "role": r.role,
        "key": key,
        "cert_sn": r.cert_sn,
        "root_cert_sn": r.root_cert_sn,
        "sdk_sns": r.sdk_sns,
        "problems": problems,
    })
}

fn convert(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let parsed = keys::parse_bytes(&read_key(&args.file)?)
        .with_context(|| format!("{} is not a usable key", args.file.display()))?;
    let armor = if args.one_line {
        Armor::OneLine
    } else {
        Armor::Pem
    };
    let (output, secret) = match (&parsed, args.public) {
        (ParsedKey::Private(k), false) => {
            let encoding = match args.to {
                Format::Pkcs8 => Encoding::Pkcs8,
                Format::Pkcs1 => Encoding::Pkcs1,
                Format::Spki => bail!(
                    "a private key cannot be written as SPKI; add --public to write its public key"
                ),
            };
            (k.encode(encoding, armor)?, true)
        }
        (ParsedKey::Private(k), true) => (public_as(&k.public_key(), args.to, armor)?, false),
        (ParsedKey::Public(k), _) => (public_as(k, args.to, armor)?, false),
    };
    let output = if args.one_line {
        format!("{output}\n")
    } else {
        output
    };
    match &args.out {
        Some(path) if path.as_os_str() != "-" => {
            let write = if secret {
                write_secret_file
            } else {
                write_public_file
            };
            write(path, output.as_bytes(), args.force).with_context(|| {
                if path.exists() && !args.force {
                    format!(
                        "{} already exists; pass --force to replace it",
                        path.display()
                    )
                } else {
                    format!("cannot write {}", path.display())
                }
            })?;
            // A note for the person, not output: a closed stderr is no reason to fail.
            let _ = writeln!(
                io::stderr(),
                "wrote {}{}",
                path.display(),
                if secret { " (mode 0600)" } else { "" }
            );
        }
        _ => {
            refuse_terminal(secret, io::stdout().is_terminal())?;
            io::stdout().lock().write_all(output.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A private key is never printed to a terminal (its scrollback, a shared screen): standard
/// output, with no `--out` or with `--out -`, must be a pipe or a file.
fn refuse_terminal(secret: bool, stdout_is_terminal: bool) -> anyhow::Result<()> {
    if secret && stdout_is_terminal {
        bail!(
            "refusing to print a private key to the terminal; write it to a file with \
             --out FILE (created 0600), or pipe the output"
        );
    }
    Ok(())
}

fn public_as(key: &PublicKey, to: Format, armor: Armor) -> anyhow::Result<String> {
    let encoding = match to {
        Format::Spki | Format::Pkcs8 => Encoding::Spki,
        Format::Pkcs1 => Encoding::Pkcs1,
    };
    Ok(key.encode(encoding, armor)?)
}

#[cfg(test)]
mod tests {
    use super::refuse_terminal;

    #[test]
    fn a_private_key_never_goes_to_a_terminal() {
        let e = refuse_terminal(true, true).unwrap_err().to_string();
        assert!(e.contains("refusing to print a private key"), "{e}");
        refuse_terminal(true, false).unwrap();
        refuse_terminal(false, true).unwrap();
    }
}
