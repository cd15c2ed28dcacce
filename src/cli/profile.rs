//! `authwalk profile add|list|show|rm`: the app profiles of `config.toml`, so a real app (or a
//! sandbox) is walked with `authwalk run FLOW --profile NAME`.
//!
//! `add` asks for what its flags leave out when standard input is a terminal, and otherwise
//! needs every value as a flag. Secrets are given by reference; an inline one is stored only
//! in a 0600 file, with a warning.

use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use serde_json::json;

use super::Global;
use crate::config::profile::{
    self, AlipayProfile, Profile, ProfileError, SecretRef, WechatProfile,
};
use crate::escape::{json_pretty, visible};
use crate::provider::alipay::Environment;
use crate::target::ProfileEnv;

#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub command: ProfileCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Add a profile (asks on a terminal for what the flags leave out).
    Add(Box<AddArgs>),
    /// List the profiles.
    List(ListArgs),
    /// Show one profile, secrets masked.
    Show(ShowArgs),
    /// Remove a profile.
    Rm(RmArgs),
}

/// The provider of a new profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderArg {
    Alipay,
    Wechat,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Environments: production, sandbox (Alipay's own sandbox), \
    sandbox-legacy, embedded (the embedded sandbox, started for each walk), running or \
    running:PATH|URL (an `authwalk sandbox` already running), or a base URL.\n\
    Secrets: a key file, env:VAR, cmd:COMMAND (its output is the secret, e.g. \
    cmd:'pass show alipay/key'), or file:PATH; a secret pasted inline is stored in config.toml \
    (mode 0600) with a warning.\n\n\
    Examples:\n  authwalk profile add shop --provider alipay --app-id 2021… \
    --private-key ~/keys/app.pem --alipay-public-key ~/keys/alipay.pem \
    --redirect-uri https://shop.example/cb\n  \
    authwalk profile add wx --provider wechat --appid wx… --secret env:WECHAT_APPSECRET \
    --redirect-uri https://shop.example/wx/cb\n  \
    authwalk profile add demo --provider alipay --env embedded"
)]
pub struct AddArgs {
    /// The profile's name (letters, digits, '-' and '_').
    pub name: String,
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// production, sandbox, sandbox-legacy, embedded, running[:PATH|URL], or a base URL.
    #[arg(long = "env", value_name = "ENV")]
    pub environment: Option<String>,
    /// Alipay: the app id (APPID).
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// Alipay: the app private key (应用私钥): a file, env:VAR or cmd:COMMAND.
    #[arg(long, value_name = "REF")]
    pub private_key: Option<String>,
    /// Alipay: the Alipay public key (支付宝公钥) file.
    #[arg(long, value_name = "FILE")]
    pub alipay_public_key: Option<PathBuf>,
    /// Alipay: RSA2 (default) or RSA.
    #[arg(long, value_name = "TYPE")]
    pub sign_type: Option<String>,
    /// Alipay: utf-8 (default) or GBK.
    #[arg(long)]
    pub charset: Option<String>,
    /// WeChat: the appid.
    #[arg(long, value_name = "ID")]
    pub appid: Option<String>,
    /// WeChat: the appsecret: env:VAR, cmd:COMMAND, file:PATH (or the secret itself).
    #[arg(long, value_name = "REF")]
    pub secret: Option<String>,
    /// The registered callback (授权回调地址).
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,
    /// auth_user / auth_base, snsapi_userinfo / snsapi_base / snsapi_login.
    #[arg(long)]
    pub scope: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub name: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RmArgs {
    pub name: String,
}

pub fn run(args: &ProfileArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    let path = profile::config_path()?;
    match &args.command {
        ProfileCommand::Add(a) => add(a, &path),
        ProfileCommand::List(a) => list(a, &path),
        ProfileCommand::Show(a) => show(a, &path),
        ProfileCommand::Rm(a) => {
            profile::remove(&path, &a.name)?;
            writeln!(
                io::stdout(),
                "removed profile '{}' from {}",
                visible(&a.name),
                path.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Asks for missing values on a terminal; without one, names the flag that is missing.
struct Asker {
    terminal: bool,
}

impl Asker {
    fn value(&self, given: Option<&str>, flag: &str, question: &str) -> anyhow::Result<String> {
        self.maybe(given, flag, question, None)?
            .ok_or_else(|| anyhow!("give --{flag}"))
    }

    /// The given value, else the answer (or `default` on an empty answer), else `default`.
    fn maybe(
        &self,
        given: Option<&str>,
        flag: &str,
        question: &str,
        default: Option<&str>,
    ) -> anyhow::Result<Option<String>> {
        if let Some(v) = given {
            return Ok(Some(v.to_owned()));
        }
        if !self.terminal {
            return match default {
                Some(d) => Ok(Some(d.to_owned())),
                None => {
                    bail!("give --{flag} (standard input is not a terminal, so nothing is asked)")
                }
            };
        }
        let mut err = io::stderr().lock();
        match default {
            Some(d) => write!(err, "{question} [{d}]: ")?,
            None => write!(err, "{question}: ")?,
        }
        err.flush()?;
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        let line = line.trim();
        Ok(if line.is_empty() {
            default.map(str::to_owned)
        } else {
            Some(line.to_owned())
        })
    }
}

fn add(args: &AddArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !profile::valid_name(&args.name) {
        bail!(
            "profile names are letters, digits, '-' and '_' (got '{}')",
            visible(&args.name)
        );
    }
    let ask = Asker {
        terminal: io::stdin().is_terminal(),
    };
    let provider = match args.provider {
        Some(p) => p,
        None => match ask
            .value(None, "provider", "Provider (alipay or wechat)")?
            .as_str()
        {
            "alipay" => ProviderArg::Alipay,
            "wechat" => ProviderArg::Wechat,
            other => bail!("provider '{}' is neither alipay nor wechat", visible(other)),
        },
    };
    let environment = ask
        .maybe(
            args.environment.as_deref(),
            "env",
            "Environment (production, sandbox, embedded, running, or a base URL)",
            Some("production"),
        )?
        .unwrap_or_else(|| "production".to_owned());
    let env = ProfileEnv::parse(&environment);
    let on_sandbox = !matches!(env, ProfileEnv::Real(_));
    if let ProfileEnv::Real(real) = &env {
        match provider {
            ProviderArg::Alipay => {
                real.parse::<Environment>()
                    .map_err(|e| anyhow!("--env: {e}"))?;
            }
            ProviderArg::Wechat => {
                if real != "production" && !real.starts_with("http") {
                    bail!(
                        "--env '{}': WeChat has production, embedded, running, or a base URL",
                        visible(real)
                    );
                }
            }
        }
    }
    // A sandbox accepts a callback on its own host or on localhost.
    let redirect_default = on_sandbox.then_some("http://localhost/callback");
    let redirect_uri = ask
        .maybe(
            args.redirect_uri.as_deref(),
            "redirect-uri",
            "Registered callback (redirect_uri)",
            redirect_default,
        )?
        .ok_or_else(|| anyhow!("give --redirect-uri"))?;
    url::Url::parse(&redirect_uri)
        .with_context(|| format!("--redirect-uri '{}' is not a URL", visible(&redirect_uri)))?;

    let new = match provider {
        ProviderArg::Alipay => alipay_profile(args, &ask, on_sandbox, environment, redirect_uri)?,
        ProviderArg::Wechat => wechat_profile(args, &ask, on_sandbox, environment, redirect_uri)?,
    };
    save(args, path, provider, &new)
}

fn alipay_profile(
    args: &AddArgs,
    ask: &Asker,
    on_sandbox: bool,
    environment: String,
    redirect_uri: String,
) -> anyhow::Result<Profile> {
    let app_id = ask
        .maybe(
            args.app_id.as_deref(),
            "app-id",
            "Alipay app id (APPID)",
            on_sandbox.then_some(crate::sandbox::DEFAULT_ALIPAY_APP),
        )?
        .ok_or_else(|| anyhow!("give --app-id"))?;
    // On a sandbox the keys default to the sandbox's own for that app id.
    let private_key = if on_sandbox {
        args.private_key.clone()
    } else {
        Some(ask.value(
            args.private_key.as_deref(),
            "private-key",
            "App private key (a file, env:VAR or cmd:COMMAND)",
        )?)
    };
    let alipay_public_key = if on_sandbox {
        args.alipay_public_key.clone()
    } else {
        Some(PathBuf::from(
            ask.value(
                args.alipay_public_key
                    .as_deref()
                    .and_then(std::path::Path::to_str),
                "alipay-public-key",
                crate::lang::tr(crate::lang::Lang::EN, "cli.profile.alipay-public-key-file"),
            )?,
        ))
    };
    Ok(Profile::Alipay(AlipayProfile {
        app_id,
        private_key,
        alipay_public_key,
        sign_type: args.sign_type.clone().unwrap_or_else(|| "RSA2".to_owned()),
        charset: args.charset.clone().unwrap_or_else(|| "utf-8".to_owned()),
        environment,
        redirect_uri,
        scope: args.scope.clone().unwrap_or_else(|| "auth_user".to_owned()),
        app_cert: None,
        alipay_cert: None,
        alipay_root_cert: None,
        api: None,
        encrypt_key: None,
        id_mode: None,
    }))
}

fn wechat_profile(
    args: &AddArgs,
    ask: &Asker,
    on_sandbox: bool,
    environment: String,
    redirect_uri: String,
) -> anyhow::Result<Profile> {
    let appid = ask
        .maybe(
            args.appid.as_deref(),
            "appid",
            "WeChat appid",
            on_sandbox.then_some("wx5a1d0c0ffee00001"),
        )?
        .ok_or_else(|| anyhow!("give --appid"))?;
    let secret = if on_sandbox {
        args.secret.clone()
    } else {
        Some(ask.value(
            args.secret.as_deref(),
            "secret",
            "Appsecret (env:VAR, cmd:COMMAND, file:PATH)",
        )?)
    };
    Ok(Profile::Wechat(WechatProfile {
        appid,
        secret,
        secret_env: None,
        secret_file: None,
        redirect_uri,
        scope: args
            .scope
            .clone()
            .unwrap_or_else(|| "snsapi_userinfo".to_owned()),
        environment: (environment != "production").then_some(environment),
        open_base: None,
        api_base: None,
    }))
}

fn save(
    args: &AddArgs,
    path: &std::path::Path,
    provider: ProviderArg,
    new: &Profile,
) -> anyhow::Result<ExitCode> {
    if new.has_inline_secret() {
        let _ = writeln!(
            io::stderr(),
            "warning: the secret is stored inline in {}, which only its owner may read (mode \
             0600). Prefer a reference: env:VAR, cmd:COMMAND (a password manager) or a file.",
            path.display()
        );
    }
    profile::add(path, &args.name, new)?;
    writeln!(
        io::stdout(),
        "added profile '{}' to {}; walk it with `authwalk run {} --profile {}`",
        args.name,
        path.display(),
        match provider {
            ProviderArg::Alipay => "alipay-web",
            ProviderArg::Wechat => "wechat-web",
        },
        args.name
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What a profile shows: every field, secrets as their reference (an inline one masked).
fn describe(p: &Profile) -> serde_json::Value {
    match p {
        Profile::Alipay(a) => json!({
            "provider": "alipay",
            "app_id": a.app_id,
            "private_key": a.private_key_ref().map_or_else(
                || "(the sandbox's key for this app)".to_owned(),
                |r| r.describe(),
            ),
            "alipay_public_key": a.alipay_public_key.as_ref().map_or_else(
                || "(the sandbox's key for this app)".to_owned(),
                |p| p.display().to_string(),
            ),
            "sign_type": a.sign_type,
            "charset": a.charset,
            "environment": a.environment,
            "redirect_uri": a.redirect_uri,
            "scope": a.scope,
        }),
        Profile::Wechat(w) => json!({
            "provider": "wechat",
            "appid": w.appid,
            "secret": w.secret_ref().map_or_else(
                || "(none; the sandbox's for this appid)".to_owned(),
                |r: SecretRef| r.describe(),
            ),
            "environment": p.environment(),
            "redirect_uri": w.redirect_uri,
            "scope": w.scope,
            "open_base": w.open_base,
            "api_base": w.api_base,
        }),
    }
}

fn list(args: &ListArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let config = profile::load_all(path)?;
    let mut out = io::stdout().lock();
    if args.json {
        let all: serde_json::Map<_, _> = config
            .profiles
            .iter()
            .map(|(name, p)| (name.clone(), describe(p)))
            .collect();
        writeln!(out, "{}", json_pretty(&all)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if config.profiles.is_empty() {
        writeln!(
            out,
            "no profiles in {}; add one with `authwalk profile add NAME`",
            path.display()
        )?;
    }
    for (name, p) in &config.profiles {
        let (provider, id) = match p {
            Profile::Alipay(a) => ("alipay", &a.app_id),
            Profile::Wechat(w) => ("wechat", &w.appid),
        };
        writeln!(
            out,
            "{}  {provider}  {}  {}",
            visible(name),
            visible(id),
            visible(p.environment())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(args: &ShowArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    // Loading checks the file's mode when a secret is inline, as a walk would.
    let p = match profile::load(path, &args.name) {
        Ok(p) => p,
        Err(ProfileError::NoFile(_)) => bail!(
            "no profiles yet ({} does not exist); add one with `authwalk profile add`",
            path.display()
        ),
        Err(e) => return Err(e.into()),
    };
    let view = describe(&p);
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json_pretty(&view)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "[profiles.{}]", visible(&args.name))?;
    if let serde_json::Value::Object(map) = view {
        for (k, v) in map {
            let shown = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            writeln!(out, "{k} = {}", visible(&shown))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
