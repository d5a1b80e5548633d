//! Headless commands: thin wrappers over the core library.

pub mod args;
mod connect;
mod debug;
pub(crate) mod demo_start;
mod get;
mod info;
mod logging;
mod maintenance;
mod ops;
mod ops_args;
mod ops_select;
mod table;

use std::process::ExitCode;

use args::{Cli, Command, DebugCommand, DemoCommand};
use clap::CommandFactory;

/// A headless command's failure, mapped to the documented exit codes.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Exit 2: the command line or the config cannot be used.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(String),
    /// Exit 1: the command ran and failed.
    #[error("{0}")]
    Failed(String),
}

impl From<demo_start::StartError> for CliError {
    fn from(e: demo_start::StartError) -> Self {
        match e {
            demo_start::StartError::NoDemo => CliError::Usage(e.to_string()),
            e => CliError::Failed(e.to_string()),
        }
    }
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Config(_) => ExitCode::from(2),
            CliError::Failed(_) => ExitCode::from(1),
        }
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    logging::init_headless(&cli);
    // Said before anything else is tried, so a script learns it at once.
    if !demo_start::AVAILABLE && (cli.global.demo || matches!(cli.command, Some(Command::Demo(_))))
    {
        eprintln!("kclm: {}", demo_start::NO_DEMO);
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        None => run_tui(&cli).await,
        Some(Command::Get(a)) => get::run(&cli.global, a).await,
        Some(Command::Maintenance(a)) => maintenance::run(&cli.global, a).await,
        Some(Command::Info) => info::run(&cli.global),
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "kclm", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Demo(DemoCommand::Serve { scale, seed, dir })) => {
            demo_serve(scale, *seed, dir.clone()).await
        }
        Some(Command::Demo(DemoCommand::Screenshots { out, seed })) => {
            demo_screenshots(out, *seed).await
        }
        Some(Command::Shoot(c)) => ops::shoot(&cli.global, c).await,
        Some(Command::Cluster(c)) => ops::cluster(&cli.global, c).await,
        Some(Command::Tenant(c)) => ops::tenant(&cli.global, c).await,
        Some(Command::Machine(c)) => ops::machine(&cli.global, c).await,
        Some(Command::Debug(DebugCommand::Sync { timeout })) => {
            debug::sync(&cli.global, *timeout).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kclm: {}", kclm::text::escape_lines(&e.to_string()));
            e.exit_code()
        }
    }
}

async fn run_tui(cli: &Cli) -> Result<(), CliError> {
    let (target, config, paths) = connect::target(&cli.global)?;
    let demo_by_default = target.is_none();
    let target = target.unwrap_or_else(|| kclm::config::Target::demo(cli.global.readonly));
    if target.demo && !demo_start::AVAILABLE {
        let why = if demo_by_default {
            "no landscape configured, and "
        } else {
            ""
        };
        return Err(CliError::Usage(format!("{why}{}", demo_start::NO_DEMO)));
    }
    let start = crate::tui::TuiStart {
        target,
        demo_by_default,
        config,
        paths,
    };
    crate::tui::run(start)
        .await
        .map_err(|e| CliError::Failed(format!("{e:?}")))
}

async fn demo_screenshots(out: &std::path::Path, seed: u64) -> Result<(), CliError> {
    let target = kclm::config::Target::demo(false);
    let mut session = demo_start::session_seeded(&target, Default::default(), Some(seed)).await?;
    let mut ls = kclm::landscape::Landscape::new();
    let settled = session
        .wait_settled(&mut ls, std::time::Duration::from_secs(60))
        .await;
    session.shutdown().await;
    if !settled {
        return Err(CliError::Failed("the demo landscape did not sync".into()));
    }
    let files =
        crate::tui::render_screenshots(ls, out).map_err(|e| CliError::Failed(format!("{e:?}")))?;
    for f in files {
        println!("{}", f.display());
    }
    Ok(())
}

#[cfg(not(feature = "demo"))]
async fn demo_serve(_: &str, _: u64, _: Option<std::path::PathBuf>) -> Result<(), CliError> {
    Err(demo_start::StartError::NoDemo.into())
}

#[cfg(feature = "demo")]
async fn demo_serve(
    scale: &str,
    seed: u64,
    dir: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    let scale = scale
        .parse()
        .map_err(|e: kclm::demo::DemoError| CliError::Usage(e.to_string()))?;
    let opts = kclm::demo::DemoOptions {
        scale,
        seed,
        dir,
        ..Default::default()
    };
    kclm::demo::serve(opts)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))
}
