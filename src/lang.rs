//! Languages as data. Every sentence authwalk shows lives in `assets/` under a key; code names
//! the key ([`text`], [`tr`]) and a [`Text`] carries the sentence in every known language.
//!
//! English and Chinese are built in (`assets/messages.toml`, `assets/text/*.toml`, each key a
//! table with `en` and `zh`). Any other language is a file `<tag>.toml` in the language folder
//! (`AUTHWALK_LANG_DIR`, else `lang/` in the configuration folder) that maps keys to text; a key
//! it does not translate falls back to English. `{name}` in a text marks a value filled in at
//! run time ([`fill`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

// `BUILTIN_TEXTS`: the built-in texts (`assets/messages.toml`, `assets/text/*.toml`), sorted by
// key, made by `build.rs` at compile time so that no run parses them.
include!(concat!(env!("OUT_DIR"), "/builtin_texts.rs"));

/// Largest language file read (1 MiB).
const FILE_LIMIT: u64 = 1 << 20;

/// A language, by its tag (`en`, `zh`, or the name of a loaded language file).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang(&'static str);

impl Lang {
    pub const EN: Self = Self("en");
    pub const ZH: Self = Self("zh");

    /// Pick the language from a POSIX locale string such as `zh_CN.UTF-8`.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Self::ZH
        } else {
            Self::EN
        }
    }

    /// The tag, e.g. `en`.
    pub fn tag(self) -> &'static str {
        self.0
    }

    /// Every language texts are known in: the built-in two, then the loaded ones.
    pub fn known() -> &'static [Lang] {
        &table().langs
    }

    /// The language with `tag`, known or not (the tag is kept as given, lowercased).
    fn intern(tag: &str) -> Self {
        static TAGS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
        let tag = tag.trim().to_ascii_lowercase();
        match tag.as_str() {
            "en" => return Self::EN,
            "zh" => return Self::ZH,
            _ => {}
        }
        let mut tags = TAGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = tags.iter().find(|t| **t == tag) {
            return Self(known);
        }
        let leaked: &'static str = Box::leak(tag.into_boxed_str());
        tags.push(leaked);
        Self(leaked)
    }
}

impl Default for Lang {
    fn default() -> Self {
        Self::EN
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Self::EN),
            "zh" | "cn" | "zh-cn" | "chinese" | "中文" => Ok(Self::ZH),
            other => Lang::known()
                .iter()
                .find(|l| l.0 == other)
                .copied()
                .ok_or_else(|| {
                    let mut tags: Vec<&str> = Lang::known().iter().map(|l| l.0).collect();
                    tags.dedup();
                    format!("unknown language '{other}': use {}", tags.join(", "))
                }),
        }
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        Ok(Self::intern(&tag))
    }
}

/// A text in every language it is known in. Serialized as a map from language tag to text,
/// `en` and `zh` always present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Text(BTreeMap<Lang, String>);

