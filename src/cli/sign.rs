//! `authwalk sign`.

use std::process::ExitCode;

use super::Global;

#[derive(Debug, clap::Args)]
pub struct SignArgs {}

pub fn run(_args: &SignArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
