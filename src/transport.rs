//! HTTP I/O: one reqwest client (rustls, no OpenSSL) that sends a [`PreparedRequest`] exactly as
//! prepared and records what came back, byte for byte, with the time it took.
//!
//! Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as usual, except that loopback
//! addresses (the embedded sandbox, the callback listener) are always reached directly.
//! Redirects are never followed: a 302 is something to show, not to hide.
//!
//! Every failure becomes an [`HttpFailure`] whose message names the cause ("connection
//! refused to 127.0.0.1:9", "timed out after 10 s") and keeps any partial response.

mod callback;
mod driver;

use std::time::{Duration, Instant};

pub use callback::{CallbackListener, ListenError};
pub use driver::{Approver, DriveEvent, ListenerApprover, SandboxApprover, drive};

use crate::flow::{HttpFailure, RawResponse};
use crate::provider::{HttpMethod, PreparedRequest};

/// Default time allowed for one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends requests and records responses. Cheap to clone: clones share connection pools.
#[derive(Debug, Clone)]
pub struct Transport {
    /// Honours the proxy environment variables.
    client: reqwest::Client,
    /// Never uses a proxy; for loopback hosts.
    direct: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    /// A transport with `timeout` per request.
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let build = |proxy: bool| {
            let builder = reqwest::Client::builder()
                .use_rustls_tls()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                .user_agent(concat!("authwalk/", env!("CARGO_PKG_VERSION")));
            if proxy { builder } else { builder.no_proxy() }.build()
        };
        Ok(Self {
            client: build(true)?,
            direct: build(false)?,
            timeout,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Send `request` and record the response; the elapsed time comes back either way.
    pub async fn send(
        &self,
        request: &PreparedRequest,
    ) -> (Result<RawResponse, HttpFailure>, Duration) {
        let started = Instant::now();
        let result = self.send_inner(request).await;
        (result, started.elapsed())
    }

    async fn send_inner(&self, request: &PreparedRequest) -> Result<RawResponse, HttpFailure> {
        let url = reqwest::Url::parse(&request.url).map_err(|e| HttpFailure {
            message: format!(
                "'{}' is not a valid URL ({e}); check the base URLs in the profile",
                crate::redact::redact_query(&request.url)
            ),
            partial: None,
        })?;
        let client = if is_loopback(&url) {
            &self.direct
        } else {
            &self.client
        };
        let method = match request.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let mut builder = client.request(method, url.clone());
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        if request.method == HttpMethod::Post {
            builder = builder.body(request.body.clone());
        }
        let target = host_port(&url);
        let mut response = builder.send().await.map_err(|e| HttpFailure {
            message: describe(&e, &target, self.timeout),
            partial: None,
        })?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let declared = response.content_length();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => {
                    let got = body.len();
                    let message = match declared {
                        Some(n) => format!(
                            "the response body was cut off after {got} of {n} bytes ({}); the \
                             server or a proxy closed the connection early — retry",
                            describe(&e, &target, self.timeout)
                        ),
                        None => format!(
                            "the response body was cut off after {got} bytes ({}); retry",
                            describe(&e, &target, self.timeout)
                        ),
                    };
                    return Err(HttpFailure {
                        message,
                        partial: Some(RawResponse {
                            status,
                            headers,
                            body,
                        }),
                    });
                }
            }
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// Whether `url` points at this machine (a loopback address or `localhost`).
pub fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| is_loopback(&u))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn host_port(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.to_string(),
    }
}

/// A reqwest error in words a user can act on.
fn describe(e: &reqwest::Error, target: &str, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!(
            "timed out after {} s waiting for {target}; check the network, a proxy, or raise the \
             timeout",
            timeout.as_secs()
        );
    }
    let io_kind = causes(e)
        .find_map(|s| s.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    if e.is_connect() {
        if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
            return format!(
                "connection refused to {target}: nothing listens there — is the server (or the \
                 sandbox) running, and is the port right?"
            );
        }
        let detail = root_cause(e);
        return if detail.contains("dns") || detail.contains("resolve") || detail.contains("lookup")
        {
            format!("cannot resolve the host of {target} ({detail}); check the URL and DNS")
        } else {
            format!("cannot connect to {target} ({detail})")
        };
    }
    format!("request to {target} failed: {}", root_cause(e))
}

/// The error and its sources, outermost first.
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |s| s.source())
}

fn root_cause(e: &reqwest::Error) -> String {
    causes(e)
        .last()
        .map_or_else(|| e.to_string(), ToString::to_string)
}
