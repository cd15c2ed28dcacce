//! The form of a request and the request built back from it, without I/O.

use time::macros::datetime;

use super::*;
use crate::flow::{AlipayApp, WechatApp};
use crate::keys::PrivateKey;
use crate::provider::alipay::GatewayCall;

const APP_KEY: &str = include_str!("../../../tests/vectors/alipay/app_private_key_pkcs8.pem");

fn alipay_app() -> App {
    let key = PrivateKey::parse(APP_KEY).unwrap();
    App::Alipay(AlipayApp {
        app_id: "2021000000000001".into(),
        sign_type: SignType::Rsa2,
        charset: Charset::Utf8,
        alipay_public_key: key.public_key(),
        private_key: key,
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: crate::provider::Scope::AuthUser,
        gateway_url: "http://127.0.0.1:9/gateway.do".into(),
        authorize_url: "http://127.0.0.1:9/oauth2/publicAppAuthorize.htm".into(),
        signing: crate::flow::AppSigning::Key,
        api: ApiVersion::V2,
        encrypt_key: None,
        id_mode: None,
        mini_client: None,
        isv: None,
    })
}

fn user_info() -> PreparedRequest {
    let key = PrivateKey::parse(APP_KEY).unwrap();
    let call = GatewayCall::user_info(
        "2021000000000001",
        "authusrB1234",
        SignType::Rsa2,
        datetime!(2024-05-20 04:34:56 UTC),
    );
    alipay::prepare("http://127.0.0.1:9/gateway.do", &call, &key).unwrap()
}

fn set(edit: &mut EditedRequest, name: &str, value: &str) {
    for (k, v) in &mut edit.params {
        if k == name {
            *v = value.to_owned();
        }
    }
}

#[test]
fn the_form_holds_every_parameter_but_sign() {
    let edit = EditedRequest::of(StepKind::UserInfo, &user_info());
    assert_eq!(edit.base_url, "http://127.0.0.1:9/gateway.do");
    assert_eq!(edit.method, HttpMethod::Post);
    assert_eq!(edit.signing, Some(Signing::Resign));
    let names: Vec<&str> = edit.params.iter().map(|(k, _)| k.as_str()).collect();
    assert!(names.contains(&"auth_token"), "{names:?}");
    assert!(names.contains(&"timestamp"), "{names:?}");
    assert!(!names.contains(&"sign"), "{names:?}");
    assert!(edit.changed().is_empty());
}

#[test]
fn an_edit_resigned_signs_the_new_values_with_the_apps_key() {
    let app = alipay_app();
    let original = user_info();
    let mut edit = EditedRequest::of(StepKind::UserInfo, &original);
    set(&mut edit, "timestamp", "2024-05-20 12:35:00");
    assert_eq!(edit.changed(), ["timestamp"]);
    let sent = edit.build(&app).unwrap();
    let trace = sent.signing.unwrap();
    assert!(trace.canonical.contains("timestamp=2024-05-20 12:35:00"));
    assert_ne!(
        trace.signature,
        original.signing.as_ref().unwrap().signature
    );
    let App::Alipay(a) = &app else { unreachable!() };
    assert_eq!(trace.key_fingerprint, a.private_key.fingerprint().hex());
}

#[test]
fn an_edit_with_the_old_sign_keeps_it_over_the_new_string() {
    let original = user_info();
    let mut edit = EditedRequest::of(StepKind::UserInfo, &original);
    set(&mut edit, "timestamp", "2024-05-20 12:35:00");
    edit.params.push(("extra".into(), "1".into()));
    edit.signing = Some(Signing::OldSign);
    assert_eq!(edit.changed(), ["timestamp", "extra"]);
    let sent = edit.build(&alipay_app()).unwrap();
    let old = original.signing.unwrap();
    let trace = sent.signing.unwrap();
    assert_eq!(trace.signature, old.signature);
    assert!(trace.canonical.contains("extra=1"), "{}", trace.canonical);
    assert_ne!(trace.canonical, old.canonical);
    let encoded =
        url::form_urlencoded::byte_serialize(old.signature.as_bytes()).collect::<String>();
    assert!(sent.url.contains(&encoded), "{}", sent.url);
}

