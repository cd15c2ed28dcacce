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

#[test]
fn a_walk_with_a_quote_in_a_value_is_refused_not_written_into_code() {
    let text = include_str!("../../../tests/fixtures/code/alipay-web.json");
    let Ok(recording) = crate::replay::Recording::read(text.as_bytes(), None) else {
        panic!("the fixture reads back");
    };
    let mut walk = recording.walk(crate::present::Policy::default());
    let good = Facts::of(&walk);
    assert!(good.unsafe_fields.is_empty(), "{:?}", good.unsafe_fields);
    assert!(snippet(&good, StepKind::Authorize, Sdk::AlipayPython).is_ok());
    // A saved walk whose redirect_uri closes the string literal and calls something.
    walk.context.authorize_url = Some(
        "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001\
         &scope=auth_user&redirect_uri=https%3A%2F%2Fa.example%2F%22%29%3Bboom%28%29%23"
            .to_owned(),
    );
    let bad = Facts::of(&walk);
    assert_eq!(bad.unsafe_fields, vec!["redirect_uri"]);
    let err = snippet(&bad, StepKind::Authorize, Sdk::AlipayPython).unwrap_err();
    assert!(err.to_string().contains("redirect_uri"), "{err}");
    assert!(program(&bad, Sdk::AlipayNode).is_err());
}

#[test]
fn a_step_without_a_template_is_a_no_call_snippet_naming_the_request_not_an_error() {
    let text = include_str!("../../../tests/fixtures/code/alipay-web.json");
    let Ok(recording) = crate::replay::Recording::read(text.as_bytes(), None) else {
        panic!("the fixture reads back");
    };
    let facts = Facts::of(&recording.walk(crate::present::Policy::default()));
    let s = no_call(&facts, StepKind::Token, Sdk::Gopay);
    assert!(s.no_call);
    assert!(s.code.lines().all(|l| l.starts_with("// ")), "{}", s.code);
    assert!(
        s.code.contains("gopay has no call for the token step"),
        "{}",
        s.code
    );
    assert!(s.code.contains("alipay.system.oauth.token"), "{}", s.code);
    assert!(s.code.contains("net/http"), "{}", s.code);
    let py = no_call(&facts, StepKind::Token, Sdk::Fzlee);
    assert!(py.code.starts_with("# "), "{}", py.code);
    // And every SDK has every step of every login it speaks.
    for flow in FlowKind::ALL {
        for step in flow.steps_with(true, true) {
            for sdk in Sdk::for_flow(flow) {
                let t = sdk.templates();
                let key = step_key(step);
                assert!(
                    t.snippet.keys().any(|k| k == key
                        || k.starts_with(&format!("{key}."))
                        || k.starts_with(&format!("{key}@{}", flow.id()))),
                    "{sdk}: no template for {} of {flow}",
                    step.id()
                );
            }
        }
    }
}
