//! Unit tests of lookups, value matching and response analysis.

use serde_json::json;

use super::response::{Detection, analyze};
use super::*;

#[test]
fn builtin_loads() {
    let cat = Catalog::builtin();
    assert!(!cat.provider(Provider::Alipay).fields.is_empty());
    assert!(!cat.provider(Provider::Wechat).errors.is_empty());
}

#[test]
fn lookup_codes_and_prefixes() {
    let cat = Catalog::builtin();
    let hits = cat.lookup("40163");
    assert_eq!(hits.len(), 1);
    assert!(
        matches!(hits[0], Hit::Error { provider: Provider::Wechat, entry } if entry.code == "40163")
    );
    // 40001 exists for both providers; a prefix picks one.
    assert_eq!(cat.lookup("40001").len(), 2);
    let hits = cat.lookup("wechat.40001");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].provider(), Provider::Wechat);
    let hits = cat.lookup("alipay.isv.code-invalid");
    assert!(
        matches!(hits.as_slice(), [Hit::Error { provider: Provider::Alipay, entry }] if entry.code == "isv.code-invalid")
    );
    // v3 spelling without prefix.
    assert!(
        matches!(cat.lookup("invalid-auth-token").as_slice(), [Hit::Error { entry, .. }] if entry.code == "aop.invalid-auth-token")
    );
    // Endpoint ids that start with a provider name are not mistaken for a prefix.
    assert!(matches!(
        cat.lookup("alipay.user.info.share").as_slice(),
        [Hit::Endpoint { .. }]
    ));
    assert!(matches!(
        cat.lookup("/sns/userinfo").as_slice(),
        [Hit::Endpoint { .. }]
    ));
    assert!(cat.lookup("no-such-thing").is_empty());
    assert!(cat.lookup("").is_empty());
}

#[test]
fn lookup_values() {
    let cat = Catalog::builtin();
    let hits = cat.lookup("user_status=Q");
    let [Hit::Value { entry: Some(v), .. }] = hits.as_slice() else {
        panic!("user_status=Q: {hits:?}");
    };
    assert_eq!(
        v.meaning.get(crate::lang::Lang::EN),
        "quick-registered user"
    );
    assert_eq!(
        cat.value_meaning(Provider::Alipay, "gender", "m")
            .map(|t| t.get(crate::lang::Lang::EN)),
        Some("male")
    );
    assert_eq!(
        cat.value_meaning(Provider::Alipay, "firm_legal_person_cert_type", "0")
            .map(|t| t.get(crate::lang::Lang::ZH)),
        Some("身份证")
    );
    let hits = cat.lookup("user_status=X");
    assert!(matches!(hits.as_slice(), [Hit::Value { entry: None, .. }]));
    let headimg = cat
        .field(Provider::Wechat, Some("/sns/userinfo"), "headimgurl")
        .expect("headimgurl");
    assert_eq!(
        headimg
            .value("https://thirdwx.qlogo.cn/mmopen/abc/132")
            .map(|v| v.value.as_str()),
        Some("132")
    );
    let scope = cat.field(Provider::Wechat, None, "scope").expect("scope");
    assert_eq!(scope.items(&json!("snsapi_base,snsapi_userinfo")).len(), 2);
}

#[test]
fn field_prefers_the_endpoint_entry() {
    let cat = Catalog::builtin();
    let basic = cat
        .field(Provider::Wechat, Some("/cgi-bin/token"), "access_token")
        .expect("basic");
    assert!(
        basic
            .meaning
            .get(crate::lang::Lang::EN)
            .starts_with("Basic")
    );
    let web = cat
        .field(
            Provider::Wechat,
            Some("/sns/oauth2/access_token"),
            "access_token",
        )
        .expect("web");
    assert!(
        web.meaning
            .get(crate::lang::Lang::EN)
            .starts_with("Web-auth")
    );
}

#[test]
fn suggestions_find_near_misses() {
    let cat = Catalog::builtin();
    assert!(
        cat.suggest("usr_status", 5)
            .contains(&"user_status".to_owned())
    );
    assert!(
        cat.suggest("isv.code-invlid", 5)
            .contains(&"isv.code-invalid".to_owned())
    );
}

