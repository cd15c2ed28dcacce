//! The key map: defaults, remapping from `[keys]`, clear errors, and help text generated from
//! the bindings.

use authwalk::tui::keymap::{Action, Key, KeyMap, KeyMapError};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn table(text: &str) -> toml::Table {
    toml::from_str(text).expect("test TOML parses")
}

#[test]
fn default_bindings() {
    let map = KeyMap::default();
    let cases = [
        (press(KeyCode::Char('j')), Action::Down),
        (press(KeyCode::Down), Action::Down),
        (press(KeyCode::Char('k')), Action::Up),
        (press(KeyCode::Tab), Action::FocusNext),
        (
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            Action::FocusPrev,
        ),
        (press(KeyCode::Char('3')), Action::Focus(3)),
        (press(KeyCode::Enter), Action::RunSelected),
        (press(KeyCode::Char('n')), Action::RunNext),
        (
            KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::SHIFT),
            Action::CopyCurl,
        ),
        (press(KeyCode::Char('y')), Action::Copy),
        (press(KeyCode::Char('?')), Action::Help),
        (press(KeyCode::Char('/')), Action::Search),
        (press(KeyCode::Char('f')), Action::FullscreenQr),
        (press(KeyCode::Esc), Action::Cancel),
        (
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Action::Quit,
        ),
        (press(KeyCode::Char('q')), Action::Quit),
    ];
    for (key, action) in cases {
        assert_eq!(map.resolve(&key, false), Some(action), "{key:?}");
    }
    assert_eq!(map.resolve(&press(KeyCode::Char('z')), false), None);
}

#[test]
fn n_means_next_match_only_while_searching() {
    let map = KeyMap::default();
    let n = press(KeyCode::Char('n'));
    let shift_n = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
    assert_eq!(map.resolve(&n, false), Some(Action::RunNext));
    assert_eq!(map.resolve(&n, true), Some(Action::SearchNext));
    assert_eq!(map.resolve(&shift_n, true), Some(Action::SearchPrev));
    assert_eq!(map.resolve(&shift_n, false), None);
    assert_eq!(
        map.resolve(&press(KeyCode::Char('q')), true),
        Some(Action::Quit)
    );
}

#[test]
fn remapping_replaces_defaults_and_steals_keys() {
    let map = KeyMap::from_table(&table(
        r#"
        quit = ["x", "ctrl-q"]
        run_next = "space"
        help = "f1"
        copy = "n"
        focus-2 = "alt-2"
        "#,
    ))
    .expect("valid [keys]");
    let x = press(KeyCode::Char('x'));
    assert_eq!(map.resolve(&x, false), Some(Action::Quit));
    let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(map.resolve(&ctrl_q, false), Some(Action::Quit));
    assert_eq!(
        map.resolve(&press(KeyCode::Char('q')), false),
        None,
        "q no longer quits"
    );
    assert_eq!(
        map.resolve(&press(KeyCode::Char(' ')), false),
        Some(Action::RunNext)
    );
    assert_eq!(
        map.resolve(&press(KeyCode::F(1)), false),
        Some(Action::Help)
    );
    assert_eq!(
        map.resolve(&press(KeyCode::Char('n')), false),
        Some(Action::Copy)
    );
    assert_eq!(
        map.resolve(&press(KeyCode::Char('n')), true),
        Some(Action::SearchNext)
    );
    let alt2 = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT);
    assert_eq!(map.resolve(&alt2, false), Some(Action::Focus(2)));
    assert_eq!(map.keys(Action::Quit).len(), 2);
}

#[test]
fn errors_name_the_action_and_the_key() {
    let unknown = KeyMap::from_table(&table("jump = \"j\"")).expect_err("unknown action");
    assert!(matches!(unknown, KeyMapError::UnknownAction { .. }));
    let message = unknown.to_string();
    assert!(
        message.contains("\"jump\"") && message.contains("run_next"),
        "{message}"
    );

    let bad = KeyMap::from_table(&table("quit = \"ctrl-qq\"")).expect_err("bad key");
    let message = bad.to_string();
    assert!(
        message.contains("[keys] quit") && message.contains("\"ctrl-qq\""),
        "{message}"
    );
    assert!(
        message.contains("shift-"),
        "says how to write keys: {message}"
    );

    let number = KeyMap::from_table(&table("quit = 3")).expect_err("not a string");
    assert!(number.to_string().contains("[keys] quit"), "{number}");

    let twice = KeyMap::from_table(&table("quit = \"x\"\nhelp = \"x\"")).expect_err("duplicate");
    let message = twice.to_string();
    assert!(message.contains("x is bound to both"), "{message}");
}

