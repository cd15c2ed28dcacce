//! `authwalk code`: every step of every flow has a snippet in every SDK of its provider, with
//! no secret of the walk in any of them; the trap notes appear where the walk meets them; the
//! Java, PHP and Go output is pinned by snapshots (their SDKs cannot run here).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

#[path = "support/running.rs"]
mod running;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use running::Running;
use serde_json::Value;

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("the authwalk binary is built");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/code")
        .join(name)
}

/// The secret fields of `sandbox.json`, wherever they stand.
const MANIFEST_SECRETS: [&str; 9] = [
    "token",
    "secret",
    "component_appsecret",
    "encoding_aes_key",
    "verify_ticket",
    "corpsecret",
    "encrypt_key",
    "app_auth_code",
    "app_auth_token",
];

/// Every value of a secret field in `doc`.
fn fields(doc: &Value, names: &[&str], out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                if let Value::String(s) = v
                    && names.contains(&k.as_str())
                    && s.len() > 6
                {
                    out.push(s.clone());
                }
                fields(v, names, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| fields(v, names, out)),
        _ => {}
    }
}

/// Every secret a running sandbox holds: the control token, the WeChat appsecrets, the
/// platform's secret, token, AES key and ticket, the WeCom corp secrets, the Alipay AES keys and
/// app_auth_codes, and each line of every private key file it lists.
fn secrets(running: &Running) -> Vec<String> {
    let manifest = running.manifest();
    let raw: Value =
        serde_json::from_slice(&std::fs::read(running.manifest_path()).unwrap()).unwrap();
    let mut out = vec![manifest.token.clone()];
    fields(&raw, &MANIFEST_SECRETS, &mut out);
    assert!(
        out.len() > 8,
        "the sandbox lists its secrets under the names this test looks for: {out:?}"
    );
    for app in &manifest.alipay.apps {
        let pem = std::fs::read_to_string(&app.app_private_key).unwrap();
        out.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 16)
                .map(str::to_owned),
        );
    }
    out
}

/// Every token, code and session key a revealed walk document holds.
fn walk_secrets(doc: &Value, out: &mut Vec<String>) {
    const KEYS: [&str; 12] = [
        "access_token",
        "refresh_token",
        "auth_token",
        "code",
        "auth_code",
        "session_key",
        "phone_code",
        "user_ticket",
        "app_auth_token",
        "app_refresh_token",
        "component_access_token",
        "encrypt_key",
    ];
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                if KEYS.contains(&k.as_str()) {
                    match v {
                        Value::String(s) if s.len() > 6 => out.push(s.clone()),
                        Value::Object(o) => {
                            if let Some(Value::String(s)) = o.get("value") {
                                out.push(s.clone());
                            }
                        }
                        _ => {}
                    }
                }
                walk_secrets(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk_secrets(v, out)),
        _ => {}
    }
}

