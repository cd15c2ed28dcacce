//! The command-line face: clap arguments, one file per subcommand, documented exit codes.
//!
//! Exit codes (as ripgrep documents its own):
//! - 0: everything succeeded (a signature verified, every step passed);
//! - 1: the provider rejected a step, a signature did not verify, or a lint found an error;
//! - 2: usage, configuration or internal error.
//!
//! Errors are printed with their whole chain (`{:#}`); a closed pipe is not an error.

mod explain;
mod keys;
mod lint;
mod profile;
mod render;
mod run;
mod sandbox;
mod sign;
mod triage;
mod url;
mod verify;

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::finding::Lang;
use crate::limits;

/// A terminal inspector for the Alipay (支付宝) and WeChat (微信) "get the user's profile" OAuth
/// logins.
#[derive(Debug, Parser)]
#[command(
    name = "authwalk",
    version,
    about,
    propagate_version = true,
    after_help = "Without a command, authwalk walks a full Alipay login on its embedded sandbox \
                  (no network, no credentials needed); `authwalk run --help` shows the others."
)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand understands.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Language of explanations: zh or en (default: from the locale).
    #[arg(long, global = true, env = "AUTHWALK_LANG", value_name = "zh|en")]
    pub lang: Option<Lang>,
}

impl Global {
    /// The language to explain in: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(|| {
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
                .map(|locale| Lang::from_locale(&locale))
                .unwrap_or_default()
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign gateway parameters: print the canonical string, its SHA-256 and `sign`.
    Sign(sign::SignArgs),
    /// Verify the signature of an Alipay gateway response.
    Verify(verify::VerifyArgs),
    /// Generate, inspect and convert RSA keys.
    Keys(keys::KeysArgs),
    /// Print an authorize URL (and with --qr a QR code) for Alipay or WeChat.
    Url(url::UrlArgs),
    /// Lint an authorize URL of either provider; exit 1 when a finding is an error.
    Lint(lint::LintArgs),
    /// Explain a field, a value, an error code, or a pasted response.
    Explain(explain::ExplainArgs),
    /// Serve the embedded Alipay and WeChat sandbox and write sandbox.json.
    Sandbox(sandbox::SandboxArgs),
    /// Walk a login headless: on the embedded sandbox, or a real app with --profile.
    Run(run::RunArgs),
    /// Add, list, show and remove app profiles (config.toml).
    Profile(profile::ProfileArgs),
    /// Reconstruct and diagnose a login from a HAR capture or a list of URLs (no network).
    Triage(triage::TriageArgs),
}

/// Run the command line and map the outcome to an exit code.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match args.command {
        // No subcommand: walk a full login on the embedded sandbox, the quickest way to see
        // what authwalk does on a fresh machine.
        None => default_walk(&args.global),
        Some(Command::Sign(a)) => sign::run(&a, &args.global),
        Some(Command::Verify(a)) => verify::run(&a, &args.global),
        Some(Command::Keys(a)) => keys::run(&a, &args.global),
        Some(Command::Url(a)) => url::run(&a, &args.global),
        Some(Command::Lint(a)) => lint::run(&a, &args.global),
        Some(Command::Explain(a)) => explain::run(&a, &args.global),
        Some(Command::Sandbox(a)) => sandbox::run(&a, &args.global),
        Some(Command::Run(a)) => run::run(&a, &args.global),
        Some(Command::Profile(a)) => profile::run(&a, &args.global),
        Some(Command::Triage(a)) => triage::run(&a, &args.global),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Errors quote input (a JSON key, a PEM label): no control character reaches the
            // terminal raw.
            let message = format!("{e:#}");
            let _ = writeln!(
                io::stderr(),
                "authwalk: {}",
                crate::escape::visible_lines(&message)
            );
            ExitCode::from(2)
        }
    }
}

/// `authwalk` alone: `authwalk run alipay-web` on the sandbox, then where to go next.
fn default_walk(global: &Global) -> anyhow::Result<ExitCode> {
    let Some(Command::Run(run)) = Args::try_parse_from(["authwalk", "run", "alipay-web"])?.command
    else {
        anyhow::bail!("internal error: the default walk's own arguments did not parse");
    };
    let code = run::run(&run, global)?;
    let mut out = io::stdout().lock();
    writeln!(out)?;
    writeln!(
        out,
        "Next: authwalk run wechat-web · authwalk run alipay-web --scenario wrong-scope · \
         authwalk explain user_status=Q · authwalk --help"
    )?;
    Ok(code)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

/// Read a file argument (a response, a URL), where `-` means standard input; at most
/// [`limits::MAX_DOCUMENT`] bytes, so `/dev/zero` or an endless pipe is an error, not a hang.
pub(crate) fn read_input(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    read_bounded(path, limits::MAX_DOCUMENT)
}

/// Read a key or certificate file argument (`-` for standard input), at most
/// [`limits::MAX_KEY_FILE`] bytes.
pub(crate) fn read_key(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    read_bounded(path, limits::MAX_KEY_FILE)
}

fn read_bounded(path: &std::path::Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    Ok(if path.as_os_str() == "-" {
        limits::read_limited(io::stdin().lock(), limit, limits::STDIN)?
    } else {
        limits::read_file(path, limit)?
    })
}

/// Read a text argument (a URL file, `-` for standard input), with the path in any error.
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    let bytes = read_input(path)?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}
