//! Turning global flags, environment and config.toml into a [`Target`].

use kclm::config::{Config, Paths, ProcessEnv, Target, TargetFlags};

use super::CliError;
use super::args::GlobalArgs;

pub fn flags(g: &GlobalArgs) -> TargetFlags {
    TargetFlags {
        landscape: g.landscape.clone(),
        kubeconfig: g.kubeconfig.clone(),
        context: g.context.clone(),
        capi_kubeconfig: g.capi_kubeconfig.clone(),
        capi_context: g.capi_context.clone(),
        metal_url: g.metal_url.clone(),
        metal_hmac: g.metal_hmac.clone(),
        metal_hmac_file: g.metal_hmac_file.clone(),
        metal_auth_type: g.metal_auth_type.clone(),
        metal_token: g.metal_token.clone(),
        metal_token_file: g.metal_token_file.clone(),
        readonly: g.readonly,
        demo: g.demo,
    }
}

/// Loads config.toml from the discovered paths.
pub fn load_config(paths: &Paths) -> Result<Config, CliError> {
    Config::load(&paths.config_file).map_err(|e| CliError::Config(e.to_string()))
}

/// Resolves the target; `None` when nothing is configured.
pub fn target(g: &GlobalArgs) -> Result<(Option<Target>, Config, Paths), CliError> {
    let paths = Paths::discover();
    let config = load_config(&paths)?;
    let t = kclm::config::resolve(&flags(g), &config, &paths.config_file, &ProcessEnv)
        .map_err(|e| CliError::Config(e.to_string()))?;
    Ok((t, config, paths))
}

/// Headless commands never fall back to the demo silently: a script must say `--demo`.
pub fn require_target(g: &GlobalArgs) -> Result<Target, CliError> {
    match target(g)?.0 {
        Some(t) => Ok(t),
        None => Err(CliError::Usage(
            "no landscape configured: pass --demo, --kubeconfig/--metal-url, set KUBECONFIG, \
             or add a [landscapes.NAME] table to config.toml (see `kclm info`)"
                .into(),
        )),
    }
}

/// Before a headless command connects: exec plugins of the target's clusters
/// that may prompt log in now, on this terminal (a no-op without one). The
/// failures are warnings; the command then reports what did not connect.
pub async fn log_in(target: &Target) {
    let how = kclm::source::kube_auth::Interactivity::detect();
    let clusters = [&target.garden, &target.capi].into_iter().flatten();
    for e in kclm::source::kube_auth::prepare_all(clusters, how).await {
        eprintln!("warning: {}", kclm::text::escape(&e.to_string()));
    }
}
