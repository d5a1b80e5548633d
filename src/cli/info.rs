//! `kclm info`: where kclm reads and writes, and which landscape is active.

use super::CliError;
use super::args::GlobalArgs;
use super::connect;

pub fn run(g: &GlobalArgs) -> Result<(), CliError> {
    let paths = kclm::config::Paths::discover();
    println!("version:     {}", env!("CARGO_PKG_VERSION"));
    println!("config dir:  {}", paths.config_dir.display());
    println!(
        "config file: {}{}",
        paths.config_file.display(),
        if paths.config_file.exists() {
            ""
        } else {
            " (not present)"
        }
    );
    println!("themes dir:  {}", paths.themes_dir.display());
    println!("keymaps dir: {}", paths.keymaps_dir.display());
    println!("data dir:    {}", paths.data_dir.display());
    println!("state dir:   {}", paths.state_dir.display());
    println!("log file:    {}", paths.log_file.display());
    let (target, config, _) = connect::target(g)?;
    if !config.landscapes.is_empty() {
        let names: Vec<_> = config.landscapes.keys().cloned().collect();
        println!("landscapes:  {}", names.join(", "));
    }
    match target {
        None => println!("landscape:   none configured (the TUI opens the demo landscape)"),
        Some(t) => {
            println!(
                "landscape:   {}{}",
                t.name,
                if t.readonly { " (read-only)" } else { "" }
            );
            if t.demo {
                println!("  embedded demo landscape");
            }
            if let Some(gk) = &t.garden {
                println!(
                    "  garden:    {} context {}",
                    gk.kubeconfig
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "(default kubeconfig)".into()),
                    gk.context.as_deref().unwrap_or("(current)")
                );
            }
            if let Some(c) = &t.capi {
                println!(
                    "  capi:      {} context {}",
                    c.kubeconfig
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "(default kubeconfig)".into()),
                    c.context.as_deref().unwrap_or("(current)")
                );
            }
            if let Some(m) = &t.metal {
                println!("  metal:     {} ({:?})", m.url, m.auth);
            }
            if let Some(d) = &t.dashboard_url {
                println!("  dashboard: {d}");
            }
        }
    }
    Ok(())
}
