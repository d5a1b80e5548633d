//! Reusable widgets with their own small state.

pub mod confirm;
