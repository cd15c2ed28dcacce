//! Soak of the embedded sandbox, the long version of `tests/soak`:
//!
//! 1. `flows`: 64 concurrent clients walk full logins for 30 s over loopback HTTP, Alipay
//!    (approve → token → user info, real RSA on both sides, a refresh every fourth flow) and
//!    WeChat (approve → access_token → userinfo → refresh → auth) in turn; then every code used
//!    is exchanged a second time, which must be refused (Alipay `isv.code-invalid`, signed;
//!    WeChat errcode 40163).
//! 2. `http-mint`: how fast codes can be minted over HTTP (`POST /__sandbox/alipay/auth-code`),
//!    64 at once, to show why the 2,000,000 below are minted in-process.
//! 3. Memory, 2,000,000 codes minted into the sandbox's own store (the one approvals write to),
//!    expired by moving its clock, purged by the next request, RSS read at each stage:
//!    - `mint-held`: the per-store cap (`SandboxConfig::max_held`, 100,000 by default) raised
//!      above 2,000,000, so all of them are held at once;
//!    - `mint-held-http`: the same, minted over HTTP by 64 clients (about a minute);
//!    - `mint-capped`: the default cap, 2,000,000 minted straight: the store drops the codes
//!      closest to expiry and stays at the cap;
//!    - `mint-batches`: the default cap, batches just under it, each expired and purged before
//!      the next, to 2,000,000 in all;
//!    - `mint-batches-fixed-mmap`: the same with glibc's mmap threshold fixed
//!      (`GLIBC_TUNABLES`). After the first purge glibc raises its threshold to the largest
//!      table freed, serves the smaller tables of the next rounds from its heaps and keeps up to
//!      twice that per heap for reuse, so RSS levels off instead of coming back; with the
//!      threshold fixed every table is mapped apart and unmapped when the purge frees it.
//!
//! 4. `trickle`: 600 connections (more than the sandbox's 512 slots) each send a request head
//!    one byte every 100–200 ms and reconnect when closed, while fresh clients, one after
//!    another for `SOAK_SECONDS`, ask for a page: how many are served, and how fast.
//!
//! Each part runs in a process of its own (this binary again, `SOAK_PART=…`), so one part's
//! memory does not colour the next. `SOAK_SECONDS` (default 30), `SOAK_CLIENTS` (64) and
//! `SOAK_CODES` (2000000) change the sizes. Lines starting with `FIGURE` are for scripts:
//! `FIGURE <name> <value> <unit>`.
//!
//! Run with `cargo bench --bench soak`.

#[path = "../tests/soak/driver.rs"]
mod driver;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authwalk::sandbox::{SandboxConfig, SandboxHandle};
use driver::{ALIPAY_APP, Flows, Memory, mib, rss_kib};

const PARTS: [&str; 8] = [
    "flows",
    "http-mint",
    "mint-held",
    "mint-held-http",
    "mint-capped",
    "mint-batches",
    "mint-batches-fixed-mmap",
    "trickle",
];

/// glibc's malloc with its mmap threshold fixed (no longer raised to the largest block freed).
const FIXED_MMAP: &str = "glibc.malloc.mmap_threshold=131072";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn figure(name: &str, value: impl std::fmt::Display, unit: &str) {
    println!("FIGURE {name} {value} {unit}");
}

fn main() {
    if let Ok(part) = std::env::var("SOAK_PART") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(run_part(&part));
        return;
    }
    let me = std::env::current_exe().expect("this binary");
    let mut failed = Vec::new();
    for part in PARTS {
        println!("\n# {part}");
        let mut child = Command::new(&me);
        child.env("SOAK_PART", part);
        if part == "mint-batches-fixed-mmap" {
            child.env("GLIBC_TUNABLES", FIXED_MMAP);
        }
        let status = child.status().expect("the part starts");
        if !status.success() {
            failed.push(part);
        }
    }
    assert!(failed.is_empty(), "parts failed: {failed:?}");
}

