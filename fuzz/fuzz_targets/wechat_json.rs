//! The lenient WeChat JSON: raw control characters escaped inside strings, numbers as strings,
//! typed decoding of every endpoint's answer.

#![no_main]

use authwalk::provider::wechat::{
    BasicToken, UserInfo, WebAccessToken, escape_controls, parse_response,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (clean, offsets) = escape_controls(text);
        // Each escaped character becomes six bytes (`\u00XX`) in place of one.
        assert_eq!(clean.len(), text.len() + 5 * offsets.len());
        for &i in &offsets {
            assert!(text.as_bytes()[i] < 0x20);
        }
        // Escaping twice changes nothing more.
        assert_eq!(escape_controls(&clean).1.len(), 0);
    }
    if let Ok(parsed) = parse_response(data) {
        let _ = parsed.decode::<WebAccessToken>();
        let _ = parsed.decode::<UserInfo>();
        let _ = parsed.decode::<BasicToken>();
    }
});
