//! What a walk talks to: a real app from a profile, the embedded sandbox started for this walk,
//! or a sandbox that is already running. Every face (the CLI's `run`, the TUI) turns its
//! arguments into a [`Where`] and a [`Choice`] and gets back one [`Target`]: the [`App`] the
//! flow needs, what to show about it, and how the redirect will come back.
//!
//! ```text
//!  Where::Profile(name)   ─┐
//!  Where::Embedded{…}     ─┼─ resolve(where, choice) ──▶ Target { app, info, sandbox, approver }
//!  Where::Running(spec)   ─┘                                       │
//!                                      callback_for(&flow) ──▶ Callback::Sandbox | Listener | Person
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};

use crate::config::profile::{self, Profile};
use crate::finding::Text;
use crate::flow::{
    AlipayApp, App, AppSigning, Flow, FlowKind, MiniClient, StepKind, StepState, WechatApp,
};
use crate::keys::{PrivateKey, PublicKey};
use crate::present::{TargetInfo, TargetKind};
use crate::provider::alipay::aes::EncryptKey;
use crate::provider::alipay::cert::CertSet;
use crate::provider::alipay::{ApiVersion, Charset, Environment, IdMode, SignMode, SignType};
use crate::provider::wechat::UserInfoLang;
use crate::provider::{Provider, Scope};
use crate::sandbox::{
    ALIPAY_APP_IDS, DEFAULT_ALIPAY_APP, Manifest, Sandbox, SandboxConfig, SandboxHandle, Scenario,
    WechatKind,
};
use crate::transport::{
    CallbackListener, ListenError, ListenerApprover, SandboxApprover, Transport,
};

/// Where the walk goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// The embedded sandbox, started in this process for this walk.
    Embedded {
        /// Where its keys live (default: the one sandbox state folder of this machine).
        state_dir: Option<PathBuf>,
        /// A scenario preset to apply at start.
        scenario: Option<String>,
    },
    /// An `authwalk sandbox` that is already running: its `sandbox.json`, its state folder, or
    /// its base URL (then its manifest is looked up in the default state folder).
    Running(String),
    /// A real app from the config file.
    Profile(String),
}

impl Default for Where {
    fn default() -> Self {
        Self::Embedded {
            state_dir: None,
            scenario: None,
        }
    }
}

/// What to walk on that target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// Sandbox: the demo user who approves (default: the scenario's, else the provider's first).
    pub user: Option<String>,
    /// Sandbox: which demo app (app_id / appid).
    pub app: Option<String>,
    /// Override the app's scope.
    pub scope: Option<Scope>,
    /// Alipay: OpenAPI v2 or v3 (default: the profile's, else v2).
    pub api: Option<ApiVersion>,
    /// Allow a profile's gateway or API base to be plain `http://` on a host that is not
    /// loopback (its secrets and tokens then cross the network in clear).
    pub insecure_http: bool,
    /// Alipay mini program: walk `my.getPhoneNumber` after the user info (the inspector's
    /// `--phone-number`; `run` sets it on the walk's inputs).
    pub phone_number: bool,
}

/// A resolved target, ready for `Flow::new`.
#[derive(Debug)]
pub struct Target {
    pub app: App,
    pub info: TargetInfo,
    /// The embedded sandbox, kept alive for the walk; shut it down when done.
    pub sandbox: Option<SandboxHandle>,
    /// How a sandbox approves (embedded or running); `None` for a real app.
    pub approver: Option<SandboxApprover>,
    /// The demo user who approves on a sandbox.
    pub user: Option<String>,
    /// The sandbox's manifest (embedded or running), to list its demo users.
    pub manifest: Option<Manifest>,
    /// The scenario asks the walk itself to make the two-token mix-up (`token-mixup`): see
    /// [`Flow::set_tutorial_mixup`](crate::flow::Flow::set_tutorial_mixup).
    pub tutorial_mixup: bool,
    /// The scenario asks the walk to follow seed 002's own code path (`cgi-user-info`): see
    /// [`Flow::set_tutorial_cgi`](crate::flow::Flow::set_tutorial_cgi).
    pub tutorial_cgi: bool,
    /// Warnings to show before the walk (a key or secret file others can read).
    pub warnings: Vec<String>,
}

