//! The exports of the logins on behalf of others hold no secret and no user id: the
//! platform's secret and verify ticket, the corp's Secret, the user_ticket, the ISV's
//! app tokens and the WeCom userid become placeholders.

use assert_cmd::Command;

#[expect(dead_code, reason = "this file uses only the shared state folder")]
mod common;

use common::state_dir;

#[test]
fn exports_of_the_three_flows_hold_no_secret() {
    let out_dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("export-delegated");
    // A run before this one left its exports: start from an empty folder.
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let secrets: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(state_dir().join("wechat_secrets.json")).unwrap(),
    )
    .unwrap();
    for flow in ["wechat-component", "wecom-web", "alipay-isv"] {
        let base = out_dir.join(flow);
        let status = Command::cargo_bin("authwalk")
            .unwrap()
            .env_remove("AUTHWALK_LANG")
            .args(["run", flow, "--refresh", "--state-dir"])
            .arg(state_dir())
            .arg("--export")
            .arg(&base)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(0), "{flow}");
        for ext in ["md", "json"] {
            let text = std::fs::read_to_string(base.with_extension(ext)).unwrap();
            for (name, value) in &secrets {
                let value = value.as_str().unwrap();
                assert!(
                    !text.contains(value),
                    "{flow}.{ext} holds the secret {name}"
                );
            }
            for leak in ["ticket@@@", "\"LiLy\"", "202612BB"] {
                assert!(!text.contains(leak), "{flow}.{ext} holds {leak}");
            }
        }
    }
}
