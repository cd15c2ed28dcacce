//! One key with its modifiers, as written in the config (`ctrl-c`, `shift-tab`, `f1`, `Y`).

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key press, normalised so that what the config says matches what terminals send: a
/// character carries its case (`Y`, not `shift-y`), a control letter is lower case (`ctrl-c`
/// whatever Shift did) and Shift-Tab is `BackTab` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift only for keys that have no shifted character, like `shift-up`).
    pub modifiers: KeyModifiers,
}

/// Why a key name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown key {name:?}: write a character (q, Y, /), a name (enter, esc, tab, space, \
     backspace, delete, insert, home, end, pageup, pagedown, up, down, left, right, f1-f12), \
     optionally after ctrl-, alt- or shift-"
)]
pub struct KeyError {
    /// What the config said.
    pub name: String,
}

impl Key {
    /// A key from its code and modifiers, normalised.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // Terminals cannot tell Ctrl-c from Ctrl-C: a control letter is lower case.
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_uppercase())
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    /// The key of a terminal key event.
    pub fn from_event(event: &KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }

    /// A short label for the key bar and help: `Enter`, `S-Tab`, `^C`, `↑`, `PgDn`, `q`.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "S-Tab".to_owned(),
            KeyCode::Backspace => "Bksp".to_owned(),
            KeyCode::Delete => "Del".to_owned(),
            KeyCode::Insert => "Ins".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut label = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            label.push('^');
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            label.push_str("M-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            label.push_str("S-");
        }
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            name.to_uppercase().chars().for_each(|c| label.push(c));
        } else {
            label.push_str(&name);
        }
        label
    }
}

const NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
];

impl FromStr for Key {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, KeyError> {
        let error = || KeyError { name: s.to_owned() };
        let mut rest = s.trim();
        let mut modifiers = KeyModifiers::NONE;
        'prefixes: loop {
            for (prefix, m) in [
                ("ctrl", KeyModifiers::CONTROL),
                ("control", KeyModifiers::CONTROL),
                ("c", KeyModifiers::CONTROL),
                ("alt", KeyModifiers::ALT),
                ("a", KeyModifiers::ALT),
                ("shift", KeyModifiers::SHIFT),
                ("s", KeyModifiers::SHIFT),
            ] {
                let head = rest.get(..prefix.len() + 1);
                if rest.len() > prefix.len() + 1
                    && head.is_some_and(|h| {
                        h[..prefix.len()].eq_ignore_ascii_case(prefix)
                            && matches!(h.as_bytes()[prefix.len()], b'-' | b'+')
                    })
                {
                    modifiers |= m;
                    rest = &rest[prefix.len() + 1..];
                    continue 'prefixes;
                }
            }
            break;
        }
        let mut chars = rest.chars();
        let code = if let (Some(c), None) = (chars.next(), chars.next()) {
            KeyCode::Char(c)
        } else {
            let lower = rest.to_ascii_lowercase();
            if let Some((_, code)) = NAMES.iter().find(|(n, _)| *n == lower) {
                *code
            } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
                && (1..=12).contains(&n)
            {
                KeyCode::F(n)
            } else {
                return Err(error());
            }
        };
        Ok(Self::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    /// The config spelling: `ctrl-c`, `shift-tab`, `f1`, `Y`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMES.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in [
            "q",
            "Y",
            "/",
            "ctrl-c",
            "shift-tab",
            "f1",
            "f12",
            "enter",
            "space",
            "alt-x",
        ] {
            let key: Key = name.parse().expect(name);
            assert_eq!(key.to_string(), name);
        }
        let tab: Key = "shift-tab".parse().expect("parses");
        assert_eq!(tab, Key::new(KeyCode::BackTab, KeyModifiers::SHIFT));
        let y: Key = "shift-y".parse().expect("parses");
        assert_eq!(y, Key::new(KeyCode::Char('Y'), KeyModifiers::SHIFT));
        assert_eq!("Ctrl+C".parse::<Key>(), "ctrl-c".parse::<Key>());
        assert_eq!("-".parse::<Key>().map(|k| k.code), Ok(KeyCode::Char('-')));
        assert!("f13".parse::<Key>().is_err());
        assert!("ctrl-".parse::<Key>().is_err());
        assert!("hyper-x".parse::<Key>().is_err());
    }

    #[test]
    fn labels_are_short() {
        let label = |s: &str| s.parse::<Key>().expect(s).label();
        assert_eq!(label("ctrl-c"), "^C");
        assert_eq!(label("shift-tab"), "S-Tab");
        assert_eq!(label("pagedown"), "PgDn");
        assert_eq!(label("up"), "↑");
    }
}
