//! Unit tests of the WeChat protocol core: exact URLs, callback parsing, errmsg splitting,
//! tolerant response parsing and token-confusion detection.

use super::confusion::{Endpoint, Step, diagnose_exchange, diagnose_walk};
use super::*;
use crate::provider::HttpMethod;

const APPID: &str = "wx520c15f417810387";
const CALLBACK: &str = "https://example.com/wechat/callback?from=cli";

fn request(state: Option<&str>) -> AuthorizeRequest {
    AuthorizeRequest {
        appid: APPID.to_owned(),
        redirect_uri: CALLBACK.to_owned(),
        scope: SCOPE_USERINFO.to_owned(),
        state: state.map(str::to_owned),
        force_popup: false,
        force_snapshot: false,
    }
}

#[test]
fn authorize_url_is_in_documented_order() {
    let url = authorize_url(
        OPEN_BASE,
        AuthorizeEndpoint::OAuth2,
        &request(Some("abc123")),
    );
    assert_eq!(
        url,
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fwechat%2Fcallback%3Ffrom%3Dcli\
         &response_type=code&scope=snsapi_userinfo&state=abc123#wechat_redirect"
    );
    assert!(
        lint_authorize_url(&url).is_empty(),
        "{:?}",
        lint_authorize_url(&url)
    );
}

#[test]
fn authorize_url_variants() {
    let mut req = request(None);
    req.force_popup = true;
    req.force_snapshot = true;
    let url = authorize_url("http://127.0.0.1:8080/", AuthorizeEndpoint::OAuth2, &req);
    assert_eq!(
        url,
        "http://127.0.0.1:8080/connect/oauth2/authorize?appid=wx520c15f417810387\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fwechat%2Fcallback%3Ffrom%3Dcli\
         &response_type=code&scope=snsapi_userinfo&forcePopup=true&forceSnapShot=true\
         #wechat_redirect"
    );
    let mut qr = request(Some("s1"));
    qr.scope = SCOPE_LOGIN.to_owned();
    let url = authorize_url(OPEN_BASE, AuthorizeEndpoint::QrConnect, &qr);
    assert!(url.starts_with("https://open.weixin.qq.com/connect/qrconnect?appid="));
    assert!(url.ends_with("&scope=snsapi_login&state=s1#wechat_redirect"));
    assert!(
        lint_authorize_url(&url).is_empty(),
        "{:?}",
        lint_authorize_url(&url)
    );
}

#[test]
fn prepared_requests_are_exact() {
    let r = access_token_request(API_BASE, APPID, "sec ret", "CODE1");
    assert_eq!(r.method, HttpMethod::Get);
    assert!(r.body.is_empty() && r.headers.is_empty() && r.signing.is_none());
    assert_eq!(
        r.url,
        "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx520c15f417810387\
         &secret=sec%20ret&code=CODE1&grant_type=authorization_code"
    );
    assert_eq!(
        refresh_token_request("http://127.0.0.1:9/", APPID, "RT").url,
        "http://127.0.0.1:9/sns/oauth2/refresh_token?appid=wx520c15f417810387\
         &grant_type=refresh_token&refresh_token=RT"
    );
    assert_eq!(
        auth_request(API_BASE, "AT", "OID").url,
        "https://api.weixin.qq.com/sns/auth?access_token=AT&openid=OID"
    );
    let cases = [
        (UserInfoLang::ZhCn, "zh_CN"),
        (UserInfoLang::ZhTw, "zh_TW"),
        (UserInfoLang::En, "en"),
    ];
    for (lang, text) in cases {
        assert_eq!(
            userinfo_request(API_BASE, "AT", "OID", lang).url,
            format!(
                "https://api.weixin.qq.com/sns/userinfo?access_token=AT&openid=OID&lang={text}"
            )
        );
        assert_eq!(text.parse::<UserInfoLang>(), Ok(lang));
    }
    assert_eq!(
        basic_token_request(API_BASE, APPID, "S").url,
        "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential\
         &appid=wx520c15f417810387&secret=S"
    );
    assert_eq!(
        cgi_user_info_request(API_BASE, "BT", "OID", UserInfoLang::ZhCn).url,
        "https://api.weixin.qq.com/cgi-bin/user/info?access_token=BT&openid=OID&lang=zh_CN"
    );
}

