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
    /// Where keys, secrets and sandbox.json are kept (default: authwalk's data directory, or
    /// $AUTHWALK_DATA_DIR).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Apply a scenario preset at start (expired-code, wrong-scope, frozen-user, …).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
}

/// The state directory: `--state-dir`, else `$AUTHWALK_DATA_DIR`, else the platform data dir.
fn state_dir(args: &SandboxArgs) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &args.state_dir {
        return Ok(dir.clone());
    }
    if let Some(dir) = std::env::var_os("AUTHWALK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "authwalk")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .context("no home directory to keep the sandbox state in; pass --state-dir")
}

pub fn run(args: &SandboxArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.scenario
        && !scenario_names().contains(&name.as_str())
    {
        anyhow::bail!(
            "no scenario named '{name}'; known: {}",
            scenario_names().join(", ")
        );
    }
    let config = SandboxConfig {
        listen: args.listen,
        state_dir: Some(state_dir(args)?),
        scenario: args.scenario.clone(),
        alipay_apps: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let mut handle = Sandbox::start(config).await?;
        // A closed stdout (`authwalk sandbox | head -3`) stops the sandbox cleanly, then the
        // broken pipe ends the process quietly.
        if let Err(e) = banner(&handle) {
            handle.shutdown().await;
            return Err(e.into());
        }
        tokio::select! {
            () = handle.wait() => {}
            r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
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
