//! The `authwalk` binary: parse the arguments and hand over to [`authwalk::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    authwalk::cli::main()
}
