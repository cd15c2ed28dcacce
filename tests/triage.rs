//! Each triage rule, fed a real failing exchange recorded against the embedded sandbox.

use authwalk::finding::Finding;
use authwalk::flow::{App, FlowKind, Inputs, StepKind};
use authwalk::keys::PrivateKey;
use authwalk::provider::wechat;
use authwalk::transport::Transport;

mod common;

use common::{alipay_app, codes, first_user, resume, sandbox, state_dir, walk, wechat_app};

fn finding<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    findings.iter().find(|f| f.code == code).unwrap_or_else(|| {
        panic!(
            "no {code} in {:?}",
            findings.iter().map(|f| &f.code).collect::<Vec<_>>()
        )
    })
}

fn last_findings(flow: &authwalk::flow::Flow) -> Vec<Finding> {
    authwalk::triage::exchange(flow, flow.exchanges().len() - 1)
}

#[tokio::test]
async fn scope_vs_api_an_auth_base_token_cannot_read_the_profile() {
    let h = sandbox(Some("wrong-scope")).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, "alipay"),
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    // The catalog explains the code, with the user-info reading first …
    let code = finding(&findings, "alipay.aop.invalid-auth-token");
    assert!(
        code.explanation.en.contains("auth_base"),
        "{}",
        code.explanation.en
    );
    // … and the rule names the scope the walk was actually granted.
    let rule = finding(&findings, "alipay.triage.auth-base-token");
    assert!(rule.fix.zh.contains("auth_user"));
    h.shutdown().await;
}