#[test]
fn a_removed_parameter_is_named_and_not_sent() {
    let mut edit = EditedRequest::of(StepKind::UserInfo, &user_info());
    edit.params.retain(|(k, _)| k != "auth_token");
    assert_eq!(edit.changed(), ["auth_token"]);
    let sent = edit.build(&alipay_app()).unwrap();
    assert!(!String::from_utf8_lossy(&sent.body).contains("auth_token"));
    assert!(!sent.url.contains("auth_token"));
}

fn wechat_app() -> App {
    App::Wechat(WechatApp {
        appid: "wx0123456789abcdef".into(),
        secret: "s3cr3t-s3cr3t".into(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: crate::provider::Scope::SnsapiUserinfo,
        open_base: "http://127.0.0.1:9".into(),
        api_base: "http://127.0.0.1:9".into(),
        lang: crate::provider::wechat::UserInfoLang::ZhCn,
        component: None,
        agentid: None,
    })
}

#[test]
fn a_wechat_get_rebuilds_its_query_and_a_post_its_form() {
    let app = wechat_app();
    let original = PreparedRequest {
        method: HttpMethod::Get,
        url: "http://127.0.0.1:9/sns/userinfo?access_token=T0&openid=o1&lang=zh_CN".into(),
        headers: Vec::new(),
        body: Vec::new(),
        signing: None,
    };
    let mut edit = EditedRequest::of(StepKind::UserInfo, &original);
    assert_eq!(edit.signing, None);
    set(&mut edit, "lang", "en");
    let sent = edit.build(&app).unwrap();
    assert_eq!(
        sent.url,
        "http://127.0.0.1:9/sns/userinfo?access_token=T0&openid=o1&lang=en"
    );
    edit.toggle_method();
    let sent = edit.build(&app).unwrap();
    assert_eq!(sent.method, HttpMethod::Post);
    assert_eq!(sent.url, "http://127.0.0.1:9/sns/userinfo");
    assert_eq!(sent.body, b"access_token=T0&openid=o1&lang=en");
}

#[test]
fn a_bad_base_url_or_a_nameless_parameter_is_refused_with_the_fix() {
    let mut edit = EditedRequest::of(StepKind::UserInfo, &user_info());
    edit.base_url = "gateway.do".into();
    let e = edit.build(&alipay_app()).unwrap_err();
    assert!(e.to_string().contains("http://"), "{e}");
    edit.base_url = "http://127.0.0.1:9/gateway.do".into();
    edit.params.push((" ".into(), "x".into()));
    let e = edit.build(&alipay_app()).unwrap_err();
    assert_eq!(e, EditError::EmptyName);
}

#[test]
fn an_openapi_v3_request_is_refused_with_the_way_to_edit_it() {
    let edit = EditedRequest::of(StepKind::UserInfo, &user_info());
    let App::Alipay(mut app) = alipay_app() else {
        unreachable!("alipay_app builds an Alipay app")
    };
    app.api = ApiVersion::V3;
    let e = edit.build(&App::Alipay(app)).unwrap_err();
    assert_eq!(e, EditError::V3);
    assert!(e.to_string().contains("--api v2"), "{e}");
}

#[test]
fn a_json_body_is_edited_member_by_member_and_sent_as_json() {
    let original = PreparedRequest {
        method: HttpMethod::Post,
        url: "http://127.0.0.1:9/wxa/business/getuserphonenumber?access_token=T".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: br#"{"code":"abc","force_refresh":false}"#.to_vec(),
        signing: None,
    };
    let mut edit = EditedRequest::of(StepKind::PhoneNumber, &original);
    assert_eq!(
        edit.params,
        vec![
            ("access_token".to_owned(), "T".to_owned()),
            ("code".to_owned(), "abc".to_owned()),
            ("force_refresh".to_owned(), "false".to_owned()),
        ]
    );
    set(&mut edit, "code", "123");
    set(&mut edit, "force_refresh", "true");
    edit.params.push(("extra".into(), "7".into()));
    let sent = edit.build(&wechat_app()).unwrap();
    assert_eq!(
        sent.url,
        "http://127.0.0.1:9/wxa/business/getuserphonenumber?access_token=T"
    );
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": "123", "force_refresh": true, "extra": 7})
    );
    assert_eq!(edit.changed(), vec!["code", "force_refresh", "extra"]);
}
