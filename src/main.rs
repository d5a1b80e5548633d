//! `kclm`: argument parsing; hands off to the TUI or a headless command.

mod alloc;
mod cli;
mod tui;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    tui::STARTED.get_or_init(std::time::Instant::now);
    let args = cli::args::Cli::parse();
    cli::run(args).await
}
