//! The certificate-mode app: its chain, the SN checks with Alipay's sub-codes, and
//! `alipay_cert_sn` in its answers.

use authwalk::provider::alipay::cert::{self, CertSet};
use authwalk::provider::alipay::{METHOD_OAUTH_TOKEN, SignMode};

use crate::common::{App, app, approve, call, send, start, sub_code};

const ERROR_NODE: &str = "error_response";
const CERT_APP: &str = "2021000000000005";

fn cert_app(sandbox: &authwalk::sandbox::SandboxHandle) -> (App, CertSet) {
    let index = sandbox
        .manifest()
        .alipay
        .apps
        .iter()
        .position(|a| a.app_id == CERT_APP)
        .expect("the certificate app is registered");
    let app = app(sandbox, index);
    assert_eq!(app.entry.mode, SignMode::Cert);
    let read = |p: &Option<std::path::PathBuf>| {
        std::fs::read_to_string(p.as_ref().expect("a certificate path")).expect("readable")
    };
    let set = CertSet::from_pem(
        &read(&app.entry.app_cert),
        &read(&app.entry.alipay_cert),
        &read(&app.entry.alipay_root_cert),
    )
    .expect("the chain reads");
    (app, set)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_lists_modes_and_a_bundle_with_a_skipped_root() {
    let sandbox = start().await;
    let apps = &sandbox.manifest().alipay.apps;
    for a in apps {
        let cert_paths = [&a.app_cert, &a.alipay_cert, &a.alipay_root_cert];
        match a.mode {
            SignMode::Cert => assert!(cert_paths.iter().all(|p| p.is_some()), "{}", a.app_id),
            SignMode::Key => assert!(cert_paths.iter().all(|p| p.is_none()), "{}", a.app_id),
        }
    }
    let json = serde_json::to_value(apps).expect("serializes");
    assert_eq!(json[0]["mode"], "key");
    let (app, set) = cert_app(&sandbox);
    let bundle =
        std::fs::read_to_string(app.entry.alipay_root_cert.as_ref().expect("root")).expect("read");
    let certs = cert::certificates(&bundle).expect("bundle parses");
    assert_eq!(certs.len(), 3, "two RSA roots and an ECDSA one");
    assert_eq!(
        set.root_cert_sn.split('_').count(),
        2,
        "the ECDSA root is skipped"
    );
    assert!(
        set.traces[1].how.contains("skipped"),
        "{}",
        set.traces[1].how
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_or_missing_sns_get_alipays_sub_codes() {
    let sandbox = start().await;
    let (app, set) = cert_app(&sandbox);
    let token = |app_sn: Option<&str>, root_sn: Option<&str>| {
        let mut c = call(&sandbox, &app, METHOD_OAUTH_TOKEN)
            .param("grant_type", "authorization_code")
            .param("code", "nonexistent");
        if let Some(sn) = app_sn {
            c = c.param("app_cert_sn", sn);
        }
        if let Some(sn) = root_sn {
            c = c.param("alipay_root_cert_sn", sn);
        }
        c
    };
    let cases = [
        (
            None,
            Some(set.root_cert_sn.as_str()),
            "isv.missing-app-cert-sn",
        ),
        (
            Some("0123456789abcdef0123456789abcdef"),
            Some(set.root_cert_sn.as_str()),
            "isv.app-cert-not-exist",
        ),
        (
            Some(set.app_cert_sn.as_str()),
            None,
            "isv.missing-alipay-root-cert-sn",
        ),
        (
            Some(set.app_cert_sn.as_str()),
            Some("687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"),
            "isv.invalid-alipay-root-cert-sn",
        ),
    ];
    for (app_sn, root_sn, expected) in cases {
        let reply = send(&sandbox, &app, &token(app_sn, root_sn)).await;
        assert_eq!(sub_code(&reply, ERROR_NODE), expected);
        // Errors of a certificate app name Alipay's certificate too, and are signed by it.
        let named = reply.json.as_ref().expect("json")["alipay_cert_sn"]
            .as_str()
            .map(str::to_owned);
        assert!(set.pick(named.as_deref()).is_ok(), "{named:?}");
        assert!(reply.verified(), "{:?}", reply.verification);
    }
    // Both SNs right: the call reaches the API (an unknown code, not an SN failure).
    let reply = send(
        &sandbox,
        &app,
        &token(Some(&set.app_cert_sn), Some(&set.root_cert_sn)),
    )
    .await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.code-invalid");
    // A certificate request to a public-key app.
    let key_app = crate::common::app(&sandbox, 0);
    let c = call(&sandbox, &key_app, METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", "nonexistent")
        .param("app_cert_sn", &set.app_cert_sn);
    let reply = send(&sandbox, &key_app, &c).await;
    assert_eq!(sub_code(&reply, ERROR_NODE), "isv.app-cert-not-exist");
    assert!(
        reply
            .json
            .as_ref()
            .expect("json")
            .get("alipay_cert_sn")
            .is_none()
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_walk_is_verified_with_the_named_certificate() {
    let sandbox = start().await;
    let (app, set) = cert_app(&sandbox);
    let code = approve(&sandbox, CERT_APP, "auth_user", "alipay-certified").await;
    let c = call(&sandbox, &app, METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", &code)
        .param("app_cert_sn", &set.app_cert_sn)
        .param("alipay_root_cert_sn", &set.root_cert_sn);
    let reply = send(&sandbox, &app, &c).await;
    let json = reply.json.as_ref().expect("json");
    assert!(json["alipay_system_oauth_token_response"]["access_token"].is_string());
    let key = set
        .pick(json["alipay_cert_sn"].as_str())
        .expect("the response names Alipay's certificate");
    assert_eq!(key.fingerprint(), app.alipay_key.fingerprint());
    assert!(reply.verified());
    sandbox.shutdown().await;
}