#[test]
fn every_step_of_every_flow_has_a_snippet_per_sdk_with_no_secret_of_the_walk() {
    let running = Running::start();
    let manifest = running.manifest_path();
    let mut secrets = secrets(&running);
    let dir = tempfile::tempdir().unwrap();
    for (flow, extra, sdks) in [
        ("alipay-web", None, 7),
        ("alipay-mini", None, 7),
        ("alipay-mini", Some("--phone-number"), 7),
        ("alipay-isv", None, 7),
        ("wechat-web", None, 4),
        ("wechat-qr", None, 4),
        ("wechat-mini", None, 4),
        ("wechat-component", None, 4),
        ("wecom-web", None, 4),
    ] {
        let out = authwalk()
            .args(["run", flow, "--refresh", "--json", "--reveal", "--sandbox"])
            .arg(&manifest)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{flow}: {out:?}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let before = secrets.len();
        walk_secrets(&doc, &mut secrets);
        // A mini program's session key, as the decryption shows it when revealed.
        if let Some(key) = doc["context"]["decryption"]["key"].as_str() {
            secrets.push(key.to_owned());
        }
        assert!(
            secrets.len() > before,
            "{flow}: the revealed walk holds tokens or codes, and they are among the secrets"
        );
        let saved = dir
            .path()
            .join(format!("{flow}{}.json", extra.unwrap_or("")));
        std::fs::write(&saved, &out.stdout).unwrap();
        let steps = doc["steps"].as_array().unwrap().len();

        let json = authwalk()
            .args(["code", flow, "--all", "--json", "--from"])
            .arg(&saved)
            .output()
            .unwrap();
        assert!(json.status.success(), "{flow}: {json:?}");
        let snippets: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(
            snippets.as_array().unwrap().len(),
            steps * sdks,
            "{flow}: one snippet per step and SDK"
        );
        for s in snippets.as_array().unwrap() {
            assert!(s["code"].as_str().unwrap().trim().len() > 40, "{flow}: {s}");
            // Every step has a template in every SDK: where the SDK has no call, the template
            // says so and sends the request with the SDK's HTTP client.
            assert!(s.get("no_call").is_none(), "{flow}: no template: {s}");
        }
        // The text, the JSON, a live walk's snippets and every program: no secret in any.
        let text = authwalk()
            .args(["code", flow, "--all", "--from"])
            .arg(&saved)
            .output()
            .unwrap();
        let live = authwalk()
            .args(["code", flow, "--all", "--sandbox"])
            .arg(&manifest)
            .args(extra)
            .output()
            .unwrap();
        assert!(live.status.success(), "{flow}: {live:?}");
        let mut all = [&json.stdout, &text.stdout, &live.stdout]
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .join("\n");
        let programs: &[&str] = match flow {
            "alipay-web" | "alipay-mini" => {
                &["alipay-python", "alipay-node", "fzlee", "smartwalle"]
            }
            "wechat-web" | "wechat-qr" | "wechat-mini" => &["wechatpy"],
            _ => &[],
        };
        for sdk in programs {
            let program = authwalk()
                .args(["code", flow, "--program", "--sdk", sdk, "--from"])
                .arg(&saved)
                .output()
                .unwrap();
            assert!(program.status.success(), "{flow} {sdk}: {program:?}");
            all.push_str(&String::from_utf8_lossy(&program.stdout));
        }
        for secret in &secrets {
            assert!(
                !all.contains(secret.as_str()),
                "{flow}: a secret of the walk ({}…) is in a snippet",
                &secret[..4.min(secret.len())]
            );
        }
    }
}

