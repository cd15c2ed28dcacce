//! The loopback callback listener under what a port on this machine meets besides the
//! redirect: an idle connection, a forged redirect, a probe, and nobody coming at all. Every
//! connection here goes to 127.0.0.1.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Duration;

use authwalk::session::Outcome;
use authwalk::transport::{CallbackListener, IgnoreReason, ListenError};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

#[expect(dead_code, reason = "this file uses only the sandbox helpers")]
mod common;

use common::{first_user, sandbox};

/// GET `url` as a browser would, without following redirects: (status, body).
async fn get(url: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn an_idle_connection_does_not_block_the_redirect() {
    let listener = CallbackListener::bind("http://127.0.0.1:0/callback")
        .await
        .unwrap()
        .with_timeout(Duration::from_secs(30));
    let port = listener.local_addr().unwrap().port();
    let wait = tokio::spawn(async move { listener.wait(Some("s1"), |_| {}).await });

    // Connected and silent (a browser's preconnect, a stuck client), plus one that sent half a
    // request line: both stay open while the real redirect comes.
    let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    half.write_all(b"GET /callback?co").await.unwrap();

    let (status, page) = get(&format!(
        "http://127.0.0.1:{port}/callback?code=abc&state=s1"
    ))
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("go back to the terminal"), "{page}");
    let url = tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the listener returns while the idle connections are still open")
        .unwrap()
        .unwrap();
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/callback?code=abc&state=s1")
    );
}

/// As many silent connections as the listener serves at once, and as many more half-sent
/// requests, kept open and renewed: the redirect is still answered at once, not reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_idle_connections_do_not_turn_the_redirect_away() {
    let listener = CallbackListener::bind("http://127.0.0.1:0/callback")
        .await
        .unwrap()
        .with_timeout(Duration::from_secs(30));
    let port = listener.local_addr().unwrap().port();
    let wait = tokio::spawn(async move { listener.wait(Some("s1"), |_| {}).await });

    let mut held = Vec::new();
    for i in 0..2 * authwalk::transport::CALLBACK_MAX_CONNECTIONS {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        if i % 2 == 1 {
            s.write_all(b"GET /callback?co").await.unwrap();
        }
        held.push(s);
    }
    // Let the listener accept them all.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = std::time::Instant::now();
    let (status, page) = tokio::time::timeout(
        Duration::from_secs(2),
        get(&format!(
            "http://127.0.0.1:{port}/callback?code=abc&state=s1"
        )),
    )
    .await
    .expect("the redirect is answered within 2 s while idle connections are held");
    assert_eq!(status, 200);
    assert!(page.contains("go back to the terminal"), "{page}");
    let url = tokio::time::timeout(Duration::from_secs(2), wait)
        .await
        .expect("the listener returns at once")
        .unwrap()
        .unwrap();
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/callback?code=abc&state=s1")
    );
    eprintln!("answered after {:?}", started.elapsed());
    drop(held);
}

#[tokio::test]
async fn a_forged_redirect_is_ignored_and_the_real_one_wins() {
    let listener = CallbackListener::bind("http://127.0.0.1:0/callback")
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let wait = tokio::spawn(async move {
        listener
            .wait(Some("s1"), |ignored| {
                let _ = tx.send(ignored);
            })
            .await
    });
    let base = format!("http://127.0.0.1:{port}");

    let (status, page) = get(&format!("{base}/callback?code=evilcode99&state=other")).await;
    assert_eq!(status, 400);
    assert!(page.contains("ignored"), "{page}");
    assert!(page.contains("state"), "{page}");
    let ignored = rx.recv().await.unwrap();
    assert_eq!(ignored.reason, IgnoreReason::StateMismatch);
    assert!(ignored.peer.ip().is_loopback());
    // What is shown of it masks the code.
    assert!(
        !ignored.request.contains("evilcode99"),
        "{}",
        ignored.request
    );
    assert!(ignored.to_string().contains("still waiting"), "{ignored}");
    // On the timeline: a refused hit of the listener, its state and its code (masked).
    let hit = ignored.hit().unwrap();
    assert_eq!(hit.source, authwalk::flow::HitSource::Listener);
    assert_eq!(hit.result, authwalk::flow::HitResult::Refused);
    assert_eq!(hit.state.as_deref(), Some("other"));
    assert!(
        hit.code
            .as_deref()
            .is_some_and(|c| !c.contains("evilcode99"))
    );

    let (status, _) = get(&format!("{base}/callback?code=abc")).await;
    assert_eq!(status, 400);
    assert_eq!(rx.recv().await.unwrap().reason, IgnoreReason::StateMissing);

    let (status, page) = get(&format!("{base}/favicon.ico")).await;
    assert_eq!(status, 404);
    assert!(page.contains("ignored"), "{page}");
    let stray = rx.recv().await.unwrap();
    assert_eq!(stray.reason, IgnoreReason::OtherPath);
    // A request that is no redirect is not a hit on the callback.
    assert!(stray.hit().is_none());

    let (status, _) = get(&format!("{base}/callback?code=real&state=s1")).await;
    assert_eq!(status, 200);
    let url = wait.await.unwrap().unwrap();
    assert_eq!(url, format!("{base}/callback?code=real&state=s1"));
}

