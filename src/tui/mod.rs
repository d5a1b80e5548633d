//! The interactive console. Lives only in the binary: the core library never
//! sees ratatui or crossterm.

mod action;
mod app;
mod dialogs;
mod effects;
mod fmt;
mod input;
mod keymap;
mod landscape_state;
mod layered;
mod layout;
mod nav;
mod ops;
mod overlay;
mod prefs;
mod render;
mod rows;
// Wired to `kclm demo screenshots` by the CLI.
mod screenshot;
mod select;
mod state;
mod table;
mod theme;
mod update;
mod update_marks;
mod update_ops;
mod update_overlay;
mod update_session;
mod views;
mod widgets;
mod yaml;

#[cfg(test)]
mod tests;

use kclm::config::{Config, Paths, Target};

#[allow(unused_imports)]
pub use screenshot::{FrameBench, KeystrokeBench, render_screenshots, render_screenshots_at};

/// When the process entered `main`: the first frame's time is logged from here.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The signal that ended the console (0: none); `main` exits 128 + it.
pub static SIGNALLED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Everything the TUI needs to start.
pub struct TuiStart {
    pub target: Target,
    /// True when no landscape was configured and the demo was chosen for the user.
    pub demo_by_default: bool,
    pub config: Config,
    pub paths: Paths,
}

/// Opens the console and runs it until the user quits. The terminal is
/// restored on every exit path, including panics (ratatui's hook).
pub async fn run(start: TuiStart) -> color_eyre::Result<()> {
    app::run(start).await
}
