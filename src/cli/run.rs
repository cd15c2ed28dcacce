//! `authwalk run FLOW`: walk a login headless, on the embedded sandbox (the default) or with a
//! real app's profile, and print every step as text or as one JSON document.

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use time::OffsetDateTime;

use super::{Global, read_input, render};
use crate::config::profile::{self, Profile};
use crate::flow::{AlipayApp, App, Flow, FlowKind, Inputs, StepKind, StepState, WechatApp};
use crate::keys::{PrivateKey, PublicKey};
use crate::provider::alipay::{Charset, Environment, SignType};
use crate::sandbox::{
    ALIPAY_APP_IDS, DEFAULT_ALIPAY_APP, Manifest, Sandbox, SandboxConfig, SandboxHandle,
};
use crate::transport::{
    Approver, CallbackListener, ListenerApprover, SandboxApprover, Transport, drive,
};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every step succeeded; 1 the provider rejected a step, a \
    signature did not verify, or a request failed; 2 usage or configuration error.\n\n\
    Examples:\n  authwalk run alipay-web\n  authwalk run wechat-web --user wx-snapshot\n  \
    authwalk run alipay-web --scenario wrong-scope\n  \
    authwalk run alipay-web --profile my-alipay --from user-info --auth-token authusrB…"
)]
#[expect(clippy::struct_excessive_bools, reason = "each bool is one clap flag")]
pub struct RunArgs {
    /// alipay-web, alipay-mini, wechat-web or wechat-qr.
    pub flow: FlowKind,
    /// A real app from the config file (see assets/config.sample.toml).
    #[arg(long, value_name = "NAME", conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Walk against the embedded sandbox (the default without --profile).
    #[arg(long)]
    pub sandbox: bool,
    /// Sandbox: the demo user who approves (default: the first of the provider).
    #[arg(long, value_name = "DEMO_USER")]
    pub user: Option<String>,
    /// Sandbox: a scenario preset (expired-code, wrong-scope, frozen-user, token-mixup, …).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Sandbox: which demo app to use (app_id / appid; default: the plain RSA2 utf-8 one).
    #[arg(long, value_name = "ID")]
    pub app: Option<String>,
    /// Sandbox: where its keys live (default: the data folder, so keys are made once).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Override the scope (auth_user / auth_base, snsapi_userinfo / snsapi_base).
    #[arg(long)]
    pub scope: Option<String>,
    /// Run only this step, with its inputs given below.
    #[arg(long, value_name = "STEP", conflicts_with = "from")]
    pub step: Option<StepKind>,
    /// Start at this step (authorize, callback, auth-code, token, check-token, user-info,
    /// refresh).
    #[arg(long, value_name = "STEP")]
    pub from: Option<StepKind>,
    /// An auth_code / code to exchange.
    #[arg(long)]
    pub code: Option<String>,
    /// An access token (Alipay auth_token, WeChat web-auth access_token).
    #[arg(long, visible_alias = "access-token")]
    pub auth_token: Option<String>,
    #[arg(long)]
    pub refresh_token: Option<String>,
    /// The WeChat openid that goes with --access-token.
    #[arg(long)]
    pub openid: Option<String>,
    /// Add the refresh step at the end.
    #[arg(long)]
    pub refresh: bool,
    /// Print the Exchanges as one JSON document (schema `authwalk.run/1`).
    #[arg(long)]
    pub json: bool,
    /// Show tokens, codes and secrets in full instead of masked.
    #[arg(long)]
    pub reveal: bool,
    /// Seconds allowed per request.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
}

/// Where the walk goes, for the header line and the JSON document.
pub(crate) struct Target {
    pub kind: &'static str,
    pub name: String,
    pub base: String,
}

pub fn run(args: &RunArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(args, global))
}

