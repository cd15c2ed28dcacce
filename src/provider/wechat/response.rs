//! Parsing what the WeChat API really sends back.
//!
//! - Errors arrive with HTTP 200 as `{"errcode":N,"errmsg":"…"}`; success bodies have no
//!   `errcode` (except `/sns/auth`, whose success is `{"errcode":0,"errmsg":"ok"}`).
//! - The `Content-Type` is unreliable (`text/plain` is common), so the body is always parsed as
//!   UTF-8 JSON, whatever the header says.
//! - Nicknames may hold emoji and even raw control characters inside JSON strings, which strict
//!   parsers reject; those are escaped before parsing and reported in [`Parsed::escaped_controls`].
//! - The authorize pages answer with HTML, never JSON: that is a clear error here.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::errmsg::{ErrmsgParts, split_errmsg};

/// An `errcode` ≠ 0 returned by WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error number; match on this, never on the text.
    pub errcode: i64,
    /// The raw `errmsg`, as sent.
    pub errmsg: String,
    /// `errmsg` split into text, rid/hint and link.
    pub parts: ErrmsgParts,
}

/// A successfully parsed body.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The JSON object, after control characters were escaped.
    pub json: Value,
    /// Byte offsets in the body of raw control characters found inside strings and escaped
    /// before parsing. Empty for a well-formed body.
    pub escaped_controls: Vec<usize>,
    /// The error WeChat reported in the body, if any.
    pub error: Option<ApiError>,
}

/// Why a body could not be read as a WeChat API response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// Nothing came back.
    #[error(
        "the response body is empty; WeChat always answers with JSON, so a proxy or the network \
         cut it — retry and check the HTTP status"
    )]
    Empty,
    /// An HTML page instead of JSON.
    #[error(
        "the response is an HTML page, not JSON{}; check that the URL is an api.weixin.qq.com \
         endpoint (authorize pages on open.weixin.qq.com are HTML and must be opened in the \
         WeChat client)",
        if *.not_in_wechat { crate::lang::tr(crate::lang::Lang::EN, "provider.wechat.html-not-in-wechat") } else { "" }
    )]
    Html {
        /// The start of the page, for display.
        snippet: String,
        /// The page is WeChat's "open this link in the WeChat client" notice.
        not_in_wechat: bool,
    },
    /// The bytes are not UTF-8.
    #[error(
        "the response is not UTF-8 (first bad byte at offset {offset}); WeChat sends UTF-8, so \
         something between you and WeChat re-encoded it"
    )]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The text is not JSON even after escaping control characters.
    #[error(
        "the response is not valid JSON ({reason}); show the raw body and compare with the docs"
    )]
    NotJson {
        /// serde_json's description, with line and column.
        reason: String,
    },
    /// Valid JSON but not an object.
    #[error("the response is JSON but not an object; WeChat answers with a JSON object")]
    NotObject,
    /// WeChat reported an error (only from the typed decoders).
    #[error("WeChat returned errcode {errcode}: {errmsg}")]
    Api {
        /// The error number.
        errcode: i64,
        /// The raw errmsg.
        errmsg: String,
    },
    /// The object lacks a field the typed struct needs, or a field has the wrong type.
    #[error(
        "the response does not have the expected fields ({reason}); is it from another endpoint?"
    )]
    Shape {
        /// serde_json's description.
        reason: String,
    },
}

impl Parsed {
    /// Whether WeChat reported success (no errcode, or errcode 0).
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// Decode into a typed struct ([`WebAccessToken`], [`UserInfo`], [`BasicToken`]), turning
    /// an errcode into [`ResponseError::Api`].
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ResponseError> {
        if let Some(e) = &self.error {
            return Err(ResponseError::Api {
                errcode: e.errcode,
                errmsg: e.errmsg.clone(),
            });
        }
        T::deserialize(&self.json).map_err(|e| ResponseError::Shape {
            reason: e.to_string(),
        })
    }
}

/// Parse a body from any WeChat API endpoint. Errors in the body are not an `Err` here: they are
/// in [`Parsed::error`], so the raw JSON stays available for display.
pub fn parse_response(body: &[u8]) -> Result<Parsed, ResponseError> {
    let text = std::str::from_utf8(body).map_err(|e| ResponseError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ResponseError::Empty);
    }
    if trimmed.starts_with('<') {
        return Err(ResponseError::Html {
            snippet: trimmed.chars().take(200).collect(),
            not_in_wechat: text.contains(crate::provider::words::WECHAT_NOT_IN_CLIENT),
        });
    }
    let (clean, escaped_controls) = escape_controls(text);
    let json: Value = serde_json::from_str(&clean).map_err(|e| ResponseError::NotJson {
        reason: e.to_string(),
    })?;
    let Value::Object(obj) = &json else {
        return Err(ResponseError::NotObject);
    };
    let error = match obj.get("errcode").and_then(as_int) {
        Some(errcode) if errcode != 0 => {
            let errmsg = obj
                .get("errmsg")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some(ApiError {
                errcode,
                parts: split_errmsg(&errmsg),
                errmsg,
            })
        }
        _ => None,
    };
    Ok(Parsed {
        json,
        escaped_controls,
        error,
    })
}

