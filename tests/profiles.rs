//! `authwalk profile add|list|show|rm`, and profiles walked against the embedded sandbox
//! through the same path as a real environment (only the base URLs differ).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use authwalk::sandbox::{DEFAULT_ALIPAY_APP, Sandbox, SandboxConfig};
use predicates::prelude::*;

/// A config folder and a data folder of the test's own.
struct Dirs {
    config: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Self {
        Self {
            config: tempfile::tempdir().unwrap(),
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("authwalk").unwrap();
        cmd.env("AUTHWALK_CONFIG_DIR", self.config.path())
            .env("AUTHWALK_DATA_DIR", self.data.path())
            .env("NO_COLOR", "1")
            .env_remove("AUTHWALK_LANG");
        cmd
    }

    fn config_file(&self) -> PathBuf {
        self.config.path().join("config.toml")
    }
}

/// Make the embedded sandbox's keys for the default Alipay app in `data`, as a first walk
/// would, and return (private key, Alipay public key) paths.
fn sandbox_keys(data: &Path) -> (PathBuf, PathBuf) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let h = Sandbox::start(SandboxConfig {
            state_dir: Some(data.join("sandbox")),
            alipay_apps: Some(vec![DEFAULT_ALIPAY_APP.to_owned()]),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let app = h
            .manifest()
            .alipay
            .apps
            .iter()
            .find(|a| a.app_id == DEFAULT_ALIPAY_APP)
            .unwrap()
            .clone();
        h.shutdown().await;
        (app.app_private_key, app.alipay_public_key)
    })
}

/// `profile add NAME` for the embedded sandbox's default Alipay app, with its keys and
/// `redirect_uri`.
fn add_embedded_alipay_profile(
    dirs: &Dirs,
    name: &str,
    redirect_uri: &str,
) -> assert_cmd::assert::Assert {
    let (private_key, alipay_public_key) = sandbox_keys(dirs.data.path());
    dirs.cmd()
        .args([
            "profile",
            "add",
            name,
            "--provider",
            "alipay",
            "--env",
            "embedded",
        ])
        .args(["--app-id", DEFAULT_ALIPAY_APP])
        .arg("--private-key")
        .arg(&private_key)
        .arg("--alipay-public-key")
        .arg(&alipay_public_key)
        .args(["--redirect-uri", redirect_uri])
        .assert()
        .success()
}