impl Text {
    /// A text given in English and Chinese.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self(BTreeMap::from([
            (Lang::EN, en.into()),
            (Lang::ZH, zh.into()),
        ]))
    }

    /// The text under `key` in `assets/` (and the loaded languages).
    pub fn key(key: &str) -> Self {
        text(key)
    }

    /// [`Text::key`] with each `{name}` replaced by its value, in every language.
    pub fn fill(key: &str, values: &[(&str, &str)]) -> Self {
        text_fill(key, values)
    }

    /// [`Text::key`] with each `{name}` replaced by its value, in every language.
    pub fn with(key: &str, values: &[(&str, &dyn fmt::Display)]) -> Self {
        text_with(key, values)
    }

    /// Replace `{name}` in every language by `value` in that language.
    #[must_use]
    pub fn fill_text(self, name: &str, value: &Text) -> Self {
        let slot = format!("{{{name}}}");
        self.map(|lang, t| t.replace(&slot, value.get(lang)))
    }

    /// This text in `lang`; English when `lang` has none.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.get(&Lang::EN))
            .map_or("", String::as_str)
    }

    /// This text in `lang`, if it has one.
    pub fn exact(&self, lang: Lang) -> Option<&str> {
        self.0.get(&lang).map(String::as_str)
    }

    /// Set the text in `lang`.
    pub fn set(&mut self, lang: Lang, text: impl Into<String>) {
        self.0.insert(lang, text.into());
    }

    /// Every language's text, to rewrite in place (masking).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut String> {
        self.0.values_mut()
    }

    /// Every language and its text.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &str)> {
        self.0.iter().map(|(l, t)| (*l, t.as_str()))
    }

    /// No language has any text.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(String::is_empty)
    }

    /// Apply `f` to the text in every language.
    #[must_use]
    pub fn map(mut self, mut f: impl FnMut(Lang, &str) -> String) -> Self {
        for (lang, text) in &mut self.0 {
            *text = f(*lang, text);
        }
        self
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("en", self.exact(Lang::EN).unwrap_or(""))?;
        for (lang, text) in &self.0 {
            if *lang != Lang::EN && *lang != Lang::ZH {
                map.serialize_entry(lang.0, text)?;
            }
        }
        map.serialize_entry("zh", self.exact(Lang::ZH).unwrap_or(""))?;
        map.end()
    }
}

/// The text under `key`, in every language; the key itself (in English) when it is missing (a
/// test checks that every key the code names exists).
pub fn text(key: &str) -> Text {
    lookup(key).cloned().unwrap_or_else(|| {
        let mut t = Text::default();
        t.set(Lang::EN, key);
        t
    })
}

/// [`text`] with each `{name}` replaced by its value, in every language.
pub fn text_fill(key: &str, values: &[(&str, &str)]) -> Text {
    text(key).map(|_, t| fill(t, values))
}

/// [`text`] with each `{name}` replaced by its displayed value, in every language.
pub fn text_with(key: &str, values: &[(&str, &dyn fmt::Display)]) -> Text {
    let values: Vec<(&str, String)> = values.iter().map(|(n, v)| (*n, v.to_string())).collect();
    let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    text_fill(key, &values)
}

/// [`tr`] with each `{name}` replaced by its displayed value.
pub fn tr_with(lang: Lang, key: &str, values: &[(&str, &dyn fmt::Display)]) -> String {
    text_with(key, values).get(lang).to_owned()
}

/// The text under `key`, if there is one.
pub fn lookup(key: &str) -> Option<&'static Text> {
    let i = BUILTIN_TEXTS
        .binary_search_by(|(k, _, _)| (*k).cmp(key))
        .ok()?;
    let table = table();
    Some(table.made[i].get_or_init(|| {
        let (_, en, zh) = BUILTIN_TEXTS[i];
        let mut text = Text::new(en, zh);
        for (lang, t) in table.loaded.get(key).into_iter().flatten() {
            text.set(*lang, t.clone());
        }
        text
    }))
}

/// The text under `key` in `lang` (English when `lang` lacks it); the key itself when missing.
pub fn tr(lang: Lang, key: &str) -> &str {
    lookup(key).map_or(key, |t| t.get(lang))
}

/// [`tr`] with each `{name}` replaced by its value.
pub fn tr_fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    fill(tr(lang, key), values)
}

/// The text under `key` in English and in Chinese, joined by `sep`: the headings of the
/// bilingual transcript (`Steps · 步骤`).
pub fn tr_both(key: &str, sep: &str) -> String {
    format!("{}{sep}{}", tr(Lang::EN, key), tr(Lang::ZH, key))
}

/// Replace each `{name}` in `template` by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Where other languages are loaded from: `AUTHWALK_LANG_DIR`, else `lang/` in the
/// configuration folder.
pub fn lang_dir() -> Option<PathBuf> {
    if let Some(dir) = CHOSEN_DIR.get() {
        return Some(dir.clone());
    }
    if let Some(dir) = std::env::var_os("AUTHWALK_LANG_DIR").filter(|d| !d.is_empty()) {
        return Some(dir.into());
    }
    crate::config::config_dir().map(|d| d.join("lang"))
}

