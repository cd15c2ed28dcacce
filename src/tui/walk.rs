//! The walk inspector: the app behind `authwalk` on a terminal. A flow picker, then one screen
//! per walk: the steps with their states and countdowns, the sequence strip, the authorize pane
//! (URL, lint, QR code, consent), the exchange tabs (request, signing, response, verify,
//! fields) and the diagnosis strip. All of it is drawn from the [`crate::present`] model; the
//! state here is only what the person is looking at.
//!
//! ```text
//!  key ─▶ KeyMap ─▶ Action ─▶ WalkApp::act ─▶ Session::next ─▶ session::Command
//!                                                   │                  │
//!                                   Command::Redraw ◀┘   task::{send, approve, listen}
//!  Message::Report(task::Report) ─▶ Session::on_response / on_callback ─▶ Redraw
//! ```

mod code;
mod code_choice;
mod content;
mod keys;
mod screen;
pub mod task;
mod view;
pub mod workbench;

use std::time::Instant;

use time::OffsetDateTime;

pub use content::Tab;
pub use task::{Report, Start};

use crate::finding::Lang;
use crate::flow::{FlowKind, StepKind, StepState};
use crate::present::Policy;
use crate::present::Walk;
use crate::replay::Recording;
use crate::session::{Phase, Session};
use crate::target::{Open, Place, Target};
use crate::transport::Transport;
use crate::tui::keymap::KeyMap;
use crate::tui::runtime::Command;
use crate::tui::theme::ThemeSet;
use crate::tui::widget::input::Input;
use crate::tui::widget::popup::ModalStack;
use crate::tui::widget::qr::QrImage;
use crate::tui::widget::spinner::Spinner;
use crate::tui::widget::text_view::{TextBody, TextView};

/// Which pane has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Steps,
    /// The authorize pane or the exchange tabs, whichever the selected step shows.
    Detail,
    Diagnosis,
}

/// What can be open over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help,
    /// Paste a redirect URL or a code.
    Paste(Input),
    /// The QR code over the whole screen.
    Qr,
    Error(String),
    /// The sandbox scenarios to pick from: row 0 is "none", then each scenario by name.
    Scenarios {
        selected: usize,
    },
    /// The selected step's request as a form, to send again (`E`).
    Edit(Box<workbench::EditForm>),
    /// Two attempts of a step side by side (`c`).
    Compare(workbench::CompareView),
    /// Every hit on the callback (`T`).
    Timeline,
    /// The focused step's call in this SDK (`C`).
    Code(crate::present::code::Sdk),
}

/// How the app was asked to start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub start: Start,
    /// Go straight to this flow instead of the picker.
    pub flow: Option<FlowKind>,
    pub lang: Lang,
    /// Presenter mode: big banners, narration, high contrast, secrets always masked.
    pub present: bool,
    /// Phone mode: the LAN address the QR code carries.
    pub lan: Option<std::net::IpAddr>,
    /// The CSRF `state` to send; random when `None`. Tests fix it so screens are stable.
    pub state: Option<String>,
    /// Where `e` writes exports (default: the current folder).
    pub export_dir: Option<std::path::PathBuf>,
}

/// What the screen shows.
#[derive(Debug)]
pub enum Screen {
    /// The place is being opened (the sandbox starting).
    Starting,
    /// Pick a flow.
    Picker { selected: usize },
    /// A walk.
    Walk(Box<WalkScreen>),
    /// The place could not be opened.
    Failed(String),
}

/// Where the walk on screen comes from.
#[derive(Debug)]
pub enum Source {
    /// A walk being made: the session drives it against the target.
    Live {
        session: Box<Session>,
        target: Box<Target>,
    },
    /// A saved walk (`authwalk replay FILE`), read only: no network, no keys.
    Replay {
        recording: Box<Recording>,
        reveal: bool,
        /// The file, as the header names it.
        name: String,
    },
}

/// What the text of the tab shown was built from: the step, the tab, pretty, reveal, how many
/// exchanges, the field row, the attempt shown.
type BodyKey = (usize, Tab, bool, bool, usize, usize, Option<usize>, bool);

