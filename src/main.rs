//! `kclm`: argument parsing; hands off to the TUI or a headless command.

mod alloc;
mod cli;
mod tui;

use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};

use clap::Parser;

/// The signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT) that ended the console, 0
/// if none did. The console restores the terminal first, then kclm exits
/// with the shell's convention for a death by that signal: 128 + its number.
pub(crate) static SIGNALLED: AtomicI32 = AtomicI32::new(0);

#[tokio::main]
async fn main() -> ExitCode {
    tui::STARTED.get_or_init(std::time::Instant::now);
    let args = cli::args::Cli::parse();
    let code = cli::run(args).await;
    match u8::try_from(SIGNALLED.load(Ordering::SeqCst)) {
        Ok(signo @ 1..=127) => ExitCode::from(128 + signo),
        _ => code,
    }
}
