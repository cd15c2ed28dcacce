//! What a key can do, with its config name, key-bar label, help text and default keys.

use std::fmt;
use std::str::FromStr;

/// Everything a key can ask of the TUI. Panes interpret the ones that concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Focus pane number 1 to 9.
    Focus(u8),
    /// Move up a row.
    Up,
    /// Move down a row.
    Down,
    /// Scroll left (text views without wrapping).
    Left,
    /// Scroll right.
    Right,
    /// Up a page.
    PageUp,
    /// Down a page.
    PageDown,
    /// To the first row.
    Top,
    /// To the last row.
    Bottom,
    /// Run the selected step.
    RunSelected,
    /// Run the next step.
    RunNext,
    /// Run the failed or current step again.
    Retry,
    /// Paste a redirect URL, a code or a token.
    Paste,
    /// Reveal or mask secrets.
    ToggleSecrets,
    /// Copy the focused value (OSC 52).
    Copy,
    /// Copy the request as a curl command.
    CopyCurl,
    /// Show the step's call in an SDK, to copy (`authwalk code`).
    CopyCode,
    /// Export the walk.
    Export,
    /// Start the walk again with a fresh state.
    Restart,
    /// Start the walk again as the next demo user.
    SwitchUser,
    /// Go back to the flow picker.
    Flows,
    /// Pick a sandbox scenario.
    Scenario,
    /// Switch to the next language.
    Language,
    /// Refresh the token (and check it, on WeChat) once a refresh token exists.
    Refresh,
    /// Switch to the next theme.
    CycleTheme,
    /// Show or hide the help overlay.
    Help,
    /// Leave authwalk.
    Quit,
    /// Search the focused text.
    Search,
    /// Go to the next search match.
    SearchNext,
    /// Go to the previous search match.
    SearchPrev,
    /// Show the QR code full screen.
    FullscreenQr,
    /// Switch between the raw and the pretty body.
    TogglePretty,
    /// Wrap long lines or not.
    ToggleWrap,
    /// The next tab of the main pane.
    NextTab,
    /// The previous tab.
    PrevTab,
    /// Turn mouse capture off (to select text) or on.
    ToggleMouse,
    /// Presenter mode and replay: go back a step and show it again.
    Back,
    /// Close the popup, leave the search, cancel the input.
    Cancel,
    /// Edit the selected step's request and send it again.
    Edit,
    /// Compare an attempt of the step with another.
    Compare,
    /// Every hit on the callback, in time order.
    Timeline,
}

