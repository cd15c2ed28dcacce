//! `authwalk explain` on every item the seed documents and the official pages raise, in both
//! languages: each answer must carry the key words a support desk looks for.

use assert_cmd::Command;
use serde_json::Value;

fn authwalk() -> Command {
    let mut cmd = Command::cargo_bin("authwalk").expect("binary builds");
    cmd.env_remove("AUTHWALK_LANG").env("NO_COLOR", "1");
    cmd
}

fn explain(lang: &str, args: &[&str]) -> (String, i32) {
    let out = authwalk()
        .args(["--lang", lang, "explain"])
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().expect("exit code"),
    )
}

/// (input, words every English answer has, words every Chinese answer has)
const TABLE: &[(&str, &[&str], &[&str])] = &[
    // Seed 000: the two reasons for isv.invalid-token.
    (
        "isv.invalid-token",
        &[
            "auth_user",
            "alipay.user.info.share",
            "seed 000_a043a7b81cdad527.txt",
        ],
        &["auth_user", "alipay.user.info.share", "无效令牌"],
    ),
    // Seed 001 vs the current wording of user_status, and where real-name status lives.
    (
        "user_status",
        &[
            "已认证用户",
            "正常用户",
            "is_certified",
            "Follow the current wording",
        ],
        &["已认证用户", "正常用户", "is_certified", "以现行说明为准"],
    ),
    (
        "user_status=T",
        &["normal user", "is_certified"],
        &["正常用户", "is_certified"],
    ),
    // Missing fields: company account, never set, sensitive data.
    (
        "nick_name",
        &["company account", "never set"],
        &["企业账户", "没有设置过"],
    ),
    ("alipay.avatar", &["never set"], &["未设置头像"]),
    ("user_name", &["Sensitive data"], &["敏感信息"]),
    ("mobile", &["Sensitive data"], &["敏感信息"]),
    // The mini-program side of seed 000.
    ("my.getAuthCode", &["my.getAuthCode"], &["授权码"]),
    (
        "authCode",
        &["alipay.system.oauth.token", "single use"],
        &["alipay.system.oauth.token", "只能使用一次"],
    ),
    ("authSuccessScopes", &["auth_user"], &["auth_user"]),
    ("authErrorScopes", &["not granted"], &["没有授权成功"]),
    ("my.getAuthUserInfo", &["display only"], &["仅用于界面展示"]),
    (
        "nickName",
        &["display only", "alipay.user.info.share"],
        &["界面展示", "alipay.user.info.share"],
    ),
    (
        "my.getOpenUserInfo",
        &["without user_id"],
        &["不返回 user_id"],
    ),
    ("alipay:11", &["cancel"], &["取消"]),
    ("alipay:10", &["Empty Data"], &["Empty Data"]),
    (
        "scopes=auth_user",
        &["alipay.user.info.share"],
        &["alipay.user.info.share"],
    ),
    // Request and callback parameters.
    (
        "scope=auth_base",
        &["alipay", "cannot call alipay.user.info.share"],
        &["alipay", "不能调用 alipay.user.info.share"],
    ),
    (
        "scope=auth_user",
        &["alipay.user.info.share"],
        &["alipay.user.info.share"],
    ),
    ("scope=snsapi_login", &["qrconnect"], &["qrconnect"]),
    (
        "auth_code",
        &["auth_code, not code", "Single use"],
        &["不是 code", "只能使用一次"],
    ),
    ("source=alipay_wallet", &["Alipay app"], &["支付宝客户端"]),
    ("app_id", &["same one"], &["同一个"]),
    ("alipay.state", &["CSRF"], &["CSRF"]),
    ("wechat.state", &["10013", "CSRF"], &["10013", "CSRF"]),
    ("auth_token", &["access_token"], &["access_token"]),
    ("grant_type=refresh_token", &["refresh"], &["刷新"]),
    ("alipay.code", &["auth_code"], &["auth_code"]),
    ("appid", &["AppID"], &["AppID"]),
    ("redirect_uri", &["percent-encoded"], &["编码"]),
    (
        "response_type=code",
        &["only documented value"],
        &["唯一的取值"],
    ),
    ("secret", &["Server side only"], &["服务端"]),
    (
        "forcePopup=true",
        &["pop-up", "#wechat_redirect"],
        &["授权页", "#wechat_redirect"],
    ),
    ("forceSnapShot", &["snapshot"], &["快照页"]),
    // Codes the docs list.
    ("43003", &["https"], &["https"]),
    (
        "isv.app-call-limited",
        &["40005", "limit"],
        &["40005", "超过限制"],
    ),
    (
        "isv.method-call-limited",
        &["40005", "limit"],
        &["40005", "超过了限制"],
    ),
    (
        "isv.missing-signature-config",
        &["40003", "应用未配置对应签名算法的公钥或者证书"],
        &["40003", "应用未配置对应签名算法的公钥或者证书"],
    ),
    // The authorize page's own messages and its error table.
    (
        "该链接无法访问",
        &["redirect_uri", "scope"],
        &["redirect_uri", "scope"],
    ),
    (
        "Scope 参数错误或没有 Scope 权限",
        &["10005", "Service Account"],
        &["10005", "已认证服务号"],
    ),
    (
        "redirect_uri 参数错误",
        &["web authorization domain"],
        &["网页授权域名"],
    ),
    (
        "请在微信客户端打开链接",
        &["inside the WeChat client"],
        &["微信客户端"],
    ),
    ("wechat.10010", &["scope"], &["scope 不能为空"]),
    (
        "wechat.10016",
        &["Open Platform"],
        &["不支持微信开放平台的 Appid"],
    ),
];