async fn run_async(args: &RunArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let transport = Transport::new(Duration::from_secs(args.timeout))
        .context("cannot build the HTTP client")?;
    let inputs = Inputs {
        code: args.code.clone(),
        access_token: args.auth_token.clone(),
        refresh_token: args.refresh_token.clone(),
        openid: args.openid.clone(),
        from: args.step.or(args.from),
        refresh: args.refresh || args.step == Some(StepKind::Refresh),
    };
    if let Some(step) = inputs.from {
        let steps = args.flow.steps(true);
        if !steps.contains(&step) {
            let ids: Vec<_> = steps.iter().map(|s| s.id()).collect();
            bail!(
                "step '{step}' is not part of {}; choose one of {}",
                args.flow,
                ids.join(", ")
            );
        }
    }
    let state = random_state();
    let lang = global.lang();

    let (flow, target, sandbox, mut approver) = setup(args, &inputs, state, &transport).await?;
    let mut flow = flow;
    if let Some(step) = args.step {
        for s in &mut flow.steps {
            if s.kind != step && s.state == StepState::Pending {
                s.state = StepState::Skipped;
            }
        }
    }

    let mut out = std::io::stdout().lock();
    let style = render::Style::detect(args.json);
    let opts = render::Options {
        reveal: args.reveal,
        lang,
        style,
    };
    if !args.json {
        render::header(&mut out, &flow, &target, opts)?;
    }
    let mut io_error = None;
    let ok = drive(
        &mut flow,
        &transport,
        &mut approver,
        OffsetDateTime::now_utc,
        |flow, event| {
            if args.json {
                return;
            }
            if let Err(e) = render::event(&mut out, flow, &event, opts) {
                io_error.get_or_insert(e);
            }
        },
    )
    .await;
    if let Some(e) = io_error {
        return Err(e.into());
    }
    if let Some(handle) = sandbox {
        handle.shutdown().await;
    }
    let elapsed = started.elapsed();
    if args.json {
        let doc = render::json_document(&flow, &target, ok, elapsed, opts);
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        render::summary(&mut out, &flow, ok, elapsed, opts)?;
    }
    // A step that lacked its input is a usage error, not the provider's answer.
    if let Some(missing) = flow.notes.iter().find(|n| n.code == "flow.missing-input") {
        bail!("{}", missing.title.en);
    }
    Ok(if ok && flow.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Build the flow for a profile or the sandbox (started here), with its approver.
async fn setup(
    args: &RunArgs,
    inputs: &Inputs,
    state: String,
    transport: &Transport,
) -> anyhow::Result<(Flow, Target, Option<SandboxHandle>, AnyApprover)> {
    Ok(if let Some(name) = &args.profile {
        let (app, target) = app_from_profile(args, name)?;
        let flow = Flow::new(args.flow, app, inputs, state, OffsetDateTime::now_utc());
        let approver = person_approver(&flow).await?;
        (flow, target, None, approver)
    } else {
        let dir = match &args.state_dir {
            Some(dir) => dir.clone(),
            None => crate::config::data_dir()
                .map(|d| d.join("sandbox"))
                .ok_or_else(|| anyhow!("no data folder on this system; pass --state-dir DIR"))?,
        };
        // Only the app this walk uses: each one costs a key on a fresh machine.
        let alipay_apps = if args.flow.is_alipay() {
            let app = args
                .app
                .clone()
                .unwrap_or_else(|| DEFAULT_ALIPAY_APP.to_owned());
            if !ALIPAY_APP_IDS.contains(&app.as_str()) {
                bail!(
                    "no sandbox Alipay app '{app}'; choose one of {}",
                    ALIPAY_APP_IDS.join(", ")
                );
            }
            vec![app]
        } else {
            Vec::new()
        };
        let handle = Sandbox::start(SandboxConfig {
            state_dir: Some(dir),
            scenario: args.scenario.clone(),
            alipay_apps: Some(alipay_apps),
            ..SandboxConfig::default()
        })
        .await
        .context("cannot start the embedded sandbox")?;
        let (app, user, name) = app_from_sandbox(args, handle.manifest())?;
        let target = Target {
            kind: "sandbox",
            name: format!("{name} as {user}"),
            base: handle.base_url().to_owned(),
        };
        let flow = Flow::new(args.flow, app, inputs, state, OffsetDateTime::now_utc());
        let approver = AnyApprover::Sandbox(SandboxApprover {
            transport: transport.clone(),
            user,
            control: handle.manifest().control.clone(),
            token: handle.manifest().token.clone(),
        });
        (flow, target, Some(handle), approver)
    })
}

/// A random alphanumeric `state` (CSRF token), 24 characters from the OS's randomness.
fn random_state() -> String {
    use rsa::rand_core::{OsRng, RngCore as _};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..24)
        .map(|_| {
            char::from(ALPHABET[usize::try_from(OsRng.next_u32()).unwrap_or(0) % ALPHABET.len()])
        })
        .collect()
}

fn app_from_sandbox(args: &RunArgs, m: &Manifest) -> anyhow::Result<(App, String, String)> {
    let provider = if args.flow.is_alipay() {
        "alipay"
    } else {
        "wechat"
    };
    let user = match &args.user {
        Some(u) => {
            if !m.users.iter().any(|e| e.id == *u && e.provider == provider) {
                let known: Vec<_> = m
                    .users
                    .iter()
                    .filter(|e| e.provider == provider)
                    .map(|e| e.id.as_str())
                    .collect();
                bail!(
                    "no {provider} demo user '{u}'; choose one of {}",
                    known.join(", ")
                );
            }
            u.clone()
        }
        None => m
            .users
            .iter()
            .find(|e| e.provider == provider)
            .map(|e| e.id.clone())
            .ok_or_else(|| anyhow!("the sandbox has no {provider} demo user"))?,
    };
    if args.flow.is_alipay() {
        sandbox_alipay(args, m, user)
    } else {
        sandbox_wechat(args, m, user)
    }
}

fn sandbox_alipay(
    args: &RunArgs,
    m: &Manifest,
    user: String,
) -> anyhow::Result<(App, String, String)> {
    let wanted = args.app.as_deref().unwrap_or(DEFAULT_ALIPAY_APP);
    let entry = m
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == wanted)
        .ok_or_else(|| {
            let known: Vec<_> = m.alipay.apps.iter().map(|a| a.app_id.as_str()).collect();
            anyhow!(
                "no such sandbox Alipay app; choose one of {}",
                known.join(", ")
            )
        })?;
    let private_key = PrivateKey::parse_bytes(&read_input(&entry.app_private_key)?)
        .with_context(|| entry.app_private_key.display().to_string())?;
    let alipay_public_key = PublicKey::parse_bytes(&read_input(&entry.alipay_public_key)?)
        .with_context(|| entry.alipay_public_key.display().to_string())?;
    let app = AlipayApp {
        app_id: entry.app_id.clone(),
        sign_type: entry.sign_type.parse().map_err(anyhow::Error::msg)?,
        charset: entry.charset.parse().map_err(anyhow::Error::msg)?,
        private_key,
        alipay_public_key,
        redirect_uri: entry.redirect_uri.clone(),
        scope: args.scope.clone().unwrap_or_else(|| "auth_user".to_owned()),
        gateway_url: m.alipay.gateway.clone(),
        authorize_url: m.alipay.authorize.clone(),
    };
    Ok((
        App::Alipay(app),
        user,
        format!("Alipay app {}", entry.app_id),
    ))
}

