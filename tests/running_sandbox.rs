//! `authwalk run … --sandbox <sandbox.json>`: a walk against an `authwalk sandbox` that is
//! already running, so a code approved elsewhere (a browser, a phone, curl) can be exchanged
//! with `--step token --code …`, exactly once.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/running.rs"]
mod running;

use assert_cmd::Command;
use authwalk::sandbox::Manifest;
use predicates::prelude::*;
use running::Running;

/// Approve the demo app's authorize URL with the one documented POST, as curl would, and
/// return the auth_code of the 302.
fn approve(m: &Manifest) -> String {
    let app = &m.alipay.apps[0];
    let url = format!(
        "{}?app_id={}&scope=auth_user&redirect_uri={}&state=abc",
        m.alipay.authorize,
        app.app_id,
        url::form_urlencoded::byte_serialize(app.redirect_uri.as_bytes()).collect::<String>()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let location = rt.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        let response = client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("user=alipay-certified&decision=approve")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        response.headers()["location"].to_str().unwrap().to_owned()
    });
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "auth_code")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[test]
fn a_code_approved_elsewhere_is_exchanged_once() {
    let sandbox = Running::start();
    let m = sandbox.manifest();
    let code = approve(&m);
    let run = || {
        let mut cmd = Command::cargo_bin("authwalk").unwrap();
        cmd.env("NO_COLOR", "1")
            .args(["run", "alipay-web", "--lang", "en", "--sandbox"])
            .arg(sandbox.manifest_path())
            .args([
                "--app",
                &m.alipay.apps[0].app_id,
                "--step",
                "token",
                "--code",
            ])
            .arg(&code);
        cmd
    };
    run()
        .assert()
        .success()
        .stdout(predicate::str::contains("running sandbox"))
        .stdout(predicate::str::contains("[1/1] token"))
        .stdout(predicate::str::contains("✓ succeeded: 1/1 steps"));
    run()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("isv.code-invalid"));
    // The state folder names the same sandbox.
    let mut cmd = Command::cargo_bin("authwalk").unwrap();
    cmd.args(["run", "wechat-web", "--lang", "en", "--sandbox"])
        .arg(sandbox.dir.path())
        .assert()
        .success();
}

#[test]
fn a_missing_manifest_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("authwalk").unwrap();
    cmd.args(["run", "alipay-web", "--sandbox"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sandbox.json"))
        .stderr(predicate::str::contains("authwalk sandbox"));
}

/// `--scenario` is refused in one sentence with exit 2, before anything starts: an unknown
/// one, one for the other provider's flows, and any on a running sandbox (which keeps the
/// scenario it was started with), never ignored.
#[test]
fn a_scenario_that_cannot_be_taken_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("authwalk")
            .unwrap()
            .env("AUTHWALK_DATA_DIR", dir.path())
            .args(["run"])
            .args(args)
            .args(["--lang", "en"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        stderr
    };
    let running = dir.path().join("sandbox.json");
    let running = running.to_str().unwrap();
    let stderr = run(&[
        "wechat-web",
        "--sandbox",
        running,
        "--scenario",
        "wrong-scope",
    ]);
    assert!(
        stderr.contains("cannot change a running sandbox"),
        "{stderr}"
    );
    let stderr = run(&["wechat-web", "--sandbox", running, "--scenario", "nosuch"]);
    assert!(stderr.contains("no scenario named 'nosuch'"), "{stderr}");
    let stderr = run(&["wechat-web", "--scenario", "frozen-user"]);
    assert!(
        stderr.contains("'frozen-user' is for alipay flows only, so wechat-web cannot take it"),
        "{stderr}"
    );
    // Nothing was started: no sandbox keys were made.
    assert!(!dir.path().join("sandbox").exists());
}