#[test]
fn finding_codes() {
    let cat = Catalog::builtin();
    let f = cat.finding(Provider::Wechat, "40163").expect("40163");
    assert_eq!(f.code, "wechat.40163");
    assert_eq!(f.severity, crate::finding::Severity::Error);
    assert!(
        f.explanation
            .get(crate::lang::Lang::ZH)
            .contains("可能的原因")
    );
    let f = cat
        .finding(Provider::Alipay, "isv.code-invalid")
        .expect("code-invalid");
    assert_eq!(f.code, "alipay.isv.code-invalid");
    let f = cat.finding(Provider::Alipay, "10000").expect("10000");
    assert_eq!(f.severity, crate::finding::Severity::Info);
}

#[test]
fn control_chars_are_escaped_inside_strings_only() {
    let (clean, at) =
        crate::provider::wechat::escape_controls("{\"nickname\":\"a\u{14}b\",\n\"x\":\"\\\"\t\"}");
    assert_eq!(at, [14, 26]);
    assert_eq!(
        clean,
        "{\"nickname\":\"a\\u0014b\",\n\"x\":\"\\\"\\u0009\"}"
    );
    let v: serde_json::Value = serde_json::from_str(&clean).expect("parses");
    assert_eq!(v["nickname"], "a\u{14}b");
}

