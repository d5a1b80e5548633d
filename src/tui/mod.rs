//! The interactive console (placeholder until the TUI lands).

use kclm::config::{Config, Paths, Target};

/// Everything the TUI needs to start.
#[allow(dead_code)] // placeholder until the TUI lands
pub struct TuiStart {
    pub target: Target,
    /// True when no landscape was configured and the demo was chosen for the user.
    pub demo_by_default: bool,
    pub config: Config,
    pub paths: Paths,
}

pub async fn run(start: TuiStart) -> color_eyre::Result<()> {
    println!(
        "kclm TUI is not built yet (landscape {})",
        start.target.name
    );
    Ok(())
}
