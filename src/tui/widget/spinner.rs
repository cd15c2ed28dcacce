//! A spinner for steps in flight, advanced by the loop's `Tick`.

/// The frames, one per tick.
pub const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A spinner's state: how many ticks it has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spinner {
    ticks: usize,
}

impl Spinner {
    /// Advance one frame (on `Message::Tick`).
    pub fn tick(&mut self) {
        self.ticks = self.ticks.wrapping_add(1);
    }

    /// The frame to draw now.
    pub fn glyph(self) -> &'static str {
        FRAMES[self.ticks % FRAMES.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_through_every_frame() {
        let mut spinner = Spinner::default();
        let mut seen = Vec::new();
        for _ in 0..=FRAMES.len() {
            seen.push(spinner.glyph());
            spinner.tick();
        }
        assert_eq!(&seen[..FRAMES.len()], FRAMES);
        assert_eq!(seen[FRAMES.len()], FRAMES[0]);
    }
}
