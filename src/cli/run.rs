//! `authwalk run FLOW`: walk a login headless, on the embedded sandbox (the default) or with a
//! real app's profile, and print every step as text or as one JSON document.

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use time::OffsetDateTime;

use super::{Global, render, secret_arg};
use crate::finding::Lang;
use crate::flow::{FlowKind, Inputs, StepKind};
use crate::present::{Msg, Policy};
use crate::session::Session;
use crate::target::{self, Callback, Choice, Where};
use crate::transport::{ApproveError, Approver, Transport};
use crate::walker;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every step succeeded; 1 the provider rejected a step, a \
    signature did not verify, a request failed, or no callback came within --callback-timeout; \
    2 usage or configuration error.\n\n\
    Secrets: --code, --auth-token and --refresh-token take the value itself (visible to other \
    users in `ps`), or `-` to read it from standard input, @FILE (or file:FILE) to read it \
    from a file, env:NAME to take it from an environment variable.\n\n\
    Examples:\n  authwalk run alipay-web\n  \
    authwalk run wechat-web --user wechat-snapshot   # snapshot mode: no profile (48001)\n  \
    authwalk run alipay-web --scenario wrong-scope\n  \
    authwalk run alipay-web --profile my-alipay --from user-info --auth-token env:AUTH_TOKEN"
)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches, as clap spells them"
)]
pub struct RunArgs {
    /// alipay-web, alipay-mini, alipay-isv, wechat-web, wechat-qr, wechat-mini,
    /// wechat-component or wecom-web.
    pub flow: FlowKind,
    /// A real app from the config file (see assets/config.sample.toml).
    #[arg(long, value_name = "NAME", conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Walk against a sandbox: the embedded one (the default without --profile), or, given
    /// its sandbox.json, state folder or URL, an `authwalk sandbox` that is already running.
    #[arg(long, num_args = 0..=1, default_missing_value = "", value_name = "PATH|URL")]
    pub sandbox: Option<String>,
    /// Sandbox: the demo user who approves (default: the first of the provider).
    #[arg(long, value_name = "DEMO_USER")]
    pub user: Option<String>,
    /// Sandbox: a scenario preset (expired-code, wrong-scope, frozen-user, token-mixup, …).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Sandbox: which demo app to use (app_id / appid; default: the plain RSA2 utf-8 one).
    #[arg(long, value_name = "ID")]
    pub app: Option<String>,
    /// Embedded sandbox: where its keys live (default: the data folder, so keys are made once).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Override the scope (auth_user / auth_base, snsapi_userinfo / snsapi_base).
    #[arg(long)]
    pub scope: Option<crate::provider::Scope>,
    /// Alipay: OpenAPI v2 (gateway.do, the default) or v3 (REST paths signed in an
    /// Authorization header).
    #[arg(long, value_name = "v2|v3")]
    pub api: Option<crate::provider::alipay::ApiVersion>,
    /// Run only this step, with its inputs given below.
    #[arg(long, value_name = "STEP", conflicts_with = "from")]
    pub step: Option<StepKind>,
    /// Start at this step (authorize, callback, auth-code, token, check-token, user-info,
    /// refresh; a mini program's decrypt, app-token, phone-number).
    #[arg(long, value_name = "STEP")]
    pub from: Option<StepKind>,
    /// An auth_code / code to exchange: the value, `-` (standard input), @FILE or env:NAME.
    #[arg(long, value_name = "CODE|-|@FILE|env:NAME")]
    pub code: Option<String>,
    /// An access token (Alipay auth_token, WeChat web-auth access_token): the value, `-`,
    /// @FILE or env:NAME.
    #[arg(
        long,
        visible_alias = "access-token",
        value_name = "TOKEN|-|@FILE|env:NAME"
    )]
    pub auth_token: Option<String>,
    /// A refresh token: the value, `-`, @FILE or env:NAME.
    #[arg(long, value_name = "TOKEN|-|@FILE|env:NAME")]
    pub refresh_token: Option<String>,
    /// The WeChat openid that goes with --access-token.
    #[arg(long)]
    pub openid: Option<String>,
    /// Add the refresh step at the end.
    #[arg(long)]
    pub refresh: bool,
    /// alipay-mini: add the my.getPhoneNumber step (verify and decrypt the number with the
    /// app's encrypt_key).
    #[arg(long)]
    pub phone_number: bool,
    /// Allow a profile's gateway or API base on plain http:// to a host that is not loopback
    /// (the appsecret, signatures and tokens then travel in clear).
    #[arg(long)]
    pub insecure_http: bool,
    /// Print the Exchanges as one JSON document (schema `authwalk.run/2`).
    #[arg(long)]
    pub json: bool,
    /// Show tokens, codes and secrets in full on the screen (never in an --export).
    #[arg(long)]
    pub reveal: bool,
    /// Also write the walk as FILE.md and FILE.json (a .md or .json ending on FILE is dropped
    /// first): the support question in Alipay's form, every exchange, the findings, the
    /// environment. Secrets and user ids become placeholders (tok#1, code#1, uid#1 …).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Write the --export files with live secrets and user data (mode 0600, with a warning).
    #[arg(long, requires = "export")]
    pub unredacted: bool,
    /// Replace existing --export files (a symlink standing there is replaced, never followed).
    #[arg(long, requires = "export")]
    pub force: bool,
    /// Seconds allowed per request, body included (1 to 600).
    #[arg(
        long,
        default_value_t = 10,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub timeout: u64,
    /// Largest response body kept, e.g. 8M or 512K (1K to 64M); a longer one stops the read.
    #[arg(
        long,
        default_value = "8M",
        value_name = "SIZE",
        value_parser = crate::limits::parse_body_limit
    )]
    pub max_body: usize,
    /// How long to wait for the browser's redirect on a loopback redirect_uri, e.g. 10m, 90s,
    /// 1h (1s to 24h). Requests that are not the redirect (another path, a foreign or missing
    /// state) are answered, shown as notes and waited past.
    #[arg(
        long,
        default_value = "10m",
        value_name = "DURATION",
        value_parser = parse_wait
    )]
    pub callback_timeout: Duration,
}