static CHOSEN_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Load other languages from `dir` instead of [`lang_dir`]'s folder. Works only before the
/// first text is looked up; returns whether it took effect.
pub fn use_dir(dir: PathBuf) -> bool {
    CHOSEN_DIR.set(dir).is_ok() && TABLE.get().is_none()
}

/// Files in the language folder that could not be used, and why.
pub fn load_problems() -> &'static [String] {
    &table().problems
}

struct Table {
    /// Each built-in key's [`Text`] (index as in `BUILTIN_TEXTS`), made when first looked up.
    made: Vec<OnceLock<Text>>,
    /// What the loaded languages say, by key.
    loaded: BTreeMap<String, Vec<(Lang, String)>>,
    langs: Vec<Lang>,
    problems: Vec<String>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

fn table() -> &'static Table {
    TABLE.get_or_init(|| {
        let mut table = Table {
            made: BUILTIN_TEXTS.iter().map(|_| OnceLock::new()).collect(),
            loaded: BTreeMap::new(),
            langs: vec![Lang::EN, Lang::ZH],
            problems: Vec::new(),
        };
        if let Some(dir) = lang_dir() {
            load_dir(&dir, &mut table);
        }
        table
    })
}

/// Load every `<tag>.toml` in `dir` (a missing folder is no problem).
fn load_dir(dir: &Path, table: &mut Table) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files {
        let Some(tag) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if tag.is_empty()
            || tag.len() > 16
            || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            table
                .problems
                .push(format!("{}: not a language tag", path.display()));
            continue;
        }
        let lang = Lang::intern(tag);
        if lang == Lang::EN || lang == Lang::ZH {
            table
                .problems
                .push(format!("{}: en and zh are built in", path.display()));
            continue;
        }
        let parsed = crate::limits::read_text_file_io(&path, FILE_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|s| toml::from_str::<toml::Table>(&s).map_err(|e| e.to_string()));
        match parsed {
            Ok(doc) => {
                let mut flat = Vec::new();
                flatten("", &doc, &mut flat);
                for (key, value) in flat {
                    table.loaded.entry(key).or_default().push((lang, value));
                }
                table.langs.push(lang);
            }
            Err(e) => table.problems.push(format!("{}: {e}", path.display())),
        }
    }
}

/// `a.b = "x"` and `"a.b" = "x"` both give the key `a.b`.
fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => out.push((key, s.clone())),
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_text_has_english_and_chinese() {
        assert!(BUILTIN_TEXTS.len() > 100);
        for (key, en, _) in BUILTIN_TEXTS {
            assert!(!en.is_empty(), "{key}");
            let text = lookup(key).expect("every built-in key is found");
            assert_eq!(
                text.exact(Lang::ZH),
                Some(BUILTIN_TEXTS.iter().find(|t| t.0 == *key).unwrap().2)
            );
        }
        // Sorted, so a lookup is a binary search.
        assert!(BUILTIN_TEXTS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn a_missing_language_falls_back_to_english() {
        let mut t = Text::new("hello", "你好");
        let xx = Lang::intern("qq");
        assert_eq!(t.get(xx), "hello");
        t.set(xx, "⟦hello⟧");
        assert_eq!(t.get(xx), "⟦hello⟧");
        assert_eq!(t.get(Lang::ZH), "你好");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"en":"hello","qq":"⟦hello⟧","zh":"你好"}"#);
        let back: Text = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn nested_and_quoted_keys_flatten_alike() {
        let doc: toml::Table = toml::from_str("\"a.b\" = \"1\"\n[c]\nd = \"2\"\n").unwrap();
        let mut flat = Vec::new();
        flatten("", &doc, &mut flat);
        flat.sort();
        assert_eq!(
            flat,
            [("a.b".into(), "1".into()), ("c.d".into(), "2".into())]
        );
    }

    #[test]
    fn unknown_tags_are_refused() {
        let err = "qz".parse::<Lang>().unwrap_err();
        assert!(err.contains("unknown language 'qz'"), "{err}");
        assert_eq!("ZH".parse::<Lang>(), Ok(Lang::ZH));
    }
}