#[test]
fn every_item_is_explained_with_its_key_words_in_both_languages() {
    let mut problems = Vec::new();
    for (input, en, zh) in TABLE {
        for (lang, words) in [("en", en), ("zh", zh)] {
            let (out, code) = explain(lang, &[input]);
            if code != 0 {
                problems.push(format!("{lang} {input}: exit {code}"));
            }
            for word in *words {
                if !out.contains(word) {
                    problems.push(format!("{lang} {input}: no {word:?} in\n{out}"));
                }
            }
            for wrong in [
                "not in the documented value set",
                "不在文档列出的取值范围内",
            ] {
                if out.contains(wrong) {
                    problems.push(format!("{lang} {input}: says {wrong:?}\n{out}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn sources_shown_to_users_are_ones_they_can_open() {
    for lang in ["en", "zh"] {
        let (out, _) = explain(lang, &["isv.invalid-token"]);
        assert!(!out.contains("spec/"), "{out}");
        assert!(out.contains("https://"), "{out}");
    }
}

fn explain_json(args: &[&str]) -> Value {
    let (out, code) = explain("en", &[args, &["--json"]].concat());
    assert_eq!(code, 0, "{out}");
    serde_json::from_str(&out).expect("JSON output")
}

fn remark_codes(doc: &Value) -> Vec<String> {
    doc["remarks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn explain_url_runs_the_token_mixup_checks_on_a_pasted_answer() {
    // Seed 002's last step: the login reads the profile from /cgi-bin/user/info.
    let doc = explain_json(&[
        r#"{"subscribe":0,"openid":"o6_bmjrPTlm6_2sgVt7hMZOPfL2M"}"#,
        "--url",
        "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=O&lang=zh_CN",
    ]);
    let codes = remark_codes(&doc);
    assert!(
        codes
            .iter()
            .any(|c| c == "wechat.confusion.cgi-user-info-for-login"),
        "{codes:?}"
    );
    assert!(
        codes.iter().any(|c| c == "wechat.confusion.not-follower"),
        "{codes:?}"
    );
}

#[test]
fn a_production_trace_id_is_shown_like_a_rid() {
    let body = r#"{"alipay_user_info_share_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-token","sub_msg":"无效令牌 traceId:0b5f7c2a17163456789012345e6f7a"},"sign":"x"}"#;
    let doc = explain_json(&[body]);
    let trace = doc["remarks"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["code"] == "alipay.trace-id"))
        .unwrap_or_else(|| panic!("no trace id remark: {doc}"));
    assert!(
        trace["title"]["en"]
            .as_str()
            .is_some_and(|t| t.contains("0b5f7c2a17163456789012345e6f7a")),
        "{trace}"
    );
}

#[test]
fn missing_nick_name_of_a_company_account_is_explained() {
    let body = r#"{"alipay_user_info_share_response":{"code":"10000","msg":"Success","user_id":"2088000000000009","user_type":"1","user_status":"T"},"sign":"x"}"#;
    let doc = explain_json(&[body]);
    let missing = doc["remarks"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["code"] == "alipay.missing-fields"))
        .unwrap_or_else(|| panic!("no missing-fields remark: {doc}"));
    let title = missing["title"]["en"].as_str().unwrap_or_default();
    assert!(title.contains("company account"), "{title}");
    assert!(title.contains("no avatar"), "{title}");
}

#[test]
fn empty_headimgurl_is_documented() {
    let doc = explain_json(&[
        r#"{"openid":"O","nickname":"n","sex":0,"province":"","city":"","country":"","headimgurl":"","privilege":[]}"#,
    ]);
    let unexpected: Vec<&Value> = doc["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter(|f| f["unexpected_value"] == true)
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
}

#[test]
fn the_authorize_pages_messages_are_recognised_in_a_pasted_page() {
    let doc = explain_json(&["<html><body><p>该链接无法访问</p></body></html>"]);
    assert_eq!(
        doc["diagnoses"][0]["code"], "page.link-unavailable",
        "{doc}"
    );
}

#[test]
fn the_mixup_checks_take_a_list_of_urls() {
    // Seed 002's walk as request URLs: the basic token, then /sns/userinfo with it. Without
    // bodies the origin of the token is unknown, but /cgi-bin/user/info for a login is seen.
    let findings = authwalk::triage::token_mixups_in_urls([
        "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=A&secret=S",
        "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=O&lang=zh_CN",
    ]);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "wechat.confusion.cgi-user-info-for-login"),
        "{findings:?}"
    );
    // With the token response, the origin is known: the basic token on /sns/userinfo.
    let requests = [
        authwalk::triage::Request {
            url: "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=A&secret=S",
            response: Some(br#"{"access_token":"BASIC","expires_in":7200}"#),
        },
        authwalk::triage::Request {
            url: "https://api.weixin.qq.com/sns/userinfo?access_token=BASIC&openid=O&lang=zh_CN",
            response: Some(br#"{"errcode":40001,"errmsg":"invalid credential"}"#),
        },
    ];
    let found = authwalk::triage::token_mixups(&requests);
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["wechat.confusion.basic-token-on-sns"], "{found:?}");
    let title = &found[0].title.get(authwalk::lang::Lang::EN);
    assert!(
        title.contains("/cgi-bin/token") && title.contains("/sns/oauth2/access_token"),
        "{title}"
    );
}

// The key and verify tools: advice that points at the real mistake.

fn vector(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/alipay")
        .join(name)
}

fn verify(body: &str) -> (String, i32) {
    let out = authwalk()
        .args(["--lang", "en", "verify", "--alipay-public-key"])
        .arg(vector("fake_alipay_public_key.pem"))
        .arg("-")
        .write_stdin(body.to_owned())
        .output()
        .expect("runs");
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        out.status.code().expect("exit code"),
    )
}

#[test]
fn verify_says_not_base64_or_whitespace_before_blaming_the_key() {
    let signed =
        std::fs::read_to_string(vector("v1_resp_oauth_token_code_invalid_signed.body.json"))
            .expect("vector");
    let (out, code) = verify(signed.trim());
    assert_eq!(code, 0, "{out}");
    // A placeholder sign.
    let placeholder = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"},"sign":"xxx"}"#;
    let (out, code) = verify(placeholder);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("not base64") || out.contains("not a real signature"),
        "{out}"
    );
    assert!(!out.contains("not the Alipay public key"), "{out}");
    // The same signed body, pretty-printed by a JSON viewer before pasting.
    let pretty = signed
        .trim()
        .replace("{\"", "{\n  \"")
        .replace("\",\"", "\",\n  \"")
        .replace("\":\"", "\": \"");
    let (out, code) = verify(&pretty);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("whitespace"), "{out}");
    assert!(!out.contains("not the Alipay public key"), "{out}");
}

#[test]
fn keys_advice_sends_the_user_to_the_console_for_the_alipay_public_key() {
    let out = authwalk()
        .args(["--lang", "en", "keys", "inspect", "--alipay-public-key"])
        .arg(vector("app_private_key_pkcs8.pem"))
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("支付宝公钥"), "{text}");
    assert!(text.contains("console"), "{text}");
    assert!(!text.contains("convert --public"), "{text}");
}

#[test]
fn keys_gen_offers_only_formats_that_work() {
    let out = authwalk()
        .args(["keys", "gen", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("pkcs8") && help.contains("pkcs1"), "{help}");
    assert!(!help.contains("spki"), "{help}");
    authwalk()
        .args(["keys", "gen", "--format", "spki"])
        .assert()
        .code(2);
}

#[test]
fn a_website_login_token_may_read_the_profile() {
    let requests = [
        authwalk::triage::Request {
            url: "https://api.weixin.qq.com/sns/oauth2/access_token?appid=A&secret=S&code=C&grant_type=authorization_code",
            response: Some(br#"{"access_token":"WEB","openid":"O","scope":"snsapi_login"}"#),
        },
        authwalk::triage::Request {
            url: "https://api.weixin.qq.com/sns/userinfo?access_token=WEB&openid=O",
            response: Some(br#"{"openid":"O","nickname":"n"}"#),
        },
    ];
    let found = authwalk::triage::token_mixups(&requests);
    assert!(found.is_empty(), "{found:?}");
}
