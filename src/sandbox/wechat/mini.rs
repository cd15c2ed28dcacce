//! The emulated mini program login: `/sns/jscode2session`, `/cgi-bin/stable_token`,
//! `/wxa/business/getuserphonenumber`, and the control calls that play the mini program's own
//! side (`wx.login`, a button's encrypted user data, a phone button's code):
//! `POST /__sandbox/wechat/js-code`, `/user-data`, `/phone-code`, JSON `{appid, user}`.
//!
//! Every `wx.login` rotates the user's `session_key` (per app), as on WeChat; the user data is
//! encrypted under the key current when it is asked for, so a script that asks for the data
//! and then calls `wx.login` reproduces the call-order failure. The scenario's
//! [`MiniFault`] damages what the mini program sends, for the decryption doctor to name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::super::demo::{WechatApp, WechatKind, wechat_openid, wechat_unionid};
use super::super::scenario::MiniFault;
use super::super::state::{Expiring, Store, random_token};
use super::super::{Shared, form};
use super::{ACCESS_TTL, ApiResult, BasicToken, CGI_TYPE, Latest, answer};
use crate::provider::wechat::{crypto, doctor};

/// Lifetime of a `wx.login` code (seconds): five minutes, like the web codes.
pub const JS_CODE_TTL: i64 = 300;
/// Lifetime of a phone button's code (seconds).
pub const PHONE_CODE_TTL: i64 = 300;

#[derive(Debug, Clone)]
struct JsCode {
    appid: String,
    user: String,
    /// The session key this login made.
    key: [u8; 16],
    deadline: i64,
}

#[derive(Debug, Clone)]
struct PhoneCode {
    appid: String,
    user: String,
    deadline: i64,
}

#[derive(Debug, Clone)]
struct Spent {
    deadline: i64,
}

impl Expiring for JsCode {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}
impl Expiring for PhoneCode {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}
impl Expiring for Spent {
    fn deadline(&self) -> i64 {
        self.deadline
    }
}

/// The session keys of one (app, user): the current one and the one before.
#[derive(Debug, Clone, Copy)]
struct Keys {
    current: [u8; 16],
    previous: Option<[u8; 16]>,
}

/// The mini program's codes and keys.
#[derive(Debug, Default)]
pub(crate) struct MiniState {
    codes: Store<JsCode>,
    used_codes: Store<Spent>,
    phone_codes: Store<PhoneCode>,
    used_phone_codes: Store<Spent>,
    /// Per `appid:user`; bounded by the demo apps × demo users.
    keys: Mutex<HashMap<String, Keys>>,
    /// The stable token of each appid.
    stable: Store<Latest>,
}

impl MiniState {
    pub fn set_cap(&self, cap: usize) {
        self.codes.set_cap(cap);
        self.used_codes.set_cap(cap);
        self.phone_codes.set_cap(cap);
        self.used_phone_codes.set_cap(cap);
        self.stable.set_cap(cap);
    }

    pub fn held(&self) -> usize {
        self.codes.len()
            + self.used_codes.len()
            + self.phone_codes.len()
            + self.used_phone_codes.len()
            + self.stable.len()
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, Keys>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn random_key() -> [u8; 16] {
    let mut key = [0u8; 16];
    // Not recoverable for a server that must mint secrets, as in `random_token`.
    getrandom::getrandom(&mut key).expect("the operating system's random source works");
    key
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/sns/jscode2session",
            get(jscode2session).post(jscode2session),
        )
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/wxa/business/getuserphonenumber", post(phone_number))
        .route("/__sandbox/wechat/js-code", post(js_code_api))
        .route("/__sandbox/wechat/user-data", post(user_data_api))
        .route("/__sandbox/wechat/phone-code", post(phone_code_api))
}

// ---------------------------------------------------------------------------------------------
// The mini program's side (control API)

fn bad(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": message})),
    )
        .into_response()
}

