//! The engine without any I/O: effects, state checks, inputs, and interpretation of recorded
//! responses.

mod answers;
mod kinds;

use std::time::Duration;

use time::macros::datetime;

use super::*;
use crate::keys::{HashAlg, PrivateKey, PublicKey};
use crate::provider::alipay::{Charset, SignType};

const APP_KEY: &str = include_str!("../../tests/vectors/alipay/app_private_key_pkcs8.pem");
const ALIPAY_KEY: &str =
    include_str!("../../tests/vectors/alipay/fake_alipay_private_key_pkcs8.pem");

fn now() -> OffsetDateTime {
    datetime!(2024-05-20 04:34:56 UTC)
}

fn alipay_app() -> App {
    App::Alipay(AlipayApp {
        app_id: "2021000000000001".into(),
        sign_type: SignType::Rsa2,
        charset: Charset::Utf8,
        private_key: PrivateKey::parse(APP_KEY).unwrap(),
        alipay_public_key: PrivateKey::parse(ALIPAY_KEY).unwrap().public_key(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        scope: crate::provider::Scope::AuthUser,
        gateway_url: "http://127.0.0.1:9/gateway.do".into(),
        authorize_url: "http://127.0.0.1:9/oauth2/publicAppAuthorize.htm".into(),
        signing: crate::flow::AppSigning::Key,
        api: crate::provider::alipay::ApiVersion::V2,
        encrypt_key: None,
        id_mode: None,
        mini_client: None,
        isv: None,
    })
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

/// A gateway response signed by the fake Alipay key, as the sandbox would send it.
fn signed(node_name: &str, node: &str) -> RawResponse {
    let key = PrivateKey::parse(ALIPAY_KEY).unwrap();
    let sign = crate::keys::base64_encode(&key.sign(HashAlg::Sha256, node.as_bytes()));
    RawResponse {
        status: 200,
        headers: vec![(
            "content-type".into(),
            "application/json;charset=utf-8".into(),
        )],
        body: format!(r#"{{"{node_name}":{node},"sign":"{sign}"}}"#).into_bytes(),
    }
}

/// A walk of `kind` on `app` handed the code `code` (so it starts at the token step), with the
/// CSRF `state`.
fn with_code(kind: FlowKind, app: App, code: &str, state: &str) -> Flow {
    let inputs = Inputs {
        code: Some(code.into()),
        ..Inputs::default()
    };
    Flow::new(kind, app, &inputs, state.into(), now()).unwrap()
}

fn send(flow: &mut Flow) -> (StepKind, AttemptId, PreparedRequest) {
    match flow.advance(now()) {
        Effect::Authorized { .. } => send(flow),
        Effect::SendHttp {
            step,
            attempt,
            request,
        } => (step, attempt, request),
        other => panic!("expected a request, got {other:?}"),
    }
}

#[test]
fn alipay_web_walk() {
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &Inputs::default(),
        "St4te".into(),
        now(),
    )
    .unwrap();
    assert!(matches!(flow.advance(now()), Effect::Authorized { .. }));
    let Effect::AwaitCallback {
        authorize_url,
        state,
        ..
    } = flow.advance(now())
    else {
        panic!()
    };
    assert_eq!(state, "St4te");
    assert!(
        authorize_url
            .ends_with("&scope=auth_user&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=St4te")
    );
    assert_eq!(flow.steps()[0].state, StepState::Done);
    assert_eq!(flow.steps()[1].state, StepState::AwaitingUser);

    flow.on_callback("http://127.0.0.1:9/cb?app_id=2021000000000001&source=alipay_wallet&scope=auth_user&auth_code=C0DE0001&state=St4te", now()).unwrap();
    let (step, attempt, request) = send(&mut flow);
    assert_eq!(step, StepKind::Token);
    assert!(
        request
            .signing
            .as_ref()
            .unwrap()
            .canonical
            .contains("code=C0DE0001&")
    );
    assert_eq!(flow.advance(now()), Effect::Wait);

    let token = signed(
        "alipay_system_oauth_token_response",
        r#"{"user_id":"2088000000000001","access_token":"authusrTOKEN1","expires_in":"1296000","refresh_token":"authusrREFRESH1","re_expires_in":2592000,"auth_start":"2024-05-20 12:34:56"}"#,
    );
    let i = flow
        .on_response(attempt, Ok(token), Duration::from_millis(3), now())
        .unwrap();
    assert_eq!(
        flow.exchanges()[i].outcome,
        ExchangeOutcome::Ok,
        "{:?}",
        flow.exchanges()[i].findings
    );
    let access = flow.ctx().access_token.clone().unwrap();
    assert_eq!(access.value, "authusrTOKEN1");
    // 15 days from auth_start (12:34:56 China time = 04:34:56 UTC).
    assert_eq!(access.expires, Some(now() + time::Duration::days(15)));
    assert_eq!(flow.ctx().user_id.as_deref(), Some("2088000000000001"));

    let (step, attempt, request) = send(&mut flow);
    assert_eq!(step, StepKind::UserInfo);
    assert!(request.url.contains("auth_token=authusrTOKEN1"));
    let info = signed(
        "alipay_user_info_share_response",
        r#"{"code":"10000","msg":"Success","user_id":"2088000000000001","nick_name":"小明😀","user_status":"T"}"#,
    );
    flow.on_response(attempt, Ok(info), Duration::ZERO, now())
        .unwrap();
    assert_eq!(flow.advance(now()), Effect::Finished { ok: true });
    assert!(flow.succeeded());
    assert_eq!(flow.ctx().profile.as_ref().unwrap()["nick_name"], "小明😀");
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario table, read top to bottom"
)]
fn alipay_rejection_tampering_and_transport_failure() {
    let inputs = Inputs {
        code: Some("C0DE".into()),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    assert_eq!(flow.steps()[0].state, StepState::Skipped);
    let (_step, attempt, _request) = send(&mut flow);
    let err = signed(
        "error_response",
        r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}"#,
    );
    let i = flow
        .on_response(attempt, Ok(err), Duration::ZERO, now())
        .unwrap();
    assert_eq!(flow.exchanges()[i].outcome, ExchangeOutcome::Rejected);
    assert!(
        flow.exchanges()[i]
            .findings
            .iter()
            .any(|f| f.code == "alipay.isv.code-invalid")
    );
    assert_eq!(flow.advance(now()), Effect::Finished { ok: false });

    // A tampered success response.
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (_step, attempt, _request) = send(&mut flow);
    let mut ok = signed(
        "alipay_system_oauth_token_response",
        r#"{"user_id":"2088","access_token":"tok1","expires_in":3600}"#,
    );
    ok.body = String::from_utf8(ok.body)
        .unwrap()
        .replace("tok1", "tok2")
        .into_bytes();
    let i = flow
        .on_response(attempt, Ok(ok), Duration::ZERO, now())
        .unwrap();
    assert_eq!(flow.exchanges()[i].outcome, ExchangeOutcome::BadSignature);
    assert!(
        flow.exchanges()[i]
            .findings
            .iter()
            .any(|f| f.code == "alipay.signature-mismatch")
    );
    assert!(
        flow.ctx().access_token.is_none(),
        "tampered data must not be trusted"
    );

    // HTML 502, and a truncated body kept as partial.
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (_step, attempt, _request) = send(&mut flow);
    let html = RawResponse {
        status: 502,
        headers: vec![],
        body: b"<html><h1>502 Bad Gateway</h1></html>".to_vec(),
    };
    let i = flow
        .on_response(attempt, Ok(html), Duration::ZERO, now())
        .unwrap();
    let ex = &flow.exchanges()[i];
    assert_eq!(ex.outcome, ExchangeOutcome::Failed);
    assert!(
        ex.findings
            .iter()
            .any(|f| f.code == "transport.http-status")
    );
    assert!(
        ex.findings.iter().any(|f| f
            .title
            .get(crate::lang::Lang::EN)
            .contains("HTML, not JSON")),
        "{:?}",
        ex.findings
    );

    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (_step, attempt, _request) = send(&mut flow);
    let failure = HttpFailure {
        message: "the response body was cut off after 20 of 300 bytes".into(),
        partial: Some(RawResponse {
            status: 200,
            headers: vec![],
            body: br#"{"alipay_system_oau"#.to_vec(),
        }),
    };
    let i = flow
        .on_response(attempt, Err(failure), Duration::ZERO, now())
        .unwrap();
    let ex = &flow.exchanges()[i];
    assert_eq!(ex.outcome, ExchangeOutcome::Failed);
    assert_eq!(
        ex.transport_error.as_deref(),
        Some("the response body was cut off after 20 of 300 bytes")
    );
    assert!(ex.response.is_some(), "the partial body is kept");
}

#[test]
fn state_mismatch_is_refused() {
    let mut flow = Flow::new(
        FlowKind::WechatWeb,
        wechat_app(),
        &Inputs::default(),
        "expected".into(),
        now(),
    )
    .unwrap();
    assert!(matches!(flow.advance(now()), Effect::Authorized { .. }));
    let Effect::AwaitCallback { authorize_url, .. } = flow.advance(now()) else {
        panic!()
    };
    assert!(
        authorize_url.ends_with("&state=expected#wechat_redirect"),
        "{authorize_url}"
    );
    let e = flow
        .on_callback("http://127.0.0.1:9/cb?code=abc&state=forged", now())
        .unwrap_err();
    assert!(matches!(e, FlowError::StateMismatch { .. }));
    assert!(flow.ctx().code.is_none());
    assert!(
        flow.notes()
            .iter()
            .any(|n| n.code == "flow.state-mismatch"
                && !n.title.get(crate::lang::Lang::ZH).is_empty())
    );
    // The error names the note's code, so a face shows the two once (not by comparing text).
    assert_eq!(e.finding_code(), Some("flow.state-mismatch"));
    // An Alipay callback pasted into a WeChat walk is named as such.
    let e = flow
        .on_callback("http://x/cb?auth_code=abc&state=expected", now())
        .unwrap_err();
    assert!(e.to_string().contains("Alipay"), "{e}");
    // A full redirect without any state did not come from this walk.
    let e = flow
        .on_callback("http://127.0.0.1:9/cb?code=abc", now())
        .unwrap_err();
    assert!(matches!(e, FlowError::StateMissing { .. }), "{e}");
    assert!(flow.ctx().code.is_none());
    let code = e.finding_code().unwrap();
    assert!(flow.notes().iter().any(|n| n.code == code));
    flow.on_callback("http://127.0.0.1:9/cb?code=abc&state=expected", now())
        .unwrap();
    assert_eq!(
        flow.ctx().code.as_ref().unwrap().remaining(now()),
        Some(300)
    );
}

#[test]
fn wechat_walk_with_snapshot_user_and_errors() {
    let mut flow = Flow::new(
        FlowKind::WechatWeb,
        wechat_app(),
        &Inputs {
            refresh: true,
            ..Inputs::default()
        },
        "s".into(),
        now(),
    )
    .unwrap();
    flow.advance(now());
    flow.advance(now());
    flow.on_callback("abc", now()).unwrap();
    let (_step, attempt, request) = send(&mut flow);
    assert!(request.url.contains("/sns/oauth2/access_token?appid=wx0123456789abcdef&secret=s3cr3t-s3cr3t&code=abc&grant_type=authorization_code"), "{}", request.url);
    let body = br#"{"access_token":"ACCESS","expires_in":7200,"refresh_token":"REFRESH","openid":"oOPENID","scope":"snsapi_userinfo","is_snapshotuser":1}"#;
    let i = flow
        .on_response(
            attempt,
            Ok(RawResponse {
                status: 200,
                headers: vec![],
                body: body.to_vec(),
            }),
            Duration::ZERO,
            now(),
        )
        .unwrap();
    assert_eq!(flow.exchanges()[i].outcome, ExchangeOutcome::Ok);
    assert!(
        flow.exchanges()[i]
            .findings
            .iter()
            .any(|f| f.code == "wechat.snapshot-user")
    );
    let (step, attempt, _request) = send(&mut flow);
    assert_eq!(step, StepKind::CheckToken);
    flow.on_response(
        attempt,
        Ok(RawResponse {
            status: 200,
            headers: vec![],
            body: br#"{"errcode":0,"errmsg":"ok"}"#.to_vec(),
        }),
        Duration::ZERO,
        now(),
    )
    .unwrap();
    let (step, attempt, _request) = send(&mut flow);
    assert_eq!(step, StepKind::UserInfo);
    // A control character inside the nickname: parsed, and reported.
    let body = b"{\"openid\":\"oOPENID\",\"nickname\":\"a\x01b\",\"sex\":0,\"headimgurl\":\"\",\"privilege\":[]}";
    let i = flow
        .on_response(
            attempt,
            Ok(RawResponse {
                status: 200,
                headers: vec![],
                body: body.to_vec(),
            }),
            Duration::ZERO,
            now(),
        )
        .unwrap();
    assert_eq!(
        flow.exchanges()[i].outcome,
        ExchangeOutcome::Ok,
        "{:?}",
        flow.exchanges()[i].findings
    );
    assert!(
        flow.exchanges()[i]
            .findings
            .iter()
            .any(|f| f.code == "wechat.control-characters")
    );
    let (step, attempt, _request) = send(&mut flow);
    assert_eq!(step, StepKind::Refresh);
    let body =
        br#"{"errcode":40030,"errmsg":"invalid refresh_token, rid: 6651f1a2-1b2c3d4e-5f6a7b8c"}"#;
    let i = flow
        .on_response(
            attempt,
            Ok(RawResponse {
                status: 200,
                headers: vec![],
                body: body.to_vec(),
            }),
            Duration::ZERO,
            now(),
        )
        .unwrap();
    assert_eq!(flow.exchanges()[i].outcome, ExchangeOutcome::Rejected);
    assert!(
        flow.exchanges()[i]
            .findings
            .iter()
            .any(|f| f.code == "wechat.40030")
    );
    assert_eq!(flow.advance(now()), Effect::Finished { ok: false });
}

#[test]
fn starting_in_the_middle_needs_the_inputs() {
    let inputs = Inputs {
        from: Some(StepKind::UserInfo),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::WechatWeb,
        wechat_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    assert_eq!(flow.advance(now()), Effect::Finished { ok: false });
    assert!(
        flow.notes()[0]
            .title
            .get(crate::lang::Lang::EN)
            .contains("--access-token"),
        "{:?}",
        flow.notes()
    );

    let inputs = Inputs {
        access_token: Some("ACCESS".into()),
        openid: Some("o1".into()),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::WechatWeb,
        wechat_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (step, _attempt, request) = send(&mut flow);
    assert_eq!(step, StepKind::UserInfo);
    assert!(
        request
            .url
            .contains("access_token=ACCESS&openid=o1&lang=zh_CN")
    );

    let inputs = Inputs {
        refresh_token: Some("R".into()),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (step, _attempt, request) = send(&mut flow);
    assert_eq!(step, StepKind::Refresh);
    assert!(
        request
            .signing
            .unwrap()
            .canonical
            .contains("grant_type=refresh_token&")
    );
    let _ = PublicKey::parse(include_str!(
        "../../tests/vectors/alipay/fake_alipay_public_key.pem"
    ))
    .unwrap();
}

/// A walk restarted (a new `Flow`, as the inspector's `R` makes) while a request of the old one
/// is in flight: the old answer quotes an attempt the new walk never gave, so it is refused,
/// even when the new walk has its own request of the same step in flight.
#[test]
fn an_answer_to_a_restarted_walk_is_refused_by_the_new_one() {
    let inputs = Inputs {
        code: Some("C0DE0001".into()),
        ..Inputs::default()
    };
    let walk = || {
        Flow::new(
            FlowKind::AlipayWeb,
            alipay_app(),
            &inputs,
            "St4te".into(),
            now(),
        )
        .unwrap()
    };
    let mut old = walk();
    let (_, old_attempt, _) = send(&mut old);
    let mut new = walk();
    let (step, new_attempt, _) = send(&mut new);
    assert_eq!(step, StepKind::Token);
    assert_ne!(old_attempt, new_attempt);
    let late = new.on_response(
        old_attempt,
        Ok(RawResponse {
            status: 200,
            headers: Vec::new(),
            body: b"{}".to_vec(),
        }),
        Duration::ZERO,
        now(),
    );
    assert!(
        matches!(late, Err(FlowError::StaleAttempt { .. })),
        "{late:?}"
    );
    assert!(new.exchanges().is_empty());
}

/// The flow driven as an event loop drives it: a step starts, is retried while the first
/// attempt is still in flight, and both answers arrive out of order. Only the second attempt's
/// answer is recorded; the late one is refused as stale and changes nothing.
#[test]
fn a_late_answer_to_a_retried_step_is_refused() {
    let mut flow = with_code(FlowKind::AlipayWeb, alipay_app(), "C0DE0001", "St4te");
    let (step, first, first_request) = send(&mut flow);
    assert_eq!(step, StepKind::Token);
    // The pane shows the request while it is in flight.
    let (pending_step, pending_attempt, pending) = flow.pending_request().unwrap();
    assert_eq!((pending_step, pending_attempt), (StepKind::Token, first));
    assert_eq!(pending.url, first_request.url);

    // The person retries before the first answer comes back.
    flow.rerun(StepKind::Token);
    assert!(flow.pending_request().is_none());
    let (_, second, _) = send(&mut flow);
    assert_ne!(first, second);

    let token = |id: &str| {
        signed(
            "alipay_system_oauth_token_response",
            &format!(
                r#"{{"user_id":"2088000000000001","access_token":"{id}","expires_in":"1296000","refresh_token":"r","re_expires_in":2592000}}"#
            ),
        )
    };
    // The second answer arrives first and is recorded …
    let i = flow
        .on_response(second, Ok(token("authusrSECOND")), Duration::ZERO, now())
        .unwrap();
    assert_eq!(flow.exchanges()[i].attempt, second);
    // … then the first one, late: refused, nothing recorded, nothing changed.
    let late = flow.on_response(first, Ok(token("authusrFIRST")), Duration::ZERO, now());
    assert!(
        matches!(late, Err(FlowError::StaleAttempt { got, .. }) if got == first),
        "{late:?}"
    );
    assert_eq!(flow.exchanges().len(), 1);
    assert_eq!(
        flow.ctx().access_token.as_ref().unwrap().value,
        "authusrSECOND"
    );
    assert_eq!(flow.exchanges()[0].endpoint, "alipay.system.oauth.token");
}

#[test]
fn cancel_puts_the_step_back_and_makes_its_answer_stale() {
    let inputs = Inputs {
        access_token: Some("authusrT".into()),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &inputs,
        "s".into(),
        now(),
    )
    .unwrap();
    let (step, attempt, _) = send(&mut flow);
    assert_eq!(step, StepKind::UserInfo);
    assert_eq!(flow.cancel(), Some(StepKind::UserInfo));
    assert_eq!(flow.cancel(), None);
    let state = |flow: &Flow| {
        flow.steps()
            .iter()
            .find(|s| s.kind == StepKind::UserInfo)
            .unwrap()
            .state
    };
    assert_eq!(state(&flow), StepState::Pending);
    let late = flow.on_response(
        attempt,
        Err(HttpFailure {
            message: "timed out".into(),
            partial: None,
        }),
        Duration::ZERO,
        now(),
    );
    assert!(matches!(late, Err(FlowError::StaleAttempt { .. })));
    assert!(flow.exchanges().is_empty());
    assert_eq!(state(&flow), StepState::Pending);
}

#[test]
fn one_step_alone_and_unknown_steps() {
    let only = |step| Inputs {
        only: Some(step),
        ..Inputs::default()
    };
    let mut flow = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &only(StepKind::Authorize),
        "s".into(),
        now(),
    )
    .unwrap();
    assert!(flow.authorize_url().unwrap().contains("state=s"));
    assert!(matches!(flow.advance(now()), Effect::Authorized { .. }));
    assert_eq!(flow.advance(now()), Effect::Finished { ok: true });
    let states: Vec<_> = flow.steps().iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [
            StepState::Done,
            StepState::Skipped,
            StepState::Skipped,
            StepState::Skipped
        ]
    );

    // --step refresh adds the refresh step; a step the flow lacks is refused.
    let flow = Flow::new(
        FlowKind::WechatWeb,
        wechat_app(),
        &only(StepKind::Refresh),
        "s".into(),
        now(),
    )
    .unwrap();
    assert_eq!(flow.steps().last().unwrap().kind, StepKind::Refresh);
    let err = Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(),
        &only(StepKind::CheckToken),
        "s".into(),
        now(),
    )
    .unwrap_err();
    assert!(matches!(err, FlowError::UnknownStep { .. }), "{err}");
    assert!(err.to_string().contains("choose one of authorize"), "{err}");
}

/// A WeChat answer as the provider sends it.
fn wechat_json(body: &str) -> RawResponse {
    RawResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn a_resend_is_a_new_attempt_and_a_failed_one_keeps_the_earlier_success() {
    let mut flow = with_code(FlowKind::WechatWeb, wechat_app(), "C0DE0001", "St4te");
    // Nothing sent yet: nothing to resend.
    let (_, _, request) = {
        let e = flow.resend(
            StepKind::Token,
            PreparedRequest {
                method: crate::provider::HttpMethod::Get,
                url: "http://127.0.0.1:9/sns/oauth2/access_token".into(),
                headers: Vec::new(),
                body: Vec::new(),
                signing: None,
            },
        );
        assert_eq!(
            e,
            Err(FlowError::NeverSent {
                step: StepKind::Token
            })
        );
        send(&mut flow)
    };
    // In flight: refused.
    assert_eq!(
        flow.resend(StepKind::Token, request.clone()),
        Err(FlowError::Busy {
            step: StepKind::Token
        })
    );
    let attempt = flow.pending_request().unwrap().1;
    flow.on_response(
        attempt,
        Ok(wechat_json(
            r#"{"access_token":"T1","expires_in":7200,"refresh_token":"R1","openid":"o1","scope":"snsapi_userinfo"}"#,
        )),
        Duration::ZERO,
        now(),
    )
    .unwrap();
    assert_eq!(flow.steps()[2].state, StepState::Done);

    let Ok(Effect::SendHttp { attempt: again, .. }) = flow.resend(StepKind::Token, request.clone())
    else {
        panic!("a resend sends")
    };
    assert_ne!(again, attempt);
    // A cancel puts the step back as it was.
    assert_eq!(flow.cancel(), Some(StepKind::Token));
    assert_eq!(flow.steps()[2].state, StepState::Done);

    let Ok(Effect::SendHttp { attempt: third, .. }) = flow.resend(StepKind::Token, request) else {
        panic!("a resend sends")
    };
    flow.on_response(
        third,
        Ok(wechat_json(
            r#"{"errcode":40163,"errmsg":"code been used"}"#,
        )),
        Duration::ZERO,
        now(),
    )
    .unwrap();
    // Recorded as another attempt; the step stays done and the context keeps the first token.
    assert_eq!(flow.attempts(StepKind::Token).len(), 2);
    assert_eq!(flow.steps()[2].state, StepState::Done);
    assert_eq!(flow.steps()[2].exchange, Some(1));
    assert_eq!(flow.ctx().access_token.as_ref().unwrap().value, "T1");
}
