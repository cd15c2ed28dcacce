//! The command-line face: clap arguments, one file per subcommand, documented exit codes.
//!
//! Exit codes (as ripgrep documents its own):
//! - 0: everything succeeded (a signature verified, every step passed);
//! - 1: the provider rejected a step, a signature did not verify, or a lint found an error;
//! - 2: usage, configuration or internal error.
//!
//! Errors are printed with their whole chain (`{:#}`); a closed pipe is not an error.

mod capture;
mod code;
mod decrypt;
mod diff;
mod explain;
mod keys;
mod lint;
mod profile;
mod render;
mod replay;
mod run;
mod sandbox;
mod secret_arg;
mod sign;
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
    after_help = "Without a command, authwalk opens the inspector on a terminal: pick a login and \
                  walk it step by step on the embedded sandbox (no network, no credentials \
                  needed). When the output is not a terminal it prints the walk instead. \
                  `authwalk run --help` walks headless."
)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub inspect: InspectArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand understands.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Language of explanations: zh, en or a language file's tag (default: from the locale).
    #[arg(long, global = true, env = "AUTHWALK_LANG", value_name = "zh|en|TAG")]
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

/// The inspector's options (`authwalk` without a command).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InspectArgs {
    /// Go straight to a flow: alipay-web, alipay-mini, alipay-isv, wechat-web, wechat-qr,
    /// wechat-mini, wechat-component or wecom-web.
    #[arg(long, value_name = "FLOW")]
    pub flow: Option<crate::flow::FlowKind>,
    /// Walk a real app from the config file.
    #[arg(long, value_name = "NAME", conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Walk an `authwalk sandbox` that is already running (its sandbox.json, folder or URL).
    #[arg(long, value_name = "PATH|URL")]
    pub sandbox: Option<String>,
    /// Phone mode: serve the embedded sandbox on this machine's LAN address and put that
    /// address in the QR code, so phones on the same network can scan and approve.
    #[arg(long, conflicts_with_all = ["profile", "sandbox"])]
    pub lan: bool,
    /// Presenter mode: a large step banner, narration, high contrast, secrets always masked.
    #[arg(long)]
    pub present: bool,
    /// Sandbox: the demo user picked first on consent.
    #[arg(long, value_name = "DEMO_USER")]
    pub user: Option<String>,
    /// Alipay: OpenAPI v2 (gateway.do, the default) or v3 (REST paths signed in an
    /// Authorization header).
    #[arg(long, value_name = "v2|v3")]
    pub api: Option<crate::provider::alipay::ApiVersion>,
    /// Sandbox: the demo app to walk (its app id or appid), e.g. 2021000000000004, the
    /// open_id app approved in 2024.
    #[arg(long, value_name = "APP_ID", conflicts_with = "profile")]
    pub app: Option<String>,
    /// alipay-mini: add the my.getPhoneNumber step (verified, then AES-decrypted).
    #[arg(long)]
    pub phone_number: bool,
    /// Sandbox: a scenario preset (expired-code, wrong-scope, frozen-user, …).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Where `e` writes the walk's exports (default: the `exports` folder of the data
    /// directory, which AUTHWALK_DATA_DIR moves).
    #[arg(long, value_name = "DIR")]
    pub export_dir: Option<std::path::PathBuf>,
}

