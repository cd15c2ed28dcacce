//! The soak driver, shared by the short test (`tests/soak`, a few seconds, asserted) and the
//! benchmark (`benches/soak.rs`, 30 s and 2,000,000 codes, printed):
//!
//! - many concurrent full logins of both providers against one in-process sandbox over loopback
//!   HTTP (Alipay: approve → token → user info, real RSA on both sides, every fourth with a
//!   refresh; WeChat: approve → access_token → userinfo → refresh → auth), then every code they
//!   used exchanged a second time, which the sandbox must refuse as the providers do;
//! - codes minted into the sandbox's own store, expired by moving its clock and purged by the
//!   next request, with this process's resident memory read at each stage.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::provider::alipay::{
    self, Charset, GatewayCall, METHOD_OAUTH_TOKEN, METHOD_USER_INFO, Outcome, SignType,
    verify_response,
};
use authwalk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::Value;

#[path = "../support/test_keys.rs"]
mod test_keys;
pub use test_keys::{ALIPAY_APP, install_test_keys};

const ALIPAY_USER: &str = "alipay-certified";
const WECHAT_USER: &str = "wechat-unionid";
const TOKEN_NODE: &str = "alipay_system_oauth_token_response";
const INFO_NODE: &str = "alipay_user_info_share_response";
/// Far enough to pass every code's lifetime and the week an expired entry is kept for.
pub const EXPIRE_ALL: i64 = 8 * 24 * 3600;
/// How many error messages are kept to show (all are counted).
const KEEP_ERRORS: usize = 20;

/// A sandbox on 127.0.0.1 with only [`ALIPAY_APP`] registered, keeping at most `max_held`
/// entries per store.
pub async fn start(state_dir: &Path, max_held: usize) -> SandboxHandle {
    install_test_keys(state_dir);
    Sandbox::start(SandboxConfig {
        state_dir: Some(state_dir.to_path_buf()),
        alipay_apps: Some(vec![ALIPAY_APP.to_owned()]),
        max_held,
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox starts")
}

/// Resident memory of this process, in KiB (`VmRSS` of `/proc/self/status`).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

pub fn mib(kib: u64) -> f64 {
    f64::from(u32::try_from(kib).unwrap_or(u32::MAX)) / 1024.0
}

// ---- concurrent flows ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Alipay,
    Wechat,
}

/// What the flows did.
#[derive(Debug, Default)]
pub struct Tally {
    pub alipay: u64,
    pub wechat: u64,
    /// Refreshes done inside those flows (Alipay every fourth flow, WeChat every flow).
    pub refreshes: u64,
    pub errors: u64,
    /// The first few errors, for the message.
    pub first_errors: Vec<String>,
    /// Every code a successful flow exchanged, with its provider.
    pub codes: Vec<(Provider, String)>,
    pub elapsed: Duration,
}

impl Tally {
    fn error(&mut self, message: String) {
        self.errors += 1;
        if self.first_errors.len() < KEEP_ERRORS {
            self.first_errors.push(message);
        }
    }

    fn merge(&mut self, other: Self) {
        self.alipay += other.alipay;
        self.wechat += other.wechat;
        self.refreshes += other.refreshes;
        self.errors += other.errors;
        for e in other.first_errors {
            if self.first_errors.len() < KEEP_ERRORS {
                self.first_errors.push(e);
            }
        }
        self.codes.extend(other.codes);
    }

    pub fn flows(&self) -> u64 {
        self.alipay + self.wechat
    }

    /// How many codes appear more than once (the sandbox must never mint the same code twice).
    pub fn duplicate_codes(&self) -> usize {
        let unique: HashSet<&(Provider, String)> = self.codes.iter().collect();
        self.codes.len() - unique.len()
    }
}

/// The second exchange of every code.
#[derive(Debug, Default)]
pub struct Recheck {
    pub checked: u64,
    /// Refused as the provider refuses a used code: Alipay a signed `isv.code-invalid`, WeChat
    /// errcode 40163.
    pub refused: u64,
    pub unexpected: Vec<String>,
}

/// The clients' side of the flows: one HTTP client (a connection pool), the app's keys.
pub struct Flows {
    sandbox: Arc<SandboxHandle>,
    http: reqwest::Client,
    key: PrivateKey,
    alipay_key: PublicKey,
    alipay_redirect: String,
    wechat_appid: String,
    wechat_secret: String,
    wechat_redirect: String,
}

fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn text(value: &Value, key: &str) -> Result<String, String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {key} in {value}"))
}

