//! Remarks on a pasted response beyond its fields: the WeChat `rid` and Alipay `traceId` to
//! quote to support, fields missing from a member-information answer, a request/response
//! mismatch, and the provider's authorize pages pasted as HTML.

use serde_json::{Map, Value};

use super::{Analysis, AnalyzeError, Detection, diagnose, remark};
use crate::catalog::{Catalog, Provider};
use crate::finding::{Finding, Severity, Text};

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
            (
                format!(" Its first group suggests the request was made at about {w} (an observation, not documented)."),
                format!("其第一段推测为请求时间，约为 {w}（经验推断，非官方说明）。"),
            )
        },
    );
    Some(remark(
        "wechat.rid",
        Text::new(format!("Request id {rid}"), format!("请求标识 {rid}")),
        Text::new(
            format!(
                "errmsg ends with the request id WeChat assigned to this call.{when_en} getRidInfo can look up rids of /cgi-bin/* calls within 7 days, but not of /sns/* calls (76022)."
            ),
            format!(
                "errmsg 末尾是微信为本次调用分配的请求标识。{when_zh}getRidInfo 可查询 7 天内 /cgi-bin/* 调用的 rid，但不支持 /sns/* 调用（76022）。"
            ),
        ),
        Text::new(
            "Quote the full rid when asking WeChat support or the developer community; match errors on errcode, not on errmsg.",
            "向微信官方或开发者社区求助时提供完整的 rid；判断错误请用 errcode，不要匹配 errmsg。",
        ),
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
    let mut en = Vec::new();
    let mut zh = Vec::new();
    if !node.contains_key("nick_name") {
        if text("user_type") == "1" {
            en.push(
                "no nick_name: user_type = 1, a company account, which has no nickname to return"
                    .to_owned(),
            );
            zh.push("没有 nick_name：user_type = 1，是企业账户，无法获取昵称".to_owned());
        } else {
            en.push(
                "no nick_name: the user never set one (company accounts have none either)"
                    .to_owned(),
            );
            zh.push("没有 nick_name：用户未设置昵称（企业账户也没有昵称）".to_owned());
        }
    }
    if !node.contains_key("avatar") {
        en.push("no avatar: the user never set one".to_owned());
        zh.push("没有 avatar：该用户账户未设置头像".to_owned());
    }
    if en.is_empty() {
        return None;
    }
    Some(remark(
        "alipay.missing-fields",
        Text::new(en.join("; "), zh.join("；")),
        Text::new(
            "Fields the user does not have are left out, not sent empty. Sensitive data (real name, mobile phone number, ID number) is not returned to the server either. (An Alipay support FAQ, seed 001_ef808ad66c0a7d49.txt; seed 000_a043a7b81cdad527.txt.)",
            "用户没有的字段直接不返回，而不是返回空值；真实姓名、手机号、证件号码等敏感信息也不会返回给服务端。（支付宝常见问题 seed 001_ef808ad66c0a7d49.txt；seed 000_a043a7b81cdad527.txt。）",
        ),
        Text::new(
            "Treat nick_name and avatar as optional: show a default name or picture when they are missing.",
            "把 nick_name 和 avatar 当作可选字段：缺失时显示默认昵称或头像。",
        ),
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
        Text::new(format!("Trace id {id}"), format!("请求追踪号 traceId {id}")),
        Text::new(
            "sub_msg ends with the trace id Alipay's gateway assigned to this call. It identifies the request in Alipay's logs; it is not part of the error code.",
            "sub_msg 末尾是支付宝网关为本次调用分配的追踪号（traceId），用于在支付宝日志中定位该请求，不属于错误码的一部分。",
        ),
        Text::new(
            "Quote the full traceId (with the environment, API name, request and response) when asking Alipay support; match errors on sub_code, not on sub_msg.",
            "向支付宝技术支持提问时提供完整的 traceId（及环境、接口名、请求和响应）；判断错误请用 sub_code，不要匹配 sub_msg。",
        ),
        Severity::Info,
    ))
}

pub(super) fn mismatch(url: &str, body: &str) -> Finding {
    remark(
        "explain.endpoint-mismatch",
        Text::new(
            "The URL and the body point to different endpoints",
            "请求地址与响应内容对应的接口不一致",
        ),
        Text::new(
            format!(
                "The URL names {url}, but the body looks like a response of {body}. The fields are explained for {url}."
            ),
            format!("请求地址是 {url}，但响应内容看起来来自 {body}。以下按 {url} 解读字段。"),
        ),
        Text::new(
            "Check that the response was pasted together with the request that produced it.",
            "请确认粘贴的响应与请求地址是同一次调用。",
        ),
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
            && e.code != "page.open-in-wechat"
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
    let hint = if text.contains("请在微信客户端打开")
        || text.to_ascii_lowercase().contains("micromessenger")
    {
        "WeChat's authorize page only works inside the WeChat client (请在微信客户端打开链接); a browser or a server fetch never gets a code. Open the authorize URL in WeChat (e.g. scan it as a QR code)."
    } else {
        "an authorize page, a login page or a proxy error page was returned instead of the API's JSON. Check the URL (API host, not the authorize host) and any proxy in between."
    };
    Err(AnalyzeError::Html {
        hint: hint.to_owned(),
    })
}

/// The code after `错误码` on WeChat's authorize error page.
pub(super) fn page_code(text: &str) -> Option<String> {
    let (_, after) = text.split_once("错误码")?;
    let digits: String = after
        .trim_start_matches([':', '：', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}