/// How the redirect of a walk will come back.
#[derive(Debug)]
pub enum Callback {
    /// The sandbox approves as a demo user, with its one documented POST.
    Sandbox(SandboxApprover),
    /// A loopback `redirect_uri`: authwalk listens there for the browser.
    Listener(ListenerApprover),
    /// A person pastes the address the browser landed on (or the bare code).
    Person,
}

/// An opened place: the embedded sandbox started (once, for any number of walks), a running
/// sandbox's manifest read, or a profile named. [`Place::target`] then gives the target of
/// one flow there.
#[derive(Debug)]
pub struct Place {
    kind: TargetKind,
    sandbox: Option<SandboxHandle>,
    manifest: Option<Manifest>,
    scenario_user: Option<String>,
    /// The scenario makes the two-token mix-up on purpose (`token-mixup`).
    tutorial_mixup: bool,
    /// The scenario follows seed 002's own code path (`cgi-user-info`).
    tutorial_cgi: bool,
    /// A profile's name and what it says.
    profile: Option<(String, Profile)>,
    /// Phone mode: the LAN address the authorize URL (and so the QR code) carries.
    lan: Option<IpAddr>,
}

/// How to open a place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Open {
    /// The flows that will be walked (an embedded sandbox registers only the Alipay app they
    /// need: each one costs a key on a fresh machine).
    pub flows: Vec<FlowKind>,
    /// The Alipay demo app to register (default [`DEFAULT_ALIPAY_APP`]).
    pub alipay_app: Option<String>,
    /// Phone mode: serve the embedded sandbox on every interface and put this LAN address in
    /// the authorize URL. authwalk itself still talks to the sandbox on loopback.
    pub lan: Option<IpAddr>,
}

/// Open `place`. Starts the embedded sandbox when that is the place (so call it inside a tokio
/// runtime).
pub async fn open(place: &Where, how: &Open) -> anyhow::Result<Place> {
    match place {
        Where::Profile(name) => open_profile(name, how).await,
        Where::Embedded {
            state_dir,
            scenario,
        } => {
            let dir = match state_dir {
                Some(dir) => dir.clone(),
                None => sandbox_state_dir()?,
            };
            let scenario = scenario.as_deref().map(Scenario::named).transpose()?;
            let alipay_apps = if how.flows.iter().any(|f| f.provider() == Provider::Alipay) {
                let app = how.alipay_app.as_deref().unwrap_or(DEFAULT_ALIPAY_APP);
                if !ALIPAY_APP_IDS.contains(&app) {
                    bail!(
                        "no sandbox Alipay app '{app}'; choose one of {}",
                        ALIPAY_APP_IDS.join(", ")
                    );
                }
                let mut apps = vec![app.to_owned()];
                // The ISV walk needs the ISV's app and the merchant's.
                if how.flows.contains(&FlowKind::AlipayIsv) {
                    for app in [crate::sandbox::ISV_APP, crate::sandbox::MERCHANT_APP] {
                        if !apps.iter().any(|a| a == app) {
                            apps.push(app.to_owned());
                        }
                    }
                }
                apps
            } else {
                Vec::new()
            };
            let mut config = SandboxConfig {
                state_dir: Some(dir),
                scenario: scenario.as_ref().map(|s| s.name.clone()),
                alipay_apps: Some(alipay_apps),
                ..SandboxConfig::default()
            };
            if how.lan.is_some() {
                config.listen = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
            }
            let handle = Sandbox::start(config)
                .await
                .context("cannot start the embedded sandbox")?;
            Ok(Place {
                kind: TargetKind::Sandbox,
                manifest: Some(handle.manifest().clone()),
                sandbox: Some(handle),
                tutorial_mixup: scenario
                    .as_ref()
                    .is_some_and(|s| s.tutorial_mixup || s.alipay_isv_mixup),
                tutorial_cgi: scenario.as_ref().is_some_and(|s| s.cgi_user_info),
                scenario_user: scenario.and_then(|s| s.user),
                profile: None,
                lan: how.lan,
            })
        }
        Where::Running(spec) => Ok(Place {
            kind: TargetKind::RunningSandbox,
            sandbox: None,
            manifest: Some(crate::sandbox::running(spec)?),
            scenario_user: None,
            tutorial_mixup: false,
            tutorial_cgi: false,
            profile: None,
            lan: None,
        }),
    }
}