impl Flows {
    pub fn new(sandbox: Arc<SandboxHandle>, clients: usize) -> Self {
        let m = sandbox.manifest();
        let app = m
            .alipay
            .apps
            .iter()
            .find(|a| a.app_id == ALIPAY_APP)
            .expect("the Alipay demo app")
            .clone();
        let wechat = m.wechat.apps[0].clone();
        let read = |p: &Path| std::fs::read_to_string(p).expect("a key file");
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(clients)
                .timeout(Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
            key: PrivateKey::parse(&read(&app.app_private_key)).expect("app key"),
            alipay_key: PublicKey::parse(&read(&app.alipay_public_key)).expect("Alipay key"),
            alipay_redirect: app.redirect_uri,
            wechat_appid: wechat.appid,
            wechat_secret: wechat.secret,
            wechat_redirect: wechat.redirect_uri,
            sandbox,
        }
    }

    /// Approve a consent page with one POST; the code from the 302's `Location`.
    async fn approve(&self, url: &str, user: &str, code_param: &str) -> Result<String, String> {
        let resp = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("user={user}&decision=approve"))
            .send()
            .await
            .map_err(|e| format!("consent: {e}"))?;
        if resp.status() != 302 {
            return Err(format!("consent answered {}", resp.status()));
        }
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or("consent: no Location")?;
        if query_param(location, "state").as_deref() != Some("soak") {
            return Err(format!("consent: state lost in {location}"));
        }
        query_param(location, code_param).ok_or_else(|| format!("no {code_param} in {location}"))
    }

    async fn approve_alipay(&self) -> Result<String, String> {
        let url = format!(
            "{}?app_id={ALIPAY_APP}&scope=auth_user&redirect_uri={}&state=soak",
            self.sandbox.manifest().alipay.authorize,
            enc(&self.alipay_redirect)
        );
        self.approve(&url, ALIPAY_USER, "auth_code").await
    }

    /// Sign and send a gateway call, verify the answer's signature; the parsed body.
    async fn gateway(&self, call: &GatewayCall) -> Result<Value, String> {
        let prepared = alipay::prepare(&self.sandbox.manifest().alipay.gateway, call, &self.key)
            .map_err(|e| format!("signing: {e}"))?;
        let mut req = self.http.post(&prepared.url).body(prepared.body);
        for (k, v) in &prepared.headers {
            req = req.header(k, v);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{}: {e}", call.method))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("{}: body: {e}", call.method))?;
        if status != 200 {
            return Err(format!("{} answered {status}", call.method));
        }
        let v = verify_response(
            &body,
            Some(&call.method),
            SignType::Rsa2,
            Charset::Utf8,
            &self.alipay_key,
        );
        if v.outcome != Outcome::Verified {
            return Err(format!(
                "{}: signature {:?}: {}",
                call.method, v.outcome, v.reason
            ));
        }
        serde_json::from_slice(&body).map_err(|e| format!("{}: JSON: {e}", call.method))
    }

    fn call(&self, method: &str) -> GatewayCall {
        GatewayCall::new(
            method,
            ALIPAY_APP,
            SignType::Rsa2,
            Charset::Utf8,
            self.sandbox.now(),
        )
    }

    async fn exchange_alipay(&self, code: &str) -> Result<Value, String> {
        let call = self
            .call(METHOD_OAUTH_TOKEN)
            .param("grant_type", "authorization_code")
            .param("code", code);
        self.gateway(&call).await
    }

    async fn alipay_user_info(&self, token: &str, uid: &str) -> Result<(), String> {
        let call = self.call(METHOD_USER_INFO).param("auth_token", token);
        let info = self.gateway(&call).await?;
        let node = &info[INFO_NODE];
        if node["code"] != "10000" || node["user_id"] != uid {
            return Err(format!("user info: {node}"));
        }
        Ok(())
    }

    /// Approve → token → user info; with `refresh`, then refresh → user info with the new
    /// token. The code on success.
    pub async fn alipay_flow(&self, refresh: bool) -> Result<String, String> {
        let code = self.approve_alipay().await?;
        let token = self.exchange_alipay(&code).await?;
        let node = &token[TOKEN_NODE];
        let access = text(node, "access_token").map_err(|e| format!("token: {e}"))?;
        let uid = text(node, "user_id")?;
        self.alipay_user_info(&access, &uid).await?;
        if refresh {
            let call = self
                .call(METHOD_OAUTH_TOKEN)
                .param("grant_type", "refresh_token")
                .param("refresh_token", &text(node, "refresh_token")?);
            let refreshed = self.gateway(&call).await?;
            let access = text(&refreshed[TOKEN_NODE], "access_token")
                .map_err(|e| format!("refresh: {e}"))?;
            self.alipay_user_info(&access, &uid).await?;
        }
        Ok(code)
    }

    async fn wechat_get(&self, path_and_query: &str) -> Result<Value, String> {
        let url = format!(
            "{}{path_and_query}",
            self.sandbox.manifest().wechat.api_base
        );
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("{path_and_query}: {e}"))?;
        if resp.status() != 200 {
            return Err(format!("{path_and_query} answered {}", resp.status()));
        }
        let body = resp.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&body).map_err(|e| format!("{path_and_query}: JSON: {e}"))
    }

    async fn exchange_wechat(&self, code: &str) -> Result<Value, String> {
        self.wechat_get(&format!(
            "/sns/oauth2/access_token?appid={}&secret={}&code={code}&grant_type=authorization_code",
            self.wechat_appid, self.wechat_secret
        ))
        .await
    }

    /// Approve → access_token → userinfo → refresh_token → auth with the new token. The code
    /// on success.
    pub async fn wechat_flow(&self) -> Result<String, String> {
        let url = format!(
            "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_userinfo&state=soak#wechat_redirect",
            self.sandbox.manifest().wechat.open_base,
            self.wechat_appid,
            enc(&self.wechat_redirect)
        );
        let code = self.approve(&url, WECHAT_USER, "code").await?;
        let token = self.exchange_wechat(&code).await?;
        let access = text(&token, "access_token").map_err(|e| format!("access_token: {e}"))?;
        let openid = text(&token, "openid")?;
        let info = self
            .wechat_get(&format!(
                "/sns/userinfo?access_token={access}&openid={openid}&lang=zh_CN"
            ))
            .await?;
        if info["openid"] != openid.as_str() || !info["nickname"].is_string() {
            return Err(format!("userinfo: {info}"));
        }
        let refreshed = self
            .wechat_get(&format!(
                "/sns/oauth2/refresh_token?appid={}&grant_type=refresh_token&refresh_token={}",
                self.wechat_appid,
                text(&token, "refresh_token")?
            ))
            .await?;
        let access = text(&refreshed, "access_token").map_err(|e| format!("refresh: {e}"))?;
        let auth = self
            .wechat_get(&format!("/sns/auth?access_token={access}&openid={openid}"))
            .await?;
        if auth["errcode"] != 0 {
            return Err(format!("auth with the refreshed token: {auth}"));
        }
        Ok(code)
    }

    /// Exchange `code` a second time: the provider's refusal of a used code is expected.
    async fn exchange_again(&self, provider: Provider, code: &str) -> Result<(), String> {
        match provider {
            Provider::Alipay => {
                let again = self.exchange_alipay(code).await?;
                let sub_code = &again["error_response"]["sub_code"];
                if sub_code == "isv.code-invalid" {
                    Ok(())
                } else {
                    Err(format!("Alipay code {code} exchanged twice: {again}"))
                }
            }
            Provider::Wechat => {
                let again = self.exchange_wechat(code).await?;
                if again["errcode"] == 40163 {
                    Ok(())
                } else {
                    Err(format!("WeChat code {code} exchanged twice: {again}"))
                }
            }
        }
    }
}

