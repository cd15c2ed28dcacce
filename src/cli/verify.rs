//! `authwalk verify`.

use std::process::ExitCode;

use super::Global;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {}

pub fn run(_args: &VerifyArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
