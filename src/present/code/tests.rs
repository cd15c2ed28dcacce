use super::*;

#[test]
fn every_template_file_parses_with_a_language_and_a_dependency() {
    for sdk in Sdk::ALL {
        let parsed: Result<Templates, _> = toml::from_str(sdk.template());
        let parsed = parsed.unwrap_or_else(|e| panic!("assets/code/{sdk}.toml: {e}"));
        assert!(!parsed.language.is_empty(), "{sdk}");
        assert!(!parsed.dependency.is_empty(), "{sdk}");
        assert!(
            parsed.snippet.contains_key("token"),
            "{sdk} has no token step"
        );
    }
}

#[test]
fn sdk_ids_round_trip_and_an_unknown_one_lists_the_choices() {
    for sdk in Sdk::ALL {
        assert_eq!(sdk.id().parse::<Sdk>(), Ok(sdk));
    }
    let err = "alipay-go".parse::<Sdk>().unwrap_err().to_string();
    assert!(
        err.contains("smartwalle") && err.contains("wechatpy"),
        "{err}"
    );
}

#[test]
fn every_trap_has_english_and_chinese_text() {
    for id in traps::ids() {
        let text = Text::key(&format!("code.trap.{id}"));
        let zh = text.exact(crate::lang::Lang::ZH).unwrap_or_default();
        assert!(
            !zh.is_empty() && zh != text.get(crate::lang::Lang::EN),
            "{id}"
        );
    }
}
