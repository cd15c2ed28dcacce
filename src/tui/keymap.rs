//! Keys → [`Action`]s, with defaults, remapping from the config file's `[keys]` table, and the
//! text of the help overlay and key bar generated from the same map (never written by hand).
//!
//! ```toml
//! [keys]
//! quit = ["q", "ctrl-c"]
//! run_next = "space"
//! focus_1 = "f1"
//! ```
//!
//! A remapped action loses its default keys, and a key the user binds is taken away from any
//! other action's defaults. Search-next and search-prev share `n`/`N` with other actions: they
//! win only while a search is active ([`KeyMap::resolve`]'s `searching`).

use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::crossterm::event::KeyEvent;

use crate::finding::Lang;
use crate::present::{lookup, tr};

mod action;
mod key;

pub use action::Action;
pub use key::{Key, KeyError};

/// The bindings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    /// Every action with its keys, in [`Action::all`] order (which orders the help too).
    bindings: Vec<(Action, Vec<Key>)>,
    /// The language of the key bar and the help (from `assets/messages.toml`).
    lang: Lang,
}

impl Default for KeyMap {
    fn default() -> Self {
        let bindings = Action::all()
            .map(|action| {
                let keys = action
                    .default_keys()
                    .iter()
                    .map(|k| k.parse().expect("default key names parse (tested)"))
                    .collect();
                (action, keys)
            })
            .collect();
        Self {
            bindings,
            lang: Lang::EN,
        }
    }
}

/// The most keys one action may have in the `[keys]` table: two or three is usual.
pub const MAX_KEYS_PER_ACTION: usize = 8;

/// A bad `[keys]` table or config file.
#[derive(Debug, thiserror::Error)]
pub enum KeyMapError {
    /// The key of an entry is not an action.
    #[error("[keys]: unknown action {name:?}; the actions are: {}", Action::names().join(", "))]
    UnknownAction {
        /// What the file said.
        name: String,
    },
    /// A key name could not be read.
    #[error("[keys] {action}: {source}")]
    BadKey {
        /// The action it was for.
        action: Action,
        /// What is wrong with it.
        source: KeyError,
    },
    /// The value is neither a string nor a list of strings.
    #[error("[keys] {action}: write a key name (\"q\") or a list of them ([\"q\", \"ctrl-c\"])")]
    NotAKey {
        /// The action it was for.
        action: Action,
    },
    /// An action lists more keys than [`MAX_KEYS_PER_ACTION`].
    #[error("[keys] {action}: {count} keys; give an action at most {max}", max = MAX_KEYS_PER_ACTION)]
    TooManyKeys {
        /// The action.
        action: Action,
        /// How many keys the file gave it.
        count: usize,
    },
    /// Two entries claim the same key.
    #[error("[keys]: {key} is bound to both {first} and {second}; give one of them another key")]
    Duplicate {
        /// The key.
        key: Key,
        /// One action.
        first: Action,
        /// The other.
        second: Action,
    },
    /// The config file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The config file is not TOML.
    #[error("{} is not valid TOML: {source}", path.display())]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The parser's message.
        source: Box<toml::de::Error>,
    },
}

