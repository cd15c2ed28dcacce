//! Where a profile's secrets come from (`env:`, `cmd:`, `file:`, inline), and the bounded run
//! of a `cmd:` secret: stopped with everything it started when it takes too long.

use std::path::PathBuf;

use super::ProfileError;

/// Where a secret comes from. Written in a profile as `env:VAR`, `cmd:COMMAND`, `file:PATH`
/// (or a bare path, for a key), or the secret itself.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    File(PathBuf),
    /// An environment variable.
    Env(String),
    /// A shell command whose standard output is the secret (`pass show alipay/key`).
    Command(String),
    /// The secret itself, written in the config file.
    Inline(String),
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretRef {
    /// A private key: `env:`, `cmd:`, `file:`, a PEM or one-line base64 key inline, else a path.
    pub fn parse_key(spec: &str) -> Self {
        Self::prefixed(spec).unwrap_or_else(|| {
            let t = spec.trim_start();
            if t.starts_with("-----BEGIN") || t.starts_with("MII") {
                Self::Inline(spec.to_owned())
            } else {
                Self::File(PathBuf::from(spec))
            }
        })
    }

    /// An appsecret: `env:`, `cmd:`, `file:`, else the secret itself.
    pub fn parse_secret(spec: &str) -> Self {
        Self::prefixed(spec).unwrap_or_else(|| Self::Inline(spec.to_owned()))
    }

    fn prefixed(spec: &str) -> Option<Self> {
        if let Some(var) = spec.strip_prefix("env:") {
            Some(Self::Env(var.trim().to_owned()))
        } else if let Some(cmd) = spec.strip_prefix("cmd:") {
            Some(Self::Command(cmd.trim().to_owned()))
        } else {
            spec.strip_prefix("file:")
                .map(|p| Self::File(PathBuf::from(p.trim())))
        }
    }

    /// How to show the reference: the file, variable or command as written, an inline secret
    /// masked.
    pub fn describe(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Env(v) => format!("env:{v}"),
            Self::Command(c) => format!("cmd:{c}"),
            Self::Inline(s) => format!("(inline, {} characters)", s.trim().chars().count()),
        }
    }

    /// The secret's bytes (a trailing newline from a file or a command removed).
    pub fn resolve(&self) -> Result<Vec<u8>, ProfileError> {
        let mut bytes = match self {
            Self::File(p) => crate::limits::read_file(p, crate::limits::MAX_KEY_FILE)?,
            Self::Env(v) => std::env::var(v)
                .map_err(|_| ProfileError::MissingEnv(v.clone()))?
                .into_bytes(),
            Self::Command(c) => run_secret_command(c)?,
            Self::Inline(s) => s.clone().into_bytes(),
        };
        while bytes.last().is_some_and(u8::is_ascii_whitespace) {
            bytes.pop();
        }
        Ok(bytes)
    }
}

/// How long a `cmd:` secret command may take before it is stopped.
pub const SECRET_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Run `command` with the shell, its standard output (at most a key file's size) being the
/// secret. Its error output goes to the terminal as it is; its output is never quoted. A
/// command that has not finished within [`SECRET_COMMAND_TIMEOUT`] (a password manager waiting
/// for a prompt nobody sees) is killed, with everything it started.
pub(super) fn run_secret_command(command: &str) -> Result<Vec<u8>, ProfileError> {
    run_secret_command_within(command, SECRET_COMMAND_TIMEOUT)
}

pub(super) fn run_secret_command_within(
    command: &str,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, ProfileError> {
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let fail = |detail: String| ProfileError::Command {
        command: command.to_owned(),
        detail,
    };
    let timed_out = || {
        fail(format!(
            "did not finish within {} s and was stopped; run it yourself to check that it ends \
             without asking for anything (its standard input is closed)",
            timeout.as_secs()
        ))
    };
    let mut shell = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    };
    // Its own process group, so what it starts can be stopped with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    let mut child = shell
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("cannot be started: {e}")))?;
    let deadline = Instant::now() + timeout;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| fail("has no output".to_owned()))?;
    let (tx, rx) = std::sync::mpsc::channel();
    let name = command.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(crate::limits::read_limited(
            stdout,
            crate::limits::MAX_KEY_FILE,
            &name,
        ));
    });
    let Ok(read) = rx.recv_timeout(timeout) else {
        stop(&mut child);
        return Err(timed_out());
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Ok(None) => {
                stop(&mut child);
                return Err(timed_out());
            }
            Err(e) => return Err(fail(format!("cannot be waited for: {e}"))),
        }
    };
    let out = read.map_err(|e| fail(e.to_string()))?;
    if !status.success() {
        return Err(fail(format!(
            "failed ({status}); run it yourself to see why"
        )));
    }
    if out.iter().all(u8::is_ascii_whitespace) {
        return Err(fail("printed nothing".to_owned()));
    }
    Ok(out)
}

/// Kill a secret command and every process of its group, and reap it.
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group's id is the child's: `kill -KILL -- -PGID` reaches what the shell started.
        let _ = std::process::Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", child.id())])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}