/// (action, config name, key-bar label, help text, default keys)
type Row = (
    Action,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const TABLE: &[Row] = &[
    (
        Action::FocusNext,
        "focus_next",
        "next pane",
        "focus the next pane",
        &["tab"],
    ),
    (
        Action::FocusPrev,
        "focus_prev",
        "prev pane",
        "focus the previous pane",
        &["shift-tab"],
    ),
    (Action::Up, "up", "up", "move up", &["k", "up"]),
    (Action::Down, "down", "down", "move down", &["j", "down"]),
    (Action::Left, "left", "left", "scroll left", &["h", "left"]),
    (
        Action::Right,
        "right",
        "right",
        "scroll right",
        &["l", "right"],
    ),
    (
        Action::PageUp,
        "page_up",
        "page up",
        "up a page",
        &["pageup", "ctrl-u"],
    ),
    (
        Action::PageDown,
        "page_down",
        "page down",
        "down a page",
        &["pagedown", "ctrl-d"],
    ),
    (Action::Top, "top", "top", "to the top", &["g", "home"]),
    (
        Action::Bottom,
        "bottom",
        "bottom",
        "to the bottom",
        &["G", "end"],
    ),
    (
        Action::RunSelected,
        "run_selected",
        "run",
        "run the selected step",
        &["enter"],
    ),
    (
        Action::RunNext,
        "run_next",
        "next step",
        "run the next step",
        &["n"],
    ),
    (Action::Retry, "retry", "retry", "retry the step", &["r"]),
    (
        Action::Paste,
        "paste",
        "paste",
        "paste a URL, code or token",
        &["p"],
    ),
    (
        Action::ToggleSecrets,
        "toggle_secrets",
        "secrets",
        "reveal or mask secrets",
        &["s"],
    ),
    (
        Action::Copy,
        "copy",
        "copy",
        "copy the focused value",
        &["y"],
    ),
    (
        Action::CopyCurl,
        "copy_curl",
        "copy curl",
        "copy the request as curl",
        &["Y"],
    ),
    (
        Action::CopyCode,
        "copy_code",
        "code",
        "the step as SDK code",
        &["C"],
    ),
    (
        Action::Export,
        "export",
        "export",
        "export the walk",
        &["e"],
    ),
    (
        Action::Restart,
        "restart",
        "restart",
        "restart with a fresh state",
        &["R"],
    ),
    (
        Action::SwitchUser,
        "switch_user",
        "user",
        "restart as the next user",
        &["u"],
    ),
    (
        Action::Flows,
        "flows",
        "flows",
        "back to the flow picker",
        &["F"],
    ),
    (
        Action::Scenario,
        "scenario",
        "scenario",
        "pick a sandbox scenario",
        &["S"],
    ),
    (
        Action::Language,
        "language",
        "language",
        "switch the language",
        &["L"],
    ),
    (
        Action::Refresh,
        "refresh",
        "refresh",
        "refresh, check the token",
        &["x"],
    ),
    (
        Action::CycleTheme,
        "cycle_theme",
        "theme",
        "switch to the next theme",
        &["t"],
    ),
    (
        Action::Search,
        "search",
        "search",
        "search the text",
        &["/"],
    ),
    (
        Action::SearchNext,
        "search_next",
        "next match",
        "next search match",
        &["n"],
    ),
    (
        Action::SearchPrev,
        "search_prev",
        "prev match",
        "previous search match",
        &["N"],
    ),
    (
        Action::FullscreenQr,
        "fullscreen_qr",
        "QR",
        "QR code full screen",
        &["f"],
    ),
    (
        Action::TogglePretty,
        "toggle_pretty",
        "raw/pretty",
        "raw or pretty body",
        &["v"],
    ),
    (
        Action::ToggleWrap,
        "toggle_wrap",
        "wrap",
        "wrap long lines or not",
        &["w"],
    ),
    (
        Action::NextTab,
        "next_tab",
        "next tab",
        "the next tab",
        &["]"],
    ),
    (
        Action::PrevTab,
        "prev_tab",
        "prev tab",
        "the previous tab",
        &["["],
    ),
    (
        Action::ToggleMouse,
        "toggle_mouse",
        "mouse",
        "toggle mouse (select text)",
        &["m"],
    ),
    (Action::Back, "back", "back", "back a step", &["b"]),
    (
        Action::Edit,
        "edit",
        "edit",
        "edit and resend the request",
        &["E"],
    ),
    (
        Action::Compare,
        "compare",
        "compare",
        "compare two attempts",
        &["c"],
    ),
    (
        Action::Timeline,
        "timeline",
        "timeline",
        "the callback's timeline",
        &["T"],
    ),
    (
        Action::Cancel,
        "cancel",
        "close",
        "close, cancel, end search",
        &["esc"],
    ),
    (
        Action::Help,
        "help",
        "help",
        "show or hide this help",
        &["?"],
    ),
    (Action::Quit, "quit", "quit", "quit", &["q", "ctrl-c"]),
];

const FOCUS_NAMES: [&str; 9] = [
    "focus_1", "focus_2", "focus_3", "focus_4", "focus_5", "focus_6", "focus_7", "focus_8",
    "focus_9",
];
const DIGITS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

impl Action {
    /// Every action, in help order: the table, with the nine focus actions after focus_prev.
    pub fn all() -> impl Iterator<Item = Self> {
        TABLE[..2]
            .iter()
            .map(|r| r.0)
            .chain((1..=9).map(Self::Focus))
            .chain(TABLE[2..].iter().map(|r| r.0))
    }

    /// Every config name, for error messages.
    pub fn names() -> Vec<&'static str> {
        Self::all().map(Self::name).collect()
    }

    fn row(self) -> Option<&'static Row> {
        TABLE.iter().find(|r| r.0 == self)
    }

    /// The name in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Self::Focus(n) => FOCUS_NAMES
                .get(usize::from(n).wrapping_sub(1))
                .copied()
                .unwrap_or("focus"),
            other => other.row().map_or("", |r| r.1),
        }
    }

    /// A word or two for the key bar.
    pub fn label(self) -> &'static str {
        match self {
            Self::Focus(_) => "focus",
            other => other.row().map_or("", |r| r.2),
        }
    }

    /// A line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Focus(_) => "focus a pane by its number",
            other => other.row().map_or("", |r| r.3),
        }
    }

    /// The keys it has unless the config says otherwise.
    pub fn default_keys(self) -> &'static [&'static str] {
        match self {
            Self::Focus(n) => DIGITS
                .get(usize::from(n).wrapping_sub(1))
                .map_or(&[], std::slice::from_ref),
            other => other.row().map_or(&[], |r| r.4),
        }
    }

    /// Whether it only applies while a search is active (and so may share a key).
    pub fn is_search(self) -> bool {
        matches!(self, Self::SearchNext | Self::SearchPrev)
    }
}

impl FromStr for Action {
    type Err = ();

    /// A config name (`run_next`, `focus_3`); `-` may stand for `_`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.replace('-', "_");
        Self::all().find(|a| a.name() == s).ok_or(())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
