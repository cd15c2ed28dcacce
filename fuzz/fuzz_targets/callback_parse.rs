//! The callback parsers: a pasted redirect URL, a bare query string or a bare code.

#![no_main]

use authwalk::provider::{alipay, wechat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cb) = alipay::parse_callback(text) {
        assert!(cb.auth_code.is_some());
    }
    let _ = wechat::parse_callback(text);
});