/// `clients` tasks, each walking full flows back to back until `duration` is up, Alipay and
/// WeChat in turn (half the tasks start with each).
pub async fn run_flows(flows: &Arc<Flows>, clients: usize, duration: Duration) -> Tally {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let flows = flows.clone();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut n: u64 = 0;
                while Instant::now() < deadline {
                    let alipay = (n + client as u64).is_multiple_of(2);
                    if alipay {
                        let refresh = tally.alipay.is_multiple_of(4);
                        match flows.alipay_flow(refresh).await {
                            Ok(code) => {
                                tally.alipay += 1;
                                tally.refreshes += u64::from(refresh);
                                tally.codes.push((Provider::Alipay, code));
                            }
                            Err(e) => tally.error(format!("alipay: {e}")),
                        }
                    } else {
                        match flows.wechat_flow().await {
                            Ok(code) => {
                                tally.wechat += 1;
                                tally.refreshes += 1;
                                tally.codes.push((Provider::Wechat, code));
                            }
                            Err(e) => tally.error(format!("wechat: {e}")),
                        }
                    }
                    n += 1;
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await.expect("a client task"));
    }
    total.elapsed = started.elapsed();
    total
}

/// Exchange every code of `tally` a second time, `clients` at once.
pub async fn exchange_again(flows: &Arc<Flows>, tally: &Tally, clients: usize) -> Recheck {
    let codes = Arc::new(tally.codes.clone());
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (flows, codes) = (flows.clone(), codes.clone());
            tokio::spawn(async move {
                let mut recheck = Recheck::default();
                for (provider, code) in codes.iter().skip(client).step_by(clients) {
                    recheck.checked += 1;
                    match flows.exchange_again(*provider, code).await {
                        Ok(()) => recheck.refused += 1,
                        Err(e) => recheck.unexpected.push(e),
                    }
                }
                recheck
            })
        })
        .collect();
    let mut total = Recheck::default();
    for task in tasks {
        let part = task.await.expect("a recheck task");
        total.checked += part.checked;
        total.refused += part.refused;
        total.unexpected.extend(part.unexpected);
    }
    total
}

