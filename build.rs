//! Turns the built-in texts (`assets/messages.toml`, `assets/text/*.toml`: each key a table
//! with `en` and `zh`) into a sorted table compiled into the binary, so no run parses them: a
//! lookup is a binary search. A key without both languages fails the build, naming it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const SOURCES: [&str; 4] = [
    "assets/messages.toml",
    "assets/text/engine.toml",
    "assets/text/cli.toml",
    "assets/text/code.toml",
];

fn main() {
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new();
    for source in SOURCES {
        println!("cargo:rerun-if-changed={source}");
        let text =
            std::fs::read_to_string(source).unwrap_or_else(|e| panic!("cannot read {source}: {e}"));
        let doc: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{source} is not valid TOML: {e}"));
        for (key, value) in doc {
            let lang = |tag: &str| {
                value.get(tag).and_then(toml::Value::as_str).map_or_else(
                    || panic!("{source}: key {key:?} has no {tag} text"),
                    str::to_owned,
                )
            };
            let (en, zh) = (lang("en"), lang("zh"));
            let twice = texts.insert(key.clone(), (en, zh)).is_some();
            assert!(!twice, "{source}: key {key:?} is defined twice");
        }
    }
    let mut out = String::from(
        "/// The built-in texts, sorted by key: (key, English, Chinese).\n\
         pub(crate) static BUILTIN_TEXTS: &[(&str, &str, &str)] = &[\n",
    );
    for (key, (en, zh)) in &texts {
        let _ = writeln!(out, "    ({key:?}, {en:?}, {zh:?}),");
    }
    out.push_str("];\n");
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&dir).join("builtin_texts.rs"), out)
        .expect("cannot write the generated text table");
}
