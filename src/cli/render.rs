//! The text face of a walk: prints the [`Walk`] model as it grows, step by step. Every word
//! comes from the model or from its messages file; this file only decides layout and colour.

use std::borrow::Cow;
use std::io::{self, IsTerminal as _, Write};

use crate::escape::{visible, visible_lines};
use crate::finding::{Finding, Lang, Severity};
use crate::flow::{StepKind, StepState};
use crate::present::{Badge, CallbackView, ExchangeView, Msg, TimedView, Walk, human_seconds};

/// Terminal styling: ANSI colours on a terminal, unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn detect(json: bool) -> Self {
        let color = !json
            && io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self { color }
    }

    fn paint<'a>(self, code: &str, text: &'a str) -> Cow<'a, str> {
        if self.color {
            Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
        } else {
            Cow::Borrowed(text)
        }
    }

    fn bold(self, t: &str) -> Cow<'_, str> {
        self.paint("1", t)
    }
    fn dim(self, t: &str) -> Cow<'_, str> {
        self.paint("2", t)
    }
    fn green(self, t: &str) -> Cow<'_, str> {
        self.paint("32", t)
    }
    fn red(self, t: &str) -> Cow<'_, str> {
        self.paint("31", t)
    }
    fn yellow(self, t: &str) -> Cow<'_, str> {
        self.paint("33", t)
    }
    fn cyan(self, t: &str) -> Cow<'_, str> {
        self.paint("36", t)
    }
}