// ---- codes minted, expired, purged ----

/// Resident memory and store sizes around minting, expiring and purging.
#[derive(Debug, Default)]
pub struct Memory {
    pub minted: u64,
    pub start_kib: u64,
    /// The highest resident size read after each batch.
    pub peak_kib: u64,
    /// The resident size after the first batch: later batches that reuse the memory the first
    /// one left do not go past it by much.
    pub first_peak_kib: u64,
    pub after_purge_kib: u64,
    /// The most codes the store held at once (read after each batch).
    pub held_peak: usize,
    pub held_after_purge: usize,
    /// With batches expired one by one: the resident size after each purge.
    pub after_each_purge_kib: Vec<u64>,
    pub mint_time: Duration,
    pub purge_time: Duration,
}

/// Mint `total` codes in batches of `batch` through [`SandboxHandle::mint_alipay_codes`] (the
/// store approvals write to). With `expire_each_batch`, every batch is expired and purged
/// before the next (what a store capped under `total` allows); otherwise they pile up. Then
/// the clock moves past every deadline and one real approval over HTTP makes the store purge.
pub async fn mint_expire_purge(
    sandbox: &Arc<SandboxHandle>,
    flows: &Flows,
    total: u64,
    batch: u64,
    expire_each_batch: bool,
) -> Memory {
    let mut memory = Memory {
        start_kib: rss_kib(),
        ..Memory::default()
    };
    let mut purge_time = Duration::ZERO;
    let mut mint_time = Duration::ZERO;
    while memory.minted < total {
        let count = batch.min(total - memory.minted);
        let started = Instant::now();
        let last = mint_on_workers(sandbox, count).await;
        mint_time += started.elapsed();
        memory.minted += count;
        memory.peak_kib = memory.peak_kib.max(rss_kib());
        if memory.minted == count {
            memory.first_peak_kib = memory.peak_kib;
        }
        memory.held_peak = memory.held_peak.max(sandbox.held().alipay_codes);
        if memory.minted == count
            && let Some(code) = last
        {
            // The minted codes are real ones: the last of the first batch works once.
            flows
                .exchange_alipay(&code)
                .await
                .ok()
                .and_then(|v| v[TOKEN_NODE]["access_token"].as_str().map(str::len))
                .expect("a minted code exchanges for a token");
        }
        if expire_each_batch && memory.minted < total {
            let started = Instant::now();
            expire_and_purge(sandbox, flows).await;
            purge_time += started.elapsed();
            memory.after_each_purge_kib.push(rss_kib());
        }
    }
    let started = Instant::now();
    expire_and_purge(sandbox, flows).await;
    purge_time += started.elapsed();
    memory.after_purge_kib = rss_kib();
    if expire_each_batch {
        memory.after_each_purge_kib.push(memory.after_purge_kib);
    }
    memory.held_after_purge = sandbox.held().alipay_codes;
    memory.mint_time = mint_time;
    memory.purge_time = purge_time;
    memory
}

