//! The command-line face: clap arguments, one file per subcommand, documented exit codes.
//!
//! Exit codes: 0 = succeeded; 1 = the provider rejected a step, or a signature did not verify;
//! 2 = usage, configuration or internal error.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