/// Parse `--callback-timeout`: seconds, or a number with `s`, `m` or `h`, from 1 s to 24 h.
pub fn parse_wait(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a duration; write e.g. 10m, 90s or 1h"))?;
    let unit_secs = match unit.trim() {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        other => return Err(format!("unknown unit '{other}' in '{text}'; use s, m or h")),
    };
    let secs = number.saturating_mul(unit_secs);
    if !(1..=24 * 3600).contains(&secs) {
        return Err(format!(
            "'{text}' is out of range; use 1s to 24h (the default is 10m)"
        ));
    }
    Ok(Duration::from_secs(secs))
}

pub fn run(args: &RunArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(args, global))
}

/// The walk's inputs and what to walk on the target, checked before anything starts (a
/// sandbox costs keys on a fresh machine).
fn inputs(args: &RunArgs) -> anyhow::Result<(Inputs, Choice)> {
    if args.phone_number && args.flow.optional_steps().is_empty() {
        bail!(
            "--phone-number is a step of alipay-mini (my.getPhoneNumber); {} has none",
            args.flow
        );
    }
    for step in [args.from, args.step].into_iter().flatten() {
        let mut steps = args.flow.steps(true);
        steps.extend_from_slice(args.flow.optional_steps());
        if !steps.contains(&step) {
            let ids: Vec<_> = steps.iter().map(|s| s.id()).collect();
            bail!(
                "step '{step}' is not part of {}; choose one of {}",
                args.flow,
                ids.join(", ")
            );
        }
    }
    let [code, access_token, refresh_token] = secret_arg::resolve_all(
        [
            ("--code", args.code.as_deref()),
            ("--auth-token", args.auth_token.as_deref()),
            ("--refresh-token", args.refresh_token.as_deref()),
        ],
        &mut secret_arg::System,
    )?;
    let inputs = Inputs {
        code,
        access_token,
        refresh_token,
        openid: args.openid.clone(),
        from: args.from,
        only: args.step,
        refresh: args.refresh,
        phone_number: args.phone_number,
    };
    let choice = Choice {
        user: args.user.clone(),
        app: args.app.clone(),
        scope: args.scope,
        api: args.api,
        insecure_http: args.insecure_http,
        phone_number: args.phone_number,
    };
    Ok((inputs, choice))
}

/// `--scenario`: a known one, fitting the flow, on the embedded sandbox (a running sandbox
/// keeps the scenario it was started with, a profile has none); refused in one sentence
/// before anything starts.
fn check_scenario(args: &RunArgs) -> anyhow::Result<()> {
    let Some(name) = &args.scenario else {
        return Ok(());
    };
    let scenario = crate::sandbox::Scenario::named(name)?;
    scenario.check_fits(args.flow)?;
    match place(args) {
        Where::Embedded { .. } => Ok(()),
        Where::Running(_) => bail!(
            "--scenario {name} cannot change a running sandbox, which keeps its own scenario; \
             start it with `authwalk sandbox --scenario {name}`, or drop --sandbox"
        ),
        Where::Profile(_) => bail!(
            "--scenario {name} is for the embedded sandbox, so a walk with --profile cannot \
             take it"
        ),
    }
}

