//! The control API: manifest, faults, scenarios, auth codes for scripts, bounded memory.

use std::os::unix::fs::PermissionsExt as _;
use std::time::{Duration, Instant};

use authwalk::provider::alipay::{METHOD_OAUTH_TOKEN, METHOD_USER_INFO, Outcome};
use authwalk::sandbox::{Manifest, Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::{
    app, approve, client, control_client, exchange, post_json, start, sub_code, user_info,
};

const TOKEN_NODE: &str = "alipay_system_oauth_token_response";
const INFO_NODE: &str = "alipay_user_info_share_response";

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("file exists")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_is_written_with_private_files_0600_and_kept_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SandboxConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..SandboxConfig::default()
    };
    let first = Sandbox::start(config.clone()).await.expect("starts");
    let path = dir.path().join("sandbox.json");
    let written: Manifest =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("manifest")).expect("parses");
    assert_eq!(&written, first.manifest());
    assert_eq!(mode(&path), 0o600);
    let app0 = &written.alipay.apps[0];
    assert_eq!(mode(&app0.app_private_key), 0o600);
    assert!(app0.alipay_public_key.is_absolute());
    assert!(written.alipay.gateway.ends_with("/gateway.do"));
    assert!(written.control.ends_with("/__sandbox"));
    assert_eq!(
        written.alipay.apps.len(),
        authwalk::sandbox::ALIPAY_APP_IDS.len()
    );
    assert_eq!(written.wechat.apps.len(), 4);
    let served: Manifest = control_client(&first)
        .get(&written.control)
        .send()
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    assert_eq!(served, written);
    let key = std::fs::read_to_string(&app0.app_private_key).expect("key");
    let cert_app = written
        .alipay
        .apps
        .iter()
        .find(|a| a.app_id == authwalk::sandbox::CERT_ALIPAY_APP)
        .expect("the certificate app");
    let app_cert = cert_app
        .app_cert
        .clone()
        .expect("a certificate app lists app_cert");
    let cert = std::fs::read_to_string(&app_cert).expect("app certificate");
    first.shutdown().await;

    let second = Sandbox::start(config).await.expect("restarts");
    let again =
        std::fs::read_to_string(&second.manifest().alipay.apps[0].app_private_key).expect("key");
    assert_eq!(key, again, "keys are kept");
    let cert_again = std::fs::read_to_string(&app_cert).expect("app certificate");
    assert_eq!(
        cert, cert_again,
        "the same keys give the same certificate, and SN"
    );
    assert_eq!(
        second.manifest().wechat.apps[0].secret,
        written.wechat.apps[0].secret
    );
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_code_api_acts_like_my_get_auth_code() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let resp: serde_json::Value = control_client(&sandbox)
        .post(format!("{}/alipay/auth-code", sandbox.manifest().control))
        .json(&json!({
            "app_id": "2021000000000001",
            "scope": "auth_user",
            "user": "alipay-student",
        }))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let code = resp["authCode"].as_str().expect("authCode");
    let reply = exchange(&sandbox, &app0, code).await;
    let token = reply.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("token");
    let info = user_info(&sandbox, &app0, token).await;
    assert_eq!(info.node(INFO_NODE)["is_student_certified"], "T");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_number_api_acts_like_my_get_phone_number() {
    use authwalk::keys::PublicKey;
    use authwalk::provider::alipay::aes::EncryptKey;
    use authwalk::provider::alipay::phone::{self, SignCheck};
    let sandbox = start().await;
    let ask = |body: serde_json::Value| {
        let sandbox = &sandbox;
        async move {
            control_client(sandbox)
                .post(format!(
                    "{}/alipay/phone-number",
                    sandbox.manifest().control
                ))
                .json(&body)
                .send()
                .await
                .expect("answers")
                .text()
                .await
                .expect("text")
        }
    };
    let entry = sandbox.manifest().alipay.apps[0].clone();
    let key = EncryptKey::parse(entry.encrypt_key.as_deref().expect("app 1 has an AES key"))
        .expect("key");
    let alipay_key = PublicKey::parse(
        &std::fs::read_to_string(&entry.alipay_public_key).expect("alipay public key"),
    )
    .expect("parses");
    let open = |body: &str| {
        phone::open(
            &phone::parse_envelope(body).expect("envelope"),
            Some(&key),
            Some(&alipay_key),
        )
    };
    let ok = open(&ask(json!({"app_id": entry.app_id, "user": "alipay-student"})).await);
    assert_eq!(ok.signature, SignCheck::Verified);
    assert!(
        ok.mobile
            .as_deref()
            .is_some_and(|m| m.len() == 11 && m.starts_with('1'))
    );
    let refused = open(&ask(json!({"app_id": entry.app_id, "consent": false})).await);
    assert_eq!(refused.signature, SignCheck::Verified);
    assert_eq!(
        refused.error.map(|e| e.1),
        Some("isv.invalid-auth-relations".to_owned())
    );
    // The other app with an AES key has not added the phone-number feature.
    let other = sandbox.manifest().alipay.apps[6].clone();
    let other_key = EncryptKey::parse(other.encrypt_key.as_deref().expect("key")).expect("key");
    let body = ask(json!({"app_id": other.app_id})).await;
    let opened = phone::open(
        &phone::parse_envelope(&body).expect("envelope"),
        Some(&other_key),
        Some(&alipay_key),
    );
    assert_eq!(
        opened.error.map(|e| e.1),
        Some("isv.insufficient-isv-permissions".to_owned())
    );
    // An app with no AES key: the error in clear, unsigned.
    let body = ask(json!({"app_id": "2021000000000002"})).await;
    let opened = phone::open(&phone::parse_envelope(&body).expect("envelope"), None, None);
    assert_eq!(opened.signature, SignCheck::Unsigned);
    assert_eq!(
        opened.error.map(|e| e.1),
        Some("isv.missing-encrypt-key".to_owned())
    );
}