#[tokio::test]
async fn nobody_coming_ends_the_wait_with_what_to_do() {
    let listener = CallbackListener::bind("http://127.0.0.1:0/cb")
        .await
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let e = listener.wait(Some("s1"), |_| {}).await.unwrap_err();
    assert!(matches!(e, ListenError::TimedOut { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("no callback reached http://127.0.0.1:0/cb"),
        "{message}"
    );
    assert!(message.contains("--callback-timeout"), "{message}");
}

/// A profile that talks to the sandbox as if it were Alipay, with a loopback redirect_uri on
/// `port`.
fn profile(h: &authwalk::sandbox::SandboxHandle, port: u16) -> tempfile::TempDir {
    let m = h.manifest();
    let app = m
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == "2021000000000001")
        .expect("demo app");
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        format!(
            "[profiles.demo]\nprovider = \"alipay\"\napp_id = \"{}\"\nprivate_key = \"{}\"\n\
             alipay_public_key = \"{}\"\nenvironment = \"{}\"\n\
             redirect_uri = \"http://127.0.0.1:{port}/callback\"\n",
            app.app_id,
            app.app_private_key.display(),
            app.alipay_public_key.display(),
            h.base_url(),
        ),
    )
    .unwrap();
    config
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `authwalk run --profile`: a forged redirect arrives first and is shown as a note; an idle
/// connection stays open; the real redirect completes the walk.
#[tokio::test]
async fn run_notes_a_forged_redirect_and_finishes_with_the_real_one() {
    let h = sandbox(None).await;
    let user = first_user(h.manifest(), authwalk::provider::Provider::Alipay);
    let port = free_port();
    let config = profile(&h, port);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .args(["run", "alipay-web", "--profile", "demo"])
        .env("AUTHWALK_CONFIG_DIR", config.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let reader = tokio::task::spawn_blocking(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let authorize = loop {
        let line = lines.recv().await.expect("an authorize URL on stderr");
        if line.starts_with("http") {
            break line;
        }
    };
    let base = format!("http://127.0.0.1:{port}");

    let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (status, _) = get(&format!("{base}/callback?auth_code=forged0001&state=nope")).await;
    assert_eq!(status, 400);
    let note = loop {
        let line = lines
            .recv()
            .await
            .expect("a note about the forged redirect");
        if line.starts_with("note:") {
            break line;
        }
    };
    assert!(note.contains("ignored a request from 127.0.0.1"), "{note}");
    assert!(
        note.contains("state is not the one this walk sent"),
        "{note}"
    );

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let approved = client
        .post(&authorize)
        .form(&[("user", user.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 302);
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    let (status, _) = get(&location).await;
    assert_eq!(status, 200);

    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("authwalk finishes")
    .unwrap()
    .unwrap();
    reader.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("state ✓ matches"), "{stdout}");
    assert!(stdout.contains("✓ succeeded: 4/4 steps"), "{stdout}");
    // The walk's record keeps it: the forged redirect is a finding of the walk.
    assert!(stdout.contains("[callback.ignored]"), "{stdout}");
    h.shutdown().await;
}

/// Nobody comes back: the walk ends at --callback-timeout with exit 1 and says what to do.
#[tokio::test]
async fn run_gives_up_at_the_callback_timeout() {
    let h = sandbox(None).await;
    let config = profile(&h, free_port());
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking({
            let dir = config.path().to_owned();
            move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
                    .args(["run", "alipay-web", "--profile", "demo"])
                    .args(["--callback-timeout", "1s"])
                    .env("AUTHWALK_CONFIG_DIR", dir)
                    .env("NO_COLOR", "1")
                    .stdin(Stdio::null())
                    .output()
                    .unwrap()
            }
        }),
    )
    .await
    .expect("authwalk gives up by itself")
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no callback reached"), "{stdout}");
    assert!(stdout.contains("--callback-timeout"), "{stdout}");
    h.shutdown().await;
}

#[test]
fn callback_timeout_is_validated() {
    for bad in ["0s", "25h", "10x", "soon"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
            .args(["run", "alipay-web", "--callback-timeout", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--callback-timeout"), "{bad}: {stderr}");
    }
}

/// The inspector's listener task reports each ignored request as it comes (so the screen can
/// show a forged redirect arriving), then the real redirect as its last message.
#[tokio::test]
async fn the_inspector_hears_of_each_ignored_request_as_it_comes() {
    use authwalk::tui::event::Message;
    use authwalk::tui::walk::Report;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (tx, mut rx) = authwalk::tui::event::channel();
    let (_stop, stopped) = tokio::sync::oneshot::channel();
    let task = authwalk::tui::walk::task::listen(
        format!("{base}/callback"),
        "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?state=right".to_owned(),
        tx,
        stopped,
    );
    let waiting = tokio::spawn(task);
    // The listener binds inside the task: wait until it answers.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let forged = format!("{base}/callback?auth_code=forged0001&state=wrong");
    let mut status = 0;
    for _ in 0..100 {
        if let Ok(r) = client.get(&forged).send().await {
            status = r.status().as_u16();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 400);
    // A refused redirect comes with its hit for the timeline.
    let Some(Message::Report(Report::Walked(Outcome::Hits(hits, ignored)))) = rx.recv().await
    else {
        panic!("an Ignored report first")
    };
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].source, authwalk::flow::HitSource::Listener);
    assert_eq!(hits[0].state.as_deref(), Some("wrong"));
    let Outcome::Ignored(finding) = *ignored else {
        panic!("the Ignored report inside")
    };
    assert_eq!(finding.code, "callback.ignored");
    assert!(
        finding
            .title
            .get(authwalk::lang::Lang::EN)
            .contains("state is not the one"),
        "{finding:?}"
    );
    assert!(
        finding
            .title
            .get(authwalk::lang::Lang::ZH)
            .contains("state 与本次发出的不同"),
        "{finding:?}"
    );
    // A flood is told of up to the cap, then only counted.
    for _ in 0..30 {
        assert_eq!(get(&forged).await.0, 400);
    }
    let (status, _) = get(&format!("{base}/callback?auth_code=real0001&state=right")).await;
    assert_eq!(status, 200);
    let Message::Report(Report::Walked(Outcome::Callback(Ok(url)))) = waiting.await.unwrap() else {
        panic!("the callback last")
    };
    assert!(url.contains("auth_code=real0001"), "{url}");
    let mut told = 1;
    while let Ok(Message::Report(Report::Walked(Outcome::Hits(_, ignored)))) = rx.try_recv() {
        assert!(matches!(*ignored, Outcome::Ignored(_)));
        told += 1;
    }
    assert_eq!(told, authwalk::transport::ListenerApprover::MAX_IGNORED);
}

/// Stopping the inspector's listener (a cancel, a retry) ends its task and frees the port at
/// once, so the next listener on the same redirect_uri binds.
#[tokio::test]
async fn a_stopped_listener_frees_its_port() {
    use authwalk::tui::event::Message;
    use authwalk::tui::walk::Report;
    let port = free_port();
    let uri = format!("http://127.0.0.1:{port}/callback");
    let authorize = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?state=s".to_owned();
    let (tx, _rx) = authwalk::tui::event::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let first = tokio::spawn(authwalk::tui::walk::task::listen(
        uri.clone(),
        authorize.clone(),
        tx.clone(),
        stopped,
    ));
    // Bound: a request is answered.
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(stop);
    let Message::Report(Report::Walked(Outcome::Stopped)) = first.await.unwrap() else {
        panic!("a stopped listener reports Stopped")
    };
    let (_stop, stopped) = tokio::sync::oneshot::channel();
    let second = tokio::spawn(authwalk::tui::walk::task::listen(
        uri, authorize, tx, stopped,
    ));
    let client = reqwest::Client::new();
    let redirect = format!("http://127.0.0.1:{port}/callback?auth_code=c1&state=s");
    let mut status = 0;
    for _ in 0..100 {
        if let Ok(r) = client.get(&redirect).send().await {
            status = r.status().as_u16();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
    let Message::Report(Report::Walked(Outcome::Callback(Ok(url)))) = second.await.unwrap() else {
        panic!("the second listener got the redirect")
    };
    assert!(url.contains("auth_code=c1"), "{url}");
}
