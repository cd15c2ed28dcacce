//! Which ids and which member fields an app's answers carry, by the app's console settings
//! ([`AppIdentity`]): `user_id` and/or `open_id` by id mode, `union_id` for an app group, the
//! deprecated `alipay_user_id` next to `user_id` on the token, and none of the four fields
//! withheld from apps approved after 2019-12-24.

use serde_json::{Map, Value, json};

use crate::provider::alipay::identity::is_hidden_field;
use crate::sandbox::demo::{AlipayApp, alipay_open_id, alipay_union_id};

/// Where the ids go: the token answer carries `alipay_user_id` too, user info does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Token,
    UserInfo,
}

/// Put the user's ids for `app` into `node`.
pub(super) fn insert_identity(
    node: &mut Map<String, Value>,
    app: &AlipayApp,
    user: &str,
    answer: Answer,
) {
    let mode = app.identity.id_mode;
    if mode.has_user_id() {
        node.insert("user_id".into(), json!(user));
        if answer == Answer::Token {
            // Deprecated, still sent: the token page lists it next to user_id.
            node.insert("alipay_user_id".into(), json!(user));
        }
    }
    if mode.has_open_id() {
        node.insert("open_id".into(), json!(alipay_open_id(&app.app_id, user)));
    }
    if let Some(group) = app.identity.union_group {
        node.insert("union_id".into(), json!(alipay_union_id(group, user)));
    }
}

/// Whether `alipay.user.info.share` gives `field` to `app`.
pub(super) fn field_visible(app: &AlipayApp, field: &str) -> bool {
    !(app.identity.hides_legacy_fields() && is_hidden_field(field))
}
