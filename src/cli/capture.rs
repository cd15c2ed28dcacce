//! `authwalk triage FILE`: read a capture, a HAR (devtools, Charles, mitmproxy) or a list of
//! request URLs, reconstruct the login it recorded, and print each step with its findings,
//! masked as `run` masks. Nothing is sent: the capture is all there is.
//!
//! Exit code 1 when a finding is an error, 0 otherwise, as `lint` does; 2 for usage errors and
//! for a capture that holds no request of a login (nothing was examined).

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::{Global, read_alipay_key, read_input};
use crate::escape::{json_pretty, visible, visible_lines};
use crate::transcript::har;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  authwalk triage login.har\n  \
    authwalk triage login.har --alipay-public-key alipay_public_key.pem --json\n  \
    authwalk triage urls.txt   # one request URL a line")]
pub struct TriageArgs {
    /// The capture: a .har file, or a text file of request URLs ('-' for standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The Alipay public key (支付宝公钥) to verify gateway responses with.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: Option<PathBuf>,
    /// Print the reconstructed walk and findings as JSON (schema authwalk.triage/1).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &TriageArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let key = read_alipay_key(args.alipay_public_key.as_deref())?;
    let bytes = read_input(&args.file)?;
    let entries = har::parse_capture(&bytes)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let report = har::triage(&entries, key.as_ref());
    if report.steps.is_empty() {
        // Nothing examined is not a clean bill of health: a script must not read it as one.
        anyhow::bail!(
            "no Alipay or WeChat login request in the capture ({} other requests): record again \
             with \"Preserve log\" on in the Network tab (the redirects leave the page), from \
             the click on the login button to the profile page",
            report.skipped
        );
    }
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json_pretty(&report)?)?;
    } else {
        print(&mut out, &report, global)?;
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print(out: &mut impl io::Write, report: &har::Triage, global: &Global) -> io::Result<()> {
    for (i, s) in report.steps.iter().enumerate() {
        writeln!(
            out,
            "[{}] {} {:?} · {}",
            i + 1,
            s.provider,
            s.role,
            visible(&s.endpoint)
        )?;
        writeln!(out, "  {} {}", visible(&s.method), visible(&s.url))?;
        if !s.body.is_empty() {
            writeln!(out, "  body: {}", visible(&s.body))?;
        }
        if let Some(status) = s.status {
            writeln!(out, "  ← HTTP {status}")?;
        }
        if let Some(body) = &s.response {
            writeln!(out, "  {}", visible_lines(body.trim()))?;
        }
        if let Some((outcome, reason)) = &s.signature {
            writeln!(out, "  signature: {outcome} — {}", visible(reason))?;
        }
        if !s.findings.is_empty() {
            super::lint::print_findings(out, &s.findings, global)?;
        }
        writeln!(out)?;
    }
    if !report.findings.is_empty() {
        writeln!(out, "the walk as a whole:")?;
        super::lint::print_findings(out, &report.findings, global)?;
    }
    if report.skipped > 0 {
        writeln!(
            out,
            "({} requests of the capture belong to neither login and were skipped)",
            report.skipped
        )?;
    }
    Ok(())
}
