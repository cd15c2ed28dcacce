//! Who turns an authorize URL into a callback: the sandbox approving as a demo user, a loopback
//! listener waiting for the browser, or (in a face) a person pasting. [`crate::walker`] calls
//! them for the session.

use std::future::Future;

use super::{CallbackListener, Ignored, Transport};
use crate::flow::RawResponse;
use crate::provider::{HttpMethod, PreparedRequest};

/// Why an approver brought no callback (or mini-program code). Each says what went wrong and
/// what to do, as the text it shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApproveError {
    /// The request to the sandbox did not complete.
    #[error("{0}")]
    Transport(String),
    /// The sandbox answered, but not with a redirect or a code.
    #[error("{0}")]
    Sandbox(String),
    /// The callback listener could not be used, or no redirect came in time.
    #[error("{0}")]
    Listener(String),
    /// Standard input gave nothing to use.
    #[error("{0}")]
    Input(String),
    /// A mini-program code comes only from the app (or the sandbox), never from a listener.
    #[error("a mini-program auth code comes from my.getAuthCode; pass it with --code")]
    NoMiniCode,
}

/// Whoever turns an authorize URL into a callback: a person pasting, a local listener, or the
/// sandbox approving as a demo user.
pub trait Approver {
    /// Return the callback URL (or a bare code) for this authorize URL.
    fn callback(
        &mut self,
        authorize_url: &str,
        redirect_uri: &str,
    ) -> impl Future<Output = Result<String, ApproveError>> + Send;

    /// Return a mini-program auth code, as `my.getAuthCode` would.
    fn mini_code(
        &mut self,
        app_id: &str,
        scope: &str,
    ) -> impl Future<Output = Result<String, ApproveError>> + Send;

    /// Every hit on the callback seen elsewhere for `state` (the sandbox's callback page), for
    /// the walk's timeline; none by default.
    fn hits(&mut self, state: &str) -> impl Future<Output = Vec<crate::flow::CallbackHit>> + Send {
        let _ = state;
        async { Vec::new() }
    }
}

/// Approves on the embedded sandbox as a chosen demo user, with the one documented request a
/// script uses: `POST` the authorize URL with `user=<id>&decision=approve`, read the 302.
#[derive(Debug, Clone)]
pub struct SandboxApprover {
    pub transport: Transport,
    pub user: String,
    /// The sandbox's control base (`http://HOST:PORT/__sandbox`), for mini-program codes.
    pub control: String,
    /// The sandbox's control-API token (`Manifest::token`).
    pub token: String,
}

impl SandboxApprover {
    /// `my.getAuthCode`, as the demo user.
    async fn alipay_mini(&self, app_id: &str, scope: &str) -> Result<String, ApproveError> {
        let body = serde_json::json!({"app_id": app_id, "scope": scope, "user": self.user});
        let request = PreparedRequest {
            method: HttpMethod::Post,
            url: format!("{}/alipay/auth-code", self.control),
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (crate::sandbox::TOKEN_HEADER.to_owned(), self.token.clone()),
            ],
            body: body.to_string().into_bytes(),
            signing: None,
        };
        let response = self
            .transport
            .send(&request)
            .await
            .0
            .map_err(|e| ApproveError::Transport(e.message))?;
        let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            ApproveError::Sandbox(format!("the sandbox's auth-code answer is not JSON ({e})"))
        })?;
        json.get("authCode")
            .and_then(|c| c.as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                ApproveError::Sandbox(format!(
                    "the sandbox gave no authCode (HTTP {}): {json}",
                    response.status
                ))
            })
    }

    /// One of the sandbox's control calls for the mini program's side, as the demo user.
    async fn control_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ApproveError> {
        let request = PreparedRequest {
            method: HttpMethod::Post,
            url: format!("{}/{path}", self.control),
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (crate::sandbox::TOKEN_HEADER.to_owned(), self.token.clone()),
            ],
            body: body.to_string().into_bytes(),
            signing: None,
        };
        let response = self
            .transport
            .send(&request)
            .await
            .0
            .map_err(|e| ApproveError::Transport(e.message))?;
        let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            ApproveError::Sandbox(format!("the sandbox's {path} answer is not JSON ({e})"))
        })?;
        if response.status != 200 {
            return Err(ApproveError::Sandbox(format!(
                "the sandbox refused {path} (HTTP {}): {json}",
                response.status
            )));
        }
        Ok(json)
    }

    /// The mini program's side of a WeChat login, as the demo user: `wx.login`, then the
    /// profile button's encrypted data, then the phone button's code, all as one form-encoded
    /// bundle (`code`, `encryptedData`, `iv`, `rawData`, `signature`, `phone_code`): what a
    /// mini program posts to its server.
    async fn wechat_mini(&self, appid: &str) -> Result<String, ApproveError> {
        let who = serde_json::json!({"appid": appid, "user": self.user});
        let login = self.control_json("wechat/js-code", &who).await?;
        let data = self.control_json("wechat/user-data", &who).await?;
        let phone = self.control_json("wechat/phone-code", &who).await?;
        let text = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| ApproveError::Sandbox(format!("the sandbox gave no {k}: {v}")))
        };
        let mut bundle = url::form_urlencoded::Serializer::new(String::new());
        bundle.append_pair("code", &text(&login, "code")?);
        for key in ["encryptedData", "iv", "rawData", "signature"] {
            bundle.append_pair(key, &text(&data, key)?);
        }
        bundle.append_pair("phone_code", &text(&phone, "code")?);
        Ok(bundle.finish())
    }

    async fn post(
        &self,
        url: &str,
        body: String,
        host: Option<String>,
    ) -> Result<RawResponse, ApproveError> {
        let mut headers = vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        // The browser's Host (a phone's LAN address), though the bytes go to loopback.
        headers.extend(host.map(|h| ("Host".to_owned(), h)));
        let request = PreparedRequest {
            method: HttpMethod::Post,
            url: url.to_owned(),
            headers,
            body: body.into_bytes(),
            signing: None,
        };
        self.transport
            .send(&request)
            .await
            .0
            .map_err(|e| ApproveError::Transport(e.message))
    }
}

