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
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    // The catalog explains the code, with the user-info reading first …
    let code = finding(&findings, "alipay.aop.invalid-auth-token");
    assert!(
        code.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("auth_base"),
        "{}",
        code.explanation.get(authwalk::lang::Lang::EN)
    );
    // … and the rule names the scope the walk was actually granted.
    let rule = finding(&findings, "alipay.triage.auth-base-token");
    assert!(rule.fix.get(authwalk::lang::Lang::ZH).contains("auth_user"));
    h.shutdown().await;
}

#[tokio::test]
async fn token_kind_a_basic_token_on_sns_userinfo() {
    let h = sandbox(Some("token-mixup")).await;
    let m = h.manifest().clone();
    let user = first_user(&m, authwalk::provider::Provider::Wechat);
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
    // A pasted token's origin is unknown: the answer says what was seen and what would
    // confirm it, and does not claim a basic token was used.
    let rule = finding(&findings, "wechat.confusion.sns-token-rejected");
    assert!(
        rule.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("/cgi-bin/token"),
        "{}",
        rule.explanation.get(authwalk::lang::Lang::EN)
    );
    assert!(
        rule.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("To confirm"),
        "{}",
        rule.explanation.get(authwalk::lang::Lang::EN)
    );
    assert!(
        !findings
            .iter()
            .any(|f| f.code == "wechat.confusion.basic-token-on-sns"),
        "no evidence of a basic token in this walk"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_code_already_used_earlier_in_the_same_walk() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    for (kind, app, code) in [
        (
            FlowKind::AlipayWeb,
            alipay_app(&m, "auth_user"),
            "alipay.isv.code-invalid",
        ),
        (
            FlowKind::WechatWeb,
            wechat_app(&m, "official_account", "snsapi_userinfo"),
            "wechat.40163",
        ),
    ] {
        let user = first_user(&m, kind.provider());
        let (mut flow, ok) = walk(&h, kind, app, &user, &Inputs::default()).await;
        assert!(ok);
        // Retry the token step, as a double redirect or an eager retry does.
        flow.rerun(StepKind::Token);
        let (flow, ok) = resume(&h, flow, &user).await;
        assert!(!ok);
        let findings = last_findings(&flow);
        finding(&findings, code);
        let reused = finding(&findings, "flow.code-reused");
        assert!(
            reused
                .title
                .get(authwalk::lang::Lang::EN)
                .contains("2 uses"),
            "{}",
            reused.title.get(authwalk::lang::Lang::EN)
        );
        // The URL-only hint is dropped when the walk knows better.
        assert!(
            findings
                .iter()
                .all(|f| f.code != "wechat.confusion.code-reused")
        );
    }
    h.shutdown().await;
}

/// Walk `app` on the sandbox `m` describes, on this machine's clock (not the sandbox's), with
/// `inputs`, approving as `user`: the walk and whether it succeeded.
async fn walk_on_our_clock(
    m: &authwalk::sandbox::Manifest,
    app: App,
    inputs: &Inputs,
    user: String,
) -> (authwalk::flow::Flow, bool) {
    let flow = authwalk::flow::Flow::new(
        FlowKind::AlipayWeb,
        app,
        inputs,
        "s".into(),
        time::OffsetDateTime::now_utc(),
    )
    .expect("a valid walk");
    let transport = Transport::new(std::time::Duration::from_secs(5)).expect("an HTTP client");
    let mut approver = authwalk::transport::SandboxApprover {
        transport: transport.clone(),
        user,
        control: m.control.clone(),
        token: m.token.clone(),
    };
    authwalk::walker::run_flow(
        flow,
        &transport,
        &mut approver,
        time::OffsetDateTime::now_utc,
    )
    .await
}

#[tokio::test]
async fn clock_skew_behind_invalid_timestamp() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    // The gateway's clock runs an hour ahead of ours; we sign with our own.
    h.advance_clock(3600);
    let code = Inputs {
        code: Some("anything".into()),
        ..Inputs::default()
    };
    let (flow, ok) = walk_on_our_clock(&m, alipay_app(&m, "auth_user"), &code, String::new()).await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "alipay.isv.invalid-timestamp");
    let skew = finding(&findings, "alipay.triage.clock-skew");
    assert!(
        skew.title.get(authwalk::lang::Lang::EN).contains("-3600 s")
            || skew.title.get(authwalk::lang::Lang::EN).contains("-3599 s")
            || skew.title.get(authwalk::lang::Lang::EN).contains("-3601 s"),
        "{}",
        skew.title.get(authwalk::lang::Lang::EN)
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
            .get(authwalk::lang::Lang::EN)
            .starts_with("the gateway built the same string, so the key is wrong"),
        "{}",
        rule.title.get(authwalk::lang::Lang::EN)
    );
    assert!(
        rule.title
            .get(authwalk::lang::Lang::EN)
            .contains("b7f1fcbc840a7257"),
        "names the key used: {}",
        rule.title.get(authwalk::lang::Lang::EN)
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
    let user = first_user(&m, authwalk::provider::Provider::Wechat);
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
    let (flow, _) = resume(&h, flow, &user).await;
    let token = flow
        .exchanges()
        .iter()
        .position(|e| e.step == StepKind::Token)
        .unwrap();
    let findings = authwalk::triage::exchange(&flow, token);
    let rule = finding(&findings, "flow.redirect-mismatch");
    assert!(
        rule.title
            .get(authwalk::lang::Lang::EN)
            .contains("/__sandbox/callback"),
        "{}",
        rule.title.get(authwalk::lang::Lang::EN)
    );
    assert!(!codes(&flow).is_empty());
    assert!(state_dir().exists());
    h.shutdown().await;
}

