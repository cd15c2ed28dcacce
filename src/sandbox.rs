//! The embedded sandbox: Alipay and WeChat emulated faithfully on one loopback port.
//!
//! It is a real HTTP server (axum on tokio), reached over real HTTP, never by a shortcut call:
//! what the inspector shows against it is what it would show against the real provider. The
//! gateway verifies request signatures and signs responses with the very code the client uses
//! ([`crate::provider::alipay`]).
//!
//! ```text
//!  Sandbox::start(SandboxConfig) ─▶ SandboxHandle { base_url, manifest, shutdown }
//!     │
//!     ├─ /oauth2/publicAppAuthorize.htm   consent page (GET) · approve/deny (POST, one request)
//!     ├─ /gateway.do                      alipay.system.oauth.token · alipay.user.info.share
//!     ├─ /connect/oauth2/authorize, /connect/qrconnect   WeChat consent pages
//!     ├─ /sns/…, /cgi-bin/token, /cgi-bin/user/info      WeChat APIs
//!     └─ /__sandbox/…                     manifest, clock, faults, scenarios, auth codes
//! ```
//!
//! Tests start it in-process (binding `127.0.0.1:0` and reading the port back):
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use authwalk::sandbox::{Sandbox, SandboxConfig};
//! // state_dir: None = a temporary directory, removed with the handle.
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let gateway = &sandbox.manifest().alipay.gateway; // http://127.0.0.1:PORT/gateway.do
//! # let _ = gateway;
//! sandbox.advance_clock(301); // sign request timestamps with sandbox.now() afterwards
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! A script approves a consent page with one request: `POST` to the authorize URL (same path
//! and query) with the form body `user=<demo user id>&decision=approve`; the answer is the
//! provider's `302` to `redirect_uri` with the code. `decision=deny` shows a page and does not
//! redirect.
//!
//! Control API (JSON), under [`CONTROL_PATH`]. Every call but the callback page needs the
//! per-run `token` of `sandbox.json` in a [`TOKEN_HEADER`] header (or `Authorization: Bearer`),
//! and its POSTs must be `application/json`. Every request must name a Host this sandbox
//! answers to (its address, `localhost`, or when bound to a LAN address an IP address), and a
//! POST carrying a foreign `Origin` is refused. Codes and tokens are capped
//! ([`SandboxConfig::max_held`]), and so are connections ([`SandboxConfig::max_connections`],
//! with idle timeouts).
//!
//!
//! | request | effect |
//! | --- | --- |
//! | `GET /__sandbox` | the manifest (same as `sandbox.json`) |
//! | `GET /__sandbox/clock`, `POST /__sandbox/clock/advance {"seconds":N}` | read / move the clock |
//! | `GET`, `POST`, `DELETE /__sandbox/faults` | list / arm (see [`Fault`]) / clear faults |
//! | `GET /__sandbox/scenarios`, `GET`/`POST /__sandbox/scenario {"name":…}` | scenario presets |
//! | `POST /__sandbox/alipay/auth-code` (`app_id`, `scope`, `user`) | `{"authCode":…}` as `my.getAuthCode` |
//! | `POST /__sandbox/alipay/phone-number` (`app_id`, `user`, `consent`) | `{"response":…,"sign":…}` as `my.getPhoneNumber` (AES) |
//! | `POST /__sandbox/wechat/js-code` (`appid`, `user`) | `{"code":…}` as `wx.login`; rotates the user's `session_key` |
//! | `POST /__sandbox/wechat/user-data` (`appid`, `user`) | `{"encryptedData","iv","rawData","signature"}` under the current `session_key` |
//! | `POST /__sandbox/wechat/phone-code` (`appid`, `user`) | `{"code":…}` as a phone button's, for `getuserphonenumber` |
//! | `GET /__sandbox/stats` | how many codes and tokens are held |
//! | `GET /__sandbox/callback` | the demo apps' `redirect_uri`: shows what arrived |
//! | `GET /__sandbox/callbacks?state=S&wait_ms=N` | a long poll (up to 8 s): `{"url":…}`, the first request to the callback carrying `state` S, handed out once; `204` when none came |

mod alipay;
mod callbacks;
mod certs;
#[cfg(test)]
pub(crate) use certs::self_issued as test_certificate;
mod control;
mod demo;
mod entries;
mod form;
mod guard;
mod limits;
mod manifest;
mod pages;
mod running;
mod scenario;
mod state;
mod wechat;
mod wecom;
mod wire;

pub use entries::{ComponentEntry, IsvEntry, WecomEntry};

pub use alipay::isv::{ISV_APP, MERCHANT_APP};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::oneshot;

pub use demo::WechatKind;
pub use scenario::{Scenario, scenario_names};
pub use state::{Fault, FaultError, FaultKind, Provider};
use wire::not_found;
pub(crate) use wire::{Wire, found, html_502};

use crate::provider::alipay::{GATEWAY_PATH, IdMode, SignMode};

pub use demo::{ALIPAY_APP_IDS, CERT_ALIPAY_APP, DEFAULT_ALIPAY_APP};
pub use running::{LOCK_FILE, is_live, read_manifest, running};

/// Prefix of the sandbox's own control API (not part of either provider).
pub const CONTROL_PATH: &str = "/__sandbox";
pub use crate::provider::SANDBOX_CODE_EVICTED_HINT as CODE_EVICTED_HINT;
/// Where the demo apps' `redirect_uri` points: a page that shows what the provider sent.
pub const CALLBACK_PATH: &str = "/__sandbox/callback";
/// The manifest file name written into the state directory.
pub const MANIFEST_FILE: &str = "sandbox.json";
/// The header that carries the sandbox's per-run token to the control API and the manifest
/// endpoint (`Authorization: Bearer TOKEN` is accepted too).
pub const TOKEN_HEADER: &str = "X-Authwalk-Sandbox-Token";

/// The tracing target of the one-line-per-request access log.
pub const ACCESS_LOG_TARGET: &str = "authwalk::sandbox::access";

/// The environment variable [`running`] reads a token from when given only a base URL.
pub const TOKEN_ENV: &str = "AUTHWALK_SANDBOX_TOKEN";

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind; port 0 picks a free one (read it back from the handle).
    pub listen: SocketAddr,
    /// Where keys, secrets and `sandbox.json` live; `None` makes a temporary directory that
    /// disappears on shutdown (tests).
    pub state_dir: Option<PathBuf>,
    /// A scenario preset to apply at start (`assets/scenarios/NAME.toml`).
    pub scenario: Option<String>,
    /// Register only these demo Alipay apps (`None`: all of [`ALIPAY_APP_IDS`]). Each app
    /// costs a 2048-bit key on a first start, and a single walk needs one, so `authwalk run`
    /// asks for just that one and a fresh machine answers in well under a second.
    pub alipay_apps: Option<Vec<String>>,
    /// Claim the state folder for the life of the server, as the standalone `authwalk sandbox`
    /// does: refuse to start while another claimed sandbox serves from it, and remove
    /// `sandbox.json` on a clean shutdown. Without it (a walk's embedded sandbox, tests) the
    /// manifest is written only when no claimed sandbox holds the folder, and left behind.
    pub exclusive: bool,
    /// Log one line per request on stderr (the standalone `authwalk sandbox`, unless `-q`).
    pub log_requests: bool,
    /// How many codes, and how many tokens, each store keeps at most: past it the entries
    /// closest to expiry are dropped, so a flood of logins cannot grow memory without bound.
    pub max_held: usize,
    /// How many connections are served at once; when full, the longest-idle one is closed to
    /// make room for a new client.
    pub max_connections: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            state_dir: None,
            scenario: None,
            alipay_apps: None,
            exclusive: false,
            log_requests: false,
            max_held: state::MAX_HELD,
            max_connections: limits::MAX_CONNECTIONS,
        }
    }
}