/// Open a profile: read it, and on a sandbox environment start the embedded sandbox (with the
/// profile's app) or read the running one's manifest.
async fn open_profile(name: &str, how: &Open) -> anyhow::Result<Place> {
    let path = profile::config_path()?;
    let loaded = profile::load(&path, name)?;
    let (sandbox, manifest) = match ProfileEnv::parse(loaded.environment()) {
        ProfileEnv::Real(_) => (None, None),
        ProfileEnv::Running(spec) => {
            let spec = if spec.is_empty() {
                sandbox_state_dir()?.display().to_string()
            } else {
                spec
            };
            (None, Some(crate::sandbox::running(&spec)?))
        }
        ProfileEnv::Embedded => {
            let alipay_apps = match &loaded {
                Profile::Alipay(p)
                    if how.flows.iter().any(|f| f.provider() == Provider::Alipay) =>
                {
                    if !ALIPAY_APP_IDS.contains(&p.app_id.as_str()) {
                        bail!(
                            "profile '{name}': app_id {} is not an app of the embedded sandbox; \
                             use one of {}",
                            p.app_id,
                            ALIPAY_APP_IDS.join(", ")
                        );
                    }
                    vec![p.app_id.clone()]
                }
                _ => Vec::new(),
            };
            let handle = Sandbox::start(SandboxConfig {
                state_dir: Some(sandbox_state_dir()?),
                alipay_apps: Some(alipay_apps),
                ..SandboxConfig::default()
            })
            .await
            .context("cannot start the embedded sandbox")?;
            let manifest = handle.manifest().clone();
            (Some(handle), Some(manifest))
        }
    };
    Ok(Place {
        kind: TargetKind::Profile,
        sandbox,
        manifest,
        scenario_user: None,
        tutorial_mixup: false,
        tutorial_cgi: false,
        profile: Some((name.to_owned(), loaded)),
        lan: None,
    })
}

impl Place {
    /// The target of one `flow` here.
    pub fn target(
        &self,
        flow: FlowKind,
        choice: &Choice,
        transport: &Transport,
    ) -> anyhow::Result<Target> {
        if let Some((name, profile)) = &self.profile {
            // A profile on a sandbox takes the real path; only the base URLs differ, and the
            // sandbox approves as a demo user.
            let manifest = self.manifest.as_ref();
            let (app, mut info) = app_from_profile(name, profile.clone(), flow, choice, manifest)?;
            let (approver, user) = match manifest {
                Some(m) => {
                    let user = pick_user(m, flow, choice, None)?;
                    info.user = Some(user.clone());
                    (Some(approver(m, &user, transport)), Some(user))
                }
                None => (None, None),
            };
            return Ok(Target {
                app,
                info,
                sandbox: None,
                approver,
                user,
                manifest: manifest.cloned(),
                tutorial_mixup: false,
                tutorial_cgi: false,
                warnings: loose_files(profile),
            });
        }
        let manifest = self
            .manifest
            .as_ref()
            .ok_or_else(|| anyhow!("internal error: a sandbox place without a manifest"))?;
        let mut target = on_sandbox(
            manifest,
            flow,
            choice,
            self.scenario_user.as_deref(),
            transport,
            self.kind,
        )?;
        target.tutorial_mixup = self.tutorial_mixup;
        target.tutorial_cgi = self.tutorial_cgi;
        target.info.scenario = self.scenario();
        // An app_auth_code is single-use: each ISV walk on the embedded sandbox starts from a
        // fresh merchant authorization, so a restarted walk (`R`, `u`) does not replay the
        // code of sandbox.json that the first walk spent.
        if let (FlowKind::AlipayIsv, Some(handle), App::Alipay(app)) =
            (flow, &self.sandbox, &mut target.app)
            && let (Some(delegation), Some(code)) = (app.isv.as_mut(), handle.merchant_authorizes())
        {
            delegation.app_auth_code = code;
        }
        if let Some(ip) = self.lan {
            target.on_lan(ip)?;
        }
        Ok(target)
    }

