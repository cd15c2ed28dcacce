//! `explain` on a pasted response: each field as it came with its meaning, then the
//! diagnosis of its error code.

use super::*;

/// A value as one short line: long strings (signatures, tokens) are cut, and control
/// characters are shown by the one escaping rule (`\x1b`, `\u{9b}`), as everywhere else.
fn short_value(value: &Value) -> String {
    const MAX: usize = 72;
    let text = match value {
        Value::String(s) => format!("\"{}\"", visible(s)),
        other => visible(&other.to_string()).into_owned(),
    };
    let count = text.chars().count();
    if count <= MAX {
        text
    } else {
        let head: String = text.chars().take(MAX - 8).collect();
        format!("{head}… ({count} chars)")
    }
}

fn render_field_note(out: &mut String, note: &FieldNote<'_>, lang: Lang, style: Style) {
    let _ = writeln!(
        out,
        "  {} = {}",
        style.bold(&visible(&note.path)),
        short_value(&note.value)
    );
    let Some(meaning) = note.meaning else {
        let _ = writeln!(
            out,
            "      {}",
            style.severity(
                Severity::Warning,
                crate::lang::tr(lang, "cli.explain.response.unknown-field-printed-verbatim"),
            )
        );
        return;
    };
    let _ = writeln!(out, "      {}", meaning.get(lang));
    for v in &note.values {
        match v.meaning {
            Some(m) => {
                let _ = writeln!(
                    out,
                    "      → {}: {}",
                    visible(&v.item),
                    style.bold(m.get(lang))
                );
            }
            None if note.unexpected_value => {
                let _ = writeln!(
                    out,
                    "      → {}: {}",
                    visible(&v.item),
                    style.severity(
                        Severity::Warning,
                        crate::lang::tr(lang, "cli.explain.response.not-in-the-documented-value"),
                    )
                );
            }
            None => {}
        }
    }
}

fn render_diagnosis(out: &mut String, diagnosis: &Diagnosis<'_>, lang: Lang, style: Style) {
    if let Some(message) = &diagnosis.message {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "{} {}: {}",
                crate::lang::tr(lang, "cli.explain.response.response-says"),
                visible(&diagnosis.code),
                visible(message)
            ))
        );
    }
    if let Some(entry) = diagnosis.entry {
        render_error(
            out,
            diagnosis.provider,
            entry,
            diagnosis.context,
            lang,
            style,
        );
    } else {
        let finding = diagnosis.finding(None);
        let _ = writeln!(
            out,
            "{} {}",
            style.severity(Severity::Error, &visible(&finding.code)),
            style.bold(&visible(finding.title.get(lang)))
        );
        let _ = writeln!(out, "{}", visible(finding.explanation.get(lang)));
        let _ = writeln!(
            out,
            "{}{}",
            style.label(crate::lang::tr(lang, "cli.explain.response.fix")),
            visible(finding.fix.get(lang))
        );
    }
}

pub(super) fn render_analysis(analysis: &Analysis<'_>, lang: Lang, style: Style) -> String {
    let mut out = String::new();
    let endpoint = analysis.endpoint.map_or_else(
        || crate::lang::tr(lang, "cli.explain.response.unknown-endpoint").to_owned(),
        |e| e.title.get(lang).to_owned(),
    );
    let how = match analysis.detection {
        Detection::Url => crate::lang::tr(lang, "cli.explain.response.from-the-request-url"),
        Detection::ResponseNode => {
            crate::lang::tr(lang, "cli.explain.response.from-the-response-node-name")
        }
        Detection::Shape => crate::lang::tr(lang, "cli.explain.response.from-the-fields-present"),
        Detection::Unknown => {
            crate::lang::tr(lang, "cli.explain.response.fields-looked-up-by-name")
        }
    };
    let _ = writeln!(
        out,
        "{}{}",
        style.label(crate::lang::tr(lang, "cli.explain.response.provider")),
        provider_label(analysis.provider, lang)
    );
    let _ = writeln!(
        out,
        "{}{endpoint}  {}",
        style.label(crate::lang::tr(lang, "cli.explain.response.endpoint")),
        style.dim(&paren(lang, how))
    );
    let verdict = if analysis.is_error() {
        style.severity(
            Severity::Error,
            crate::lang::tr(lang, "cli.explain.response.error"),
        )
    } else {
        style.severity(
            Severity::Info,
            crate::lang::tr(lang, "cli.explain.response.success"),
        )
    };
    let _ = writeln!(
        out,
        "{}{verdict}",
        style.label(crate::lang::tr(lang, "cli.explain.response.result"))
    );
    if !analysis.fields.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(crate::lang::tr(lang, "cli.explain.response.fields"))
        );
        for note in &analysis.fields {
            render_field_note(&mut out, note, lang, style);
        }
    }
    if !analysis.diagnoses.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(crate::lang::tr(lang, "cli.explain.response.diagnosis"))
        );
        for (i, diagnosis) in analysis.diagnoses.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            render_diagnosis(&mut out, diagnosis, lang, style);
        }
    }
    if !analysis.remarks.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(crate::lang::tr(lang, "cli.explain.response.notes"))
        );
        for remark in &analysis.remarks {
            let _ = writeln!(
                out,
                "  [{}] {} {}",
                style.severity(remark.severity, severity_word(lang, remark.severity)),
                style.bold(&visible(remark.title.get(lang))),
                style.dim(&format!("({})", remark.code))
            );
            let _ = writeln!(out, "      {}", visible(remark.explanation.get(lang)));
            if !remark.fix.get(lang).is_empty() {
                let _ = writeln!(
                    out,
                    "      {}{}",
                    style.label(crate::lang::tr(lang, "cli.explain.response.fix")),
                    visible(remark.fix.get(lang))
                );
            }
        }
    }
    out
}
