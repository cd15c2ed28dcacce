//! One walk on screen: where it comes from (a live session or a replay), what is selected,
//! and the text of the tab shown, rebuilt only when what it shows changes.

use super::{
    Consent, Lang, Phase, Policy, QrImage, Recording, Session, Source, StepKind, StepState, Tab,
    Target, TextBody, TextView, Walk, WalkScreen, content, view,
};

impl WalkScreen {
    /// A replay of `recording`: read only, secrets masked until revealed (a redacted
    /// recording has only placeholders to show).
    pub fn replay(recording: Recording, name: String, lang: Lang) -> Self {
        let walk = recording.walk(Policy::default());
        let url = walk.context.authorize_url.clone();
        let source = Source::Replay {
            recording: Box::new(recording),
            reveal: false,
            name,
        };
        let mut w = Self::new(source, walk, url.as_deref().map(QrImage::new));
        w.rebuild_body(lang);
        w
    }

    /// A walk on screen at its first step, on the Request tab.
    pub(super) fn new(source: Source, walk: Walk, qr: Option<QrImage>) -> Self {
        Self {
            source,
            walk,
            selected: 0,
            tab: Tab::Request,
            pretty: true,
            qr,
            body: TextBody::new(""),
            view: TextView::new(true),
            body_key: None,
            attempt: None,
            scroll: view::Scroll::default(),
            field: 0,
        }
    }

    /// The session and target of a live walk; `None` in a replay.
    pub fn live(&self) -> Option<(&Session, &Target)> {
        match &self.source {
            Source::Live { session, target } => Some((session, target)),
            Source::Replay { .. } => None,
        }
    }

    pub(crate) fn live_mut(&mut self) -> Option<(&mut Session, &Target)> {
        match &mut self.source {
            Source::Live { session, target } => Some((session, target)),
            Source::Replay { .. } => None,
        }
    }

    /// Whether this is a replay of a saved walk.
    pub fn is_replay(&self) -> bool {
        matches!(self.source, Source::Replay { .. })
    }

    /// How secrets are shown.
    pub fn policy(&self) -> Policy {
        match &self.source {
            Source::Live { session, .. } => session.policy(),
            Source::Replay { reveal, .. } => Policy { reveal: *reveal },
        }
    }

    /// Whether `s` can show anything: a redacted recording holds placeholders only.
    pub fn can_reveal(&self) -> bool {
        match &self.source {
            Source::Live { .. } => true,
            Source::Replay { recording, .. } => !recording.redacted,
        }
    }

    /// Show or hide secrets.
    pub fn toggle_reveal(&mut self) {
        match &mut self.source {
            Source::Live { session, .. } => session.toggle_reveal(),
            Source::Replay {
                recording, reveal, ..
            } => {
                *reveal = !*reveal;
                self.walk = recording.walk(Policy { reveal: *reveal });
            }
        }
    }

    /// Where the walk stands; a replay is finished.
    pub fn phase(&self) -> Phase {
        match &self.source {
            Source::Live { session, .. } => session.phase(),
            Source::Replay { .. } => Phase::Finished { ok: self.walk.ok },
        }
    }

    /// What stopped the walk that is no finding (a wait that failed).
    pub fn problem(&self) -> Option<&str> {
        self.live().and_then(|(session, _)| session.problem())
    }

    /// The authorize URL, as it is (a live walk's), or as the recording holds it.
    pub fn authorize_url(&self) -> Option<String> {
        match &self.source {
            Source::Live { session, .. } => session.flow().authorize_url(),
            Source::Replay { .. } => self.walk.context.authorize_url.clone(),
        }
    }

    /// The consent a live walk waits for, if a demo user is to be picked.
    pub fn consent(&self) -> Option<&Consent> {
        self.live().and_then(|(session, _)| session.consent())
    }

    /// Whether something in the background waits for the redirect (the sandbox giving
    /// consent, a loopback listener).
    pub fn awaits_redirect(&self) -> bool {
        self.live()
            .is_some_and(|(session, _)| session.awaits_redirect())
    }

    /// After a step's answer came: leave the Request tab for what came back, the Verify tab
    /// when it was signed, else the Response.
    pub(super) fn land(&mut self) {
        let row = self.walk.steps.get(self.selected);
        let finished = row.is_some_and(|r| matches!(r.state, StepState::Done | StepState::Failed));
        if self.tab != Tab::Request || !finished || self.shows_authorize() {
            return;
        }
        let Some(ex) = self.exchange() else {
            return;
        };
        let signed = ex
            .verification
            .as_ref()
            .is_some_and(|v| v.badge != crate::present::Badge::Unsigned);
        self.tab = if signed { Tab::Verify } else { Tab::Response };
        self.view = TextView::new(true);
    }

    /// Select the row of `step`.
    pub fn select_step(&mut self, step: StepKind) {
        if let Some(i) = self.walk.steps.iter().position(|s| s.id == step) {
            if i != self.selected {
                self.attempt = None;
                self.view = TextView::new(true);
                self.scroll = view::Scroll::default();
                self.field = 0;
            }
            self.selected = i;
        }
    }

    /// The selected step.
    pub fn step(&self) -> StepKind {
        let steps = &self.walk.steps;
        steps[self.selected.min(steps.len().saturating_sub(1))].id
    }

    /// Whether the selected step shows the authorize pane rather than exchange tabs.
    pub fn shows_authorize(&self) -> bool {
        matches!(
            self.step(),
            StepKind::Authorize | StepKind::Callback | StepKind::MiniAuthCode
        )
    }

    /// The exchange of the selected step in the model, if it has one: its latest attempt, or
    /// the earlier one picked in the compare view.
    pub fn exchange(&self) -> Option<&crate::present::ExchangeView> {
        self.walk.exchanges.get(self.shown()?)
    }

    /// The index in the walk's exchanges of the attempt the panes show for the selected step.
    pub fn shown(&self) -> Option<usize> {
        let row = self.walk.steps.get(self.selected)?;
        self.attempt
            .filter(|i| {
                self.walk
                    .exchanges
                    .get(*i)
                    .is_some_and(|e| e.step == row.id)
            })
            .or(row.exchange)
    }

    /// Rebuild the text of the current tab when what it shows changed.
    pub(super) fn rebuild_body(&mut self, lang: Lang) {
        let key = (
            self.selected,
            self.tab,
            self.pretty,
            self.policy().reveal,
            self.walk.exchanges.len(),
            self.field,
            self.attempt,
            self.walk.context.decryption.is_some(),
        );
        if self.body_key == Some(key) {
            return;
        }
        self.body_key = Some(key);
        let text = match self.exchange() {
            Some(ex) => match self.tab {
                Tab::Request => content::request(&ex.request),
                Tab::Signing => content::signing(ex, lang),
                Tab::Response => content::response(ex, self.pretty, lang),
                Tab::Verify => content::verify(ex, lang),
                Tab::Fields => content::fields(ex, lang, self.field),
            },
            None if self.step() == StepKind::DecryptUserData => {
                content::decryption(self.walk.context.decryption.as_ref(), lang)
            }
            None => match &self.walk.pending {
                Some(p) if p.step == self.step() => content::request(&p.request),
                _ => String::new(),
            },
        };
        self.body = TextBody::new(text);
    }
}