    /// The scenario in force on the embedded sandbox, if any.
    pub fn scenario(&self) -> Option<String> {
        self.sandbox
            .as_ref()
            .and_then(SandboxHandle::scenario)
            .map(|s| s.name)
    }

    /// Switch the embedded sandbox to `scenario` (or to none) for the walks started after:
    /// its faults, its clock, its preselected user and the walk's own mix-up. A running
    /// sandbox or a profile cannot take one.
    pub fn set_scenario(&mut self, scenario: Option<Scenario>) -> Result<(), &'static str> {
        let handle = self.sandbox.as_ref().filter(|_| self.profile.is_none());
        let Some(handle) = handle else {
            return Err("tui.scenario-not-here");
        };
        self.tutorial_mixup = scenario
            .as_ref()
            .is_some_and(|s| s.tutorial_mixup || s.alipay_isv_mixup);
        self.tutorial_cgi = scenario.as_ref().is_some_and(|s| s.cgi_user_info);
        self.scenario_user = scenario.as_ref().and_then(|s| s.user.clone());
        handle.set_scenario(scenario);
        Ok(())
    }

    /// The embedded sandbox, when this place started one.
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandbox.as_ref()
    }

    /// The sandbox's manifest (embedded or running).
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Where a phone reaches the sandbox in phone mode: `http://LAN:PORT`.
    pub fn lan_base(&self) -> Option<String> {
        let (ip, handle) = (self.lan?, self.sandbox.as_ref()?);
        Some(format!(
            "http://{}",
            SocketAddr::new(ip, handle.addr().port())
        ))
    }

    /// Stop the embedded sandbox, if any.
    pub async fn shutdown(self) {
        if let Some(handle) = self.sandbox {
            handle.shutdown().await;
        }
    }
}

/// Resolve `place` for one walk of `flow`: [`open`] then [`Place::target`]. The target keeps
/// the embedded sandbox alive.
pub async fn resolve(
    place: &Where,
    flow: FlowKind,
    choice: &Choice,
    transport: &Transport,
) -> anyhow::Result<Target> {
    let how = Open {
        flows: vec![flow],
        alipay_app: choice.app.clone(),
        lan: None,
    };
    let mut opened = open(place, &how).await?;
    let mut target = opened.target(flow, choice, transport)?;
    target.sandbox = opened.sandbox.take();
    Ok(target)
}

/// This machine's address on the LAN: the source address of a route to a public address,
/// found with a UDP `connect`, which sends nothing.
pub fn lan_address() -> anyhow::Result<IpAddr> {
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .context("cannot open a UDP socket to find the LAN address")?;
    socket
        .connect((Ipv4Addr::new(192, 0, 2, 1), 9))
        .context("no network route: is this machine on a LAN? (--lan needs one)")?;
    let ip = socket.local_addr()?.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        bail!("no LAN address found (got {ip}); connect to a network for --lan");
    }
    Ok(ip)
}

impl Target {
    /// Phone mode: the authorize URL and the redirect_uri carry the LAN address, so a phone
    /// that scans the QR code reaches the consent page and lands on the callback page. The
    /// API calls and the approver still go to loopback.
    fn on_lan(&mut self, ip: IpAddr) -> anyhow::Result<()> {
        let swap = |url: &mut String| -> anyhow::Result<()> {
            let mut parsed = url::Url::parse(url)?;
            parsed
                .set_ip_host(ip)
                .map_err(|()| anyhow!("cannot put {ip} into {url}"))?;
            *url = parsed.to_string();
            Ok(())
        };
        match &mut self.app {
            App::Alipay(a) => {
                swap(&mut a.authorize_url)?;
                swap(&mut a.redirect_uri)?;
            }
            App::Wechat(w) => {
                swap(&mut w.open_base)?;
                swap(&mut w.redirect_uri)?;
                w.open_base = w.open_base.trim_end_matches('/').to_owned();
            }
        }
        Ok(())
    }

