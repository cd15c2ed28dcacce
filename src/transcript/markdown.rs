//! The Markdown face of a transcript: the support question first (Chinese, then English),
//! then the signature check, the steps, each exchange and the findings. Text from outside
//! (bodies, messages) is shown with control characters escaped and inside fences longer than
//! any run of backticks it holds.
//!
//! Redaction comes before escaping: the document is written with raw values (only line breaks
//! and tabs inside one-line values are spelled `\n`, `\r`, `\t`, as JSON spells them), the
//! placeholders replace every secret in it, and only then is every remaining control character
//! escaped. A value holding DEL, a C1 or a bidi control is so found whole by the redactor.

use std::fmt::Write as _;

use std::borrow::Cow;

use super::{Meta, Placeholders, Redaction, SupportQuestion, environment_label};
use crate::escape::visible_lines;
use crate::finding::{Finding, Lang};
use crate::present::{ExchangeView, Walk, state_label};

/// The Markdown of `walk`, with `placeholders` (for a redacted export) put in before any
/// control character is escaped.
pub(super) fn render(
    walk: &Walk,
    meta: &Meta,
    redaction: Redaction,
    q: &SupportQuestion,
    placeholders: Option<&Placeholders>,
) -> String {
    let mut md = String::new();
    let _ = write_all(&mut md, walk, meta, redaction, q);
    if let Some(p) = placeholders {
        md = p.scrub(&md);
    }
    visible_lines(&md).into_owned()
}

/// A one-line value as written before redaction: its line breaks and tabs spelled out (so the
/// layout holds), every other control character left for the escaping after redaction.
fn visible(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r', '\t']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t"),
    )
}

fn write_all(
    md: &mut String,
    walk: &Walk,
    meta: &Meta,
    redaction: Redaction,
    q: &SupportQuestion,
) -> std::fmt::Result {
    writeln!(
        md,
        "# authwalk transcript · {} · {}\n",
        walk.flow.id(),
        if walk.ok {
            "succeeded 成功"
        } else {
            "failed 失败"
        }
    )?;
    match redaction {
        Redaction::Redacted => writeln!(
            md,
            "> Keys, secrets, tokens, codes and user identifiers are replaced by placeholders \
             (`tok#1`, `code#1`, `uid#1`, `pii#1`, `secret#1`); equal values share one.\n\
             > 密钥、令牌、授权码和用户标识已替换为占位符，相同的值使用相同的占位符。\n"
        )?,
        Redaction::Unredacted => writeln!(
            md,
            "> **UNREDACTED: this file holds live secrets, tokens and user data. Do not attach it \
             to a ticket or share it.**\n> **未脱敏：本文件包含密钥、令牌和用户数据，请勿外发。**\n"
        )?,
    }
    question_zh(md, q)?;
    question_en(md, q)?;
    steps(md, walk)?;
    let lint = &walk.context.authorize_lint;
    if !lint.is_empty() {
        writeln!(
            md,
            "## Authorize URL lint · 授权链接检查
"
        )?;
        for f in lint {
            finding(md, f)?;
        }
    }
    for (i, ex) in walk.exchanges.iter().enumerate() {
        exchange(md, i + 1, ex)?;
    }
    if !walk.notes.is_empty() {
        writeln!(md, "## Notes · 说明\n")?;
        for f in &walk.notes {
            finding(md, f)?;
        }
    }
    let env = environment_label(&walk.target);
    writeln!(md, "## Environment · 环境\n")?;
    writeln!(md, "- authwalk {}", meta.version)?;
    writeln!(
        md,
        "- exported at · 导出时间: {}",
        visible(&meta.exported_at)
    )?;
    writeln!(
        md,
        "- flow · 流程: {} ({})",
        walk.flow.id(),
        walk.flow.title().get(crate::lang::Lang::EN)
    )?;
    writeln!(
        md,
        "- target · 目标: {} `{}` · {} / {}",
        visible(walk.target.kind.label().get(Lang::EN)),
        visible(&walk.target.name),
        visible(env.get(crate::lang::Lang::EN)),
        visible(env.get(crate::lang::Lang::ZH))
    )?;
    writeln!(md, "- base URL: {}", visible(&walk.target.base))?;
    writeln!(md, "- elapsed · 耗时: {} ms", walk.elapsed_ms)
}

