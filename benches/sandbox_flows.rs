//! Throughput of full Alipay logins against the sandbox (approve → token → user info, with
//! real RSA signing on both sides), at 32 concurrent clients, compared with the bound set by
//! the RSA operations alone.
//!
//! Per flow there are 4 RSA signatures (the client signs two requests, the sandbox signs two
//! responses) and 4 verifications (the sandbox checks two requests, the client two responses).
//! Client and sandbox share this process and its cores, so the RSA bound is
//! `cores / (4 × sign + 4 × verify)` flows per second, with both times measured in this run.
//!
//! Run with `cargo bench --bench sandbox_flows` (release build). `FLOW_SECONDS` sets the
//! measuring time (default 5). Lines starting with `FIGURE` are for scripts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::provider::alipay::{
    self, Charset, GatewayCall, METHOD_OAUTH_TOKEN, METHOD_USER_INFO, Outcome, SignType,
    verify_response,
};
use authwalk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};

const CLIENTS: usize = 32;
const SIGNS_PER_FLOW: f64 = 4.0;
const VERIFIES_PER_FLOW: f64 = 4.0;

struct Client {
    http: reqwest::Client,
    sandbox: Arc<SandboxHandle>,
    app_id: String,
    redirect_uri: String,
    key: PrivateKey,
    alipay_key: PublicKey,
}

impl Client {
    async fn call(&self, call: &GatewayCall) -> Vec<u8> {
        let prepared = alipay::prepare(&self.sandbox.manifest().alipay.gateway, call, &self.key)
            .expect("request signs");
        let mut req = self.http.post(&prepared.url).body(prepared.body);
        for (k, v) in &prepared.headers {
            req = req.header(k, v);
        }
        let body = req
            .send()
            .await
            .expect("gateway answers")
            .bytes()
            .await
            .expect("body")
            .to_vec();
        let v = verify_response(
            &body,
            Some(&call.method),
            SignType::Rsa2,
            Charset::Utf8,
            &self.alipay_key,
        );
        assert_eq!(v.outcome, Outcome::Verified, "{}", v.reason);
        body
    }

    async fn flow(&self) {
        let m = self.sandbox.manifest();
        let url = format!(
            "{}?app_id={}&scope=auth_user&redirect_uri={}&state=bench",
            m.alipay.authorize,
            self.app_id,
            url::form_urlencoded::byte_serialize(self.redirect_uri.as_bytes()).collect::<String>()
        );
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("user=alipay-certified&decision=approve")
            .send()
            .await
            .expect("consent answers");
        let location = resp.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let code = url::Url::parse(&location)
            .expect("redirect URL")
            .query_pairs()
            .find(|(k, _)| k == "auth_code")
            .map(|(_, v)| v.into_owned())
            .expect("auth_code");
        let now = self.sandbox.now();
        let token = GatewayCall::new(
            METHOD_OAUTH_TOKEN,
            &self.app_id,
            SignType::Rsa2,
            Charset::Utf8,
            now,
        )
        .param("grant_type", "authorization_code")
        .param("code", &code);
        let body = self.call(&token).await;
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        let access = json["alipay_system_oauth_token_response"]["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        let info = GatewayCall::new(
            METHOD_USER_INFO,
            &self.app_id,
            SignType::Rsa2,
            Charset::Utf8,
            now,
        )
        .param("auth_token", &access);
        self.call(&info).await;
    }
}

/// Mean time of `op` over `n` runs.
fn time_op(n: u32, mut op: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        op();
    }
    started.elapsed() / n
}

/// Flow-equivalents of RSA work (4 signs + 4 verifies each) done per second by `threads`
/// threads together in `window`.
fn rsa_only_flows(key: &PrivateKey, threads: usize, window: Duration) -> f64 {
    let message = vec![b'a'; 300];
    let public = key.public_key();
    let signature = key.sign(authwalk::keys::HashAlg::Sha256, &message);
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut flows = 0u64;
                    while started.elapsed() < window {
                        for _ in 0..4 {
                            std::hint::black_box(
                                key.sign(authwalk::keys::HashAlg::Sha256, &message),
                            );
                            assert!(public.verify(
                                authwalk::keys::HashAlg::Sha256,
                                &message,
                                &signature
                            ));
                        }
                        flows += 1;
                    }
                    flows
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("RSA thread"))
            .sum()
    });
    #[expect(clippy::cast_precision_loss, reason = "a flow count is far below 2^52")]
    let rate = total as f64 / started.elapsed().as_secs_f64();
    rate
}

