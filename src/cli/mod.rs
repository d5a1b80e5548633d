//! Headless commands: thin wrappers over the core library.

pub mod args;

use std::process::ExitCode;

use args::{Cli, Command};

pub async fn run(cli: Cli) -> ExitCode {
    match cli.command {
        None => {
            let paths = kclm::config::Paths::discover();
            let config = kclm::config::Config::default();
            let start = crate::tui::TuiStart {
                target: kclm::config::Target::demo(cli.global.readonly),
                demo_by_default: true,
                config,
                paths,
            };
            match crate::tui::run(start).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kclm: {e:?}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(_) => {
            eprintln!("kclm: not implemented yet");
            ExitCode::FAILURE
        }
    }
}
