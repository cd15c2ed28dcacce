//! Terminal hygiene that can be checked without a terminal: the exact sequences that take the
//! terminal over and give it back, a panic hook that restores before it reports, and a
//! terminating signal that ends the process with the shell's code even while the loop is stuck
//! in a frame (the terminal itself is checked in tmux by `.ci/tmux.sh`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use authwalk::tui::terminal::{
    install_panic_hook_with, write_enter, write_mouse_capture, write_restore,
};

#[test]
fn restore_undoes_everything_enter_does() {
    let mut enter = Vec::new();
    write_enter(&mut enter).expect("writes");
    let mut restore = Vec::new();
    write_restore(&mut restore).expect("writes");
    let enter = String::from_utf8(enter).expect("ASCII");
    let restore = String::from_utf8(restore).expect("ASCII");
    for on in ["\x1b[?1049h", "\x1b[?1000h", "\x1b[?1006h", "\x1b[?2004h"] {
        assert!(enter.contains(on), "enter turns on {on:?}: {enter:?}");
        let off = on.replace('h', "l");
        assert!(
            restore.contains(&off),
            "restore turns off {off:?}: {restore:?}"
        );
    }
    assert!(restore.contains("\x1b[?25h"), "the cursor shows again");
    let mut mouse = Vec::new();
    write_mouse_capture(&mut mouse, false).expect("writes");
    assert!(
        String::from_utf8(mouse)
            .expect("ASCII")
            .contains("\x1b[?1000l")
    );
}

#[test]
fn the_panic_hook_restores_first_then_reports() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(AtomicUsize::new(0));
    let (o, c) = (Arc::clone(&order), Arc::clone(&calls));
    std::panic::set_hook(Box::new(move |_| {
        o.lock().expect("lock").push("report");
        c.fetch_add(1, Ordering::SeqCst);
    }));
    let o = Arc::clone(&order);
    install_panic_hook_with(move || o.lock().expect("lock").push("restore"));
    let result = std::thread::spawn(|| panic!("boom")).join();
    assert!(result.is_err());
    assert_eq!(*order.lock().expect("lock"), ["restore", "report"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    drop(std::panic::take_hook());
}

/// Set in the child process of [`a_signal_ends_a_stuck_loop_with_the_shells_code`].
const STUCK_CHILD: &str = "AUTHWALK_TEST_STUCK_LOOP";

/// Not a test on its own: in the child, listen for signals as the inspector does, then hold
/// the loop's thread for a minute, as a frame that never finishes would.
#[test]
fn stuck_loop_child() {
    if std::env::var_os(STUCK_CHILD).is_none() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (tx, _rx) = authwalk::tui::event::channel::<()>();
        authwalk::tui::event::spawn_signal_listener(tx).expect("listens");
        println!("ready");
        std::thread::sleep(std::time::Duration::from_mins(1));
    });
}

/// A `kill` once waited for the frame in progress, and a 2 MB paste's frame took minutes: the
/// process outlived its closed terminal. Now the signal's watchdog ends it within a second or
/// two, with 128 + the signal's number; SIGINT and SIGQUIT are caught like SIGTERM and SIGHUP.
#[cfg(unix)]
#[test]
fn a_signal_ends_a_stuck_loop_with_the_shells_code() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let children: Vec<_> = [("INT", 130), ("QUIT", 131), ("TERM", 143), ("HUP", 129)]
        .into_iter()
        .map(|(signal, code)| {
            let mut child = Command::new(std::env::current_exe().expect("this test binary"))
                .args([
                    "--exact",
                    "stuck_loop_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(STUCK_CHILD, "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawns");
            // The harness may print the test's name on the same line.
            let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
            let ready = (&mut stdout)
                .lines()
                .map_while(Result::ok)
                .any(|line| line.ends_with("ready"));
            assert!(ready, "the child never listened");
            let status = Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success());
            (signal, code, child, stdout, Instant::now())
        })
        .collect();
    for (signal, code, mut child, _stdout, sent) in children {
        let status = loop {
            if let Some(status) = child.try_wait().expect("waits") {
                break status;
            }
            if sent.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("SIG{signal} did not end a stuck loop within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?}");
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "SIG{signal} took {:?}",
            sent.elapsed()
        );
    }
}
