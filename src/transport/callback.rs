//! The callback listener: when `redirect_uri` is on loopback, take the browser's redirect
//! ourselves, answer with a short "you can go back to the terminal" page, and hand the full
//! callback URL to the flow.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Why the listener could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("redirect_uri '{0}' is not a loopback http:// URL; paste the callback instead")]
    NotLoopback(String),
    #[error("cannot listen on {addr} for the callback ({io}); is another program using the port?")]
    Bind {
        addr: SocketAddr,
        io: std::io::Error,
    },
    #[error("the callback connection failed")]
    Io(#[from] std::io::Error),
}

/// A bound listener for one redirect_uri.
#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
    /// The path the redirect arrives on (`/callback`).
    path: String,
    /// `http://host:port`, to rebuild the full URL from the request line.
    origin: String,
}

/// The page shown in the browser after the redirect.
const DONE_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>authwalk</title>\
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}\
</style></head><body><h1>✓ authwalk got the callback</h1><p>You can go back to the terminal.</p>\
<p>已收到回调，请回到终端继续。</p></body></html>";

impl CallbackListener {
    /// Listen on the host and port of a loopback `redirect_uri`.
    pub async fn bind(redirect_uri: &str) -> Result<Self, ListenError> {
        let url = url::Url::parse(redirect_uri)
            .map_err(|_| ListenError::NotLoopback(redirect_uri.to_owned()))?;
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => std::net::IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => std::net::IpAddr::V6(ip),
            Some(url::Host::Domain("localhost")) => {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            }
            _ => return Err(ListenError::NotLoopback(redirect_uri.to_owned())),
        };
        if url.scheme() != "http" {
            return Err(ListenError::NotLoopback(redirect_uri.to_owned()));
        }
        let addr = SocketAddr::new(ip, url.port_or_known_default().unwrap_or(80));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|io| ListenError::Bind { addr, io })?;
        // The bound port, which differs from the URL's only when it asked for port 0.
        let port = listener.local_addr().map_or(addr.port(), |a| a.port());
        let host = url.host_str().unwrap_or("127.0.0.1");
        let origin = if port == 80 {
            format!("http://{host}")
        } else {
            format!("http://{host}:{port}")
        };
        Ok(Self {
            listener,
            path: url.path().to_owned(),
            origin,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Wait for a request on the callback path and return its full URL. Other requests (a
    /// browser's favicon) get a 404 and are ignored.
    pub async fn accept(&self) -> Result<String, ListenError> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let mut buf = vec![0u8; 16 * 1024];
            let mut len = 0;
            // Read the request head, bounded: a redirect's request line is all we need.
            while len < buf.len() {
                let n = stream.read(&mut buf[len..]).await?;
                if n == 0 {
                    break;
                }
                len += n;
                if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..len]);
            let target = head
                .lines()
                .next()
                .and_then(|line| line.strip_prefix("GET "))
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_default()
                .to_owned();
            let on_path = target.split('?').next() == Some(self.path.as_str());
            let (status, body) = if on_path {
                ("200 OK", DONE_PAGE)
            } else {
                ("404 Not Found", "not the callback")
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
                 Connection: close\r\nCache-Control: no-store\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).await?;
            let _ = stream.shutdown().await;
            if on_path {
                return Ok(format!("{}{target}", self.origin));
            }
        }
    }
}
