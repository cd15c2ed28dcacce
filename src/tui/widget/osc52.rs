//! The clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`).
//!
//! The terminal, not authwalk, owns the clipboard, so copying works over SSH and inside tmux
//! (with `set-clipboard on`), with no clipboard crate and no display server.

use std::io::{self, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The escape sequence that puts `text` on the system clipboard.
pub fn sequence(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text))
}

/// Write [`sequence`] to `out` (the terminal).
pub fn write(out: &mut (impl Write + ?Sized), text: &str) -> io::Result<()> {
    out.write_all(sequence(text).as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_bytes() {
        let mut out = Vec::new();
        super::write(&mut out, "user_id=2088").expect("writes to a Vec");
        assert_eq!(out, b"\x1b]52;c;dXNlcl9pZD0yMDg4\x07");
        assert_eq!(super::sequence(""), "\x1b]52;c;\x07");
    }
}
