//! Arguments of `kclm shoot|cluster|tenant|machine`.

use clap::{Args, Subcommand, ValueEnum};
use kclm::ops::metal::PowerCommand;
use kclm::ops::shoot::Rotation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpOutput {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct OpFlags {
    /// Send every mutation with dryRun=All (metal-api has no dry run: nothing is sent).
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the results.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: OpOutput,
    /// Seconds one operation may wait for an answer (a bulk run ends after
    /// twice that); also how long --selector waits for the shoot list.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ShootTargets {
    /// Shoots as NAMESPACE/NAME.
    #[arg(value_name = "NAMESPACE/NAME")]
    pub targets: Vec<String>,
    /// Also every shoot matching this filter expression (as `kclm get shoots -f`;
    /// try it there first).
    #[arg(long, short = 's', value_name = "EXPR")]
    pub selector: Option<String>,
    /// Go ahead with a bulk operation that asks for confirmation (more than
    /// 10 shoots, or a production or infrastructure shoot selected) without
    /// asking. Check the list first with --dry-run.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ShootOpArgs {
    #[command(flatten)]
    pub shoots: ShootTargets,
    #[command(flatten)]
    pub flags: OpFlags,
}

#[derive(Debug, Subcommand)]
pub enum ShootCommand {
    /// Hibernate shoots (refused when the HibernationPossible constraint is not True).
    Hibernate(ShootOpArgs),
    /// Wake hibernated shoots up.
    Wake(ShootOpArgs),
    /// Request a reconciliation (gardener.cloud/operation=reconcile).
    Reconcile(ShootOpArgs),
    /// Run maintenance now (gardener.cloud/operation=maintain).
    Maintain(ShootOpArgs),
    /// Retry a Failed last operation (refused otherwise).
    Retry(ShootOpArgs),
    /// Start or complete a credential rotation.
    Rotate {
        /// credentials-start, credentials-complete, ssh-keypair, observability-credentials,
        /// etcd-encryption-key, ca-start, ca-complete, serviceaccount-key-start,
        /// serviceaccount-key-complete.
        #[arg(value_parser = parse_rotation)]
        kind: Rotation,
        #[command(flatten)]
        shoots: ShootTargets,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Delete shoots: annotates confirmation.gardener.cloud/deletion, then DELETEs.
    Delete {
        #[command(flatten)]
        shoots: ShootTargets,
        /// NAMESPACE/NAME of the one shoot named, the number of shoots when
        /// several are named, or with --selector the token that `--dry-run`
        /// prints for the listed shoots (their uids; a count is refused).
        #[arg(long, value_name = "NAMESPACE/NAME|COUNT|TOKEN")]
        confirm: Option<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// First approver under dual approval: annotate confirmation.gardener.cloud/deletion
    /// only (no DELETE); another subject then runs `kclm shoot delete`.
    ConfirmDeletion {
        /// NAMESPACE/NAME of the shoot.
        target: String,
        /// NAMESPACE/NAME of the shoot, typed again (names repeat across projects).
        #[arg(long, value_name = "NS/NAME")]
        confirm: String,
        #[command(flatten)]
        flags: OpFlags,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Pause reconciliation of a Cluster-API Cluster (spec.paused=true).
    Pause {
        #[arg(value_name = "NAMESPACE/NAME")]
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Resume reconciliation of a Cluster-API Cluster.
    Unpause {
        #[arg(value_name = "NAMESPACE/NAME")]
        target: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Delete a Cluster-API Cluster.
    Delete {
        #[arg(value_name = "NAMESPACE/NAME")]
        target: String,
        /// The cluster's NAMESPACE/NAME, typed again.
        #[arg(long, value_name = "NAMESPACE/NAME")]
        confirm: String,
        #[command(flatten)]
        flags: OpFlags,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Delete a Kamaji TenantControlPlane.
    Delete {
        #[arg(value_name = "NAMESPACE/NAME")]
        target: String,
        /// The tenant control plane's NAMESPACE/NAME, typed again.
        #[arg(long, value_name = "NAMESPACE/NAME")]
        confirm: String,
        #[command(flatten)]
        flags: OpFlags,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// Power command via the BMC: on, off, reset, cycle, bios, disk, pxe.
    Power {
        id: String,
        #[arg(value_parser = parse_power)]
        command: PowerCommand,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Chassis identify LED on or off.
    Identify {
        id: String,
        #[arg(value_enum)]
        state: OnOff,
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Reserve a machine (or clear the state with --remove).
    Reserve {
        id: String,
        /// Why (required unless --remove).
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        #[arg(long, short = 'r')]
        remove: bool,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Lock a machine (or clear the state with --remove).
    Lock {
        id: String,
        /// Why (required unless --remove).
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        #[arg(long, short = 'r')]
        remove: bool,
        #[command(flatten)]
        flags: OpFlags,
    },
}

fn parse_rotation(s: &str) -> Result<Rotation, String> {
    s.parse()
}

fn parse_power(s: &str) -> Result<PowerCommand, String> {
    s.parse()
}