#[test]
fn callback_parsing() {
    let cb =
        parse_callback("https://example.com/wechat/callback?from=cli&code=0a1B2c&state=abc123")
            .expect("full callback URL");
    assert_eq!(cb.code, "0a1B2c");
    assert_eq!(cb.state.as_deref(), Some("abc123"));
    assert_eq!(cb.extra, vec![("from".to_owned(), "cli".to_owned())]);

    let cb = parse_callback("  061Xyz  ").expect("bare code");
    assert_eq!(cb.code, "061Xyz");
    assert_eq!(cb.state, None);

    let cb = parse_callback("code=C&state=S#wechat_redirect").expect("bare query");
    assert_eq!((cb.code.as_str(), cb.state.as_deref()), ("C", Some("S")));

    let errors = [
        ("", CallbackError::Empty),
        ("https://example.com/cb?state=S", CallbackError::NoCode),
        (
            "https://example.com/cb?code=&state=S",
            CallbackError::EmptyCode,
        ),
        (
            "https://example.com/cb?auth_code=X&app_id=1",
            CallbackError::AlipayCode,
        ),
    ];
    for (input, expected) in errors {
        assert_eq!(parse_callback(input), Err(expected), "{input}");
    }
}

#[test]
fn errmsg_suffix_styles() {
    /// (errmsg, message, rid, hint, more_info)
    type Row<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let table: [Row<'_>; 8] = [
        (
            "invalid code, rid: 630c564c-0ddb59e1-5f81042f",
            "invalid code",
            Some("630c564c-0ddb59e1-5f81042f"),
            None,
            None,
        ),
        (
            "invalid code rid: 5f9fa45e-406cc3e2-135b88ce",
            "invalid code",
            Some("5f9fa45e-406cc3e2-135b88ce"),
            None,
            None,
        ),
        (
            "code been used, hints: [ req_id: XYv1Ha07042046 ]",
            "code been used",
            None,
            Some("XYv1Ha07042046"),
            None,
        ),
        (
            "invalid ip 1.2.3.4, not in whitelist hint: [KJZfAa0644e575]",
            "invalid ip 1.2.3.4, not in whitelist",
            None,
            Some("KJZfAa0644e575"),
            None,
        ),
        (
            "invalid appsecret, view more at http://t.cn/RAEkdVq, hints: [ req_id: 1 ]",
            "invalid appsecret",
            None,
            Some("1"),
            Some("http://t.cn/RAEkdVq"),
        ),
        (
            "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r rid: 65c18890-1b2c3d4e-5f6a7b8c",
            "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken",
            Some("65c18890-1b2c3d4e-5f6a7b8c"),
            None,
            Some("https://mmbizurl.cn/s/JtxxFh33r"),
        ),
        (
            " rid: 65194e73-3fc2766d-3dc5ae06",
            "",
            Some("65194e73-3fc2766d-3dc5ae06"),
            None,
            None,
        ),
        ("invalid code", "invalid code", None, None, None),
    ];
    for (errmsg, message, rid, hint, more) in table {
        let p = split_errmsg(errmsg);
        assert_eq!(p.message, message, "{errmsg}");
        assert_eq!(p.rid.as_deref(), rid, "{errmsg}");
        assert_eq!(p.hint.as_deref(), hint, "{errmsg}");
        assert_eq!(p.more_info.as_deref(), more, "{errmsg}");
    }
    // 0x65c18890 = 2024-02-06 01:17:04 UTC.
    let p = split_errmsg("invalid code, rid: 65c18890-1b2c3d4e-5f6a7b8c");
    assert_eq!(p.rid_unix_seconds(), Some(1_707_182_224));
    assert_eq!(split_errmsg("grid: 123").rid, None);
}

