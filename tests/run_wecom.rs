//! WeCom web login (`wecom-web`) through `authwalk run`: a member with `snsapi_privateinfo`
//! (identity, `user_ticket`, sensitive fields), a member with `snsapi_base`, an external contact
//! and an outsider (`openid`), and the code taken to `/sns/` named by the diagnosis.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use assert_cmd::Command;
use serde_json::Value;

#[expect(dead_code, reason = "this file uses only the shared state folder")]
mod common;

use common::state_dir;

fn run(args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .env("NO_COLOR", "1")
        .arg("run")
        .arg("wecom-web")
        .args(args)
        .args(["--lang", "en", "--json", "--state-dir"])
        .arg(state_dir())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

fn steps(doc: &Value) -> Vec<(String, String)> {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn decoded(doc: &Value, endpoint: &str) -> Value {
    doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no {endpoint}: {doc}"))["decoded"]
        .clone()
}

#[test]
fn a_member_with_privateinfo_gets_identity_ticket_and_details() {
    let (code, doc) = run(&[]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["flow"], "wecom-web");
    let url = doc["context"]["authorize_url"].as_str().unwrap();
    assert!(url.contains("appid=ww5a1d0c0ffee0c0de&"), "{url}");
    assert!(url.contains("&scope=snsapi_privateinfo&"), "{url}");
    assert!(url.ends_with("&agentid=1000002#wechat_redirect"), "{url}");
    // A WeCom walk's link is meant to be WeCom's: no "looks like WeCom" warning.
    assert_eq!(doc["context"]["authorize_lint"], Value::Array(Vec::new()));
    let id = decoded(&doc, "/cgi-bin/auth/getuserinfo");
    assert_eq!(id["userid"], "LiLy");
    // The ticket is a secret: masked.
    let ticket = id["user_ticket"].as_str().unwrap();
    assert!(ticket.ends_with('…') && ticket.len() < 12, "{ticket}");
    let detail = decoded(&doc, "/cgi-bin/auth/getuserdetail");
    assert_eq!(detail["userid"], "LiLy");
    assert!(detail["mobile"].is_string(), "{detail}");
    assert_eq!(doc["context"]["user_id"], "LiLy");
    // The corp secret is masked on the gettoken URL.
    let gettoken = doc["exchanges"][0]["request"]["url"].as_str().unwrap();
    assert!(
        gettoken.contains("corpsecret=") && gettoken.contains('…'),
        "{gettoken}"
    );
}

#[test]
fn a_member_with_snsapi_base_has_no_ticket_and_skips_the_details() {
    let (code, doc) = run(&["--scope", "snsapi_base"]);
    assert_eq!(code, Some(0), "{doc}");
    let id = decoded(&doc, "/cgi-bin/auth/getuserinfo");
    assert_eq!(id["userid"], "LiLy");
    assert!(id.get("user_ticket").is_none(), "{id}");
    assert!(
        steps(&doc).contains(&("user-detail".to_owned(), "skipped".to_owned())),
        "{:?}",
        steps(&doc)
    );
}

#[test]
fn non_members_answer_openid_and_an_external_contact_its_external_userid() {
    let (code, doc) = run(&["--user", "wechat-emoji"]);
    assert_eq!(code, Some(0), "{doc}");
    let id = decoded(&doc, "/cgi-bin/auth/getuserinfo");
    assert!(id.get("userid").is_none(), "{id}");
    assert!(id["openid"].is_string(), "{id}");
    assert_eq!(id["external_userid"], "wmsandbox0000000000000000000001");
    assert_eq!(doc["context"]["user_id"], Value::Null);

    let (code, doc) = run(&["--user", "wechat-snapshot"]);
    assert_eq!(code, Some(0), "{doc}");
    let id = decoded(&doc, "/cgi-bin/auth/getuserinfo");
    assert!(
        id["openid"].is_string() && id.get("external_userid").is_none(),
        "{id}"
    );
}

#[test]
fn the_code_taken_to_sns_is_named() {
    let (code, doc) = run(&["--scenario", "wecom-sns-mixup"]);
    assert_eq!(code, Some(1), "{doc}");
    let ex = doc["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "/sns/oauth2/access_token")
        .unwrap();
    let codes: Vec<&str> = ex["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"wechat.40013"), "{codes:?}");
    assert!(codes.contains(&"wecom.code-on-sns"), "{codes:?}");
}

#[test]
fn triage_of_a_url_list_names_a_wecom_code_on_sns() {
    let urls = "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww5a1d0c0ffee0c0de&redirect_uri=https%3A%2F%2Fa.example%2Fcb&response_type=code&scope=snsapi_base&state=s#wechat_redirect\n\
                https://api.weixin.qq.com/sns/oauth2/access_token?appid=ww5a1d0c0ffee0c0de&secret=abc&code=xyz&grant_type=authorization_code\n";
    let out = Command::cargo_bin("authwalk")
        .unwrap()
        .env_remove("AUTHWALK_LANG")
        .args(["triage", "-", "--json", "--lang", "en"])
        .write_stdin(urls)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("wecom.code-on-sns"), "{text}");
}