fn sandbox_wechat(
    args: &RunArgs,
    m: &Manifest,
    user: String,
) -> anyhow::Result<(App, String, String)> {
    let kind = if args.flow == FlowKind::WechatQr {
        "website"
    } else {
        "official_account"
    };
    let entry = match &args.app {
        Some(id) => m.wechat.apps.iter().find(|a| a.appid == *id),
        None => m.wechat.apps.iter().find(|a| a.kind == kind),
    }
    .ok_or_else(|| {
        let known: Vec<_> = m.wechat.apps.iter().map(|a| a.appid.as_str()).collect();
        anyhow!(
            "no such sandbox WeChat app; choose one of {}",
            known.join(", ")
        )
    })?;
    if entry.kind != kind {
        let flow = if entry.kind == "website" {
            "wechat-qr"
        } else {
            "wechat-web"
        };
        bail!(
            "sandbox app {} is a {} app; walk it with `authwalk run {flow}`",
            entry.appid,
            entry.kind
        );
    }
    let default_scope = if args.flow == FlowKind::WechatQr {
        "snsapi_login"
    } else {
        "snsapi_userinfo"
    };
    let app = WechatApp {
        appid: entry.appid.clone(),
        secret: entry.secret.clone(),
        redirect_uri: entry.redirect_uri.clone(),
        scope: args
            .scope
            .clone()
            .unwrap_or_else(|| default_scope.to_owned()),
        open_base: m.wechat.open_base.clone(),
        api_base: m.wechat.api_base.clone(),
        lang: "zh_CN".to_owned(),
    };
    Ok((
        App::Wechat(app),
        user,
        format!("WeChat app {}", entry.appid),
    ))
}

