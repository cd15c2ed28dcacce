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
    signed_response_with_cert(node_name, node, sign_type, charset, key, None)
}

/// [`signed_response`] with, in certificate mode, the top-level `alipay_cert_sn` (the SN of
/// the Alipay certificate whose key signed) between the node and `sign`. It is not signed.
pub fn signed_response_with_cert(
    node_name: &str,
    node: &Map<String, Value>,
    sign_type: SignType,
    charset: Charset,
    key: &PrivateKey,
    alipay_cert_sn: Option<&str>,
) -> Result<SignedResponse, CharsetError> {
    let signed_text = node_text(node, charset);
    let bytes = charset.encode(&signed_text)?;
    let sign = keys::base64_encode(&key.sign(sign_type.hash(), &bytes));
    let cert = alipay_cert_sn
        .map(|sn| format!(",\"alipay_cert_sn\":{}", Value::from(sn)))
        .unwrap_or_default();
    let text = format!("{{\"{node_name}\":{signed_text}{cert},\"sign\":\"{sign}\"}}");
    let body = charset.encode(&text)?.into_owned();
    Ok(SignedResponse {
        body,
        signed_text,
        sign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        include_str!("../../../tests/vectors/alipay/fake_alipay_private_key_pkcs8.pem");

    /// Known-answer vectors built independently of this code (`tests/vectors/alipay/`): the
    /// node text must come out byte for byte, the signature and the whole body too.
    #[test]
    fn rebuilds_the_published_response_vectors() {
        let key = PrivateKey::parse(KEY).expect("vector key parses");
        let vectors = [
            (
                include_str!("../../../tests/vectors/alipay/v1_resp_user_info_share_ok.json"),
                include_str!("../../../tests/vectors/alipay/v1_resp_user_info_share_ok.body.json"),
            ),
            (
                include_str!("../../../tests/vectors/alipay/v1_resp_oauth_token_ok.json"),
                include_str!("../../../tests/vectors/alipay/v1_resp_oauth_token_ok.body.json"),
            ),
            (
                include_str!("../../../tests/vectors/alipay/v1_resp_oauth_token_ok_openid.json"),
                include_str!(
                    "../../../tests/vectors/alipay/v1_resp_oauth_token_ok_openid.body.json"
                ),
            ),
            (
                include_str!(
                    "../../../tests/vectors/alipay/v1_resp_user_info_share_invalid_token.json"
                ),
                include_str!(
                    "../../../tests/vectors/alipay/v1_resp_user_info_share_invalid_token.body.json"
                ),
            ),
            (
                include_str!(
                    "../../../tests/vectors/alipay/v1_resp_oauth_token_code_invalid_signed.json"
                ),
                include_str!(
                    "../../../tests/vectors/alipay/v1_resp_oauth_token_code_invalid_signed.body.json"
                ),
            ),
        ];
        for (meta, body) in vectors {
            let meta: Value = serde_json::from_str(meta).expect("vector JSON");
            let source = meta["expected_sign_source"].as_str().expect("sign source");
            let node: Map<String, Value> = serde_json::from_str(source).expect("node JSON");
            assert_eq!(node_text(&node, Charset::Utf8), source);
            let node_name = meta["located_node"].as_str().expect("node name");
            let signed = signed_response(node_name, &node, SignType::Rsa2, Charset::Utf8, &key)
                .expect("signs");
            assert_eq!(
                signed.sign,
                meta["sign"].as_str().expect("sign"),
                "{node_name}"
            );
            assert_eq!(
                String::from_utf8(signed.body).expect("UTF-8"),
                body.trim_end()
            );
        }
    }

    #[test]
    fn gbk_escapes_what_gbk_cannot_hold() {
        let mut node = Map::new();
        node.insert("nick_name".into(), Value::String("小红🌸/".into()));
        assert_eq!(
            node_text(&node, Charset::Gbk),
            r#"{"nick_name":"小红\ud83c\udf38\/"}"#
        );
        assert_eq!(
            node_text(&node, Charset::Utf8),
            r#"{"nick_name":"小红🌸\/"}"#
        );
    }
}