/// The contents of `sandbox.json`: everything a script or SDK needs to talk to the sandbox.
/// The JSON shape is a contract scripts rely on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub alipay: AlipayManifest,
    pub wechat: WechatManifest,
    pub users: Vec<UserEntry>,
    /// Base URL of the control API.
    pub control: String,
    /// The per-run secret the control API and the manifest endpoint require, sent as the
    /// [`TOKEN_HEADER`] header (or `Authorization: Bearer …`). A new one on every start.
    #[serde(default)]
    pub token: String,
    /// The process serving this sandbox (0 when unknown).
    #[serde(default)]
    pub pid: u32,
}

impl Manifest {
    /// The demo users of one provider, in the manifest's order.
    pub fn users_of(&self, provider: Provider) -> impl Iterator<Item = &UserEntry> {
        self.users.iter().filter(move |u| u.provider == provider)
    }

    /// `http://HOST:PORT`, the base every URL of the sandbox hangs off.
    pub fn base_url(&self) -> &str {
        self.control
            .strip_suffix(CONTROL_PATH)
            .unwrap_or(&self.control)
    }
}

/// The Alipay half of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlipayManifest {
    pub gateway: String,
    pub authorize: String,
    pub apps: Vec<AlipayAppEntry>,
    /// A merchant app's authorization of a third-party (ISV) app: the `app_auth_code` the
    /// sandbox issued when it started (more from `/__sandbox/alipay/app-auth-code`).
    #[serde(default)]
    pub isv: Vec<IsvEntry>,
}

