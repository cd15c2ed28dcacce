//! `authwalk sandbox` as a process: it prints its addresses, writes sandbox.json where it is
//! told (or under $AUTHWALK_DATA_DIR/sandbox), applies a scenario, and refuses an unknown one.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use assert_cmd::cargo::cargo_bin;

/// Kills the child when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the sandbox and read its banner up to the last line; returns the printed lines.
fn start(cmd: &mut Command) -> (Running, Vec<String>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("authwalk starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let running = Running(child);
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines().take(20) {
        let line = line.expect("stdout is text");
        let last = line.starts_with("Press Ctrl-C");
        lines.push(line);
        if last {
            break;
        }
    }
    assert!(
        lines.last().is_some_and(|l| l.starts_with("Press Ctrl-C")),
        "banner: {lines:?}"
    );
    (running, lines)
}

#[tokio::test]
async fn serves_writes_the_manifest_and_applies_a_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_running, lines) = start(
        Command::new(cargo_bin("authwalk"))
            .args([
                "sandbox",
                "--listen",
                "127.0.0.1:0",
                "--scenario",
                "frozen-user",
            ])
            .arg("--state-dir")
            .arg(dir.path()),
    );
    assert!(lines[0].starts_with("authwalk sandbox listening on 127.0.0.1:"));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sandbox.json")).expect("sandbox.json"),
    )
    .expect("JSON");
    let gateway = manifest["alipay"]["gateway"].as_str().expect("gateway");
    assert!(lines.iter().any(|l| l.contains(gateway)));
    let scenario: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/scenario",
            manifest["control"].as_str().expect("control")
        ))
        .header(
            authwalk::sandbox::TOKEN_HEADER,
            manifest["token"].as_str().expect("token"),
        )
        .send()
        .await
        .expect("control answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(scenario["scenario"]["name"], "frozen-user");
}

#[tokio::test]
async fn state_dir_defaults_to_authwalk_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_running, _) = start(
        Command::new(cargo_bin("authwalk"))
            .args(["sandbox"])
            .env("AUTHWALK_DATA_DIR", dir.path()),
    );
    // The same folder `authwalk run` keeps its sandbox in: one set of keys and secrets.
    assert!(dir.path().join("sandbox/sandbox.json").is_file());
    assert!(
        dir.path()
            .join("sandbox/keys/alipay_private_key.pem")
            .is_file()
    );
}

#[test]
fn unknown_scenario_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_cmd::Command::new(cargo_bin("authwalk"))
        .args(["sandbox", "--scenario", "no-such-thing"])
        .arg("--state-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("expired-code"));
}

#[test]
fn list_names_every_flow_scenario_user_and_app_without_making_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = assert_cmd::Command::new(cargo_bin("authwalk"))
        .args(["sandbox", "--list", "--lang", "en"])
        .env("AUTHWALK_DATA_DIR", dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("UTF-8");
    let line_of = |id: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no line for {id} in:\n{text}"))
            .to_owned()
    };
    for flow in authwalk::flow::FlowKind::ALL {
        assert!(line_of(flow.id()).contains(flow.title().get(authwalk::lang::Lang::EN)));
    }
    for scenario in authwalk::sandbox::scenario_names() {
        line_of(scenario);
    }
    // Each scenario says which provider it belongs to.
    assert!(line_of("frozen-user").contains("[alipay]"));
    assert!(line_of("token-mixup").contains("[wechat]"));
    assert!(line_of("wrong-scope").contains("[alipay, wechat]"));
    assert!(line_of("wechat-unionid").contains("wechat"));
    assert!(line_of("alipay-frozen").contains("frozen account"));
    assert!(line_of("2021000000000002").contains("RSA (SHA1)"));
    assert!(line_of("wx5a1d0c0ffee00002").contains("wechat-qr"));
    // Nothing was started or generated.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

/// Each request is one line on stderr and the same line in `<state-dir>/sandbox.log` (mode
/// 0600), with secret query parameters masked; RUST_LOG is cleared so the default level holds.
#[tokio::test]
async fn logs_each_request_once_to_stderr_and_the_log_file_with_secrets_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(cargo_bin("authwalk"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .arg("--state-dir")
        .arg(dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("authwalk starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let _running = Running(child);
    let mut base = None;
    for line in BufReader::new(stdout).lines().take(20) {
        let line = line.expect("stdout is text");
        if let Some(rest) = line.strip_prefix("authwalk sandbox listening on ") {
            base = Some(format!("http://{}", rest.trim()));
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let base = base.expect("the banner names the address");
    let secret = "s3cr3t-appsecret-value";
    let status = reqwest::get(format!(
        "{base}/sns/oauth2/access_token?appid=wx0&secret={secret}&code=c0de-never-logged"
    ))
    .await
    .expect("the sandbox answers")
    .status();

    let wanted = format!(
        "GET /sns/oauth2/access_token?appid=wx0&secret=s3cr…&code=c0de… {}",
        status.as_u16()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut access = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while access.is_empty() && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200))
            && line.contains("authwalk::sandbox::access")
        {
            access.push(line);
        }
    }
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(300)) {
        if line.contains("authwalk::sandbox::access") {
            access.push(line);
        }
    }
    assert_eq!(access.len(), 1, "one access line on stderr: {access:?}");
    assert!(access[0].contains(&wanted), "{access:?}");
    assert!(access[0].contains(" INFO "), "{access:?}");

    let path = dir.path().join("sandbox.log");
    let log = std::fs::read_to_string(&path).expect("sandbox.log");
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("authwalk::sandbox::access"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains(&wanted), "{log}");
    for text in [access[0].as_str(), log.as_str()] {
        assert!(!text.contains(secret), "{text}");
        assert!(!text.contains("c0de-never-logged"), "{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
