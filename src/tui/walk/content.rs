//! The text of each tab of the main pane, from the [`Walk`] model: what the text printer
//! prints, laid out for a scrollable, searchable view. Secrets are already masked (or not) by
//! the model's policy.

use std::fmt::Write as _;

use crate::finding::{Finding, Lang, Severity};
use crate::present::{DecryptionView, ExchangeView, Msg, RequestView, tr};

/// The tabs of the main pane for an exchange step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Request,
    Signing,
    Response,
    Verify,
    Fields,
}

impl Tab {
    pub const ALL: [Self; 5] = [
        Self::Request,
        Self::Signing,
        Self::Response,
        Self::Verify,
        Self::Fields,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Request => "tui.request",
            Self::Signing => "tui.signing",
            Self::Response => "tui.response",
            Self::Verify => "tui.verify",
            Self::Fields => "tui.fields",
        }
    }

    #[must_use]
    pub fn next(self, forward: bool) -> Self {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        let n = Self::ALL.len();
        Self::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// A request as sent: the request line, headers and body.
pub fn request(r: &RequestView) -> String {
    let mut out = format!("{} {}\n", r.method, r.url);
    for (k, v) in &r.headers {
        let _ = writeln!(out, "{k}: {v}");
    }
    if !r.body.is_empty() {
        let _ = write!(out, "\n{}\n", r.body);
    }
    out
}

/// The signing trace: the exact string signed, its digest, `sign`, and the key.
pub fn signing(ex: &ExchangeView, lang: Lang) -> String {
    let Some(t) = &ex.signing else {
        return tr(lang, "tui.no-signing").to_owned();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}, {} {}, {} {}):",
        Msg::SignedString.get(lang),
        t.charset,
        t.sign_type,
        t.algorithm,
        t.canonical_bytes,
        Msg::Bytes.get(lang)
    );
    let _ = writeln!(out, "{}\n", t.canonical);
    let _ = writeln!(out, "sha256  {}", t.canonical_sha256);
    if !t.dropped.is_empty() {
        let _ = writeln!(out, "dropped {}", t.dropped.join(", "));
    }
    let _ = writeln!(
        out,
        "{}     SHA256:{}",
        Msg::Key.get(lang),
        t.key_fingerprint
    );
    let _ = write!(out, "\nsign:\n{}\n", t.sign);
    for sn in &t.cert_sns {
        let _ = write!(out, "\n{}  {}\n  = {}\n", sn.param, sn.sn, sn.how);
    }
    out
}

/// The response: status line, headers, and the body pretty or raw.
pub fn response(ex: &ExchangeView, pretty: bool, lang: Lang) -> String {
    let Some(r) = &ex.response else {
        let mut out = Msg::NoResponse.fill(lang, &[("ms", &ex.elapsed_ms.to_string())]);
        if let Some(e) = &ex.transport_error {
            let _ = write!(out, "\n\n{e}");
        }
        return out;
    };
    let mut out = format!(
        "HTTP {} · {} ms · {} {}\n",
        r.status,
        ex.elapsed_ms,
        r.bytes,
        Msg::Bytes.get(lang)
    );
    for (k, v) in &r.headers {
        let _ = writeln!(out, "{k}: {v}");
    }
    out.push('\n');
    match (&r.pretty, pretty) {
        (Some(p), true) => out.push_str(p),
        _ => out.push_str(&r.body),
    }
    if let Some(e) = &ex.transport_error {
        let _ = write!(out, "\n\n{e}");
    }
    out
}

/// The signature check: the exact text Alipay signed and why it did or did not verify.
pub fn verify(ex: &ExchangeView, lang: Lang) -> String {
    let Some(v) = &ex.verification else {
        return tr(lang, "tui.no-verify").to_owned();
    };
    let mut out = format!("{}\n\n", v.reason(lang));
    if let Some(node) = &v.node {
        let _ = writeln!(out, "node  {node}");
    }
    if let Some(sn) = &v.alipay_cert_sn {
        let _ = writeln!(out, "alipay_cert_sn  {sn}");
    }
    if let Some(text) = &v.signed_text {
        let _ = write!(out, "\n{}\n{text}\n", Msg::SignedText.get(lang));
    }
    if let Some(sign) = &v.sign {
        let _ = write!(out, "\nsign:\n{sign}\n");
    }
    out
}

