//! `authwalk code FLOW`: the SDK call of a step with the walk's values (from a walk it runs,
//! or a saved one with `--from`), every secret as a reference, and the traps of that SDK;
//! `--program` writes a whole runnable login. The generator is `present::code`; this file
//! parses arguments and prints.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::{Args, Command, Global, read_input};
use crate::flow::{FlowKind, StepKind};
use crate::lang::{Lang, tr, tr_fill};
use crate::present::Policy;
use crate::present::code::{self, Facts, Sdk, Snippet};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "SDKs: alipay-java, alipay-python, alipay-node, alipay-php, fzlee, \
    smartwalle, gopay (Alipay); wechatpy, wxjava, easywechat, silenceper (WeChat).\n\n\
    Secrets never appear in the code: it names environment variables (ALIPAY_APP_PRIVATE_KEY_FILE, \
    ALIPAY_PUBLIC_KEY_FILE, WECHAT_APPSECRET, AUTH_CODE …) or, against a sandbox, reads the \
    files its sandbox.json lists (AUTHWALK_SANDBOX).\n\n\
    Examples:\n  authwalk code alipay-web --step token --sdk alipay-java\n  \
    authwalk code wechat-web --all\n  \
    authwalk code alipay-web --program --sdk alipay-python --sandbox sandbox.json > login.py\n  \
    authwalk code alipay-web --from walk.json --sdk smartwalle"
)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches, as clap spells them"
)]
pub struct CodeArgs {
    /// alipay-web, alipay-mini, alipay-isv, wechat-web, wechat-qr, wechat-mini,
    /// wechat-component or wecom-web.
    pub flow: FlowKind,
    /// The step whose call to write (default: every step of the walk).
    #[arg(long, value_name = "STEP")]
    pub step: Option<StepKind>,
    /// The SDK to write it for (see --list).
    #[arg(long, value_name = "NAME")]
    pub sdk: Option<Sdk>,
    /// Every SDK of the flow's provider (with --step, that step only).
    #[arg(long, conflicts_with_all = ["sdk", "program"])]
    pub all: bool,
    /// List the SDKs for the flow and their packages; runs no walk.
    #[arg(long, conflicts_with_all = ["sdk", "all", "program", "step"])]
    pub list: bool,
    /// A whole runnable program for the login (with --sdk), on standard output.
    #[arg(long, requires = "sdk", conflicts_with = "step")]
    pub program: bool,
    /// Take the values from a saved walk (a transcript or `run --json` document) instead of
    /// running one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["sandbox", "profile"])]
    pub from: Option<PathBuf>,
    /// Print the snippets as JSON.
    #[arg(long)]
    pub json: bool,
    /// A real app from the config file.
    #[arg(long, value_name = "NAME", conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// A running `authwalk sandbox` (its sandbox.json, folder or URL); default: the embedded one.
    #[arg(long, value_name = "PATH|URL")]
    pub sandbox: Option<String>,
    /// Sandbox: which demo app (app_id / appid).
    #[arg(long, value_name = "ID")]
    pub app: Option<String>,
    /// Sandbox: the demo user who approves.
    #[arg(long, value_name = "DEMO_USER")]
    pub user: Option<String>,
    /// Override the scope (auth_user / auth_base, snsapi_userinfo / snsapi_base).
    #[arg(long)]
    pub scope: Option<crate::provider::Scope>,
    /// Alipay: OpenAPI v2 or v3.
    #[arg(long, value_name = "v2|v3")]
    pub api: Option<crate::provider::alipay::ApiVersion>,
    /// Embedded sandbox: where its keys live.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// alipay-mini: walk the phone-number step too (my.getPhoneNumber), so its snippet is written.
    #[arg(long, conflicts_with = "from")]
    pub phone_number: bool,
}

