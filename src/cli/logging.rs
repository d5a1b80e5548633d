//! Logging of headless commands: a tracing subscriber on stderr, so what the
//! core reports with `tracing::warn!` (an audit line that could not be
//! written, a source that failed) reaches the user instead of vanishing. The
//! console logs to its file instead (`tui::app`), never to the terminal.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter for `-v` given `count` times, unless `KCLM_LOG` names one.
pub fn filter(verbose: u8, kclm_log: Option<&str>) -> EnvFilter {
    if let Some(f) = kclm_log.and_then(|s| EnvFilter::try_new(s).ok()) {
        return f;
    }
    EnvFilter::new(match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    })
}

/// Installs the stderr subscriber for a headless command (the console,
/// run without a subcommand, installs its file log itself).
pub fn init_headless(cli: &super::Cli) {
    if cli.command.is_some() {
        init(cli.global.verbose);
    }
}

/// Installs the stderr subscriber; a second call (tests) is a no-op.
fn init(verbose: u8) {
    let env = std::env::var("KCLM_LOG").ok();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(verbose, env.as_deref()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_picks_the_level_and_kclm_log_overrides_it() {
        assert_eq!(filter(0, None).to_string(), "warn");
        assert_eq!(filter(1, None).to_string(), "info");
        assert_eq!(filter(2, None).to_string(), "debug");
        assert_eq!(filter(5, None).to_string(), "debug");
        assert_eq!(filter(0, Some("kclm=trace")).to_string(), "kclm=trace");
        // an unreadable KCLM_LOG falls back to the flag
        assert_eq!(filter(1, Some("=[")).to_string(), "info");
    }
}
