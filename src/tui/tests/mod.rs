//! TUI tests: `update` state tests, screen snapshots, theme/keymap checks,
//! all against the landscape in `tests/fixtures/`.

mod config;
pub mod fixtures;
mod many_rows;
mod ops;
mod screens;
mod screens_ops;
mod session;
mod updates;
