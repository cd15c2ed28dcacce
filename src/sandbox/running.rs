//! One live sandbox per state folder, and finding a running one.
//!
//! A standalone `authwalk sandbox` claims its state folder for as long as it serves: it holds
//! an exclusive lock on `sandbox.lock` (released by the OS when the process ends, however it
//! ends), writes `sandbox.json`, and removes that file on a clean shutdown. A second one on the
//! same folder finds the lock held and refuses, naming the first one's address; one that finds
//! a `sandbox.json` but no lock holder says it replaces a stale manifest.
//!
//! [`running`] attaches to a running sandbox from a `sandbox.json`, its state folder or its
//! base URL, and refuses a stale manifest: the sandbox is asked for its own manifest over
//! loopback HTTP with the manifest's token, so a port reused by another program does not pass.

use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::{MANIFEST_FILE, Manifest, TOKEN_ENV, TOKEN_HEADER};

/// The lock file a standalone sandbox holds for its whole life.
pub const LOCK_FILE: &str = "sandbox.lock";

/// How long a liveness probe may take (connect, then read the manifest), on loopback.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The largest manifest answer read back (it is a few kilobytes).
const MAX_MANIFEST: u64 = 1024 * 1024;

/// A state folder claimed for the life of a sandbox: dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct Claim {
    _lock: File,
    /// Said once at start: a stale `sandbox.json` was found and is being replaced.
    pub notice: Option<String>,
}

fn open_lock(dir: &Path) -> anyhow::Result<File> {
    let path = dir.join(LOCK_FILE);
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Claim `dir` for a standalone sandbox, or explain which live sandbox holds it.
pub(crate) fn claim(dir: &Path) -> anyhow::Result<Claim> {
    let lock = open_lock(dir)?;
    // An embedded sandbox holds the lock for the instant it writes its manifest: wait that out.
    let mut tries = 0;
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) if tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(fs::TryLockError::WouldBlock) => {
                let path = dir.join(MANIFEST_FILE);
                let running = read_manifest(&path).ok();
                let at = running.as_ref().map_or_else(
                    || "an address not yet written".to_owned(),
                    |m| m.base_url().to_owned(),
                );
                let pid = running
                    .as_ref()
                    .filter(|m| m.pid != 0)
                    .map(|m| format!(" (pid {})", m.pid))
                    .unwrap_or_default();
                bail!(
                    "a sandbox is already running on this state folder, at {at}{pid}, and \
                     {} is its manifest; use that one, stop it first, or start another with \
                     --state-dir pointing to another folder",
                    path.display()
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e)
                    .with_context(|| format!("cannot lock {}", dir.join(LOCK_FILE).display()));
            }
        }
    }
    let notice = read_manifest(&dir.join(MANIFEST_FILE)).ok().map(|old| {
        format!(
            "replacing a stale sandbox.json from a sandbox that is no longer running (it \
             named {})",
            old.base_url()
        )
    });
    Ok(Claim {
        _lock: lock,
        notice,
    })
}

/// Whether a standalone sandbox holds `dir` right now. An embedded sandbox (a walk's) asks
/// before writing its own `sandbox.json`, so it never overwrites a live one's; it holds the
/// returned lock while it writes.
pub(crate) fn try_share(dir: &Path) -> anyhow::Result<Option<File>> {
    let lock = open_lock(dir)?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(lock)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e).context("cannot lock the sandbox state folder"),
    }
}

/// Read and parse a `sandbox.json`.
pub fn read_manifest(path: &Path) -> anyhow::Result<Manifest> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a sandbox manifest; point at the sandbox.json an `authwalk sandbox` wrote",
            path.display()
        )
    })
}

