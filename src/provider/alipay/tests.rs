use time::macros::datetime;

use super::*;

fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn canonical_string_sorts_by_bytes_drops_sign_and_blank() {
    let params = p(&[
        ("b", "2"),
        ("a_b", "x y"),
        ("sign", "zzz"),
        ("a", "1"),
        ("empty", ""),
        ("blank", " \t"),
        ("Z", "upper sorts first"),
    ]);
    assert_eq!(
        canonical_string(&params),
        "Z=upper sorts first&a=1&a_b=x y&b=2"
    );
}

#[test]
fn timestamp_is_china_time_whatever_the_offset() {
    assert_eq!(
        format_timestamp(datetime!(2024-05-20 04:34:56 UTC)),
        "2024-05-20 12:34:56"
    );
    assert_eq!(
        format_timestamp(datetime!(2024-05-19 23:34:56 -5)),
        "2024-05-20 12:34:56"
    );
}

#[test]
fn gateway_call_builders() {
    let call = GatewayCall::token_by_code(
        "2021",
        "c0de",
        SignType::Rsa2,
        datetime!(2024-05-20 04:34:56 UTC),
    );
    assert_eq!(
        canonical_string(&call.all_params()),
        "app_id=2021&charset=utf-8&code=c0de&format=JSON&grant_type=authorization_code&\
         method=alipay.system.oauth.token&sign_type=RSA2&timestamp=2024-05-20 12:34:56&version=1.0"
    );
    let call = GatewayCall::user_info(
        "2021",
        "tok",
        SignType::Rsa,
        datetime!(2024-05-20 04:34:56 UTC),
    );
    assert!(canonical_string(&call.all_params()).starts_with("app_id=2021&auth_token=tok&"));
}

#[test]
fn locate_handles_whitespace_strings_and_errors() {
    let body = "{ \"alipay_system_oauth_token_response\" :\n  {\"a\":\"}{\\\\\",\"b\":{\"c\":1}} ,\"sign\":\"x\"}";
    let s = locate(body, Some(METHOD_OAUTH_TOKEN)).unwrap();
    assert_eq!(s.content, "{\"a\":\"}{\\\\\",\"b\":{\"c\":1}}");
    assert_eq!(&body[s.range.clone()], s.content);

    let err = "{\"error_response\":{\"code\":\"40002\"}}";
    assert_eq!(
        locate(err, Some(METHOD_USER_INFO)).unwrap().node,
        "error_response"
    );
    assert_eq!(
        locate("{\"other\":1}", Some(METHOD_USER_INFO)),
        Err(LocateError::NoNode {
            expected: "alipay_user_info_share_response".into()
        })
    );
    assert!(matches!(
        locate("{\"alipay_user_info_share_response\":{\"a\":\"b", None),
        Err(LocateError::Unterminated { .. })
    ));
    assert!(matches!(
        locate("{\"alipay_user_info_share_response\":42}", None),
        Err(LocateError::NotObject { .. })
    ));
    // An AES-encrypted node is a JSON string.
    let enc = "{\"alipay_user_info_share_response\":\"Zm9v\\\"YmFy\",\"sign\":\"s\"}";
    assert_eq!(locate(enc, None).unwrap().content, "\"Zm9v\\\"YmFy\"");
    // Without a method, a non-error node wins over error_response.
    let both = "{\"error_response\":{},\"alipay_x_response\":{}}";
    assert_eq!(locate(both, None).unwrap().node, "alipay_x_response");
}

#[test]
fn decode_keeps_unknown_fields_and_both_lifetime_types() {
    let body = br#"{"alipay_system_oauth_token_response":{"user_id":"2088","access_token":"t","expires_in":"3600","re_expires_in":1296000,"brand_new":"kept"},"sign":"x"}"#;
    let d: Decoded<OauthToken> = decode(body, METHOD_OAUTH_TOKEN, Charset::Utf8).unwrap();
    assert_eq!(d.value.expires_in, Some(Lifetime(3600)));
    assert_eq!(d.value.re_expires_in, Some(Lifetime(1_296_000)));
    assert_eq!(
        d.value.extra.get("brand_new").and_then(|v| v.as_str()),
        Some("kept")
    );
    assert!(d.value.status.is_success());

    let err = br#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"x"}}"#;
    let d: Decoded<OauthToken> = decode(err, METHOD_OAUTH_TOKEN, Charset::Utf8).unwrap();
    assert!(d.is_error_node());
    assert!(!d.value.status.is_success());

    let bad = br#"{"alipay_system_oauth_token_response":{"expires_in":"soon"}}"#;
    assert!(matches!(
        decode::<OauthToken>(bad, METHOD_OAUTH_TOKEN, Charset::Utf8),
        Err(DecodeError::Shape { .. })
    ));
    assert!(matches!(
        decode::<UserInfo>(b"<html>502</html>", METHOD_USER_INFO, Charset::Utf8),
        Err(DecodeError::NotJson(_))
    ));
}

#[test]
fn charsets() {
    assert_eq!(
        Charset::Gbk.encode("中文").unwrap().as_ref(),
        &[0xd6, 0xd0, 0xce, 0xc4]
    );
    assert_eq!(
        Charset::Gbk.decode(&[0xd6, 0xd0, 0xce, 0xc4]).unwrap(),
        "中文"
    );
    let e = Charset::Utf8.decode(&[b'a', 0xd6, 0xd0]).unwrap_err();
    assert!(e.to_string().contains("offset 1"), "{e}");
    assert!(e.to_string().contains("decode as GBK"), "{e}");
    assert!("latin1".parse::<Charset>().is_err());
    assert_eq!("UTF8".parse::<Charset>(), Ok(Charset::Utf8));
    assert_eq!("rsa2".parse::<SignType>(), Ok(SignType::Rsa2));
}