#[test]
fn an_open_id_walk_gets_the_smartwalle_is_success_trap_and_a_user_id_walk_does_not() {
    let trap = "IsSuccess() requires a non-empty user_id";
    authwalk()
        .args([
            "code",
            "alipay-web",
            "--step",
            "token",
            "--sdk",
            "smartwalle",
        ])
        .arg("--from")
        .arg(fixture("alipay-web-open-id.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(trap))
        .stdout(predicate::str::contains(
            "smartwalle/alipay authorize_type.go",
        ));
    authwalk()
        .args([
            "code",
            "alipay-web",
            "--step",
            "token",
            "--sdk",
            "smartwalle",
        ])
        .arg("--from")
        .arg(fixture("alipay-web.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(trap).not());
    // In Chinese too.
    authwalk()
        .args([
            "code",
            "alipay-web",
            "--step",
            "token",
            "--sdk",
            "smartwalle",
        ])
        .args(["--lang", "zh", "--from"])
        .arg(fixture("alipay-web-open-id.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("要求 user_id 非空"));
}

#[test]
fn a_snsapi_base_walk_gets_the_easywechat_scope_trap_and_a_userinfo_walk_does_not() {
    let trap = "userFromCode() skips /sns/userinfo only when";
    authwalk()
        .args([
            "code",
            "wechat-web",
            "--step",
            "token",
            "--sdk",
            "easywechat",
        ])
        .arg("--from")
        .arg(fixture("wechat-web-base.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(trap))
        .stdout(predicate::str::contains("->scopes(['snsapi_base'])"))
        .stdout(predicate::str::contains("src/Providers/WeChat.php"));
    authwalk()
        .args([
            "code",
            "wechat-web",
            "--step",
            "token",
            "--sdk",
            "easywechat",
        ])
        .arg("--from")
        .arg(fixture("wechat-web.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(trap).not());
}

#[test]
fn a_live_open_id_walk_on_a_running_sandbox_carries_the_trap() {
    let running = Running::start();
    authwalk()
        .args([
            "code",
            "alipay-web",
            "--sdk",
            "smartwalle",
            "--step",
            "token",
        ])
        .args(["--app", "2021000000000004", "--sandbox"])
        .arg(running.manifest_path())
        .assert()
        .success()
        .stdout(predicate::str::contains("IsSuccess() requires"));
}

#[test]
fn a_wrong_sdk_or_step_is_refused_with_the_choices_before_any_walk() {
    authwalk()
        .args([
            "code",
            "wechat-web",
            "--sdk",
            "alipay-java",
            "--step",
            "token",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wechatpy, wxjava, easywechat, silenceper",
        ));
    authwalk()
        .args([
            "code",
            "alipay-mini",
            "--sdk",
            "gopay",
            "--step",
            "callback",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("auth-code, token, user-info"));
    authwalk()
        .args(["code", "alipay-web", "--sdk", "alipay-go"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("smartwalle"));
    authwalk()
        .args(["code", "alipay-web"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--sdk NAME"));
    authwalk()
        .args(["code", "wechat-qr", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wechatpy"))
        .stdout(predicate::str::contains("silenceper"))
        .stdout(predicate::str::contains("gopay").not());
}

#[test]
fn a_saved_walk_of_another_flow_is_refused() {
    authwalk()
        .args(["code", "wechat-web", "--sdk", "wechatpy", "--from"])
        .arg(fixture("wechat-qr.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wechat-qr walk"));
}

/// Java, PHP and Go cannot run here: their snippets are pinned, each mode of the walk.
#[test]
fn java_php_and_go_snippets_are_pinned() {
    let cases = [
        ("alipay-web", "alipay-web.json", "alipay-java"),
        ("alipay-web", "alipay-web-cert.json", "alipay-java"),
        ("alipay-web", "alipay-web.json", "alipay-php"),
        ("alipay-web", "alipay-web-cert.json", "alipay-php"),
        ("alipay-web", "alipay-web-open-id.json", "smartwalle"),
        ("alipay-web", "alipay-web-cert.json", "smartwalle"),
        ("alipay-web", "alipay-web.json", "gopay"),
        ("alipay-mini", "alipay-mini-v3-cert.json", "gopay"),
        ("wechat-web", "wechat-web.json", "wxjava"),
        ("wechat-web", "wechat-web-base.json", "easywechat"),
        ("wechat-qr", "wechat-qr.json", "silenceper"),
    ];
    for (flow, file, sdk) in cases {
        let out = authwalk()
            .args(["code", flow, "--sdk", sdk, "--lang", "en", "--from"])
            .arg(fixture(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "{file} {sdk}: {out:?}");
        let name = format!("{}-{sdk}", file.trim_end_matches(".json"));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&out.stdout));
    }
    // Go's whole program (no Go toolchain here to run it).
    let out = authwalk()
        .args(["code", "alipay-web", "--program", "--sdk", "smartwalle"])
        .args(["--lang", "en", "--from"])
        .arg(fixture("alipay-web-open-id.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let program = String::from_utf8_lossy(&out.stdout);
    assert!(program.contains("token.AccessToken == \"\""), "{program}");
    insta::assert_snapshot!("program-alipay-web-open-id-smartwalle", program);
    // An SDK without a program says so.
    authwalk()
        .args([
            "code",
            "wechat-web",
            "--program",
            "--sdk",
            "wxjava",
            "--from",
        ])
        .arg(fixture("wechat-web.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no whole program for wechat-web in wxjava",
        ))
        .stderr(predicate::str::contains(
            "these SDKs have one for wechat-web: wechatpy",
        ));
}

/// An export carries the call of each step in every SDK of its provider, folded.
#[test]
fn an_export_has_an_sdk_code_section_per_step() {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start();
    let base = dir.path().join("walk");
    authwalk()
        .args(["run", "wechat-web", "--sandbox"])
        .arg(running.manifest_path())
        .arg("--export")
        .arg(&base)
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("walk.md")).unwrap();
    let section = &md[md.find("## SDK code").expect("the section")..];
    for step in [
        "### authorize",
        "### token",
        "### check-token",
        "### user-info",
    ] {
        assert!(section.contains(step), "{step}");
    }
    assert!(section.contains("oauth.fetch_access_token(code)"));
    assert!(section.contains("<summary>silenceper"));
    for secret in secrets(&running) {
        assert!(!md.contains(&secret), "a secret in the export");
    }
}

/// `authwalk code FLOW --step STEP --sdk SDK` against the embedded sandbox, its standard output.
fn step_snippet(flow: &str, step: &str, sdk: &str, extra: &[&str]) -> String {
    let out = authwalk()
        .args(["code", flow, "--step", step, "--sdk", sdk])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{flow} {step} {sdk}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_new_logins_get_their_sdk_traps_where_they_bear_and_not_elsewhere() {
    // WeCom: the old getuserinfo path and its UserId casing, in the SDKs that call it.
    let wecom = step_snippet("wecom-web", "user-info", "wechatpy", &[]);
    assert!(wecom.contains("UserId (capital U and I)"), "{wecom}");
    assert!(wecom.contains("auth/getuserinfo"), "{wecom}");
    assert!(
        wecom.contains("wechatpy/work/client/api/oauth.py"),
        "{wecom}"
    );
    let web = step_snippet("wechat-web", "user-info", "wechatpy", &[]);
    assert!(!web.contains("UserId (capital U and I)"), "{web}");
    let wxjava = step_snippet("wecom-web", "user-info", "wxjava", &[]);
    assert!(wxjava.contains("getAuthUserInfo(code)"), "{wxjava}");
    // The pinned wechatpy has no phone-number call: the snippet posts it, and says why.
    let phone = step_snippet("wechat-mini", "phone-number", "wechatpy", &[]);
    assert!(
        phone.contains("/wxa/business/getuserphonenumber"),
        "{phone}"
    );
    assert!(
        phone.contains("wechatpy 1.8.18, the release on PyPI"),
        "{phone}"
    );
    // ISV: where each SDK takes the app_auth_token, and the tokens[] answer.
    let java = step_snippet("alipay-isv", "token", "alipay-java", &[]);
    assert!(
        java.contains("execute(request, null, appAuthToken)"),
        "{java}"
    );
    assert!(java.contains("AlipayClient.java"), "{java}");
    let fzlee = step_snippet("alipay-isv", "app-auth", "fzlee", &[]);
    assert!(fzlee.contains("tokens[0]"), "{fzlee}");
    assert!(
        fzlee.contains("ISVAliPay.app_auth_token reads a top-level"),
        "{fzlee}"
    );
    // The ISV signs with its own app; the user authorizes the merchant's.
    let authorize = step_snippet("alipay-isv", "authorize", "alipay-python", &[]);
    let token = step_snippet("alipay-isv", "token", "alipay-python", &[]);
    assert!(
        authorize.contains("\"app_id\": \"2021000000000002\""),
        "{authorize}"
    );
    assert!(
        token.contains("config.app_id = \"2021000000000001\""),
        "{token}"
    );
    // Alipay's phone number: the sign over the quoted ciphertext before the decryption.
    let gopay = step_snippet("alipay-mini", "phone-number", "gopay", &["--phone-number"]);
    assert!(gopay.contains("VerifySyncSign"), "{gopay}");
    assert!(
        gopay.contains("DecryptOpenDataToStruct only decrypts"),
        "{gopay}"
    );
}

#[test]
fn a_login_without_a_whole_program_says_so_and_names_the_way_out() {
    authwalk()
        .args(["code", "wecom-web", "--program", "--sdk", "wechatpy"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no whole program for wecom-web in wechatpy",
        ))
        .stderr(predicate::str::contains("drop --program"))
        .stderr(predicate::str::contains("have one for wecom-web: none"));
    authwalk()
        .args(["code", "wechat-mini", "--program", "--sdk", "wxjava"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "these SDKs have one for wechat-mini: wechatpy",
        ));
    authwalk()
        .args(["code", "wechat-web", "--phone-number", "--all"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--phone-number is a step of alipay-mini",
        ));
}