/// The target the arguments name.
fn place(args: &RunArgs) -> Where {
    match (&args.profile, args.sandbox.as_deref()) {
        (Some(name), _) => Where::Profile(name.clone()),
        (None, Some(spec)) if !spec.is_empty() => Where::Running(spec.to_owned()),
        (None, _) => Where::Embedded {
            state_dir: args.state_dir.clone(),
            scenario: args.scenario.clone(),
        },
    }
}

async fn run_async(args: &RunArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let transport = Transport::new(Duration::from_secs(args.timeout))
        .context("cannot build the HTTP client")?
        .with_body_limit(args.max_body);
    let (inputs, choice) = inputs(args)?;
    check_scenario(args)?;
    let lang = global.lang();
    let target = target::resolve(&place(args), args.flow, &choice, &transport).await?;
    for warning in &target.warnings {
        eprintln!("{warning}");
    }
    let mut session = Session::start(
        &target,
        args.flow,
        &inputs,
        target::random_state(),
        OffsetDateTime::now_utc(),
    )?;
    if args.reveal {
        session.toggle_reveal();
    }
    let callback = target.callback_for(session.flow()).await?;
    let mut approver = CliApprover::new(callback, lang, args.callback_timeout);
    let walk_now = |session: &Session| session.walk(OffsetDateTime::now_utc(), started.elapsed());
    let style = render::Style::detect(args.json);
    let mut printer = render::Printer::new(std::io::stdout().lock(), style, lang);
    if !args.json {
        printer.header(&walk_now(&session))?;
    }
    let mut io_error = None;
    walker::run_to_end(
        &mut session,
        &transport,
        &mut approver,
        OffsetDateTime::now_utc,
        |session| {
            // Nothing but the document on stdout with --json.
            if args.json || io_error.is_some() {
                return;
            }
            if let Err(e) = printer.update(&walk_now(session)) {
                io_error = Some(e);
            }
        },
    )
    .await;
    if let Some(e) = io_error {
        return Err(e.into());
    }
    if let Some(handle) = target.sandbox {
        handle.shutdown().await;
    }
    approver.record_ignored(&mut session);
    let walk = walk_now(&session);
    if args.json
        && let Some(problem) = &walk.problem
    {
        // Why the walk stopped goes to stderr too, beside the document.
        eprintln!("{}", crate::escape::visible_lines(problem));
    }
    if let Some(path) = &args.export {
        // The transcript does its own masking, with placeholders that keep equal values equal.
        let full = session.walk_with(
            Policy { reveal: true },
            OffsetDateTime::now_utc(),
            started.elapsed(),
        );
        export(path, &full, args.unredacted, args.force)?;
    }
    if args.json {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", crate::escape::json_pretty(&walk)?)?;
    } else {
        printer.summary(&walk)?;
    }
    // A step that lacked its input is a usage error, not the provider's answer.
    if let Some(missing) = session
        .flow()
        .notes()
        .iter()
        .find(|n| n.code == crate::finding::codes::FLOW_MISSING_INPUT)
    {
        bail!("{}", missing.title.get(crate::lang::Lang::EN));
    }
    Ok(if walk.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The walk `args` name, run to its end with nothing printed (for `authwalk code`): the same
/// target, session and walker as `run`, masked as `run` shows it.
pub(super) fn walk_silently(args: &RunArgs) -> anyhow::Result<crate::present::Walk> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let started = Instant::now();
        let transport = Transport::new(Duration::from_secs(args.timeout))
            .context("cannot build the HTTP client")?
            .with_body_limit(args.max_body);
        let (inputs, choice) = inputs(args)?;
        check_scenario(args)?;
        let target = target::resolve(&place(args), args.flow, &choice, &transport).await?;
        for warning in &target.warnings {
            eprintln!("{warning}");
        }
        let mut session = Session::start(
            &target,
            args.flow,
            &inputs,
            target::random_state(),
            OffsetDateTime::now_utc(),
        )?;
        let callback = target.callback_for(session.flow()).await?;
        let mut approver = CliApprover::new(callback, Lang::EN, args.callback_timeout);
        walker::run_to_end(
            &mut session,
            &transport,
            &mut approver,
            OffsetDateTime::now_utc,
            |_| {},
        )
        .await;
        if let Some(handle) = target.sandbox {
            handle.shutdown().await;
        }
        Ok(session.walk(OffsetDateTime::now_utc(), started.elapsed()))
    })
}

