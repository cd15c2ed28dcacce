//! `authwalk lint URL`: lint an authorize URL of either provider and print the findings.
//!
//! Exit code 1 when any finding is an error, 0 otherwise (2 for usage errors, from clap).

use std::io::{self, Write as _};
use std::process::ExitCode;

use super::Global;
use crate::escape::{json_pretty, visible};
use crate::finding::{Finding, Severity};
use crate::provider;

/// Arguments of `lint`: the URL, inline or from a file.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The authorize URL, quoted (it contains '&' and '#').
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub url: Option<String>,
    /// Read the URL from a file instead ('-' for standard input), to avoid shell quoting.
    #[arg(long, value_name = "PATH")]
    pub file: Option<std::path::PathBuf>,
    /// Print the findings as JSON (both languages).
    #[arg(long)]
    pub json: bool,
}

/// Lint the URL with the provider its host and path point to, print the findings, and exit 1
/// when one of them is an error.
pub fn run(args: &LintArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let url = match (&args.url, &args.file) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => super::read_text(path)?.trim().to_owned(),
        (None, None) => anyhow::bail!("give the URL to lint, or --file PATH"),
    };
    let findings = provider::lint_authorize_url(&url);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", json_pretty(&findings)?)?;
    } else {
        print_findings(&mut out, &findings, global)?;
    }
    Ok(if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Print findings in the chosen language: `severity[code] title`, then explanation and fix.
/// Their texts quote the URL (a decoded `state`, say), so control characters are shown escaped.
pub(super) fn print_findings(
    out: &mut impl io::Write,
    findings: &[Finding],
    global: &Global,
) -> io::Result<()> {
    let lang = global.lang();
    if findings.is_empty() {
        let text = crate::lang::tr(lang, "cli.lint.no-findings-the-url-looks");
        return writeln!(out, "{text}");
    }
    for f in findings {
        writeln!(
            out,
            "{}[{}] {}",
            f.severity,
            visible(&f.code),
            visible(f.title.get(lang))
        )?;
        if !f.explanation.get(lang).is_empty() {
            writeln!(out, "  {}", visible(f.explanation.get(lang)))?;
        }
        if !f.fix.get(lang).is_empty() {
            let label = crate::lang::tr(lang, "cli.lint.fix");
            writeln!(out, "  {label}: {}", visible(f.fix.get(lang)))?;
        }
    }
    Ok(())
}
