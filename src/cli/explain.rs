//! `authwalk explain`: look a term up in the catalog (a field, a field value, an error code or
//! sub-code, an endpoint), or annotate a pasted response body field by field and diagnose its
//! error. Text for people (colour on a terminal only) or `--json` for scripts.

use std::fmt::Write as _;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::Global;
use crate::catalog::response::{Analysis, Detection, Diagnosis, FieldNote};
use crate::catalog::{
    Catalog, Endpoint, ErrorEntry, ErrorKind, Field, Hit, Location, Provider, ValueMatch,
};
use crate::escape::{json_pretty, visible};
use crate::finding::{Lang, Severity, Text};
use crate::present::explain;

mod response;

use response::render_analysis;

const AFTER_HELP: &str = "\
INPUT is one of:
  a term       user_status=Q, gender=m, 40163, wechat.40163, isv.invalid-token,
               alipay.isv.code-invalid, sex, /sns/userinfo, alipay.user.info.share
  -            a response body on standard input
  FILE         a file holding a response body (an existing path wins over a term)
  {...}        a response body given inline

A response is matched to its provider and endpoint (Alipay *_response node, WeChat field
shapes, or the request given with --url), every field is annotated (fields the catalog does
not know are printed verbatim) and any error code is diagnosed: meaning, causes, fix.

--json prints one object: {\"kind\":\"term\",\"term\",\"matches\":[{\"type\":\"error\"|\"field\"|
\"value\"|\"endpoint\",\"provider\",…}],\"suggestions\"} for a term, or {\"kind\":\"response\",\"request\",
\"provider\",\"endpoint\",\"detection\",\"node\",\"control_chars_escaped\",\"is_error\",
\"fields\":[{\"path\",\"name\",\"value\",\"known\",\"meaning\",\"values\",\"unexpected_value\"}],
\"diagnoses\":[…],\"remarks\":[…],\"findings\":[…]} for a response.

Exit status:
  0  the term or response was explained (also when the response reports an error)
  1  the term is not in the catalog, or --fail-on-error and the response reports an error
  2  usage error, or the input is not a response (HTML, not JSON, unknown shape)";

/// Explain a field, a value, an error code or a whole pasted response.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ExplainArgs {
    /// A term (user_status=Q, 40163, isv.invalid-token, sex), `-` for a response on stdin, or
    /// a file holding a response.
    #[arg(value_name = "INPUT")]
    pub input: String,
    /// The request URL the response answered: sharpens the diagnosis (e.g. 48001 on
    /// /sns/userinfo).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Only look the term up in one provider's catalog: alipay or wechat.
    #[arg(long, value_name = "alipay|wechat")]
    pub provider: Option<Provider>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when the explained response reports an error (default: 0, explaining worked).
    #[arg(long)]
    pub fail_on_error: bool,
    /// Show tokens, codes and secrets in full instead of masked (`abcd…`).
    #[arg(long)]
    pub reveal: bool,
}

/// Run `authwalk explain`.
pub fn run(args: &ExplainArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let lang = global.lang();
    let style = Style::detect();
    let input = args.input.trim();
    let path = Path::new(&args.input);
    let body = if input == "-" || path.is_file() {
        Some(super::read_input(path)?)
    } else if input.starts_with('{') || input.starts_with('<') {
        Some(input.as_bytes().to_vec())
    } else {
        None
    };
    let out = match body {
        Some(body) => {
            let mut analysis = explain::response(&body, args.url.as_deref())
                .context("cannot explain the response")?;
            if !args.reveal {
                mask_secrets(&mut analysis);
            }
            let request = args.url.as_deref().map(|u| {
                if args.reveal {
                    u.trim().to_owned()
                } else {
                    crate::redact::redact_query(u.trim()).into_owned()
                }
            });
            let out = if args.json {
                response_json(&analysis, request.as_deref())?
            } else {
                let mut out = String::new();
                if let Some(request) = &request {
                    let _ = writeln!(
                        out,
                        "{}{}",
                        style.label(crate::lang::tr(lang, "cli.explain.request")),
                        visible(request)
                    );
                }
                out + &render_analysis(&analysis, lang, style)
            };
            let code = if args.fail_on_error && analysis.is_error() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
            (out, code)
        }
        None => explain_term(
            &explain::term(input, args.provider),
            input,
            args,
            lang,
            style,
        )?,
    };
    let mut stdout = io::stdout().lock();
    stdout.write_all(out.0.as_bytes())?;
    stdout.flush()?;
    Ok(out.1)
}

