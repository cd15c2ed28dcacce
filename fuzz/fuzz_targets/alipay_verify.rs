//! Alipay response verification: locating the `…_response` node by brace matching, checking
//! `sign` with a fixed key (the published test vectors' Alipay public key), and decoding.

#![no_main]

use std::sync::OnceLock;

use authwalk::keys::PublicKey;
use authwalk::provider::alipay::{
    self, Charset, OauthToken, SignType, UserInfo, locate, verify_response,
};
use libfuzzer_sys::fuzz_target;

fn key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PublicKey::parse(include_str!(
            "../../tests/vectors/alipay/fake_alipay_public_key.pem"
        ))
        .expect("the vector key parses")
    })
}

const METHODS: [Option<&str>; 3] = [
    None,
    Some("alipay.user.info.share"),
    Some("alipay.system.oauth.token"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(selector % 3)];
    let sign_type = if selector & 4 == 0 {
        SignType::Rsa2
    } else {
        SignType::Rsa
    };
    let charset = if selector & 8 == 0 {
        Charset::Utf8
    } else {
        Charset::Gbk
    };
    let v = verify_response(body, method, sign_type, charset, key());
    assert!(!v.reason.is_empty(), "every outcome says why");
    if let Some(text) = &v.checked_text {
        assert!(v.outcome.is_verified());
        assert!(!text.contains("\\/"));
    }
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(source) = locate(text, method)
    {
        assert_eq!(&text[source.range.clone()], source.content);
    }
    let _ = alipay::decode::<UserInfo>(body, "alipay.user.info.share", charset);
    let _ = alipay::decode::<OauthToken>(body, "alipay.system.oauth.token", charset);
});