#[test]
fn error_inside_http_200() {
    let parsed = parse_response(
        br#"{"errcode":40029,"errmsg":"invalid code, rid: 630c564c-0ddb59e1-5f81042f"}"#,
    )
    .expect("JSON error body");
    let err = parsed.error.as_ref().expect("errcode 40029 is an error");
    assert_eq!(err.errcode, 40029);
    assert_eq!(err.parts.message, "invalid code");
    assert_eq!(err.parts.rid.as_deref(), Some("630c564c-0ddb59e1-5f81042f"));
    assert_eq!(
        parsed.decode::<WebAccessToken>(),
        Err(ResponseError::Api {
            errcode: 40029,
            errmsg: "invalid code, rid: 630c564c-0ddb59e1-5f81042f".to_owned()
        })
    );
    // errcode as a string is coerced, as wechatpy does.
    let parsed = parse_response(br#"{"errcode":"40163","errmsg":"code been used"}"#).expect("json");
    assert_eq!(parsed.error.map(|e| e.errcode), Some(40163));
    // /sns/auth success carries errcode 0.
    let parsed = parse_response(br#"{"errcode":0,"errmsg":"ok"}"#).expect("json");
    assert!(parsed.is_ok());
}

#[test]
fn web_access_token_keeps_unknown_fields() {
    let body = br#"{"access_token":"ACCESS","expires_in":7200,"refresh_token":"REFRESH","openid":"OPENID","scope":"snsapi_userinfo","unionid":"UNION","is_snapshotuser":1,"new_field":"x"}"#;
    let token: WebAccessToken = parse_response(body).expect("json").decode().expect("token");
    assert_eq!(token.access_token, "ACCESS");
    assert_eq!(token.expires_in, Some(7200));
    assert_eq!(token.refresh_token.as_deref(), Some("REFRESH"));
    assert_eq!(token.openid, "OPENID");
    assert_eq!(token.unionid.as_deref(), Some("UNION"));
    assert!(token.is_snapshot_user());
    assert_eq!(token.allows_userinfo(), Some(true));
    assert_eq!(
        token.extra.get("new_field").and_then(|v| v.as_str()),
        Some("x")
    );

    let base: WebAccessToken = parse_response(
        br#"{"access_token":"A","expires_in":"7200","openid":"O","scope":"snsapi_base"}"#,
    )
    .expect("json")
    .decode()
    .expect("token");
    assert_eq!(base.expires_in, Some(7200));
    assert_eq!(base.allows_userinfo(), Some(false));
    assert!(!base.is_snapshot_user());

    let basic: BasicToken = parse_response(br#"{"access_token":"B","expires_in":7200}"#)
        .expect("json")
        .decode()
        .expect("basic token");
    assert_eq!(basic.access_token, "B");
}

#[test]
fn userinfo_with_emoji_and_sex_variants() {
    let body = r#"{"openid":"OPENID","nickname":"小明🐱‍👤","sex":"1","province":"","city":"","country":"","headimgurl":"https://thirdwx.qlogo.cn/mmopen/x/132","privilege":["chinaunicom"],"unionid":"U","language":"zh_CN"}"#;
    let parsed = parse_response(body.as_bytes()).expect("json");
    assert!(parsed.escaped_controls.is_empty());
    let user: UserInfo = parsed.decode().expect("user");
    assert_eq!(user.nickname, "小明🐱‍👤");
    assert_eq!(user.sex, Sex::Male);
    assert_eq!(user.privilege, vec!["chinaunicom".to_owned()]);
    assert_eq!(user.unionid.as_deref(), Some("U"));
    assert_eq!(
        user.extra.get("language").and_then(|v| v.as_str()),
        Some("zh_CN")
    );

    for (sex, expected) in [
        ("0", Sex::Unknown),
        ("2", Sex::Female),
        ("\"2\"", Sex::Female),
        ("9", Sex::Other(9)),
        ("null", Sex::Unknown),
    ] {
        let body = format!(r#"{{"openid":"O","sex":{sex}}}"#);
        let user: UserInfo = parse_response(body.as_bytes())
            .expect("json")
            .decode()
            .expect("user");
        assert_eq!(user.sex, expected, "{sex}");
    }
}

#[test]
fn raw_control_characters_are_escaped_and_reported() {
    let body = b"{\"openid\":\"O\",\"nickname\":\"a\x14b\tc\",\"privilege\":[]}\n";
    assert!(
        serde_json::from_slice::<serde_json::Value>(body).is_err(),
        "strict parsers fail"
    );
    let parsed = parse_response(body).expect("lenient parse");
    assert_eq!(parsed.escaped_controls, vec![27, 29]);
    let user: UserInfo = parsed.decode().expect("user");
    assert_eq!(user.nickname, "a\u{14}b\tc");
}

#[test]
fn bodies_that_are_not_json() {
    let html = "<html><body>请在微信客户端打开链接</body></html>";
    match parse_response(html.as_bytes()) {
        Err(ResponseError::Html { not_in_wechat, .. }) => assert!(not_in_wechat),
        other => panic!("expected Html, got {other:?}"),
    }
    assert_eq!(parse_response(b"  \n"), Err(ResponseError::Empty));
    assert_eq!(
        parse_response(b"{\"a\":\"\xff\"}"),
        Err(ResponseError::NotUtf8 { offset: 6 })
    );
    assert!(matches!(
        parse_response(b"{\"a\":"),
        Err(ResponseError::NotJson { .. })
    ));
    assert_eq!(parse_response(b"[1]"), Err(ResponseError::NotObject));
    assert!(matches!(
        parse_response(br#"{"foo":1}"#)
            .expect("json")
            .decode::<UserInfo>(),
        Err(ResponseError::Shape { .. })
    ));
    // A BOM is tolerated.
    assert!(parse_response("\u{feff}{\"errcode\":0}".as_bytes()).is_ok());
}

#[test]
fn endpoints_are_classified_by_path() {
    let table = [
        (
            "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential",
            Some(Endpoint::BasicToken),
        ),
        (
            "https://api.weixin.qq.com/cgi-bin/stable_token",
            Some(Endpoint::BasicToken),
        ),
        (
            "https://api.weixin.qq.com/cgi-bin/user/info?access_token=A",
            Some(Endpoint::CgiUserInfo),
        ),
        (
            "https://api.weixin.qq.com/cgi-bin/menu/get",
            Some(Endpoint::OtherCgi),
        ),
        (
            "http://127.0.0.1:1/sns/oauth2/access_token?code=C",
            Some(Endpoint::SnsAccessToken),
        ),
        (
            "https://api.weixin.qq.com/sns/oauth2/refresh_token",
            Some(Endpoint::SnsRefreshToken),
        ),
        (
            "https://api.weixin.qq.com/sns/auth?x=1",
            Some(Endpoint::SnsAuth),
        ),
        (
            "https://api.weixin.qq.com/sns/userinfo",
            Some(Endpoint::SnsUserInfo),
        ),
        ("https://example.com/", None),
        ("not a url", None),
    ];
    for (url, expected) in table {
        assert_eq!(Endpoint::of(url), expected, "{url}");
    }
}

fn codes(findings: &[crate::finding::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn seed_tutorial_mixup_is_detected_from_urls_alone() {
    let steps = [
        Step {
            url: "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx520c15f417810387&secret=S",
            response: None,
        },
        Step {
            url: "https://api.weixin.qq.com/cgi-bin/user/info?access_token=BASIC&openid=OPENID&lang=zh_CN",
            response: None,
        },
    ];
    assert_eq!(
        codes(&diagnose_walk(&steps)),
        ["wechat.confusion.cgi-user-info-for-login"]
    );
}

#[test]
fn token_origins_are_tracked_across_a_walk() {
    let basic = br#"{"access_token":"BASIC_TOKEN","expires_in":7200}"#;
    let web_base = br#"{"access_token":"WEB_TOKEN","expires_in":7200,"refresh_token":"R","openid":"OPENID","scope":"snsapi_base"}"#;
    let invalid = br#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest, rid: 630c564c-0ddb59e1-5f81042f"}"#;
    let steps = [
        Step {
            url: "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=A&secret=S",
            response: Some(basic),
        },
        Step {
            url: "https://api.weixin.qq.com/sns/oauth2/access_token?appid=A&secret=S&code=C1&grant_type=authorization_code",
            response: Some(web_base),
        },
        // The backwards tutorial: the basic token on /sns/userinfo …
        Step {
            url: "https://api.weixin.qq.com/sns/userinfo?access_token=BASIC_TOKEN&openid=OPENID&lang=zh_CN",
            response: Some(invalid),
        },
        // … and the web-auth token on /cgi-bin/user/info.
        Step {
            url: "https://api.weixin.qq.com/cgi-bin/user/info?access_token=WEB_TOKEN&openid=OPENID",
            response: None,
        },
        // A snsapi_base token on /sns/userinfo.
        Step {
            url: "https://api.weixin.qq.com/sns/userinfo?access_token=WEB_TOKEN&openid=OPENID",
            response: None,
        },
        // The same code exchanged again.
        Step {
            url: "https://api.weixin.qq.com/sns/oauth2/access_token?appid=A&secret=S&code=C1&grant_type=authorization_code",
            response: None,
        },
    ];
    assert_eq!(
        codes(&diagnose_walk(&steps)),
        [
            "wechat.confusion.basic-token-on-sns",
            "wechat.confusion.web-token-on-cgi",
            "wechat.confusion.cgi-user-info-for-login",
            "wechat.confusion.base-scope-userinfo",
            "wechat.confusion.code-reused",
        ]
    );
}

#[test]
fn single_exchanges_are_explained_by_errcode() {
    let token_url = "https://api.weixin.qq.com/sns/oauth2/access_token?appid=A&secret=S&code=C&grant_type=authorization_code";
    let userinfo = "https://api.weixin.qq.com/sns/userinfo?access_token=T&openid=O&lang=zh_CN";
    let table: [(&str, &str, &[&str]); 10] = [
        (
            userinfo,
            r#"{"errcode":40003,"errmsg":"invalid openid"}"#,
            &["wechat.confusion.openid-mismatch"],
        ),
        (
            token_url,
            r#"{"access_token":"T","openid":"O","scope":"snsapi_userinfo","is_snapshotuser":1}"#,
            &["wechat.confusion.snapshot-user"],
        ),
        (
            token_url,
            r#"{"errcode":40163,"errmsg":"code been used, rid: 1"}"#,
            &["wechat.confusion.code-reused"],
        ),
        (
            token_url,
            r#"{"errcode":40029,"errmsg":"invalid code"}"#,
            &["wechat.confusion.code-invalid"],
        ),
        (
            userinfo,
            r#"{"errcode":40001,"errmsg":"invalid credential"}"#,
            &["wechat.confusion.sns-token-rejected"],
        ),
        (
            userinfo,
            r#"{"errcode":48001,"errmsg":"api unauthorized"}"#,
            &["wechat.confusion.userinfo-unauthorized"],
        ),
        (
            "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=O",
            r#"{"errcode":40001,"errmsg":"invalid credential"}"#,
            &["wechat.confusion.web-token-on-cgi"],
        ),
        (
            "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=O",
            r#"{"subscribe":0,"openid":"O"}"#,
            &[
                "wechat.confusion.cgi-user-info-for-login",
                "wechat.confusion.not-follower",
            ],
        ),
        (userinfo, r#"{"openid":"O","nickname":"n"}"#, &[]),
        (userinfo, "<html></html>", &[]),
    ];
    for (url, body, expected) in table {
        let findings = diagnose_exchange(url, body.as_bytes());
        assert_eq!(codes(&findings), expected, "{url} {body}");
        for f in &findings {
            assert!(
                !f.title.get(crate::lang::Lang::EN).is_empty()
                    && !f.title.get(crate::lang::Lang::ZH).is_empty(),
                "{}",
                f.code
            );
            assert!(
                !f.explanation.get(crate::lang::Lang::EN).is_empty()
                    && !f.explanation.get(crate::lang::Lang::ZH).is_empty(),
                "{}",
                f.code
            );
            assert!(
                !f.fix.get(crate::lang::Lang::EN).is_empty()
                    && !f.fix.get(crate::lang::Lang::ZH).is_empty(),
                "{}",
                f.code
            );
        }
    }
}

#[test]
fn openid_from_another_token_is_flagged() {
    let web = br#"{"access_token":"WEB","expires_in":7200,"openid":"OPENID_A","scope":"snsapi_userinfo"}"#;
    let token_url = "https://api.weixin.qq.com/sns/oauth2/access_token?appid=A&secret=S&code=C&grant_type=authorization_code";
    let steps = [
        Step {
            url: token_url,
            response: Some(web),
        },
        Step {
            url: "https://api.weixin.qq.com/sns/userinfo?access_token=WEB&openid=OPENID_A",
            response: None,
        },
    ];
    assert!(
        diagnose_walk(&steps).is_empty(),
        "a correct walk has no findings"
    );
    let steps = [
        Step {
            url: token_url,
            response: Some(web),
        },
        Step {
            url: "https://api.weixin.qq.com/sns/auth?access_token=WEB&openid=OPENID_B",
            response: None,
        },
    ];
    assert_eq!(
        codes(&diagnose_walk(&steps)),
        ["wechat.confusion.openid-mismatch"]
    );
}

#[test]
fn secrets_are_masked_for_display() {
    let r = access_token_request(API_BASE, APPID, "0123456789abcdef", "061AbCd");
    assert_eq!(
        crate::redact::redact_query(&r.url),
        "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx520c15f417810387\
         &secret=0123…&code=061A…&grant_type=authorization_code"
    );
    assert_eq!(crate::redact::redact_query("https://x/y"), "https://x/y");
    assert_eq!(
        crate::redact::redact_query("https://x/sns/userinfo?access_token=78_ABCDEFGH&openid=O#f"),
        "https://x/sns/userinfo?access_token=78_A…&openid=O#f"
    );
}

#[test]
fn no_input_makes_the_parsers_panic() {
    // A small deterministic generator over the characters that matter to these parsers.
    const PIECES: [&str; 24] = [
        "https://",
        "open.weixin.qq.com",
        "/connect/oauth2/authorize",
        "?",
        "&",
        "=",
        "#",
        "%",
        "%2",
        "%25",
        "wechat_redirect",
        "rid:",
        " hints: [",
        "]",
        "\"",
        "\\",
        "{",
        "}",
        "\u{14}",
        "中",
        "🐱",
        "appid",
        "state",
        "code",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..12 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let index = usize::try_from(seed % 24).expect("small index");
            s.push_str(PIECES[index]);
        }
        let _ = lint_authorize_url(&s);
        let _ = crate::provider::lint_authorize_url(&s);
        let _ = parse_callback(&s);
        let _ = split_errmsg(&s).rid_unix_seconds();
        let _ = parse_response(s.as_bytes());
        let _ = crate::redact::redact_query(&s);
        let _ = diagnose_exchange(&s, s.as_bytes());
        let _ = diagnose_walk(&[Step {
            url: &s,
            response: Some(s.as_bytes()),
        }]);
    }
}
