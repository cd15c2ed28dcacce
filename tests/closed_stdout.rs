//! A reader that goes away (`authwalk sign … | head -1`) ends authwalk quietly with status 0,
//! as it ends `cat`: never a panic, never exit 101, nothing on stderr.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup should panic where it fails"
)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, ExitStatus, Stdio};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/alipay");

fn vector(name: &str) -> String {
    format!("{VECTORS}/{name}")
}

/// The test app private key, copied owner-only (as `keys gen` writes keys): a checkout leaves
/// it 0644, which earns ssh's warning on stderr.
fn private_key() -> String {
    use std::os::unix::fs::PermissionsExt as _;
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("closed-stdout");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app_private_key_pkcs8.pem");
        std::fs::write(
            &path,
            std::fs::read(vector("app_private_key_pkcs8.pem")).unwrap(),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path.display().to_string()
    })
    .clone()
}

fn authwalk(args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authwalk"));
    cmd.args(args)
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn sign_args() -> Vec<String> {
    let mut a = args(&["sign", "--private-key"]);
    a.push(private_key());
    a.extend(args(&[
        "app_id=2021000000000001",
        "method=alipay.system.oauth.token",
        "format=JSON",
        "timestamp=2024-05-20 12:34:56",
        "version=1.0",
        "grant_type=authorization_code",
        "code=4e0f6c1a",
    ]));
    a
}

fn verify_args() -> Vec<String> {
    let mut a = args(&["verify", "--alipay-public-key"]);
    a.push(vector("fake_alipay_public_key.pem"));
    a.extend(args(&["--method", "alipay.system.oauth.token"]));
    a.push(vector("v1_resp_oauth_token_ok.body.json"));
    a
}

fn inspect_args() -> Vec<String> {
    let mut a = args(&["keys", "inspect"]);
    a.push(private_key());
    a.push(vector("app_public_key.pem"));
    a.push(vector("fake_alipay_public_key_oneline.txt"));
    a
}

/// Run with stdout a pipe whose reader reads `lines` lines and then closes it, like `head`.
fn read_then_close(args: &[String], lines: usize) -> (ExitStatus, String) {
    let mut child = authwalk(args).stdout(Stdio::piped()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..lines {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "authwalk {args:?} printed fewer than {lines} lines"
        );
    }
    drop(reader);
    finish(child)
}

/// Run with stdout a pipe that is already closed: the very first write fails.
fn closed_from_the_start(args: &[String]) -> (ExitStatus, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = authwalk(args).stdout(writer).spawn().unwrap();
    finish(child)
}

fn finish(mut child: std::process::Child) -> (ExitStatus, String) {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap(), stderr)
}

fn assert_quiet(what: &str, (status, stderr): (ExitStatus, String)) {
    assert!(
        !stderr.contains("panicked"),
        "{what}: authwalk panicked: {stderr}"
    );
    assert_ne!(status.code(), Some(101), "{what}: exit 101: {stderr}");
    assert_eq!(
        status.code(),
        Some(0),
        "{what}: a closed stdout ends with status 0: {stderr}"
    );
    assert_eq!(stderr, "", "{what}: nothing on stderr");
}

#[test]
fn sign_piped_into_head_never_panics() {
    let args = sign_args();
    for i in 0..200 {
        assert_quiet(
            &format!("sign | head -1, run {i}"),
            read_then_close(&args, 1),
        );
    }
}

#[test]
fn verify_piped_into_head_never_panics() {
    let args = verify_args();
    for i in 0..50 {
        assert_quiet(
            &format!("verify | head -1, run {i}"),
            read_then_close(&args, 1),
        );
    }
}

#[test]
fn keys_inspect_piped_into_head_never_panics() {
    let args = inspect_args();
    for i in 0..50 {
        assert_quiet(
            &format!("keys inspect | head -3, run {i}"),
            read_then_close(&args, 3),
        );
    }
}

/// Every command that prints, on a stdout closed before it writes: the write fails for sure.
#[test]
fn every_command_on_a_closed_stdout_exits_0_quietly() {
    let mut with_json = Vec::new();
    for a in [sign_args(), verify_args(), inspect_args()] {
        let mut json = a.clone();
        json.push("--json".to_owned());
        with_json.push(a);
        with_json.push(json);
    }
    let mut convert = args(&["keys", "convert", "--to", "pkcs1"]);
    convert.push(vector("app_public_key.pem"));
    with_json.push(convert);
    with_json.extend([
        args(&["explain", "user_status=Q", "--lang", "en"]),
        args(&["explain", "40163", "--lang", "zh"]),
        args(&[
            "lint",
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&scope=snsapi_base",
        ]),
        args(&[
            "url",
            "wechat",
            "--appid",
            "wx5a1d0c0ffee00001",
            "--scope",
            "snsapi_userinfo",
            "--redirect-uri",
            "https://example.com/cb",
            "--state",
            "abc123",
            "--qr",
        ]),
        args(&["--help"]),
        args(&["--version"]),
        args(&["sign", "--help"]),
        args(&["help", "run"]),
    ]);
    for a in &with_json {
        let (status, stderr) = closed_from_the_start(a);
        // `lint` exits 1 for an error finding before it prints; only the pipe matters here.
        if a[0] == "lint" {
            assert!(!stderr.contains("panicked"), "lint panicked: {stderr}");
            assert_ne!(status.code(), Some(101), "lint: {stderr}");
            continue;
        }
        assert_quiet(&format!("authwalk {a:?}"), (status, stderr));
    }
}
