//! Every key the code names exists in `assets/` with both an English and a Chinese text: a
//! misspelt key would otherwise show itself (the key) to the user instead of a sentence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// The built-in texts, as `lang::table` reads them.
const ASSETS: [&str; 4] = [
    "assets/messages.toml",
    "assets/text/engine.toml",
    "assets/text/cli.toml",
    "assets/text/code.toml",
];

/// The lookup functions of `src/lang.rs` that take the key first, and those that take a
/// language first.
const KEY_FIRST: [&str; 5] = ["text", "text_fill", "text_with", "lookup", "tr_both"];
const LANG_FIRST: [&str; 3] = ["tr", "tr_fill", "tr_with"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each built-in key and the languages it has a non-empty text in.
fn defined() -> BTreeMap<String, BTreeSet<String>> {
    let mut keys = BTreeMap::new();
    for file in ASSETS {
        let source = std::fs::read_to_string(root().join(file)).expect(file);
        let doc: toml::Table = toml::from_str(&source).expect(file);
        for (key, value) in doc {
            let langs = value
                .as_table()
                .map(|t| {
                    t.iter()
                        .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
                        .map(|(l, _)| l.clone())
                        .collect()
                })
                .unwrap_or_default();
            keys.insert(key, langs);
        }
    }
    keys
}

/// The functions of `src/lang.rs` that `source` imports by name, so calls to them may be bare.
fn imported(source: &str) -> BTreeSet<String> {
    let uses = Regex::new(r"use crate::(?:lang|finding)::(?:\{([^}]*)\}|(\w+));").expect("pattern");
    let mut names = BTreeSet::new();
    for c in uses.captures_iter(source) {
        let list = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        names.extend(list.split(',').map(|n| n.trim().to_owned()));
    }
    names
}

/// Every key named by a string literal in a call to the lookup API, with where it is named.
fn named_keys(source: &str) -> Vec<(String, usize)> {
    let imported = imported(source);
    let name = r"(?:\b(?:crate::)?lang::|\bText::|\b)(\w+)";
    let arg = r#"\s*"([^"\\]*)""#;
    let lang_arg = r"\s*[\w:.]+(?:\(\))?\s*,";
    let key_first = Regex::new(&format!(r"{name}\({arg}")).expect("pattern");
    let lang_first = Regex::new(&format!(r"{name}\({lang_arg}{arg}")).expect("pattern");
    let mut out = Vec::new();
    for (re, fns) in [(&key_first, &KEY_FIRST[..]), (&lang_first, &LANG_FIRST[..])] {
        for c in re.captures_iter(source) {
            let whole = c.get(0).expect("a match");
            let f = &c[1];
            let qualified =
                whole.as_str().starts_with("lang::") || whole.as_str().starts_with("crate::lang::");
            let text_method = whole.as_str().starts_with("Text::");
            let counts = if text_method {
                ["key", "with", "fill"].contains(&f)
            } else {
                fns.contains(&f) && (qualified || imported.contains(f))
            };
            // `x.text("…")` or `Foo::text("…")` is another function of that name.
            let before = &source[..whole.start()];
            let method = before.ends_with('.') || (before.ends_with("::") && !qualified);
            if counts && !method {
                let line = before.matches('\n').count() + 1;
                out.push((c[2].to_owned(), line));
            }
        }
    }
    out
}

#[test]
fn every_key_the_code_names_exists_in_english_and_chinese() {
    let defined = defined();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut named = 0;
    let mut problems = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read");
        let shown = file.strip_prefix(root()).unwrap_or(file).display();
        for (key, line) in named_keys(&source) {
            named += 1;
            match defined.get(&key) {
                None => problems.push(format!("{shown}:{line}: no text under '{key}'")),
                Some(langs) => {
                    for lang in ["en", "zh"] {
                        if !langs.contains(lang) {
                            problems.push(format!("{shown}:{line}: '{key}' has no {lang} text"));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The scan itself works: the code names hundreds of keys.
    assert!(named > 300, "only {named} keys found: the scan is broken");
}

#[test]
fn the_scan_finds_every_form_of_call_and_a_misspelt_key() {
    let source = r#"
use crate::lang::{Lang, tr, tr_with};
fn f(lang: Lang) {
    Text::key("flow.state-missing");
    Text::with(
        "flow.state-mismatch", &[]);
    Text::fill("triage.no-timestamp", &[]);
    crate::lang::text("catalog.likely-causes");
    tr(Lang::ZH, "transcript.md.notes");
    tr_with(self.lang(), "flow.redirect-to", &[]);
    crate::lang::tr_both("transcript.md.steps", " · ");
    Text::key("transcript.md.stpes");
    text("user_type");
    row.text("user_type");
}
"#;
    let keys: Vec<String> = named_keys(source).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "flow.state-missing",
            "flow.state-mismatch",
            "triage.no-timestamp",
            "catalog.likely-causes",
            "transcript.md.steps",
            "transcript.md.stpes",
            "transcript.md.notes",
            "flow.redirect-to",
        ]
    );
    let defined = defined();
    let missing: Vec<&String> = keys.iter().filter(|k| !defined.contains_key(*k)).collect();
    assert_eq!(missing, ["transcript.md.stpes"]);
}
