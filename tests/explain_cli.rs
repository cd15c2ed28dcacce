//! `authwalk explain` end to end: terms, the spec's sample responses (complete annotation in
//! both languages), request context, exit codes and JSON output.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/responses")
        .join(name)
}

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("binary builds");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

fn run_text(args: &[&str]) -> (String, i32) {
    let out = authwalk().args(args).output().expect("runs");
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().expect("exit code"),
    )
}

fn explain_json(file: &str, extra: &[&str]) -> Value {
    let path = fixture(file);
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec!["explain", path, "--json"];
    args.extend_from_slice(extra);
    let (out, code) = run_text(&args);
    assert_eq!(code, 0, "{file}: {out}");
    serde_json::from_str(&out).expect("JSON output")
}

fn field<'a>(doc: &'a Value, path: &str) -> &'a Value {
    doc["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no field {path} in {doc:#}"))
}

fn value_meaning<'a>(doc: &'a Value, path: &str, lang: &str) -> &'a str {
    field(doc, path)["values"][0]["meaning"][lang]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: no value meaning"))
}

/// Every key of the body (of the node, for Alipay gateway bodies) is annotated and known.
fn assert_complete(doc: &Value, file: &str, node: Option<&str>) {
    let body: Value =
        serde_json::from_slice(&std::fs::read(fixture(file)).expect("fixture")).expect("json");
    let object = node
        .map_or(&body, |n| &body[n])
        .as_object()
        .expect("object");
    for key in object.keys() {
        let path = node.map_or_else(|| key.clone(), |n| format!("{n}.{key}"));
        let f = field(doc, &path);
        assert_eq!(f["known"], true, "{file}: {path} unknown");
        assert!(
            f["meaning"]["en"].as_str().is_some_and(|s| !s.is_empty()),
            "{path}"
        );
        assert!(
            f["meaning"]["zh"].as_str().is_some_and(|s| !s.is_empty()),
            "{path}"
        );
    }
}