/// Mask tokens and codes in what is shown of a response, as `run` does: the values of secret
/// fields, and `code=…` / `access_token=…` quoted inside other values and error messages.
fn mask_secrets(analysis: &mut Analysis<'_>) {
    use crate::redact;
    for field in &mut analysis.fields {
        match &mut field.value {
            Value::String(s) if redact::SECRET_FIELDS.contains(&field.name.as_str()) => {
                *s = redact::mask(s);
            }
            value => redact::redact_json(value),
        }
    }
    for diagnosis in &mut analysis.diagnoses {
        if let Some(message) = &mut diagnosis.message
            && let std::borrow::Cow::Owned(scrubbed) = redact::scrub_params(message)
        {
            *message = scrubbed;
        }
    }
}

fn explain_term(
    answer: &explain::TermAnswer,
    term: &str,
    args: &ExplainArgs,
    lang: Lang,
    style: Style,
) -> anyhow::Result<(String, ExitCode)> {
    let (catalog, hits, suggestions) = (answer.catalog, &answer.hits, &answer.suggestions);
    let code = if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if args.json {
        let doc = json!({
            "kind": "term",
            "term": term,
            "matches": hits,
            "suggestions": suggestions,
        });
        return Ok((json_pretty(&doc)? + "\n", code));
    }
    let mut out = String::new();
    if hits.is_empty() {
        let term = visible(term);
        let _ = writeln!(
            out,
            "{}",
            &crate::lang::tr_with(
                lang,
                "cli.explain.is-not-in-the-catalog",
                &[("term", &term)]
            )
        );
        if suggestions.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                crate::lang::tr(lang, "cli.explain.try-a-field-sex-user")
            );
        } else {
            let _ = writeln!(
                out,
                "{} {}",
                crate::lang::tr(lang, "cli.explain.did-you-mean"),
                suggestions.join(", ")
            );
        }
        return Ok((out, code));
    }
    for (i, hit) in hits.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_hit(&mut out, catalog, hit, lang, style);
    }
    Ok((out, code))
}

fn response_json(analysis: &Analysis<'_>, request: Option<&str>) -> anyhow::Result<String> {
    let mut doc = serde_json::to_value(analysis)?;
    if let Value::Object(map) = &mut doc {
        map.insert("kind".into(), json!("response"));
        map.insert("request".into(), json!(request));
        map.insert("is_error".into(), json!(analysis.is_error()));
        map.insert(
            "findings".into(),
            serde_json::to_value(analysis.findings())?,
        );
        if let Some(endpoint) = analysis.endpoint {
            map.insert("endpoint".into(), json!(endpoint.id));
        }
    }
    Ok(json_pretty(&doc)? + "\n")
}

/// The other language, for showing a title in both.
fn other(lang: Lang) -> Lang {
    if lang == Lang::EN { Lang::ZH } else { Lang::EN }
}

/// Plain ANSI styling, on only when stdout is a terminal and `NO_COLOR` is unset.
#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !no_color && io::stdout().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A label on a line of its own (`Likely causes:`).
    fn heading(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// A label such as `Meaning:` or `含义：`; an ASCII colon gets a space after it, a
    /// full-width one does not (Chinese typography).
    fn label(self, text: &str) -> String {
        let painted = self.paint("36", text);
        if text.ends_with(':') {
            painted + " "
        } else {
            painted
        }
    }

    fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Info => self.paint("32", text),
            Severity::Warning => self.paint("33", text),
            Severity::Error => self.paint("31;1", text),
        }
    }
}

/// Text in parentheses, full-width for Chinese output.
fn paren(lang: Lang, text: &str) -> String {
    crate::lang::tr_with(lang, "cli.explain.paren", &[("text", &text)])
}

/// A severity in the output language.
fn severity_word(lang: Lang, severity: Severity) -> &'static str {
    let key = match severity {
        Severity::Info => "cli.explain.severity-info",
        Severity::Warning => "cli.explain.severity-warning",
        Severity::Error => "cli.explain.severity-error",
    };
    crate::lang::tr(lang, key)
}

/// Two phrases: a space between them in English, none in Chinese.
fn join(lang: Lang, a: &str, b: &str) -> String {
    crate::lang::tr_with(lang, "cli.explain.join", &[("a", &a), ("b", &b)])
}

/// `Source: spec/…` or `出处：spec/…`.
fn source_line(lang: Lang, source: &str) -> String {
    crate::lang::tr_with(lang, "cli.explain.source", &[("source", &source)])
}

