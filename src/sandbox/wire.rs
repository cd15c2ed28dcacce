//! A response as it leaves the emulated provider: its bytes, the transit faults that damage
//! them (`tampered-signature`, `truncated`), and the few non-JSON answers (404, a load
//! balancer's 502, the 302 to a callback).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};

use super::state::{Fault, FaultKind};

pub(super) async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
        "404 Not Found: the sandbox serves Alipay's /gateway.do and /oauth2/publicAppAuthorize.htm, \
         WeChat's /connect/… /sns/… /cgi-bin/…, and its own /__sandbox/…\n",
    )
        .into_response()
}

/// A response as it leaves the provider, before transit faults damage it.
#[derive(Debug)]
pub(crate) struct Wire {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Wire {
    /// Apply a transit fault (`tampered-signature`, `truncated`) and turn into a response.
    pub fn finish(mut self, fault: Option<&Fault>) -> Response {
        match fault.map(|f| f.fault) {
            Some(FaultKind::TamperedSignature) => tamper_sign(&mut self.body),
            Some(FaultKind::Truncated) => {
                let keep = self.body.len() / 2;
                self.body.truncate(keep);
            }
            _ => {}
        }
        (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            )],
            self.body,
        )
            .into_response()
    }
}

/// Alter one character of the `sign` value (it stays valid base64, so only the check fails).
fn tamper_sign(body: &mut [u8]) {
    const KEY: &[u8] = b"\"sign\":\"";
    if let Some(pos) = body.windows(KEY.len()).rposition(|w| w == KEY) {
        let i = pos + KEY.len();
        if let Some(b) = body.get_mut(i) {
            *b = if *b == b'A' { b'B' } else { b'A' };
        }
    }
}

/// What a load balancer in front of the provider answers when the backend is down.
pub(crate) fn html_502(server: &str) -> Response {
    let body = format!(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad \
         Gateway</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
    );
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        body,
    )
        .into_response()
}

/// A `302 Found` to `location`: the status Alipay and WeChat redirect to the callback with.
pub(crate) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        // A URL built by the url crate is always a valid header value; answer 500 if not.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