    /// How the redirect of `flow` will come back: the sandbox approver, a loopback listener
    /// for a real app whose `redirect_uri` is on this machine, or a person pasting it.
    pub async fn callback_for(&self, flow: &Flow) -> anyhow::Result<Callback> {
        if let Some(approver) = &self.approver {
            return Ok(Callback::Sandbox(approver.clone()));
        }
        // A walk started after the callback (with --code, --auth-token …) never waits for one.
        let waits = flow
            .steps()
            .iter()
            .any(|s| s.kind == StepKind::Callback && s.state == StepState::Pending);
        if !waits {
            return Ok(Callback::Person);
        }
        match CallbackListener::bind(redirect_uri(&self.app)).await {
            Ok(listener) => Ok(Callback::Listener(ListenerApprover::new(listener))),
            Err(ListenError::NotLoopback(_)) => Ok(Callback::Person),
            Err(e) => Err(e.into()),
        }
    }
}

/// The `redirect_uri` an app sends on its authorize URL.
pub fn redirect_uri(app: &App) -> &str {
    match app {
        App::Alipay(a) => &a.redirect_uri,
        App::Wechat(w) => &w.redirect_uri,
    }
}

/// A random alphanumeric `state` (CSRF token), 24 characters from the OS's randomness.
pub fn random_state() -> String {
    use rsa::rand_core::{OsRng, RngCore as _};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..24)
        .map(|_| {
            let i = usize::try_from(OsRng.next_u32()).unwrap_or(0) % ALPHABET.len();
            char::from(ALPHABET[i])
        })
        .collect()
}

/// The one folder where both `authwalk run` and `authwalk sandbox` keep the sandbox's keys.
pub fn sandbox_state_dir() -> anyhow::Result<PathBuf> {
    crate::config::sandbox_state_dir()
        .ok_or_else(|| anyhow!("no data folder on this system; pass --state-dir DIR"))
}

fn on_sandbox(
    m: &Manifest,
    flow: FlowKind,
    choice: &Choice,
    scenario_user: Option<&str>,
    transport: &Transport,
    kind: TargetKind,
) -> anyhow::Result<Target> {
    let user = pick_user(m, flow, choice, scenario_user)?;
    let (app, name) = match flow.provider() {
        Provider::Alipay => sandbox_alipay(m, flow, choice)?,
        Provider::Wechat => sandbox_wechat(m, flow, choice)?,
    };
    let base = m.base_url().to_owned();
    Ok(Target {
        app,
        info: TargetInfo {
            scenario: None,
            kind,
            name: format!("{} as {user}", name.get(crate::lang::Lang::EN)),
            base,
            app: name,
            user: Some(user.clone()),
        },
        sandbox: None,
        approver: Some(approver(m, &user, transport)),
        user: Some(user),
        manifest: Some(m.clone()),
        tutorial_mixup: false,
        tutorial_cgi: false,
        warnings: Vec::new(),
    })
}

/// The sandbox's way of approving as `user`.
fn approver(m: &Manifest, user: &str, transport: &Transport) -> SandboxApprover {
    SandboxApprover {
        transport: transport.clone(),
        user: user.to_owned(),
        control: m.control.clone(),
        token: m.token.clone(),
    }
}

/// The demo user who approves: the one asked for, else the scenario's, else the provider's
/// first.
fn pick_user(
    m: &Manifest,
    flow: FlowKind,
    choice: &Choice,
    scenario_user: Option<&str>,
) -> anyhow::Result<String> {
    let provider = flow.provider();
    let known = || {
        m.users_of(provider)
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let user = match choice.user.as_deref() {
        Some(u) if !m.users_of(provider).any(|e| e.id == u) => {
            bail!("no {provider} demo user '{u}'; choose one of {}", known());
        }
        Some(u) => u.to_owned(),
        // The scenario's user is the one "holding the phone" (frozen-user, …).
        None => match scenario_user.filter(|u| m.users.iter().any(|e| e.id == *u)) {
            Some(u) => u.to_owned(),
            None => m
                .users_of(provider)
                .next()
                .map(|e| e.id.clone())
                .ok_or_else(|| anyhow!("the sandbox has no {provider} demo user"))?,
        },
    };
    Ok(user)
}

/// The scope to use: the one asked for, else the default; it must be `provider`'s.
fn scope_for(provider: Provider, asked: Option<Scope>, default: Scope) -> anyhow::Result<Scope> {
    let scope = asked.unwrap_or(default);
    if scope.provider() != provider {
        let own: Vec<_> = Scope::ALL
            .iter()
            .filter(|s| s.provider() == provider)
            .map(|s| s.as_str())
            .collect();
        bail!(
            "scope {scope} is {}'s, not {provider}'s; use {}",
            scope.provider(),
            own.join(" or ")
        );
    }
    Ok(scope)
}

fn profile_scope(name: &str, scope: &str) -> anyhow::Result<Scope> {
    scope.parse().map_err(|e| anyhow!("profile '{name}': {e}"))
}

fn read_key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(crate::limits::read_file(path, crate::limits::MAX_KEY_FILE)?)
}

