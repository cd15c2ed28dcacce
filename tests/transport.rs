//! The recording transport and the callback listener over real loopback sockets: what arrives
//! is kept byte for byte, and every failure is described so a person can act on it.

use std::time::Duration;

use authwalk::provider::{HttpMethod, PreparedRequest};
use authwalk::transport::{CallbackListener, ListenError, Transport};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

fn get(url: String) -> PreparedRequest {
    PreparedRequest {
        method: HttpMethod::Get,
        url,
        headers: vec![],
        body: vec![],
        signing: None,
    }
}

/// A one-shot server that answers every connection with `reply` (raw HTTP), then optionally
/// waits before closing.
async fn server(reply: &'static [u8], hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream.write_all(reply).await;
            tokio::time::sleep(hold).await;
            let _ = stream.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn records_status_headers_and_exact_body() {
    let base = server(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n\r\n{\"a\":\"\\u4e2d\\/\",\"b\":1}", Duration::ZERO).await;
    let t = Transport::new(Duration::from_secs(5)).unwrap();
    let (result, elapsed) = t.send(&get(format!("{base}/x"))).await;
    let r = result.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.body, b"{\"a\":\"\\u4e2d\\/\",\"b\":1}");
    assert!(elapsed < Duration::from_secs(5));
}

#[tokio::test]
async fn a_cut_off_body_is_kept_and_named() {
    let base = server(
        b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n{\"alipay_system_oau",
        Duration::ZERO,
    )
    .await;
    let t = Transport::new(Duration::from_secs(5)).unwrap();
    let (result, _) = t.send(&get(format!("{base}/gateway.do"))).await;
    let failure = result.unwrap_err();
    assert!(
        failure.message.contains("cut off after 19 of 300 bytes"),
        "{}",
        failure.message
    );
    assert_eq!(failure.partial.unwrap().body, b"{\"alipay_system_oau");
}

#[tokio::test]
async fn redirects_are_shown_not_followed() {
    let base = server(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/cb?code=abc\r\nContent-Length: 0\r\n\r\n", Duration::ZERO).await;
    let t = Transport::new(Duration::from_secs(5)).unwrap();
    let r = t.send(&get(format!("{base}/authorize"))).await.0.unwrap();
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("http://127.0.0.1:1/cb?code=abc"));
}

#[tokio::test]
async fn refused_and_timed_out_connections_are_described() {
    // Bind and drop: nothing listens on that port any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let t = Transport::new(Duration::from_secs(1)).unwrap();
    let failure = t
        .send(&get(format!("http://127.0.0.1:{port}/sns/userinfo")))
        .await
        .0
        .unwrap_err();
    assert!(
        failure
            .message
            .starts_with(&format!("connection refused to 127.0.0.1:{port}")),
        "{}",
        failure.message
    );

    // Headers never come: the timeout fires and says so.
    let base = server(b"", Duration::from_secs(3)).await;
    let failure = t.send(&get(format!("{base}/slow"))).await.0.unwrap_err();
    assert!(
        failure.message.starts_with("timed out after 1 s"),
        "{}",
        failure.message
    );

    let failure = t.send(&get("not a url".to_owned())).await.0.unwrap_err();
    assert!(
        failure.message.contains("is not a valid URL"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn callback_listener_takes_the_redirect() {
    let listener = CallbackListener::bind("http://127.0.0.1:0/callback")
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let wait = tokio::spawn(async move { listener.accept().await });
    let t = Transport::new(Duration::from_secs(5)).unwrap();
    let favicon = t
        .send(&get(format!("http://127.0.0.1:{port}/favicon.ico")))
        .await
        .0
        .unwrap();
    assert_eq!(favicon.status, 404);
    let page = t
        .send(&get(format!(
            "http://127.0.0.1:{port}/callback?code=abc&state=xyz"
        )))
        .await
        .0
        .unwrap();
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("go back to the terminal"));
    let url = wait.await.unwrap().unwrap();
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/callback?code=abc&state=xyz")
    );
}

#[tokio::test]
async fn callback_listener_refuses_non_loopback() {
    let e = CallbackListener::bind("https://example.com/cb")
        .await
        .unwrap_err();
    assert!(matches!(e, ListenError::NotLoopback(_)));
}

/// An approver's error shows as the sentence it carries; the listener names where a mini-program
/// code comes from.
#[test]
fn an_approve_error_displays_its_sentence() {
    use authwalk::transport::ApproveError;
    let e = ApproveError::Sandbox("the sandbox did not approve (HTTP 400): no".to_owned());
    assert_eq!(e.to_string(), "the sandbox did not approve (HTTP 400): no");
    assert_eq!(
        ApproveError::NoMiniCode.to_string(),
        "a mini-program auth code comes from my.getAuthCode; pass it with --code"
    );
}
