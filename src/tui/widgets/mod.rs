//! Reusable widgets with their own small state.

pub mod confirm;
pub mod line_input;
