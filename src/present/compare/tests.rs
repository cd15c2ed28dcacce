//! Parameters read back from a request as shown, and how a difference is weighed.

use super::*;

#[test]
fn params_come_from_the_query_and_the_form_but_not_a_json_body() {
    let got = params(
        "http://h/gateway.do?app_id=1&sign=a%2Bb#frag",
        "grant_type=authorization_code&code=xy",
    );
    assert_eq!(
        got,
        [
            ("app_id".to_owned(), "1".to_owned()),
            ("sign".to_owned(), "a+b".to_owned()),
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), "xy".to_owned()),
        ]
    );
    assert_eq!(params("http://h/p?a=1", "{\"a\":2}").len(), 1);
}

#[test]
fn the_scope_decides_a_timestamp_never_does_and_a_new_parameter_is_named() {
    let left = params("http://h/p?scope=auth_user&timestamp=1&x=1", "");
    let right = params("http://h/p?scope=auth_base&timestamp=2&y=2", "");
    let mut found = Vec::new();
    param_differences(&left, &right, &mut found);
    let weights: Vec<(&str, Weight)> = found.iter().map(|d| (d.name.as_str(), d.weight)).collect();
    assert_eq!(
        weights,
        [
            ("scope", Weight::Decides),
            ("timestamp", Weight::Never),
            ("x", Weight::Other),
            ("y", Weight::Other),
        ]
    );
    assert!(decides(&found));
    assert_eq!(changed_params(&found), ["scope", "timestamp", "x", "y"]);
}