fn main() {
    let seconds: u64 = std::env::var("FLOW_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let sandbox = Arc::new(
            Sandbox::start(SandboxConfig::default())
                .await
                .expect("sandbox"),
        );
        let app = sandbox.manifest().alipay.apps[0].clone();
        let key = PrivateKey::parse(&std::fs::read_to_string(&app.app_private_key).expect("key"))
            .expect("key parses");
        let alipay_key =
            PublicKey::parse(&std::fs::read_to_string(&app.alipay_public_key).expect("key"))
                .expect("key parses");

        // The RSA operations alone, single-threaded, on a message the size of a canonical string.
        let message = vec![b'a'; 300];
        let signature = key.sign(authwalk::keys::HashAlg::Sha256, &message);
        let public = key.public_key();
        let sign = time_op(200, || {
            std::hint::black_box(key.sign(authwalk::keys::HashAlg::Sha256, &message));
        });
        let verify = time_op(5000, || {
            assert!(public.verify(authwalk::keys::HashAlg::Sha256, &message, &signature));
        });
        let per_flow =
            sign.as_secs_f64() * SIGNS_PER_FLOW + verify.as_secs_f64() * VERIFIES_PER_FLOW;
        #[expect(clippy::cast_precision_loss, reason = "a core count is far below 2^52")]
        let bound = cores as f64 / per_flow;
        // The same bound measured on every core at once, which also reflects what other
        // processes leave of this machine right now.
        let parallel_bound = rsa_only_flows(&key, cores, Duration::from_secs(2));

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(CLIENTS)
            .build()
            .expect("client");
        let client = Arc::new(Client {
            http,
            sandbox: sandbox.clone(),
            app_id: app.app_id.clone(),
            redirect_uri: app.redirect_uri.clone(),
            key,
            alipay_key,
        });
        // Warm up connections and caches.
        for _ in 0..CLIENTS {
            client.flow().await;
        }
        let done = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (client, done) = (client.clone(), done.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        client.flow().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("client task");
        }
        let elapsed = started.elapsed().as_secs_f64();
        let flows = done.load(Ordering::Relaxed);
        #[expect(clippy::cast_precision_loss, reason = "a flow count is far below 2^52")]
        let rate = flows as f64 / elapsed;
        report(&Figures {
            cores,
            elapsed,
            sign,
            verify,
            bound,
            parallel_bound,
            rate,
            flows,
        });
        drop(client);
        if let Ok(sandbox) = Arc::try_unwrap(sandbox) {
            sandbox.shutdown().await;
        }
    });
}

/// What one run measured.
#[derive(Clone, Copy)]
struct Figures {
    cores: usize,
    elapsed: f64,
    sign: Duration,
    verify: Duration,
    bound: f64,
    parallel_bound: f64,
    rate: f64,
    flows: u64,
}

fn report(f: &Figures) {
    let Figures {
        cores,
        elapsed,
        sign,
        verify,
        bound,
        parallel_bound,
        rate,
        flows,
    } = *f;
    println!("sandbox_flows: {CLIENTS} clients, {cores} cores, {elapsed:.1} s");
    println!(
        "  RSA-2048 SHA256 sign   {:>8.1} µs/op",
        sign.as_secs_f64() * 1e6
    );
    println!(
        "  RSA-2048 SHA256 verify {:>8.1} µs/op",
        verify.as_secs_f64() * 1e6
    );
    println!("  RSA bound (4 signs + 4 verifies per flow): {bound:>8.1} flows/s");
    println!("  RSA-only flows on {cores} threads at once:     {parallel_bound:>8.1} flows/s");
    println!("  measured full flows:                       {rate:>8.1} flows/s ({flows} flows)");
    println!(
        "  measured / bound: {:.0}% (of the parallel RSA-only rate: {:.0}%)",
        rate / bound * 100.0,
        rate / parallel_bound * 100.0
    );
    println!("FIGURE flows.clients {CLIENTS} clients");
    println!("FIGURE flows.cores {cores} cores");
    println!("FIGURE flows.sign {:.1} us", sign.as_secs_f64() * 1e6);
    println!("FIGURE flows.verify {:.1} us", verify.as_secs_f64() * 1e6);
    println!("FIGURE flows.bound {bound:.1} flows/s");
    println!("FIGURE flows.parallel_bound {parallel_bound:.1} flows/s");
    println!("FIGURE flows.rate {rate:.1} flows/s");
    println!("FIGURE flows.count {flows} flows");
}