#[test]
fn a_profile_walks_the_embedded_sandbox_like_a_real_environment() {
    let dirs = Dirs::new();
    add_embedded_alipay_profile(&dirs, "demo", "http://localhost/alipay/callback")
        .stdout(predicate::str::contains("added profile 'demo'"));

    let out = dirs
        .cmd()
        .args(["run", "alipay-web", "--profile", "demo", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let walk: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(walk["target"]["kind"], "profile");
    assert_eq!(walk["target"]["name"], "demo");
    assert_eq!(walk["ok"], true);
    // The real path, with the sandbox's base URL: the gateway URL is the profile's
    // environment's, and the profile's redirect_uri went out on the authorize URL.
    let base = walk["target"]["base"].as_str().unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/gateway.do"),
        "{base}"
    );
    let authorize = walk["context"]["authorize_url"].as_str().unwrap();
    assert!(
        authorize.contains("redirect_uri=http%3A%2F%2Flocalhost%2Falipay%2Fcallback"),
        "{authorize}"
    );
    for ex in walk["exchanges"].as_array().unwrap() {
        assert!(
            ex["request"]["url"].as_str().unwrap().starts_with(base),
            "{}",
            ex["request"]["url"]
        );
    }
}

#[test]
fn a_wechat_profile_takes_its_secret_from_a_command() {
    let dirs = Dirs::new();
    // The sandbox's appsecret for its official account, given through a command.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = rt.block_on(async {
        let h = Sandbox::start(SandboxConfig {
            state_dir: Some(dirs.data.path().join("sandbox")),
            alipay_apps: Some(Vec::new()),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let secret = h.manifest().wechat.apps[0].secret.clone();
        h.shutdown().await;
        secret
    });
    let secret_file = dirs.config.path().join("wx-secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    dirs.cmd()
        .args([
            "profile",
            "add",
            "wx",
            "--provider",
            "wechat",
            "--env",
            "embedded",
        ])
        .args(["--appid", "wx5a1d0c0ffee00001"])
        .arg("--secret")
        .arg(format!("cmd:cat '{}'", secret_file.display()))
        .assert()
        .success();
    dirs.cmd()
        .args(["run", "wechat-web", "--profile", "wx"])
        .assert()
        .success()
        .stdout(predicate::str::contains("profile wx"));
    // A command that fails stops the walk, and its output is not quoted.
    std::fs::remove_file(&secret_file).unwrap();
    dirs.cmd()
        .args(["run", "wechat-web", "--profile", "wx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secret command").and(predicate::str::contains("failed")));
}

#[test]
fn show_masks_an_inline_secret_and_list_and_rm_work() {
    let dirs = Dirs::new();
    let inline = "0123456789abcdef0123456789abcdef";
    dirs.cmd()
        .args([
            "profile",
            "add",
            "wx",
            "--provider",
            "wechat",
            "--appid",
            "wx0123456789abcdef",
        ])
        .args(["--secret", inline])
        .args(["--redirect-uri", "https://shop.example/wx/callback"])
        .assert()
        .success()
        .stderr(predicate::str::contains("stored inline"));
    dirs.cmd()
        .args([
            "profile",
            "add",
            "shop",
            "--provider",
            "alipay",
            "--env",
            "sandbox",
        ])
        .args(["--app-id", "9021000000000000"])
        .args(["--private-key", "env:ALIPAY_KEY"])
        .args(["--alipay-public-key", "/keys/alipay.pem"])
        .args(["--redirect-uri", "https://shop.example/cb"])
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dirs.config_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "config.toml is owner-only");
    }
    dirs.cmd()
        .args(["profile", "show", "wx"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(inline, 32 characters)"))
        .stdout(predicate::str::contains(inline).not());
    dirs.cmd()
        .args(["profile", "show", "shop"])
        .assert()
        .success()
        .stdout(predicate::str::contains("private_key = env:ALIPAY_KEY"))
        .stdout(predicate::str::contains("environment = sandbox"));
    dirs.cmd()
        .args(["profile", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "shop  alipay  9021000000000000  sandbox",
        ))
        .stdout(predicate::str::contains(
            "wx  wechat  wx0123456789abcdef  production",
        ));
    dirs.cmd().args(["profile", "rm", "wx"]).assert().success();
    dirs.cmd()
        .args(["profile", "show", "wx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no profile named 'wx'"));
}

#[test]
fn add_without_a_terminal_names_the_missing_flag() {
    let dirs = Dirs::new();
    dirs.cmd()
        .args(["profile", "add", "shop", "--provider", "alipay"])
        .args(["--redirect-uri", "https://shop.example/cb"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give --app-id"));
    dirs.cmd()
        .args([
            "profile",
            "add",
            "shop",
            "--provider",
            "alipay",
            "--env",
            "staging",
        ])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("environment 'staging'"));
    assert!(!dirs.config_file().exists(), "nothing written on an error");
}

#[cfg(unix)]
#[test]
fn an_inline_secret_in_a_readable_file_is_refused_like_ssh_does() {
    use std::os::unix::fs::PermissionsExt as _;
    let dirs = Dirs::new();
    std::fs::write(
        dirs.config_file(),
        "[profiles.wx]\nprovider = \"wechat\"\nappid = \"wx1\"\n\
         secret = \"0123456789abcdef0123456789abcdef\"\nredirect_uri = \"https://e.com/cb\"\n",
    )
    .unwrap();
    std::fs::set_permissions(dirs.config_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    dirs.cmd()
        .args(["run", "wechat-web", "--profile", "wx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UNPROTECTED"))
        .stderr(predicate::str::contains("0123456789abcdef").not());
}

/// The walk owns the authorize URL's lint, so `run --json` and the export carry what the
/// inspector shows: a profile whose redirect_uri is plain http on a public host is warned of.
#[test]
fn run_json_and_the_export_carry_the_authorize_urls_lint() {
    let dirs = Dirs::new();
    add_embedded_alipay_profile(&dirs, "shop", "http://shop.example.com/alipay/callback");
    let export = dirs.data.path().join("walk");
    let out = dirs
        .cmd()
        .args([
            "run",
            "alipay-web",
            "--profile",
            "shop",
            "--json",
            "--export",
        ])
        .arg(&export)
        .assert()
        .get_output()
        .stdout
        .clone();
    let walk: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let lint = walk["context"]["authorize_lint"].as_array().unwrap();
    let http = lint
        .iter()
        .find(|f| f["code"] == "lint.alipay.redirect-http")
        .unwrap_or_else(|| panic!("no redirect-http warning in {lint:?}"));
    assert_eq!(http["severity"], "warning");
    let exported = std::fs::read_to_string(export.with_extension("json")).unwrap();
    assert!(exported.contains("lint.alipay.redirect-http"), "{exported}");
    let markdown = std::fs::read_to_string(export.with_extension("md")).unwrap();
    assert!(markdown.contains("lint.alipay.redirect-http"), "{markdown}");
}

#[test]
fn a_certificate_profile_walks_over_v3_with_its_three_certificates() {
    let dirs = Dirs::new();
    let cert_app = "2021000000000005";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let entry = rt.block_on(async {
        let h = Sandbox::start(SandboxConfig {
            state_dir: Some(dirs.data.path().join("sandbox")),
            alipay_apps: Some(vec![cert_app.to_owned()]),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let entry = h.manifest().alipay.apps[0].clone();
        h.shutdown().await;
        entry
    });
    // No alipay_public_key: in certificate mode Alipay's key comes from its certificate.
    let config = format!(
        "[profiles.cert]\nprovider = \"alipay\"\napp_id = \"{cert_app}\"\nprivate_key = {:?}\n\
         app_cert = {:?}\nalipay_cert = {:?}\nalipay_root_cert = {:?}\napi = \"v3\"\n\
         environment = \"embedded\"\nredirect_uri = \"http://localhost/alipay/callback\"\n",
        entry.app_private_key,
        entry.app_cert.unwrap(),
        entry.alipay_cert.unwrap(),
        entry.alipay_root_cert.unwrap(),
    );
    std::fs::write(dirs.config_file(), config).unwrap();
    let out = dirs
        .cmd()
        .args(["run", "alipay-web", "--profile", "cert", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let walk: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(walk["ok"], true, "{walk}");
    let token = walk["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "token")
        .unwrap();
    assert!(
        token["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/v3/alipay/system/oauth/token")
    );
    assert!(
        token["signing"]["canonical"]
            .as_str()
            .unwrap()
            .contains(",app_cert_sn=")
    );
    assert_eq!(token["signing"]["cert_sns"][0]["param"], "app_cert_sn");
    assert_eq!(token["verification"]["outcome"], "verified");
}

#[test]
fn a_profile_with_one_certificate_of_three_names_the_missing_keys() {
    let dirs = Dirs::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        dirs.config_file(),
        format!(
            "[profiles.half]\nprovider = \"alipay\"\napp_id = \"2021000000000005\"\n\
             private_key = {:?}\napp_cert = {:?}\nenvironment = \"production\"\n\
             redirect_uri = \"https://example.com/cb\"\n",
            root.join("tests/vectors/alipay/app_private_key_pkcs8.pem"),
            root.join("tests/fixtures/certs/alipayRootCert.crt"),
        ),
    )
    .unwrap();
    dirs.cmd()
        .args(["run", "alipay-web", "--profile", "half"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "certificate mode needs `alipay_cert`",
        ));
}
