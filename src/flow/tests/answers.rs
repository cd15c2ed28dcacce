//! Answers a walk must not take at their word: a redirect or a non-200 with a valid body, a
//! code the sandbox evicted, a WeChat app on the mini flow.

use super::*;

#[test]
fn an_alipay_redirect_or_a_non_200_fails_even_with_a_valid_signed_body() {
    let inputs = Inputs {
        code: Some("C0DE".into()),
        ..Inputs::default()
    };
    let ok_token = r#"{"user_id":"2088000000000001","access_token":"tok1","expires_in":1296000,"refresh_token":"ref1","re_expires_in":2592000}"#;
    for status in [302, 307, 500] {
        let mut flow = Flow::new(
            FlowKind::AlipayWeb,
            alipay_app(),
            &inputs,
            "s".into(),
            now(),
        )
        .unwrap();
        let (_step, attempt, _request) = send(&mut flow);
        let mut response = signed("alipay_system_oauth_token_response", ok_token);
        response.status = status;
        response.headers.push((
            "Location".into(),
            "https://login.proxy.example/?next=/gateway.do%3Fauth_code%3D&auth_code=C0DEsecret&app_id=1".into(),
        ));
        let i = flow
            .on_response(attempt, Ok(response), Duration::ZERO, now())
            .unwrap();
        let ex = &flow.exchanges()[i];
        assert_eq!(ex.outcome, ExchangeOutcome::Failed, "HTTP {status}");
        let code = if status == 500 {
            "transport.http-status"
        } else {
            "transport.redirect"
        };
        let finding = ex
            .findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("HTTP {status}: {:?}", ex.findings));
        let (en, zh) = (
            finding.title.get(crate::lang::Lang::EN),
            finding.title.get(crate::lang::Lang::ZH),
        );
        assert!(en.contains(&status.to_string()), "{finding:?}");
        if status != 500 {
            assert!(en.contains("login.proxy.example"), "{finding:?}");
            assert!(!en.contains("C0DEsecret"), "{finding:?}");
            assert!(!zh.contains("C0DEsecret"), "{finding:?}");
        }
        assert!(flow.ctx().access_token.is_none(), "HTTP {status}");
    }
}

#[test]
fn a_code_the_sandbox_evicted_under_load_is_diagnosed_as_such() {
    let mut flow = with_code(FlowKind::WechatWeb, wechat_app(), "C0DE", "s");
    let (_step, attempt, _request) = send(&mut flow);
    let body = format!(
        r#"{{"errcode":40029,"errmsg":"invalid code, hints: [ {} ], rid: 6a0b1c2d-3e4f5a6b-7c8d9e0f"}}"#,
        crate::provider::SANDBOX_CODE_EVICTED_HINT
    );
    let response = RawResponse {
        status: 200,
        headers: vec![],
        body: body.into_bytes(),
    };
    let i = flow
        .on_response(attempt, Ok(response), Duration::ZERO, now())
        .unwrap();
    let ex = &flow.exchanges()[i];
    assert_eq!(ex.outcome, ExchangeOutcome::Rejected);
    let f = ex
        .findings
        .iter()
        .find(|f| f.code == "sandbox.code-evicted")
        .unwrap_or_else(|| panic!("{:?}", ex.findings));
    assert!(
        f.title.get(crate::lang::Lang::EN).contains("under load")
            && !f.fix.get(crate::lang::Lang::ZH).is_empty(),
        "{f:?}"
    );
    assert!(ex.findings.iter().any(|f| f.code == "wechat.40029"));
}

/// A WeChat app on the mini-program flow does not end without a word: the step fails and a
/// note says why and what to walk instead.
#[test]
fn a_wechat_app_on_the_mini_flow_says_why_it_stops() {
    let mut flow = Flow::new(
        FlowKind::AlipayMini,
        wechat_app(),
        &Inputs::default(),
        "s".into(),
        now(),
    )
    .unwrap();
    assert_eq!(flow.advance(now()), Effect::Finished { ok: false });
    let step = flow
        .steps()
        .iter()
        .find(|s| s.kind == StepKind::MiniAuthCode)
        .unwrap();
    assert_eq!(step.state, StepState::Failed);
    let note = flow.notes().last().expect("a note says why");
    assert_eq!(note.severity, Severity::Error);
    assert!(
        note.title
            .get(crate::finding::Lang::EN)
            .contains("wx0123456789abcdef"),
        "{}",
        note.title.get(crate::finding::Lang::EN)
    );
    assert!(
        note.title
            .get(crate::finding::Lang::EN)
            .contains("walk wechat-web or wechat-qr"),
        "{}",
        note.title.get(crate::finding::Lang::EN)
    );
    // Nothing is sent and the walk stays finished.
    assert_eq!(flow.advance(now()), Effect::Finished { ok: false });
}
