//! `authwalk keys`.

use std::process::ExitCode;

use super::Global;

#[derive(Debug, clap::Args)]
pub struct KeysArgs {}

pub fn run(_args: &KeysArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