/// Replace raw C0 control characters inside JSON strings with `\u00XX` escapes, keeping them
/// (rather than dropping them) so nothing of the nickname is lost. Returns the offsets.
/// Escape raw C0 control characters inside JSON strings as `\u00XX` (WeChat has sent nicknames
/// with unescaped control characters, which strict parsers reject). Returns the cleaned text
/// and the byte offsets of what was escaped; text outside strings is untouched.
pub fn escape_controls(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if u32::from(c) < 0x20 {
                offsets.push(i);
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
                continue;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    (out, offsets)
}

/// A JSON number or a numeric string as an integer (WeChat's types are not always the docs').
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lenient_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(as_int))
}

/// The web-auth (user-scoped) token from `/sns/oauth2/access_token` or `/refresh_token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebAccessToken {
    /// Reads only this user's data, only on `/sns/*`; not usable on `/cgi-bin/*`.
    pub access_token: String,
    /// Seconds, 7200 in practice.
    #[serde(default, deserialize_with = "lenient_int")]
    pub expires_in: Option<i64>,
    /// Valid 30 days, for `/sns/oauth2/refresh_token`.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The user's id for this app.
    pub openid: String,
    /// Granted scopes, comma-separated (`snsapi_base` cannot call `/sns/userinfo`).
    #[serde(default)]
    pub scope: Option<String>,
    /// Only when the app is bound to an Open Platform account and the scope is
    /// `snsapi_userinfo`.
    #[serde(default)]
    pub unionid: Option<String>,
    /// `1` for a snapshot-page virtual account: its openid is not the real user's.
    #[serde(default, deserialize_with = "lenient_int")]
    pub is_snapshotuser: Option<i64>,
    /// Fields the docs do not list, kept for display.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WebAccessToken {
    /// The granted scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Whether the token may call `/sns/userinfo`, when the scope is known.
    pub fn allows_userinfo(&self) -> Option<bool> {
        self.scope.as_ref()?;
        Some(self.scopes().any(|s| s == super::SCOPE_USERINFO))
    }

    /// Whether this is a snapshot-page virtual account.
    pub fn is_snapshot_user(&self) -> bool {
        self.is_snapshotuser == Some(1)
    }
}

/// The app-level basic token from `/cgi-bin/token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasicToken {
    /// For `/cgi-bin/*` APIs only; fetching a new one invalidates the previous one.
    pub access_token: String,
    /// Seconds, at most 7200.
    #[serde(default, deserialize_with = "lenient_int")]
    pub expires_in: Option<i64>,
    /// Fields the docs do not list, kept for display.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The profile from `/sns/userinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user's id for this app.
    pub openid: String,
    /// May contain emoji and, rarely, control characters.
    #[serde(default)]
    pub nickname: String,
    /// Always 0 (unknown) since October 2021; the field is kept.
    #[serde(default)]
    pub sex: Sex,
    /// Empty since October 2021.
    #[serde(default)]
    pub province: String,
    /// Empty since October 2021.
    #[serde(default)]
    pub city: String,
    /// Empty since October 2021.
    #[serde(default)]
    pub country: String,
    /// Avatar URL; the last path segment is the size (0 = 640×640, 46, 64, 96, 132). Stops
    /// working when the user changes avatar.
    #[serde(default)]
    pub headimgurl: String,
    /// Special privileges such as `chinaunicom`; normally empty.
    #[serde(default)]
    pub privilege: Vec<String>,
    /// Present only when the app is bound to an Open Platform account.
    #[serde(default)]
    pub unionid: Option<String>,
    /// Fields the docs do not list (e.g. `language`), kept for display.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `sex` field: a number (sometimes a string) 0, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sex {
    /// 0, or absent: what WeChat returns for everyone since October 2021.
    #[default]
    Unknown,
    /// 1.
    Male,
    /// 2.
    Female,
    /// Anything else, kept as sent.
    Other(i64),
}

impl Sex {
    /// The number as WeChat sends it.
    pub fn code(self) -> i64 {
        match self {
            Self::Unknown => 0,
            Self::Male => 1,
            Self::Female => 2,
            Self::Other(n) => n,
        }
    }
}

impl<'de> Deserialize<'de> for Sex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        Ok(match v.as_ref().and_then(as_int) {
            None | Some(0) => Self::Unknown,
            Some(1) => Self::Male,
            Some(2) => Self::Female,
            Some(n) => Self::Other(n),
        })
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}
