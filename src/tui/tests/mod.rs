//! TUI tests: `update` state tests, screen snapshots, theme/keymap checks,
//! all against the landscape in `tests/fixtures/`.

mod config;
pub mod fixtures;
mod ops;
mod perf;
mod screens;
mod screens_ops;
mod updates;