#[tokio::test]
async fn a_made_up_token_on_sns_userinfo_is_not_called_a_basic_token() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let inputs = Inputs {
        access_token: Some("made-up-token".into()),
        openid: Some("o6_bmjrPTlm6_2sgVt7hMZOPfL2M".into()),
        ..Inputs::default()
    };
    let (flow, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        &first_user(&m, authwalk::provider::Provider::Wechat),
        &inputs,
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    let rule = finding(&findings, "wechat.confusion.sns-token-rejected");
    assert!(
        rule.title
            .get(authwalk::lang::Lang::EN)
            .contains("not known"),
        "{}",
        rule.title.get(authwalk::lang::Lang::EN)
    );
    assert!(
        !rule
            .title
            .get(authwalk::lang::Lang::EN)
            .contains("Basic access_token used")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_snapshot_user_with_48001_is_not_called_a_base_scope_token() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::WechatWeb,
        wechat_app(&m, "official_account", "snsapi_userinfo"),
        "wechat-snapshot",
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "wechat.48001");
    let rule = finding(&findings, "wechat.confusion.snapshot-userinfo");
    assert!(
        rule.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("is_snapshotuser=1")
    );
    for wrong in [
        "wechat.confusion.base-scope-userinfo",
        "wechat.confusion.userinfo-unauthorized",
    ] {
        assert!(!findings.iter().any(|f| f.code == wrong), "{wrong} given");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_frozen_account_that_succeeds_gets_a_warning() {
    let h = sandbox(Some("frozen-user")).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        "alipay-frozen",
        &Inputs::default(),
    )
    .await;
    assert!(ok, "the calls themselves succeed");
    let findings = last_findings(&flow);
    let rule = finding(&findings, "alipay.triage.frozen-account");
    assert_eq!(rule.severity, authwalk::finding::Severity::Warning);
    assert!(
        rule.title
            .get(authwalk::lang::Lang::EN)
            .contains("user_status = B"),
        "{}",
        rule.title.get(authwalk::lang::Lang::EN)
    );
    assert!(
        rule.title
            .get(authwalk::lang::Lang::EN)
            .contains("is_blocked = T"),
        "{}",
        rule.title.get(authwalk::lang::Lang::EN)
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_granted_scope_other_than_the_requested_one_is_flagged() {
    let h = sandbox(Some("wrong-scope")).await;
    let m = h.manifest().clone();
    for (kind, app, granted) in [
        (
            FlowKind::WechatWeb,
            wechat_app(&m, "official_account", "snsapi_userinfo"),
            "snsapi_base",
        ),
        (
            FlowKind::AlipayWeb,
            alipay_app(&m, "auth_user"),
            "auth_base",
        ),
    ] {
        let (flow, _) = walk(
            &h,
            kind,
            app,
            &first_user(&m, kind.provider()),
            &Inputs::default(),
        )
        .await;
        let token = flow
            .exchanges()
            .iter()
            .position(|e| e.step == StepKind::Token)
            .unwrap();
        let findings = authwalk::triage::exchange(&flow, token);
        let rule = finding(&findings, "flow.scope-differs");
        assert!(
            rule.title.get(authwalk::lang::Lang::EN).contains(granted),
            "{}",
            rule.title.get(authwalk::lang::Lang::EN)
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_bare_code_says_the_state_check_was_skipped() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let inputs = Inputs {
        code: Some("pasted-code".into()),
        ..Inputs::default()
    };
    let (flow, _) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        "",
        &inputs,
    )
    .await;
    let findings = last_findings(&flow);
    let note = finding(&findings, "flow.state-unchecked");
    assert!(
        note.title.get(authwalk::lang::Lang::EN).contains("state"),
        "{}",
        note.title.get(authwalk::lang::Lang::EN)
    );
    // A full redirect received by the walk is checked, so nothing is said.
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let all: Vec<Finding> = (0..flow.exchanges().len())
        .flat_map(|i| authwalk::triage::exchange(&flow, i))
        .collect();
    assert!(!all.iter().any(|f| f.code == "flow.state-unchecked"));
    h.shutdown().await;
}

#[tokio::test]
async fn seed_000_an_auth_base_code_gives_isv_invalid_token() {
    let h = sandbox(Some("invalid-token")).await;
    let m = h.manifest().clone();
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &first_user(&m, authwalk::provider::Provider::Alipay),
        &Inputs::default(),
    )
    .await;
    assert!(!ok);
    let findings = last_findings(&flow);
    // The catalog gives the seed's two reasons …
    let code = finding(&findings, "alipay.isv.invalid-token");
    assert!(
        code.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("auth_user"),
        "{}",
        code.explanation.get(authwalk::lang::Lang::EN)
    );
    assert!(
        code.explanation
            .get(authwalk::lang::Lang::EN)
            .contains("alipay.user.info.share"),
        "{}",
        code.explanation.get(authwalk::lang::Lang::EN)
    );
    // … and the walk shows which one it is: the code was authorized with auth_base.
    let rule = finding(&findings, "alipay.triage.auth-base-token");
    assert!(
        rule.fix.get(authwalk::lang::Lang::EN).contains("auth_user"),
        "{}",
        rule.fix.get(authwalk::lang::Lang::EN)
    );
    h.shutdown().await;
}

/// A gateway whose `Date` runs twenty minutes ahead of this machine's clock, compared with the
/// time each answer was received, gets the clock-skew finding even when the gateway refused the
/// call for another reason first (here an unknown app_id), as a warning.
#[tokio::test]
async fn clock_skew_from_the_answer_date_against_the_local_receive_time() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    h.advance_clock(1200);
    let App::Alipay(mut app) = alipay_app(&m, "auth_user") else {
        unreachable!()
    };
    app.app_id = "2021000000009999".into();
    let code = Inputs {
        code: Some("anything".into()),
        ..Inputs::default()
    };
    let (flow, ok) = walk_on_our_clock(&m, App::Alipay(app), &code, String::new()).await;
    assert!(!ok);
    let findings = last_findings(&flow);
    finding(&findings, "alipay.isv.invalid-app-id");
    let skew = finding(&findings, "alipay.triage.clock-skew");
    assert_eq!(skew.severity, authwalk::finding::Severity::Warning);
    assert!(
        ["-1199 s", "-1200 s", "-1201 s"]
            .iter()
            .any(|s| skew.title.get(authwalk::finding::Lang::EN).contains(s)),
        "{}",
        skew.title.get(authwalk::finding::Lang::EN)
    );
    h.shutdown().await;

    // Ten minutes is inside the window: the call is accepted and nothing is said of clocks.
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    h.advance_clock(600);
    let user = first_user(&m, authwalk::provider::Provider::Alipay);
    let (flow, ok) =
        walk_on_our_clock(&m, alipay_app(&m, "auth_user"), &Inputs::default(), user).await;
    assert!(ok);
    assert!(!codes(&flow).iter().any(|c| c == "alipay.triage.clock-skew"));
    h.shutdown().await;
}