/// Prints a walk as it happens.
pub struct Printer<W> {
    out: W,
    s: Style,
    lang: Lang,
    /// Steps whose heading is already printed, so a step is headed once.
    headed: Vec<StepKind>,
    /// What of the walk is printed already: the authorize URL, the redirect, how many
    /// exchanges, the last problem.
    authorized: bool,
    called_back: bool,
    decrypted: bool,
    exchanged: usize,
    problem: Option<String>,
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, style: Style, lang: Lang) -> Self {
        Self {
            out,
            s: style,
            lang,
            headed: Vec::new(),
            authorized: false,
            called_back: false,
            decrypted: false,
            exchanged: 0,
            problem: None,
        }
    }

    pub fn header(&mut self, walk: &Walk) -> io::Result<()> {
        let s = self.s;
        let t = &walk.target;
        writeln!(
            self.out,
            "{} · {} · {} {} · {}",
            s.bold("authwalk"),
            s.bold(walk.flow.id()),
            t.kind.label().get(self.lang),
            visible(&t.describe(self.lang)),
            s.dim(&visible(&t.base))
        )?;
        writeln!(self.out, "{}", s.dim(walk.flow.title().get(self.lang)))
    }

    fn heading(&mut self, walk: &Walk, step: StepKind, extra: &str) -> io::Result<()> {
        self.headed.push(step);
        let (index, total) = walk
            .step(step)
            .and_then(|r| r.number)
            .unwrap_or((0, walk.summary.ran));
        let title = format!(
            "[{index}/{total}] {} · {}{extra}",
            step.id(),
            step.title_in(walk.flow.provider()).get(self.lang)
        );
        writeln!(self.out)?;
        writeln!(self.out, "{}", self.s.bold(&self.s.cyan(&title)))
    }

    /// Print what the walk gained since the last call: the authorize URL (with what its lint
    /// found), the redirect, each new exchange, why the walk stopped. Called after every
    /// change of a live walk, or once with a whole recorded one: the same lines either way.
    pub fn update(&mut self, walk: &Walk) -> io::Result<()> {
        let state = |step| walk.step(step).map(|r| r.state);
        if !self.authorized {
            let url = walk.context.authorize_url.as_deref().unwrap_or_default();
            // Started at the callback, the authorize step did not run: say which URL the
            // person opens under the callback's heading.
            let heading = if state(StepKind::Authorize) == Some(StepState::Done) {
                Some(StepKind::Authorize)
            } else if matches!(
                state(StepKind::Callback),
                Some(StepState::AwaitingUser | StepState::Done)
            ) {
                Some(StepKind::Callback)
            } else {
                None
            };
            if let Some(step) = heading {
                self.authorized = true;
                self.heading(walk, step, "")?;
                writeln!(self.out, "  GET {}", visible(url))?;
                for f in &walk.context.authorize_lint {
                    self.finding(f)?;
                }
            }
        }
        if !self.called_back
            && let Some(cb) = &walk.callback
        {
            self.called_back = true;
            self.callback(walk, cb)?;
        }
        for index in self.exchanged..walk.exchanges.len() {
            let ex = &walk.exchanges[index];
            // The decryption ran between the token and the app token: a recorded walk shows
            // it there too.
            if matches!(ex.step, StepKind::AppToken | StepKind::PhoneNumber) {
                self.decryption(walk)?;
            }
            self.exchange(walk, ex)?;
        }
        self.exchanged = walk.exchanges.len();
        self.decryption(walk)?;
        if walk.problem.is_some() && walk.problem != self.problem {
            self.problem.clone_from(&walk.problem);
            let message = walk.problem.as_deref().unwrap_or_default();
            writeln!(self.out, "  {} {}", self.s.red("✗"), visible_lines(message))?;
            for note in &walk.notes {
                self.finding(note)?;
            }
        }
        Ok(())
    }

    fn callback(&mut self, walk: &Walk, cb: &CallbackView) -> io::Result<()> {
        let s = self.s;
        if !self.headed.contains(&cb.step) {
            self.heading(walk, cb.step, "")?;
        }
        writeln!(self.out, "  {}", visible(&cb.shown))?;
        let mut facts = Vec::new();
        if cb.state_matched {
            let text = Msg::StateMatches.get(self.lang).replace('✓', &s.green("✓"));
            facts.push(text);
        }
        for (k, v) in &cb.facts {
            facts.push(format!("{} {}", visible(k), visible(v)));
        }
        if let Some(code) = &cb.code {
            facts.push(format!(
                "code {}{}",
                visible(&code.value),
                self.lifetime(code)
            ));
        }
        if !facts.is_empty() {
            writeln!(self.out, "  {}", facts.join(" · "))?;
        }
        // More than one hit on the callback: each on its line, the walk's own among them.
        if walk.timeline.len() > 1 {
            writeln!(self.out, "  {}", crate::lang::tr(self.lang, "cli.timeline"))?;
            for hit in &walk.timeline {
                writeln!(self.out, "    {}", visible(&hit.line()))?;
            }
        }
        Ok(())
    }

    /// The decryption step, once: input → key → IV → plaintext, the watermark, the findings.
    fn decryption(&mut self, walk: &Walk) -> io::Result<()> {
        let Some(d) = walk.context.decryption.as_ref().filter(|_| !self.decrypted) else {
            return Ok(());
        };
        self.decrypted = true;
        self.heading(walk, StepKind::DecryptUserData, "")?;
        self.decryption_block(d)
    }

    /// A decryption's lines: input → key → IV → plaintext, the watermark, the findings.
    pub fn decryption_block(&mut self, d: &crate::present::DecryptionView) -> io::Result<()> {
        let (s, lang) = (self.s, self.lang);
        let bytes = |n: Option<usize>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let b = Msg::Bytes.get(lang);
        writeln!(
            self.out,
            "  {} encryptedData {}… ({} base64, {} {b})",
            s.dim("in"),
            visible(&d.input_head),
            d.input_chars,
            bytes(d.input_bytes)
        )?;
        writeln!(
            self.out,
            "  {} session_key {} ({} {b}) · AES-128-CBC, PKCS#7",
            s.dim("key"),
            visible(&d.key),
            bytes(d.key_bytes)
        )?;
        writeln!(
            self.out,
            "  {} {} · {}",
            s.dim("iv"),
            visible(&d.iv),
            visible(d.iv_hex.as_deref().unwrap_or("?"))
        )?;
        if let Some(plain) = &d.plaintext {
            writeln!(self.out, "  {}", s.dim("out"))?;
            let pretty = serde_json::to_string_pretty(plain).unwrap_or_default();
            for line in pretty.lines() {
                writeln!(self.out, "    {}", visible(line))?;
            }
        }
        if let Some(w) = &d.watermark {
            let appid = w.get("appid").and_then(serde_json::Value::as_str);
            let mark = if appid == Some(d.expected_appid.as_str()) {
                s.green("✓").into_owned()
            } else {
                s.red("✗").into_owned()
            };
            writeln!(
                self.out,
                "  {} watermark appid {} {mark} · timestamp {}",
                s.dim("wm"),
                visible(appid.unwrap_or_default()),
                w.get("timestamp")
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )?;
        }
        for f in &d.findings {
            self.finding(f)?;
        }
        Ok(())
    }

    fn lifetime(&self, t: &TimedView) -> String {
        t.lifetime_s.map_or_else(
            || Msg::CodeSingleUse.get(self.lang).to_owned(),
            |s| Msg::CodeValidMore.fill(self.lang, &[("left", &human_seconds(s, self.lang))]),
        )
    }

    fn exchange(&mut self, walk: &Walk, ex: &ExchangeView) -> io::Result<()> {
        self.request(walk, ex)?;
        self.response(ex)?;
        self.fields(ex)?;
        for f in &ex.findings {
            self.finding(f)?;
        }
        Ok(())
    }

    /// The request line, headers, body, and for Alipay the signed string and `sign`.
    fn request(&mut self, walk: &Walk, ex: &ExchangeView) -> io::Result<()> {
        let (s, lang) = (self.s, self.lang);
        let extra = if ex.signing.is_some() {
            format!(" · {}", visible(&ex.endpoint))
        } else {
            String::new()
        };
        self.heading(walk, ex.step, &extra)?;
        let r = &ex.request;
        writeln!(
            self.out,
            "  {} {} {}",
            s.dim("→"),
            visible(&r.method),
            visible(&r.url)
        )?;
        for (k, v) in &r.headers {
            writeln!(self.out, "    {}: {}", visible(k), visible(v))?;
        }
        if !r.body.is_empty() {
            writeln!(self.out, "    {}", visible(&r.body))?;
        }
        if let Some(t) = &ex.signing {
            writeln!(
                self.out,
                "  {} ({}, {} {}, {} {}, sha256 {}):",
                s.bold(Msg::SignedString.get(lang)),
                t.charset,
                t.sign_type,
                visible(&t.algorithm),
                t.canonical_bytes,
                Msg::Bytes.get(lang),
                visible(&head(&t.canonical_sha256, 16))
            )?;
            writeln!(self.out, "    {}", visible(&t.canonical))?;
            writeln!(
                self.out,
                "  {} ({} SHA256:{}…):",
                s.bold(Msg::Sign.get(lang)),
                Msg::Key.get(lang),
                visible(&head(&t.key_fingerprint, 16))
            )?;
            writeln!(self.out, "    {}", visible(&t.sign))?;
            for sn in &t.cert_sns {
                writeln!(self.out, "  {}: {}", visible(&sn.param), visible(&sn.sn))?;
                writeln!(self.out, "    = {}", visible(&sn.how))?;
            }
        }
        Ok(())
    }

    /// The status line, the body (pretty when JSON), and the signature check.
    fn response(&mut self, ex: &ExchangeView) -> io::Result<()> {
        let (s, lang) = (self.s, self.lang);
        if let Some(r) = &ex.response {
            writeln!(
                self.out,
                "  {} {} · {} ms · {} · {} {}",
                s.dim("←"),
                r.status,
                ex.elapsed_ms,
                visible(
                    r.content_type
                        .as_deref()
                        .unwrap_or(Msg::NoContentType.get(lang))
                ),
                r.bytes,
                Msg::Bytes.get(lang)
            )?;
            let shown: Cow<'_, str> = match &r.pretty {
                Some(pretty) => Cow::Borrowed(pretty),
                None => Cow::Owned(r.body.chars().take(2000).collect()),
            };
            for line in shown.lines() {
                writeln!(self.out, "    {}", visible(line))?;
            }
        } else {
            let text = Msg::NoResponse.fill(lang, &[("ms", &ex.elapsed_ms.to_string())]);
            writeln!(self.out, "  {} {text}", s.red("✗"))?;
        }
        if let Some(v) = &ex.verification {
            let mark = match v.badge {
                Badge::Verified | Badge::VerifiedUnescaped => s.green("✓"),
                Badge::Mismatch => s.red("✗"),
                Badge::Unsigned => s.yellow("–"),
            };
            let colon = if lang == Lang::ZH { "：" } else { ": " };
            writeln!(
                self.out,
                "  {} {mark} {}{colon}{}",
                s.bold(Msg::Signature.get(lang)),
                v.badge.label().get(lang),
                visible(v.reason(lang))
            )?;
            if let Some(text) = &v.signed_text {
                writeln!(
                    self.out,
                    "    {} {}",
                    s.dim(Msg::SignedText.get(lang)),
                    visible(text)
                )?;
            }
        }
        Ok(())
    }

    /// Each decoded field with its one-line meaning.
    fn fields(&mut self, ex: &ExchangeView) -> io::Result<()> {
        if ex.fields.is_empty() {
            return Ok(());
        }
        let (s, lang) = (self.s, self.lang);
        writeln!(self.out, "  {}", s.bold(Msg::Fields.get(lang)))?;
        let width = ex
            .fields
            .iter()
            .map(|f| f.key.chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        for f in &ex.fields {
            let (k, value) = (visible(&f.key), visible(&f.value));
            match &f.meaning {
                Some(m) => writeln!(
                    self.out,
                    "    {k:<width$}  {value}  {}",
                    s.dim(&format!("— {}", visible(m.get(lang))))
                )?,
                None => writeln!(self.out, "    {k:<width$}  {value}")?,
            }
        }
        Ok(())
    }

    fn finding(&mut self, f: &Finding) -> io::Result<()> {
        let (s, lang) = (self.s, self.lang);
        let mark = match f.severity {
            Severity::Error => s.red("✗"),
            Severity::Warning => s.yellow("!"),
            Severity::Info => s.cyan("i"),
        };
        writeln!(
            self.out,
            "  {mark} {} {}",
            s.bold(&visible(f.title.get(lang))),
            s.dim(&format!("[{}]", visible(&f.code)))
        )?;
        for line in f.explanation.get(lang).lines() {
            if !line.trim().is_empty() {
                writeln!(self.out, "      {}", visible(line))?;
            }
        }
        let fix = f.fix.get(lang);
        if !fix.is_empty() {
            let label = Msg::Fix.get(lang);
            let pad = " ".repeat(label.chars().count());
            for (i, line) in fix.lines().enumerate() {
                let lead = if i == 0 { label } else { &pad };
                writeln!(self.out, "      {lead}{}", visible(line))?;
            }
        }
        Ok(())
    }

    pub fn summary(&mut self, walk: &Walk) -> io::Result<()> {
        let (s, lang) = (self.s, self.lang);
        // A walk that stopped at the decryption printed nothing after it.
        self.decryption(walk)?;
        let decrypted = self.decrypted;
        for note in walk
            .notes
            .iter()
            .filter(|n| n.code != crate::finding::codes::FLOW_STATE_MISMATCH)
            // The decryption's findings were printed with it.
            .filter(|n| !(decrypted && n.code.starts_with("wechat.decrypt.")))
        {
            self.finding(note)?;
        }
        let sum = &walk.summary;
        writeln!(self.out)?;
        let verdict = if sum.ok {
            s.green(&format!("✓ {}", Msg::Succeeded.get(lang)))
                .into_owned()
        } else {
            s.red(&format!("✗ {}", Msg::Failed.get(lang))).into_owned()
        };
        let counts = Msg::StepsIn.fill(
            lang,
            &[
                ("done", &sum.done.to_string()),
                ("ran", &sum.ran.to_string()),
                ("ms", &sum.elapsed_ms.to_string()),
            ],
        );
        let colon = if lang == Lang::ZH { "：" } else { ": " };
        writeln!(self.out, "{verdict}{colon}{counts}")?;
        let ids: Vec<String> = sum
            .ids
            .iter()
            .map(|(k, v)| format!("{k} {}", visible(v)))
            .collect();
        if !ids.is_empty() {
            writeln!(self.out, "  {}", ids.join(" · "))?;
        }
        for (label, t) in [
            (Msg::AccessToken, &sum.access_token),
            (Msg::RefreshToken, &sum.refresh_token),
        ] {
            if let Some(t) = t {
                let note = match (t.lifetime_s, &t.expires_china) {
                    (Some(left), Some(until)) => Msg::ValidUntil.fill(
                        lang,
                        &[("left", &human_seconds(left, lang)), ("time", until)],
                    ),
                    _ => String::new(),
                };
                writeln!(
                    self.out,
                    "  {} {}{note}",
                    label.get(lang),
                    visible(&t.value)
                )?;
            }
        }
        Ok(())
    }
}

/// The first `n` characters of `text` (a digest or fingerprint shortened for a line).
fn head(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}
