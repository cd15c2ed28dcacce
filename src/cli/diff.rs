//! `authwalk diff A B`: two saved walks (transcripts, `run --json` documents, HAR captures, or
//! one of each: "my capture against the sandbox's walk") compared step by step. Differences
//! that decide the outcome (scope, app id, key fingerprint, sign type, charset, redirect_uri,
//! the endpoint) come first, then the others, then those that never matter (timestamps,
//! `state`, nonces, codes and tokens, signatures over them), shown apart.
//!
//! Exit code 0 when nothing that decides the outcome differs, 1 when something does, 2 when
//! a file cannot be read.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use super::{Global, read_input};
use crate::escape::{json_pretty, visible};
use crate::lang::{tr, tr_fill};
use crate::present::Policy;
use crate::present::compare::{self, Difference, Part, Weight};
use crate::replay::Recording;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  authwalk run wechat-web --json > good.json\n  \
    authwalk diff mine.har good.json          # exit 1 names what decides the outcome\n  \
    authwalk diff a.json b.json --json"
)]
pub struct DiffArgs {
    /// The first walk: a .json transcript or `run --json` document, or a .har capture.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second walk, in any of the same forms.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Print the differences as JSON (`authwalk.diff/1`).
    #[arg(long)]
    pub json: bool,
}

/// The `authwalk.diff/1` document.
#[derive(Debug, Serialize)]
struct Document<'a> {
    schema: &'static str,
    a: String,
    b: String,
    /// Whether something that decides the outcome differs (the exit code is then 1).
    decides: bool,
    differences: &'a [Difference],
}

fn read(path: &std::path::Path) -> anyhow::Result<crate::present::Walk> {
    let bytes = read_input(path)?;
    let recording = Recording::read(&bytes, None)
        .with_context(|| format!("cannot compare {}", path.display()))?;
    Ok(recording.walk(Policy::default()))
}

pub fn run(args: &DiffArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let lang = global.lang();
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let mut differences = Vec::new();
    if a.flow != b.flow {
        differences.push(Difference {
            step: None,
            part: Part::Step,
            name: "flow".to_owned(),
            left: Some(a.flow.id().to_owned()),
            right: Some(b.flow.id().to_owned()),
            weight: Weight::Decides,
        });
    }
    differences.extend(compare::walks(&a, &b));
    differences.sort_by_key(|d| d.weight);
    let decides = compare::decides(&differences);
    let mut out = io::stdout().lock();
    if args.json {
        let doc = Document {
            schema: "authwalk.diff/1",
            a: args.a.display().to_string(),
            b: args.b.display().to_string(),
            decides,
            differences: &differences,
        };
        writeln!(out, "{}", json_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "{}",
            visible(&tr_fill(
                lang,
                "cli.diff.header",
                &[
                    ("a", &format!("{} ({})", args.a.display(), a.flow.id())),
                    ("b", &format!("{} ({})", args.b.display(), b.flow.id())),
                ],
            ))
        )?;
        for (weight, title) in [
            (Weight::Decides, "cli.diff.decides"),
            (Weight::Other, "cli.diff.other"),
            (Weight::Never, "cli.diff.never"),
        ] {
            let some: Vec<&Difference> =
                differences.iter().filter(|d| d.weight == weight).collect();
            if some.is_empty() {
                continue;
            }
            writeln!(out, "\n{}", tr(lang, title))?;
            for d in some {
                let step = d
                    .step
                    .map_or_else(String::new, |s| format!("[{}] ", s.id()));
                writeln!(out, "  {step}{}", visible(&compare::line(d, 100)))?;
            }
        }
        let names: Vec<String> = differences
            .iter()
            .filter(|d| d.weight == Weight::Decides)
            .map(|d| match d.step {
                Some(s) => format!("{} ({})", d.name, s.id()),
                None => d.name.clone(),
            })
            .collect();
        writeln!(out)?;
        if decides {
            writeln!(
                out,
                "{}",
                tr_fill(
                    lang,
                    "cli.diff.verdict-decides",
                    &[("names", &names.join(", "))]
                )
            )?;
        } else {
            writeln!(out, "{}", tr(lang, "cli.diff.verdict-same"))?;
        }
    }
    Ok(if decides {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
