//! `kclm get RESOURCE`: list one kind of the landscape as table, wide, JSON or YAML.

use std::time::Duration;

use kclm::filter::{self, Filter, Filterable};
use kclm::landscape::{Kind, Landscape, SourceState, rows};
use serde::Serialize;

use super::args::{GetArgs, Output, Resource};
use super::table::{Table, age, dash, opt};
use super::{CliError, connect};
use crate::cli::args::GlobalArgs;

/// Kinds a resource's rows need (the kind itself plus what it joins).
fn kinds_for(r: Resource) -> (Kind, Vec<Kind>) {
    use Kind::*;
    match r {
        Resource::Projects => (Project, vec![Project, Shoot]),
        Resource::Seeds => (Seed, vec![Seed, Shoot]),
        Resource::Shoots => (Shoot, vec![Shoot, Project, Machine, Firewall]),
        Resource::Cloudprofiles => (CloudProfile, vec![CloudProfile, Shoot]),
        Resource::Machines => (Machine, vec![Machine, Shoot, Cluster, CapiMachine]),
        Resource::Firewalls => (Firewall, vec![Firewall, Shoot]),
        Resource::Partitions => (Partition, vec![Partition, Machine]),
        Resource::Clusters => (
            Cluster,
            vec![
                Cluster,
                CapiMachine,
                KubeadmControlPlane,
                TenantControlPlane,
                MetalStackMachine,
                Machine,
            ],
        ),
        Resource::Tenantcontrolplanes => (TenantControlPlane, vec![TenantControlPlane]),
    }
}

