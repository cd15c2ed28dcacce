//! `authwalk replay FILE`: a saved walk (a transcript from `run --export` or `e` in the
//! inspector, a `run --json` document, or a HAR capture) opened in the inspector, read only:
//! step back and forth through the same panes, with no network and no keys. With `--present`
//! it is the trainer's offline demo. Not on a terminal, it prints the walk as `run` prints it.
//!
//! Exit code 0, or 1 when the recorded walk failed (as `run` would have exited), 2 when the
//! file cannot be read.

use std::io::{self, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::{Global, read_alipay_key, read_input, render};
use crate::lang::{Lang, tr_fill};
use crate::present::Policy;
use crate::replay::Recording;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  authwalk run alipay-web --export walk && authwalk replay walk.json\n  \
    authwalk replay walk.json --present --lang zh   # the offline demo for a room\n  \
    authwalk replay login.har --alipay-public-key alipay_public_key.pem"
)]
pub struct ReplayArgs {
    /// The saved walk: a .json transcript or `run --json` document, or a .har capture.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Presenter mode: a large step banner, narration, high contrast, secrets always masked.
    #[arg(long)]
    pub present: bool,
    /// A capture only: the Alipay public key (支付宝公钥) to verify its gateway responses with.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: Option<PathBuf>,
    /// Show secrets in the printed walk (an unredacted transcript's tokens and codes).
    #[arg(long)]
    pub reveal: bool,
}

pub fn run(args: &ReplayArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let key = read_alipay_key(args.alipay_public_key.as_deref())?;
    let file = json_twin(&args.file, global.lang())?;
    let bytes = read_input(&file)?;
    let recording = Recording::read(&bytes, key.as_ref())
        .with_context(|| format!("cannot replay {}", file.display()))?;
    let ok = recording.walk(Policy::default()).ok;
    let name = args
        .file
        .file_name()
        .map_or_else(|| "-".to_owned(), |n| n.to_string_lossy().into_owned());
    if io::stdout().is_terminal() && io::stdin().is_terminal() && args.file.as_os_str() != "-" {
        let opts = crate::tui::walk::Options {
            lang: global.lang(),
            present: args.present,
            ..crate::tui::walk::Options::default()
        };
        crate::tui::walk::replay_main(opts, recording, name)?;
    } else {
        print(&recording, args.reveal, global)?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An export's Markdown is for reading: the walk is replayed from the JSON written beside it
/// (said on standard error), or refused with where to find it.
fn json_twin(file: &Path, lang: Lang) -> anyhow::Result<PathBuf> {
    if !file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
    {
        return Ok(file.to_owned());
    }
    let json = file.with_extension("json");
    let names = [
        ("md", file.display().to_string()),
        ("json", json.display().to_string()),
    ];
    let names: Vec<(&str, &str)> = names.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if json.is_file() {
        eprintln!("{}", tr_fill(lang, "cli.replay.md-twin", &names));
        Ok(json)
    } else {
        anyhow::bail!("{}", tr_fill(lang, "cli.replay.md-alone", &names))
    }
}

/// The recorded walk as `run` prints one: each step as it happened, then the summary.
fn print(recording: &Recording, reveal: bool, global: &Global) -> io::Result<()> {
    let walk = recording.walk(Policy { reveal });
    let style = render::Style::detect(false);
    let mut printer = render::Printer::new(io::stdout().lock(), style, global.lang());
    printer.header(&walk)?;
    printer.update(&walk)?;
    printer.summary(&walk)?;
    io::stdout().flush()
}
