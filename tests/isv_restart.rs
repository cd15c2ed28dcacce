//! An `app_auth_code` is single-use: two walks of `alipay-isv` from one open place (what the
//! inspector's `R` and `u` do on the embedded sandbox) each start from a fresh merchant
//! authorization, so the second completes too.

use std::time::Duration;

use authwalk::flow::{FlowKind, Inputs};
use authwalk::session::Session;
use authwalk::target::{Choice, Open, Where};
use authwalk::transport::Transport;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_isv_walks_from_one_embedded_sandbox_both_complete() {
    let dir = tempfile::tempdir().unwrap();
    let place = authwalk::target::open(
        &Where::Embedded {
            state_dir: Some(dir.path().to_owned()),
            scenario: None,
        },
        &Open {
            flows: vec![FlowKind::AlipayIsv],
            ..Open::default()
        },
    )
    .await
    .unwrap();
    let transport = Transport::new(Duration::from_secs(5)).unwrap();
    let mut codes = Vec::new();
    for walk in 0..2 {
        let target = place
            .target(FlowKind::AlipayIsv, &Choice::default(), &transport)
            .unwrap();
        let authwalk::flow::App::Alipay(app) = &target.app else {
            panic!("the ISV walk is an Alipay app's")
        };
        codes.push(app.isv.as_ref().unwrap().app_auth_code.clone());
        let mut session = Session::start(
            &target,
            FlowKind::AlipayIsv,
            &Inputs::default(),
            format!("state{walk}"),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        let mut approver = target.approver.clone().unwrap();
        authwalk::walker::run_to_end(
            &mut session,
            &transport,
            &mut approver,
            time::OffsetDateTime::now_utc,
            |_| {},
        )
        .await;
        let walk_model = session.walk(time::OffsetDateTime::now_utc(), Duration::ZERO);
        assert!(
            walk_model.summary.ok,
            "walk {walk} failed: {:?}",
            walk_model.steps
        );
    }
    assert_ne!(codes[0], codes[1], "each walk gets its own app_auth_code");
}
