//! `kclm info`: where kclm reads and writes, and which landscape is active.

use kclm::config::{Origin, Provenance};
use kclm::source::kube::KubeTarget;
use kclm::source::metal::{MetalAuth, MetalConfig};

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
    // The TUI's log rotates daily: `kclm.log.2026-12-03`.
    println!(
        "log file:    {}.YYYY-MM-DD (the TUI's, one file a day)",
        paths.log_file.display()
    );
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
            if let Some(o) = &t.provenance.landscape {
                println!("  named by:  {o}");
            }
            if let Some(gk) = &t.garden {
                println!(
                    "  garden:    {}",
                    kube_line(
                        gk,
                        &t.provenance.garden_kubeconfig,
                        &t.provenance.garden_context
                    )
                );
            }
            if let Some(c) = &t.capi {
                println!(
                    "  capi:      {}",
                    kube_line(c, &t.provenance.capi_kubeconfig, &t.provenance.capi_context)
                );
            }
            if let Some(m) = &t.metal {
                for line in metal_lines(m, &t.provenance) {
                    println!("  {line}");
                }
            }
            if let Some(d) = &t.dashboard_url {
                println!("  dashboard: {d}");
            }
            if !t.provenance.ignored_env.is_empty() {
                println!(
                    "  ignored env: {} (a named landscape takes nothing from the environment)",
                    t.provenance.ignored_env.join(", ")
                );
            }
        }
    }
    Ok(())
}

fn from(origin: &Option<Origin>) -> String {
    origin
        .as_ref()
        .map(|o| format!(" (from {o})"))
        .unwrap_or_default()
}

fn kube_line(k: &KubeTarget, kubeconfig: &Option<Origin>, context: &Option<Origin>) -> String {
    format!(
        "{}{} context {}{}",
        k.kubeconfig
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(default kubeconfig)".into()),
        from(kubeconfig),
        k.context.as_deref().unwrap_or("(current)"),
        from(context),
    )
}

/// The metal-api URL, which credential is set and where each came from;
/// never the key or token itself.
fn metal_lines(m: &MetalConfig, p: &Provenance) -> Vec<String> {
    let mut out = vec![format!("metal url:   {}{}", m.url, from(&p.metal_url))];
    match &m.auth {
        MetalAuth::Hmac { auth_type, .. } => {
            out.push(format!("metal hmac:  set{}", from(&p.metal_credential)));
            out.push(format!(
                "metal auth:  {auth_type}{}",
                from(&p.metal_auth_type)
            ));
        }
        MetalAuth::Token(_) => {
            out.push(format!("metal token: set{}", from(&p.metal_credential)));
        }
        MetalAuth::None => out.push("metal auth:  none (unauthenticated)".into()),
    }
    out
}
