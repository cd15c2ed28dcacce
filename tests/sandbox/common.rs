//! Helpers shared by the sandbox integration tests: start a sandbox, approve consent with one
//! POST, send signed gateway calls built by the client-side code, verify the answers.

use authwalk::keys::{PrivateKey, PublicKey};
use authwalk::provider::alipay::{
    self, Charset, GatewayCall, Outcome, SignType, Verification, verify_response,
};
use authwalk::sandbox::{AlipayAppEntry, Sandbox, SandboxConfig, SandboxHandle};
use serde_json::Value;

pub const REDIRECT_PATH: &str = "/__sandbox/callback";

pub async fn start() -> SandboxHandle {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An Alipay app of the manifest, with its keys loaded.
pub struct App {
    pub entry: AlipayAppEntry,
    pub key: PrivateKey,
    pub alipay_key: PublicKey,
    pub sign_type: SignType,
    pub charset: Charset,
}

pub fn app(sandbox: &SandboxHandle, index: usize) -> App {
    let entry = sandbox.manifest().alipay.apps[index].clone();
    let key = PrivateKey::parse(
        &std::fs::read_to_string(&entry.app_private_key).expect("app private key readable"),
    )
    .expect("app private key parses");
    let alipay_key = PublicKey::parse(
        &std::fs::read_to_string(&entry.alipay_public_key).expect("alipay public key readable"),
    )
    .expect("alipay public key parses");
    App {
        sign_type: entry.sign_type.parse().expect("sign type"),
        charset: entry.charset.parse().expect("charset"),
        entry,
        key,
        alipay_key,
    }
}

pub fn authorize_url(sandbox: &SandboxHandle, app_id: &str, scope: &str, state: &str) -> String {
    let redirect = format!("{}{REDIRECT_PATH}?from=test", sandbox.base_url());
    format!(
        "{}?app_id={app_id}&scope={scope}&redirect_uri={}&state={state}",
        sandbox.manifest().alipay.authorize,
        enc(&redirect)
    )
}

/// Approve the Alipay consent page with one POST; returns the redirect's `auth_code`.
pub async fn approve(sandbox: &SandboxHandle, app_id: &str, scope: &str, user: &str) -> String {
    let url = authorize_url(sandbox, app_id, scope, "st4te");
    let resp = client()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("user={user}&decision=approve"))
        .send()
        .await
        .expect("consent POST answers");
    assert_eq!(resp.status(), 302, "approve redirects");
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let parsed = url::Url::parse(&location).expect("location is a URL");
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("from").as_deref(), Some("test"), "existing query kept");
    assert_eq!(get("state").as_deref(), Some("st4te"));
    assert_eq!(get("source").as_deref(), Some("alipay_wallet"));
    assert_eq!(get("app_id").as_deref(), Some(app_id));
    get("auth_code").expect("auth_code in the redirect")
}

/// The outcome of one gateway call.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub verification: Verification,
    pub json: Option<Value>,
}

impl Reply {
    /// The node the answer came in (`…_response` or `error_response`).
    pub fn node(&self, name: &str) -> &Value {
        &self.json.as_ref().expect("JSON body")[name]
    }

    pub fn verified(&self) -> bool {
        self.verification.outcome == Outcome::Verified
    }
}

pub fn call(sandbox: &SandboxHandle, app: &App, method: &str) -> GatewayCall {
    GatewayCall::new(
        method,
        &app.entry.app_id,
        app.sign_type,
        app.charset,
        sandbox.now(),
    )
}

/// Sign `call` with `key` the way the client does and send it; verify the answer.
pub async fn send_with(
    sandbox: &SandboxHandle,
    app: &App,
    call: &GatewayCall,
    key: &PrivateKey,
) -> Reply {
    let prepared =
        alipay::prepare(&sandbox.manifest().alipay.gateway, call, key).expect("request signs");
    let mut req = client().post(&prepared.url).body(prepared.body.clone());
    for (k, v) in &prepared.headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.expect("gateway answers");
    let status = resp.status().as_u16();
    let body = resp.bytes().await.expect("body").to_vec();
    reply(status, body, Some(&call.method), app)
}

pub fn reply(status: u16, body: Vec<u8>, method: Option<&str>, app: &App) -> Reply {
    let verification = verify_response(&body, method, app.sign_type, app.charset, &app.alipay_key);
    let json = app
        .charset
        .decode(&body)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    Reply {
        status,
        body,
        verification,
        json,
    }
}

pub async fn send(sandbox: &SandboxHandle, app: &App, call: &GatewayCall) -> Reply {
    send_with(sandbox, app, call, &app.key).await
}

pub async fn exchange(sandbox: &SandboxHandle, app: &App, code: &str) -> Reply {
    let c = call(sandbox, app, alipay::METHOD_OAUTH_TOKEN)
        .param("grant_type", "authorization_code")
        .param("code", code);
    send(sandbox, app, &c).await
}

pub async fn user_info(sandbox: &SandboxHandle, app: &App, token: &str) -> Reply {
    let c = call(sandbox, app, alipay::METHOD_USER_INFO).param("auth_token", token);
    send(sandbox, app, &c).await
}

/// `sub_code` of the node `name`.
pub fn sub_code<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply.node(name)["sub_code"].as_str().unwrap_or("")
}

/// A client that sends `sandbox`'s control-API token with every request.
pub fn control_client(sandbox: &SandboxHandle) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        authwalk::sandbox::TOKEN_HEADER,
        sandbox
            .manifest()
            .token
            .parse()
            .expect("the token is a header value"),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client builds")
}

pub async fn post_json(sandbox: &SandboxHandle, url: &str, body: &Value) -> Value {
    control_client(sandbox)
        .post(url)
        .json(body)
        .send()
        .await
        .expect("control API answers")
        .json()
        .await
        .expect("control API answers JSON")
}
