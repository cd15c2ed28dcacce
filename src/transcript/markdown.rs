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
use crate::lang::{tr, tr_both};
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
            tr_both("transcript.md.succeeded", " ")
        } else {
            tr_both("transcript.md.failed", " ")
        }
    )?;
    match redaction {
        Redaction::Redacted => writeln!(md, "> {}\n", tr_both("transcript.md.redacted", "\n> "))?,
        Redaction::Unredacted => writeln!(
            md,
            "> **{}**\n",
            tr_both("transcript.md.unredacted", "**\n> **")
        )?,
    }
    question_zh(md, q)?;
    question_en(md, q)?;
    steps(md, walk)?;
    let lint = &walk.context.authorize_lint;
    if !lint.is_empty() {
        writeln!(md, "## {}\n", tr_both("transcript.md.lint", " · "))?;
        for f in lint {
            finding(md, f)?;
        }
    }
    for (i, ex) in walk.exchanges.iter().enumerate() {
        exchange(md, i + 1, ex)?;
    }
    sdk_code(md, walk)?;
    if !walk.notes.is_empty() {
        writeln!(md, "## {}\n", tr_both("transcript.md.notes", " · "))?;
        for f in &walk.notes {
            finding(md, f)?;
        }
    }
    let env = environment_label(&walk.target);
    writeln!(md, "## {}\n", tr_both("transcript.md.environment", " · "))?;
    writeln!(md, "- authwalk {}", meta.version)?;
    writeln!(
        md,
        "- {}: {}",
        tr_both("transcript.md.exported-at", " · "),
        visible(&meta.exported_at)
    )?;
    writeln!(
        md,
        "- {}: {} ({})",
        tr_both("transcript.md.flow", " · "),
        walk.flow.id(),
        walk.flow.title().get(crate::lang::Lang::EN)
    )?;
    writeln!(
        md,
        "- {}: {} `{}` · {} / {}",
        tr_both("transcript.md.target", " · "),
        visible(walk.target.kind.label().get(Lang::EN)),
        visible(&walk.target.name),
        visible(env.get(crate::lang::Lang::EN)),
        visible(env.get(crate::lang::Lang::ZH))
    )?;
    writeln!(md, "- base URL: {}", visible(&walk.target.base))?;
    writeln!(
        md,
        "- {}: {} ms",
        tr_both("transcript.md.elapsed", " · "),
        walk.elapsed_ms
    )
}

fn question_zh(md: &mut String, q: &SupportQuestion) -> std::fmt::Result {
    writeln!(md, "## {}\n", tr(Lang::ZH, "transcript.md.question"))?;
    writeln!(
        md,
        "**{}** {}（{}）\n",
        tr(Lang::ZH, "transcript.md.q-environment"),
        visible(q.environment.get(crate::lang::Lang::ZH)),
        visible(&q.base)
    )?;
    let api = q.api.as_ref().map_or("", |t| t.get(crate::lang::Lang::ZH));
    writeln!(
        md,
        "**{}** {} `{}`\n",
        tr(Lang::ZH, "transcript.md.q-api"),
        visible(api),
        visible(&q.endpoint)
    )?;
    if let Some(scope) = &q.scope {
        let label = tr(Lang::ZH, "transcript.md.q-scope");
        writeln!(md, "**{label}** `{}`\n", visible(scope))?;
    }
    if let Some(user) = &q.user {
        let label = tr(Lang::ZH, "transcript.md.q-user");
        writeln!(md, "**{label}** `{}`\n", visible(user))?;
    }
    let label = tr(Lang::ZH, "transcript.md.q-elapsed");
    writeln!(md, "**{label}** {} ms\n", q.elapsed_ms)?;
    writeln!(md, "**{}**\n", tr(Lang::ZH, "transcript.md.q-params"))?;
    params(md, q)?;
    writeln!(md, "**{}**\n", tr(Lang::ZH, "transcript.md.q-error"))?;
    error_details(md, q)?;
    if let Some(s) = &q.signature {
        writeln!(
            md,
            "**{}** {}\n",
            tr(Lang::ZH, "transcript.md.q-signature"),
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
        let label = tr(Lang::EN, "transcript.md.q-scope");
        writeln!(md, "**{label}** `{}`\n", visible(scope))?;
    }
    if let Some(user) = &q.user {
        let label = tr(Lang::EN, "transcript.md.q-user");
        writeln!(md, "**{label}** `{}`\n", visible(user))?;
    }
    let label = tr(Lang::EN, "transcript.md.q-elapsed");
    writeln!(md, "**{label}** {} ms\n", q.elapsed_ms)?;
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
        return writeln!(md, "({})\n", tr_both("transcript.md.none", " · "));
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
        writeln!(md, "- ({})", tr_both("transcript.md.call-succeeded", " · "))?;
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
        writeln!(md, "- ({})", tr_both("transcript.md.no-call", " · "))?;
    }
    writeln!(md)
}

