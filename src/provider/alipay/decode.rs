//! Typed views of the two responses of the flow. Every struct keeps the fields it does not
//! know in `extra`, in the order they came, so nothing the gateway sent is ever lost.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::{Charset, response_node, verify};

/// The common status fields every node carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
}

impl ApiStatus {
    /// Success as the Java SDK judges it: no `sub_code`. (A successful token exchange may
    /// carry no `code` at all.)
    pub fn is_success(&self) -> bool {
        self.sub_code.as_deref().is_none_or(str::is_empty)
            && self.code.as_deref().is_none_or(|c| c == "10000")
    }
}

/// A token lifetime in seconds. Alipay sends it as a string in some places and as a number in
/// others; both parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lifetime(pub i64);

impl<'de> Deserialize<'de> for Lifetime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => n
                .as_i64()
                .map(Lifetime)
                .ok_or_else(|| serde::de::Error::custom(format!("lifetime {n} is not an integer"))),
            Value::String(s) => {
                s.trim().parse().map(Lifetime).map_err(|_| {
                    serde::de::Error::custom(format!("lifetime {s:?} is not a number"))
                })
            }
            other => Err(serde::de::Error::custom(format!(
                "lifetime {other} is not a number"
            ))),
        }
    }
}

/// The `alipay_system_oauth_token_response` node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OauthToken {
    #[serde(flatten)]
    pub status: ApiStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<Lifetime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_expires_in: Option<Lifetime>,
    /// Start of the authorization (`yyyy-MM-dd HH:mm:ss`, China time): the base for expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_start: Option<String>,
    /// `permanent` when the tokens never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `alipay_user_info_share_response` node. The common identity and profile fields are typed;
/// everything else (company, certificate, address fields …) stays in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    #[serde(flatten)]
    pub status: ApiStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// `1` company, `2` individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// `Q` quick-registered, `T` normal, `B` frozen, `W` not activated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_certified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_student_certified: Option<String>,
    /// `F` or `M` (compare case-insensitively: Alipay's sandbox sends lowercase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A decoded gateway response: which node held it, the typed value, and the raw node.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    pub node: String,
    pub value: T,
    /// The whole node as JSON, for field-by-field display.
    pub raw: Map<String, Value>,
}

impl<T> Decoded<T> {
    pub fn is_error_node(&self) -> bool {
        self.node == "error_response"
    }
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Charset(#[from] super::CharsetError),
    #[error("{0}")]
    NotJson(String),
    #[error("the body has no '{expected}' node and no 'error_response' node")]
    NoNode { expected: String },
    #[error("the '{node}' node has an unexpected shape: {detail}")]
    Shape { node: String, detail: String },
}

/// Decode the node for `method` (falling back to `error_response`) into `T`.
pub fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    method: &str,
    charset: Charset,
) -> Result<Decoded<T>, DecodeError> {
    let text = charset.decode(body)?;
    if let Some(reason) = verify::not_json_reason(&text) {
        return Err(DecodeError::NotJson(reason));
    }
    let json: Value =
        serde_json::from_str(&text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let expected = response_node(method);
    let (node, raw) = [expected.as_str(), "error_response"]
        .iter()
        .find_map(|n| json.get(*n).map(|v| ((*n).to_owned(), v.clone())))
        .ok_or(DecodeError::NoNode {
            expected: expected.clone(),
        })?;
    let Value::Object(raw) = raw else {
        return Err(DecodeError::Shape {
            node,
            detail: "it is not an object".into(),
        });
    };
    let value =
        serde_json::from_value(Value::Object(raw.clone())).map_err(|e| DecodeError::Shape {
            node: node.clone(),
            detail: e.to_string(),
        })?;
    Ok(Decoded { node, value, raw })
}