fn app_from_profile(args: &RunArgs, name: &str) -> anyhow::Result<(App, Target)> {
    let path = crate::config::config_dir()
        .map(|d| d.join("config.toml"))
        .ok_or_else(|| anyhow!("no config folder on this system; set AUTHWALK_CONFIG_DIR"))?;
    let profile = profile::load(&path, name)?;
    match (profile, args.flow.is_alipay()) {
        (Profile::Alipay(p), true) => {
            let env = match p.environment.as_str() {
                "production" => Environment::Production,
                "sandbox" => Environment::Sandbox,
                "sandbox-legacy" => Environment::SandboxLegacy,
                base if base.starts_with("http://") || base.starts_with("https://") => {
                    Environment::Custom {
                        base: base.to_owned(),
                    }
                }
                other => bail!(
                    "profile '{name}': environment '{other}' is not production, sandbox, \
                     sandbox-legacy or a base URL"
                ),
            };
            let private_key = PrivateKey::parse_bytes(&read_input(&p.private_key)?)
                .with_context(|| format!("profile '{name}': {}", p.private_key.display()))?;
            let alipay_public_key = PublicKey::parse_bytes(&read_input(&p.alipay_public_key)?)
                .with_context(|| format!("profile '{name}': {}", p.alipay_public_key.display()))?;
            crate::keys::check_alipay_public_key(&alipay_public_key, &private_key)
                .with_context(|| format!("profile '{name}': {}", p.alipay_public_key.display()))?;
            let sign_type: SignType = p.sign_type.parse().map_err(anyhow::Error::msg)?;
            private_key.check_size_for(sign_type.hash())?;
            let target = Target {
                kind: "profile",
                name: name.to_owned(),
                base: env.gateway_url().into_owned(),
            };
            let app = AlipayApp {
                app_id: p.app_id,
                sign_type,
                charset: p.charset.parse::<Charset>().map_err(anyhow::Error::msg)?,
                private_key,
                alipay_public_key,
                redirect_uri: p.redirect_uri,
                scope: args.scope.clone().unwrap_or(p.scope),
                gateway_url: env.gateway_url().into_owned(),
                authorize_url: env.authorize_url().into_owned(),
            };
            Ok((App::Alipay(app), target))
        }
        (Profile::Wechat(p), false) => {
            let secret = p.resolve_secret(name)?;
            let open_base = p
                .open_base
                .clone()
                .unwrap_or_else(|| crate::provider::wechat::OPEN_BASE.to_owned());
            let api_base = p
                .api_base
                .clone()
                .unwrap_or_else(|| crate::provider::wechat::API_BASE.to_owned());
            let target = Target {
                kind: "profile",
                name: name.to_owned(),
                base: api_base.clone(),
            };
            let app = WechatApp {
                appid: p.appid,
                secret,
                redirect_uri: p.redirect_uri,
                scope: args.scope.clone().unwrap_or(p.scope),
                open_base,
                api_base,
                lang: "zh_CN".to_owned(),
            };
            Ok((App::Wechat(app), target))
        }
        (Profile::Alipay(_), false) => {
            bail!("profile '{name}' is an Alipay app; run an alipay-* flow")
        }
        (Profile::Wechat(_), true) => {
            bail!("profile '{name}' is a WeChat app; run a wechat-* flow")
        }
    }
}

/// The approver for a real app: a local listener when the callback is on loopback, else the
/// person pastes the address the browser landed on.
async fn person_approver(flow: &Flow) -> anyhow::Result<AnyApprover> {
    // A walk started after the callback (with --code, --auth-token …) never waits for one.
    let waits = flow
        .steps
        .iter()
        .any(|s| s.kind == StepKind::Callback && s.state == StepState::Pending);
    if !waits {
        return Ok(AnyApprover::Paste);
    }
    let redirect_uri = match &flow.app {
        App::Alipay(a) => a.redirect_uri.clone(),
        App::Wechat(w) => w.redirect_uri.clone(),
    };
    match CallbackListener::bind(&redirect_uri).await {
        Ok(listener) => Ok(AnyApprover::Listener(ListenerApprover { listener })),
        Err(crate::transport::ListenError::NotLoopback(_)) => Ok(AnyApprover::Paste),
        Err(e) => Err(e.into()),
    }
}

/// The three ways a callback arrives, as one type for the driver.
enum AnyApprover {
    Sandbox(SandboxApprover),
    Listener(ListenerApprover),
    Paste,
}

impl Approver for AnyApprover {
    async fn callback(
        &mut self,
        authorize_url: &str,
        redirect_uri: &str,
    ) -> Result<String, String> {
        match self {
            Self::Sandbox(a) => a.callback(authorize_url, redirect_uri).await,
            Self::Listener(a) => {
                eprintln!(
                    "Open this URL in a browser and approve; waiting for the redirect to {redirect_uri} …"
                );
                eprintln!("{authorize_url}");
                a.callback(authorize_url, redirect_uri).await
            }
            Self::Paste => {
                eprintln!("Open this URL and approve:\n{authorize_url}");
                paste("Paste the address the browser landed on (or just the code): ").await
            }
        }
    }

    async fn mini_code(&mut self, app_id: &str, scope: &str) -> Result<String, String> {
        match self {
            Self::Sandbox(a) => a.mini_code(app_id, scope).await,
            Self::Listener(_) | Self::Paste => {
                paste("Paste the authCode from my.getAuthCode (or pass --code): ").await
            }
        }
    }
}

/// Read one line from standard input without blocking the runtime.
async fn paste(prompt: &str) -> Result<String, String> {
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
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot read standard input: {e}"))
    .and_then(|line| {
        if line.is_empty() {
            Err("nothing was pasted".to_owned())
        } else {
            Ok(line)
        }
    })
}
