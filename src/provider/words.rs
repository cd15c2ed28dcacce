//! Words the providers send in Chinese, matched in their answers exactly as sent. They are wire
//! data, not prose: what authwalk says about them lives in `assets/` by key.

/// WeChat's authorize page opened outside the WeChat client: "open the link in the WeChat client".
pub const WECHAT_NOT_IN_CLIENT: &str = "请在微信客户端打开链接";

/// The start of [`WECHAT_NOT_IN_CLIENT`], as some versions of the page word it.
pub const WECHAT_NOT_IN_CLIENT_START: &str = "请在微信客户端打开";

/// The label before the code on WeChat's authorize error page ("error code").
pub const WECHAT_PAGE_ERROR_CODE: &str = "错误码";

/// What precedes the gateway's own sign string in an Alipay `sub_msg` ("the sign string is:"),
/// with a full-width and an ASCII colon.
pub const ALIPAY_SIGN_STRING_MARKS: [&str; 2] = ["验签字符串为：", "验签字符串为:"];
