//! A standalone `authwalk sandbox` process on 127.0.0.1, for tests that drive the binary
//! against a sandbox that is already running. Killed on drop.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::cargo::CommandCargoExt as _;

/// A standalone sandbox process, killed on drop.
pub struct Running {
    child: Child,
    /// Its state folder: `sandbox.json`, the key files.
    pub dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Start one on a free port and wait until it has written `sandbox.json`.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut child = StdCommand::cargo_bin("authwalk")
            .expect("the authwalk binary is built")
            .args(["sandbox", "--listen", "127.0.0.1:0", "--state-dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        // The sandbox says where it listens once sandbox.json is written: wait for that line.
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        assert!(
            lines.any(|l| l.is_ok_and(|l| l.starts_with("Press Ctrl-C"))),
            "the sandbox did not start"
        );
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, dir }
    }

    /// Where its `sandbox.json` is.
    pub fn manifest_path(&self) -> PathBuf {
        self.dir.path().join("sandbox.json")
    }

    /// Its `sandbox.json`.
    pub fn manifest(&self) -> authwalk::sandbox::Manifest {
        let bytes = std::fs::read(self.manifest_path()).expect("sandbox.json is written");
        serde_json::from_slice(&bytes).expect("sandbox.json parses")
    }
}
