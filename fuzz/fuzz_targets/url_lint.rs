//! Authorize URL parsing and lint, for either provider and for the dispatcher that picks one.

#![no_main]

use authwalk::provider::{alipay, lint_authorize_url, wechat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for findings in [
        lint_authorize_url(text),
        alipay::lint_authorize_url(text),
        wechat::lint_authorize_url(text),
    ] {
        for f in findings {
            assert!(!f.code.is_empty());
        }
    }
});