/// The sandbox's control API, playing the mini program's `my.getPhoneNumber`.
fn mini_client(m: &Manifest) -> MiniClient {
    MiniClient {
        phone_number_url: format!("{}/alipay/phone-number", m.control),
        token: m.token.clone(),
    }
}

fn sandbox_alipay(m: &Manifest, flow: FlowKind, choice: &Choice) -> anyhow::Result<(App, Text)> {
    // An ISV walk signs as the ISV's app and acts for the merchant that authorized it.
    let isv = match flow {
        FlowKind::AlipayIsv => {
            let entry = m.alipay.isv.first().ok_or_else(|| {
                anyhow!(
                    "this sandbox lists no ISV authorization (alipay.isv in sandbox.json); \
                     restart it with this version of authwalk"
                )
            })?;
            if choice.api == Some(ApiVersion::V3) {
                bail!("the ISV walk runs over OpenAPI v2 (gateway.do); drop --api v3");
            }
            Some((
                entry.isv_app_id.clone(),
                crate::flow::IsvDelegation {
                    merchant_app_id: entry.merchant_app_id.clone(),
                    app_auth_code: entry.app_auth_code.clone(),
                },
            ))
        }
        FlowKind::AlipayWeb
        | FlowKind::AlipayMini
        | FlowKind::WechatWeb
        | FlowKind::WechatQr
        | FlowKind::WechatMini
        | FlowKind::WechatComponent
        | FlowKind::WecomWeb => None,
    };
    let wanted = isv
        .as_ref()
        .map(|(app, _)| app.as_str())
        .or(choice.app.as_deref())
        .unwrap_or(DEFAULT_ALIPAY_APP);
    let entry = m
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == wanted)
        .ok_or_else(|| {
            let known: Vec<_> = m.alipay.apps.iter().map(|a| a.app_id.as_str()).collect();
            anyhow!(
                "no sandbox Alipay app '{wanted}'; choose one of {}",
                known.join(", ")
            )
        })?;
    let private_key = PrivateKey::parse_bytes(&read_key_file(&entry.app_private_key)?)
        .with_context(|| entry.app_private_key.display().to_string())?;
    let alipay_public_key = PublicKey::parse_bytes(&read_key_file(&entry.alipay_public_key)?)
        .with_context(|| entry.alipay_public_key.display().to_string())?;
    let app = AlipayApp {
        app_id: entry.app_id.clone(),
        sign_type: entry.sign_type.parse().map_err(anyhow::Error::msg)?,
        charset: entry.charset.parse().map_err(anyhow::Error::msg)?,
        private_key,
        alipay_public_key,
        redirect_uri: entry.redirect_uri.clone(),
        scope: scope_for(Provider::Alipay, choice.scope, Scope::AuthUser)?,
        gateway_url: m.alipay.gateway.clone(),
        authorize_url: m.alipay.authorize.clone(),
        signing: match entry.mode {
            SignMode::Key => AppSigning::Key,
            SignMode::Cert => cert_signing(
                entry.app_cert.as_deref(),
                entry.alipay_cert.as_deref(),
                entry.alipay_root_cert.as_deref(),
            )
            .with_context(|| format!("sandbox app {}", entry.app_id))?,
        },
        api: choice.api.unwrap_or_default(),
        encrypt_key: entry
            .encrypt_key
            .as_deref()
            .and_then(|k| EncryptKey::parse(k).ok()),
        id_mode: Some(entry.id_mode),
        mini_client: Some(mini_client(m)),
        isv: isv.map(|(_, d)| d),
    };
    let name = Text::with("target.alipay-app", &[("app_id", &entry.app_id)]);
    Ok((App::Alipay(app), name))
}