/// One walk on screen.
#[derive(Debug)]
pub struct WalkScreen {
    pub source: Source,
    /// The model as last built (rebuilt after every change, and on ticks for countdowns).
    pub walk: Walk,
    pub selected: usize,
    pub tab: Tab,
    pub pretty: bool,
    pub qr: Option<QrImage>,
    pub body: TextBody,
    pub view: TextView,
    /// What `body` was built from, to rebuild only when it changes.
    body_key: Option<BodyKey>,
    /// An earlier attempt of the selected step shown in place of its latest (picked in the
    /// compare view), as an index in the walk's exchanges; cleared when the selection moves or
    /// an answer comes.
    pub attempt: Option<usize>,
    /// How far the authorize and diagnosis panes are scrolled.
    pub scroll: view::Scroll,
    /// The field row of the Fields tab that `y` copies.
    pub field: usize,
}

/// A consent the person gives by picking a demo user and pressing Enter.
pub use crate::session::Consent;

/// The app.
pub struct WalkApp {
    pub(crate) keymap: KeyMap,
    pub(crate) themes: ThemeSet,
    pub(crate) opts: Options,
    pub(crate) screen: Screen,
    pub(crate) place: Option<Box<Place>>,
    pub(crate) transport: Transport,
    pub(crate) focus: Focus,
    pub(crate) popups: ModalStack<Popup>,
    pub(crate) spinner: Spinner,
    pub(crate) mouse: bool,
    /// A one-line note in the status bar ("Copied the request as curl").
    pub(crate) status: Option<String>,
    pub(crate) started: Instant,
    /// Pane areas of the last frame, for mouse hits: steps, detail, diagnosis.
    pub(crate) areas: view::Areas,
    /// The SDK the code popup last showed, one per provider (from `config.toml`'s `[code]`).
    pub(crate) code_sdk: Vec<crate::present::code::Sdk>,
    /// Where the code popup's choice is remembered (`config.toml`); none in tests.
    pub(crate) code_config: Option<std::path::PathBuf>,
}

impl WalkApp {
    /// A new app; [`WalkApp::boot`] gives the task that opens the place.
    pub fn new(opts: Options, keymap: KeyMap, mut themes: ThemeSet, transport: Transport) -> Self {
        if opts.present {
            themes.select("high-contrast");
        }
        Self {
            keymap: keymap.with_lang(opts.lang),
            themes,
            opts,
            screen: Screen::Starting,
            place: None,
            transport,
            focus: Focus::Steps,
            popups: ModalStack::default(),
            spinner: Spinner::default(),
            mouse: true,
            status: None,
            started: Instant::now(),
            areas: view::Areas::default(),
            code_sdk: Vec::new(),
            code_config: None,
        }
    }

    /// An app replaying `recording` (read from the file `name`): the walk screen at once,
    /// nothing to open, nothing sent.
    pub fn replay(
        opts: Options,
        keymap: KeyMap,
        themes: ThemeSet,
        transport: Transport,
        recording: Recording,
        name: String,
    ) -> Self {
        let lang = opts.lang;
        let mut app = Self::new(opts, keymap, themes, transport);
        app.screen = Screen::Walk(Box::new(WalkScreen::replay(recording, name, lang)));
        app
    }

    /// The first command: open the place in the background, so the first frame is drawn at
    /// once.
    pub fn boot(&self) -> Command<Report> {
        let flows = self
            .opts
            .flow
            .map_or_else(|| FlowKind::ALL.to_vec(), |f| vec![f]);
        let how = Open {
            flows,
            alipay_app: self.opts.start.choice.app.clone(),
            lan: self.opts.lan,
        };
        Command::Spawn(task::open(self.opts.start.place.clone(), how))
    }

    /// The opened place (the embedded sandbox), once it is open.
    pub fn place(&self) -> Option<&Place> {
        self.place.as_deref()
    }

