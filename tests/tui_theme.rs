//! Themes: every built-in parses, keeps ok and error apart (for colour-blind eyes too), the
//! default palette is the dark file, user themes load, and a bad one is named with its key.

use authwalk::tui::theme::{BUILTIN, Palette, Styles, Theme, ThemeError, ThemeSet, approx_rgb};
use ratatui::style::{Color, Modifier};

fn srgb_to_linear(v: u8) -> f64 {
    let v = f64::from(v) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear(c: Color) -> [f64; 3] {
    let (r, g, b) = approx_rgb(c).expect("ok and error are real colours, not reset");
    [srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b)]
}

/// Machado et al. (2009) dichromacy simulation matrices, severity 1.
const PROTAN: [[f64; 3]; 3] = [
    [0.152_286, 1.052_583, -0.204_868],
    [0.114_503, 0.786_281, 0.099_216],
    [-0.003_882, -0.048_116, 1.051_998],
];
const DEUTAN: [[f64; 3]; 3] = [
    [0.367_322, 0.860_646, -0.227_968],
    [0.280_085, 0.672_501, 0.047_413],
    [-0.011_820, 0.042_940, 0.968_881],
];
const NORMAL: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn seen(m: &[[f64; 3]; 3], c: [f64; 3]) -> [f64; 3] {
    m.map(|row| (row[0] * c[0] + row[1] * c[1] + row[2] * c[2]).clamp(0.0, 1.0))
}

fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn builtins() -> Vec<Theme> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            Theme::parse(name, text, std::path::Path::new(name)).expect("built-in theme parses")
        })
        .collect()
}

#[test]
fn every_builtin_parses_and_keeps_ok_and_error_apart() {
    let themes = builtins();
    assert_eq!(themes.len(), 4);
    for theme in &themes {
        let palette = theme.palette.as_ref().expect("built-ins have a palette");
        let (ok, error) = (linear(palette.ok.0), linear(palette.error.0));
        let d = distance(seen(&NORMAL, ok), seen(&NORMAL, error));
        assert!(d > 0.3, "{}: ok and error too close ({d:.2})", theme.name);
        assert_ne!(theme.styles.ok, theme.styles.error, "{}", theme.name);
    }
    let colorblind = themes
        .iter()
        .find(|t| t.name == "colorblind")
        .expect("exists");
    let palette = colorblind.palette.as_ref().expect("has a palette");
    for (name, m) in [("protanopia", PROTAN), ("deuteranopia", DEUTAN)] {
        let d = distance(
            seen(&m, linear(palette.ok.0)),
            seen(&m, linear(palette.error.0)),
        );
        assert!(
            d > 0.3,
            "colorblind theme under {name}: ok and error {d:.2} apart"
        );
    }
    // The default dark theme's green/red pair is exactly what the colour-blind one avoids.
    let dark = themes.iter().find(|t| t.name == "dark").expect("exists");
    let dark = dark.palette.as_ref().expect("has a palette");
    let d = distance(
        seen(&DEUTAN, linear(dark.ok.0)),
        seen(&DEUTAN, linear(dark.error.0)),
    );
    let cb = distance(
        seen(&DEUTAN, linear(palette.ok.0)),
        seen(&DEUTAN, linear(palette.error.0)),
    );
    assert!(
        cb > d,
        "the colour-blind theme separates better under deuteranopia"
    );
}

#[test]
fn default_palette_is_the_dark_file() {
    let dark = Theme::builtin("dark").expect("dark exists");
    assert_eq!(dark.palette, Some(Palette::default()));
    // A partial user theme takes the rest from dark.
    let partial = Theme::parse("mine", "ok = \"#00ff00\"", "mine.toml".as_ref()).expect("parses");
    let palette = partial.palette.expect("palette");
    assert_eq!(palette.ok.0, Color::Rgb(0, 255, 0));
    assert_eq!(palette.error, Palette::default().error);
}

#[test]
fn monochrome_uses_modifiers_only() {
    let styles = Styles::monochrome();
    let all = [
        styles.base,
        styles.dim,
        styles.accent,
        styles.title,
        styles.border,
        styles.border_focused,
        styles.ok,
        styles.error,
        styles.warning,
        styles.info,
        styles.selection,
        styles.secret,
        styles.qr,
        styles.key,
        styles.search_match,
        styles.search_current,
    ];
    for style in all {
        assert_eq!(style.fg, None);
        assert_eq!(style.bg, None);
        assert!((Modifier::BOLD | Modifier::REVERSED | Modifier::DIM).contains(style.add_modifier));
    }
    assert_ne!(styles.ok, styles.error);
    assert_eq!(ThemeSet::monochrome().themes().len(), 1);
}

#[test]
fn user_themes_load_override_and_cycle() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("solar.toml"), "accent = \"#b58900\"\n").expect("write");
    std::fs::write(dir.path().join("dark.toml"), "ok = \"lightgreen\"\n").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a theme").expect("write");
    let (mut set, errors) = ThemeSet::with_user_themes(dir.path());
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = set.themes().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["dark", "light", "high-contrast", "colorblind", "solar"]
    );
    assert_eq!(
        set.current().palette.as_ref().map(|p| p.ok.0),
        Some(Color::LightGreen)
    );
    for expected in ["light", "high-contrast", "colorblind", "solar", "dark"] {
        assert_eq!(set.cycle().name, expected);
    }
    assert!(set.select("solar"));
    assert!(!set.select("nope"));
    assert_eq!(set.current().name, "solar");
    // No folder at all is fine.
    let (set, errors) = ThemeSet::with_user_themes(&dir.path().join("missing"));
    assert!(errors.is_empty());
    assert_eq!(set.themes().len(), 4);
}

#[test]
fn a_bad_user_theme_is_named_with_file_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("typo.toml"), "okk = \"green\"\n").expect("write");
    std::fs::write(dir.path().join("colour.toml"), "error = \"redish\"\n").expect("write");
    let (set, errors) = ThemeSet::with_user_themes(dir.path());
    assert_eq!(set.themes().len(), 4, "bad themes are skipped");
    assert_eq!(errors.len(), 2);
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let colour = &messages[0];
    assert!(colour.contains("colour.toml"), "{colour}");
    assert!(
        colour.contains("error = \"redish\""),
        "names the key: {colour}"
    );
    assert!(colour.contains("invalid colour \"redish\""), "{colour}");
    let typo = &messages[1];
    assert!(typo.contains("typo.toml"), "{typo}");
    assert!(typo.contains("unknown field `okk`"), "{typo}");
    assert!(matches!(errors[0], ThemeError::Parse { .. }));
}

/// A theme file is read bounded: a huge one is an error naming it, not a read without end.
#[test]
fn a_huge_user_theme_is_refused_unread() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut big = String::from("ok = \"green\"\n");
    while big.len() <= 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(dir.path().join("huge.toml"), big).expect("write");
    let (set, errors) = ThemeSet::with_user_themes(dir.path());
    assert_eq!(set.themes().len(), 4, "the huge theme is skipped");
    let message = errors.first().map(ToString::to_string).unwrap_or_default();
    assert!(
        message.contains("huge.toml") && message.contains("larger than 1 MiB"),
        "{message}"
    );
    assert!(matches!(errors[0], ThemeError::Read { .. }));
}
