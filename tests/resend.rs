//! Edit and resend on the sandbox, over real HTTP: an Alipay request edited after signing and
//! sent with its old `sign` is refused with `isv.invalid-signature`, and the comparison with
//! the attempt before names the parameter changed; the same edit signed again succeeds, and
//! the walk goes on with the latest successful attempt.

#![expect(clippy::unwrap_used, reason = "tests")]

#[expect(dead_code, reason = "the shared helpers serve other test files too")]
mod common;

use std::time::Duration;

use authwalk::flow::{ExchangeOutcome, FlowKind, Inputs, StepKind, StepState};
use authwalk::present::compare::{self, Part};
use authwalk::present::{TargetInfo, TargetKind};
use authwalk::session::{Command, Session, Signing};
use authwalk::transport::Transport;
use common::{alipay_app, first_user, sandbox, walk};

fn info() -> TargetInfo {
    TargetInfo {
        scenario: None,
        kind: TargetKind::Sandbox,
        name: String::new(),
        base: String::new(),
        app: authwalk::finding::Text::default(),
        user: None,
    }
}

/// Carry out a resend and take its answer back.
async fn send(session: &mut Session, command: Command, now: time::OffsetDateTime) {
    let transport = Transport::new(Duration::from_secs(5)).unwrap();
    let Command::Send {
        attempt, request, ..
    } = command
    else {
        panic!("a resend sends: {command:?}");
    };
    let outcome = authwalk::walker::send(&transport, attempt, &request).await;
    assert_eq!(session.apply(outcome, now), Some(StepKind::UserInfo));
}

/// The timestamp one second later, still within the gateway's tolerance.
fn later(timestamp: &str) -> String {
    let (head, seconds) = timestamp.rsplit_once(':').unwrap();
    let s: u8 = seconds.parse().unwrap();
    format!("{head}:{:02}", (s + 1) % 60)
}

#[tokio::test]
async fn an_edit_with_the_old_sign_fails_and_the_same_edit_resigned_succeeds() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let user = first_user(&m, authwalk::provider::Provider::Alipay);
    let (flow, ok) = walk(
        &h,
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &user,
        &Inputs::default(),
    )
    .await;
    assert!(ok);
    let mut session = Session::new(flow, info(), Vec::new(), None);

    let mut edit = session.edit(StepKind::UserInfo).unwrap();
    for (k, v) in &mut edit.params {
        if k == "timestamp" {
            *v = later(v);
        }
    }
    edit.signing = Some(Signing::OldSign);
    let command = session.resend(&edit).unwrap();
    send(&mut session, command, h.now()).await;

    let walk = session.walk(h.now(), Duration::ZERO);
    let attempts: Vec<usize> = walk
        .exchanges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.step == StepKind::UserInfo)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(attempts.len(), 2);
    let (first, second) = (&walk.exchanges[attempts[0]], &walk.exchanges[attempts[1]]);
    assert_eq!(second.outcome, ExchangeOutcome::Rejected);
    let codes: Vec<&str> = second.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.iter().any(|c| c.contains("invalid-signature")),
        "{codes:?}"
    );
    let differences = compare::exchanges(first, second);
    assert_eq!(compare::changed_params(&differences), ["timestamp"]);
    assert!(differences.iter().any(|d| d.part == Part::Canonical));
    // The earlier success still stands: the step stays done and the walk is not failed.
    let row = walk.step(StepKind::UserInfo).unwrap();
    assert_eq!(row.state, StepState::Done);
    assert_eq!(row.exchange, Some(attempts[1]));

    edit.signing = Some(Signing::Resign);
    let command = session.resend(&edit).unwrap();
    send(&mut session, command, h.now()).await;
    let walk = session.walk(h.now(), Duration::ZERO);
    let last = walk.exchanges.last().unwrap();
    assert_eq!(last.outcome, ExchangeOutcome::Ok, "{:?}", last.findings);
    assert_eq!(
        walk.exchanges
            .iter()
            .filter(|e| e.step == StepKind::UserInfo)
            .count(),
        3
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_step_never_sent_cannot_be_edited() {
    let h = sandbox(None).await;
    let m = h.manifest().clone();
    let flow = authwalk::flow::Flow::new(
        FlowKind::AlipayWeb,
        alipay_app(&m, "auth_user"),
        &Inputs::default(),
        "teststate123".into(),
        h.now(),
    )
    .unwrap();
    let session = Session::new(flow, info(), Vec::new(), None);
    let e = session.edit(StepKind::Token).unwrap_err();
    assert!(e.to_string().contains("run it first"), "{e}");
    h.shutdown().await;
}