/// One registered Alipay app and the key files to configure an SDK with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlipayAppEntry {
    pub app_id: String,
    /// What makes this app different (sign type, charset, open_id mode).
    pub label: String,
    /// `RSA2` or `RSA`.
    pub sign_type: String,
    /// `utf-8` or `GBK`.
    pub charset: String,
    /// Which ids responses carry: `uid` (`user_id`), `openid` (`open_id`) or `both`.
    pub id_mode: IdMode,
    /// `id_mode` is `openid`: kept for scripts written before `id_mode`.
    pub open_id_only: bool,
    /// The app group: apps of one group see the same `union_id` for a user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_group: Option<String>,
    /// When the app was approved (`YYYY-MM-DD`); after 2019-12-24, `user_status`,
    /// `is_certified`, `user_type` and `is_student_certified` are withheld.
    pub approved: String,
    /// The AES key (base64) of content encryption and `my.getPhoneNumber`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt_key: Option<String>,
    /// PKCS#8 PEM, mode 0600.
    pub app_private_key: PathBuf,
    /// SPKI PEM: what would be uploaded to the Alipay console.
    pub app_public_key: PathBuf,
    /// SPKI PEM of the key the sandbox signs responses with.
    pub alipay_public_key: PathBuf,
    /// The registered callback (授权回调地址).
    pub redirect_uri: String,
    /// `key` (公钥) or `cert` (公钥证书).
    #[serde(default)]
    pub mode: SignMode,
    /// Certificate mode: the app's certificate (`appCertPublicKey_<app_id>.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_cert: Option<PathBuf>,
    /// Certificate mode: Alipay's certificate (`alipayCertPublicKey_RSA2.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay_cert: Option<PathBuf>,
    /// Certificate mode: the root bundle (`alipayRootCert.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay_root_cert: Option<PathBuf>,
}

/// The WeChat half of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WechatManifest {
    /// Stands in for `https://open.weixin.qq.com` (authorize pages).
    pub open_base: String,
    /// Stands in for `https://api.weixin.qq.com`.
    pub api_base: String,
    pub apps: Vec<WechatAppEntry>,
    /// Third-party platforms (第三方平台) and the Official Accounts that authorized them.
    #[serde(default)]
    pub components: Vec<ComponentEntry>,
    /// WeCom (企业微信) corps, each with one self-built app.
    #[serde(default)]
    pub wecom: Vec<WecomEntry>,
}

/// One registered WeChat app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WechatAppEntry {
    pub appid: String,
    pub label: String,
    /// `official_account` (oauth2/authorize), `website` (qrconnect) or `mini_program`
    /// (`wx.login` → jscode2session).
    pub kind: WechatKind,
    /// The Open Platform account the app is bound to; apps with the same value see a user
    /// under the same `unionid`. Absent when the app is bound to none (no `unionid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_platform: Option<String>,
    pub secret: String,
    pub redirect_uri: String,
}

