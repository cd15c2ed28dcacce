//! Themes: a small semantic palette per TOML file, and the [`Styles`] derived from it once.
//!
//! The built-in themes live in the repository's `themes/` folder and are embedded in the
//! binary; a user adds or overrides one with `<config dir>/themes/NAME.toml`. A palette names
//! roles (ok, error, focus border…), never widgets, so a pane asks for `styles.error` and every
//! theme, including the monochrome one for `NO_COLOR`, answers.

use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in themes, in cycling order: (name, TOML).
pub const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The name of the theme `NO_COLOR` selects.
pub const MONOCHROME: &str = "monochrome";

/// A colour as a theme file writes it: a name (`red`, `lightblue`, `darkgray`), `reset` (the
/// terminal's default), an index 0-255, or `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub Color);

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<Color>().map(Colour).map_err(|_| {
            serde::de::Error::custom(format!(
                "invalid colour {text:?}: use a name (red, lightblue, darkgray…), \"reset\", an \
                 index 0-255 or #rrggbb"
            ))
        })
    }
}

/// The roles a theme gives a colour to. Missing keys take the dark theme's value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Palette {
    /// Behind everything; `reset` keeps the terminal's own.
    pub background: Colour,
    /// Ordinary text.
    pub text: Colour,
    /// Secondary text: hints, unfocused borders, placeholders.
    pub dim: Colour,
    /// Titles, keys in the key bar, the current hop.
    pub accent: Colour,
    /// The border of the focused pane.
    pub focus_border: Colour,
    /// Success: a verified signature, a step done.
    pub ok: Colour,
    /// Failure: a mismatch, a failed step, an error modal.
    pub error: Colour,
    /// Something to look at: an expiring code, a lint warning.
    pub warning: Colour,
    /// Neutral notes.
    pub info: Colour,
    /// Background of the selected row.
    pub selection: Colour,
    /// Tokens and secrets, so a revealed one stands out.
    pub secret: Colour,
    /// The QR code's dark modules.
    pub qr_dark: Colour,
    /// The QR code's light modules and quiet zone.
    pub qr_light: Colour,
}

impl Default for Palette {
    /// The dark theme (`themes/dark.toml`; a test keeps the two equal).
    fn default() -> Self {
        let c = Colour;
        Self {
            background: c(Color::Reset),
            text: c(Color::Reset),
            dim: c(Color::DarkGray),
            accent: c(Color::Cyan),
            focus_border: c(Color::LightCyan),
            ok: c(Color::Green),
            error: c(Color::LightRed),
            warning: c(Color::Yellow),
            info: c(Color::Blue),
            selection: c(Color::Rgb(0x30, 0x3a, 0x4a)),
            secret: c(Color::Magenta),
            qr_dark: c(Color::Black),
            qr_light: c(Color::White),
        }
    }
}

/// The styles panes use, derived once from a palette (or from modifiers alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Styles {
    /// Ordinary text on the background; panes fill their area with it.
    pub base: Style,
    /// Secondary text.
    pub dim: Style,
    /// Accented text.
    pub accent: Style,
    /// Pane and popup titles.
    pub title: Style,
    /// Borders of unfocused panes.
    pub border: Style,
    /// The border of the focused pane.
    pub border_focused: Style,
    /// Success.
    pub ok: Style,
    /// Failure.
    pub error: Style,
    /// Warnings.
    pub warning: Style,
    /// Neutral notes.
    pub info: Style,
    /// The selected row.
    pub selection: Style,
    /// A revealed secret.
    pub secret: Style,
    /// The QR code: dark modules as foreground, light ones as background.
    pub qr: Style,
    /// A key in the key bar and the help overlay.
    pub key: Style,
    /// A search match.
    pub search_match: Style,
    /// The search match the view is on.
    pub search_current: Style,
}

impl Styles {
    /// Styles in the palette's colours.
    pub fn from_palette(p: &Palette) -> Self {
        let base = Style::new().fg(p.text.0).bg(p.background.0);
        let fg = |c: Colour| Style::new().fg(c.0);
        Self {
            base,
            dim: fg(p.dim),
            accent: fg(p.accent),
            title: fg(p.accent).add_modifier(Modifier::BOLD),
            border: fg(p.dim),
            border_focused: fg(p.focus_border).add_modifier(Modifier::BOLD),
            ok: fg(p.ok).add_modifier(Modifier::BOLD),
            error: fg(p.error).add_modifier(Modifier::BOLD),
            warning: fg(p.warning),
            info: fg(p.info),
            selection: Style::new().bg(p.selection.0).add_modifier(Modifier::BOLD),
            secret: fg(p.secret),
            qr: Style::new().fg(p.qr_dark.0).bg(p.qr_light.0),
            key: fg(p.accent).add_modifier(Modifier::BOLD),
            search_match: Style::new().fg(Color::Black).bg(p.warning.0),
            search_current: Style::new()
                .fg(Color::Black)
                .bg(p.accent.0)
                .add_modifier(Modifier::BOLD),
        }
    }