fn question_zh(md: &mut String, q: &SupportQuestion) -> std::fmt::Result {
    writeln!(md, "## 提问（支付宝开放平台格式）\n")?;
    writeln!(
        md,
        "**使用环境：** {}（{}）\n",
        visible(q.environment.get(crate::lang::Lang::ZH)),
        visible(&q.base)
    )?;
    let api = q.api.as_ref().map_or("", |t| t.get(crate::lang::Lang::ZH));
    writeln!(
        md,
        "**接口名称：** {} `{}`\n",
        visible(api),
        visible(&q.endpoint)
    )?;
    if let Some(scope) = &q.scope {
        writeln!(md, "**授权范围 scope：** `{}`\n", visible(scope))?;
    }
    if let Some(user) = &q.user {
        writeln!(md, "**用户：** `{}`\n", visible(user))?;
    }
    writeln!(md, "**耗时：** {} ms\n", q.elapsed_ms)?;
    writeln!(md, "**请求参数：**\n")?;
    params(md, q)?;
    writeln!(md, "**报错信息详情：**\n")?;
    error_details(md, q)?;
    if let Some(s) = &q.signature {
        writeln!(
            md,
            "**验签结果：** {}\n",
            visible(s.get(crate::lang::Lang::ZH))
        )?;
    }
    Ok(())
}

fn question_en(md: &mut String, q: &SupportQuestion) -> std::fmt::Result {
    writeln!(md, "## Support question\n")?;
    writeln!(
        md,
        "**Environment:** {} ({})\n",
        visible(q.environment.get(crate::lang::Lang::EN)),
        visible(&q.base)
    )?;
    let api = q.api.as_ref().map_or("", |t| t.get(crate::lang::Lang::EN));
    writeln!(
        md,
        "**API:** `{}` — {}\n",
        visible(&q.endpoint),
        visible(api)
    )?;
    if let Some(scope) = &q.scope {
        writeln!(md, "**Authorize scope:** `{}`\n", visible(scope))?;
    }
    if let Some(user) = &q.user {
        writeln!(md, "**User:** `{}`\n", visible(user))?;
    }
    writeln!(md, "**Elapsed:** {} ms\n", q.elapsed_ms)?;
    writeln!(md, "**Request parameters:** as above.\n")?;
    writeln!(md, "**Error details:** as above.\n")?;
    if let Some(s) = &q.signature {
        writeln!(
            md,
            "**Signature check:** {}\n",
            visible(s.get(crate::lang::Lang::EN))
        )?;
    }
    Ok(())
}

fn params(md: &mut String, q: &SupportQuestion) -> std::fmt::Result {
    if q.params.is_empty() {
        return writeln!(md, "(none · 无)\n");
    }
    let mut text = String::new();
    for (k, v) in &q.params {
        writeln!(text, "{k}={v}")?;
    }
    fenced(md, "text", &text)
}

fn error_details(md: &mut String, q: &SupportQuestion) -> std::fmt::Result {
    // A success is no error: the walk's warning is asked about, its answer is in the steps.
    if q.succeeded && q.status.is_some() {
        writeln!(
            md,
            "- (the call succeeded, see the findings · 调用成功，见诊断)"
        )?;
        return writeln!(md);
    }
    if let Some(status) = &q.status {
        writeln!(md, "- status: {}", visible(status))?;
    }
    for (k, v) in &q.error {
        writeln!(md, "- {k}: {}", visible(v))?;
    }
    if let Some((k, v)) = &q.trace {
        writeln!(md, "- {k}: {}", visible(v))?;
    }
    if q.status.is_none() && q.error.is_empty() {
        writeln!(md, "- (no call was made · 未发起调用)")?;
    }
    writeln!(md)
}