/// `FILE.md` and `FILE.json` for `--export FILE` (a `.md` or `.json` ending is dropped first).
pub(super) fn export_paths(path: &std::path::Path) -> (PathBuf, PathBuf) {
    let stem = match path.extension().and_then(|e| e.to_str()) {
        Some("md" | "json") => path.with_extension(""),
        _ => path.to_owned(),
    };
    let with = |ext: &str| {
        let mut name = stem.clone().into_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    (with(".md"), with(".json"))
}

/// Write the transcript of `walk` next to `path`; an unredacted one is 0600 and warned about.
/// An existing file is replaced only with `force`, and a symlink is never followed.
pub(super) fn export(
    path: &std::path::Path,
    walk: &crate::present::Walk,
    unredacted: bool,
    force: bool,
) -> anyhow::Result<()> {
    use crate::transcript::{self, Meta, Redaction};
    let stamp = OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let redaction = if unredacted {
        Redaction::Unredacted
    } else {
        Redaction::Redacted
    };
    let t = transcript::export(walk, &Meta::now(stamp), redaction)?;
    let (md, json) = export_paths(path);
    if !force
        && let Some(file) = [&md, &json]
            .into_iter()
            .find(|f| f.symlink_metadata().is_ok())
    {
        anyhow::bail!(
            "{} already exists; pass --force to replace it, or export to another name",
            crate::escape::visible(&file.display().to_string())
        );
    }
    for (file, text) in [(&md, &t.markdown), (&json, &t.json)] {
        let written = if unredacted {
            crate::config::write_secret_file(file, text.as_bytes(), force)
        } else {
            crate::config::write_public_file(file, text.as_bytes(), force)
        };
        written.with_context(|| format!("cannot write {}", file.display()))?;
    }
    if unredacted {
        eprintln!(
            "warning: {} and {} hold live secrets, tokens and user data (unredacted); do not \
             attach them to a ticket or share them",
            md.display(),
            json.display()
        );
    } else {
        eprintln!("transcript: {} · {}", md.display(), json.display());
    }
    Ok(())
}

/// The CLI's side of a callback: the target's way, with prompts on standard error.
struct CliApprover {
    callback: Callback,
    lang: Lang,
}

impl CliApprover {
    /// A listener waits at most `wait` for the browser.
    fn new(mut callback: Callback, lang: Lang, wait: Duration) -> Self {
        if let Callback::Listener(a) = &mut callback {
            a.listener.set_timeout(wait);
        }
        Self { callback, lang }
    }
}

impl CliApprover {
    /// What the callback listener ignored belongs to the walk's record (text, JSON, export).
    fn record_ignored(&self, session: &mut Session) {
        if let crate::target::Callback::Listener(a) = &self.callback {
            for ignored in &a.ignored {
                session.note(ignored.finding());
                session.add_hits(ignored.hit().into_iter().collect());
            }
            if a.ignored_more > 0 {
                let n = a.ignored_more;
                session.note(crate::finding::Finding::new(
                    crate::finding::Severity::Warning,
                    "callback.ignored-more",
                    crate::finding::Text::with(
                        "cli.run.more-requests-to-the-callback",
                        &[("n", &n)],
                    ),
                ));
            }
        }
    }
}

impl Approver for CliApprover {
    async fn callback(
        &mut self,
        authorize_url: &str,
        redirect_uri: &str,
    ) -> Result<String, ApproveError> {
        let lang = self.lang;
        match &mut self.callback {
            Callback::Sandbox(a) => a.callback(authorize_url, redirect_uri).await,
            Callback::Listener(a) => {
                eprintln!(
                    "{}",
                    Msg::OpenAndApprove.fill(lang, &[("redirect_uri", redirect_uri)])
                );
                eprintln!("{authorize_url}");
                a.wait(authorize_url, |ignored| {
                    eprintln!("note: {ignored}");
                })
                .await
            }
            Callback::Person => {
                eprintln!("{}\n{authorize_url}", Msg::OpenUrl.get(lang));
                paste(Msg::PasteRedirect.get(lang)).await
            }
        }
    }

    async fn mini_code(&mut self, app_id: &str, scope: &str) -> Result<String, ApproveError> {
        match &mut self.callback {
            Callback::Sandbox(a) => a.mini_code(app_id, scope).await,
            Callback::Listener(_) | Callback::Person => {
                paste(Msg::PasteMiniCode.get(self.lang)).await
            }
        }
    }

    async fn hits(&mut self, state: &str) -> Vec<crate::flow::CallbackHit> {
        match &mut self.callback {
            Callback::Sandbox(a) => a.callback_log(state).await,
            Callback::Listener(_) | Callback::Person => Vec::new(),
        }
    }
}

/// Read one line from standard input without blocking the runtime.
async fn paste(prompt: &str) -> Result<String, ApproveError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map(|_| line.trim().to_owned())
    })
    .await
    .map_err(|e| ApproveError::Input(e.to_string()))?
    .map_err(|e| ApproveError::Input(format!("cannot read standard input: {e}")))
    .and_then(|line| {
        if line.is_empty() {
            Err(ApproveError::Input("nothing was pasted".to_owned()))
        } else {
            Ok(line)
        }
    })
}
