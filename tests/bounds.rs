//! Bounded reads against hostile servers on loopback: an endless chunked body, a lying
//! `Content-Length`, a connection that never completes. The transport stops at its body limit
//! with a finding that keeps what was read, and `authwalk run --profile` against such a gateway
//! ends within its timeout without holding more than a few tens of MB.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use authwalk::provider::{HttpMethod, PreparedRequest};
use authwalk::transport::{DEFAULT_BODY_LIMIT, Transport, TransportError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

fn get(url: String) -> PreparedRequest {
    PreparedRequest {
        method: HttpMethod::Get,
        url,
        headers: vec![],
        body: vec![],
        signing: None,
    }
}

/// How a hostile server frames its never-ending body.
#[derive(Debug, Clone, Copy)]
enum Endless {
    /// `Transfer-Encoding: chunked`, chunks forever.
    Chunked,
    /// `Content-Length: 10737418240` (10 GiB), then bytes until the client hangs up.
    LyingLength,
}

/// A server that answers every request with a body that never ends, until the client goes.
async fn endless_server(kind: Endless) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(stream_forever(stream, kind));
        }
    });
    format!("http://{addr}")
}

async fn stream_forever(mut stream: TcpStream, kind: Endless) {
    let mut request = [0u8; 8192];
    let _ = stream.read(&mut request).await;
    let head: &[u8] = match kind {
        Endless::Chunked => {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        }
        Endless::LyingLength => {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n"
        }
    };
    if stream.write_all(head).await.is_err() {
        return;
    }
    let payload = vec![b'a'; 64 * 1024];
    let chunk = match kind {
        Endless::Chunked => [b"10000\r\n".as_slice(), &payload, b"\r\n"].concat(),
        Endless::LyingLength => payload,
    };
    // Stops when the client closes the connection.
    while stream.write_all(&chunk).await.is_ok() {}
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_default_limit() {
    let base = endless_server(Endless::Chunked).await;
    let t = Transport::new(Duration::from_secs(20)).unwrap();
    assert_eq!(t.body_limit(), DEFAULT_BODY_LIMIT);
    let started = Instant::now();
    let failure = t
        .send(&get(format!("{base}/gateway.do")))
        .await
        .0
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "ended by the cap, not the timeout"
    );
    assert!(
        failure
            .message
            .starts_with("the response body passed the 8 MiB limit after "),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("raise --max-body"),
        "{}",
        failure.message
    );
    let partial = failure.partial.expect("what was read is kept");
    assert_eq!(partial.status, 200);
    assert_eq!(partial.body.len(), DEFAULT_BODY_LIMIT);
    assert!(
        partial.body.iter().all(|&b| b == b'a'),
        "chunk framing is not in the body"
    );
}

#[tokio::test]
async fn a_lying_content_length_is_not_trusted() {
    let base = endless_server(Endless::LyingLength).await;
    let limit = 300_000;
    let t = Transport::new(Duration::from_secs(20))
        .unwrap()
        .with_body_limit(limit);
    assert_eq!(t.body_limit(), limit);
    let failure = t
        .send(&get(format!("{base}/gateway.do")))
        .await
        .0
        .unwrap_err();
    assert!(
        failure
            .message
            .starts_with("the response body passed the 292.9 KiB limit after "),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("(the server declared 10737418240 bytes)"),
        "{}",
        failure.message
    );
    let partial = failure.partial.expect("what was read is kept");
    assert_eq!(partial.body.len(), limit);
    assert!(
        partial.body.capacity() < 2 * limit,
        "the declared length was not used to allocate: capacity {}",
        partial.body.capacity()
    );
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_whole() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                .await;
            let _ = stream.write_all(&[b'x'; 1000]).await;
        }
    });
    let t = Transport::new(Duration::from_secs(5))
        .unwrap()
        .with_body_limit(1000);
    let r = t.send(&get(format!("http://{addr}/"))).await.0.unwrap();
    assert_eq!(r.body.len(), 1000);
    let t = t.with_body_limit(999);
    let failure = t.send(&get(format!("http://{addr}/"))).await.0.unwrap_err();
    assert!(
        failure.message.contains("limit after 1000 bytes"),
        "{}",
        failure.message
    );
    assert_eq!(failure.partial.unwrap().body.len(), 999);
}

#[test]
fn zero_and_absurd_timeouts_are_refused() {
    for timeout in [Duration::ZERO, Duration::from_secs(601), Duration::MAX] {
        let e = Transport::new(timeout).unwrap_err();
        assert!(
            matches!(e, TransportError::Timeout(t) if t == timeout),
            "{e}"
        );
        assert!(e.to_string().contains("use 1 to 600 seconds"), "{e}");
    }
    assert!(Transport::new(Duration::from_mins(10)).is_ok());
    let e = Transport::with_timeouts(Duration::from_secs(2), Duration::from_secs(3)).unwrap_err();
    assert!(matches!(e, TransportError::ConnectTimeout { .. }), "{e}");
    let t = Transport::new(Duration::from_secs(30)).unwrap();
    assert_eq!(t.connect_timeout(), Duration::from_secs(5));
}

