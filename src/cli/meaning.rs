//! One-line meanings of response fields for `authwalk run`, from the catalog.

use serde_json::Value;

use crate::finding::Lang;
use crate::flow::StepKind;

/// The meaning of `key` (and of its value, when the value is one of a known set).
pub fn field(_is_alipay: bool, _step: StepKind, _key: &str, _value: &Value, _lang: Lang) -> Option<String> {
    None
}