/// The mini program and demo user a control call names (`{appid, user}`).
fn mini_and_user(shared: &Shared, body: &[u8]) -> Result<(WechatApp, String), Box<Response>> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(Box::new(bad("send JSON {\"appid\": …, \"user\": …}")));
    };
    let field = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(app) = field("appid").and_then(|a| shared.cast.wechat_app(a)) else {
        return Err(Box::new(bad(
            "unknown or missing appid: pick a mini_program app from sandbox.json",
        )));
    };
    if app.kind != WechatKind::MiniProgram {
        return Err(Box::new(bad(
            "this appid is not a mini_program app in sandbox.json",
        )));
    }
    let default_user = shared.scenario().and_then(|s| s.user);
    let user = field("user")
        .map(str::to_owned)
        .or(default_user)
        .unwrap_or_else(|| "wechat-unionid".to_owned());
    if shared.cast.wechat_user(&user).is_none() {
        return Err(Box::new(bad(
            "unknown user: pick a WeChat demo user id from sandbox.json",
        )));
    }
    Ok((app.clone(), user))
}

fn fault(shared: &Shared) -> Option<MiniFault> {
    shared.scenario().and_then(|s| s.wechat_mini)
}

/// `wx.login`: a fresh code, and a fresh session key for this user in this app.
async fn js_code_api(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let (app, user) = match mini_and_user(&shared, &body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let now = shared.clock.unix();
    let key = random_key();
    {
        let mut keys = shared.wechat.mini.keys();
        let slot = format!("{}:{user}", app.appid);
        let previous = keys.get(&slot).map(|k| k.current);
        keys.insert(
            slot,
            Keys {
                current: key,
                previous,
            },
        );
    }
    let code = random_token(32);
    shared.wechat.mini.codes.insert(
        code.clone(),
        JsCode {
            appid: app.appid.clone(),
            user,
            key,
            deadline: now + JS_CODE_TTL,
        },
        now,
    );
    axum::Json(json!({"code": code, "errMsg": "login:ok"})).into_response()
}

/// A button's `encryptedData`, `iv`, `rawData` and `signature`, under the session key current
/// now (or, in the `login-after-button` scenario, the one before it).
async fn user_data_api(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let (app, user_id) = match mini_and_user(&shared, &body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Some(user) = shared.cast.wechat_user(&user_id) else {
        return bad("unknown user");
    };
    let fault = fault(&shared);
    let now = shared.clock.unix();
    let keys = {
        let mut keys = shared.wechat.mini.keys();
        *keys
            .entry(format!("{}:{user_id}", app.appid))
            .or_insert_with(|| Keys {
                current: random_key(),
                previous: None,
            })
    };
    let key = match fault {
        // The button came before the latest wx.login: the data is under the key before.
        Some(MiniFault::LoginAfterButton) => keys.previous.unwrap_or_else(random_key),
        _ => keys.current,
    };
    let watermark_appid = if fault == Some(MiniFault::OtherAppid) {
        "wx0ther0app0000001".to_owned()
    } else {
        app.appid.clone()
    };
    let timestamp = if fault == Some(MiniFault::OldWatermark) {
        now - 3600
    } else {
        now
    };
    let raw = json!({
        "nickName": user.nickname,
        "gender": 0,
        "language": "zh_CN",
        "city": "",
        "province": "",
        "country": "",
        "avatarUrl": user.headimgurl,
    });
    let mut plain = raw.as_object().cloned().unwrap_or_default();
    plain.insert(
        "openId".into(),
        json!(wechat_openid(&app.appid, user, false)),
    );
    if let Some(unionid) = wechat_unionid(&app, user, false) {
        plain.insert("unionId".into(), json!(unionid));
    }
    plain.insert(
        "watermark".into(),
        json!({"appid": watermark_appid, "timestamp": timestamp}),
    );
    let plain = Value::Object(plain).to_string();
    // In the plus-space scenario the data must hold a '+' to lose: a fresh IV until it does.
    let mut sealed = None;
    for _ in 0..64 {
        let iv = random_key();
        let Ok(data) = crypto::encrypt(&key, &iv, plain.as_bytes()) else {
            return bad("encryption failed");
        };
        let done = fault != Some(MiniFault::PlusSpace) || doctor::to_base64(&data).contains('+');
        sealed = Some((iv, data));
        if done {
            break;
        }
    }
    let Some((iv, mut data)) = sealed else {
        return bad("encryption failed");
    };
    if fault == Some(MiniFault::CutData) {
        data.truncate(data.len().saturating_sub(crypto::BLOCK));
    }
    let mut encrypted = doctor::to_base64(&data);
    if fault == Some(MiniFault::PlusSpace) {
        encrypted = encrypted.replace('+', " ");
    }
    let iv = if fault == Some(MiniFault::ShortIv) {
        doctor::to_base64(&iv[..12])
    } else {
        doctor::to_base64(&iv)
    };
    let raw_data = raw.to_string();
    let signature = {
        use sha1::Digest as _;
        let mut h = sha1::Sha1::new();
        h.update(raw_data.as_bytes());
        h.update(doctor::to_base64(&key).as_bytes());
        crate::keys::hex(&h.finalize())
    };
    axum::Json(json!({
        "encryptedData": encrypted,
        "iv": iv,
        "rawData": raw_data,
        "signature": signature,
        "errMsg": "getUserProfile:ok",
    }))
    .into_response()
}

/// A phone button's code (`bindgetphonenumber`'s `e.detail.code`).
async fn phone_code_api(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let (app, user) = match mini_and_user(&shared, &body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let now = shared.clock.unix();
    let code = random_token(64);
    let fault = fault(&shared);
    let deadline = if fault == Some(MiniFault::PhoneCodeExpired) {
        now - 1
    } else {
        now + PHONE_CODE_TTL
    };
    if fault == Some(MiniFault::PhoneCodeReused) {
        shared.wechat.mini.used_phone_codes.insert(
            code.clone(),
            Spent {
                deadline: now + PHONE_CODE_TTL,
            },
            now,
        );
    } else {
        shared.wechat.mini.phone_codes.insert(
            code.clone(),
            PhoneCode {
                appid: app.appid.clone(),
                user,
                deadline,
            },
            now,
        );
    }
    axum::Json(json!({"code": code, "errMsg": "getPhoneNumber:ok"})).into_response()
}

// ---------------------------------------------------------------------------------------------
// The server's side (APIs)

async fn jscode2session(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    super::api(shared, "/sns/jscode2session", q, body, session).await
}

fn session(shared: &Shared, p: &[(String, String)]) -> ApiResult {
    let now = shared.clock.unix();
    let app = super::app_with_secret(shared, p)?;
    if app.kind != WechatKind::MiniProgram {
        return Err((40013, "invalid appid"));
    }
    let code = form::non_empty(p, "js_code").ok_or((41008, "missing code"))?;
    if form::first(p, "grant_type") != Some("authorization_code") {
        return Err((40002, "invalid grant_type"));
    }
    if shared.wechat.mini.used_codes.get(code, now).is_some() {
        return Err((40163, "code been used"));
    }
    let entry = shared
        .wechat
        .mini
        .codes
        .take(code, now)
        .ok_or((40029, "invalid code"))?;
    if entry.appid != app.appid || entry.deadline < now {
        return Err((40029, "invalid code"));
    }
    shared.wechat.mini.used_codes.insert(
        code.to_owned(),
        Spent {
            deadline: entry.deadline,
        },
        now,
    );
    let user = super::user_of(shared, &entry.user)?;
    let mut out = Map::new();
    out.insert("session_key".into(), json!(doctor::to_base64(&entry.key)));
    out.insert(
        "openid".into(),
        json!(wechat_openid(&app.appid, user, false)),
    );
    if let Some(unionid) = wechat_unionid(app, user, false) {
        out.insert("unionid".into(), json!(unionid));
    }
    Ok(out)
}

/// `POST /cgi-bin/stable_token`, JSON `{grant_type, appid, secret, force_refresh}`: the same
/// token while it is valid; `force_refresh: true` makes a new one.
async fn stable_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let result = (|| {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
            return Err((47001, "data format error"));
        };
        let pairs: Vec<(String, String)> = fields
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k.clone(), s.clone())),
                Value::Bool(b) => Some((k.clone(), b.to_string())),
                _ => None,
            })
            .collect();
        if form::first(&pairs, "grant_type") != Some("client_credential") {
            return Err((40002, "invalid grant_type"));
        }
        let app = super::app_with_secret(&shared, &pairs)?;
        let now = shared.clock.unix();
        let force = form::first(&pairs, "force_refresh") == Some("true");
        if !force && let Some(latest) = shared.wechat.mini.stable.get(&app.appid, now) {
            let mut out = Map::new();
            out.insert("access_token".into(), json!(latest.token));
            out.insert("expires_in".into(), json!(latest.deadline - now));
            return Ok(out);
        }
        let token = format!("86_{}", random_token(100));
        shared.wechat.basic.insert(
            token.clone(),
            BasicToken {
                appid: app.appid.clone(),
                deadline: now + ACCESS_TTL,
            },
            now,
        );
        shared.wechat.mini.stable.insert(
            app.appid.clone(),
            Latest {
                token: token.clone(),
                deadline: now + ACCESS_TTL,
            },
            now,
        );
        let mut out = Map::new();
        out.insert("access_token".into(), json!(token));
        out.insert("expires_in".into(), json!(ACCESS_TTL));
        Ok(out)
    })();
    answer(&shared, CGI_TYPE, result).finish(None)
}