fn provider_label(provider: Provider, lang: Lang) -> String {
    let name = provider.display_name();
    join(lang, name.get(lang), &paren(lang, name.get(other(lang))))
}

fn title_line(style: Style, lang: Lang, head: &str, title: &Text) -> String {
    format!(
        "{} {}  {}",
        style.bold(head),
        style.bold(title.get(lang)),
        style.dim(&paren(lang, title.get(other(lang))))
    )
}

fn render_hit(out: &mut String, catalog: &Catalog, hit: &Hit<'_>, lang: Lang, style: Style) {
    match hit {
        Hit::Error { provider, entry } => render_error(out, *provider, entry, None, lang, style),
        Hit::Field { provider, field } => render_field(out, catalog, *provider, field, lang, style),
        Hit::Value {
            provider,
            field,
            value,
            entry,
        } => {
            let head = format!("{provider} · {} = {}", field.name, visible(value));
            match entry {
                Some(v) => {
                    let _ = writeln!(
                        out,
                        "{}",
                        title_line(style, lang, &format!("{head} →"), &v.meaning)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "{} {}",
                        style.bold(&head),
                        style.severity(
                            Severity::Warning,
                            crate::lang::tr(lang, "cli.explain.not-in-the-documented-value"),
                        )
                    );
                }
            }
            render_field(out, catalog, *provider, field, lang, style);
        }
        Hit::Endpoint { provider, endpoint } => {
            render_endpoint(out, catalog, *provider, endpoint, lang, style);
        }
    }
}

/// The first two lines of an error entry: code and titles, then kind, parent code and msg.
fn render_error_header(
    out: &mut String,
    provider: Provider,
    entry: &ErrorEntry,
    lang: Lang,
    style: Style,
) {
    let head = format!("{provider}.{}", entry.code);
    let severity = Severity::from(entry.severity);
    let _ = writeln!(
        out,
        "{} {}  {}",
        style.severity(severity, &head),
        style.bold(entry.title.get(lang)),
        style.dim(&paren(lang, entry.title.get(other(lang))))
    );
    let kind = match entry.kind {
        ErrorKind::Code if provider == Provider::Alipay => {
            crate::lang::tr(lang, "cli.explain.gateway-code")
        }
        ErrorKind::Code => crate::lang::tr(lang, "cli.explain.errcode"),
        ErrorKind::SubCode => crate::lang::tr(lang, "cli.explain.sub-code"),
        ErrorKind::Page => crate::lang::tr(lang, "cli.explain.authorize-page-code-html"),
    };
    let mut facts = vec![join(lang, &provider_label(provider, lang), kind)];
    if let Some(parent) = &entry.parent {
        facts.push(crate::lang::tr_with(
            lang,
            "cli.explain.arrives-with-code",
            &[("parent", &parent)],
        ));
    }
    if let Some(msg) = &entry.msg {
        facts.push(format!("msg: {msg}"));
    }
    let _ = writeln!(out, "  {}", style.dim(&facts.join(" · ")));
}

fn render_error(
    out: &mut String,
    provider: Provider,
    entry: &ErrorEntry,
    context: Option<&Text>,
    lang: Lang,
    style: Style,
) {
    render_error_header(out, provider, entry, lang, style);
    if entry.unverified {
        let _ = writeln!(
            out,
            "  {}",
            style.severity(
                Severity::Warning,
                crate::lang::tr(lang, "cli.explain.unverified-the-sources-could-not"),
            )
        );
    }
    if let Some(ctx) = context {
        let _ = writeln!(
            out,
            "{}{}",
            style.label(crate::lang::tr(lang, "cli.explain.here")),
            ctx.get(lang)
        );
    }
    let _ = writeln!(
        out,
        "{}{}",
        style.label(crate::lang::tr(lang, "cli.explain.meaning")),
        entry.meaning.get(lang)
    );
    if !entry.causes.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.heading(crate::lang::tr(lang, "cli.explain.likely-causes"))
        );
        for (i, cause) in entry.causes.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, cause.get(lang));
        }
    }
    let _ = writeln!(
        out,
        "{}{}",
        style.label(crate::lang::tr(lang, "cli.explain.fix")),
        entry.fix.get(lang)
    );
    if let Some(note) = &entry.note {
        let _ = writeln!(
            out,
            "{}{}",
            style.label(crate::lang::tr(lang, "cli.explain.note")),
            note.get(lang)
        );
    }
    if context.is_none() {
        for ctx in &entry.context {
            let _ = writeln!(
                out,
                "{}{}",
                style.label(crate::lang::tr(lang, "cli.explain.in-context")),
                ctx.text.get(lang)
            );
        }
    }
    let _ = writeln!(out, "{}", style.dim(&source_line(lang, &entry.source)));
}

