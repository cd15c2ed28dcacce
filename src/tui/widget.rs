//! Widgets: pure render functions over plain state, each tested on a `TestBackend`.

pub mod help;
pub mod input;
pub mod osc52;
pub mod popup;
pub mod qr;
pub mod spinner;
pub mod text_view;
