//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kclm::config::Secret;

#[derive(Debug, Parser)]
#[command(
    name = "kclm",
    version,
    about = "Kubernetes cluster lifecycle console for Gardener and metal-stack",
    long_about = "kclm shows a Gardener + metal-stack (+ Cluster-API, Kamaji) landscape side by side.\n\
                  Without a subcommand it opens the interactive console; with no landscape configured \
                  it opens the embedded demo landscape."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `Debug` shows no key or token: they are [`Secret`]s.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Named landscape from config.toml.
    #[arg(long, short = 'l', global = true, env = "KCLM_LANDSCAPE")]
    pub landscape: Option<String>,
    /// Garden cluster kubeconfig (default: $KUBECONFIG, ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// Garden kubeconfig context.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Cluster-API management cluster kubeconfig (default: the garden kubeconfig).
    #[arg(long, global = true)]
    pub capi_kubeconfig: Option<PathBuf>,
    /// Cluster-API management cluster context.
    #[arg(long, global = true)]
    pub capi_context: Option<String>,
    /// metal-api base URL, e.g. https://api.example.com/metal. The key or token is taken from
    /// the same place as the URL: these flags, else KCLM_METAL_* or METALCTL_* (only when no
    /// landscape is named), else the landscape in config.toml.
    #[arg(long, global = true)]
    pub metal_url: Option<String>,
    /// metal-api HMAC key (visible in the process list: prefer --metal-hmac-file).
    #[arg(long, global = true)]
    pub metal_hmac: Option<Secret>,
    /// File holding the metal-api HMAC key (a trailing newline is ignored); env KCLM_METAL_HMAC_FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub metal_hmac_file: Option<PathBuf>,
    /// HMAC auth type: Metal-View, Metal-Edit or Metal-Admin (default Metal-Admin).
    #[arg(long, global = true)]
    pub metal_auth_type: Option<String>,
    /// metal-api bearer token (visible in the process list: prefer --metal-token-file).
    #[arg(long, global = true)]
    pub metal_token: Option<Secret>,
    /// File holding the metal-api bearer token; env KCLM_METAL_TOKEN_FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub metal_token_file: Option<PathBuf>,
    /// Refuse every mutation.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Use the embedded demo landscape.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Log to stderr: info with -v, debug with -vv (headless commands; default: warnings; KCLM_LOG overrides).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List resources of the landscape.
    Get(GetArgs),
    /// Maintenance windows: what is in its window now and what opens soon.
    Maintenance(MaintenanceArgs),
    /// Print config, data, state and log paths and the active landscape.
    Info,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The embedded demo landscape.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Shoot lifecycle: hibernate, wake, reconcile, maintain, retry, rotate, delete.
    #[command(subcommand)]
    Shoot(super::ops::ShootCommand),
    /// Cluster-API clusters: pause, unpause, delete.
    #[command(subcommand)]
    Cluster(super::ops::ClusterCommand),
    /// Kamaji tenant control planes: delete.
    #[command(subcommand)]
    Tenant(super::ops::TenantCommand),
    /// metal-stack machines: power, identify LED, reserve, lock.
    #[command(subcommand)]
    Machine(super::ops::MachineCommand),
    /// Diagnostics for measuring kclm itself.
    #[command(subcommand, hide = true)]
    Debug(DebugCommand),
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Sync the whole landscape once and print how long it took, as JSON.
    Sync {
        /// Seconds to wait for the sources to sync.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Resource {
    Projects,
    Seeds,
    Shoots,
    Cloudprofiles,
    Machines,
    Firewalls,
    Partitions,
    Clusters,
    Tenantcontrolplanes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Wide,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[arg(value_enum)]
    pub resource: Resource,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: Output,
    /// Filter expression, e.g. 'seed:fra health:unhealthy !hibernated'.
    #[arg(long, short = 'f')]
    pub filter: Option<String>,
    /// Seconds to wait for the sources to sync.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct MaintenanceArgs {
    /// Horizon: list windows open now or opening within this duration (e.g. 12h, 90m, 1h30m, 2d).
    #[arg(long, default_value = "12h")]
    pub within: String,
    /// Evaluate at this instant (RFC 3339) instead of now, for reproducible reports.
    #[arg(long)]
    pub at: Option<String>,
    /// Time zone for local times (IANA name); default: the system's.
    #[arg(long)]
    pub tz: Option<String>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: MaintenanceOutput,
    /// Seconds to wait for the sources to sync.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaintenanceOutput {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Serve the demo landscape on 127.0.0.1 until stopped.
    Serve {
        /// small, large or a number of shoots.
        #[arg(long, default_value = "small")]
        scale: String,
        /// Seed of the generated landscape.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Directory for the kubeconfig (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Render the main views of the demo landscape to SVG files (real rendering code).
    Screenshots {
        /// Output directory.
        #[arg(long, default_value = "screenshots")]
        out: PathBuf,
        /// Seed of the generated landscape.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn debug_of_parsed_arguments_shows_no_key_or_token() {
        let cli = Cli::try_parse_from([
            "kclm",
            "--metal-url",
            "https://m.example",
            "--metal-hmac",
            "hmac-s3cret",
            "--metal-token",
            "token-s3cret",
            "--metal-hmac-file",
            "/keys/prod",
            "info",
        ])
        .unwrap();
        assert_eq!(
            cli.global.metal_hmac.as_ref().map(|s| s.expose()),
            Some("hmac-s3cret")
        );
        let shown = format!("{cli:?} {:#?}", cli.global);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("https://m.example") && shown.contains("/keys/prod"),
            "{shown}"
        );
    }
}
