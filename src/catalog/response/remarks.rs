//! Remarks on a pasted response beyond its fields: the WeChat `rid` and Alipay `traceId` to
//! quote to support, fields missing from a member-information answer, a request/response
//! mismatch, and the provider's authorize pages pasted as HTML.

use serde_json::{Map, Value};

use super::{Analysis, AnalyzeError, Detection, diagnose, remark};
use crate::catalog::{Catalog, Provider};
use crate::finding::{Finding, Severity, Text};
use crate::lang::Lang;

pub(super) fn rid_remark(errmsg: &str) -> Option<Finding> {
    let parts = crate::provider::wechat::split_errmsg(errmsg);
    let rid = parts.rid.as_deref()?;
    let when = parts
        .rid_unix_seconds()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        });
    let (when_en, when_zh) = when.map_or_else(
        || (String::new(), String::new()),
        |w| {
            let t = Text::with("catalog.response.remarks.rid-time", &[("when", &w)]);
            (t.get(Lang::EN).to_owned(), t.get(Lang::ZH).to_owned())
        },
    );
    Some(remark(
        "wechat.rid",
        Text::with("catalog.response.remarks.request-id", &[("rid", &rid)]),
        Text::with(
            "catalog.response.remarks.errmsg-ends-with-the-request",
            &[("when_en", &when_en), ("when_zh", &when_zh)],
        ),
        Text::key("catalog.response.remarks.quote-the-full-rid-when"),
        Severity::Info,
    ))
}

/// Why `nick_name` or `avatar` is missing from a successful `alipay.user.info.share` node,
/// reasoned from the rest of the node (a company account has no nickname); `None` when both
/// are there or the node is not a member-information answer.
pub fn missing_fields(node: &Map<String, Value>) -> Option<Finding> {
    let text = |k: &str| node.get(k).and_then(Value::as_str).unwrap_or_default();
    let is_profile = [
        "user_status",
        "user_type",
        "is_certified",
        "gender",
        "province",
    ]
    .iter()
    .any(|k| node.contains_key(*k));
    if !is_profile || node.contains_key("sub_code") {
        return None;
    }
    let mut missing = Vec::new();
    if !node.contains_key("nick_name") {
        missing.push(Text::key(if text("user_type") == "1" {
            "catalog.response.remarks.no-nick-name-company"
        } else {
            "catalog.response.remarks.no-nick-name"
        }));
    }
    if !node.contains_key("avatar") {
        missing.push(Text::key("catalog.response.remarks.no-avatar"));
    }
    if missing.is_empty() {
        return None;
    }
    let separator = Text::key("catalog.response.remarks.list-separator");
    let title = separator.clone().map(|lang, sep| {
        let parts: Vec<&str> = missing.iter().map(|t| t.get(lang)).collect();
        parts.join(sep)
    });
    Some(remark(
        "alipay.missing-fields",
        title,
        Text::key("catalog.response.remarks.fields-the-user-does-not"),
        Text::key("catalog.response.remarks.treat-nick-name-and-avatar"),
        Severity::Info,
    ))
}

/// The `traceId` that production gateways append to `sub_msg` (`无效的访问令牌 traceId:…`).
pub fn trace_id(sub_msg: &str) -> Option<&str> {
    let at = sub_msg.find("traceId")?;
    let rest = sub_msg[at + "traceId".len()..].trim_start_matches([':', '：', '=', ' ']);
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

pub(super) fn trace_id_remark(sub_msg: &str) -> Option<Finding> {
    let id = trace_id(sub_msg)?;
    Some(remark(
        "alipay.trace-id",
        Text::with("catalog.response.remarks.trace-id", &[("id", &id)]),
        Text::key("catalog.response.remarks.sub-msg-ends-with-the"),
        Text::key("catalog.response.remarks.quote-the-full-traceid-with"),
        Severity::Info,
    ))
}

pub(super) fn mismatch(url: &str, body: &str) -> Finding {
    remark(
        "explain.endpoint-mismatch",
        Text::key("catalog.response.remarks.the-url-and-the-body"),
        Text::with(
            "catalog.response.remarks.the-url-names-but-the",
            &[("url", &url), ("body", &body)],
        ),
        Text::key("catalog.response.remarks.check-that-the-response-was"),
        Severity::Warning,
    )
}

/// An HTML body: WeChat's authorize page (maybe with a `错误码`), or something else.
pub(super) fn html_page<'a>(
    catalog: &'a Catalog,
    text: &str,
) -> Result<Analysis<'a>, AnalyzeError> {
    if let Some(code) = page_code(text) {
        let cat = catalog.provider(Provider::Wechat);
        let diagnosis = diagnose(
            catalog,
            Provider::Wechat,
            Some("/connect/oauth2/authorize"),
            code,
            None,
        );
        return Ok(Analysis {
            provider: Provider::Wechat,
            endpoint: cat.endpoint("/connect/oauth2/authorize"),
            detection: Detection::Shape,
            node: None,
            control_chars_escaped: 0,
            fields: Vec::new(),
            diagnoses: vec![diagnosis],
            remarks: Vec::new(),
        });
    }
    // The page's own messages ("该链接无法访问", "redirect_uri 参数错误", …) have entries too.
    if let Some(entry) = catalog.provider(Provider::Wechat).errors.iter().find(|e| {
        // "请在微信客户端打开链接" is not an error of the link: it has its own hint below.
        e.kind == crate::catalog::ErrorKind::Page
            && e.code != crate::finding::codes::PAGE_OPEN_IN_WECHAT
            && e.aliases.iter().any(|a| {
                text.to_lowercase()
                    .replace(' ', "")
                    .contains(&a.to_lowercase().replace(' ', ""))
            })
    }) {
        let diagnosis = diagnose(
            catalog,
            Provider::Wechat,
            Some("/connect/oauth2/authorize"),
            entry.code.clone(),
            entry.msg.clone(),
        );
        return Ok(Analysis {
            provider: Provider::Wechat,
            endpoint: catalog
                .provider(Provider::Wechat)
                .endpoint("/connect/oauth2/authorize"),
            detection: Detection::Shape,
            node: None,
            control_chars_escaped: 0,
            fields: Vec::new(),
            diagnoses: vec![diagnosis],
            remarks: Vec::new(),
        });
    }
    let hint = if text.contains(crate::provider::words::WECHAT_NOT_IN_CLIENT_START)
        || text.to_ascii_lowercase().contains("micromessenger")
    {
        crate::lang::tr(Lang::EN, "catalog.response.remarks.html-not-in-wechat")
    } else {
        "an authorize page, a login page or a proxy error page was returned instead of the API's JSON. Check the URL (API host, not the authorize host) and any proxy in between."
    };
    Err(AnalyzeError::Html {
        hint: hint.to_owned(),
    })
}

/// The code after `错误码` on WeChat's authorize error page.
pub(super) fn page_code(text: &str) -> Option<String> {
    let (_, after) = text.split_once(crate::provider::words::WECHAT_PAGE_ERROR_CODE)?;
    let digits: String = after
        .trim_start_matches([':', '：', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}
