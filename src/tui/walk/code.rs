//! The code popup (`C`): the focused step's call in an SDK, with the SDK's trap notes; left and
//! right pick the SDK, `y` or Enter copies the code (OSC 52). The choice is remembered per
//! provider in `config.toml` (`[code]`). The text comes from `present::code`.

use super::{Popup, Report, Screen, WalkApp, WalkScreen};
use crate::present::code::{self, Facts, Sdk, Snippet};
use crate::present::tr_fill;
use crate::tui::keymap::Action;
use crate::tui::runtime::Command;

/// The snippet of the focused step of `w` in `sdk`.
pub(super) fn snippet(w: &WalkScreen, sdk: Sdk) -> Result<Snippet, code::CodeError> {
    code::snippet(&Facts::of(&w.walk), w.step(), sdk)
}

/// The SDK next to `sdk` among those of its provider.
fn cycle(sdk: Sdk, forward: bool) -> Sdk {
    let all: Vec<Sdk> = Sdk::ALL
        .into_iter()
        .filter(|s| s.provider() == sdk.provider())
        .collect();
    let i = all.iter().position(|s| *s == sdk).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }]
}

impl WalkApp {
    /// Open the popup on the remembered SDK of the walk's provider (else its first).
    pub(super) fn open_code(&mut self) -> Vec<Command<Report>> {
        let Screen::Walk(w) = &self.screen else {
            return Vec::new();
        };
        let provider = w.walk.flow.provider();
        let remembered = self.code_sdk.iter().find(|s| s.provider() == provider);
        let sdk = remembered
            .copied()
            .or_else(|| Sdk::for_flow(w.walk.flow).first().copied());
        match sdk {
            Some(sdk) => {
                self.popups.push(Popup::Code(sdk));
                vec![Command::Redraw]
            }
            None => Vec::new(),
        }
    }

    /// A key on the open popup; `None` when the popup does not take it.
    pub(super) fn code_key(&mut self, action: Action) -> Option<Vec<Command<Report>>> {
        let Some(Popup::Code(sdk)) = self.popups.top_mut() else {
            return None;
        };
        let lang = self.opts.lang;
        match action {
            Action::Left | Action::Up | Action::PrevTab => *sdk = cycle(*sdk, false),
            Action::Right | Action::Down | Action::NextTab => *sdk = cycle(*sdk, true),
            Action::Copy | Action::RunSelected => {
                let sdk = *sdk;
                let Screen::Walk(w) = &self.screen else {
                    return None;
                };
                let text = snippet(w, sdk).map(|s| s.code.trim().to_owned());
                self.remember_sdk(sdk);
                return Some(match text {
                    Ok(text) => {
                        self.status = Some(tr_fill(lang, "tui.copied", &[("what", sdk.id())]));
                        self.popups.pop();
                        vec![Command::Copy(text), Command::Redraw]
                    }
                    Err(e) => {
                        self.popups.push(Popup::Error(e.to_string()));
                        vec![Command::Redraw]
                    }
                });
            }
            _ => return None,
        }
        Some(vec![Command::Redraw])
    }

    /// Keep `sdk` as the choice for its provider, in memory and in `config.toml`.
    fn remember_sdk(&mut self, sdk: Sdk) {
        self.code_sdk.retain(|s| s.provider() != sdk.provider());
        self.code_sdk.push(sdk);
        if let Some(path) = &self.code_config
            && let Err(e) = super::code_choice::remember(path, sdk)
        {
            self.status = Some(format!("{}: {e}", path.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_and_right_stay_within_the_provider() {
        assert_eq!(cycle(Sdk::Gopay, true), Sdk::AlipayJava);
        assert_eq!(cycle(Sdk::AlipayJava, false), Sdk::Gopay);
        assert_eq!(cycle(Sdk::Wechatpy, false), Sdk::Silenceper);
        assert_eq!(cycle(Sdk::Wechatpy, true), Sdk::Wxjava);
    }
}
