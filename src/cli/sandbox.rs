//! `authwalk sandbox`: serve the embedded Alipay and WeChat emulator standalone, for SDKs,
//! scripts and a phone on the same LAN.

use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Global;
use crate::sandbox::{Sandbox, SandboxConfig, SandboxHandle, scenario_names};

#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port. Use 0.0.0.0 to let a phone on the same
    /// LAN open the consent pages.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Where keys, secrets and sandbox.json are kept (default: the `sandbox` folder in
    /// authwalk's data directory or in $AUTHWALK_DATA_DIR, the one `authwalk run` uses too).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Apply a scenario preset at start (expired-code, wrong-scope, frozen-user, …).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Print the flows, scenarios, demo users and demo apps, one a line, and exit (no server
    /// is started, no key is made).
    #[arg(long)]
    pub list: bool,
    /// Do not log each request on stderr (the log file in the state folder still has them).
    #[arg(short, long)]
    pub quiet: bool,
    /// Log more: -v adds debug events, -vv traces; RUST_LOG, when set, decides instead.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The log file kept in the state folder, beside sandbox.json.
pub const LOG_FILE: &str = "sandbox.log";

/// The tracing filter: RUST_LOG when set, else authwalk's events at the level `-v` asks for
/// (info, one line per request, by default) and other crates' warnings.
fn log_filter(verbose: u8) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    if let Ok(directives) = std::env::var(EnvFilter::DEFAULT_ENV)
        && !directives.trim().is_empty()
    {
        return EnvFilter::builder().parse_lossy(directives);
    }
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    EnvFilter::new(format!("warn,authwalk={level}"))
}

/// Send the sandbox's tracing events to stderr and to `<state-dir>/sandbox.log` (created 0600,
/// appended to), one line each. With `--quiet` the request lines go to the file only.
fn init_logging(dir: &std::path::Path, args: &SandboxArgs) -> anyhow::Result<()> {
    use std::sync::Mutex;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    crate::config::create_private_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(LOG_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // A log file left from before with wider permissions is narrowed too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
        drop(file);
    }
    let file = options
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let quiet = args.quiet;
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(io::stderr)
        .with_filter(tracing_subscriber::filter::filter_fn(move |meta| {
            !(quiet && meta.target() == crate::sandbox::ACCESS_LOG_TARGET)
        }));
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file));
    tracing_subscriber::registry()
        .with(log_filter(args.verbose))
        .with(stderr)
        .with(file)
        .try_init()
        .context("cannot set up logging")
}

/// One `--list` line: the id, padded, then what it is.
fn row(out: &mut String, id: &str, what: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "  {id:<20} {what}");
}

/// `--list`: every id a walk or the sandbox accepts, with what it is, one a line.
fn list(global: &Global) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;

    let lang = global.lang();
    let zh = lang == crate::finding::Lang::ZH;
    let heading = |key: &str| format!("{}\n", crate::lang::tr(lang, key));
    let mut out = heading("cli.sandbox.flows");
    for kind in crate::flow::FlowKind::ALL {
        row(&mut out, kind.id(), kind.title().get(lang));
    }
    out.push_str(&heading("cli.sandbox.scenarios"));
    for name in scenario_names() {
        let scenario = crate::sandbox::Scenario::named(name)?;
        let what = if zh {
            &scenario.description_zh
        } else {
            &scenario.description_en
        };
        let providers: Vec<&str> = scenario
            .providers()
            .into_iter()
            .map(crate::provider::Provider::as_str)
            .collect();
        row(
            &mut out,
            name,
            &format!("[{}] {what}", providers.join(", ")),
        );
    }
    out.push_str(&heading("cli.sandbox.demo-users"));
    for user in crate::sandbox::demo_users() {
        row(
            &mut out,
            &user.id,
            &format!("{:<7} {}", user.provider, user.label),
        );
    }
    out.push_str(&heading("cli.sandbox.demo-apps"));
    for app in crate::sandbox::demo_apps() {
        row(
            &mut out,
            &app.id,
            &format!("{:<7} {}", app.provider, app.label),
        );
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The loud warning of a bind other machines can reach.
fn warn_exposed(addr: SocketAddr) {
    let what = if addr.ip().is_unspecified() {
        format!(
            "every network interface of this machine, port {}",
            addr.port()
        )
    } else {
        addr.to_string()
    };
    eprintln!(
        "\n⚠  WARNING: the sandbox listens on {what}: anyone who can reach this machine on \
         that port can open the consent pages, approve logins as any demo user, and exchange \
         codes for tokens with the demo apps' keys and appsecrets. The control API (clock, \
         faults, scenarios, auth codes) still needs the token in sandbox.json. Use it on a \
         network you trust, and stop it when done (Ctrl-C).\n"
    );
}

/// The state directory: `--state-dir`, else the shared sandbox folder of
/// [`crate::config::sandbox_state_dir`].
fn state_dir(args: &SandboxArgs) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &args.state_dir {
        return Ok(dir.clone());
    }
    crate::config::sandbox_state_dir()
        .context("no home directory to keep the sandbox state in; pass --state-dir")
}

pub fn run(args: &SandboxArgs, global: &Global) -> anyhow::Result<ExitCode> {
    if args.list {
        return list(global);
    }
    if let Some(name) = &args.scenario
        && !scenario_names().contains(&name.as_str())
    {
        anyhow::bail!(
            "no scenario named '{name}'; known: {}",
            scenario_names().join(", ")
        );
    }
    let dir = state_dir(args)?;
    init_logging(&dir, args)?;
    let config = SandboxConfig {
        listen: args.listen,
        state_dir: Some(dir),
        scenario: args.scenario.clone(),
        alipay_apps: None,
        exclusive: true,
        log_requests: true,
        ..SandboxConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let mut handle = Sandbox::start(config).await?;
        if let Some(notice) = handle.notice() {
            eprintln!("authwalk: {notice}");
        }
        if !handle.addr().ip().is_loopback() {
            warn_exposed(handle.addr());
        }
        // A closed stdout (`authwalk sandbox | head -3`) stops the sandbox cleanly, then the
        // broken pipe ends the process quietly.
        if let Err(e) = banner(&handle) {
            handle.shutdown().await;
            return Err(e.into());
        }
        // Ctrl-C or a plain `kill`: either way stop cleanly, which removes sandbox.json.
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot listen for SIGTERM")?;
        tokio::select! {
            () = handle.wait() => {}
            r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
            _ = terminate.recv() => {}
        }
        handle.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The addresses to use, on stdout, written through one lock so a closed pipe is an error to
/// return rather than a panic.
fn banner(handle: &SandboxHandle) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let m = handle.manifest();
    writeln!(out, "authwalk sandbox listening on {}", handle.addr())?;
    writeln!(out, "  Alipay gateway    {}", m.alipay.gateway)?;
    writeln!(out, "  Alipay authorize  {}", m.alipay.authorize)?;
    writeln!(out, "  WeChat open/api   {}", m.wechat.open_base)?;
    writeln!(out, "  control           {}", m.control)?;
    writeln!(
        out,
        "  manifest          {}",
        handle.manifest_path().display()
    )?;
    if handle.addr().ip().is_unspecified() {
        writeln!(
            out,
            "  listening on every interface: from a phone, use this machine's LAN address with \
             port {}",
            handle.addr().port()
        )?;
    }
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()
}