fn render_values(out: &mut String, field: &Field, lang: Lang, style: Style) {
    if field.values.is_empty() {
        return;
    }
    let label = if field.values_complete {
        crate::lang::tr(lang, "cli.explain.values")
    } else {
        crate::lang::tr(lang, "cli.explain.values-seen-not-a-complete")
    };
    let _ = writeln!(out, "{}", style.heading(label));
    let width = field
        .values
        .iter()
        .map(|v| v.value.chars().count())
        .max()
        .unwrap_or(0);
    for v in &field.values {
        let _ = writeln!(out, "  {:width$}  {}", v.value, v.meaning.get(lang));
    }
    let how = match field.matching {
        ValueMatch::IgnoreCase => Some(crate::lang::tr(
            lang,
            "cli.explain.compared-case-insensitively",
        )),
        ValueMatch::LastPathSegment => Some(crate::lang::tr(
            lang,
            "cli.explain.the-last-path-segment-of",
        )),
        ValueMatch::List => Some(crate::lang::tr(lang, "cli.explain.each-item-of-the-list")),
        ValueMatch::Exact => None,
    };
    if let Some(how) = how {
        let _ = writeln!(out, "  {}", style.dim(how));
    }
}

fn render_field(
    out: &mut String,
    catalog: &Catalog,
    provider: Provider,
    field: &Field,
    lang: Lang,
    style: Style,
) {
    let scope = if field.endpoints.is_empty() {
        crate::lang::tr(lang, "cli.explain.every-response").to_owned()
    } else {
        field.endpoints.join(", ")
    };
    let where_ = match field.location {
        Location::Request => crate::lang::tr(lang, "cli.explain.request-parameter"),
        Location::Response => crate::lang::tr(lang, "cli.explain.field"),
    };
    let _ = writeln!(
        out,
        "{}  {}",
        style.bold(&format!("{provider} · {}", field.name)),
        style.dim(&format!(
            "{} · {scope}",
            join(lang, &provider_label(provider, lang), where_)
        ))
    );
    let _ = writeln!(
        out,
        "{}{}",
        style.label(crate::lang::tr(lang, "cli.explain.meaning")),
        field.meaning.get(lang)
    );
    render_values(out, field, lang, style);
    let cat = catalog.provider(provider);
    let reasons: Vec<_> = cat.absence_reasons(field).collect();
    if !reasons.is_empty() || field.absent_note.is_some() {
        let _ = writeln!(
            out,
            "{}",
            style.heading(crate::lang::tr(lang, "cli.explain.may-be-absent-or-blank"))
        );
        for reason in reasons {
            let _ = writeln!(
                out,
                "  - {} {}",
                reason.text.get(lang),
                style.dim(&format!("[{}]", reason.source))
            );
        }
        if let Some(note) = &field.absent_note {
            let _ = writeln!(out, "  - {}", note.get(lang));
        }
    }
    let _ = writeln!(out, "{}", style.dim(&source_line(lang, &field.source)));
}

fn render_endpoint(
    out: &mut String,
    catalog: &Catalog,
    provider: Provider,
    endpoint: &Endpoint,
    lang: Lang,
    style: Style,
) {
    let _ = writeln!(
        out,
        "{}",
        title_line(style, lang, &format!("{provider} ·"), &endpoint.title)
    );
    let cat = catalog.provider(provider);
    let fields: Vec<&str> = cat
        .fields
        .iter()
        .filter(|f| f.endpoints.contains(&endpoint.id))
        .map(|f| f.name.as_str())
        .collect();
    if !fields.is_empty() {
        let _ = writeln!(
            out,
            "{}{}",
            style.label(crate::lang::tr(lang, "cli.explain.fields")),
            fields.join(", ")
        );
    }
    let errors: Vec<&str> = cat
        .errors
        .iter()
        .filter(|e| {
            e.endpoints.contains(&endpoint.id)
                || e.context.iter().any(|c| c.endpoint == endpoint.id)
        })
        .map(|e| e.code.as_str())
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "{}{}",
            style.label(crate::lang::tr(lang, "cli.explain.typical-errors")),
            errors.join(", ")
        );
    }
    let _ = writeln!(out, "{}", style.dim(&source_line(lang, &endpoint.source)));
}