/// A connection attempt that is never answered: a listener with a full accept queue drops
/// further SYNs, so the connect timeout (not the request timeout) is what fires, and the message
/// names the connect timeout's own length.
#[tokio::test]
async fn a_connect_timeout_reports_its_own_length() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let _listener = socket.listen(0).unwrap();
    // Fill the accept queue (never accepted); keep the connections open.
    let mut held = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("connect failed: {e}"),
            Err(_) => break,
        }
        assert!(held.len() < 64, "the accept queue never filled");
    }
    let t = Transport::with_timeouts(Duration::from_secs(10), Duration::from_millis(500)).unwrap();
    let started = Instant::now();
    let failure = t
        .send(&get(format!("http://{addr}/gateway.do")))
        .await
        .0
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        failure
            .message
            .starts_with(&format!("could not connect to {addr} within 500 ms")),
        "{}",
        failure.message
    );
}

/// The peak resident set (VmHWM) of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn vector(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
        .display()
        .to_string()
}

/// `authwalk run alipay-web --profile` whose gateway streams forever: the walk ends within its
/// timeout with exit 1, names the limit, and the process never holds more than ~64 MB.
#[tokio::test]
async fn run_against_an_endless_gateway_ends_bounded() {
    assert!(
        Path::new("/proc/self/status").exists(),
        "this test reads the peak RSS from /proc; run it on Linux"
    );
    for kind in [Endless::Chunked, Endless::LyingLength] {
        let base = endless_server(kind).await;
        let config = tempfile::tempdir().unwrap();
        std::fs::write(
            config.path().join("config.toml"),
            format!(
                "[profiles.endless]\nprovider = \"alipay\"\napp_id = \"2021000000000001\"\n\
                 private_key = \"{}\"\nalipay_public_key = \"{}\"\nenvironment = \"{base}\"\n\
                 redirect_uri = \"https://example.com/callback\"\n",
                vector("app_private_key_pkcs8.pem"),
                vector("fake_alipay_public_key.pem"),
            ),
        )
        .unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let stdout_path = out_dir.path().join("stdout");
        let stderr_path = out_dir.path().join("stderr");
        let timeout = 15;
        let started = Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
            .args([
                "run",
                "alipay-web",
                "--profile",
                "endless",
                "--step",
                "token",
            ])
            .args(["--code", "4e0f0000000000000000000000000000", "--timeout"])
            .arg(timeout.to_string())
            .env("AUTHWALK_CONFIG_DIR", config.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).unwrap())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut peak = 0;
        let status = loop {
            if let Some(kib) = peak_rss_kib(pid) {
                peak = peak.max(kib);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(timeout + 10) {
                let _ = child.kill();
                panic!("{kind:?}: authwalk did not end within its timeout");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let elapsed = started.elapsed();
        eprintln!("{kind:?}: {elapsed:?}, peak {peak} KiB");
        let stdout = std::fs::read_to_string(&stdout_path).unwrap();
        let stderr = std::fs::read_to_string(&stderr_path).unwrap();
        let shown = format!("{stdout}{stderr}");
        assert_eq!(status.code(), Some(1), "{kind:?}: {stderr}\n{stdout:.2000}");
        assert!(
            elapsed < Duration::from_secs(timeout),
            "{kind:?}: took {elapsed:?}, the cap should end it before the timeout"
        );
        assert!(
            shown.contains("passed the 8 MiB limit"),
            "{kind:?}: {stderr}\n{stdout:.4000}"
        );
        assert!(peak > 0, "{kind:?}: VmHWM was never read");
        assert!(
            peak < 64 * 1024,
            "{kind:?}: peak RSS {peak} KiB is above 64 MiB"
        );
    }
}

fn authwalk() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("authwalk").expect("binary builds");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

#[test]
fn out_of_range_timeouts_and_body_limits_are_usage_errors() {
    for timeout in ["0", "601", "18446744073709551615"] {
        let out = authwalk()
            .args(["run", "alipay-web", "--timeout", timeout])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--timeout {timeout}: {stderr}");
        assert!(stderr.contains("--timeout"), "{stderr}");
    }
    for size in ["1", "2G", "1G", "65M", "8X"] {
        let out = authwalk()
            .args(["run", "alipay-web", "--max-body", size])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--max-body {size}: {stderr}");
        assert!(stderr.contains("--max-body"), "{stderr}");
    }
}

/// Files and standard input that never end are refused, with exit 2: a device at once (it is
/// no regular file), standard input at its limit.
#[cfg(unix)]
#[test]
fn endless_files_and_stdin_are_refused_at_their_limit() {
    authwalk()
        .args(["keys", "inspect", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "authwalk: /dev/zero is a character device, not a regular file",
        ));
    authwalk()
        .args(["lint", "--file", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "authwalk: /dev/zero is a character device, not a regular file",
        ));
    authwalk()
        .args(["verify", "--alipay-public-key"])
        .arg(vector("fake_alipay_public_key.pem"))
        .arg("/dev/zero")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "/dev/zero is a character device, not a regular file",
        ));

    // An endless pipe on standard input: a writer that stops only when authwalk hangs up.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authwalk"))
        .args(["explain", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        let block = vec![b'7'; 64 * 1024];
        let mut written = 0usize;
        while stdin.write_all(&block).is_ok() {
            written += block.len();
        }
        written
    });
    let out = child.wait_with_output().expect("ends");
    let written = writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "authwalk: standard input is larger than 16 MiB; is this the right input?\n"
    );
    assert!(written < 32 << 20, "authwalk kept reading: {written} bytes");

    // A config file that never ends.
    let config = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink("/dev/zero", config.path().join("config.toml")).expect("link");
    authwalk()
        .args(["run", "alipay-web", "--profile", "any"])
        .env("AUTHWALK_CONFIG_DIR", config.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "config.toml is a character device, not a regular file",
        ));
}
