//! HTTP I/O: one reqwest client (rustls, no OpenSSL) that sends a [`PreparedRequest`] exactly as
//! prepared and records what came back, byte for byte, with the time it took.
//!
//! Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` as usual, except
//! that loopback addresses (the embedded sandbox, the callback listener) are always reached
//! directly; a connection failure through a proxy names the proxy (without its credentials).
//! `localhost` and `*.localhost` are resolved to 127.0.0.1 and ::1 here, never through DNS: they
//! are allowed plain http because they are this machine, so a resolver must not be able to
//! send them (and the appsecret) elsewhere.
//! Redirects are never followed: a 302 is something to show, not to hide.
//!
//! Every failure becomes an [`HttpFailure`] whose message names the cause ("connection
//! refused to 127.0.0.1:9", "timed out after 10 s") and keeps any partial response.
//!
//! Nothing is read without a bound: a body that passes [`Transport::body_limit`] (default
//! [`DEFAULT_BODY_LIMIT`]) stops the read and becomes a failure that keeps the first
//! `body_limit` bytes, whatever `Content-Length` the server declared; the whole request,
//! body included, ends at the timeout.

mod callback;
mod driver;

use std::time::{Duration, Instant};

pub use callback::{
    CallbackListener, DEFAULT_CALLBACK_TIMEOUT, DEFAULT_READ_TIMEOUT, IgnoreReason, Ignored,
    ListenError, MAX_CONNECTIONS as CALLBACK_MAX_CONNECTIONS,
};
pub use driver::{ApproveError, Approver, ListenerApprover, SandboxApprover};

use crate::flow::{HttpFailure, RawResponse};
use crate::limits::Size;
use crate::provider::{HttpMethod, PreparedRequest};

/// Default time allowed for one request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest timeout a transport accepts: anything longer means "never" in practice.
pub const MAX_TIMEOUT: Duration = Duration::from_mins(10);

/// The longest wait for a TCP (and TLS) connection; a request timeout below it is used instead.
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default cap on a response body: gateway and API answers are a few KB, so 8 MiB is only ever
/// reached by a wrong URL (a download) or a server that streams forever.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Why a [`Transport`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A zero timeout fails every request, and one above [`MAX_TIMEOUT`] means "never".
    #[error(
        "a timeout of {} is out of range; use 1 to {} seconds",
        seconds(*.0),
        MAX_TIMEOUT.as_secs()
    )]
    Timeout(Duration),
    /// The connect timeout is zero or longer than the request timeout.
    #[error(
        "a connect timeout of {} is out of range; use more than 0 and at most the request \
         timeout ({})",
        seconds(*connect),
        seconds(*timeout)
    )]
    ConnectTimeout {
        connect: Duration,
        timeout: Duration,
    },
    /// The TLS backend or the HTTP client could not be set up.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Sends requests and records responses. Cheap to clone: clones share connection pools.
#[derive(Debug, Clone)]
pub struct Transport {
    /// Honours the proxy environment variables.
    client: reqwest::Client,
    /// Never uses a proxy; for loopback hosts.
    direct: reqwest::Client,
    timeout: Duration,
    connect_timeout: Duration,
    /// Bytes of response body kept at most; one more ends the read with a failure.
    body_limit: usize,
}

impl Transport {
    /// A transport with `timeout` per request (connection included; the connection alone gets
    /// at most [`MAX_CONNECT_TIMEOUT`]) and the [`DEFAULT_BODY_LIMIT`]. `timeout` must be more
    /// than zero and at most [`MAX_TIMEOUT`].
    pub fn new(timeout: Duration) -> Result<Self, TransportError> {
        Self::with_timeouts(timeout, timeout.min(MAX_CONNECT_TIMEOUT))
    }