fn steps(md: &mut String, walk: &Walk) -> std::fmt::Result {
    writeln!(md, "## {}\n", tr_both("transcript.md.steps", " · "))?;
    writeln!(
        md,
        "| # | {} | {} |\n|---|---|---|---|",
        tr_both("transcript.md.step", " | "),
        tr_both("transcript.md.state", " · ")
    )?;
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
        "{}: **{:?}**, {} ms\n",
        tr_both("transcript.md.outcome", " · "),
        ex.outcome,
        ex.elapsed_ms
    )?;
    writeln!(md, "{}:\n", tr_both("transcript.md.request", " · "))?;
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
            "{} ({}, {}, key {}):\n",
            tr_both("transcript.md.signed-string", " · "),
            s.sign_type.as_str(),
            s.charset.as_str(),
            visible(&s.key_fingerprint)
        )?;
        fenced(md, "text", &format!("{}\n", s.canonical))?;
    }
    if let Some(r) = &ex.response {
        writeln!(
            md,
            "{}: HTTP {}\n",
            tr_both("transcript.md.response", " · "),
            r.status
        )?;
        let body = r.pretty.as_deref().unwrap_or(&r.body);
        fenced(
            md,
            if r.pretty.is_some() { "json" } else { "text" },
            &format!("{body}\n"),
        )?;
    }
    if let Some(e) = &ex.transport_error {
        writeln!(
            md,
            "{}: {}\n",
            tr_both("transcript.md.transport-error", " · "),
            visible(e)
        )?;
    }
    if let Some(v) = &ex.verification {
        writeln!(
            md,
            "{}: **{}** — {}\n",
            tr_both("transcript.md.signature", " · "),
            v.badge.label().get(Lang::EN),
            visible(v.reason.get(Lang::EN))
        )?;
        if let Some(text) = &v.signed_text {
            writeln!(md, "{}:\n", tr_both("transcript.md.signed-text", " · "))?;
            fenced(md, "json", &format!("{text}\n"))?;
        }
    }
    if !ex.findings.is_empty() {
        writeln!(md, "{}:\n", tr_both("transcript.md.findings", " · "))?;
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

/// The call of each step in every SDK of the provider, folded (`authwalk code`), with the
/// SDK's trap notes in both languages.
fn sdk_code(md: &mut String, walk: &Walk) -> std::fmt::Result {
    use crate::present::code::{self, Facts};
    let facts = Facts::of(walk);
    let Ok(snippets) = code::all(&facts) else {
        return Ok(());
    };
    writeln!(md, "## {}\n", tr_both("code.transcript-heading", " · "))?;
    let mut last = None;
    for s in &snippets {
        if s.step != last {
            last = s.step;
            if let Some(step) = s.step {
                writeln!(
                    md,
                    "### {} · {}\n",
                    step.id(),
                    step.title_in(walk.flow.provider()).get(Lang::EN)
                )?;
            }
        }
        writeln!(
            md,
            "<details><summary>{} · {}</summary>\n",
            s.sdk, s.dependency
        )?;
        fenced(md, s.language, &format!("{}\n", s.code.trim()))?;
        for lang in [Lang::EN, Lang::ZH] {
            for line in code::trap_lines(s, lang) {
                writeln!(md, "- {line}")?;
            }
        }
        writeln!(md, "</details>\n")?;
    }
    Ok(())
}

/// A fenced block whose fence is longer than any backtick run inside.
fn fenced(md: &mut String, lang: &str, body: &str) -> std::fmt::Result {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    writeln!(md, "{fence}{lang}\n{body}{fence}\n")
}
