//! Known-answer vectors: request signing, response verification, certificate SNs and the
//! authorize URL, all from `tests/vectors/alipay/` (generated independently with Python
//! `cryptography`, `openssl dgst` and Node `crypto`).

use std::path::{Path, PathBuf};
use std::process::Command;

use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::provider::alipay::{
    self, AuthorizeRequest, Charset, Outcome, SignType, canonical_string, cert, prepare_params,
    sign_params, verify_response,
};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/alipay")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).expect("vector file is JSON")
}

fn vectors(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("vector folder is readable")
        .map(|e| {
            e.expect("vector entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| {
            n.starts_with(prefix)
                && Path::new(n).extension().is_some_and(|e| e == "json")
                && !n.contains(".body.")
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no {prefix} vectors");
    names
}

fn private_spellings() -> Vec<PrivateKey> {
    [
        "app_private_key_pkcs8.pem",
        "app_private_key_pkcs1.pem",
        "app_private_key_pkcs8_oneline.txt",
        "app_private_key_pkcs1_oneline.txt",
    ]
    .iter()
    .map(|f| PrivateKey::parse(&read(f)).expect("vector key parses"))
    .collect()
}

fn params_of(v: &Value) -> Vec<(String, String)> {
    v["params_before_signing"]
        .as_object()
        .expect("params_before_signing is an object")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("params are strings").to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_request_vector_signs_identically_with_all_four_key_spellings() {
    let keys = private_spellings();
    for name in vectors("v1_req_") {
        let v = json(&name);
        let params = params_of(&v);
        let sign_type: SignType = v["sign_type"].as_str().unwrap().parse().unwrap();
        let canonical = canonical_string(&params);
        assert_eq!(canonical, v["canonical_string"].as_str().unwrap(), "{name}");
        assert_eq!(
            canonical,
            read(v["canonical_string_file"].as_str().unwrap()),
            "{name}"
        );
        for key in &keys {
            let trace = sign_params(&params, sign_type, Charset::Utf8, key).unwrap();
            assert_eq!(
                trace.canonical_sha256,
                v["canonical_string_sha256_hex"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(
                trace.signature,
                v["expected_sign"].as_str().unwrap(),
                "{name} {:?}",
                key.info()
            );
        }
    }
}

#[test]
fn every_request_vector_has_the_java_sdk_wire_layout() {
    let key = &private_spellings()[0];
    for name in vectors("v1_req_") {
        let v = json(&name);
        let sign_type: SignType = v["sign_type"].as_str().unwrap().parse().unwrap();
        let req = prepare_params(
            alipay::GATEWAY_PRODUCTION,
            &params_of(&v),
            sign_type,
            Charset::Utf8,
            key,
        )
        .unwrap();
        assert_eq!(req.url, v["http"]["url"].as_str().unwrap(), "{name}");
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            v["http"]["body"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            req.headers[0].1,
            v["http"]["content_type"].as_str().unwrap()
        );
    }
}

#[test]
fn edge_case_vector_drops_empty_and_blank_values() {
    let v = json("v1_req_edge_cases_rsa2.json");
    let trace = sign_params(
        &params_of(&v),
        SignType::Rsa2,
        Charset::Utf8,
        &private_spellings()[0],
    )
    .unwrap();
    assert_eq!(trace.dropped, vec!["notify_url", "return_url"]);
}

#[test]
fn every_response_vector_gives_its_outcome_and_sign_source() {
    let key = PublicKey::parse(&read("fake_alipay_public_key.pem")).unwrap();
    for name in vectors("v1_resp_") {
        let v = json(&name);
        let body = read(v["raw_body_file"].as_str().unwrap());
        let expected = match (
            &v["sign"],
            &v["verifies_directly"],
            &v["verifies_after_replacing_escaped_slash"],
        ) {
            (Value::Null, _, _) => Outcome::Unsigned,
            (_, Value::Bool(true), _) => Outcome::Verified,
            (_, Value::Bool(false), Value::Bool(true)) => Outcome::VerifiedUnescaped,
            other => panic!("{name}: unexpected expectation {other:?}"),
        };
        let method = v["method"].as_str().unwrap();
        let verification = verify_response(
            body.as_bytes(),
            Some(method),
            SignType::Rsa2,
            Charset::Utf8,
            &key,
        );
        assert_eq!(
            verification.outcome, expected,
            "{name}: {}",
            verification.reason
        );
        assert_eq!(
            verification.node.as_deref(),
            v["located_node"].as_str(),
            "{name}"
        );
        let source = v["expected_sign_source"].as_str().unwrap();
        assert_eq!(verification.signed_text.as_deref(), Some(source), "{name}");
        assert_eq!(
            source,
            read(v["expected_sign_source_file"].as_str().unwrap()),
            "{name}"
        );
        assert_eq!(
            source.len(),
            usize::try_from(v["sign_source_utf8_length"].as_u64().unwrap()).unwrap()
        );
        // Without the method the node is found all the same.
        let guessed = verify_response(body.as_bytes(), None, SignType::Rsa2, Charset::Utf8, &key);
        assert_eq!(guessed.outcome, expected, "{name} without --method");
    }
}

#[test]
fn certificate_mode_response_exposes_its_cert_sn() {
    let key = PublicKey::parse(&read("fake_alipay_public_key.pem")).unwrap();
    let body = read("v1_resp_user_info_share_certmode.body.json");
    let v = verify_response(
        body.as_bytes(),
        Some(alipay::METHOD_USER_INFO),
        SignType::Rsa2,
        Charset::Utf8,
        &key,
    );
    assert_eq!(
        v.cert_sn.as_deref(),
        Some("f4b14ec12d42947abb6c15e8314a0036")
    );
}

#[test]
fn negative_cases() {
    let alipay_key = PublicKey::parse(&read("fake_alipay_public_key.pem")).unwrap();
    let app_key = PublicKey::parse(&read("app_public_key.pem")).unwrap();
    let body = read("v1_resp_user_info_share_ok.body.json");
    let check = |body: &str, key: &PublicKey| {
        verify_response(
            body.as_bytes(),
            Some(alipay::METHOD_USER_INFO),
            SignType::Rsa2,
            Charset::Utf8,
            key,
        )
    };

    // The app's own public key instead of Alipay's.
    let v = check(&body, &app_key);
    assert_eq!(v.outcome, Outcome::Mismatch);
    assert!(
        v.reason.contains("not the Alipay public key"),
        "{}",
        v.reason
    );

    // One changed byte in the data.
    let v = check(&body.replace("杭州市", "杭州币"), &alipay_key);
    assert_eq!(v.outcome, Outcome::Mismatch);

    // A forged node appended after the real one.
    let forged = format!(
        "{},\"x\":{{\"alipay_user_info_share_response\":{{\"user_id\":\"2088666\"}}}}}}",
        &body[..body.len() - 1]
    );
    let v = check(&forged, &alipay_key);
    assert_eq!(v.outcome, Outcome::Mismatch, "{}", v.reason);
    assert!(v.reason.contains("appears twice"));

    // An empty sign.
    let empty = body.split(",\"sign\"").next().unwrap().to_owned() + ",\"sign\":\"\"}";
    let v = check(&empty, &alipay_key);
    assert_eq!(v.outcome, Outcome::Unsigned);
    assert!(v.reason.contains("do not trust"), "{}", v.reason);

    // A tampered signature.
    let sign_at = body.find("\"sign\":\"").unwrap() + 8;
    let mut tampered = body.clone();
    let c = if &body[sign_at..=sign_at] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(sign_at..=sign_at, c);
    assert_eq!(check(&tampered, &alipay_key).outcome, Outcome::Mismatch);

    // HTML where JSON was expected, and a truncated body.
    let v = check(
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        &alipay_key,
    );
    assert_eq!(v.outcome, Outcome::Unsigned);
    assert!(v.reason.contains("HTML, not JSON"), "{}", v.reason);
    let v = check(&body[..200], &alipay_key);
    assert_eq!(v.outcome, Outcome::Unsigned);
    assert!(v.reason.contains("cut off"), "{}", v.reason);

    // Signed with RSA (SHA1) while RSA2 was expected: said so.
    let fake_private = PrivateKey::parse(&read("fake_alipay_private_key_pkcs8.pem")).unwrap();
    let node = r#"{"code":"10000","msg":"Success","user_id":"2088000000000001"}"#;
    let sig = authwalk::keys::base64_encode(
        &fake_private.sign(authwalk::keys::HashAlg::Sha1, node.as_bytes()),
    );
    let sha1_body = format!(r#"{{"alipay_user_info_share_response":{node},"sign":"{sig}"}}"#);
    let v = check(&sha1_body, &alipay_key);
    assert_eq!(v.outcome, Outcome::Mismatch);
    assert!(
        v.reason.contains("signed with RSA (SHA1withRSA), not RSA2"),
        "{}",
        v.reason
    );
}

#[test]
fn gbk_request_and_response() {
    let key = &private_spellings()[0];
    let params = vec![
        ("app_id".to_owned(), "2021000000000001".to_owned()),
        ("method".to_owned(), "alipay.user.info.share".to_owned()),
        ("charset".to_owned(), "GBK".to_owned()),
        ("sign_type".to_owned(), "RSA2".to_owned()),
        ("biz_content".to_owned(), "{\"memo\":\"中文\"}".to_owned()),
    ];
    let req = prepare_params(
        alipay::GATEWAY_PRODUCTION,
        &params,
        SignType::Rsa2,
        Charset::Gbk,
        key,
    )
    .unwrap();
    // 中文 in GBK is D6 D0 CE C4.
    assert!(
        String::from_utf8(req.body.clone())
            .unwrap()
            .contains("%D6%D0%CE%C4")
    );
    let trace = req.signing.unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(&trace.canonical);
    assert!(key.public_key().verify(
        authwalk::keys::HashAlg::Sha256,
        &gbk,
        &authwalk::keys::base64_decode_signature(&trace.signature).unwrap()
    ));

    // An emoji cannot be sent as GBK: a clear error, not mojibake.
    let mut bad = params.clone();
    bad.push(("x".to_owned(), "😀".to_owned()));
    let e = sign_params(&bad, SignType::Rsa2, Charset::Gbk, key).unwrap_err();
    assert!(
        e.to_string().contains("'😀' cannot be written in GBK"),
        "{e}"
    );

    // A GBK response body verifies over its GBK bytes.
    let alipay_private = PrivateKey::parse(&read("fake_alipay_private_key_pkcs8.pem")).unwrap();
    let node = r#"{"code":"10000","msg":"Success","city":"杭州市"}"#;
    let (node_gbk, _, _) = encoding_rs::GBK.encode(node);
    let sig = authwalk::keys::base64_encode(
        &alipay_private.sign(authwalk::keys::HashAlg::Sha256, &node_gbk),
    );
    let body = format!(r#"{{"alipay_user_info_share_response":{node},"sign":"{sig}"}}"#);
    let (body_gbk, _, _) = encoding_rs::GBK.encode(&body);
    let alipay_public = alipay_private.public_key();
    let v = verify_response(
        &body_gbk,
        Some(alipay::METHOD_USER_INFO),
        SignType::Rsa2,
        Charset::Gbk,
        &alipay_public,
    );
    assert_eq!(v.outcome, Outcome::Verified, "{}", v.reason);
    // Declared utf-8 but sent GBK: decoded as GBK all the same, and still verified.
    let v = verify_response(
        &body_gbk,
        Some(alipay::METHOD_USER_INFO),
        SignType::Rsa2,
        Charset::Utf8,
        &alipay_public,
    );
    assert_eq!(v.outcome, Outcome::Verified, "{}", v.reason);
}

#[test]
fn certificate_serial_numbers() {
    let v = json("cert_sn.json");
    assert_eq!(
        cert::cert_sn_pem(&read("certs/appCertPublicKey_test.crt")).unwrap(),
        v["app_cert"]["app_cert_sn"].as_str().unwrap()
    );
    assert_eq!(
        cert::cert_sn_pem(&read("certs/alipayCertPublicKey_test.crt")).unwrap(),
        v["alipay_public_cert"]["alipay_cert_sn"].as_str().unwrap()
    );
    assert_eq!(
        cert::root_cert_sn(&read("certs/alipayRootCert_test.crt")).unwrap(),
        v["root_bundle"]["alipay_root_cert_sn"].as_str().unwrap()
    );
    let certs = cert::certificates(&read("certs/alipayRootCert_test.crt")).unwrap();
    for (c, expected) in certs
        .iter()
        .zip(v["root_bundle"]["certificates"].as_array().unwrap())
    {
        assert_eq!(cert::sn_input(c), expected["md5_input"].as_str().unwrap());
    }
    assert_eq!(
        cert::cert_sn_pem("no cert here"),
        Err(cert::CertError::NoCertificate)
    );
}

#[test]
fn authorize_urls_and_callback() {
    let v = json("authorize_url.json");
    let inputs = &v["inputs"];
    let req = AuthorizeRequest {
        app_id: inputs["app_id"].as_str().unwrap().into(),
        scope: inputs["scope"].as_str().unwrap().into(),
        redirect_uri: inputs["redirect_uri"].as_str().unwrap().into(),
        state: Some(inputs["state_base64"].as_str().unwrap().into()),
    };
    let env = alipay::Environment::Production;
    assert_eq!(
        alipay::authorize_url(&env.authorize_url(), &req),
        v["authorize_url"].as_str().unwrap()
    );
    let env = alipay::Environment::Sandbox;
    assert_eq!(
        alipay::authorize_url(&env.authorize_url(), &req),
        v["sandbox_authorize_url"].as_str().unwrap()
    );
    let env = alipay::Environment::Custom {
        base: "http://127.0.0.1:8123/".into(),
    };
    assert!(
        alipay::authorize_url(&env.authorize_url(), &req).starts_with(
            "http://127.0.0.1:8123/oauth2/publicAppAuthorize.htm?app_id=2021000000000001&"
        )
    );

    let cb = alipay::parse_callback(v["illustrative_callback_url"].as_str().unwrap()).unwrap();
    let parsed = &v["callback_parsed"];
    assert_eq!(cb.auth_code.as_deref(), parsed["auth_code"].as_str());
    assert_eq!(cb.state.as_deref(), parsed["state"].as_str());
    assert_eq!(cb.app_id.as_deref(), parsed["app_id"].as_str());
    assert_eq!(cb.source.as_deref(), Some("alipay_wallet"));
    assert_eq!(cb.extra, vec![("from".to_owned(), "cli".to_owned())]);
    assert_eq!(
        alipay::parse_callback("https://x/cb?code=abc&state=1"),
        Err(alipay::CallbackError::WechatCode)
    );
    assert_eq!(
        alipay::parse_callback(" 0b6c1e9f ")
            .unwrap()
            .auth_code
            .as_deref(),
        Some("0b6c1e9f")
    );
}

/// Round trip through an independent implementation: OpenSSL signs the same canonical string
/// to the same bytes, and verifies ours.
#[test]
fn openssl_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let v = json("v1_req_user_info_share_rsa2.json");
    let trace = sign_params(
        &params_of(&v),
        SignType::Rsa2,
        Charset::Utf8,
        &private_spellings()[0],
    )
    .unwrap();
    let data = tmp.path().join("canonical.txt");
    std::fs::write(&data, &trace.canonical).unwrap();

    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(dir().join("app_private_key_pkcs1.pem"))
        .arg(&data)
        .output()
        .expect("openssl must be installed (the CI script installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(authwalk::keys::base64_encode(&out.stdout), trace.signature);

    let sig = tmp.path().join("sig.bin");
    std::fs::write(
        &sig,
        authwalk::keys::base64_decode_signature(&trace.signature).unwrap(),
    )
    .unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir().join("app_public_key.pem"))
        .arg("-signature")
        .arg(&sig)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");
}
