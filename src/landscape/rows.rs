//! Flat, joined rows per kind: what `kclm get -o json` prints and what the TUI
//! tables show. Field names are a documented, stable contract (README).

use serde::Serialize;

use super::health::{self, Chip, Health};
use super::store::Landscape;
use crate::model::IStr;
use crate::model::gardener::{Project, Seed, Shoot};
use crate::model::metal::{Machine, issue_severity};

/// The README's promise: `null` where a value is unknown. Served text says
/// "unknown" with an empty string as often as by leaving a field out (a shoot
/// not yet reconciled has `status.technicalID: ""`), so an empty string is
/// written as `null` too, for every field of a row but its identity (name,
/// namespace, id).
mod unknown {
    use serde::Serializer;

    pub fn str<S: Serializer, T: AsRef<str>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        match v.as_ref() {
            "" => s.serialize_none(),
            v => s.serialize_str(v),
        }
    }

    pub fn opt<S: Serializer, T: AsRef<str>>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v.as_ref().map(AsRef::as_ref) {
            None | Some("") => s.serialize_none(),
            Some(v) => s.serialize_str(v),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationRow {
    #[serde(rename = "type")]
    #[serde(serialize_with = "unknown::str")]
    pub type_: String,
    #[serde(serialize_with = "unknown::str")]
    pub state: String,
    pub progress: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowRow {
    #[serde(serialize_with = "unknown::str")]
    pub begin: String,
    #[serde(serialize_with = "unknown::str")]
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShootRow {
    pub name: String,
    // values that repeat across rows are shared (IStr)
    pub namespace: IStr,
    pub project: IStr,
    #[serde(serialize_with = "unknown::opt")]
    pub seed: Option<IStr>,
    #[serde(serialize_with = "unknown::opt")]
    pub cloudprofile: Option<IStr>,
    #[serde(serialize_with = "unknown::opt")]
    pub region: Option<IStr>,
    #[serde(serialize_with = "unknown::opt")]
    pub kubernetes_version: Option<IStr>,
    #[serde(serialize_with = "unknown::opt")]
    pub purpose: Option<IStr>,
    pub hibernation: &'static str,
    pub last_operation: Option<OperationRow>,
    pub last_operation_text: String,
    pub health: Health,
    /// Shared with the shoots that show the same chips.
    pub conditions: health::Chips,
    pub machines: usize,
    pub firewalls: usize,
    #[serde(serialize_with = "unknown::str")]
    pub uid: String,
    #[serde(serialize_with = "unknown::opt")]
    pub technical_id: Option<String>,
    pub maintenance: Option<WindowRow>,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
    pub ignore_issues: bool,
}

impl ShootRow {
    /// Whether the "issues only" view shows this shoot.
    pub fn has_issues(&self) -> bool {
        !self.ignore_issues
            && (self.health == Health::Unhealthy
                || self
                    .last_operation
                    .as_ref()
                    .is_some_and(|o| matches!(o.state.as_str(), "Failed" | "Error" | "Aborted")))
    }
}

pub fn shoot_row(ls: &Landscape, s: &Shoot) -> ShootRow {
    let op = s.last_operation();
    let window = s
        .spec
        .maintenance
        .as_ref()
        .and_then(|m| m.time_window.as_ref());
    ShootRow {
        name: s.name().to_string(),
        namespace: IStr::intern(s.namespace()),
        project: IStr::intern(&ls.project_name_of_namespace(s.namespace())),
        seed: s.seed_name().map(IStr::intern),
        cloudprofile: s.cloud_profile_name().map(IStr::intern),
        region: s.spec.region.as_deref().map(IStr::intern),
        kubernetes_version: s.kubernetes_version().map(IStr::intern),
        purpose: s.spec.purpose.as_deref().map(IStr::intern),
        hibernation: health::hibernation_state(s).as_str(),
        last_operation: op.map(|o| OperationRow {
            type_: o.type_.to_string(),
            state: o.state.to_string(),
            progress: o.progress,
        }),
        last_operation_text: health::last_operation_text(op),
        health: health::shoot_health(s),
        conditions: health::shoot_chips(s),
        machines: ls.machine_count_of_shoot(s),
        firewalls: ls.firewalls_of_shoot(s).count(),
        uid: s.uid().to_string(),
        technical_id: s.status.as_ref().and_then(|st| st.technical_id.clone()),
        maintenance: window.map(|w| WindowRow {
            begin: w.begin.clone(),
            end: w.end.clone(),
        }),
        created: s
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
        ignore_issues: crate::model::annotation(
            &s.metadata,
            crate::model::gardener::ANN_IGNORE_ISSUES,
        )
        .and_then(crate::model::parse_bool)
        .unwrap_or(false),
    }
}

pub fn shoot_rows(ls: &Landscape) -> Vec<ShootRow> {
    ls.shoots.values().map(|s| shoot_row(ls, s)).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedRow {
    pub name: String,
    pub status: &'static str,
    #[serde(serialize_with = "unknown::str")]
    pub provider: String,
    #[serde(serialize_with = "unknown::str")]
    pub region: String,
    pub shoots: usize,
    pub allocatable: Option<i64>,
    #[serde(serialize_with = "unknown::opt")]
    pub kubernetes_version: Option<String>,
    pub conditions: Vec<Chip>,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
}

pub fn seed_row(ls: &Landscape, s: &Seed) -> SeedRow {
    let provider = s.spec.provider.as_ref();
    SeedRow {
        name: s.name().to_string(),
        status: health::seed_readiness(s),
        provider: provider.map(|p| p.type_.clone()).unwrap_or_default(),
        region: provider.map(|p| p.region.clone()).unwrap_or_default(),
        shoots: ls.shoot_count_of_seed(s.name()),
        allocatable: health::seed_allocatable_shoots(s),
        kubernetes_version: s
            .status
            .as_ref()
            .and_then(|st| st.kubernetes_version.clone()),
        conditions: s
            .conditions()
            .iter()
            .map(|c| Chip {
                type_: c.type_.clone(),
                short: IStr::intern(&health::condition_short_name(&c.type_)),
                status: c.status.clone(),
            })
            .collect(),
        created: s
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
    }
}

pub fn seed_rows(ls: &Landscape) -> Vec<SeedRow> {
    ls.seeds.values().map(|s| seed_row(ls, s)).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectRow {
    pub name: String,
    pub namespace: String,
    #[serde(serialize_with = "unknown::opt")]
    pub owner: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub purpose: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub description: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub phase: Option<String>,
    pub shoots: usize,
    pub unhealthy_shoots: usize,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
}

pub fn project_row(ls: &Landscape, p: &Project) -> ProjectRow {
    let (mut shoots, mut unhealthy) = (0, 0);
    for s in ls.shoots_of_project(p) {
        shoots += 1;
        if health::shoot_health(s) == Health::Unhealthy {
            unhealthy += 1;
        }
    }
    ProjectRow {
        name: p.name().to_string(),
        namespace: p.namespace(),
        owner: p.spec.owner.as_ref().map(|o| o.name.clone()),
        purpose: p.spec.purpose.clone(),
        description: p.spec.description.clone(),
        phase: p.status.as_ref().and_then(|s| s.phase.clone()),
        shoots,
        unhealthy_shoots: unhealthy,
        created: p
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
    }
}

pub fn project_rows(ls: &Landscape) -> Vec<ProjectRow> {
    ls.projects.values().map(|p| project_row(ls, p)).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CloudProfileRow {
    pub name: String,
    #[serde(rename = "type")]
    #[serde(serialize_with = "unknown::opt")]
    pub type_: Option<String>,
    pub kubernetes_versions: Vec<String>,
    pub machine_images: Vec<String>,
    pub regions: Vec<String>,
    pub shoots: usize,
}

pub fn cloudprofile_rows(ls: &Landscape) -> Vec<CloudProfileRow> {
    ls.cloudprofiles
        .values()
        .map(|c| CloudProfileRow {
            name: c.name().to_string(),
            type_: c.spec.type_.clone(),
            kubernetes_versions: c
                .kubernetes_versions()
                .iter()
                .map(|v| v.version.clone())
                .collect(),
            machine_images: c
                .machine_images()
                .iter()
                .flat_map(|i| {
                    i.versions
                        .iter()
                        .map(move |v| format!("{}-{}", i.name, v.version))
                })
                .collect(),
            regions: c
                .spec
                .regions
                .iter()
                .flatten()
                .map(|r| r.name.clone())
                .collect(),
            shoots: ls
                .shoots
                .values()
                .filter(|s| s.cloud_profile_name() == Some(c.name()))
                .count(),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IssueRow {
    pub id: String,
    pub severity: Option<crate::model::metal::Severity>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MachineRow {
    pub id: String,
    #[serde(serialize_with = "unknown::str")]
    pub hostname: String,
    // values that repeat across rows are shared (IStr)
    #[serde(serialize_with = "unknown::str")]
    pub project: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub partition: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub rack: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub size: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub image: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub role: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub liveliness: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub state: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub state_description: IStr,
    #[serde(serialize_with = "unknown::str")]
    pub led: IStr,
    #[serde(serialize_with = "unknown::opt")]
    pub last_event: Option<IStr>,
    #[serde(serialize_with = "unknown::opt")]
    pub last_event_time: Option<String>,
    pub crash_loop: bool,
    pub failed_reclaim: bool,
    pub allocated: bool,
    /// `namespace/name` of the Gardener shoot, via the cluster id tag.
    #[serde(serialize_with = "unknown::opt")]
    pub shoot: Option<String>,
    /// `namespace/name` of the Cluster-API cluster, via providerID.
    #[serde(serialize_with = "unknown::opt")]
    pub cluster: Option<String>,
    pub issues: Vec<IssueRow>,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
}

pub fn machine_row(ls: &Landscape, m: &Machine) -> MachineRow {
    let last = m.last_event();
    MachineRow {
        id: m.id.clone(),
        hostname: m.hostname().to_string(),
        project: IStr::intern(m.project()),
        partition: IStr::intern(m.partition_id()),
        rack: IStr::intern(&m.rackid),
        size: IStr::intern(m.size_id()),
        image: IStr::intern(m.image_id()),
        role: IStr::intern(m.allocation.as_ref().map_or("", |a| a.role.as_str())),
        liveliness: IStr::intern(&m.liveliness),
        state: IStr::intern(&m.state.value),
        state_description: IStr::intern(&m.state.description),
        led: IStr::intern(&m.ledstate.value),
        last_event: last.map(|e| e.event.clone()),
        last_event_time: ls
            .last_event_time(m)
            .map(str::to_string)
            .or_else(|| last.map(|e| e.time.to_string())),
        crash_loop: m.events.crash_loop,
        failed_reclaim: m.events.failed_machine_reclaim,
        allocated: m.allocation.is_some(),
        shoot: ls
            .shoot_of_machine(m)
            .map(|s| format!("{}/{}", s.namespace(), s.name())),
        cluster: ls
            .cluster_of_machine(&m.id)
            .map(|c| format!("{}/{}", c.namespace(), c.name())),
        issues: ls
            .issues_of(&m.id)
            .iter()
            .map(|id| IssueRow {
                id: id.clone(),
                severity: issue_severity(id),
            })
            .collect(),
        created: m.created.clone(),
    }
}

pub fn machine_rows(ls: &Landscape) -> Vec<MachineRow> {
    ls.machines.values().map(|m| machine_row(ls, m)).collect()
}

pub fn firewall_rows(ls: &Landscape) -> Vec<MachineRow> {
    ls.firewalls.values().map(|m| machine_row(ls, m)).collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionRow {
    pub id: String,
    #[serde(serialize_with = "unknown::str")]
    pub name: String,
    #[serde(serialize_with = "unknown::str")]
    pub description: String,
    pub machines: usize,
    pub allocated: i32,
    pub free: i32,
    pub faulty: i32,
    pub total: i32,
}

pub fn partition_rows(ls: &Landscape) -> Vec<PartitionRow> {
    ls.partitions
        .values()
        .map(|p| {
            let cap = ls.capacity.get(&p.id);
            let sum = |f: fn(&crate::model::metal::ServerCapacity) -> i32| {
                cap.map_or(0, |c| c.servers.iter().map(f).sum())
            };
            PartitionRow {
                id: p.id.clone(),
                name: p.name.clone().unwrap_or_default(),
                description: p.description.clone().unwrap_or_default(),
                machines: ls
                    .machines
                    .values()
                    .chain(ls.firewalls.values())
                    .filter(|m| m.partition_id() == p.id)
                    .count(),
                allocated: sum(|s| s.allocated),
                free: sum(|s| s.free),
                faulty: sum(|s| s.faulty),
                total: sum(|s| s.total),
            }
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterRow {
    pub name: String,
    pub namespace: String,
    #[serde(serialize_with = "unknown::str")]
    pub phase: String,
    pub paused: bool,
    #[serde(serialize_with = "unknown::opt")]
    pub available: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub control_plane: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub infrastructure: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub version: Option<String>,
    pub machines: usize,
    pub metal_machines: Vec<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
}

pub fn cluster_rows(ls: &Landscape) -> Vec<ClusterRow> {
    ls.clusters
        .values()
        .map(|c| {
            let cp_ref = c.spec.control_plane_ref.as_ref();
            let version = cp_ref.and_then(|r| {
                let key = super::ObjKey::new(c.namespace(), r.name.clone());
                ls.kubeadm_control_planes
                    .get(&key)
                    .and_then(|k| k.spec.version.clone())
                    .or_else(|| {
                        ls.tenant_control_planes
                            .get(&key)
                            .map(|t| t.version().to_string())
                    })
            });
            ClusterRow {
                name: c.name().to_string(),
                namespace: c.namespace().to_string(),
                phase: c.phase().to_string(),
                paused: c.paused(),
                available: c
                    .conditions()
                    .iter()
                    .find(|x| x.type_ == "Available" || x.type_ == "Ready")
                    .map(|x| x.status.to_string()),
                control_plane: cp_ref.map(|r| format!("{}/{}", r.kind, r.name)),
                infrastructure: c
                    .spec
                    .infrastructure_ref
                    .as_ref()
                    .map(|r| format!("{}/{}", r.kind, r.name)),
                version,
                machines: ls.capi_machines_of_cluster(c).count(),
                metal_machines: ls
                    .metal_machines_of_cluster(c)
                    .map(|m| m.id.clone())
                    .collect(),
                created: c
                    .metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0.to_string()),
            }
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TenantRow {
    pub name: String,
    pub namespace: String,
    #[serde(serialize_with = "unknown::str")]
    pub version: String,
    #[serde(serialize_with = "unknown::str")]
    pub status: String,
    #[serde(serialize_with = "unknown::str")]
    pub endpoint: String,
    #[serde(serialize_with = "unknown::opt")]
    pub cluster: Option<String>,
    #[serde(serialize_with = "unknown::opt")]
    pub created: Option<String>,
}

pub fn tenant_rows(ls: &Landscape) -> Vec<TenantRow> {
    ls.tenant_control_planes
        .values()
        .map(|t| TenantRow {
            name: t.name().to_string(),
            namespace: t.namespace().to_string(),
            version: t.version().to_string(),
            status: t.phase().to_string(),
            endpoint: t.endpoint().to_string(),
            cluster: t.cluster_name().map(str::to_string),
            created: t
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|x| x.0.to_string()),
        })
        .collect()
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