impl KeyMap {
    /// The defaults with the `[keys]` table of `config.toml` applied; the defaults alone when
    /// the file or the table is absent.
    pub fn load(config_file: &Path) -> Result<Self, KeyMapError> {
        let text = match crate::limits::read_text_file_io(config_file, crate::limits::MAX_KEY_FILE)
        {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                let path = config_file.to_owned();
                return Err(KeyMapError::Read { path, source });
            }
        };
        let table: toml::Table = toml::from_str(&text).map_err(|source| KeyMapError::Parse {
            path: config_file.to_owned(),
            source: Box::new(source),
        })?;
        match table.get("keys") {
            Some(toml::Value::Table(keys)) => Self::from_table(keys),
            Some(_) => Err(KeyMapError::NotAKey {
                action: Action::Quit,
            }),
            None => Ok(Self::default()),
        }
    }

    /// The defaults with a `[keys]` table applied.
    pub fn from_table(table: &toml::Table) -> Result<Self, KeyMapError> {
        let mut user: Vec<(Action, Vec<Key>)> = Vec::new();
        for (name, value) in table {
            let action: Action = name
                .parse()
                .map_err(|()| KeyMapError::UnknownAction { name: name.clone() })?;
            let names: Vec<&str> = match value {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().ok_or(KeyMapError::NotAKey { action }))
                    .collect::<Result<_, _>>()?,
                _ => return Err(KeyMapError::NotAKey { action }),
            };
            // A few keys each: the checks below compare every key with every other.
            if names.len() > MAX_KEYS_PER_ACTION {
                return Err(KeyMapError::TooManyKeys {
                    action,
                    count: names.len(),
                });
            }
            let keys = names
                .into_iter()
                .map(|n| {
                    n.parse()
                        .map_err(|source| KeyMapError::BadKey { action, source })
                })
                .collect::<Result<Vec<Key>, _>>()?;
            for key in &keys {
                if let Some((first, _)) = user
                    .iter()
                    .find(|(a, ks)| ks.contains(key) && a.is_search() == action.is_search())
                {
                    return Err(KeyMapError::Duplicate {
                        key: *key,
                        first: *first,
                        second: action,
                    });
                }
            }
            user.push((action, keys));
        }
        let mut map = Self::default();
        for (action, keys) in &mut map.bindings {
            if let Some((_, mine)) = user.iter().find(|(a, _)| a == action) {
                keys.clone_from(mine);
            } else {
                keys.retain(|k| {
                    !user
                        .iter()
                        .any(|(a, ks)| ks.contains(k) && a.is_search() == action.is_search())
                });
            }
        }
        Ok(map)
    }

    /// The same map, speaking `lang` in the key bar and the help.
    #[must_use]
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The language of the key bar and the help.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// An action's words under `prefix` (`tui.action` for the bar, `tui.action-help` for the
    /// help) in this map's language, or the built-in English ones.
    fn words(&self, action: Action, prefix: &str) -> &'static str {
        let english = if prefix == "tui.action" {
            action.label()
        } else {
            action.describe()
        };
        lookup(&format!("{prefix}.{}", action.name())).map_or(english, |t| t.get(self.lang))
    }

    /// The action for a key press. While `searching` (a search has matches in the focused
    /// view), search-next/prev win over other actions bound to the same key.
    pub fn resolve(&self, key: &KeyEvent, searching: bool) -> Option<Action> {
        let pressed = Key::from_event(key);
        let mut found = self
            .bindings
            .iter()
            .filter(|(_, keys)| keys.contains(&pressed))
            .map(|(action, _)| *action);
        if searching {
            let all: Vec<Action> = found.collect();
            all.iter()
                .copied()
                .find(|a| a.is_search())
                .or(all.first().copied())
        } else {
            found.find(|a| !a.is_search())
        }
    }

    /// The keys bound to `action`, in the order written.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// How to press `action`, for prose ("press f to …"): its first key's label.
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| format!("<{action}>"), Key::label)
    }

    /// The help overlay's rows: every bound action's keys (joined with `/`) and what it does.
    /// The nine focus actions share one row (`1…9`).
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        let mut rows = Vec::new();
        for (action, keys) in &self.bindings {
            if keys.is_empty() {
                continue;
            }
            match action {
                Action::Focus(1) => {
                    let last = self.keys(Action::Focus(9)).first().map(Key::label);
                    let first = keys[0].label();
                    let keys = last.map_or(first.clone(), |last| format!("{first}…{last}"));
                    rows.push((keys, tr(self.lang, "tui.action-help.focus")));
                }
                Action::Focus(_) => {}
                _ => rows.push((join(keys), self.words(*action, "tui.action-help"))),
            }
        }
        rows
    }

    /// The key bar for `actions` (the focused pane's commands): (first key, short label) for
    /// each action that has a key.
    pub fn bar(&self, actions: &[Action]) -> Vec<(String, &'static str)> {
        actions
            .iter()
            .filter_map(|a| {
                self.keys(*a)
                    .first()
                    .map(|k| (k.label(), self.words(*a, "tui.action")))
            })
            .collect()
    }
}

fn join(keys: &[Key]) -> String {
    keys.iter().map(Key::label).collect::<Vec<_>>().join("/")
}

impl fmt::Display for KeyMap {
    /// The map as a `[keys]` table, e.g. for a sample config.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "[keys]")?;
        for (action, keys) in &self.bindings {
            let keys: Vec<String> = keys
                .iter()
                .map(|k| format!("{:?}", k.to_string()))
                .collect();
            writeln!(f, "{action} = [{}]", keys.join(", "))?;
        }
        Ok(())
    }
}