async fn arm(sandbox: &authwalk::sandbox::SandboxHandle, fault: serde_json::Value) {
    let answer = post_json(
        sandbox,
        &format!("{}/faults", sandbox.manifest().control),
        &fault,
    )
    .await;
    assert!(answer["faults"].is_array(), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alipay_faults() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);

    // Service unavailable: signed 20000, and the code survives for a retry.
    arm(&sandbox, json!({"provider":"alipay","method":METHOD_OAUTH_TOKEN,"fault":"service-unavailable","count":1})).await;
    let code = approve(
        &sandbox,
        "2021000000000001",
        "auth_user",
        "alipay-certified",
    )
    .await;
    let busy = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&busy, "error_response"), "isp.unknow-error");
    assert_eq!(busy.node("error_response")["code"], "20000");
    assert!(busy.verified());
    let ok = exchange(&sandbox, &app0, &code).await;
    let token = ok.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Tampered signature: the check fails.
    arm(
        &sandbox,
        json!({"provider":"alipay","method":METHOD_USER_INFO,"fault":"tampered-signature"}),
    )
    .await;
    let tampered = user_info(&sandbox, &app0, &token).await;
    assert_eq!(tampered.verification.outcome, Outcome::Mismatch);
    assert!(
        user_info(&sandbox, &app0, &token).await.verified(),
        "count 1 disarms"
    );

    // HTML 502 from the load balancer.
    arm(
        &sandbox,
        json!({"provider":"alipay","method":METHOD_USER_INFO,"fault":"html-502"}),
    )
    .await;
    let html = user_info(&sandbox, &app0, &token).await;
    assert_eq!(html.status, 502);
    assert!(String::from_utf8_lossy(&html.body).contains("502 Bad Gateway"));
    assert_eq!(html.verification.outcome, Outcome::Unsigned);

    // Truncated body.
    arm(
        &sandbox,
        json!({"provider":"alipay","method":METHOD_USER_INFO,"fault":"truncated"}),
    )
    .await;
    let cut = user_info(&sandbox, &app0, &token).await;
    assert!(cut.json.is_none());
    assert!(!cut.verified());

    // Slow: the answer comes, correct, after the delay.
    arm(
        &sandbox,
        json!({"provider":"alipay","method":"*","fault":"slow","delay_ms":300}),
    )
    .await;
    let started = Instant::now();
    let slow = user_info(&sandbox, &app0, &token).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(slow.verified());

    let listed: serde_json::Value = control_client(&sandbox)
        .get(format!("{}/faults", sandbox.manifest().control))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed["faults"],
        json!([]),
        "every fault fired once and disarmed"
    );
    let bad = control_client(&sandbox)
        .post(format!("{}/faults", sandbox.manifest().control))
        .json(&json!({"provider":"alipay","fault":"explode"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_reproduce_their_failure() {
    let sandbox = start().await;
    let app0 = app(&sandbox, 0);
    let control = sandbox.manifest().control.clone();

    let applied = post_json(
        &sandbox,
        &format!("{control}/scenario"),
        &json!({"name":"expired-code"}),
    )
    .await;
    assert_eq!(applied["name"], "expired-code");
    let code = approve(
        &sandbox,
        "2021000000000001",
        "auth_user",
        "alipay-certified",
    )
    .await;
    let reply = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&reply, "error_response"), "isv.code-invalid");

    post_json(
        &sandbox,
        &format!("{control}/scenario"),
        &json!({"name":"wrong-scope"}),
    )
    .await;
    let code = approve(
        &sandbox,
        "2021000000000001",
        "auth_user",
        "alipay-certified",
    )
    .await;
    let reply = exchange(&sandbox, &app0, &code).await;
    let token = reply.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let info = user_info(&sandbox, &app0, &token).await;
    assert_eq!(sub_code(&info, INFO_NODE), "aop.invalid-auth-token");

    post_json(
        &sandbox,
        &format!("{control}/scenario"),
        &json!({"name":"frozen-user"}),
    )
    .await;
    let page = client()
        .get(crate::common::authorize_url(
            &sandbox,
            "2021000000000001",
            "auth_user",
            "s",
        ))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains(r#"value="alipay-frozen" checked"#));

    post_json(
        &sandbox,
        &format!("{control}/scenario"),
        &json!({"name":"gateway-busy"}),
    )
    .await;
    let code = approve(
        &sandbox,
        "2021000000000001",
        "auth_user",
        "alipay-certified",
    )
    .await;
    let busy = exchange(&sandbox, &app0, &code).await;
    assert_eq!(sub_code(&busy, "error_response"), "isp.unknow-error");
    let retry = exchange(&sandbox, &app0, &code).await;
    let token = retry.node(TOKEN_NODE)["access_token"]
        .as_str()
        .expect("the retry succeeds")
        .to_owned();

    post_json(
        &sandbox,
        &format!("{control}/scenario"),
        &json!({"name":"tampered-response"}),
    )
    .await;
    let tampered = user_info(&sandbox, &app0, &token).await;
    assert_eq!(tampered.verification.outcome, Outcome::Mismatch);

    let unknown = control_client(&sandbox)
        .post(format!("{control}/scenario"))
        .json(&json!({"name":"nope"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(unknown.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_entries_are_purged() {
    let sandbox = start().await;
    let control = sandbox.manifest().control.clone();
    for _ in 0..50 {
        approve(
            &sandbox,
            "2021000000000001",
            "auth_base",
            "alipay-certified",
        )
        .await;
    }
    let held = |v: serde_json::Value| v["alipay_held"].as_u64().expect("count");
    let stats = || async {
        control_client(&sandbox)
            .get(format!("{control}/stats"))
            .send()
            .await
            .expect("stats")
            .json::<serde_json::Value>()
            .await
            .expect("json")
    };
    assert!(held(stats().await) >= 50);
    post_json(
        &sandbox,
        &format!("{control}/clock/advance"),
        &json!({"seconds": 8 * 24 * 3600}),
    )
    .await;
    approve(
        &sandbox,
        "2021000000000001",
        "auth_base",
        "alipay-certified",
    )
    .await;
    assert_eq!(held(stats().await), 1, "only the fresh code is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_clock_moves_are_clamped_not_fatal() {
    let sandbox = start().await;
    let control = sandbox.manifest().control.clone();
    let far = post_json(
        &sandbox,
        &format!("{control}/clock/advance"),
        &json!({"seconds": i64::MAX}),
    )
    .await;
    assert!(far["offset_seconds"].as_i64().expect("offset") < i64::MAX);
    let back = post_json(
        &sandbox,
        &format!("{control}/clock/advance"),
        &json!({"seconds": i64::MIN}),
    )
    .await;
    assert!(back["unix"].is_i64());
    let reset = -back["offset_seconds"].as_i64().expect("offset");
    post_json(
        &sandbox,
        &format!("{control}/clock/advance"),
        &json!({"seconds": reset}),
    )
    .await;
    let app0 = app(&sandbox, 0);
    let code = approve(
        &sandbox,
        "2021000000000001",
        "auth_user",
        "alipay-certified",
    )
    .await;
    assert!(exchange(&sandbox, &app0, &code).await.verified());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_json_has_the_contract_shape() {
    let sandbox = start().await;
    let text = std::fs::read_to_string(sandbox.manifest_path()).expect("sandbox.json");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let base = sandbox.base_url();
    assert_eq!(m["alipay"]["gateway"], format!("{base}/gateway.do"));
    assert_eq!(
        m["alipay"]["authorize"],
        format!("{base}/oauth2/publicAppAuthorize.htm")
    );
    assert_eq!(m["wechat"]["open_base"], base);
    assert_eq!(m["wechat"]["api_base"], base);
    assert_eq!(m["control"], format!("{base}/__sandbox"));
    for app in m["alipay"]["apps"].as_array().expect("apps") {
        for key in [
            "app_id",
            "sign_type",
            "charset",
            "app_private_key",
            "app_public_key",
            "alipay_public_key",
            "redirect_uri",
        ] {
            assert!(app[key].is_string(), "alipay app {key}");
        }
        // The identity contract: id_mode, approved date; union_group and encrypt_key when set.
        assert!(matches!(
            app["id_mode"].as_str(),
            Some("uid" | "openid" | "both")
        ));
        let approved = app["approved"].as_str().expect("approved");
        assert!(
            approved.len() == 10 && approved.as_bytes()[4] == b'-',
            "{approved}"
        );
        for key in ["union_group", "encrypt_key"] {
            assert!(
                app.get(key).is_none_or(serde_json::Value::is_string),
                "{key}"
            );
        }
        for key in ["app_private_key", "app_public_key", "alipay_public_key"] {
            let path = std::path::Path::new(app[key].as_str().expect("path"));
            assert!(path.is_absolute() && path.is_file(), "{key}");
        }
    }
    let sign_types: Vec<&str> = m["alipay"]["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["sign_type"].as_str().expect("s"))
        .collect();
    assert!(sign_types.contains(&"RSA2") && sign_types.contains(&"RSA"));
    for app in m["wechat"]["apps"].as_array().expect("apps") {
        for key in ["appid", "secret", "redirect_uri"] {
            assert!(app[key].is_string(), "wechat app {key}");
        }
    }
    for user in m["users"].as_array().expect("users") {
        assert!(user["id"].is_string() && user["label"].is_string());
        assert!(matches!(
            user["provider"].as_str(),
            Some("alipay" | "wechat")
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purging_survives_the_clock_moving_back() {
    let sandbox = start().await;
    let control = sandbox.manifest().control.clone();
    let advance = |seconds: i64| {
        let control = control.clone();
        let sandbox = &sandbox;
        async move {
            post_json(
                sandbox,
                &format!("{control}/clock/advance"),
                &json!({ "seconds": seconds }),
            )
            .await
        }
    };
    let held = || async {
        control_client(&sandbox)
            .get(format!("{control}/stats"))
            .send()
            .await
            .expect("stats")
            .json::<serde_json::Value>()
            .await
            .expect("json")["alipay_held"]
            .as_u64()
            .expect("count")
    };
    advance(10 * 365 * 24 * 3600).await;
    approve(
        &sandbox,
        "2021000000000001",
        "auth_base",
        "alipay-certified",
    )
    .await;
    advance(-10 * 365 * 24 * 3600).await;
    for _ in 0..20 {
        approve(
            &sandbox,
            "2021000000000001",
            "auth_base",
            "alipay-certified",
        )
        .await;
    }
    advance(10 * 24 * 3600).await;
    approve(
        &sandbox,
        "2021000000000001",
        "auth_base",
        "alipay-certified",
    )
    .await;
    // The twenty codes from after the move back are gone; the one made ten years ahead is not
    // expired yet, and the fresh one stays.
    assert_eq!(held().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_need_a_count_and_are_bounded() {
    let sandbox = start().await;
    let url = format!("{}/faults", sandbox.manifest().control);
    let post = |body: serde_json::Value| control_client(&sandbox).post(&url).json(&body).send();
    let zero = post(json!({"provider": "alipay", "fault": "html-502", "count": 0}))
        .await
        .expect("answers");
    assert_eq!(zero.status(), 400);
    assert!(
        zero.text()
            .await
            .expect("text")
            .contains("count must be at least 1")
    );
    for _ in 0..64 {
        assert!(
            post(json!({"provider": "alipay", "fault": "slow", "count": 1}))
                .await
                .expect("answers")
                .status()
                .is_success()
        );
    }
    let over = post(json!({"provider": "alipay", "fault": "slow", "count": 1}))
        .await
        .expect("answers");
    assert_eq!(over.status(), 400);
}