/// Attach to a running sandbox. `spec` is one of:
///
/// - a path to its `sandbox.json`;
/// - its state folder (the one given to `--state-dir`), holding `sandbox.json`;
/// - its base URL, `http://HOST:PORT`: the manifest is taken from the default state folder
///   ([`crate::config::sandbox_state_dir`]) when it names that base, else fetched from the
///   sandbox's `GET /__sandbox` with the token in `$AUTHWALK_SANDBOX_TOKEN` (printed nowhere;
///   read it from the running sandbox's `sandbox.json`).
///
/// The sandbox must answer: it is asked for its manifest with the manifest's token, so a
/// `sandbox.json` left by a sandbox that stopped (or whose port another program now holds) is
/// refused with a clear error rather than walked against.
pub fn running(spec: &str) -> anyhow::Result<Manifest> {
    let manifest = if spec.starts_with("http://") || spec.starts_with("https://") {
        from_base_url(spec)?
    } else {
        let path = PathBuf::from(spec);
        let file = if path.is_dir() {
            path.join(MANIFEST_FILE)
        } else {
            path
        };
        if !file.exists() {
            bail!(
                "{} does not exist; pass the sandbox.json (or the --state-dir folder) of a \
                 running `authwalk sandbox`",
                file.display()
            );
        }
        let manifest = read_manifest(&file)?;
        if !is_live(&manifest) {
            bail!(
                "{} is stale: the sandbox it names ({}) is no longer running; start one with \
                 `authwalk sandbox`",
                file.display(),
                manifest.base_url()
            );
        }
        manifest
    };
    Ok(manifest)
}

fn from_base_url(spec: &str) -> anyhow::Result<Manifest> {
    let base = spec.trim_end_matches('/');
    let url = url::Url::parse(base).with_context(|| format!("'{spec}' is not a URL"))?;
    if url.scheme() != "http" {
        bail!("a sandbox serves plain http://; '{spec}' is not one");
    }
    if let Some(dir) = crate::config::sandbox_state_dir()
        && let Ok(m) = read_manifest(&dir.join(MANIFEST_FILE))
        && m.base_url() == base
    {
        if is_live(&m) {
            return Ok(m);
        }
        bail!(
            "the sandbox.json in {} names {base} but that sandbox is no longer running; start \
             one with `authwalk sandbox`",
            dir.display()
        );
    }
    let Some(token) = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty()) else {
        bail!(
            "no sandbox.json in the default state folder names {base}; pass the path of that \
             sandbox's sandbox.json instead, or set {TOKEN_ENV} to the `token` it holds"
        );
    };
    let (status, body) = get(base, &token).with_context(|| {
        format!("the sandbox at {base} does not answer; is `authwalk sandbox` running there?")
    })?;
    match status {
        200 => serde_json::from_slice(&body)
            .with_context(|| format!("{base}{} did not answer a manifest", super::CONTROL_PATH)),
        401 | 403 => bail!(
            "the sandbox at {base} refused the token in {TOKEN_ENV} (HTTP {status}); copy the \
             `token` of its sandbox.json"
        ),
        other => bail!(
            "{base}{} answered HTTP {other}: not an authwalk sandbox?",
            super::CONTROL_PATH
        ),
    }
}

/// Whether the sandbox a manifest names answers with that very manifest's token.
pub fn is_live(manifest: &Manifest) -> bool {
    match get(manifest.base_url(), &manifest.token) {
        Ok((200, body)) => serde_json::from_slice::<Manifest>(&body)
            .is_ok_and(|m| m.token == manifest.token && m.control == manifest.control),
        _ => false,
    }
}

/// `GET {base}/__sandbox` with the token, over a plain blocking socket with short timeouts:
/// returns the status and the body.
fn get(base: &str, token: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let url = url::Url::parse(base).context("bad base URL")?;
    let host = url.host_str().context("the base URL has no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let addr: SocketAddr = (host.trim_start_matches('[').trim_end_matches(']'), port)
        .to_socket_addrs()
        .context("cannot resolve the sandbox's host")?
        .next()
        .context("the sandbox's host has no address")?;
    let mut stream = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT)?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT))?;
    stream.set_write_timeout(Some(PROBE_TIMEOUT))?;
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {authority}\r\n{TOKEN_HEADER}: {token}\r\nAccept: \
         application/json\r\nConnection: close\r\n\r\n",
        super::CONTROL_PATH
    )?;
    let mut raw = Vec::new();
    stream.take(MAX_MANIFEST).read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    let mut body = raw[split + 4..].to_vec();
    if head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    }) {
        body = dechunk(&body);
    }
    Ok((status, body))
}

/// Join the chunks of a chunked body (the sandbox answers with Content-Length; this is for
/// a proxy or another server in between).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        let start = line_end + 2;
        if size == 0 || start + size > body.len() {
            break;
        }
        out.extend_from_slice(&body[start..start + size]);
        body = body.get(start + size + 2..).unwrap_or_default();
    }
    out
}
