//! The mini program login's own costs: the decryption doctor on a typical `encryptedData`
//! (decrypt, unpad, parse, watermark) and on data under a stale key (the failure path), and
//! whole `wechat-mini` walks (control calls, jscode2session, decryption, stable_token, phone
//! number) against the sandbox over loopback HTTP, one walk at a time.
//!
//! Run with `cargo bench --bench wechat_mini` (release build). `FLOW_SECONDS` sets the walking
//! time (default 3). Lines starting with `FIGURE` are for scripts.

use std::time::{Duration, Instant};

use authwalk::flow::{App, Flow, FlowKind, Inputs, WechatApp};
use authwalk::provider::wechat::crypto;
use authwalk::provider::wechat::doctor::{self, DecryptInput, WATERMARK_MAX_AGE};
use authwalk::sandbox::{Sandbox, SandboxConfig};
use authwalk::transport::{SandboxApprover, Transport};

fn per_call(iterations: u32, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        f();
    }
    started.elapsed() / iterations
}

fn main() {
    let seconds: u64 = std::env::var("FLOW_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let plain = r#"{"nickName":"Lily","gender":0,"language":"zh_CN","city":"","province":"","country":"","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/sandbox0001/132","openId":"oSgeXBSPbhC_muYJlayghRNmIYhN","unionId":"oU1sandboxUnion00000000000001","watermark":{"appid":"wx5a1d0c0ffee00003","timestamp":1700000000}}"#;
    let (key, iv) = ([7u8; 16], [9u8; 16]);
    let data = doctor::to_base64(&crypto::encrypt(&key, &iv, plain.as_bytes()).expect("encrypts"));
    let (key64, iv64, stale) = (
        doctor::to_base64(&key),
        doctor::to_base64(&iv),
        doctor::to_base64(&[8u8; 16]),
    );
    let good = DecryptInput {
        session_key: &key64,
        iv: &iv64,
        encrypted_data: &data,
        appid: Some("wx5a1d0c0ffee00003"),
        now: Some(1_700_000_010),
        max_age: WATERMARK_MAX_AGE,
    };
    let bad = DecryptInput {
        session_key: &stale,
        ..good
    };
    let ok = per_call(20_000, || {
        assert!(doctor::diagnose(std::hint::black_box(&good)).ok());
    });
    let failed = per_call(20_000, || {
        assert!(!doctor::diagnose(std::hint::black_box(&bad)).ok());
    });
    println!("FIGURE doctor_ok_us {:.2}", ok.as_secs_f64() * 1e6);
    println!(
        "FIGURE doctor_stale_key_us {:.2}",
        failed.as_secs_f64() * 1e6
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let sandbox = Sandbox::start(SandboxConfig::default())
            .await
            .expect("sandbox");
        let m = sandbox.manifest().clone();
        let entry = m
            .wechat
            .apps
            .iter()
            .find(|a| a.kind.as_str() == "mini_program")
            .expect("a mini program");
        let app = App::Wechat(WechatApp {
            appid: entry.appid.clone(),
            secret: entry.secret.clone(),
            redirect_uri: entry.redirect_uri.clone(),
            scope: "snsapi_userinfo".parse().expect("scope"),
            open_base: m.wechat.open_base.clone(),
            api_base: m.wechat.api_base.clone(),
            lang: authwalk::provider::wechat::UserInfoLang::ZhCn,
            component: None,
            agentid: None,
        });
        let transport = Transport::new(Duration::from_secs(5)).expect("transport");
        let mut approver = SandboxApprover {
            transport: transport.clone(),
            user: "wechat-unionid".into(),
            control: m.control.clone(),
            token: m.token.clone(),
        };
        let mut walks = 0u32;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(seconds) {
            let flow = Flow::new(
                FlowKind::WechatMini,
                app.clone(),
                &Inputs::default(),
                "benchstate".into(),
                sandbox.now(),
            )
            .expect("flow");
            let (_, ok) =
                authwalk::walker::run_flow(flow, &transport, &mut approver, || sandbox.now()).await;
            assert!(ok, "a walk failed");
            walks += 1;
        }
        let per_walk = started.elapsed() / walks;
        println!(
            "FIGURE wechat_mini_walk_ms {:.2} ({walks} walks, one at a time)",
            per_walk.as_secs_f64() * 1e3
        );
        sandbox.shutdown().await;
    });
}
