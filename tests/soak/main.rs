//! Soak, short: 64 concurrent full logins of both providers for a few seconds with no error and
//! every code exchanged exactly once; 200,000 codes minted into the sandbox's store, expired
//! by its clock and purged, with resident memory back near where it started. The long version
//! (30 s, 2,000,000 codes) is `cargo bench --bench soak`.
//!
//! The tests take turns (one lock), and the memory one runs in a process of its own, so that
//! it reads a process doing nothing else.

mod driver;

use std::sync::Arc;
use std::time::Duration;

use driver::{Flows, mib};

const CLIENTS: usize = 64;
const FLOW_TIME: Duration = Duration::from_secs(3);
const CODES: u64 = 200_000;

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_flows_have_no_error_and_use_each_code_once() {
    let _turn = TURN.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = Arc::new(
        driver::start(
            dir.path(),
            authwalk::sandbox::SandboxConfig::default().max_held,
        )
        .await,
    );
    let flows = Arc::new(Flows::new(sandbox.clone(), CLIENTS));

    let tally = driver::run_flows(&flows, CLIENTS, FLOW_TIME).await;
    assert_eq!(
        tally.errors,
        0,
        "{} of {} flows failed, first: {:#?}",
        tally.errors,
        tally.flows() + tally.errors,
        tally.first_errors
    );
    assert!(
        tally.alipay > 0 && tally.wechat > 0,
        "both providers walked: {tally:?}"
    );
    assert_eq!(tally.duplicate_codes(), 0, "a code was issued twice");
    let held = sandbox.held();
    assert_eq!(
        (held.alipay_codes, held.wechat_codes),
        (0, 0),
        "every approved code was taken by its exchange"
    );

    let recheck = driver::exchange_again(&flows, &tally, CLIENTS).await;
    assert_eq!(recheck.checked, tally.flows());
    assert!(
        recheck.unexpected.is_empty(),
        "{} codes were not refused a second time, first: {:?}",
        recheck.unexpected.len(),
        recheck.unexpected.first()
    );
    assert_eq!(recheck.refused, tally.flows());
    eprintln!(
        "{} flows ({} Alipay, {} WeChat, {} refreshes) in {:.1} s, 0 errors; {} codes refused a second time",
        tally.flows(),
        tally.alipay,
        tally.wechat,
        tally.refreshes,
        tally.elapsed.as_secs_f64(),
        recheck.refused
    );
}

/// Set in the process the memory test runs in for real.
const MEMORY_CHILD: &str = "AUTHWALK_SOAK_MEMORY_CHILD";

#[test]
fn minted_codes_expire_purge_and_give_their_memory_back() {
    if std::env::var_os(MEMORY_CHILD).is_none() {
        // In a process of its own, so that no other test's memory comes and goes meanwhile.
        let _turn = TURN.blocking_lock();
        let status = std::process::Command::new(std::env::current_exe().expect("this binary"))
            .args([
                "--exact",
                "minted_codes_expire_purge_and_give_their_memory_back",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(MEMORY_CHILD, "1")
            .status()
            .expect("the test binary runs");
        assert!(
            status.success(),
            "the memory test failed in its own process"
        );
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(memory_comes_back());
}

async fn memory_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A cap above the count, so that every code is held at once.
    let max_held = usize::try_from(CODES).expect("fits") + 1000;
    let sandbox = Arc::new(driver::start(dir.path(), max_held).await);
    let flows = Flows::new(sandbox.clone(), 1);

    let memory = driver::mint_expire_purge(&sandbox, &flows, CODES, CODES / 4, false).await;
    eprintln!(
        "{} codes minted in {:.1} s, purged in {:.2} s: RSS {:.1} MiB at the start, {:.1} MiB after the first quarter, {:.1} MiB at the peak, {:.1} MiB after the purge",
        memory.minted,
        memory.mint_time.as_secs_f64(),
        memory.purge_time.as_secs_f64(),
        mib(memory.start_kib),
        mib(memory.first_peak_kib),
        mib(memory.peak_kib),
        mib(memory.after_purge_kib)
    );
    // One was exchanged to prove they are real codes.
    assert_eq!(memory.held_peak, usize::try_from(CODES).expect("fits") - 1);
    assert_eq!(memory.held_after_purge, 1, "only the fresh code is left");
    let grown = memory.peak_kib.saturating_sub(memory.start_kib);
    assert!(
        grown > 12 * 1024,
        "200,000 held codes show in RSS (grew {:.1} MiB)",
        mib(grown)
    );
    // One fill, one purge: every table the store grew through was big enough for malloc to map
    // it apart, and the purge unmaps the last. (Over rounds of fills and purges glibc keeps
    // freed tables for reuse instead, up to twice the largest per heap, and RSS levels off
    // rather than coming back: see the soak section of bench/REPORT.md.)
    let kept = memory.after_purge_kib.saturating_sub(memory.start_kib);
    assert!(
        kept <= (grown / 8).max(4 * 1024),
        "after the purge RSS is {:.1} MiB above the start, of {:.1} MiB grown",
        mib(kept),
        mib(grown)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_at_its_cap_drops_the_oldest_codes() {
    let _turn = TURN.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cap = 20_000;
    let sandbox = Arc::new(driver::start(dir.path(), cap).await);
    let flows = Flows::new(sandbox.clone(), 1);
    let memory =
        driver::mint_expire_purge(&sandbox, &flows, 3 * cap as u64, cap as u64 / 2, false).await;
    assert!(
        memory.held_peak <= cap && memory.held_peak >= cap - cap / 16 - 1,
        "held {} with a cap of {cap}",
        memory.held_peak
    );
    assert_eq!(memory.held_after_purge, 1);
}

/// Trickling connections, more than the sandbox serves at once.
const TRICKLERS: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_request_heads_do_not_lock_new_clients_out() {
    let _turn = TURN.lock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = driver::start(
        dir.path(),
        authwalk::sandbox::SandboxConfig::default().max_held,
    )
    .await;
    let t = driver::trickle(sandbox.addr(), TRICKLERS, Duration::from_secs(4)).await;
    eprintln!(
        "{} trickling connections open ({} opened in all): {} of {} new clients served, latency p50 {:?}, p95 {:?}, max {:?}",
        t.open_at_start,
        t.opened,
        t.served,
        t.clients,
        t.percentile(50),
        t.percentile(95),
        t.latencies.last()
    );
    eprintln!("latencies: {:?}", t.latencies);
    assert!(
        t.open_at_start > authwalk::sandbox::SandboxConfig::default().max_connections,
        "the tricklers took every slot: {t:?}"
    );
    assert_eq!(
        t.served, t.clients,
        "every new client is served while connections trickle: {t:?}"
    );
    assert!(
        t.percentile(95) < Duration::from_secs(1),
        "served promptly: {t:?}"
    );
    sandbox.shutdown().await;
}