impl SandboxApprover {
    /// Wait up to `wait` (the sandbox caps it at a few seconds) for a request to reach the
    /// sandbox's callback with `state`: a browser or a phone that approved on the consent page
    /// and followed the 302. `Ok(None)` when none came in that time.
    pub async fn callback_hit(
        &self,
        state: &str,
        wait: std::time::Duration,
    ) -> Result<Option<String>, String> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", state)
            .append_pair("wait_ms", &wait.as_millis().to_string())
            .finish();
        let request = PreparedRequest {
            method: HttpMethod::Get,
            url: format!("{}/callbacks?{query}", self.control),
            headers: vec![(crate::sandbox::TOKEN_HEADER.to_owned(), self.token.clone())],
            body: Vec::new(),
            signing: None,
        };
        let response = self
            .transport
            .send(&request)
            .await
            .0
            .map_err(|e| e.message)?;
        match response.status {
            204 => Ok(None),
            200 => {
                let json: serde_json::Value = serde_json::from_slice(&response.body)
                    .map_err(|e| format!("the sandbox's callback answer is not JSON ({e})"))?;
                json.get("url")
                    .and_then(|u| u.as_str())
                    .map(|u| Some(u.to_owned()))
                    .ok_or_else(|| format!("the sandbox's callback answer has no url: {json}"))
            }
            status => Err(format!(
                "the sandbox answered the callback poll with HTTP {status}"
            )),
        }
    }
}

impl SandboxApprover {
    /// The sandbox's log of hits on its callback page carrying `state` (`GET
    /// /__sandbox/callback-log`): time, user agent, `state`, code. An unreachable sandbox
    /// gives none (the timeline is a help, never a reason to stop).
    pub async fn callback_log(&self, state: &str) -> Vec<crate::flow::CallbackHit> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", state)
            .finish();
        let request = PreparedRequest {
            method: HttpMethod::Get,
            url: format!("{}/callback-log?{query}", self.control),
            headers: vec![(crate::sandbox::TOKEN_HEADER.to_owned(), self.token.clone())],
            body: Vec::new(),
            signing: None,
        };
        let Ok(response) = self.transport.send(&request).await.0 else {
            return Vec::new();
        };
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        json.get("hits")
            .and_then(serde_json::Value::as_array)
            .map(|hits| hits.iter().filter_map(logged_hit).collect())
            .unwrap_or_default()
    }
}

/// One entry of the sandbox's callback log as a hit of the timeline.
fn logged_hit(v: &serde_json::Value) -> Option<crate::flow::CallbackHit> {
    use crate::flow::{CallbackHit, HitResult, HitSource};
    let at_ms = v.get("at_ms")?.as_i64()?;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000).ok()?;
    let url = url::Url::parse(v.get("url")?.as_str()?).ok()?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    Some(CallbackHit {
        at,
        source: HitSource::Sandbox,
        user_agent: v
            .get("user_agent")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        state: param("state"),
        code: param("code").or_else(|| param("auth_code")),
        result: if v.get("exchanged").and_then(serde_json::Value::as_bool) == Some(true) {
            HitResult::Exchanged
        } else {
            HitResult::Seen
        },
    })
}