#[test]
fn terms_explain_in_both_languages() {
    let (en, code) = run_text(&["explain", "user_status=Q", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(en.contains("quick-registered user"), "{en}");
    assert!(
        en.contains(
            "Source: seed 001_ef808ad66c0a7d49.txt; Alipay API alipay.user.info.share — https://"
        ),
        "{en}"
    );
    let (zh, _) = run_text(&["explain", "user_status=Q", "--lang", "zh"]);
    assert!(zh.contains("快速注册用户") && zh.contains("出处："), "{zh}");

    let (en, code) = run_text(&["explain", "40163", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(en.contains("wechat.40163") && en.contains("Likely causes:") && en.contains("Fix:"));
    let (zh, _) = run_text(&["explain", "40163", "--lang", "zh"]);
    assert!(
        zh.contains("可能的原因：") && zh.contains("解决办法：") && !zh.contains("Likely causes")
    );

    for term in [
        "isv.invalid-token",
        "sex",
        "wechat.40163",
        "alipay.isv.code-invalid",
        "aop.invalid-auth-token",
        "20001",
        "10003",
        "/sns/userinfo",
    ] {
        let (out, code) = run_text(&["explain", term, "--lang", "en"]);
        assert_eq!(code, 0, "{term}: {out}");
    }
    let (sex, _) = run_text(&["explain", "sex", "--lang", "zh"]);
    assert!(
        sex.contains("2021 年 10 月下旬") && sex.contains("女"),
        "{sex}"
    );
}

#[test]
fn unknown_terms_exit_1_with_suggestions() {
    authwalk()
        .args(["explain", "usr_status", "--lang", "en"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Did you mean: user_status"));
    authwalk()
        .args(["explain", "zzzzzzzz", "--lang", "zh"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("目录中没有"));
}

#[test]
fn term_json_shape() {
    let (out, code) = run_text(&["explain", "wechat.40163", "--json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["kind"], "term");
    assert_eq!(doc["matches"][0]["type"], "error");
    assert_eq!(doc["matches"][0]["provider"], "wechat");
    assert_eq!(doc["matches"][0]["entry"]["code"], "40163");
    assert!(
        doc["matches"][0]["entry"]["causes"]
            .as_array()
            .is_some_and(|c| c.len() >= 2)
    );
}

#[test]
fn alipay_user_info_share_sample_is_fully_annotated() {
    let file = "alipay_user_info_share_ok.json";
    let doc = explain_json(file, &[]);
    assert_eq!(doc["provider"], "alipay");
    assert_eq!(doc["endpoint"], "alipay.user.info.share");
    assert_eq!(doc["detection"], "response-node");
    assert_eq!(doc["is_error"], false);
    let node = "alipay_user_info_share_response";
    assert_complete(&doc, file, Some(node));
    assert_eq!(field(&doc, "sign")["known"], true);
    assert_eq!(
        value_meaning(&doc, &format!("{node}.user_status"), "en"),
        "normal user (current wording; an older FAQ says 已认证用户, certified user — follow the current wording and read is_certified for real-name status)"
    );
    assert_eq!(
        value_meaning(&doc, &format!("{node}.user_type"), "en"),
        "individual account"
    );
    assert_eq!(
        value_meaning(&doc, &format!("{node}.user_type"), "zh"),
        "个人账户"
    );
    assert_eq!(value_meaning(&doc, &format!("{node}.gender"), "zh"), "女");
    assert_eq!(
        value_meaning(&doc, &format!("{node}.is_certified"), "en"),
        "real-name verified"
    );
    assert_eq!(
        field(&doc, &format!("{node}.nick_name"))["value"],
        "小明{\"测试\"}\\"
    );

    let path = fixture(file);
    let path = path.to_str().expect("path");
    let (en, _) = run_text(&["explain", path, "--lang", "en"]);
    assert!(en.contains("→ T: normal user (current wording"), "{en}");
    assert!(en.contains("→ 2: individual account"), "{en}");
    assert!(
        en.contains("Result: success") && !en.contains("字段"),
        "{en}"
    );
    assert!(!en.contains('\u{1b}'), "no colour when not a terminal");
    let (zh, _) = run_text(&["explain", path, "--lang", "zh"]);
    assert!(zh.contains("→ T: 正常用户（现行说明"), "{zh}");
    assert!(
        zh.contains("→ 2: 个人账户") && zh.contains("结果：成功"),
        "{zh}"
    );
}

#[test]
fn alipay_samples() {
    let doc = explain_json("alipay_oauth_token_ok.json", &[]);
    assert_eq!(doc["endpoint"], "alipay.system.oauth.token");
    assert_complete(
        &doc,
        "alipay_oauth_token_ok.json",
        Some("alipay_system_oauth_token_response"),
    );

    let doc = explain_json("alipay_oauth_token_ok_openid.json", &[]);
    assert_complete(
        &doc,
        "alipay_oauth_token_ok_openid.json",
        Some("alipay_system_oauth_token_response"),
    );

    let doc = explain_json("alipay_user_info_share_certmode.json", &[]);
    assert_eq!(field(&doc, "alipay_cert_sn")["known"], true);

    let doc = explain_json("alipay_v3_oauth_token_ok.json", &[]);
    assert_eq!(doc["provider"], "alipay");
    assert_eq!(doc["endpoint"], "alipay.system.oauth.token");
    assert_complete(&doc, "alipay_v3_oauth_token_ok.json", None);

    let doc = explain_json("alipay_user_info_share_invalid_token.json", &[]);
    assert_eq!(doc["is_error"], true);
    assert_eq!(doc["diagnoses"][0]["code"], "aop.invalid-auth-token");
    assert_eq!(doc["diagnoses"][1]["code"], "20001");
    assert!(
        doc["diagnoses"][0]["context"]["en"]
            .as_str()
            .is_some_and(|s| s.contains("auth_base"))
    );
    assert_eq!(doc["findings"][0]["code"], "alipay.aop.invalid-auth-token");

    let doc = explain_json("alipay_oauth_token_code_invalid.json", &[]);
    assert_eq!(doc["node"], "error_response");
    assert_eq!(doc["diagnoses"][0]["entry"]["code"], "isv.code-invalid");
    assert_eq!(doc["diagnoses"][0]["message"], "授权码code无效");
}

#[test]
fn wechat_samples() {
    let cases = [
        (
            "wechat_sns_access_token_ok.json",
            "/sns/oauth2/access_token",
            false,
        ),
        (
            "wechat_sns_access_token_snapshot.json",
            "/sns/oauth2/access_token",
            false,
        ),
        (
            "wechat_sns_access_token_base.json",
            "/sns/oauth2/access_token",
            false,
        ),
        ("wechat_sns_auth_ok.json", "/sns/auth", false),
        ("wechat_sns_userinfo_ok.json", "/sns/userinfo", false),
        ("wechat_cgi_token_ok.json", "/cgi-bin/token", false),
        ("wechat_cgi_user_info.json", "/cgi-bin/user/info", false),
    ];
    for (file, endpoint, is_error) in cases {
        let doc = explain_json(file, &[]);
        assert_eq!(doc["provider"], "wechat", "{file}");
        assert_eq!(doc["endpoint"], endpoint, "{file}");
        assert_eq!(doc["is_error"], is_error, "{file}");
        if file != "wechat_sns_userinfo_ok.json" {
            assert_complete(&doc, file, None);
        }
    }
    let doc = explain_json("wechat_sns_userinfo_ok.json", &[]);
    assert_eq!(doc["control_chars_escaped"], 1);
    assert_eq!(field(&doc, "nickname")["value"], "NICK\u{14}NAME");
    assert_eq!(
        value_meaning(&doc, "sex", "en"),
        "unknown (always 0 since late October 2021)"
    );
    assert_eq!(value_meaning(&doc, "headimgurl", "en"), "46×46");

    let doc = explain_json("wechat_sns_access_token_snapshot.json", &[]);
    assert!(
        doc["remarks"]
            .as_array()
            .expect("remarks")
            .iter()
            .any(|r| r["code"] == "wechat.snapshot-user")
    );
    let doc = explain_json("wechat_sns_access_token_base.json", &[]);
    assert!(
        doc["remarks"]
            .as_array()
            .expect("remarks")
            .iter()
            .any(|r| r["code"] == "wechat.scope-base")
    );
    let doc = explain_json("wechat_cgi_user_info.json", &[]);
    assert_eq!(value_meaning(&doc, "subscribe", "zh"), "已关注");
}

#[test]
fn wechat_errors_and_request_context() {
    for (file, code) in [
        ("wechat_invalid_code.json", "40029"),
        ("wechat_code_been_used.json", "40163"),
        ("wechat_sns_auth_invalid_openid.json", "40003"),
    ] {
        let doc = explain_json(file, &[]);
        assert_eq!(doc["is_error"], true, "{file}");
        assert_eq!(doc["diagnoses"][0]["entry"]["code"], code, "{file}");
        assert_eq!(doc["findings"][0]["code"], format!("wechat.{code}"));
    }
    let path = fixture("wechat_api_unauthorized.json");
    let path = path.to_str().expect("path");
    let url = "https://api.weixin.qq.com/sns/userinfo?access_token=T&openid=O&lang=zh_CN";
    let (en, code) = run_text(&["explain", path, "--url", url, "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(
        en.contains("Here: On /sns/userinfo") && en.contains("snsapi_base"),
        "{en}"
    );
    let (zh, _) = run_text(&["explain", path, "--url", url, "--lang", "zh"]);
    assert!(zh.contains("静默授权只能拿到 openid"), "{zh}");

    let path = fixture("wechat_invalid_credential.json");
    let path = path.to_str().expect("path");
    let url = "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=O";
    let (en, _) = run_text(&["explain", path, "--url", url, "--lang", "en"]);
    assert!(en.contains("reverse mix-up"), "{en}");
}

#[test]
fn fail_on_error_and_stdin() {
    let body = std::fs::read(fixture("wechat_code_been_used.json")).expect("fixture");
    authwalk()
        .args(["explain", "-"])
        .write_stdin(body.clone())
        .assert()
        .code(0);
    authwalk()
        .args(["explain", "-", "--fail-on-error"])
        .write_stdin(body)
        .assert()
        .code(1);
    let ok = std::fs::read(fixture("wechat_sns_auth_ok.json")).expect("fixture");
    authwalk()
        .args(["explain", "-", "--fail-on-error"])
        .write_stdin(ok)
        .assert()
        .code(0);
}

#[test]
fn unknown_fields_are_printed_verbatim() {
    authwalk()
        .args(["explain", "-", "--lang", "en"])
        .write_stdin(r#"{"openid":"O","nickname":"N","headimgurl":"","sex":1,"new_thing":{"a":1}}"#)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("new_thing = {\"a\":1}"))
        .stdout(predicate::str::contains("unknown field, printed verbatim"));
}

#[test]
fn html_and_garbage_are_usage_errors() {
    let html = std::fs::read(fixture("wechat_authorize_outside_wechat.html")).expect("fixture");
    authwalk()
        .args(["explain", "-"])
        .write_stdin(html)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HTML").and(predicate::str::contains("WeChat client")));
    authwalk()
        .args(["explain", "-"])
        .write_stdin("{not json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid JSON"));
    authwalk()
        .args(["explain", "-"])
        .write_stdin(r#"{"hello":"world"}"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--url"));
}

#[test]
fn a_v3_error_body_gets_the_v3_meaning_of_code() {
    let body = r#"{"code":"invalid-auth-token","message":"无效的访问令牌","links":[{"link":"https://opendocs.alipay.com/open-v3/054fcv","desc":"x"}]}"#;
    let (out, _) = run_text(&["explain", body]);
    assert!(out.contains("OpenAPI v3 error code"), "{out}");
    assert!(
        !out.contains("10000 means success"),
        "the v2 meaning of code: {out}"
    );
    assert!(out.contains("Invalid access token"), "{out}");
}

#[test]
fn hidden_fields_and_bare_values() {
    // user_status: the 2019-12-24 cut-off next to the older FAQ's wording.
    let (text, code) = run_text(&["explain", "user_status"]);
    assert_eq!(code, 0);
    assert!(text.contains("2019-12-24"), "{text}");
    assert!(text.contains("older support FAQ"), "{text}");
    let (text, _) = run_text(&["explain", "user_status", "--lang", "zh"]);
    assert!(text.contains("2019-12-24 之后审核通过的应用"), "{text}");
    // A bare documented value is found, not "not in the catalog".
    let (text, code) = run_text(&["explain", "auth_base"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("not in the catalog"), "{text}");
    assert!(text.contains("silent authorization"), "{text}");
    // The phone number's post-decryption error.
    let (text, code) = run_text(&["explain", "isv.invalid-auth-relations"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("after decrypting"), "{text}");
}

#[test]
fn an_encrypted_answer_points_to_decrypt() {
    let out = authwalk()
        .args(["explain", "-"])
        .write_stdin(std::fs::read(fixture("alipay_phone_number.json")).expect("fixture"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("authwalk decrypt --encrypt-key"), "{err}");
}
