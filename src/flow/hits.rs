//! The callback's timeline: every hit this walk took in or was told of, in time order, and
//! the finding when one code reached the callback more than once (a page that redirected
//! twice, a back button, a retry): the second use of a code is what WeChat answers 40163 and
//! Alipay `isv.code-invalid` to.

use time::OffsetDateTime;
use time::macros::format_description;

use super::{CallbackHit, Flow, HitResult, HitSource};
use crate::finding::{Finding, Severity, Text};

/// The code of the finding for a code that reached the callback twice.
pub const CALLBACK_TWICE: &str = "flow.callback-twice";

impl Flow {
    /// Every hit on the callback known to this walk, in time order.
    pub fn hits(&self) -> &[CallbackHit] {
        &self.ctx.hits
    }

    /// Hits seen elsewhere (the sandbox's callback page): kept in time order, each once.
    pub fn add_hits(&mut self, hits: Vec<CallbackHit>) {
        for hit in hits {
            if !self.ctx.hits.contains(&hit) {
                self.ctx.hits.push(hit);
            }
        }
        self.ctx.hits.sort_by_key(|h| h.at);
        self.note_twice();
    }

    /// A hit this walk took in (a redirect, a paste).
    pub(super) fn took(
        &mut self,
        at: OffsetDateTime,
        state: Option<&str>,
        code: &str,
        result: HitResult,
    ) {
        self.add_hits(vec![CallbackHit {
            at,
            source: HitSource::Walk,
            user_agent: None,
            state: state.map(str::to_owned),
            code: Some(code.to_owned()),
            result,
        }]);
    }

    /// Note, once per code, that a code reached the callback more than once.
    fn note_twice(&mut self) {
        let mut seen: Vec<&str> = Vec::new();
        let mut twice: Option<(String, Vec<OffsetDateTime>)> = None;
        for hit in &self.ctx.hits {
            let Some(code) = hit.code.as_deref() else {
                continue;
            };
            if seen.contains(&code) {
                let times = self
                    .ctx
                    .hits
                    .iter()
                    .filter(|h| h.code.as_deref() == Some(code))
                    .map(|h| h.at)
                    .collect();
                twice = Some((code.to_owned(), times));
                break;
            }
            seen.push(code);
        }
        let Some((code, times)) = twice else {
            return;
        };
        let masked = crate::redact::mask(&code);
        if self.notes.iter().any(|n| {
            n.code == CALLBACK_TWICE && n.title.get(crate::finding::Lang::EN).contains(&masked)
        }) {
            return;
        }
        let shown: Vec<String> = times.iter().map(|t| clock(*t)).collect();
        self.notes.push(
            Finding::new(
                Severity::Error,
                CALLBACK_TWICE,
                Text::with(
                    "flow.callback-twice",
                    &[
                        ("count", &times.len()),
                        ("code", &masked),
                        ("times", &shown.join(", ")),
                    ],
                ),
            )
            .explanation(Text::key("flow.callback-twice-why"))
            .fix(Text::key("flow.callback-twice-fix")),
        );
    }
}

/// A time of day to the millisecond, in UTC: hits of one redirect are milliseconds apart.
pub fn clock(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[hour]:[minute]:[second].[subsecond digits:3]"
        ))
        .unwrap_or_default()
}