/// A demo user to pick on the consent page (or in `/__sandbox/alipay/auth-code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub id: String,
    pub provider: Provider,
    pub label: String,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cast: demo::Cast,
    pub clock: state::Clock,
    pub faults: state::Faults,
    pub manifest: Manifest,
    pub alipay: alipay::AlipayState,
    pub wechat: wechat::WechatState,
    pub wecom: wecom::WecomState,
    pub scenario: Mutex<Option<Scenario>>,
    /// The bound address: which Host names are served, and which callbacks are registered.
    pub bind: SocketAddr,
    pub log_requests: bool,
    /// What reached the demo apps' callback, for the walk that waits for it.
    pub callbacks: callbacks::Callbacks,
}

impl Shared {
    /// The active scenario, if any.
    pub fn scenario(&self) -> Option<Scenario> {
        self.scenario
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// No scenario any more: its faults disarmed, the sandbox as it is (the clock stays).
    pub fn clear_scenario(&self) {
        self.faults.clear();
        tracing::info!("scenario cleared");
        *self
            .scenario
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Make `scenario` the active one: arm its faults and move the clock.
    pub fn apply_scenario(&self, scenario: Scenario) {
        self.faults.clear();
        for fault in &scenario.faults {
            if let Err(reason) = self.faults.add(fault.clone()) {
                tracing::warn!(%reason, "scenario fault not armed");
            }
        }
        if scenario.advance_clock != 0 {
            self.clock.advance(scenario.advance_clock);
        }
        tracing::info!(scenario = %scenario.name, "scenario applied");
        *self
            .scenario
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(scenario);
    }
}

/// What a sandbox holds: every store of a provider summed (codes, tokens, refresh tokens, used
/// codes…), and the codes not yet exchanged apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub alipay: usize,
    pub wechat: usize,
    pub alipay_codes: usize,
    pub wechat_codes: usize,
}

/// Starts sandboxes.
#[derive(Debug)]
pub struct Sandbox;

/// A running sandbox. Dropping it stops the server too, but [`SandboxHandle::shutdown`] waits
/// for it to finish.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    base_url: String,
    manifest_path: PathBuf,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The folder claim of an exclusive sandbox; the manifest is removed when it ends.
    claim: Option<running::Claim>,
    _temp: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Bind, build the demo cast (generating keys on first use), write `sandbox.json`, and
    /// serve on the current tokio runtime until the handle is shut down or dropped.
    #[expect(
        clippy::too_many_lines,
        reason = "one linear start-up: state folder, keys, listener, shared state, server"
    )]
    pub async fn start(config: SandboxConfig) -> anyhow::Result<SandboxHandle> {
        let (dir, temp) = if let Some(dir) = &config.state_dir {
            (dir.clone(), None)
        } else {
            let temp = tempfile::Builder::new()
                .prefix("authwalk-sandbox-")
                .tempdir()
                .context("cannot create a temporary state directory")?;
            (temp.path().to_path_buf(), Some(temp))
        };
        let dir = absolute(&dir)?;
        crate::config::create_private_dir(&dir)
            .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        let ephemeral = temp.is_some();
        let claim = if config.exclusive {
            let dir = dir.clone();
            Some(
                tokio::task::spawn_blocking(move || running::claim(&dir))
                    .await
                    .context("the state folder claim failed")??,
            )
        } else {
            None
        };
        let only = config.alipay_apps.clone();
        let cast = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || demo::cast(&dir, ephemeral, only.as_deref())
        })
        .await
        .context("the key generation task failed")??;

        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base_url = format!("http://{}", SocketAddr::new(host, addr.port()));
        let mut manifest = manifest::build(&base_url, &cast);
        let clock = state::Clock::default();
        let alipay_state = alipay::AlipayState::default();
        // The demo merchant's authorization of the demo ISV, ready for a walk to exchange.
        if let Some((isv, merchant)) = alipay::isv::demo_pair(&cast) {
            manifest.alipay.isv.push(IsvEntry {
                isv_app_id: isv.to_owned(),
                merchant_app_id: merchant.to_owned(),
                app_auth_code: alipay_state.isv.issue_code(isv, merchant, clock.unix()),
            });
        }
        manifest.token = state::random_token(32);
        manifest.pid = std::process::id();
        let manifest_path = dir.join(MANIFEST_FILE);

        let shared = Arc::new(Shared {
            cast,
            clock,
            faults: state::Faults::default(),
            manifest,
            alipay: alipay_state,
            wechat: wechat::WechatState::default(),
            wecom: wecom::WecomState::default(),
            scenario: Mutex::new(None),
            bind: addr,
            log_requests: config.log_requests,
            callbacks: callbacks::Callbacks::default(),
        });
        shared.alipay.set_cap(config.max_held);
        shared.wechat.set_cap(config.max_held);
        if let Some(name) = &config.scenario {
            let scenario = Scenario::named(name)?;
            shared.apply_scenario(scenario);
        }
        let text = serde_json::to_string_pretty(&shared.manifest)?;
        if claim.is_some() {
            demo::write_file(&manifest_path, text.as_bytes(), 0o600)?;
        } else if let Some(_writing) = running::try_share(&dir)? {
            demo::write_file(&manifest_path, text.as_bytes(), 0o600)?;
        } else {
            tracing::debug!("a standalone sandbox holds the state folder; sandbox.json left as is");
        }

        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        // tap_io: the wrapper through which axum hands the client's address to handlers.
        let listener = axum::serve::ListenerExt::tap_io(
            limits::Guarded::new(listener, config.max_connections),
            |_| {},
        );
        let task = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped with an error");
            }
        });
        tracing::info!(%base_url, "sandbox listening");
        Ok(SandboxHandle {
            addr,
            base_url,
            manifest_path,
            shared,
            stop: Some(stop),
            task: Some(task),
            claim,
            _temp: temp,
        })
    }
}

