//! The gateway's failures: `code`, `msg`, `sub_code`, `sub_msg`, by class.

use serde_json::{Map, Value, json};

/// One gateway failure: `code`, `msg`, `sub_code`, `sub_msg`.
pub(super) struct Failure {
    pub code: &'static str,
    pub msg: &'static str,
    pub sub_code: &'static str,
    pub sub_msg: String,
}

pub(super) fn missing(sub_code: &'static str, sub_msg: &str) -> Failure {
    Failure {
        code: "40001",
        msg: "Missing Required Arguments",
        sub_code,
        sub_msg: sub_msg.to_owned(),
    }
}

pub(super) fn invalid(sub_code: &'static str, sub_msg: &str) -> Failure {
    Failure {
        code: "40002",
        msg: "Invalid Arguments",
        sub_code,
        sub_msg: sub_msg.to_owned(),
    }
}

pub(super) fn token_failure(sub_code: &'static str, sub_msg: &str) -> Failure {
    Failure {
        code: "20001",
        msg: "Insufficient Token Permissions",
        sub_code,
        sub_msg: sub_msg.to_owned(),
    }
}

pub(super) fn busy() -> Failure {
    Failure {
        code: "20000",
        msg: "Service Currently Unavailable",
        sub_code: "isp.unknow-error",
        sub_msg: "系统繁忙".to_owned(),
    }
}

impl Failure {
    pub(super) fn node(&self) -> Map<String, Value> {
        let mut node = Map::new();
        node.insert("code".into(), json!(self.code));
        node.insert("msg".into(), json!(self.msg));
        node.insert("sub_code".into(), json!(self.sub_code));
        node.insert("sub_msg".into(), json!(self.sub_msg));
        node
    }
}
