//! Every word the inspector shows comes from `assets/messages.toml` in both languages: each
//! `"tui.…"` key named in `src/tui/` exists with en and zh text, and so do the key map's words
//! for every action.

use std::path::Path;

use authwalk::lang::Lang;
use authwalk::present::lookup;
use authwalk::tui::keymap::Action;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/tui is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_tui_key_in_the_source_has_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("tui.rs")];
    rust_files(&root.join("tui"), &mut files);
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source is UTF-8");
        for (i, _) in text.match_indices("\"tui.") {
            let key: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            // The key map's prefixes, completed with an action's name at run time: checked below.
            if key.ends_with('.') || key == "tui.action" || key == "tui.action-help" {
                continue;
            }
            seen += 1;
            let text =
                lookup(&key).unwrap_or_else(|| panic!("{key} ({}) is missing", file.display()));
            assert!(
                !text.get(Lang::EN).is_empty() && !text.get(Lang::ZH).is_empty(),
                "{key}"
            );
        }
    }
    assert!(seen > 30, "only {seen} keys found: is the scan broken?");
}

#[test]
fn every_action_has_a_label_and_a_help_line_in_both_languages() {
    for action in Action::all() {
        if matches!(action, Action::Focus(_)) {
            continue;
        }
        for prefix in ["tui.action", "tui.action-help"] {
            let key = format!("{prefix}.{}", action.name());
            let text = lookup(&key).unwrap_or_else(|| panic!("{key} is missing"));
            assert!(
                !text.get(Lang::EN).is_empty() && !text.get(Lang::ZH).is_empty(),
                "{key}"
            );
        }
    }
}