/// Certificate mode from the three files: the app certificate, Alipay's certificate and the
/// root bundle. Each must be given.
fn cert_signing(
    app_cert: Option<&Path>,
    alipay_cert: Option<&Path>,
    root: Option<&Path>,
) -> anyhow::Result<AppSigning> {
    let read = |path: Option<&Path>, key: &str| -> anyhow::Result<String> {
        let path = path.ok_or_else(|| {
            anyhow!(
                "certificate mode needs `{key}` (the path of the file the Alipay console \
                 downloads); give app_cert, alipay_cert and alipay_root_cert"
            )
        })?;
        let bytes = read_key_file(path)?;
        String::from_utf8(bytes).map_err(|_| {
            anyhow!(
                "{} is not PEM text; download the .crt from the console again",
                path.display()
            )
        })
    };
    let app = read(app_cert, "app_cert")?;
    let alipay = read(alipay_cert, "alipay_cert")?;
    let root_text = read(root, "alipay_root_cert")?;
    let set = CertSet::from_pem(&app, &alipay, &root_text)?;
    Ok(AppSigning::Cert(Box::new(set)))
}

fn sandbox_wechat(m: &Manifest, flow: FlowKind, choice: &Choice) -> anyhow::Result<(App, Text)> {
    if flow == FlowKind::WecomWeb {
        return sandbox_wecom(m, choice);
    }
    // A component walk logs a user in for an Official Account through the platform it
    // authorized: the account's app, with the platform beside it.
    let component = match flow {
        FlowKind::WechatComponent => Some(sandbox_component(m, choice)?),
        FlowKind::WechatWeb
        | FlowKind::WechatQr
        | FlowKind::WechatMini
        | FlowKind::WecomWeb
        | FlowKind::AlipayWeb
        | FlowKind::AlipayMini
        | FlowKind::AlipayIsv => None,
    };
    let flow_of = |kind: WechatKind| match kind {
        WechatKind::OfficialAccount if component.is_some() => FlowKind::WechatComponent,
        WechatKind::OfficialAccount => FlowKind::WechatWeb,
        WechatKind::Website => FlowKind::WechatQr,
        WechatKind::MiniProgram => FlowKind::WechatMini,
    };
    let entry = match (&choice.app, &component) {
        (_, Some((_, authorizer))) => m.wechat.apps.iter().find(|a| a.appid == *authorizer),
        (Some(id), None) => m.wechat.apps.iter().find(|a| a.appid == *id),
        (None, None) => m.wechat.apps.iter().find(|a| flow_of(a.kind) == flow),
    }
    .ok_or_else(|| {
        let known: Vec<_> = m.wechat.apps.iter().map(|a| a.appid.as_str()).collect();
        anyhow!(
            "no such sandbox WeChat app; choose one of {}",
            known.join(", ")
        )
    })?;
    if flow_of(entry.kind) != flow {
        bail!(
            "sandbox app {} is a {} app; walk it with `authwalk run {}`",
            entry.appid,
            entry.kind.as_str(),
            flow_of(entry.kind)
        );
    }
    let default_scope = if flow == FlowKind::WechatQr {
        Scope::SnsapiLogin
    } else {
        Scope::SnsapiUserinfo
    };
    let app = WechatApp {
        appid: entry.appid.clone(),
        secret: entry.secret.clone(),
        redirect_uri: entry.redirect_uri.clone(),
        scope: scope_for(Provider::Wechat, choice.scope, default_scope)?,
        open_base: m.wechat.open_base.clone(),
        api_base: m.wechat.api_base.clone(),
        lang: UserInfoLang::ZhCn,
        component: component.map(|(c, _)| c),
        agentid: None,
    };
    let name = Text::with("target.wechat-app", &[("appid", &entry.appid)]);
    Ok((App::Wechat(app), name))
}

mod delegated;
mod from_profile;

use delegated::{sandbox_component, sandbox_wecom};

pub use from_profile::{ProfileEnv, check_plain_http};
use from_profile::{app_from_profile, loose_files};
