//! The locked sandbox: the control API needs the run's token, foreign Hosts and cross-origin
//! posts are refused, stored codes are capped, redirect_uri must be on the registered domain,
//! and idle connections cannot lock a new client out.

use std::time::Duration;

use authwalk::sandbox::{Sandbox, SandboxConfig, TOKEN_HEADER};
use serde_json::json;

use crate::common::{client, control_client, enc, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one story: each lock of the control API, tried in turn on one sandbox"
)]
async fn the_control_api_needs_the_token_the_host_and_the_origin() {
    let sandbox = start().await;
    let control = sandbox.manifest().control.clone();
    let token = sandbox.manifest().token.clone();
    assert!(token.len() >= 32);

    // No token, a wrong token: refused, and nothing secret in the answer.
    for header in [None, Some("not-the-token")] {
        let mut request = client().get(&control);
        if let Some(value) = header {
            request = request.header(TOKEN_HEADER, value);
        }
        let resp = request.send().await.expect("answers");
        assert_eq!(resp.status(), 401);
        let text = resp.text().await.expect("text");
        assert!(
            text.contains(TOKEN_HEADER) && !text.contains(&token),
            "{text}"
        );
    }
    let advance = client()
        .post(format!("{control}/clock/advance"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .expect("answers");
    assert_eq!(advance.status(), 401);
    assert_eq!(
        sandbox.now().unix_timestamp() / 60,
        time::OffsetDateTime::now_utc().unix_timestamp() / 60
    );

    // With it (either header form): served.
    let ok = control_client(&sandbox)
        .get(&control)
        .send()
        .await
        .expect("answers");
    assert_eq!(ok.status(), 200);
    let bearer = client()
        .get(format!("{control}/clock"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("answers");
    assert_eq!(bearer.status(), 200);

    // A simple cross-origin post (text/plain, no preflight) is refused, token or not.
    let text_plain = control_client(&sandbox)
        .post(format!("{control}/clock/advance"))
        .header("content-type", "text/plain")
        .body(r#"{"seconds": 3600}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(text_plain.status(), 415);
    let foreign = control_client(&sandbox)
        .post(format!("{control}/clock/advance"))
        .header("origin", "https://evil.example")
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .expect("answers");
    assert_eq!(foreign.status(), 403);
    // The same refusal on a provider page: a foreign site cannot approve a consent for you.
    let consent = client()
        .post(crate::common::authorize_url(
            &sandbox,
            "2021000000000001",
            "auth_user",
            "s",
        ))
        .header("origin", "https://evil.example")
        .form(&[("user", "alipay-certified"), ("decision", "approve")])
        .send()
        .await
        .expect("answers");
    assert_eq!(consent.status(), 403);
    // The sandbox's own page posting to itself is fine.
    let own = client()
        .post(crate::common::authorize_url(
            &sandbox,
            "2021000000000001",
            "auth_user",
            "s",
        ))
        .header("origin", sandbox.base_url())
        .form(&[("user", "alipay-certified"), ("decision", "approve")])
        .send()
        .await
        .expect("answers");
    assert_eq!(own.status(), 302);

    // A foreign Host (DNS rebinding) is refused everywhere, token or not.
    for path in ["/__sandbox", "/gateway.do", "/__sandbox/callback"] {
        let resp = control_client(&sandbox)
            .get(format!("{}{path}", sandbox.base_url()))
            .header("host", "evil.example")
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 421, "{path}");
    }
    let localhost = control_client(&sandbox)
        .get(&control)
        .header("host", format!("localhost:{}", sandbox.addr().port()))
        .send()
        .await
        .expect("answers");
    assert_eq!(localhost.status(), 200);

    // The callback page is where a browser lands: no token needed.
    let callback = client()
        .get(format!(
            "{}/__sandbox/callback?auth_code=x",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect("answers");
    assert_eq!(callback.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_uri_must_be_on_the_registered_domain() {
    let sandbox = start().await;
    let base = sandbox.base_url().to_owned();
    let port = sandbox.addr().port();
    let alipay = |redirect: &str| {
        format!(
            "{}?app_id=2021000000000001&scope=auth_user&redirect_uri={}&state=s",
            sandbox.manifest().alipay.authorize,
            enc(redirect)
        )
    };
    let wechat = |redirect: &str| {
        format!(
            "{base}/connect/oauth2/authorize?appid=wx5a1d0c0ffee00001&redirect_uri={}&response_type=code&scope=snsapi_base&state=s#wechat_redirect",
            enc(redirect)
        )
    };
    let approve = |url: String, user: &'static str| async move {
        let resp = client()
            .post(url.split('#').next().expect("url"))
            .form(&[("user", user), ("decision", "approve")])
            .send()
            .await
            .expect("answers");
        resp.status().as_u16()
    };
    // On the registered domain: the callback itself, another path, another port (a local app).
    for ok in [
        format!("{base}/__sandbox/callback"),
        "http://127.0.0.1:1/elsewhere/cb".to_owned(),
        format!("http://localhost:{port}/cb"),
    ] {
        assert_eq!(approve(alipay(&ok), "alipay-certified").await, 302, "{ok}");
        assert_eq!(approve(wechat(&ok), "wechat-unionid").await, 302, "{ok}");
    }
    // Anything else, other loopback addresses included, gets no code.
    for bad in [
        "https://evil.example/cb".to_owned(),
        format!("http://127.0.0.2:{port}/__sandbox/callback"),
        format!("http://[::1]:{port}/__sandbox/callback"),
        "ftp://127.0.0.1/cb".to_owned(),
    ] {
        assert_ne!(
            approve(alipay(&bad), "alipay-certified").await,
            302,
            "{bad}"
        );
        assert_ne!(approve(wechat(&bad), "wechat-unionid").await, 302, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_codes_are_capped() {
    let sandbox = Sandbox::start(SandboxConfig {
        max_held: 40,
        ..SandboxConfig::default()
    })
    .await
    .expect("starts");
    let c = control_client(&sandbox);
    let control = sandbox.manifest().control.clone();
    let mut last = String::new();
    for _ in 0..200 {
        let resp: serde_json::Value = c
            .post(format!("{control}/alipay/auth-code"))
            .json(&json!({"app_id": "2021000000000001", "scope": "auth_user"}))
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("json");
        last = resp["authCode"].as_str().expect("authCode").to_owned();
    }
    let stats: serde_json::Value = c
        .get(format!("{control}/stats"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let held = stats["alipay_held"].as_u64().expect("count");
    assert!((30..=40).contains(&held), "held {held}");
    // The newest code still works.
    let app0 = crate::common::app(&sandbox, 0);
    let reply = crate::common::exchange(&sandbox, &app0, &last).await;
    assert!(
        reply.node("alipay_system_oauth_token_response")["access_token"].is_string(),
        "{:?}",
        reply.node("alipay_system_oauth_token_response")
    );
}

/// How many connections this test may hold: 2,000, or fewer when the open-file limit (which
/// counts both ends, since client and server share the process) is lower; a test cannot raise
/// it without unsafe code.
fn idle_budget() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1024);
    2000.min(soft.saturating_sub(200) / 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_do_not_lock_a_new_client_out() {
    let sandbox = Sandbox::start(SandboxConfig {
        max_connections: 256,
        ..SandboxConfig::default()
    })
    .await
    .expect("starts");
    let mut idle = Vec::new();
    for _ in 0..idle_budget() {
        idle.push(
            tokio::net::TcpStream::connect(sandbox.addr())
                .await
                .expect("connects"),
        );
    }
    // Well within the 10 s after which a silent connection is closed anyway: only closing
    // idle connections to make room can serve the client this fast.
    let started = std::time::Instant::now();
    let resp = tokio::time::timeout(
        Duration::from_secs(6),
        client()
            .get(format!("{}/__sandbox/callback", sandbox.base_url()))
            .send(),
    )
    .await
    .expect("a new client is served while idle connections are held")
    .expect("answers");
    assert_eq!(resp.status(), 200);
    eprintln!("served after {:?}", started.elapsed());
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_trickled_byte_by_byte_is_cut_off_at_its_deadline() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("starts");
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connects");
    stream
        .write_all(b"GET /__sandbox/callback HTTP/1.1\r\nX-Pad: ")
        .await
        .expect("writes");
    // One byte every 200 ms is activity enough for every silence timeout, but the head as a
    // whole must arrive within 10 s of the accept.
    let started = std::time::Instant::now();
    let closed_after = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut probe = [0u8; 64];
        let closed = stream.write_all(b"a").await.is_err()
            || matches!(
                tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await,
                Ok(Ok(0) | Err(_))
            );
        if closed {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(13),
            "a trickled head still held its connection after 13 s"
        );
    };
    assert!(
        closed_after >= Duration::from_secs(9),
        "not cut off before its deadline: {closed_after:?}"
    );
    eprintln!("cut off after {closed_after:?}");
}

/// A flood of consent approvals evicts the code a walk is about to exchange: Alipay's
/// `isv.code-invalid` stays, its sub_msg says the code was evicted under load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_evicted_by_a_consent_flood_says_so() {
    let sandbox = Sandbox::start(SandboxConfig {
        max_held: 40,
        ..SandboxConfig::default()
    })
    .await
    .expect("starts");
    let app0 = crate::common::app(&sandbox, 0);
    let app_id = app0.entry.app_id.clone();
    let pending = crate::common::approve(&sandbox, &app_id, "auth_user", "alipay-certified").await;
    // The flood comes a little later: the walk's code is the oldest, the first dropped.
    sandbox.advance_clock(2);
    for _ in 0..200 {
        crate::common::approve(&sandbox, &app_id, "auth_user", "alipay-certified").await;
    }
    let reply = crate::common::exchange(&sandbox, &app0, &pending).await;
    let node = reply.node("error_response");
    assert_eq!(node["sub_code"], "isv.code-invalid", "{node}");
    let sub_msg = node["sub_msg"].as_str().expect("sub_msg");
    assert!(
        sub_msg.contains(authwalk::sandbox::CODE_EVICTED_HINT),
        "{sub_msg}"
    );
    assert!(reply.verified(), "still signed like any answer");
    // A code never issued is still just invalid.
    let reply = crate::common::exchange(&sandbox, &app0, &"0".repeat(32)).await;
    let sub_msg = reply.node("error_response")["sub_msg"]
        .as_str()
        .expect("sub_msg");
    assert!(!sub_msg.contains("evicted"), "{sub_msg}");
}