impl InspectArgs {
    /// Whether any inspector option was given.
    fn is_set(&self) -> bool {
        self.flow.is_some()
            || self.profile.is_some()
            || self.sandbox.is_some()
            || self.lan
            || self.present
            || self.user.is_some()
            || self.app.is_some()
            || self.phone_number
            || self.scenario.is_some()
            || self.export_dir.is_some()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign gateway parameters: print the canonical string, its SHA-256 and `sign`.
    Sign(sign::SignArgs),
    /// Verify the signature of an Alipay gateway response.
    Verify(verify::VerifyArgs),
    /// Decrypt what a mini program's client passed on (Alipay: --encrypt-key; WeChat:
    /// --session-key --iv) and name the cause when it fails.
    Decrypt(decrypt::DecryptArgs),
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
    Triage(capture::TriageArgs),
    /// The SDK call of a step (or a whole program) in the SDK you use, with the walk's values
    /// and the SDK's traps; secrets as references.
    Code(code::CodeArgs),
    /// Open a saved walk (transcript, `run --json` document or HAR) in the inspector, read
    /// only: no network, no keys.
    Replay(replay::ReplayArgs),
    /// Compare two saved walks (transcript, `run --json`, HAR) step by step; exit 1 when they
    /// differ in something that decides the outcome.
    Diff(diff::DiffArgs),
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
    if args.command.is_some() && args.inspect.is_set() {
        let _ = writeln!(
            io::stderr(),
            "authwalk: --flow, --profile, --sandbox, --lan, --present, --user, --app and --scenario \
             before a command belong to the inspector (authwalk without a command); put them \
             after the command, e.g. `authwalk run alipay-web --scenario wrong-scope`"
        );
        return ExitCode::from(2);
    }
    let result = match args.command {
        // No subcommand: walk a full login on the embedded sandbox, the quickest way to see
        // what authwalk does on a fresh machine.
        None => inspect(&args.inspect, &args.global),
        Some(Command::Sign(a)) => sign::run(&a, &args.global),
        Some(Command::Verify(a)) => verify::run(&a, &args.global),
        Some(Command::Decrypt(a)) => decrypt::run(&a, &args.global),
        Some(Command::Keys(a)) => keys::run(&a, &args.global),
        Some(Command::Url(a)) => url::run(&a, &args.global),
        Some(Command::Lint(a)) => lint::run(&a, &args.global),
        Some(Command::Explain(a)) => explain::run(&a, &args.global),
        Some(Command::Sandbox(a)) => sandbox::run(&a, &args.global),
        Some(Command::Run(a)) => run::run(&a, &args.global),
        Some(Command::Profile(a)) => profile::run(&a, &args.global),
        Some(Command::Triage(a)) => capture::run(&a, &args.global),
        Some(Command::Replay(a)) => replay::run(&a, &args.global),
        Some(Command::Diff(a)) => diff::run(&a, &args.global),
        Some(Command::Code(a)) => code::run(&a, &args.global),
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

/// `authwalk` without a command: the inspector on a terminal; otherwise (CI, a pipe) the
/// headless walk of the same flow, then where to go next.
fn inspect(args: &InspectArgs, global: &Global) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    if let Some(name) = &args.scenario {
        let scenario = crate::sandbox::Scenario::named(name)?;
        if let Some(flow) = args.flow {
            scenario.check_fits(flow)?;
        }
        if args.profile.is_some() || args.sandbox.is_some() {
            anyhow::bail!(
                "--scenario {name} is for the embedded sandbox, so --sandbox and --profile \
                 cannot take it"
            );
        }
    }
    if io::stdout().is_terminal() && io::stdin().is_terminal() {
        let place = match (&args.profile, &args.sandbox) {
            (Some(name), _) => crate::target::Where::Profile(name.clone()),
            (None, Some(spec)) => crate::target::Where::Running(spec.clone()),
            (None, None) => crate::target::Where::Embedded {
                state_dir: None,
                scenario: args.scenario.clone(),
            },
        };
        let lan = if args.lan {
            Some(crate::target::lan_address()?)
        } else {
            None
        };
        let opts = crate::tui::walk::Options {
            start: crate::tui::walk::Start {
                place,
                choice: crate::target::Choice {
                    user: args.user.clone(),
                    api: args.api,
                    app: args.app.clone(),
                    phone_number: args.phone_number,
                    ..crate::target::Choice::default()
                },
            },
            flow: args.flow,
            lang: global.lang(),
            present: args.present,
            lan,
            state: None,
            export_dir: args.export_dir.clone(),
        };
        return crate::tui::walk::main(opts);
    }
    let flow = args.flow.unwrap_or(crate::flow::FlowKind::AlipayWeb);
    let mut run_args = vec![
        "authwalk".to_owned(),
        "run".to_owned(),
        flow.id().to_owned(),
    ];
    for (flag, value) in [
        ("--profile", &args.profile),
        ("--sandbox", &args.sandbox),
        ("--user", &args.user),
        ("--app", &args.app),
        ("--scenario", &args.scenario),
    ] {
        if let Some(value) = value {
            run_args.extend([flag.to_owned(), value.clone()]);
        }
    }
    if args.phone_number {
        run_args.push("--phone-number".to_owned());
    }
    let Some(Command::Run(run)) = Args::try_parse_from(run_args)?.command else {
        anyhow::bail!("internal error: the default walk's own arguments did not parse");
    };
    let code = run::run(&run, global)?;
    let mut out = io::stdout().lock();
    writeln!(out)?;
    writeln!(out, "{}", crate::present::Msg::Next.get(global.lang()))?;
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
/// A private key file that others can read gets ssh's warning on standard error.
pub(crate) fn read_key(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let bytes = read_bounded(path, limits::MAX_KEY_FILE)?;
    if path.as_os_str() != "-"
        && let Some(warning) = crate::config::loose_file_warning(path, "PRIVATE KEY")
        && matches!(
            crate::keys::parse_bytes(&bytes),
            Ok(crate::keys::ParsedKey::Private(_))
        )
    {
        eprintln!("{warning}");
    }
    Ok(bytes)
}

/// Read the Alipay public key a capture's responses are verified with, when one is given.
pub(crate) fn read_alipay_key(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<crate::keys::PublicKey>> {
    use anyhow::Context as _;
    path.map(|path| {
        crate::keys::PublicKey::parse_bytes(&read_key(path)?)
            .with_context(|| format!("{} is not a usable public key", path.display()))
    })
    .transpose()
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