async fn run_part(part: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let codes: u64 = env_or("SOAK_CODES", 2_000_000);
    let default_cap = SandboxConfig::default().max_held;
    let max_held = match part {
        "mint-held" | "mint-held-http" => usize::try_from(codes).expect("fits") + 1000,
        _ => default_cap,
    };
    let sandbox = Arc::new(driver::start(dir.path(), max_held).await);
    match part {
        "flows" => flows(&sandbox).await,
        "trickle" => trickle(&sandbox).await,
        "http-mint" => http_mint(&sandbox).await,
        "mint-held" => {
            println!("{codes} codes, cap raised to {max_held}: all held at once");
            let flows = Flows::new(sandbox.clone(), 1);
            let m = driver::mint_expire_purge(&sandbox, &flows, codes, 250_000, false).await;
            memory("held", &m);
        }
        "mint-held-http" => {
            println!(
                "{codes} codes over HTTP (POST /__sandbox/alipay/auth-code, 64 at once), cap raised to {max_held}"
            );
            let m = mint_over_http(&sandbox, codes).await;
            memory("held_http", &m);
        }
        "mint-capped" => {
            println!(
                "{codes} codes minted straight into stores capped at {default_cap} (the default)"
            );
            let flows = Flows::new(sandbox.clone(), 1);
            let batch = u64::try_from(default_cap).expect("fits");
            let m = driver::mint_expire_purge(&sandbox, &flows, codes, batch, false).await;
            memory("capped", &m);
        }
        "mint-batches" | "mint-batches-fixed-mmap" => {
            let batch = u64::try_from(default_cap).expect("fits") - 1000;
            let fixed = part == "mint-batches-fixed-mmap";
            println!(
                "{codes} codes in batches of {batch} (under the default cap of {default_cap}), each expired and purged{}",
                if fixed {
                    format!(", with GLIBC_TUNABLES={FIXED_MMAP}")
                } else {
                    String::new()
                }
            );
            let flows = Flows::new(sandbox.clone(), 1);
            let m = driver::mint_expire_purge(&sandbox, &flows, codes, batch, true).await;
            memory(
                if fixed {
                    "batches_fixed_mmap"
                } else {
                    "batches"
                },
                &m,
            );
        }
        other => panic!("unknown part {other}"),
    }
    if let Ok(sandbox) = Arc::try_unwrap(sandbox) {
        sandbox.shutdown().await;
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

async fn flows(sandbox: &Arc<SandboxHandle>) {
    let clients: usize = env_or("SOAK_CLIENTS", 64);
    let seconds: u64 = env_or("SOAK_SECONDS", 30);
    let flows = Arc::new(Flows::new(sandbox.clone(), clients));
    let rss_before = rss_kib();
    let tally = driver::run_flows(&flows, clients, Duration::from_secs(seconds)).await;
    let rss_after = rss_kib();
    let held = sandbox.held();
    let rate = per_second(tally.flows(), tally.elapsed);
    println!(
        "{clients} clients for {:.1} s: {} flows ({} Alipay, {} WeChat; {} with a refresh), {rate:.1} flows/s, {} errors",
        tally.elapsed.as_secs_f64(),
        tally.flows(),
        tally.alipay,
        tally.wechat,
        tally.refreshes,
        tally.errors
    );
    for e in &tally.first_errors {
        println!("  error: {e}");
    }
    println!(
        "codes issued twice: {}; codes left unexchanged in the stores: {} Alipay, {} WeChat; entries held (tokens, used codes…): {} Alipay, {} WeChat",
        tally.duplicate_codes(),
        held.alipay_codes,
        held.wechat_codes,
        held.alipay,
        held.wechat
    );
    let started = Instant::now();
    let recheck = driver::exchange_again(&flows, &tally, clients).await;
    println!(
        "second exchange of all {} codes: {} refused as the providers do, {} not ({:.1} s)",
        recheck.checked,
        recheck.refused,
        recheck.unexpected.len(),
        started.elapsed().as_secs_f64()
    );
    for e in recheck.unexpected.iter().take(10) {
        println!("  unexpected: {e}");
    }
    println!(
        "RSS {:.1} MiB before the flows, {:.1} MiB after",
        mib(rss_before),
        mib(rss_after)
    );
    figure("soak.flows.clients", clients, "clients");
    figure(
        "soak.flows.seconds",
        format!("{:.1}", tally.elapsed.as_secs_f64()),
        "s",
    );
    figure("soak.flows.total", tally.flows(), "flows");
    figure("soak.flows.alipay", tally.alipay, "flows");
    figure("soak.flows.wechat", tally.wechat, "flows");
    figure("soak.flows.refreshes", tally.refreshes, "flows");
    figure("soak.flows.rate", format!("{rate:.1}"), "flows/s");
    figure("soak.flows.errors", tally.errors, "errors");
    figure(
        "soak.flows.duplicate_codes",
        tally.duplicate_codes(),
        "codes",
    );
    figure(
        "soak.flows.unexchanged_codes",
        held.alipay_codes + held.wechat_codes,
        "codes",
    );
    figure("soak.flows.held", held.alipay + held.wechat, "entries");
    figure("soak.flows.codes_rechecked", recheck.checked, "codes");
    figure("soak.flows.codes_refused_again", recheck.refused, "codes");
    figure(
        "soak.flows.codes_exchanged_twice",
        recheck.unexpected.len(),
        "codes",
    );
    figure(
        "soak.flows.rss_before",
        format!("{:.1}", mib(rss_before)),
        "MiB",
    );
    figure(
        "soak.flows.rss_after",
        format!("{:.1}", mib(rss_after)),
        "MiB",
    );
    assert_eq!(tally.errors, 0, "flows failed");
    assert!(recheck.unexpected.is_empty(), "codes were accepted twice");
}

async fn trickle(sandbox: &Arc<SandboxHandle>) {
    let tricklers: usize = env_or("SOAK_TRICKLERS", 600);
    let seconds: u64 = env_or("SOAK_SECONDS", 30);
    let t = driver::trickle(sandbox.addr(), tricklers, Duration::from_secs(seconds)).await;
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    println!(
        "{} trickling connections open ({} opened in all, each reconnecting when closed): {} of {} new clients served within {} s; latency p50 {} ms, p95 {} ms, max {} ms",
        t.open_at_start,
        t.opened,
        t.served,
        t.clients,
        driver::TRICKLE_CLIENT_TIMEOUT.as_secs(),
        ms(t.percentile(50)),
        ms(t.percentile(95)),
        ms(t.latencies.last().copied().unwrap_or_default())
    );
    figure("soak.trickle.tricklers", t.open_at_start, "connections");
    figure(
        "soak.trickle.slots",
        SandboxConfig::default().max_connections,
        "connections",
    );
    figure("soak.trickle.opened", t.opened, "connections");
    figure("soak.trickle.seconds", seconds, "s");
    figure("soak.trickle.clients", t.clients, "clients");
    figure("soak.trickle.served", t.served, "clients");
    figure("soak.trickle.p50", ms(t.percentile(50)), "ms");
    figure("soak.trickle.p95", ms(t.percentile(95)), "ms");
    figure(
        "soak.trickle.max",
        ms(t.latencies.last().copied().unwrap_or_default()),
        "ms",
    );
    assert_eq!(t.served, t.clients, "new clients were locked out");
}

async fn http_mint(sandbox: &Arc<SandboxHandle>) {
    const CLIENTS: usize = 64;
    const WINDOW: Duration = Duration::from_secs(3);
    let url = format!("{}/alipay/auth-code", sandbox.manifest().control);
    let token = sandbox.manifest().token.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while started.elapsed() < WINDOW {
                    let resp = http
                        .post(&url)
                        .header(authwalk::sandbox::TOKEN_HEADER, &token)
                        .json(
                            &serde_json::json!({"app_id": ALIPAY_APP, "user": "alipay-certified"}),
                        )
                        .send()
                        .await
                        .expect("the control API answers");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut minted = 0;
    for t in tasks {
        minted += t.await.expect("task");
    }
    let rate = per_second(minted, started.elapsed());
    let codes: u64 = env_or("SOAK_CODES", 2_000_000);
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let would_take = codes as f64 / rate;
    println!(
        "{minted} codes over HTTP in {:.1} s, {CLIENTS} at once: {rate:.0} codes/s ({codes} would take {would_take:.0} s)",
        started.elapsed().as_secs_f64()
    );
    figure("soak.http_mint.rate", format!("{rate:.0}"), "codes/s");
    figure("soak.http_mint.for_all", format!("{would_take:.0}"), "s");
}

/// `total` codes minted through the control API by 64 clients at once, then expired and purged
/// as [`driver::mint_expire_purge`] does.
async fn mint_over_http(sandbox: &Arc<SandboxHandle>, total: u64) -> Memory {
    const CLIENTS: usize = 64;
    let flows = Flows::new(sandbox.clone(), 1);
    let url = format!("{}/alipay/auth-code", sandbox.manifest().control);
    let token = sandbox.manifest().token.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let mut memory = Memory {
        start_kib: rss_kib(),
        ..Memory::default()
    };
    let issued = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (http, url, token, issued) =
                (http.clone(), url.clone(), token.clone(), issued.clone());
            tokio::spawn(async move {
                while issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                    let resp = http
                        .post(&url)
                        .header(authwalk::sandbox::TOKEN_HEADER, &token)
                        .json(
                            &serde_json::json!({"app_id": ALIPAY_APP, "user": "alipay-certified"}),
                        )
                        .send()
                        .await
                        .expect("the control API answers");
                    assert!(resp.status().is_success(), "{}", resp.status());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    memory.mint_time = started.elapsed();
    memory.minted = total;
    memory.peak_kib = rss_kib();
    memory.first_peak_kib = memory.peak_kib;
    memory.held_peak = sandbox.held().alipay_codes;
    let started = Instant::now();
    driver::expire_and_purge(sandbox, &flows).await;
    memory.purge_time = started.elapsed();
    memory.after_purge_kib = rss_kib();
    memory.held_after_purge = sandbox.held().alipay_codes;
    memory
}

fn memory(label: &str, m: &Memory) {
    println!(
        "{} codes minted in {:.1} s; held at most {} at once, {} after the purge ({:.2} s of purging)",
        m.minted,
        m.mint_time.as_secs_f64(),
        m.held_peak,
        m.held_after_purge,
        m.purge_time.as_secs_f64()
    );
    println!(
        "RSS {:.1} MiB at the start, {:.1} MiB at the peak ({:.1} MiB after the first batch), {:.1} MiB after the purge",
        mib(m.start_kib),
        mib(m.peak_kib),
        mib(m.first_peak_kib),
        mib(m.after_purge_kib)
    );
    if !m.after_each_purge_kib.is_empty() {
        let rounds: Vec<String> = m
            .after_each_purge_kib
            .iter()
            .map(|k| format!("{:.1}", mib(*k)))
            .collect();
        println!("RSS after each round's purge, MiB: {}", rounds.join(" "));
    }
    let name = |what: &str| format!("soak.mint.{label}.{what}");
    for (round, kib) in m.after_each_purge_kib.iter().enumerate() {
        figure(
            &name(&format!("rss_after_round_{:02}", round + 1)),
            format!("{:.1}", mib(*kib)),
            "MiB",
        );
    }
    figure(&name("codes"), m.minted, "codes");
    figure(&name("held_peak"), m.held_peak, "codes");
    figure(&name("held_after_purge"), m.held_after_purge, "codes");
    figure(
        &name("mint_seconds"),
        format!("{:.1}", m.mint_time.as_secs_f64()),
        "s",
    );
    figure(
        &name("purge_seconds"),
        format!("{:.2}", m.purge_time.as_secs_f64()),
        "s",
    );
    figure(
        &name("rss_start"),
        format!("{:.1}", mib(m.start_kib)),
        "MiB",
    );
    figure(&name("rss_peak"), format!("{:.1}", mib(m.peak_kib)), "MiB");
    figure(
        &name("rss_first_batch"),
        format!("{:.1}", mib(m.first_peak_kib)),
        "MiB",
    );
    figure(
        &name("rss_after_purge"),
        format!("{:.1}", mib(m.after_purge_kib)),
        "MiB",
    );
}