/// One line per field with its meaning (the row `y` copies marked `▶`), then the findings.
pub fn fields(ex: &ExchangeView, lang: Lang, cursor: usize) -> String {
    let mut out = String::new();
    if ex.fields.is_empty() {
        let _ = writeln!(out, "{}", tr(lang, "tui.no-fields"));
    }
    let width = ex
        .fields
        .iter()
        .map(|f| f.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    for (i, f) in ex.fields.iter().enumerate() {
        let mark = if i == cursor { "▶" } else { " " };
        let _ = write!(out, "{mark} {:<width$}  {}", f.key, f.value);
        if let Some(m) = &f.meaning {
            let _ = write!(out, "  → {}", m.get(lang));
        }
        out.push('\n');
    }
    if !ex.findings.is_empty() {
        out.push('\n');
        for f in &ex.findings {
            out.push_str(&finding(f, lang));
        }
    }
    out
}

/// A finding as text: the mark, title and code, the explanation, and the fix.
pub fn finding(f: &Finding, lang: Lang) -> String {
    let mark = match f.severity {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    };
    let mut out = format!("{mark} {} [{}]\n", f.title.get(lang), f.code);
    for line in f
        .explanation
        .get(lang)
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let _ = writeln!(out, "    {line}");
    }
    let fix = f.fix.get(lang);
    if !fix.is_empty() {
        for (i, line) in fix.lines().enumerate() {
            let lead = if i == 0 { Msg::Fix.get(lang) } else { "     " };
            let _ = writeln!(out, "    {lead}{line}");
        }
    }
    out
}

/// The mini program's decryption, as a chain: input → key → IV → plaintext, then the
/// watermark and what the doctor found.
pub fn decryption(d: Option<&DecryptionView>, lang: Lang) -> String {
    let Some(d) = d else {
        return tr(lang, "tui.decrypt-not-yet").to_owned();
    };
    let bytes = |n: Option<usize>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
    let b = Msg::Bytes.get(lang);
    let mut out = format!("{}\n\n", tr(lang, "tui.decrypt-chain"));
    let _ = writeln!(
        out,
        "encryptedData  {}… ({} base64, {} {b})",
        d.input_head,
        d.input_chars,
        bytes(d.input_bytes)
    );
    let _ = writeln!(
        out,
        "  ↓ session_key  {} ({} {b})",
        d.key,
        bytes(d.key_bytes)
    );
    let _ = writeln!(
        out,
        "  ↓ iv  {} = {}",
        d.iv,
        d.iv_hex.as_deref().unwrap_or("?")
    );
    let _ = writeln!(out, "  ↓ AES-128-CBC, PKCS#7");
    if let Some(plain) = &d.plaintext {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(plain).unwrap_or_default()
        );
    }
    if let Some(w) = &d.watermark {
        let appid = w.get("appid").and_then(serde_json::Value::as_str);
        let mark = if appid == Some(d.expected_appid.as_str()) {
            "✓"
        } else {
            "✗"
        };
        let _ = writeln!(
            out,
            "\nwatermark  appid {} {mark} (expected {}) · timestamp {}",
            appid.unwrap_or_default(),
            d.expected_appid,
            w.get("timestamp")
                .map(ToString::to_string)
                .unwrap_or_default()
        );
    }
    out.push('\n');
    for f in &d.findings {
        out.push_str(&finding(f, lang));
    }
    out
}

/// The request as a `curl` command line, to reproduce it outside authwalk.
pub fn curl(r: &RequestView) -> String {
    let mut out = String::from("curl -sS");
    if r.method.eq_ignore_ascii_case("POST") {
        out.push_str(" -X POST");
    }
    for (k, v) in &r.headers {
        let _ = write!(out, " -H {}", quote(&format!("{k}: {v}")));
    }
    if !r.body.is_empty() {
        let _ = write!(out, " --data-binary {}", quote(&r.body));
    }
    let _ = write!(out, " {}", quote(&r.url));
    out
}

/// Single-quote for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::Policy;
    use crate::provider::{HttpMethod, PreparedRequest};

    #[test]
    fn curl_quotes_for_the_shell() {
        let r = PreparedRequest {
            method: HttpMethod::Post,
            url: "http://127.0.0.1:1/gateway.do?a=1&b=it's".into(),
            headers: vec![("Content-Type".into(), "x".into())],
            body: b"k=v".to_vec(),
            signing: None,
        };
        assert_eq!(
            curl(&RequestView::of(&r, Policy { reveal: true })),
            r"curl -sS -X POST -H 'Content-Type: x' --data-binary 'k=v' 'http://127.0.0.1:1/gateway.do?a=1&b=it'\''s'"
        );
    }
}