/// `POST /wxa/business/getuserphonenumber?access_token`, JSON `{code}`.
async fn phone_number(
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = form::utf8_pairs(q.unwrap_or_default().as_bytes());
    let result = phone(&shared, &pairs, &body);
    answer(&shared, CGI_TYPE, result).finish(None)
}

fn phone(shared: &Shared, p: &[(String, String)], body: &[u8]) -> ApiResult {
    let now = shared.clock.unix();
    let token = form::non_empty(p, "access_token").ok_or((41001, "access_token missing"))?;
    // A web-auth (`/sns`) token or a session_key is not the app's basic token: 40001.
    let entry = shared.wechat.basic.get(token, now).ok_or((
        40001,
        "invalid credential, access_token is invalid or not latest",
    ))?;
    if entry.deadline < now {
        return Err((42001, "access_token expired"));
    }
    let code = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
        .filter(|c| !c.is_empty())
        .ok_or((47001, "data format error"))?;
    if shared
        .wechat
        .mini
        .used_phone_codes
        .get(&code, now)
        .is_some()
    {
        return Err((40163, "code been used"));
    }
    let entry_code = shared
        .wechat
        .mini
        .phone_codes
        .take(&code, now)
        .ok_or((40029, "invalid code"))?;
    shared.wechat.mini.used_phone_codes.insert(
        code,
        Spent {
            deadline: now + PHONE_CODE_TTL,
        },
        now,
    );
    if entry_code.appid != entry.appid || entry_code.deadline < now {
        return Err((40029, "invalid code"));
    }
    let user = super::user_of(shared, &entry_code.user)?;
    let number = demo_phone(user.id);
    let mut info = Map::new();
    info.insert("phoneNumber".into(), json!(number));
    info.insert("purePhoneNumber".into(), json!(number));
    info.insert("countryCode".into(), json!("86"));
    info.insert(
        "watermark".into(),
        json!({"timestamp": now, "appid": entry.appid}),
    );
    let mut out = Map::new();
    out.insert("errcode".into(), json!(0));
    out.insert("errmsg".into(), json!("ok"));
    out.insert("phone_info".into(), Value::Object(info));
    Ok(out)
}

/// A demo user's phone number: in the 170 range reserved for virtual operators, stable.
fn demo_phone(user: &str) -> String {
    let n = user
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("170{:08}", n % 100_000_000)
}