#[tokio::test]
async fn token_kind_a_basic_token_on_sns_userinfo() {
    let h = sandbox(Some("token-mixup")).await;
    let m = h.manifest().clone();
    let user = first_user(&m, "wechat");
    let (web, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &user,
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    // The basic token, fetched as the tutorial does.
    let App::Wechat(app) = wechat_app(&m, "official_account", "snsapi_userinfo") else {
        unreachable!()
    };
    let transport = Transport::new(std::time::Duration::from_secs(5)).unwrap();
    let request = wechat::basic_token_request(&app.api_base, &app.appid, &app.secret);
    let body = transport.send(&request).await.0.unwrap().body;
    let basic: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let inputs = Inputs {
        access_token: basic["access_token"].as_str().map(str::to_owned),
        openid: web.ctx().open_id.clone(),
        ..Inputs::default()
    };
    let (mixed, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &user,
        &inputs,
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&mixed);
    finding(&findings, "wechat.40001");
    let rule = finding(&findings, "wechat.confusion.basic-token-on-sns");
    assert!(
        rule.title.en.to_lowercase().contains("basic"),
        "{}",
        rule.title.en
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_code_already_used_earlier_in_the_same_walk() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    for (kind, app, provider, code) in [
        (
            FlowKind::AlipayWeb,
            alipay_app(&m, "auth_user"),
            "alipay",
            "alipay.isv.code-invalid",
        ),
        (
            FlowKind::WechatWeb,
            wechat_app(&m, "official_account", "snsapi_userinfo"),
            "wechat",
            "wechat.40163",
        ),
    ] {
        let user = first_user(&m, provider);
        let (mut flow, ok) = walk(&h, kind, app, &user, &Inputs::default()).await;
        assert!(ok);
        // Retry the token step, as a double redirect or an eager retry does.
        flow.rerun(StepKind::Token);
        assert!(!resume(&h, &mut flow, &user).await);
        let findings = last_findings(&flow);
        finding(&findings, code);
        let reused = finding(&findings, "flow.code-reused");
        assert!(reused.title.en.contains("2 uses"), "{}", reused.title.en);
        // The URL-only hint is dropped when the walk knows better.
        assert!(
            findings
                .iter()
                .all(|f| f.code != "wechat.confusion.code-reused")
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn clock_skew_behind_invalid_timestamp() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    // The gateway's clock runs an hour ahead of ours; we sign with our own.
    h.advance_clock(3600);
    let mut flow = authwalk::flow::Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &Inputs {
            code: Some("anything".into()),
            ..Inputs::default()
        },
        "s".into(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let transport = Transport::new(std::time::Duration::from_secs(5)).unwrap();
    let mut approver = authwalk::transport::SandboxApprover {
        transport: transport.clone(),
        user: String::new(),
        control: m.control.clone(),
        token: m.token.clone(),
    };
    let ok = authwalk::transport::drive(
        &mut flow,
        &transport,
        &mut approver,
        time::OffsetDateTime::now_utc,
        |_, _| {},
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "alipay.isv.invalid-timestamp");
    let skew = finding(&findings, "alipay.triage.clock-skew");
    assert!(
        skew.title.en.contains("-3600 s")
            || skew.title.en.contains("-3599 s")
            || skew.title.en.contains("-3601 s"),
        "{}",
        skew.title.en
    );
    h.shutdown().await;
}

#[tokio::test]
async fn key_mismatch_behind_invalid_signature() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let App::Alipay(mut app) = alipay_app(&m, "auth_user") else {
        unreachable!()
    };
    // A key that is not the one uploaded for this app: another pair from the key tool.
    app.private_key =
        PrivateKey::parse(include_str!("vectors/alipay/app_private_key_pkcs8.pem")).unwrap();
    let inputs = Inputs {
        code: Some("anything".into()),
        ..Inputs::default()
    };
    let (flow, ok) = walk(&h, FlowKind::AlipayWeb, App::Alipay(app), "", &inputs).await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "alipay.isv.invalid-signature");
    let rule = finding(&findings, "alipay.triage.signature");
    assert!(
        rule.title
            .en
            .starts_with("the gateway built the same string, so the key is wrong"),
        "{}",
        rule.title.en
    );
    assert!(
        rule.title.en.contains("b7f1fcbc840a7257"),
        "names the key used: {}",
        rule.title.en
    );
    h.shutdown().await;
}

#[tokio::test]
async fn sandbox_app_on_the_production_side() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let App::Alipay(mut app) = alipay_app(&m, "auth_user") else {
        unreachable!()
    };
    // An app id from Alipay's own sandbox, sent to a gateway that does not know it.
    app.app_id = "9021000122671234".into();
    let inputs = Inputs {
        code: Some("anything".into()),
        ..Inputs::default()
    };
    let (flow, ok) = walk(&h, FlowKind::AlipayWeb, App::Alipay(app), "", &inputs).await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "alipay.isv.invalid-app-id");
    finding(&findings, "alipay.triage.environment-mismatch");
    h.shutdown().await;
}

#[tokio::test]
async fn callback_from_another_redirect_uri() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let user = first_user(&m, "wechat");
    // A real callback from one walk …
    let (first, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &user,
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let callback = first.ctx().callback_url.clone().unwrap();
    // … pasted into a walk whose redirect_uri is another page.
    let App::Wechat(mut app) = wechat_app(&m, "official_account", "snsapi_userinfo") else {
        unreachable!()
    };
    app.redirect_uri = format!("{}/another/callback", app.open_base);
    let mut flow = authwalk::flow::Flow::new(
        FlowKind::WechatWeb,
        App::Wechat(app),
        &Inputs::default(),
        "teststate123".into(),
        h.now(),
    )
    .unwrap();
    flow.advance(h.now());
    flow.advance(h.now());
    flow.on_callback(&callback, h.now()).unwrap();
    resume(&h, &mut flow, &user).await;
    let token = flow
        .exchanges()
        .iter()
        .position(|e| e.step == StepKind::Token)
        .unwrap();
    let findings = authwalk::triage::exchange(&flow, token);
    let rule = finding(&findings, "flow.redirect-mismatch");
    assert!(
        rule.title.en.contains("/__sandbox/callback"),
        "{}",
        rule.title.en
    );
    assert!(!codes(&flow).is_empty());
    assert!(state_dir().exists());
    h.shutdown().await;
}
