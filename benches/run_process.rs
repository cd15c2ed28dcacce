//! Whole-process time of `authwalk run FLOW --json` on the embedded sandbox: start the binary,
//! start the sandbox, walk the login over loopback HTTP with real RSA, print, exit.
//!
//! Run with `cargo bench --bench run_process`. The first run (which generates and caches the
//! sandbox keys) is reported apart; the figure that matters is the median once keys are cached.

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 25;

fn main() {
    let bin = env!("CARGO_BIN_EXE_authwalk");
    let dir = std::env::temp_dir().join(format!("authwalk-bench-{}", std::process::id()));
    let run = |flow: &str| {
        let started = Instant::now();
        let out = Command::new(bin)
            .args(["run", flow, "--json", "--state-dir"])
            .arg(&dir)
            .output()
            .expect("authwalk runs");
        let elapsed = started.elapsed();
        assert!(
            out.status.success(),
            "{flow} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        elapsed
    };
    let first = run("alipay-web");
    println!(
        "first run (generates and caches the sandbox keys): {:.1} ms",
        ms(first)
    );
    for flow in ["alipay-web", "alipay-mini", "wechat-web", "wechat-qr"] {
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run(flow)).collect();
        times.sort();
        println!(
            "authwalk run {flow:<11} --json: median {:.1} ms, p90 {:.1} ms, min {:.1} ms ({RUNS} runs)",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 9 / 10]),
            ms(times[0])
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