    /// A transport with an explicit connect timeout (more than zero, at most `timeout`).
    pub fn with_timeouts(
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Self, TransportError> {
        if timeout.is_zero() || timeout > MAX_TIMEOUT {
            return Err(TransportError::Timeout(timeout));
        }
        if connect_timeout.is_zero() || connect_timeout > timeout {
            return Err(TransportError::ConnectTimeout {
                connect: connect_timeout,
                timeout,
            });
        }
        let build = |proxy: bool| {
            let builder = reqwest::Client::builder()
                .use_rustls_tls()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(timeout)
                .connect_timeout(connect_timeout)
                .user_agent(concat!("authwalk/", env!("CARGO_PKG_VERSION")));
            if proxy {
                builder
            } else {
                builder
                    .no_proxy()
                    .dns_resolver(std::sync::Arc::new(PinnedLocalhost))
            }
            .build()
        };
        Ok(Self {
            client: build(true)?,
            direct: build(false)?,
            timeout,
            connect_timeout,
            body_limit: DEFAULT_BODY_LIMIT,
        })
    }

    /// The same transport (sharing its connection pools) keeping at most `bytes` of a response
    /// body; a longer body ends in an [`HttpFailure`] that keeps the first `bytes`.
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    pub fn body_limit(&self) -> usize {
        self.body_limit
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
        let (client, proxy) = if is_loopback(&url) {
            (&self.direct, None)
        } else {
            (&self.client, proxy_for(&url))
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
            message: match &proxy {
                Some(proxy) if e.is_connect() => self.describe_proxy(&e, &target, proxy, &url),
                _ => self.describe(&e, &target),
            },
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
        // Never trusted for an allocation: a server may declare 10 GiB and send forever.
        let declared = response.content_length();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let received = body.len() + chunk.len();
                    if received > self.body_limit {
                        let room = self.body_limit - body.len();
                        body.extend_from_slice(&chunk[..room]);
                        return Err(HttpFailure {
                            message: self.over_limit(received, declared),
                            partial: Some(RawResponse {
                                status,
                                headers,
                                body,
                            }),
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let got = body.len();
                    let message = match declared {
                        Some(n) => format!(
                            "the response body was cut off after {got} of {n} bytes ({}); the \
                             server or a proxy closed the connection early — retry",
                            self.describe(&e, &target)
                        ),
                        None => format!(
                            "the response body was cut off after {got} bytes ({}); retry",
                            self.describe(&e, &target)
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

    /// The finding for a body that passed the limit after `received` bytes.
    fn over_limit(&self, received: usize, declared: Option<u64>) -> String {
        let limit = Size(self.body_limit as u64);
        let declared =
            declared.map_or_else(String::new, |n| format!(" (the server declared {n} bytes)"));
        format!(
            "the response body passed the {limit} limit after {received} bytes{declared}; \
             authwalk stopped reading and keeps the first {limit}. An API answer is a few KB: \
             check that the URL is the API's and not a download, or, if this body is genuine, \
             raise --max-body"
        )
    }

    /// A failure to reach `target` through `proxy`: the proxy is what could not be reached.
    fn describe_proxy(
        &self,
        e: &reqwest::Error,
        target: &str,
        proxy: &Proxy,
        url: &reqwest::Url,
    ) -> String {
        let refused = causes(e)
            .find_map(|s| s.downcast_ref::<std::io::Error>())
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
        let why = if refused {
            "connection refused: nothing listens there".to_owned()
        } else if e.is_timeout() {
            format!("no answer within {}", seconds(self.connect_timeout))
        } else {
            root_cause(e)
        };
        let host = url.host_str().unwrap_or(target);
        format!(
            "cannot reach the proxy {} (set by {}) to get to {target} ({why}); start the proxy or              fix the variable, unset {} to connect directly, or add {host} to NO_PROXY",
            proxy.url, proxy.variable, proxy.variable
        )
    }

    /// A reqwest error in words a user can act on.
    fn describe(&self, e: &reqwest::Error, target: &str) -> String {
        if e.is_timeout() {
            return if e.is_connect() {
                format!(
                    "could not connect to {target} within {}; check the host, the port, a \
                     firewall or a proxy",
                    seconds(self.connect_timeout)
                )
            } else {
                format!(
                    "timed out after {} waiting for {target}; check the network, a proxy, or \
                     raise the timeout",
                    seconds(self.timeout)
                )
            };
        }
        let io_kind = causes(e)
            .find_map(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        if e.is_connect() {
            if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
                return format!(
                    "connection refused to {target}: nothing listens there — is the server (or \
                     the sandbox) running, and is the port right?"
                );
            }
            let detail = root_cause(e);
            return if detail.contains("dns")
                || detail.contains("resolve")
                || detail.contains("lookup")
            {
                format!("cannot resolve the host of {target} ({detail}); check the URL and DNS")
            } else {
                format!("cannot connect to {target} ({detail})")
            };
        }
        format!("request to {target} failed: {}", root_cause(e))
    }
}

/// A duration as a person reads it: `10 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Whether `url` points at this machine (a loopback address or `localhost`).
pub fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| is_loopback(&u))
}

/// Whether `url`'s host is this machine: 127/8, `::1`, `localhost` or a `*.localhost` name
/// (which resolves to loopback by definition). Loopback is reached without a proxy, and plain
/// http to it sends nothing across a network.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => false,
    }
}

/// Resolves `localhost` and `*.localhost` to loopback without asking DNS (RFC 6761); other
/// names as the system does. For the client that serves loopback URLs only.
#[derive(Debug)]
struct PinnedLocalhost;

impl reqwest::dns::Resolve for PinnedLocalhost {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                if host == "localhost" || host.ends_with(".localhost") {
                    vec![
                        (std::net::Ipv4Addr::LOCALHOST, 0).into(),
                        (std::net::Ipv6Addr::LOCALHOST, 0).into(),
                    ]
                } else {
                    tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
                };
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The proxy a request goes through, as shown in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proxy {
    /// `http://127.0.0.1:3128`: scheme, host and port, never the credentials.
    url: String,
    /// The environment variable that set it (`HTTPS_PROXY`).
    variable: &'static str,
}

/// The proxy the environment sends `url` through, by the rules reqwest applies (the same
/// matcher), or `None` for a direct connection.
fn proxy_for(url: &reqwest::Url) -> Option<Proxy> {
    let uri: http::Uri = url.as_str().parse().ok()?;
    let intercept = hyper_util::client::proxy::matcher::Matcher::from_env().intercept(&uri)?;
    let proxy = intercept.uri();
    let shown = match (proxy.scheme_str(), proxy.host(), proxy.port_u16()) {
        (Some(s), Some(h), Some(p)) => format!("{s}://{h}:{p}"),
        (Some(s), Some(h), None) => format!("{s}://{h}"),
        _ => "(unreadable)".to_owned(),
    };
    let set = |names: &[&'static str]| {
        names
            .iter()
            .copied()
            .find(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
    };
    let specific: &[&'static str] = if url.scheme() == "https" {
        &["HTTPS_PROXY", "https_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy"]
    };
    let variable = set(specific)
        .or_else(|| set(&["ALL_PROXY", "all_proxy"]))
        .unwrap_or("the proxy settings");
    Some(Proxy {
        url: shown,
        variable,
    })
}

fn host_port(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.to_string(),
    }
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