impl Approver for SandboxApprover {
    async fn hits(&mut self, state: &str) -> Vec<crate::flow::CallbackHit> {
        self.callback_log(state).await
    }

    async fn callback(
        &mut self,
        authorize_url: &str,
        _redirect_uri: &str,
    ) -> Result<String, ApproveError> {
        let url = authorize_url.split('#').next().unwrap_or(authorize_url);
        // In phone mode the URL carries the LAN address; authwalk itself stays on loopback.
        let url_host = url::Url::parse(url).ok().and_then(|u| {
            u.host_str().map(|h| {
                u.port()
                    .map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"))
            })
        });
        let moved = on_origin_of(url, &self.control);
        let control_host = url::Url::parse(&moved).ok().and_then(|u| {
            u.host_str().map(|h| {
                u.port()
                    .map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"))
            })
        });
        let host = url_host.filter(|h| Some(h) != control_host.as_ref());
        let url = moved;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("user", &self.user)
            .append_pair("decision", "approve")
            .finish();
        let response = self.post(&url, body, host).await?;
        match (response.status, response.header("location")) {
            (302 | 303, Some(location)) => Ok(location.to_owned()),
            (status, _) => Err(ApproveError::Sandbox(format!(
                "the sandbox did not approve (HTTP {status}): {}",
                String::from_utf8_lossy(&response.body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ))),
        }
    }

    async fn mini_code(&mut self, app_id: &str, scope: &str) -> Result<String, ApproveError> {
        match scope
            .parse::<crate::provider::Scope>()
            .map(crate::provider::Scope::provider)
        {
            Ok(crate::provider::Provider::Wechat) => self.wechat_mini(app_id).await,
            Ok(crate::provider::Provider::Alipay) | Err(_) => self.alipay_mini(app_id, scope).await,
        }
    }
}

/// `url` with the scheme, host and port of `base` (path and query kept).
fn on_origin_of(url: &str, base: &str) -> String {
    match (url::Url::parse(url), url::Url::parse(base)) {
        (Ok(mut url), Ok(base)) => {
            let _ = url.set_scheme(base.scheme());
            let _ = url.set_host(base.host_str());
            let _ = url.set_port(base.port());
            url.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Waits for a real browser to come back to a loopback `redirect_uri`. Only the redirect that
/// carries the `state` of the authorize URL is taken; anything else is answered, kept in
/// [`ListenerApprover::ignored`] and waited past.
#[derive(Debug)]
pub struct ListenerApprover {
    pub listener: CallbackListener,
    /// The requests that were ignored while waiting, oldest first: the first
    /// [`ListenerApprover::MAX_IGNORED`] of them (a flood is counted, not kept).
    pub ignored: Vec<Ignored>,
    /// How many more were ignored past those.
    pub ignored_more: usize,
}

impl ListenerApprover {
    /// How many ignored requests are kept and told of.
    pub const MAX_IGNORED: usize = 20;

    pub fn new(listener: CallbackListener) -> Self {
        Self {
            listener,
            ignored: Vec::new(),
            ignored_more: 0,
        }
    }

    /// Wait for the redirect of `authorize_url`, telling `on_ignored` of each request that
    /// was not it (as it happens, so a person sees a forged redirect arrive), up to
    /// [`ListenerApprover::MAX_IGNORED`] of them.
    pub async fn wait(
        &mut self,
        authorize_url: &str,
        mut on_ignored: impl FnMut(&Ignored),
    ) -> Result<String, ApproveError> {
        let expected = state_of(authorize_url);
        let (ignored, more) = (&mut self.ignored, &mut self.ignored_more);
        self.listener
            .wait(expected.as_deref(), |i| {
                if ignored.len() < Self::MAX_IGNORED {
                    on_ignored(&i);
                    ignored.push(i);
                } else {
                    *more += 1;
                }
            })
            .await
            .map_err(|e| ApproveError::Listener(e.to_string()))
    }
}

/// The `state` an authorize URL carries (the one its redirect must bring back).
fn state_of(authorize_url: &str) -> Option<String> {
    let url = url::Url::parse(authorize_url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

impl Approver for ListenerApprover {
    async fn callback(
        &mut self,
        authorize_url: &str,
        _redirect_uri: &str,
    ) -> Result<String, ApproveError> {
        self.wait(authorize_url, |_| {}).await
    }

    async fn mini_code(&mut self, _app_id: &str, _scope: &str) -> Result<String, ApproveError> {
        Err(ApproveError::NoMiniCode)
    }
}