    /// Styles without a single colour, for `NO_COLOR`: bold, reverse and dim only. ok is bold,
    /// error is reversed, so the two still differ.
    pub fn monochrome() -> Self {
        let plain = Style::new();
        let bold = plain.add_modifier(Modifier::BOLD);
        let reversed = plain.add_modifier(Modifier::REVERSED);
        let dim = plain.add_modifier(Modifier::DIM);
        Self {
            base: plain,
            dim,
            accent: bold,
            title: bold,
            border: dim,
            border_focused: bold,
            ok: bold,
            error: reversed.add_modifier(Modifier::BOLD),
            warning: bold,
            info: plain,
            selection: reversed,
            secret: bold,
            qr: plain,
            key: bold,
            search_match: reversed,
            search_current: reversed.add_modifier(Modifier::BOLD),
        }
    }
}

/// A named theme, ready to draw with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The file stem (`dark`, `my-theme`).
    pub name: String,
    /// The palette; `None` for the monochrome theme.
    pub palette: Option<Palette>,
    /// What panes draw with.
    pub styles: Styles,
}

impl Theme {
    /// Parse a theme file's text. `path` is only for the error message.
    pub fn parse(name: &str, text: &str, path: &Path) -> Result<Self, ThemeError> {
        let palette: Palette = toml::from_str(text).map_err(|source| ThemeError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        Ok(Self {
            name: name.to_owned(),
            styles: Styles::from_palette(&palette),
            palette: Some(palette),
        })
    }

    /// One of the [`BUILTIN`] themes.
    pub fn builtin(name: &str) -> Option<Self> {
        let (name, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let path = PathBuf::from(format!("themes/{name}.toml"));
        Some(Self::parse(name, text, &path).expect("built-in themes parse (tested)"))
    }

    /// The theme `NO_COLOR` selects: modifiers only.
    pub fn monochrome() -> Self {
        Self {
            name: MONOCHROME.to_owned(),
            palette: None,
            styles: Styles::monochrome(),
        }
    }
}

/// Why a user theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The themes folder or a file in it could not be read.
    #[error("cannot read theme {}: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A theme file is not valid TOML, names an unknown key, or has a bad colour.
    #[error(
        "theme {} is not valid: {source}\nfix the key shown above; the keys are background, \
         text, dim, accent, focus_border, ok, error, warning, info, selection, secret, qr_dark \
         and qr_light",
        path.display()
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, which shows the line and the key.
        source: Box<toml::de::Error>,
    },
}

/// The themes `t` cycles through, and the current one.
#[derive(Debug, Clone)]
pub struct ThemeSet {
    themes: Vec<Theme>,
    current: usize,
}

impl ThemeSet {
    /// The built-in themes, starting with dark.
    pub fn builtin() -> Self {
        let themes = BUILTIN
            .iter()
            .filter_map(|(name, _)| Theme::builtin(name))
            .collect();
        Self { themes, current: 0 }
    }

    /// The monochrome theme alone.
    pub fn monochrome() -> Self {
        Self {
            themes: vec![Theme::monochrome()],
            current: 0,
        }
    }

    /// The themes for this environment: monochrome alone when `NO_COLOR` is set (non-empty),
    /// else the built-ins plus the user's from [`crate::config::config_dir`]`/themes`. Bad
    /// user themes are skipped and returned as errors to show.
    pub fn from_env() -> (Self, Vec<ThemeError>) {
        if no_color() {
            return (Self::monochrome(), Vec::new());
        }
        match crate::config::config_dir() {
            Some(dir) => Self::with_user_themes(&dir.join("themes")),
            None => (Self::builtin(), Vec::new()),
        }
    }

    /// The built-ins plus every `*.toml` in `dir` (a missing folder is fine). A user theme
    /// named like a built-in replaces it.
    pub fn with_user_themes(dir: &Path) -> (Self, Vec<ThemeError>) {
        let mut set = Self::builtin();
        let mut errors = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (set, errors),
            Err(source) => {
                let path = dir.to_owned();
                return (set, vec![ThemeError::Read { path, source }]);
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Bounded: a theme is a few hundred bytes, the file could be anything.
            let loaded = crate::limits::read_text_file(&path, crate::limits::MAX_KEY_FILE)
                .map_err(|e| ThemeError::Read {
                    path: path.clone(),
                    source: e.into_io(),
                })
                .and_then(|text| Theme::parse(&name, &text, &path));
            match loaded {
                Ok(theme) => set.insert(theme),
                Err(e) => errors.push(e),
            }
        }
        (set, errors)
    }

    fn insert(&mut self, theme: Theme) {
        match self.themes.iter_mut().find(|t| t.name == theme.name) {
            Some(slot) => *slot = theme,
            None => self.themes.push(theme),
        }
    }

    /// The theme in use.
    pub fn current(&self) -> &Theme {
        &self.themes[self.current]
    }

    /// Every theme, in cycling order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// Switch to the next theme (wrapping) and return it.
    pub fn cycle(&mut self) -> &Theme {
        self.current = (self.current + 1) % self.themes.len();
        self.current()
    }

    /// Switch to the theme called `name`; false (and no change) when there is none.
    pub fn select(&mut self, name: &str) -> bool {
        match self.themes.iter().position(|t| t.name == name) {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Whether `NO_COLOR` asks for no colour (set and non-empty, per no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// An approximate sRGB value for a colour, using xterm's defaults for the 16 named colours and
/// the standard 256-colour cube; `None` for `reset`. For contrast checks, not for drawing.
pub fn approx_rgb(color: Color) -> Option<(u8, u8, u8)> {
    const NAMED: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let index = match color {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some((r, g, b)),
        Color::Indexed(i) => i,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    Some(match index {
        0..=15 => NAMED[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level((i / 6) % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (index - 232) * 10;
            (v, v, v)
        }
    })
}
