//! The demo logins on behalf of others: a WeChat third-party platform (component) and a WeCom
//! corp, as registered. Their secrets are kept with the appsecrets, so every process on one
//! state folder agrees on them.

use std::path::Path;

use super::wechat_secrets;

/// The demo corp's id (`ww` + 16 hex digits, as WeCom issues them).
pub const CORPID: &str = "ww5a1d0c0ffee0c0de";
/// The demo self-built app's agentid.
pub const AGENTID: &str = "1000002";

/// The demo third-party platform's `component_appid`.
pub const COMPONENT_APPID: &str = "wx5a1d0c0ffee000c1";
/// The Official Account that authorized it (the demo OA).
pub const AUTHORIZER_APPID: &str = "wx5a1d0c0ffee00001";

/// The demo corp.
#[derive(Debug, Clone)]
pub(crate) struct Corp {
    pub corpid: String,
    pub agentid: String,
    /// The app's Secret (corpsecret).
    pub secret: String,
}

/// The demo third-party platform, as registered.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub appid: String,
    pub secret: String,
    /// The message-verification Token of the console (signs pushed messages only).
    pub token: String,
    /// The 43-character EncodingAESKey of the console.
    pub encoding_aes_key: String,
    /// The latest pushed `component_verify_ticket`.
    pub verify_ticket: String,
    /// The Official Accounts that authorized it.
    pub authorizers: Vec<String>,
}

/// The demo third-party platform: its secret, message Token, EncodingAESKey and current verify
/// ticket are kept with the appsecrets, so every process on one state folder agrees on them.
pub(crate) fn component_cast(dir: &Path) -> anyhow::Result<Component> {
    let keys = [
        COMPONENT_APPID.to_owned(),
        format!("{COMPONENT_APPID}:token"),
        format!("{COMPONENT_APPID}:aes"),
        format!("{COMPONENT_APPID}:ticket"),
    ];
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut values = wechat_secrets(dir, &refs)?.into_iter();
    let mut next = || values.next().unwrap_or_default();
    let secret = next();
    let token = next();
    let aes = next();
    let ticket = next();
    // An EncodingAESKey is 43 characters of base64 (32 bytes without the trailing '=').
    let encoding_aes_key: String = format!("{aes}{aes}").chars().take(43).collect();
    Ok(Component {
        appid: COMPONENT_APPID.to_owned(),
        secret,
        token: token.chars().take(16).collect(),
        encoding_aes_key,
        verify_ticket: format!("ticket@@@{ticket}"),
        authorizers: vec![AUTHORIZER_APPID.to_owned()],
    })
}

/// The demo WeCom corp, its app's Secret kept with the appsecrets.
pub(crate) fn corp_cast(dir: &Path) -> anyhow::Result<Corp> {
    let secret = wechat_secrets(dir, &[CORPID])?.pop().unwrap_or_default();
    Ok(Corp {
        corpid: CORPID.to_owned(),
        agentid: AGENTID.to_owned(),
        secret,
    })
}
