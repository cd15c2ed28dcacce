//! The names of logins and steps, as the command line parses them.

use super::*;

#[test]
fn kinds_parse() {
    assert_eq!("alipay-mini".parse::<FlowKind>(), Ok(FlowKind::AlipayMini));
    let e = "alipay".parse::<FlowKind>().unwrap_err();
    assert_eq!(e.got, "alipay");
    // The text is what it was when the error was a String.
    assert_eq!(
        e.to_string(),
        "unknown flow 'alipay': choose one of alipay-web, alipay-mini, alipay-isv, wechat-web, \
         wechat-qr, wechat-mini, wechat-component, wecom-web"
    );
    assert_eq!("user-info".parse::<StepKind>(), Ok(StepKind::UserInfo));
    assert!(
        "nope"
            .parse::<StepKind>()
            .unwrap_err()
            .to_string()
            .starts_with("unknown step 'nope': choose one of authorize, callback,")
    );
}
