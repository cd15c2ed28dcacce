//! The gateway's side of a response: the exact node text and the `sign` over it.
//!
//! Alipay signs the raw text of the `<method>_response` (or `error_response`) value as it
//! transmits it, then writes `{"<node>":<text>,"sign":"…"}`. Building the body from the very
//! text that was signed keeps the two in step by construction, which is the property every
//! client-side extractor in [`super::verify`] relies on.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::{Charset, CharsetError, SignType};
use crate::keys::{self, PrivateKey};

/// A signed gateway response, with the pieces an inspector or a test wants to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedResponse {
    /// The body bytes in the response charset.
    pub body: Vec<u8>,
    /// The exact node text that was signed.
    pub signed_text: String,
    /// The base64 signature placed in `sign`.
    pub sign: String,
}

/// The node text as Alipay writes it: compact JSON, fields in the given order, `/` escaped as
/// `\/` (Alipay's JSON writer does this, and the signature covers the escaped text). For GBK,
/// characters GBK cannot hold (emoji) are written as `\uXXXX` escapes so the body stays
/// encodable.
pub fn node_text(node: &Map<String, Value>, charset: Charset) -> String {
    let compact = Value::Object(node.clone()).to_string();
    let mut out = String::with_capacity(compact.len() + 16);
    for ch in compact.chars() {
        match ch {
            // Outside strings compact JSON has no '/', so every one is inside a string.
            '/' => out.push_str("\\/"),
            c if charset == Charset::Gbk && charset.encode(c.encode_utf8(&mut [0; 4])).is_err() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Sign `node` as the response of `node_name` (`alipay_user_info_share_response`,
/// `error_response`, …) and lay out the body.
pub fn signed_response(
    node_name: &str,
    node: &Map<String, Value>,
    sign_type: SignType,
    charset: Charset,
    key: &PrivateKey,
) -> Result<SignedResponse, CharsetError> {
    let signed_text = node_text(node, charset);
    let bytes = charset.encode(&signed_text)?;
    let sign = keys::base64_encode(&key.sign(sign_type.hash(), &bytes));
    let text = format!("{{\"{node_name}\":{signed_text},\"sign\":\"{sign}\"}}");
    let body = charset.encode(&text)?.into_owned();
    Ok(SignedResponse {
        body,
        signed_text,
        sign,
    })
}