fn steps(md: &mut String, walk: &Walk) -> std::fmt::Result {
    writeln!(md, "## Steps · 步骤\n")?;
    writeln!(md, "| # | step | 步骤 | state · 状态 |\n|---|---|---|---|")?;
    for row in &walk.steps {
        let n = row
            .number
            .map_or_else(|| "–".to_owned(), |(n, of)| format!("{n}/{of}"));
        let state = state_label(row.state);
        writeln!(
            md,
            "| {n} | {} | {} | {} · {} |",
            row.id.id(),
            visible(row.title.get(crate::lang::Lang::ZH)),
            state.get(Lang::EN),
            state.get(Lang::ZH)
        )?;
    }
    writeln!(md)
}

fn exchange(md: &mut String, n: usize, ex: &ExchangeView) -> std::fmt::Result {
    let api = super::api_name(&ex.endpoint);
    writeln!(
        md,
        "## {n}. {} · `{}`{}\n",
        ex.step.id(),
        visible(&ex.endpoint),
        api.map(|t| format!(
            " · {} · {}",
            t.get(crate::lang::Lang::ZH),
            t.get(crate::lang::Lang::EN)
        ))
        .unwrap_or_default()
    )?;
    writeln!(
        md,
        "outcome · 结果: **{:?}**, {} ms\n",
        ex.outcome, ex.elapsed_ms
    )?;
    writeln!(md, "Request · 请求:\n")?;
    let mut request = format!("{} {}\n", ex.request.method, ex.request.url);
    for (k, v) in &ex.request.headers {
        let _ = writeln!(request, "{k}: {v}");
    }
    if !ex.request.body.is_empty() {
        let _ = write!(request, "\n{}\n", ex.request.body);
    }
    fenced(md, "http", &request)?;
    if let Some(s) = &ex.signing {
        writeln!(
            md,
            "Signed string · 待签名字符串 ({}, {}, key {}):\n",
            s.sign_type.as_str(),
            s.charset.as_str(),
            visible(&s.key_fingerprint)
        )?;
        fenced(md, "text", &format!("{}\n", s.canonical))?;
    }
    if let Some(r) = &ex.response {
        writeln!(md, "Response · 响应: HTTP {}\n", r.status)?;
        let body = r.pretty.as_deref().unwrap_or(&r.body);
        fenced(
            md,
            if r.pretty.is_some() { "json" } else { "text" },
            &format!("{body}\n"),
        )?;
    }
    if let Some(e) = &ex.transport_error {
        writeln!(md, "Transport error · 网络错误: {}\n", visible(e))?;
    }
    if let Some(v) = &ex.verification {
        writeln!(
            md,
            "Signature · 验签: **{}** — {}\n",
            v.badge.label().get(Lang::EN),
            visible(v.reason.get(Lang::EN))
        )?;
        if let Some(text) = &v.signed_text {
            writeln!(md, "Signed text · 被签名的原文:\n")?;
            fenced(md, "json", &format!("{text}\n"))?;
        }
    }
    if !ex.findings.is_empty() {
        writeln!(md, "Findings · 诊断:\n")?;
        for f in &ex.findings {
            finding(md, f)?;
        }
    }
    Ok(())
}

fn finding(md: &mut String, f: &Finding) -> std::fmt::Result {
    writeln!(
        md,
        "- **{}** `{}` {} · {}",
        f.severity,
        visible(&f.code),
        visible(f.title.get(crate::lang::Lang::EN)),
        visible(f.title.get(crate::lang::Lang::ZH))
    )?;
    for text in [&f.explanation, &f.fix] {
        if !text.get(crate::lang::Lang::EN).is_empty() {
            writeln!(md, "  - {}", visible(text.get(crate::lang::Lang::EN)))?;
        }
        if !text.get(crate::lang::Lang::ZH).is_empty() {
            writeln!(md, "  - {}", visible(text.get(crate::lang::Lang::ZH)))?;
        }
    }
    writeln!(md)
}

/// A fenced block whose fence is longer than any backtick run inside.
fn fenced(md: &mut String, lang: &str, body: &str) -> std::fmt::Result {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    writeln!(md, "{fence}{lang}\n{body}{fence}\n")
}
