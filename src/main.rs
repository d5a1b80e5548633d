//! `kclm`: argument parsing; hands off to the TUI or a headless command.

mod alloc;
mod cli;
mod tui;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    tui::STARTED.get_or_init(std::time::Instant::now);
    let args = cli::args::Cli::parse();
    let code = cli::run(args).await;
    // A signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT) ended the console, which
    // restored the terminal: exit as a shell reports a death by it.
    match u8::try_from(tui::SIGNALLED.load(Ordering::SeqCst)) {
        Ok(signo @ 1..=127) => ExitCode::from(128 + signo),
        _ => code,
    }
}