pub fn run(args: &CodeArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let lang = global.lang();
    if args.list {
        return list(args.flow, lang);
    }
    if args.sdk.is_none() && !args.all {
        bail!(
            "name an SDK with --sdk NAME, or pass --all for every SDK (--list shows them for {})",
            args.flow
        );
    }
    // A wrong SDK or step is refused before a walk runs.
    code::check(args.flow, args.step, args.sdk)?;
    let walk = walk(args)?;
    if walk.flow != args.flow {
        bail!(
            "the saved walk is a {} walk, not {}; run `authwalk code {} --from …`",
            walk.flow,
            args.flow,
            walk.flow
        );
    }
    let facts = Facts::of(&walk);
    let snippets = snippets(args, &facts)?;
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", crate::escape::json_pretty(&snippets)?)?;
    } else if args.program {
        for s in &snippets {
            writeln!(out, "{}", code::program_text(s, lang))?;
        }
    } else {
        for s in &snippets {
            print(&mut out, s, lang)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn snippets(args: &CodeArgs, facts: &Facts) -> anyhow::Result<Vec<Snippet>> {
    let sdks = match args.sdk {
        Some(sdk) => vec![sdk],
        None => Sdk::for_flow(args.flow),
    };
    if args.program {
        return sdks
            .into_iter()
            .map(|sdk| code::program(facts, sdk).map_err(anyhow::Error::from))
            .collect();
    }
    let steps = match args.step {
        Some(step) => vec![step],
        None => facts.steps(),
    };
    let mut out = Vec::new();
    for step in steps {
        for &sdk in &sdks {
            out.push(code::snippet(facts, step, sdk)?);
        }
    }
    Ok(out)
}

/// The walk the snippets take their values from: saved (`--from`) or run now.
fn walk(args: &CodeArgs) -> anyhow::Result<crate::present::Walk> {
    if let Some(path) = &args.from {
        let bytes = read_input(path)?;
        let recording = crate::replay::Recording::read(&bytes, None)
            .with_context(|| format!("cannot read the walk in {}", path.display()))?;
        return Ok(recording.walk(Policy::default()));
    }
    let mut run_argv = vec![
        "authwalk".to_owned(),
        "run".to_owned(),
        args.flow.id().to_owned(),
    ];
    let scope = args.scope.map(|s| s.as_str().to_owned());
    let api = args.api.map(|a| a.to_string());
    let state_dir = args
        .state_dir
        .as_ref()
        .map(|d| d.to_string_lossy().into_owned());
    for (flag, value) in [
        ("--profile", &args.profile),
        ("--sandbox", &args.sandbox),
        ("--app", &args.app),
        ("--user", &args.user),
        ("--scope", &scope),
        ("--api", &api),
        ("--state-dir", &state_dir),
    ] {
        if let Some(value) = value {
            run_argv.extend([flag.to_owned(), value.clone()]);
        }
    }
    if args.phone_number {
        run_argv.push("--phone-number".to_owned());
    }
    let Some(Command::Run(run)) = <Args as clap::Parser>::try_parse_from(run_argv)?.command else {
        bail!("internal error: the walk's own arguments did not parse");
    };
    super::run::walk_silently(&run)
}

fn print(out: &mut impl io::Write, s: &Snippet, lang: Lang) -> io::Result<()> {
    writeln!(out, "## {}", code::heading(s, lang))?;
    writeln!(out, "{}: {}", tr(lang, "code.dependency"), s.dependency)?;
    writeln!(out, "```{}", s.language)?;
    writeln!(out, "{}", s.code.trim())?;
    writeln!(out, "```")?;
    if !s.traps.is_empty() {
        writeln!(out, "{}:", tr(lang, "code.traps"))?;
        for line in code::trap_lines(s, lang) {
            writeln!(out, "- {line}")?;
        }
    }
    writeln!(out)
}

fn list(flow: FlowKind, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}",
        tr_fill(lang, "code.list-heading", &[("flow", flow.id())])
    )?;
    for sdk in Sdk::for_flow(flow) {
        writeln!(out, "  {:<14} {}", sdk.id(), sdk.dependency())?;
    }
    Ok(ExitCode::SUCCESS)
}
