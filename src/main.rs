//! `kclm`: argument parsing; hands off to the TUI or a headless command.

mod cli;
mod tui;

use std::process::ExitCode;

use clap::Parser;

/// When the process entered `main`: the time to the TUI's first frame is measured from here.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

#[tokio::main]
async fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let args = cli::args::Cli::parse();
    cli::run(args).await
}