impl SandboxHandle {
    /// The bound address (with the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, the base every provider URL hangs off.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The manifest also written to `sandbox.json`.
    pub fn manifest(&self) -> &Manifest {
        &self.shared.manifest
    }

    /// Where `sandbox.json` was written.
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// Arm a fault in-process, as `POST /__sandbox/faults` does over HTTP.
    /// Switch to `scenario` (or to none) while serving, as `POST /__sandbox/scenario` does.
    pub fn set_scenario(&self, scenario: Option<Scenario>) {
        match scenario {
            Some(s) => self.shared.apply_scenario(s),
            None => self.shared.clear_scenario(),
        }
    }

    /// A fresh `app_auth_code` of the demo merchant for the demo ISV, as `POST
    /// /__sandbox/alipay/app-auth-code` gives one (`None` when the pair is not registered).
    pub fn merchant_authorizes(&self) -> Option<String> {
        alipay::isv::issue_demo_code(&self.shared)
    }

    /// The scenario in force, if any.
    pub fn scenario(&self) -> Option<Scenario> {
        self.shared.scenario()
    }

    pub fn arm(&self, fault: Fault) -> Result<(), FaultError> {
        self.shared.faults.add(fault)
    }

    /// Now on the sandbox clock: sign request timestamps with it after moving the clock.
    pub fn now(&self) -> OffsetDateTime {
        self.shared.clock.now()
    }

    /// Move the sandbox clock forward, as `POST /__sandbox/clock/advance` does.
    pub fn advance_clock(&self, seconds: i64) {
        self.shared.clock.advance(seconds);
    }

    /// How many codes and tokens the sandbox holds, as `GET /__sandbox/stats` counts them, with
    /// the codes not yet exchanged apart.
    pub fn held(&self) -> Held {
        Held {
            alipay: self.shared.alipay.held(),
            wechat: self.shared.wechat.held(),
            alipay_codes: self.shared.alipay.codes_held(),
            wechat_codes: self.shared.wechat.codes_held(),
        }
    }