#[test]
fn load_reads_the_keys_table_of_the_config_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config.toml");
    assert_eq!(
        KeyMap::load(&path).expect("missing file is fine"),
        KeyMap::default()
    );
    std::fs::write(&path, "[profiles]\n\n[keys]\nquit = \"x\"\n").expect("write");
    let map = KeyMap::load(&path).expect("loads");
    assert_eq!(
        map.keys(Action::Quit),
        &["x".parse::<Key>().expect("parses")]
    );
    std::fs::write(&path, "[keys\n").expect("write");
    let error = KeyMap::load(&path).expect_err("bad TOML").to_string();
    assert!(error.contains("config.toml"), "{error}");
}

#[test]
fn help_and_bar_come_from_the_bindings() {
    let map = KeyMap::from_table(&table("search = \"ctrl-f\"")).expect("valid");
    let rows = map.help_rows();
    assert!(
        rows.contains(&("^F".to_owned(), "search the text")),
        "{rows:?}"
    );
    assert!(rows.contains(&("1…9".to_owned(), "focus a pane by its number")));
    assert!(rows.contains(&("q/^C".to_owned(), "quit")));
    assert_eq!(
        rows.iter()
            .filter(|(_, d)| d.contains("focus a pane by"))
            .count(),
        1
    );
    let bar = map.bar(&[Action::Search, Action::Quit]);
    assert_eq!(bar, [("^F".to_owned(), "search"), ("q".to_owned(), "quit")]);
    // Every action with a default key appears in the help.
    for action in Action::all() {
        if matches!(action, Action::Focus(_)) {
            continue;
        }
        assert!(
            rows.iter().any(|(_, d)| *d == action.describe()),
            "{action} missing"
        );
    }
    // The printed map parses back to itself.
    let printed = map.to_string();
    let reparsed: toml::Table = toml::from_str(&printed).expect("printed map is TOML");
    let keys = reparsed["keys"].as_table().expect("a [keys] table");
    assert_eq!(KeyMap::from_table(keys).expect("reparses"), map);
}

/// The config file and its `[keys]` table are bounded: an endless or huge file is refused
/// unread past 1 MiB, and an action takes a few keys, not thousands (each key is checked
/// against every other, so a long list cost its square).
#[test]
fn an_endless_config_or_a_long_key_list_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config.toml");
    let mut big = String::from("[keys]\nquit = \"x\"\n");
    while big.len() <= 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&path, &big).expect("write");
    let error = KeyMap::load(&path).expect_err("too large").to_string();
    assert!(
        error.contains("config.toml") && error.contains("larger than 1 MiB"),
        "{error}"
    );
    #[cfg(unix)]
    {
        let endless = dir.path().join("endless.toml");
        std::os::unix::fs::symlink("/dev/zero", &endless).expect("symlink");
        // Refused before it is opened: a device is no file, whatever its size.
        let error = KeyMap::load(&endless).expect_err("endless").to_string();
        assert!(error.contains("not a regular file"), "{error}");
    }
    let keys: Vec<String> = (0..2000)
        .map(|i| format!("\"ctrl-f{}\"", i % 12 + 1))
        .collect();
    let error = KeyMap::from_table(&table(&format!("quit = [{}]", keys.join(","))))
        .expect_err("too many keys")
        .to_string();
    assert!(
        error.contains("quit") && error.contains("2000 keys") && error.contains("at most 8"),
        "{error}"
    );
    assert!(KeyMap::from_table(&table(r#"quit = ["q", "x", "ctrl-c", "ctrl-q"]"#)).is_ok());
}
