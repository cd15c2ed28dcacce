//! `explain`'s reading of a pasted response: provider detection, field notes, the diagnosis and
//! its findings; and the term lookup for a short input.

#![no_main]

use authwalk::present::explain;
use authwalk::provider::Provider;
use libfuzzer_sys::fuzz_target;

const URLS: [Option<&str>; 6] = [
    None,
    Some("https://api.weixin.qq.com/sns/userinfo?access_token=x&openid=y"),
    Some("https://api.weixin.qq.com/sns/oauth2/access_token"),
    Some("https://openapi.alipay.com/gateway.do"),
    Some("http://127.0.0.1:1/cgi-bin/user/info"),
    Some("not a url"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let url = URLS[usize::from(selector) % URLS.len()];
    if let Ok(analysis) = explain::response(body, url) {
        let _ = analysis.is_error();
        let _ = analysis.findings();
    }
    if body.len() < 256
        && let Ok(term) = std::str::from_utf8(body)
    {
        let provider = match selector >> 6 {
            0 => None,
            1 => Some(Provider::Alipay),
            _ => Some(Provider::Wechat),
        };
        let _ = explain::term(term, provider);
    }
});