    /// The walk model on screen, when a walk is.
    pub fn screen_walk(&self) -> Option<&crate::present::Walk> {
        match &self.screen {
            Screen::Walk(w) => Some(&w.walk),
            _ => None,
        }
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The one-line note of the status bar, if any ("Exported … to PATH").
    pub fn status_line(&self) -> Option<&str> {
        self.status.as_deref()
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn lang(&self) -> Lang {
        self.opts.lang
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// Start walking `flow` at the place.
    fn start_walk(&mut self, flow: FlowKind) -> Result<(), String> {
        let place = self
            .place
            .as_ref()
            .ok_or_else(|| "the sandbox is not open yet".to_owned())?;
        let target = place
            .target(flow, &self.opts.start.choice, &self.transport)
            .map_err(|e| format!("{e:#}"))?;
        let state = self
            .opts
            .state
            .clone()
            .unwrap_or_else(crate::target::random_state);
        let mut session = Session::start(
            &target,
            flow,
            &crate::flow::Inputs {
                phone_number: self.opts.start.choice.phone_number
                    && !flow.optional_steps().is_empty(),
                ..crate::flow::Inputs::default()
            },
            state,
            Self::now(),
        )
        .map_err(|e| e.to_string())?;
        let qr = session.flow().authorize_url().map(|u| QrImage::new(&u));
        if self.opts.present {
            session.force_mask();
        }
        let walk = session.walk(Self::now(), self.started.elapsed());
        self.screen = Screen::Walk(Box::new(WalkScreen::new(
            Source::Live {
                session: Box::new(session),
                target: Box::new(target),
            },
            walk,
            qr,
        )));
        self.focus = Focus::Steps;
        Ok(())
    }

    /// The live walk's flow and demo user, if a live walk is on screen.
    fn live_flow(&self) -> Option<(FlowKind, Option<String>)> {
        match &self.screen {
            Screen::Walk(w) => w
                .live()
                .map(|(s, _)| (s.flow().kind(), s.user_id().map(str::to_owned))),
            _ => None,
        }
    }

    /// Start the walk on screen again with a fresh state, as `user` when given (else the
    /// same user): what `R` and `u` do. The status says who walks now.
    pub(crate) fn restart(&mut self, user: Option<String>) {
        let Some((flow, current)) = self.live_flow() else {
            return;
        };
        let user = user.or(current);
        if user.is_some() {
            self.opts.start.choice.user.clone_from(&user);
        }
        // A fixed state (tests) stays fixed; otherwise each walk gets a new one.
        match self.start_walk(flow) {
            Ok(()) => {
                let user = user.unwrap_or_default();
                self.status = Some(crate::present::tr_fill(
                    self.opts.lang,
                    "tui.restarted",
                    &[("flow", flow.id()), ("user", &user)],
                ));
            }
            Err(e) => self.popups.push(Popup::Error(e)),
        }
        self.refresh();
    }

    /// Restart as the demo user after the current one (`u`).
    pub(crate) fn switch_user(&mut self) {
        let next = match &self.screen {
            Screen::Walk(w) => w.live().and_then(|(s, _)| {
                let (users, _) = s.users();
                let current = s.user_id()?;
                let i = users.iter().position(|(id, _)| id == current)?;
                (users.len() > 1).then(|| users[(i + 1) % users.len()].0.clone())
            }),
            _ => None,
        };
        match next {
            Some(user) => self.restart(Some(user)),
            None => {
                self.status =
                    Some(crate::present::tr(self.opts.lang, "tui.no-other-user").to_owned());
            }
        }
    }

    /// Back to the flow picker, on the flow that was walked (`F`).
    pub(crate) fn back_to_picker(&mut self) {
        if self.place.is_none() {
            return;
        }
        let selected = self
            .live_flow()
            .and_then(|(flow, _)| FlowKind::ALL.iter().position(|f| *f == flow))
            .unwrap_or(0);
        self.screen = Screen::Picker { selected };
        self.focus = Focus::Steps;
    }

    /// The next language known (`L`): the key bar, the help and every pane switch at once.
    pub(crate) fn next_language(&mut self) {
        let known = Lang::known();
        let i = known.iter().position(|l| *l == self.opts.lang).unwrap_or(0);
        let lang = known
            .get((i + 1) % known.len().max(1))
            .copied()
            .unwrap_or(Lang::EN);
        self.opts.lang = lang;
        self.keymap = self.keymap.clone().with_lang(lang);
        if let Screen::Walk(w) = &mut self.screen {
            w.body_key = None;
        }
        self.status = Some(crate::present::tr_fill(
            lang,
            "tui.language-now",
            &[("lang", lang.tag())],
        ));
        self.refresh();
    }

    /// Apply the scenario at row `selected` of the list (0: none) to the embedded sandbox
    /// and start the walk on screen again under it; one sentence when it does not fit.
    pub(crate) fn apply_scenario(&mut self, selected: usize) {
        let lang = self.opts.lang;
        let scenario = match selected
            .checked_sub(1)
            .and_then(|i| crate::sandbox::scenario_names().get(i).copied())
            .map(crate::sandbox::Scenario::named)
            .transpose()
        {
            Ok(s) => s,
            Err(e) => {
                self.status = Some(e.to_string());
                return;
            }
        };
        let flow = self.live_flow().map(|(flow, _)| flow);
        if let (Some(s), Some(flow)) = (&scenario, flow)
            && let Err(e) = s.check_fits(flow)
        {
            self.status = Some(e.to_string());
            return;
        }
        let name = scenario.as_ref().map_or_else(
            || crate::present::tr(lang, "tui.scenario-none").to_owned(),
            |s| s.name.clone(),
        );
        let user = scenario.as_ref().and_then(|s| s.user.clone());
        let Some(place) = self.place.as_mut() else {
            return;
        };
        if let Err(key) = place.set_scenario(scenario) {
            self.status = Some(crate::present::tr(lang, key).to_owned());
            return;
        }
        // The scenario's user holds the phone (frozen-user …); otherwise the user stays.
        if user.is_some() {
            self.opts.start.choice.user = None;
        }
        if flow.is_some() {
            let Some((flow, _)) = self.live_flow() else {
                return;
            };
            if let Err(e) = self.start_walk(flow) {
                self.popups.push(Popup::Error(e));
            }
        }
        self.status = Some(crate::present::tr_fill(
            lang,
            "tui.scenario-applied",
            &[("name", &name)],
        ));
        self.refresh();
    }

    /// Offer the refresh step (and WeChat's `/sns/auth` check) once a refresh token exists,
    /// and run it (`x`).
    pub(crate) fn run_refresh(&mut self) -> Vec<Command<Report>> {
        let lang = self.opts.lang;
        let Some(w) = self.walk_mut() else {
            return Vec::new();
        };
        let Some((session, _)) = w.live_mut() else {
            self.status = Some(crate::present::tr(lang, "tui.replay-read-only").to_owned());
            return vec![Command::Redraw];
        };
        if !session.offer_refresh() {
            self.status = Some(crate::present::tr(lang, "tui.no-refresh-token").to_owned());
            return vec![Command::Redraw];
        }
        w.select_step(StepKind::Refresh);
        self.refresh();
        self.run_next()
    }

    fn walk_mut(&mut self) -> Option<&mut WalkScreen> {
        match &mut self.screen {
            Screen::Walk(w) => Some(w),
            _ => None,
        }
    }

    /// Handle a background report.
    fn report(&mut self, report: Report) -> Vec<Command<Report>> {
        match report {
            Report::Opened(Ok(place)) => {
                self.place = Some(place);
                self.screen = Screen::Picker { selected: 0 };
                if let Some(flow) = self.opts.flow
                    && let Err(e) = self.start_walk(flow)
                {
                    self.screen = Screen::Failed(e);
                }
            }
            Report::Opened(Err(e)) => self.screen = Screen::Failed(e),
            Report::Walked(outcome) => {
                let now = Self::now();
                let redirect = match &outcome {
                    crate::session::Outcome::Hits(_, inner) => {
                        matches!(**inner, crate::session::Outcome::Callback(_))
                    }
                    other => matches!(other, crate::session::Outcome::Callback(_)),
                };
                if let Some(w) = self.walk_mut()
                    && let Some((session, _)) = w.live_mut()
                {
                    // A redirect shows on the step that waited for it; an answer on its step,
                    // unless the decryption just run is on screen.
                    let waited = session.current_step().filter(|_| redirect);
                    if let Some(step) = session.apply(outcome, now).or(waited)
                        && (redirect || w.step() != StepKind::DecryptUserData)
                    {
                        w.select_step(step);
                    }
                    // A new answer: the step shows its latest attempt again.
                    w.attempt = None;
                }
                self.refresh();
                if let Some(w) = self.walk_mut() {
                    w.land();
                }
            }
        }
        self.refresh();
        vec![Command::Redraw]
    }

    /// Rebuild the model after a change.
    pub(crate) fn refresh(&mut self) {
        let elapsed = self.started.elapsed();
        let lang = self.opts.lang;
        if let Some(w) = self.walk_mut() {
            // A replay's walk changes only when secrets are shown or hidden.
            if let Source::Live { session, .. } = &w.source {
                w.walk = session.walk(Self::now(), elapsed);
            }
            w.rebuild_body(lang);
        }
    }

    /// Run the next step (what `n` does): the command the session asks for is carried out
    /// at once, except a consent, which waits for a demo user to be picked.
    fn run_next(&mut self) -> Vec<Command<Report>> {
        let transport = self.transport.clone();
        let lang = self.opts.lang;
        let paste = self.keymap.hint(crate::tui::keymap::Action::Paste);
        let Some(w) = self.walk_mut() else {
            return Vec::new();
        };
        let Some((session, _)) = w.live_mut() else {
            self.status = Some(crate::present::tr(lang, "tui.replay-read-only").to_owned());
            return vec![Command::Redraw];
        };
        // The decryption sends nothing and the walk goes past it: show it, not what follows.
        let decrypted_before = decrypt_ran(session);
        let next = session.next(Self::now());
        let decrypted_now = !decrypted_before && decrypt_ran(session);
        let Some(command) = next else {
            // Waiting for a real browser's redirect: say what to do rather than nothing.
            if session.phase() == Phase::Waiting
                && matches!(
                    session.current_step(),
                    Some(StepKind::Callback | StepKind::MiniAuthCode)
                )
            {
                let waiting = if session.awaits_redirect() {
                    "tui.next-waits-redirect"
                } else {
                    "tui.paste-hint"
                };
                self.status = Some(crate::present::tr_fill(lang, waiting, &[("key", &paste)]));
                return vec![Command::Redraw];
            }
            // A step that sends nothing (the mini program's decryption) may have just run and
            // ended the walk: show it.
            let decrypt_failed = session
                .flow()
                .steps()
                .iter()
                .any(|s| s.kind == StepKind::DecryptUserData && s.state == StepState::Failed);
            if decrypt_failed {
                w.select_step(StepKind::DecryptUserData);
            }
            self.refresh();
            return vec![Command::Redraw];
        };
        let mut out = Vec::new();
        match command {
            crate::session::Command::Send {
                step,
                attempt,
                request,
            } => {
                if decrypted_now {
                    w.select_step(StepKind::DecryptUserData);
                } else {
                    w.select_step(step);
                    w.tab = Tab::Request;
                }
                out.push(Command::Spawn(task::send(transport, attempt, request)));
            }
            crate::session::Command::AwaitConsent => {
                w.select_step(match session_consent_step(w) {
                    Some(step) => step,
                    None => StepKind::Callback,
                });
                // A phone (or a browser) may approve on the consent page itself: what reaches
                // the sandbox's callback with this walk's state is its redirect.
                if let Source::Live { session, target } = &mut w.source
                    && matches!(session.consent(), Some(Consent::Authorize { .. }))
                    && let Some(approver) = target.approver.clone()
                {
                    let (stop, stopped) = crate::walker::stop_pair();
                    let state = session.flow().state().to_owned();
                    session.watching(stop);
                    out.push(Command::Spawn(task::watch_callback(
                        approver, state, stopped,
                    )));
                }
            }
            // Given only with give_consent, after a demo user is picked.
            crate::session::Command::Approve { .. } | crate::session::Command::MiniCode { .. } => {}
            crate::session::Command::AwaitCallback {
                authorize_url,
                redirect_uri,
            } => {
                w.select_step(StepKind::Callback);
                if crate::transport::is_loopback_url(&redirect_uri)
                    && let Some((session, _)) = w.live_mut()
                {
                    let (stop, stopped) = crate::walker::stop_pair();
                    session.listening(stop);
                    out.push(Command::Watch(Box::new(move |tx| {
                        task::listen(redirect_uri, authorize_url, tx, stopped)
                    })));
                }
            }
            crate::session::Command::AwaitMiniCode { .. } => w.select_step(StepKind::MiniAuthCode),
        }
        self.focus = Focus::Detail;
        self.refresh();
        out.push(Command::Redraw);
        out
    }

    /// Give the pending consent as the picked demo user (what Enter does in the authorize
    /// pane): the browser's hop, shown on the sequence strip.
    fn give_consent(&mut self) -> Vec<Command<Report>> {
        let Some(w) = self.walk_mut() else {
            return Vec::new();
        };
        let Source::Live { session, target } = &mut w.source else {
            return Vec::new();
        };
        let Some(command) = session.give_consent() else {
            return Vec::new();
        };
        match task::consent(command, target.approver.as_ref()) {
            Some(task) => vec![Command::Spawn(task), Command::Redraw],
            None => Vec::new(),
        }
    }

    /// A pasted redirect URL or code.
    fn pasted(&mut self, text: &str) {
        let lang = self.opts.lang;
        let now = Self::now();
        let Some(w) = self.walk_mut() else {
            return;
        };
        let Some((session, _)) = w.live_mut() else {
            self.status = Some(crate::present::tr(lang, "tui.replay-read-only").to_owned());
            return;
        };
        let awaiting = session.phase() == Phase::Waiting
            && matches!(
                session.current_step(),
                Some(StepKind::Callback | StepKind::MiniAuthCode)
            );
        if !awaiting {
            self.status = Some(crate::present::tr(lang, "tui.nothing-waits").to_owned());
            return;
        }
        let result = session.on_callback(text.trim(), now);
        if let Err(e) = result {
            self.popups.push(Popup::Error(e.to_string()));
        }
        self.refresh();
    }
}

/// The step a pending consent belongs to.
fn session_consent_step(w: &WalkScreen) -> Option<StepKind> {
    w.consent().map(|c| match c {
        Consent::Authorize { .. } => StepKind::Callback,
        Consent::MiniCode { .. } => StepKind::MiniAuthCode,
    })
}

/// Replay a saved walk full screen until the person quits: read only, nothing sent.
pub fn replay_main(
    opts: Options,
    recording: Recording,
    name: String,
) -> anyhow::Result<std::process::ExitCode> {
    main_with(opts, Some((recording, name)))
}

/// Run the inspector full screen until the person quits. Opens the place in the background,
/// so the first frame is drawn at once; the terminal is restored on every way out.
pub fn main(opts: Options) -> anyhow::Result<std::process::ExitCode> {
    main_with(opts, None)
}

fn main_with(
    opts: Options,
    replay: Option<(Recording, String)>,
) -> anyhow::Result<std::process::ExitCode> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let config = crate::config::config_dir().map(|d| d.join("config.toml"));
        let keymap = match &config {
            Some(path) => KeyMap::load(path)?,
            None => KeyMap::default(),
        };
        let (themes, errors) = ThemeSet::from_env();
        let transport = Transport::new(crate::transport::DEFAULT_TIMEOUT)
            .context("cannot build the HTTP client")?;
        let replaying = replay.is_some();
        let mut app = match replay {
            Some((recording, name)) => {
                WalkApp::replay(opts, keymap, themes, transport, recording, name)
            }
            None => WalkApp::new(opts, keymap, themes, transport),
        };
        if let Some(e) = errors.first() {
            app.popups.push(Popup::Error(e.to_string()));
        }
        if let Some(path) = &config {
            app.code_sdk = [
                crate::provider::Provider::Alipay,
                crate::provider::Provider::Wechat,
            ]
            .into_iter()
            .filter_map(|p| code_choice::load(path, p))
            .collect();
            app.code_config = Some(path.clone());
        }
        let channel = crate::tui::event::channel();
        if !replaying && let Command::Spawn(task) = app.boot() {
            let tx = channel.0.clone();
            tokio::spawn(async move {
                let _ = tx.send(task.await);
            });
        }
        let app = crate::tui::runtime::run_in_terminal(app, channel)
            .await
            .context("the terminal failed")?;
        if let Some(place) = app.place {
            place.shutdown().await;
        }
        Ok(crate::tui::event::exit_code())
    })
}

/// Whether the walk's decryption (which sends nothing) has run.
fn decrypt_ran(session: &Session) -> bool {
    session.flow().steps().iter().any(|s| {
        s.kind == StepKind::DecryptUserData
            && matches!(s.state, StepState::Done | StepState::Failed)
    })
}
