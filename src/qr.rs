//! QR codes for the terminal, drawn with Unicode half blocks so one text row holds two module
//! rows and the code stays square in a typical terminal font.
//!
//! [`render_half_blocks`] is pure: a glyph stands for **dark** modules (`█` both, `▀` top,
//! `▄` bottom, space none), with a quiet zone of four light modules all around. Drawn in the
//! terminal's foreground colour that is right on a light background and inverted on a dark one,
//! which many phone scanners accept but not all. [`paint`] makes it robust everywhere: it pins
//! the colours to black on bright white with ANSI escapes, so the code scans whatever the theme.
//! The CLI paints when standard output is a terminal and prints plain lines otherwise (files,
//! pipes, tests). The TUI reuses the plain lines with its own black-on-white style.

use qrcode::{Color, QrCode};

/// Light modules around the code, as the QR specification asks for.
pub const QUIET_ZONE: usize = 4;

/// Why a QR code could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// The text does not fit in the largest QR code.
    #[error(
        "{len} bytes do not fit in a QR code (at most about 2,900); shorten the URL, e.g. a \
         shorter state or redirect_uri"
    )]
    TooLong {
        /// The length of the text in bytes.
        len: usize,
    },
    /// Any other refusal from the encoder.
    #[error("the QR encoder refused the text: {0}")]
    Encoder(String),
}

/// Encode `data` and draw it as lines of half blocks, quiet zone included. All lines have the
/// same number of characters.
pub fn render_half_blocks(data: &str) -> Result<Vec<String>, QrError> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| match e {
        qrcode::types::QrError::DataTooLong => QrError::TooLong { len: data.len() },
        other => QrError::Encoder(other.to_string()),
    })?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| -> bool {
        if x < QUIET_ZONE || y < QUIET_ZONE || x >= width + QUIET_ZONE || y >= width + QUIET_ZONE {
            return false;
        }
        colors
            .get((y - QUIET_ZONE) * width + (x - QUIET_ZONE))
            .is_some_and(|c| *c == Color::Dark)
    };
    let lines = (0..size)
        .step_by(2)
        .map(|y| {
            (0..size)
                .map(|x| match (dark(x, y), dark(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                })
                .collect()
        })
        .collect();
    Ok(lines)
}

/// Wrap each line in ANSI escapes for black glyphs on a bright white background, so the code
/// scans on dark and light terminals alike.
pub fn paint(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| format!("\x1b[30;107m{line}\x1b[0m"))
        .collect()
}
