//! A hostile fake provider: a loopback HTTP server that answers every request the same bad
//! way, one [`Mode`] per behaviour a probe of the inspector tries (a redirect echoing the
//! request, HTML, GBK, a cut body, a trickle, a hang, a 500 with a valid body, a huge body,
//! any body with any status). Use it from a test file with
//! `#[path = "support/hostile.rs"] mod hostile;`.
//!
//! It listens on 127.0.0.1 only, on a thread and runtime of its own (so sync tests that run
//! the binary can use it as well as async ones), serves at most [`MAX_CONNECTIONS`] in all,
//! keeps each one at most [`MAX_LIFE`], and stops when dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Connections served in all before the fixture stops accepting.
pub const MAX_CONNECTIONS: usize = 64;
/// The longest one connection is kept (a hang or a trickle ends there).
pub const MAX_LIFE: Duration = Duration::from_secs(30);

/// How every request is answered.
#[derive(Debug, Clone)]
pub enum Mode {
    /// `status` (a 3xx) with `Location: http://localhost:1/steal<path-and-query>`, echoing the
    /// request as a proxy login page or a WAF may, secrets included; empty body.
    RedirectEcho(u16),
    /// An HTML page instead of JSON, status 200.
    Html,
    /// A JSON body encoded in GBK (not UTF-8), status 200.
    Gbk(String),
    /// `Content-Length` says twice what is sent, then the connection closes.
    Truncated(String),
    /// The body, one byte every `Duration`.
    Trickle(String, Duration),
    /// The request is read and never answered.
    Hang,
    /// This status with this body (a 500 with a valid provider answer, a tampered signature:
    /// the test supplies the bytes).
    Status(u16, String),
    /// A 200 whose body is `bytes` long (of `a`), sent as fast as the client reads.
    Huge(usize),
}

/// A running fixture.
pub struct Hostile {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hostile {
    pub fn start(mode: Mode) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("binds on loopback");
                tx.send(listener.local_addr().expect("addr"))
                    .expect("the test waits");
                let serve = async {
                    for _ in 0..MAX_CONNECTIONS {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let (mode, seen) = (mode.clone(), seen.clone());
                        tokio::spawn(async move {
                            let _ =
                                tokio::time::timeout(MAX_LIFE, answer(stream, &mode, &seen)).await;
                        });
                    }
                    std::future::pending::<()>().await;
                };
                tokio::select! {
                    () = serve => {}
                    _ = stopped => {}
                }
            });
        });
        let addr = rx.recv().expect("the fixture starts");
        Self {
            addr,
            requests,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines received (`GET /sns/oauth2/access_token?… HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Read the request head (and a body as long as `Content-Length` says, at most 64 KiB).
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0)
        .min(64 * 1024);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(head)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Whatever",
    }
}

fn head(status: u16, content_type: &str, length: usize, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\
         {extra}Connection: close\r\n\r\n",
        reason(status)
    )
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    mode: &Mode,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await else {
        return Ok(());
    };
    let line = request.lines().next().unwrap_or_default().to_owned();
    let target = line.split(' ').nth(1).unwrap_or("/").to_owned();
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(line);
    let json = "application/json; charset=utf-8";
    match mode {
        Mode::RedirectEcho(status) => {
            let extra = format!("Location: http://localhost:1/steal{target}\r\n");
            stream
                .write_all(head(*status, "text/html", 0, &extra).as_bytes())
                .await?;
        }
        Mode::Html => {
            let body =
                "<!doctype html><html><body><h1>Please log in to the proxy</h1></body></html>";
            stream
                .write_all(format!("{}{body}", head(200, "text/html", body.len(), "")).as_bytes())
                .await?;
        }
        Mode::Gbk(text) => {
            let (bytes, _, _) = encoding_rs::GBK.encode(text);
            stream
                .write_all(head(200, "application/json; charset=gbk", bytes.len(), "").as_bytes())
                .await?;
            stream.write_all(&bytes).await?;
        }
        Mode::Truncated(body) => {
            let half = &body.as_bytes()[..body.len() / 2];
            stream
                .write_all(head(200, json, body.len() * 2, "").as_bytes())
                .await?;
            stream.write_all(half).await?;
        }
        Mode::Trickle(body, pause) => {
            stream
                .write_all(head(200, json, body.len(), "").as_bytes())
                .await?;
            for b in body.as_bytes() {
                stream.write_all(&[*b]).await?;
                tokio::time::sleep(*pause).await;
            }
        }
        Mode::Hang => std::future::pending::<()>().await,
        Mode::Status(status, body) => {
            stream
                .write_all(format!("{}{body}", head(*status, json, body.len(), "")).as_bytes())
                .await?;
        }
        Mode::Huge(bytes) => {
            stream
                .write_all(head(200, json, *bytes, "").as_bytes())
                .await?;
            let block = vec![b'a'; 64 * 1024];
            let mut left = *bytes;
            while left > 0 {
                let n = left.min(block.len());
                stream.write_all(&block[..n]).await?;
                left -= n;
            }
        }
    }
    stream.shutdown().await
}