/// Mint `count` codes in chunks run as tasks on the runtime's worker threads, where the
/// sandbox's handlers (and so real approvals) allocate; the last code minted.
async fn mint_on_workers(sandbox: &Arc<SandboxHandle>, count: u64) -> Option<String> {
    const CHUNK: u64 = 10_000;
    let mut last = None;
    let mut left = count;
    while left > 0 {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let n = CHUNK.min(left);
                left -= n;
                let handle = sandbox.clone();
                tokio::spawn(async move {
                    handle
                        .mint_alipay_codes(
                            ALIPAY_APP,
                            ALIPAY_USER,
                            "auth_user",
                            usize::try_from(n).expect("a chunk fits in usize"),
                        )
                        .expect("codes are minted")
                })
            })
            .collect();
        for task in tasks {
            if let Some(code) = task.await.expect("a minting task") {
                last = Some(code);
            }
        }
    }
    last
}

/// Move the clock past every code's deadline and grace, then approve once over HTTP: the
/// store sweeps on that request.
pub async fn expire_and_purge(sandbox: &SandboxHandle, flows: &Flows) {
    sandbox.advance_clock(EXPIRE_ALL);
    flows
        .approve_alipay()
        .await
        .expect("an approval after the clock moved");
}

/// What new clients met while other connections trickled their request heads.
#[derive(Debug, Default)]
pub struct Trickle {
    /// Trickling connections open when the clients started (the most open at once).
    pub open_at_start: usize,
    /// Connections the tricklers opened in all (each reconnects when closed, as an attacker
    /// would).
    pub opened: u64,
    /// New clients that tried, and those answered 200 within [`TRICKLE_CLIENT_TIMEOUT`].
    pub clients: usize,
    pub served: usize,
    /// Latency of each served client, sorted.
    pub latencies: Vec<Duration>,
}

impl Trickle {
    /// The `p`-th percentile (0–100) of the served clients' latency.
    pub fn percentile(&self, p: usize) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = (self.latencies.len() * p / 100).min(self.latencies.len() - 1);
        self.latencies[i]
    }
}

/// How long a new client waits for its answer before it counts as locked out.
pub const TRICKLE_CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Open `tricklers` connections to `addr` that each send a request head one byte every
/// 100–200 ms (and reconnect when closed); once they are open, send fresh clients (a new
/// connection each) one after another for `duration`, and say how they were served.
pub async fn trickle(addr: std::net::SocketAddr, tricklers: usize, duration: Duration) -> Trickle {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use tokio::io::AsyncWriteExt as _;

    let stop = Arc::new(AtomicBool::new(false));
    let open = Arc::new(AtomicUsize::new(0));
    let opened = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..tricklers {
        let (stop, open, opened) = (stop.clone(), open.clone(), opened.clone());
        tasks.push(tokio::spawn(async move {
            // 100 to 200 ms between bytes, spread over the tricklers.
            let pause = Duration::from_millis(100 + (i as u64 * 37) % 101);
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                open.fetch_add(1, Ordering::Relaxed);
                let head = b"GET /__sandbox/callback HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
                let mut sent = 0;
                while !stop.load(Ordering::Relaxed) {
                    let byte = head.get(sent).copied().unwrap_or(b'a');
                    if stream.write_all(&[byte]).await.is_err() {
                        break;
                    }
                    sent += 1;
                    tokio::time::sleep(pause).await;
                    // A closed connection shows on the next write, or here.
                    let mut probe = [0u8; 1];
                    if matches!(stream.try_read(&mut probe), Ok(0)) {
                        break;
                    }
                }
                open.fetch_sub(1, Ordering::Relaxed);
            }
        }));
    }
    // Let them all connect and start trickling.
    let ramp = Instant::now();
    while open.load(Ordering::Relaxed) < tricklers && ramp.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut out = Trickle {
        open_at_start: open.load(Ordering::Relaxed),
        ..Trickle::default()
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .no_proxy()
        .timeout(TRICKLE_CLIENT_TIMEOUT)
        .build()
        .expect("client");
    let url = format!("http://{addr}/__sandbox/callback");
    let started = Instant::now();
    while started.elapsed() < duration {
        out.clients += 1;
        let sent = Instant::now();
        if let Ok(resp) = http.get(&url).send().await
            && resp.status() == 200
        {
            out.served += 1;
            out.latencies.push(sent.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    out.opened = opened.load(Ordering::Relaxed);
    out.latencies.sort();
    out
}
