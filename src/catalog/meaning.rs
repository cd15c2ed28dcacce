//! One-line meanings of response fields, for every face that shows a walk's fields.

use serde_json::Value;

use super::{Catalog, Provider};
use crate::finding::Lang;
use crate::flow::StepKind;

/// The catalog endpoint id a step's response comes from.
pub fn endpoint(provider: Provider, step: StepKind) -> Option<&'static str> {
    Some(match (provider, step) {
        (Provider::Alipay, StepKind::Token | StepKind::Refresh) => "alipay.system.oauth.token",
        (Provider::Alipay, StepKind::UserInfo) => "alipay.user.info.share",
        (Provider::Alipay, StepKind::PhoneNumber) => "my.getPhoneNumber",
        (Provider::Alipay, StepKind::AppAuth) => "alipay.open.auth.token.app",
        (Provider::Wechat, StepKind::Token) => "/sns/oauth2/access_token",
        (Provider::Wechat, StepKind::Refresh) => "/sns/oauth2/refresh_token",
        (Provider::Wechat, StepKind::CheckToken) => "/sns/auth",
        (Provider::Wechat, StepKind::UserInfo) => "/sns/userinfo",
        (Provider::Wechat, StepKind::AppToken) => "/cgi-bin/stable_token",
        (Provider::Wechat, StepKind::PhoneNumber) => "/wxa/business/getuserphonenumber",
        (Provider::Wechat, StepKind::ComponentToken) => "/cgi-bin/component/api_component_token",
        (Provider::Wechat, StepKind::CorpToken) => "/cgi-bin/gettoken",
        (Provider::Wechat, StepKind::UserDetail) => "/cgi-bin/auth/getuserdetail",
        (
            Provider::Alipay,
            StepKind::Authorize
            | StepKind::Callback
            | StepKind::MiniAuthCode
            | StepKind::CheckToken
            | StepKind::DecryptUserData
            | StepKind::AppToken
            | StepKind::ComponentToken
            | StepKind::CorpToken
            | StepKind::UserDetail,
        )
        | (
            Provider::Wechat,
            StepKind::Authorize
            | StepKind::Callback
            | StepKind::MiniAuthCode
            | StepKind::DecryptUserData
            | StepKind::AppAuth,
        ) => {
            return None;
        }
    })
}

/// The meaning of `key`, followed by the meaning of its value when the value belongs to a
/// documented set (`user_status` = `T` → "normal account").
pub fn field(
    provider: Provider,
    step: StepKind,
    key: &str,
    value: &Value,
    lang: Lang,
) -> Option<String> {
    field_of(provider, step, "", key, value, lang)
}

/// Like [`field`], read for the API the request really called (`called`: the Alipay method or
/// the WeChat path) when the catalog knows it: a step that called `/cgi-bin/token` gets the
/// basic token's meaning, not the web-auth token's.
pub fn field_of(
    provider: Provider,
    step: StepKind,
    called: &str,
    key: &str,
    value: &Value,
    lang: Lang,
) -> Option<String> {
    let catalog = Catalog::builtin();
    let endpoint = catalog
        .provider(provider)
        .endpoint(called)
        .map(|e| e.id.as_str())
        .or_else(|| endpoint(provider, step));
    let field = catalog.field(provider, endpoint, key)?;
    let meaning = first_sentence(field.meaning.get(lang));
    let values: Vec<&str> = field
        .items(value)
        .iter()
        .filter_map(|item| field.value(item))
        .map(|v| v.meaning.get(lang))
        .collect();
    Some(if values.is_empty() {
        meaning.to_owned()
    } else {
        format!("{meaning}: {}", values.join(", "))
    })
}

/// The first sentence (without its full stop), so a field fits on one line.
pub fn first_sentence(text: &str) -> &str {
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        let abbreviation = ["e.g", "i.e", "etc"].iter().any(|a| text[..i].ends_with(a));
        if matches!(c, '。' | '；') || (c == '.' && text[i + 1..].starts_with(' ') && !abbreviation)
        {
            end = i;
            break;
        }
    }
    text[..end].trim_end_matches(['.', '。'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings_include_the_value() {
        let m = field(
            Provider::Alipay,
            StepKind::UserInfo,
            "user_status",
            &Value::String("T".into()),
            Lang::EN,
        )
        .unwrap();
        assert!(
            m.contains('T') || m.to_lowercase().contains("normal"),
            "{m}"
        );
        let zh = field(
            Provider::Wechat,
            StepKind::UserInfo,
            "sex",
            &Value::from(0),
            Lang::ZH,
        )
        .unwrap();
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        assert_eq!(first_sentence("One. Two."), "One");
        assert_eq!(
            first_sentence("Text, e.g. Success. More."),
            "Text, e.g. Success"
        );
        assert_eq!(
            first_sentence("Whether the user is an adult."),
            "Whether the user is an adult"
        );
        assert_eq!(first_sentence("一。二"), "一");
    }
}