    /// Mint `count` Alipay auth codes into the sandbox's own store, each exactly as approving
    /// the consent page would (`app_id`, demo `user`, `scope`), without the HTTP round trips;
    /// returns the last one. For soak tests that fill the store with millions of codes.
    #[doc(hidden)]
    pub fn mint_alipay_codes(
        &self,
        app_id: &str,
        user: &str,
        scope: &str,
        count: usize,
    ) -> Result<Option<String>, String> {
        alipay::mint_codes(&self.shared, app_id, user, scope, count)
    }

    /// What the start had to say once (a stale `sandbox.json` replaced), for the CLI to print.
    pub fn notice(&self) -> Option<&str> {
        self.claim.as_ref().and_then(|c| c.notice.as_deref())
    }

    /// Stop serving and wait for the server task to end. An exclusive sandbox removes its
    /// `sandbox.json`, so no manifest names a dead port.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.remove_manifest();
    }

    /// Remove `sandbox.json` if this exclusive sandbox wrote it (same token).
    fn remove_manifest(&mut self) {
        if self.claim.take().is_some()
            && read_manifest(&self.manifest_path)
                .is_ok_and(|m| m.token == self.shared.manifest.token)
        {
            let _ = std::fs::remove_file(&self.manifest_path);
        }
    }

    /// Wait until the server stops by itself (it only does on error) — for the standalone
    /// command, which races this against Ctrl-C.
    pub async fn wait(&mut self) {
        if let Some(task) = self.task.as_mut() {
            let _ = task.await;
            self.task = None;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.remove_manifest();
    }
}

fn absolute(dir: &Path) -> anyhow::Result<PathBuf> {
    if dir.is_absolute() {
        Ok(dir.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("cannot read the current directory")?
            .join(dir))
    }
}

fn user_entries(alipay: &[demo::AlipayUser], wechat: &[demo::WechatUser]) -> Vec<UserEntry> {
    alipay
        .iter()
        .map(|u| UserEntry {
            id: u.id.to_owned(),
            provider: Provider::Alipay,
            label: u.label.to_owned(),
        })
        .chain(wechat.iter().map(|u| UserEntry {
            id: u.id.to_owned(),
            provider: Provider::Wechat,
            label: u.label.to_owned(),
        }))
        .collect()
}

/// A demo app as `authwalk sandbox --list` shows it: known without starting a sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoApp {
    pub provider: Provider,
    /// The app_id / appid.
    pub id: String,
    pub label: String,
}

/// The demo users every sandbox knows, Alipay first: no keys are made, no server started.
pub fn demo_users() -> Vec<UserEntry> {
    user_entries(&demo::alipay_users(), &demo::wechat_users())
}

/// The demo apps every sandbox registers, Alipay first: no keys are made, no server started.
pub fn demo_apps() -> Vec<DemoApp> {
    demo::alipay_specs()
        .into_iter()
        .map(|spec| DemoApp {
            provider: Provider::Alipay,
            id: spec.app_id.to_owned(),
            label: spec.label.to_owned(),
        })
        .chain(
            demo::WECHAT_SPECS
                .into_iter()
                .map(|(id, label, kind, _)| DemoApp {
                    provider: Provider::Wechat,
                    id: id.to_owned(),
                    label: format!(
                        "{label} ({})",
                        match kind {
                            demo::WechatKind::OfficialAccount => "wechat-web",
                            demo::WechatKind::Website => "wechat-qr",
                            demo::WechatKind::MiniProgram => "wechat-mini",
                        }
                    ),
                }),
        )
        .collect()
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(alipay::routes())
        .merge(wechat::routes())
        .merge(wecom::routes())
        .merge(control::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            date_header,
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::guard,
        ))
        .with_state(shared)
}

/// Every response carries a `Date` from the sandbox clock, as a real provider's carries one
/// from its own, so a client can measure its skew against the server (and a moved clock shows).
async fn date_header(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let date = crate::provider::http_date(shared.clock.now());
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}
