//! Key parsing in every spelling: PEM of any label, one-line base64, DER, JSON-escaped text.

#![no_main]

use authwalk::keys::{self, Armor, Encoding, ParsedKey, PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = keys::parse_bytes(data);
    let private = PrivateKey::parse_bytes(data);
    let public = PublicKey::parse_bytes(data);
    // The role-specific parsers agree with the generic one.
    match &parsed {
        Ok(ParsedKey::Private(_)) => assert!(private.is_ok()),
        Ok(ParsedKey::Public(_)) => assert!(public.is_ok()),
        Err(_) => {}
    }
    if let Ok(key) = &public {
        // A parsed key writes back out and parses to the same key.
        let pem = key
            .encode(Encoding::Spki, Armor::Pem)
            .expect("an SPKI key encodes");
        let again = PublicKey::parse(&pem).expect("our own PEM parses");
        assert_eq!(again.fingerprint(), key.fingerprint());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keys::pem_blocks(text);
        let _ = keys::base64_decode_signature(text);
    }
});
