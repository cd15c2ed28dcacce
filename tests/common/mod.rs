//! Helpers shared by the end-to-end test files: one sandbox state folder per test binary (keys
//! generated once), demo apps as flow apps, and a walk driven on the sandbox's clock.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should panic where it fails"
)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use authwalk::flow::{AlipayApp, App, Flow, FlowKind, Inputs, WechatApp};
use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::sandbox::{Manifest, Sandbox, SandboxConfig, SandboxHandle};
use authwalk::transport::{SandboxApprover, Transport};
use authwalk::walker::run_flow;

/// One state folder for the whole test binary, so the sandbox keys are generated once.
pub fn state_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run-flows-sandbox");
        // Generate the keys once, before tests run in parallel; on a thread of its own, since
        // the caller may already be inside a runtime.
        let init = dir.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let config = SandboxConfig {
                    state_dir: Some(init),
                    ..SandboxConfig::default()
                };
                Sandbox::start(config)
                    .await
                    .expect("the sandbox starts")
                    .shutdown()
                    .await;
            });
        })
        .join()
        .expect("the key generation thread");
        dir
    })
    .clone()
}

pub async fn sandbox(scenario: Option<&str>) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        state_dir: Some(state_dir()),
        scenario: scenario.map(str::to_owned),
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox starts")
}

pub fn alipay_app(m: &Manifest, scope: &str) -> App {
    let e = m
        .alipay
        .apps
        .iter()
        .find(|a| {
            a.sign_type == "RSA2"
                && a.charset == "utf-8"
                && a.id_mode == authwalk::provider::alipay::IdMode::Uid
        })
        .unwrap();
    App::Alipay(AlipayApp {
        app_id: e.app_id.clone(),
        sign_type: e.sign_type.parse().unwrap(),
        charset: e.charset.parse().unwrap(),
        private_key: PrivateKey::parse(&std::fs::read_to_string(&e.app_private_key).unwrap())
            .unwrap(),
        alipay_public_key: PublicKey::parse(
            &std::fs::read_to_string(&e.alipay_public_key).unwrap(),
        )
        .unwrap(),
        redirect_uri: e.redirect_uri.clone(),
        scope: scope.parse().unwrap(),
        gateway_url: m.alipay.gateway.clone(),
        authorize_url: m.alipay.authorize.clone(),
        signing: authwalk::flow::AppSigning::Key,
        api: authwalk::provider::alipay::ApiVersion::V2,
        encrypt_key: None,
        id_mode: None,
        mini_client: None,
        isv: None,
    })
}

pub fn wechat_app(m: &Manifest, kind: &str, scope: &str) -> App {
    let e = m
        .wechat
        .apps
        .iter()
        .find(|a| a.kind.as_str() == kind)
        .unwrap();
    App::Wechat(WechatApp {
        appid: e.appid.clone(),
        secret: e.secret.clone(),
        redirect_uri: e.redirect_uri.clone(),
        scope: scope.parse().unwrap(),
        open_base: m.wechat.open_base.clone(),
        api_base: m.wechat.api_base.clone(),
        lang: authwalk::provider::wechat::UserInfoLang::ZhCn,
        component: None,
        agentid: None,
    })
}

pub fn first_user(m: &Manifest, provider: authwalk::provider::Provider) -> String {
    m.users
        .iter()
        .find(|u| u.provider == provider)
        .unwrap()
        .id
        .clone()
}

/// Walk a new flow on the sandbox, approved as `user`, on the sandbox's clock.
pub async fn walk(
    handle: &SandboxHandle,
    kind: FlowKind,
    app: App,
    user: &str,
    inputs: &Inputs,
) -> (Flow, bool) {
    let flow = Flow::new(kind, app, inputs, "teststate123".into(), handle.now()).unwrap();
    resume(handle, flow, user).await
}

/// Walk an existing flow on to its end (after a `rerun`, say).
pub async fn resume(handle: &SandboxHandle, flow: Flow, user: &str) -> (Flow, bool) {
    let transport = Transport::new(Duration::from_secs(5)).unwrap();
    let mut approver = SandboxApprover {
        transport: transport.clone(),
        user: user.to_owned(),
        control: handle.manifest().control.clone(),
        token: handle.manifest().token.clone(),
    };
    run_flow(flow, &transport, &mut approver, || handle.now()).await
}

/// Every finding code triage gives for every exchange of `flow`.
pub fn codes(flow: &Flow) -> Vec<String> {
    (0..flow.exchanges().len())
        .flat_map(|i| authwalk::triage::exchange(flow, i))
        .map(|f| f.code)
        .collect()
}