#[test]
fn analyze_detects_endpoints() {
    let cat = Catalog::builtin();
    let a = analyze(cat, br#"{"access_token":"T","expires_in":7200}"#, None).expect("basic");
    assert_eq!(a.endpoint.map(|e| e.id.as_str()), Some("/cgi-bin/token"));
    let a = analyze(cat, br#"{"subscribe":0,"openid":"o"}"#, None).expect("user info");
    assert_eq!(
        a.endpoint.map(|e| e.id.as_str()),
        Some("/cgi-bin/user/info")
    );
    let a = analyze(
        cat,
        br#"{"errcode":48001,"errmsg":"api unauthorized"}"#,
        Some("https://api.weixin.qq.com/sns/userinfo?access_token=x&openid=y"),
    )
    .expect("48001");
    assert_eq!(a.detection, Detection::Url);
    assert!(a.is_error());
    assert!(
        a.diagnoses[0]
            .context
            .is_some_and(|t| t.get(crate::lang::Lang::EN).contains("snsapi_base"))
    );
    let a = analyze(
        cat,
        br#"{"errcode":40001,"errmsg":"invalid credential"}"#,
        Some("https://api.weixin.qq.com/cgi-bin/user/info?access_token=x&openid=y"),
    )
    .expect("40001");
    assert!(
        a.diagnoses[0]
            .context
            .is_some_and(|t| t.get(crate::lang::Lang::EN).contains("web-auth token"))
    );
    let a = analyze(cat, br#"{"errcode":0,"errmsg":"ok"}"#, None).expect("auth ok");
    assert_eq!(a.endpoint.map(|e| e.id.as_str()), Some("/sns/auth"));
    assert!(!a.is_error());
    let a = analyze(cat, br#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"x"}}"#, Some("https://openapi.alipay.com/gateway.do?method=alipay.system.oauth.token")).expect("alipay error");
    assert_eq!(
        a.endpoint.map(|e| e.id.as_str()),
        Some("alipay.system.oauth.token")
    );
    assert_eq!(a.diagnoses.len(), 2);
    assert_eq!(a.diagnoses[0].code, "isv.code-invalid");
    let a = analyze(
        cat,
        br#"{"code":"invalid-auth-token","message":"x","links":[]}"#,
        None,
    )
    .expect("v3");
    assert_eq!(
        a.diagnoses[0].entry.map(|e| e.code.as_str()),
        Some("aop.invalid-auth-token")
    );
}

#[test]
fn analyze_rejects_what_is_not_a_response() {
    let cat = Catalog::builtin();
    assert!(matches!(
        analyze(cat, b"  ", None),
        Err(response::AnalyzeError::Empty)
    ));
    assert!(matches!(analyze(cat, b"<html>\xe8\xaf\xb7\xe5\x9c\xa8\xe5\xbe\xae\xe4\xbf\xa1\xe5\xae\xa2\xe6\x88\xb7\xe7\xab\xaf\xe6\x89\x93\xe5\xbc\x80\xe9\x93\xbe\xe6\x8e\xa5</html>", None), Err(response::AnalyzeError::Html { .. })));
    assert!(matches!(
        analyze(cat, b"{not json", None),
        Err(response::AnalyzeError::NotJson { .. })
    ));
    assert!(matches!(
        analyze(cat, b"[1]", None),
        Err(response::AnalyzeError::NotObject)
    ));
    assert!(matches!(
        analyze(cat, br#"{"a":1}"#, None),
        Err(response::AnalyzeError::Unrecognized { .. })
    ));
    let page =
        analyze(cat, "<html><p>错误码: 10003</p></html>".as_bytes(), None).expect("page code");
    assert_eq!(page.diagnoses[0].code, "10003");
}

#[test]
fn odd_inputs_never_panic() {
    let cat = Catalog::builtin();
    let inputs: &[&[u8]] = &[
        b"{",
        b"\"",
        b"<",
        b"\xff\xfe{}",
        b"{\"errcode\":\"abc\"}",
        b"{\"errcode\":null,\"errmsg\":5}",
        b"{\"errcode\":1e400}",
        b"{\"alipay_x_response\":null}",
        b"{\"error_response\":[],\"sign\":{}}",
        b"{\"a\":\"\\",
        b"{\"errmsg\":\"rid: zz-\"}",
        b"{\"errmsg\":\"rid: ffffffffffff-1\"}",
        b"{\"headimgurl\":\"/\",\"scope\":[1,null,{}],\"privilege\":\"\"}",
        "<p>错误码：</p>".as_bytes(),
        "<p>错误码: 99999</p>".as_bytes(),
    ];
    for input in inputs {
        let _ = analyze(cat, input, Some("::not a url::"));
        let _ = analyze(cat, input, Some("https://x/?method="));
        let _ = analyze(cat, input, None);
    }
    for term in [
        "=",
        "==",
        "alipay.",
        "wechat.=",
        ".",
        "  ",
        "a=b=c",
        "\u{0}",
        "user_status=",
        "/",
    ] {
        let _ = cat.lookup(term);
        let _ = cat.suggest(term, 5);
    }
}

#[test]
fn a_bare_documented_value_is_found() {
    let cat = Catalog::builtin();
    let hits = cat.lookup("auth_base");
    assert!(
        !hits.is_empty()
            && hits
                .iter()
                .all(|h| matches!(h, Hit::Value { entry: Some(v), .. } if v.value == "auth_base")),
        "{hits:?}"
    );
    // One-letter values are too common to stand alone.
    assert!(cat.lookup("Q").is_empty());
}

#[test]
fn the_fixed_facts() {
    let cat = Catalog::builtin();
    let en = |t: &crate::finding::Text| t.get(crate::lang::Lang::EN).to_owned();
    // Hidden fields: each of the four names the 2019-12-24 cut-off among its absence reasons.
    for name in [
        "user_status",
        "is_certified",
        "user_type",
        "is_student_certified",
    ] {
        let field = cat.field(Provider::Alipay, None, name).expect(name);
        assert!(
            field.absent.iter().any(|a| a == "approved-after-2019"),
            "{name}"
        );
    }
    // Seed 000's "never returned" is no longer taken as absolute: the current doc is cited.
    let sensitive = &cat.provider(Provider::Alipay).absences["sensitive"];
    assert!(en(&sensitive.text).contains("once the app is approved"));
    assert!(sensitive.source.contains("my.getAuthCode"));
    let n = cat
        .value_meaning(Provider::Alipay, "inst_or_corp", "N")
        .expect("N");
    assert!(en(n).contains("unit account"));
    let sixteen = cat
        .value_meaning(Provider::Alipay, "cert_type", "16")
        .expect("16");
    assert!(en(sixteen).contains("2024"));
    // Token sub-codes cite the alipay.system.oauth.token page, and say what for.
    for code in [
        "isv.code-invalid",
        "isv.refresh-token-invalid",
        "isv.refresh-token-time-out",
        "isv.refreshed-token-invalid",
    ] {
        let entry = cat.error(Provider::Alipay, code).expect(code);
        assert!(
            entry.source.contains("alipay.system.oauth.token")
                && entry.source.contains("cited for"),
            "{code}: {}",
            entry.source
        );
    }
}
