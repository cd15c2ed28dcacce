//! The identity rows of an Alipay user-info answer, under its fields: which of `user_id`,
//! `open_id`, `union_id` the app got, which one to key users on, and why any is absent, with
//! the dates of the changes (open_id for new apps since 2024; four fields withheld from apps
//! approved after 2019-12-24).

use serde_json::{Map, Value};

use super::FieldRow;
use crate::finding::Text;
use crate::flow::StepKind;
use crate::provider::Provider;
use crate::provider::alipay::identity::HIDDEN_FIELDS;

/// The rows, for a successful `alipay.user.info.share` answer; none for anything else.
pub(super) fn rows(provider: Provider, step: StepKind, node: &Map<String, Value>) -> Vec<FieldRow> {
    if provider != Provider::Alipay || step != StepKind::UserInfo {
        return Vec::new();
    }
    let id = |name: &str| node.get(name).and_then(Value::as_str).map(str::to_owned);
    let (user_id, open_id, union_id) = (id("user_id"), id("open_id"), id("union_id"));
    let row = |key: &str, value: Option<String>, present: &str, missing: &str| FieldRow {
        key: format!("◆ {key}"),
        // The meaning says why in every language; the value is only a dash.
        value: value.clone().unwrap_or_else(|| "—".to_owned()),
        meaning: Some(Text::key(if value.is_some() { present } else { missing })),
    };
    let key_on = match (&user_id, &open_id, &union_id) {
        (_, Some(_), Some(_)) => "identity.key-on-union",
        (Some(_), Some(_), None) => "identity.key-on-migrating",
        (None, Some(_), None) => "identity.key-on-open-id",
        (Some(_), None, _) => "identity.key-on-user-id",
        (None, None, _) => "identity.key-on-none",
    };
    let mut rows = vec![
        row(
            "user_id",
            user_id.clone(),
            "identity.user-id",
            "identity.user-id-absent",
        ),
        row(
            "open_id",
            open_id.clone(),
            "identity.open-id",
            "identity.open-id-absent",
        ),
        row(
            "union_id",
            union_id.clone(),
            "identity.union-id",
            "identity.union-id-absent",
        ),
        FieldRow {
            key: "◆ key users on".to_owned(),
            value: match key_on {
                "identity.key-on-union" => "union_id",
                "identity.key-on-user-id" => "user_id",
                "identity.key-on-none" => "-",
                _ => "open_id",
            }
            .to_owned(),
            meaning: Some(Text::key(key_on)),
        },
    ];
    let withheld: Vec<&str> = HIDDEN_FIELDS
        .iter()
        .copied()
        .filter(|f| !node.contains_key(*f))
        .collect();
    if withheld.len() == HIDDEN_FIELDS.len() {
        rows.push(FieldRow {
            key: "◆ withheld".to_owned(),
            value: withheld.join(", "),
            meaning: Some(Text::key("identity.withheld")),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::lang::Lang;

    fn node(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn find<'a>(rows: &'a [FieldRow], key: &str) -> &'a FieldRow {
        rows.iter()
            .find(|r| r.key == format!("◆ {key}"))
            .expect("row")
    }

    #[test]
    fn says_which_id_to_key_on_and_why_one_is_absent() {
        let open_only = node(json!({"code": "10000", "open_id": "0abc", "nick_name": "x"}));
        let found = super::rows(Provider::Alipay, StepKind::UserInfo, &open_only);
        assert_eq!(find(&found, "key users on").value, "open_id");
        let why = find(&found, "user_id").meaning.as_ref().expect("why");
        assert!(why.get(Lang::EN).contains("2024"));
        let withheld = find(&found, "withheld");
        assert!(
            withheld
                .meaning
                .as_ref()
                .expect("why")
                .get(Lang::EN)
                .contains("2019-12-24")
        );

        let grouped = node(json!({"user_id": "2088", "open_id": "0a", "union_id": "0u",
            "user_status": "T", "is_certified": "T", "user_type": "2", "is_student_certified": "F"}));
        let found = super::rows(Provider::Alipay, StepKind::UserInfo, &grouped);
        assert_eq!(find(&found, "key users on").value, "union_id");
        assert!(!found.iter().any(|r| r.key == "◆ withheld"));
        // Only Alipay's user info gets them.
        assert!(super::rows(Provider::Wechat, StepKind::UserInfo, &grouped).is_empty());
        assert!(super::rows(Provider::Alipay, StepKind::Token, &grouped).is_empty());
    }
}