pub async fn run(global: &GlobalArgs, args: &GetArgs) -> Result<(), CliError> {
    let (primary, kinds) = kinds_for(args.resource);
    // A typo in the filter is a usage error: say so before connecting anywhere.
    render(&Landscape::new(), args, jiff::Timestamp::now())?;
    let target = connect::require_target(global)?;
    // A plugin that may prompt logs in now, on this terminal, before the wait.
    connect::log_in(&target).await;
    let opts = kclm::session::SessionOptions {
        kinds,
        ..Default::default()
    };
    let mut session = super::demo_start::session(&target, opts).await?;
    let mut ls = Landscape::new();
    let settled = session
        .wait_settled(&mut ls, Duration::from_secs(args.timeout))
        .await;
    let logins = kclm::source::kube_auth::logins_in_progress();
    session.shutdown().await;
    for (kind, state) in &ls.sources {
        if let SourceState::Error(r) | SourceState::Unavailable(r) = state
            && *kind != primary
        {
            eprintln!(
                "warning: {}: {}",
                kind.plural(),
                kclm::text::escape(&r.to_string())
            );
        }
    }
    match ls.sources.get(&primary) {
        Some(SourceState::Synced) => {}
        Some(SourceState::Error(r)) | Some(SourceState::Unavailable(r)) => {
            return Err(CliError::Failed(format!("{}: {r}", primary.plural())));
        }
        Some(SourceState::Disabled) | None => {
            return Err(CliError::Failed(format!(
                "{} are not configured for landscape {:?} ({})",
                primary.plural(),
                target.name,
                not_configured_hint(primary.group(), &target)
            )));
        }
        Some(SourceState::Connecting) => {
            let why = if settled { "" } else { " (timed out)" };
            let login = match logins.as_slice() {
                [] => String::new(),
                names => format!(
                    ": still logging in through exec plugin {} (stopped)",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(CliError::Failed(format!(
                "{} did not sync within {}s{why}{login}",
                primary.plural(),
                args.timeout
            )));
        }
    }
    let out = render(&ls, args, jiff::Timestamp::now())?;
    print!("{out}");
    Ok(())
}

/// Renders the resource's rows in the requested format.
pub fn render(ls: &Landscape, args: &GetArgs, now: jiff::Timestamp) -> Result<String, CliError> {
    let f = args.filter.as_deref().unwrap_or("");
    match args.resource {
        Resource::Shoots => emit(&rows::shoot_rows(ls), f, args.output, |r, wide| {
            shoot_cells(r, wide, now)
        }),
        Resource::Seeds => emit(&rows::seed_rows(ls), f, args.output, |r, wide| {
            seed_cells(r, wide, now)
        }),
        Resource::Projects => emit(&rows::project_rows(ls), f, args.output, |r, wide| {
            project_cells(r, wide, now)
        }),
        Resource::Cloudprofiles => emit(
            &rows::cloudprofile_rows(ls),
            f,
            args.output,
            cloudprofile_cells,
        ),
        Resource::Machines => emit(&rows::machine_rows(ls), f, args.output, |r, wide| {
            machine_cells(r, wide, now)
        }),
        Resource::Firewalls => emit(&rows::firewall_rows(ls), f, args.output, |r, wide| {
            machine_cells(r, wide, now)
        }),
        Resource::Partitions => emit(&rows::partition_rows(ls), f, args.output, partition_cells),
        Resource::Clusters => emit(&rows::cluster_rows(ls), f, args.output, |r, wide| {
            cluster_cells(r, wide, now)
        }),
        Resource::Tenantcontrolplanes => emit(&rows::tenant_rows(ls), f, args.output, |r, wide| {
            tenant_cells(r, wide, now)
        }),
    }
}

fn emit<R, F>(rows: &[R], expr: &str, output: Output, cells: F) -> Result<String, CliError>
where
    R: Filterable + Serialize,
    F: Fn(&R, bool) -> (Vec<&'static str>, Vec<String>),
{
    let filter =
        Filter::for_rows::<R>(expr).map_err(|e| CliError::Usage(format!("--filter: {e}")))?;
    let picked: Vec<&R> = if filter.is_empty() {
        rows.iter().collect()
    } else {
        filter::apply(&filter, rows)
    };
    match output {
        Output::Json => serde_json::to_string_pretty(&picked)
            .map(|s| s + "\n")
            .map_err(|e| CliError::Failed(e.to_string())),
        Output::Yaml => {
            serde_saphyr::to_string(&picked).map_err(|e| CliError::Failed(e.to_string()))
        }
        Output::Table | Output::Wide => {
            let wide = output == Output::Wide;
            let header = match picked.first() {
                Some(r) => cells(r, wide).0,
                None => return Ok("No resources found.\n".into()),
            };
            let mut t = Table::new(header);
            for r in picked {
                t.push(cells(r, wide).1);
            }
            Ok(t.render())
        }
    }
}

fn shoot_cells(
    r: &rows::ShootRow,
    wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec![
        "PROJECT",
        "NAME",
        "SEED",
        "VERSION",
        "HIBERNATION",
        "LAST OPERATION",
        "HEALTH",
        "MACHINES",
        "AGE",
    ];
    let mut c = vec![
        r.project.to_string(),
        r.name.clone(),
        opt(&r.seed),
        opt(&r.kubernetes_version),
        r.hibernation.to_string(),
        r.last_operation_text.clone(),
        r.health.as_str().to_string(),
        r.machines.to_string(),
        age(r.created.as_deref(), now),
    ];
    if wide {
        h.extend([
            "REGION",
            "PURPOSE",
            "CLOUDPROFILE",
            "CONDITIONS",
            "TECHNICAL ID",
            "UID",
        ]);
        c.extend([
            opt(&r.region),
            opt(&r.purpose),
            opt(&r.cloudprofile),
            dash(
                r.conditions
                    .iter()
                    .map(|x| format!("{}={}", x.short, x.status))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            opt(&r.technical_id),
            dash(&r.uid),
        ]);
    }
    (h, c)
}

fn seed_cells(
    r: &rows::SeedRow,
    wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec![
        "NAME", "STATUS", "PROVIDER", "REGION", "SHOOTS", "VERSION", "AGE",
    ];
    let alloc = r
        .allocatable
        .map(|a| a.to_string())
        .unwrap_or_else(|| "-".into());
    let mut c = vec![
        r.name.clone(),
        r.status.to_string(),
        dash(&r.provider),
        dash(&r.region),
        format!("{}/{alloc}", r.shoots),
        opt(&r.kubernetes_version),
        age(r.created.as_deref(), now),
    ];
    if wide {
        h.push("CONDITIONS");
        c.push(dash(
            r.conditions
                .iter()
                .map(|x| format!("{}={}", x.short, x.status))
                .collect::<Vec<_>>()
                .join(","),
        ));
    }
    (h, c)
}

fn project_cells(
    r: &rows::ProjectRow,
    wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec![
        "NAME",
        "NAMESPACE",
        "SHOOTS",
        "UNHEALTHY",
        "OWNER",
        "PURPOSE",
        "AGE",
    ];
    let mut c = vec![
        r.name.clone(),
        r.namespace.clone(),
        r.shoots.to_string(),
        r.unhealthy_shoots.to_string(),
        opt(&r.owner),
        opt(&r.purpose),
        age(r.created.as_deref(), now),
    ];
    if wide {
        h.extend(["PHASE", "DESCRIPTION"]);
        c.extend([opt(&r.phase), opt(&r.description)]);
    }
    (h, c)
}

fn cloudprofile_cells(r: &rows::CloudProfileRow, wide: bool) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec!["NAME", "TYPE", "REGIONS", "KUBERNETES", "SHOOTS"];
    let mut c = vec![
        r.name.clone(),
        opt(&r.type_),
        dash(r.regions.join(",")),
        dash(r.kubernetes_versions.join(",")),
        r.shoots.to_string(),
    ];
    if wide {
        h.push("IMAGES");
        c.push(dash(r.machine_images.join(",")));
    }
    (h, c)
}

fn machine_cells(
    r: &rows::MachineRow,
    wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec![
        "ID",
        "LIVELINESS",
        "LAST EVENT",
        "WHEN",
        "HOSTNAME",
        "PROJECT",
        "SIZE",
        "IMAGE",
        "PARTITION",
        "SHOOT",
        "ISSUES",
    ];
    let mut c = vec![
        r.id.clone(),
        dash(&r.liveliness),
        opt(&r.last_event),
        age(r.last_event_time.as_deref(), now),
        dash(&r.hostname),
        dash(&r.project),
        dash(&r.size),
        dash(&r.image),
        dash(&r.partition),
        opt(&r.shoot),
        dash(
            r.issues
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
    ];
    if wide {
        h.extend(["RACK", "STATE", "LED", "CLUSTER", "AGE"]);
        c.extend([
            dash(&r.rack),
            dash(&r.state),
            dash(&r.led),
            opt(&r.cluster),
            age(r.created.as_deref(), now),
        ]);
    }
    (h, c)
}

fn partition_cells(r: &rows::PartitionRow, _wide: bool) -> (Vec<&'static str>, Vec<String>) {
    (
        vec![
            "ID",
            "NAME",
            "DESCRIPTION",
            "MACHINES",
            "ALLOCATED",
            "FREE",
            "FAULTY",
        ],
        vec![
            r.id.clone(),
            dash(&r.name),
            dash(&r.description),
            r.machines.to_string(),
            r.allocated.to_string(),
            r.free.to_string(),
            r.faulty.to_string(),
        ],
    )
}

fn cluster_cells(
    r: &rows::ClusterRow,
    wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    let mut h = vec![
        "NAMESPACE",
        "NAME",
        "PHASE",
        "PAUSED",
        "AVAILABLE",
        "VERSION",
        "MACHINES",
        "AGE",
    ];
    let mut c = vec![
        r.namespace.clone(),
        r.name.clone(),
        dash(&r.phase),
        r.paused.to_string(),
        opt(&r.available),
        opt(&r.version),
        r.machines.to_string(),
        age(r.created.as_deref(), now),
    ];
    if wide {
        h.extend(["CONTROL PLANE", "INFRASTRUCTURE", "METAL MACHINES"]);
        c.extend([
            opt(&r.control_plane),
            opt(&r.infrastructure),
            dash(r.metal_machines.join(",")),
        ]);
    }
    (h, c)
}

fn tenant_cells(
    r: &rows::TenantRow,
    _wide: bool,
    now: jiff::Timestamp,
) -> (Vec<&'static str>, Vec<String>) {
    (
        vec![
            "NAMESPACE",
            "NAME",
            "VERSION",
            "STATUS",
            "ENDPOINT",
            "CLUSTER",
            "AGE",
        ],
        vec![
            r.namespace.clone(),
            r.name.clone(),
            dash(&r.version),
            dash(&r.status),
            dash(&r.endpoint),
            opt(&r.cluster),
            age(r.created.as_deref(), now),
        ],
    )
}

/// How to configure a missing source: a named landscape ignores the
/// environment, so only its table (or a flag) helps there.
fn not_configured_hint(
    group: kclm::landscape::SourceGroup,
    target: &kclm::config::Target,
) -> String {
    use kclm::landscape::SourceGroup as G;
    let named = target.provenance.landscape.is_some();
    match (group, named) {
        (G::Metal, true) => format!(
            "set --metal-url or metal_url in [landscapes.{}]",
            target.name
        ),
        (G::Metal, false) => "set --metal-url or KCLM_METAL_URL".into(),
        (G::Capi, _) => "set --capi-context or capi_context".into(),
        (G::Garden, true) => format!(
            "set --kubeconfig or garden_kubeconfig in [landscapes.{}]",
            target.name
        ),
        (G::Garden, false) => "set --kubeconfig or KUBECONFIG".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::not_configured_hint;
    use kclm::config::{Layer, Origin, Target};
    use kclm::landscape::SourceGroup as G;

    #[test]
    fn a_named_landscape_is_told_about_its_table_not_the_environment() {
        let mut t = Target {
            name: "prod".into(),
            demo: false,
            ..Target::demo(false)
        };
        assert_eq!(
            not_configured_hint(G::Metal, &t),
            "set --metal-url or KCLM_METAL_URL"
        );
        t.provenance.landscape = Some(Origin {
            layer: Layer::Flags,
            source: "--landscape or KCLM_LANDSCAPE".into(),
        });
        assert_eq!(
            not_configured_hint(G::Metal, &t),
            "set --metal-url or metal_url in [landscapes.prod]"
        );
        assert_eq!(
            not_configured_hint(G::Garden, &t),
            "set --kubeconfig or garden_kubeconfig in [landscapes.prod]"
        );
    }
}
