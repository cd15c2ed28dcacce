//! The `sandbox.json` entries of the logins on behalf of others: a WeChat third-party
//! platform, a WeCom corp, an Alipay ISV authorization.

use serde::{Deserialize, Serialize};

/// One WeChat third-party platform: what `WeChatComponent` needs, and the latest
/// `component_verify_ticket` WeChat pushed (also at `/__sandbox/wechat/component-ticket`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentEntry {
    pub component_appid: String,
    pub component_appsecret: String,
    /// The console's message-verification Token (not an API credential).
    pub token: String,
    pub encoding_aes_key: String,
    pub verify_ticket: String,
    /// The Official Accounts that authorized the platform.
    pub authorizers: Vec<String>,
}

/// One WeCom corp and its self-built app: what `wechatpy.work.WeChatClient` needs, and how each
/// demo user stands with the corp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WecomEntry {
    pub corpid: String,
    pub agentid: String,
    /// The app's Secret (`corpsecret`).
    pub corpsecret: String,
    pub redirect_uri: String,
    /// Demo user id → `member:<userid>`, `external:<external_userid>` or `outsider`.
    pub standing: std::collections::BTreeMap<String, String>,
}

/// One third-party (ISV) authorization: the ISV signs with its own app; the member login is
/// the merchant app's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsvEntry {
    pub isv_app_id: String,
    pub merchant_app_id: String,
    /// Single use, valid 24 hours.
    pub app_auth_code: String,
}
