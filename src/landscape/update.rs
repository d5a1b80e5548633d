//! What sources send to the store: the kinds kclm shows, object keys, the
//! per-kind source state, watch objects and the updates that carry them.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::capi::{
    CapiMachine, Cluster, KubeadmControlPlane, MachineDeployment, MetalStackCluster,
    MetalStackMachine,
};
use crate::model::gardener::{CloudProfile, Project, Seed, Shoot};
use crate::model::kamaji::TenantControlPlane;
use crate::model::metal::{Image, Machine, MachineIssues, Partition, PartitionCapacity, Size};

/// Namespace (empty for cluster-scoped) and name of a Kubernetes object.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjKey {
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
    pub fn of(meta: &crate::model::ObjectMeta) -> Self {
        Self::new(
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    }
}

impl fmt::Display for ObjKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Every kind kclm shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    Project,
    Seed,
    Shoot,
    CloudProfile,
    Cluster,
    CapiMachine,
    MachineDeployment,
    KubeadmControlPlane,
    MetalStackCluster,
    MetalStackMachine,
    TenantControlPlane,
    Machine,
    Firewall,
    Partition,
    Size,
    Image,
}

/// Which connection a kind comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceGroup {
    Garden,
    Capi,
    Metal,
}

impl SourceGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceGroup::Garden => "garden",
            SourceGroup::Capi => "capi",
            SourceGroup::Metal => "metal",
        }
    }
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Project,
        Kind::Seed,
        Kind::Shoot,
        Kind::CloudProfile,
        Kind::Cluster,
        Kind::CapiMachine,
        Kind::MachineDeployment,
        Kind::KubeadmControlPlane,
        Kind::MetalStackCluster,
        Kind::MetalStackMachine,
        Kind::TenantControlPlane,
        Kind::Machine,
        Kind::Firewall,
        Kind::Partition,
        Kind::Size,
        Kind::Image,
    ];
    pub fn group(self) -> SourceGroup {
        match self {
            Kind::Project | Kind::Seed | Kind::Shoot | Kind::CloudProfile => SourceGroup::Garden,
            Kind::Machine | Kind::Firewall | Kind::Partition | Kind::Size | Kind::Image => {
                SourceGroup::Metal
            }
            _ => SourceGroup::Capi,
        }
    }
    /// Plural, lower-case name as used on the command line and in messages.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Project => "projects",
            Kind::Seed => "seeds",
            Kind::Shoot => "shoots",
            Kind::CloudProfile => "cloudprofiles",
            Kind::Cluster => "clusters",
            Kind::CapiMachine => "machines.cluster.x-k8s.io",
            Kind::MachineDeployment => "machinedeployments",
            Kind::KubeadmControlPlane => "kubeadmcontrolplanes",
            Kind::MetalStackCluster => "metalstackclusters",
            Kind::MetalStackMachine => "metalstackmachines",
            Kind::TenantControlPlane => "tenantcontrolplanes",
            Kind::Machine => "machines",
            Kind::Firewall => "firewalls",
            Kind::Partition => "partitions",
            Kind::Size => "sizes",
            Kind::Image => "images",
        }
    }
}

/// What a source currently knows about one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum SourceState {
    /// Not configured for this landscape (e.g. no CAPI context).
    Disabled,
    Connecting,
    Synced,
    /// A transient error: the source retries with backoff.
    Error(String),
    /// Not listable (403) or not served (404): skipped, the rest keeps working.
    Unavailable(String),
}

impl SourceState {
    pub fn is_settled(&self) -> bool {
        !matches!(self, SourceState::Connecting)
    }
    pub fn short(&self) -> String {
        match self {
            SourceState::Disabled => "off".into(),
            SourceState::Connecting => "connecting".into(),
            SourceState::Synced => "synced".into(),
            SourceState::Error(r) => format!("error: {r}"),
            SourceState::Unavailable(r) => format!("unavailable: {r}"),
        }
    }
}

/// One object from a Kubernetes watch, already shared: the store keeps the same
/// allocation, so a re-list of 10,000 shoots is buffered as pointers, not as
/// 10,000 inline copies (that buffer was 28 MB at the `large` scale).
#[derive(Clone, Debug)]
pub enum KubeObject {
    Project(Arc<Project>),
    Seed(Arc<Seed>),
    Shoot(Arc<Shoot>),
    CloudProfile(Arc<CloudProfile>),
    Cluster(Arc<Cluster>),
    CapiMachine(Arc<CapiMachine>),
    MachineDeployment(Arc<MachineDeployment>),
    KubeadmControlPlane(Arc<KubeadmControlPlane>),
    MetalStackCluster(Arc<MetalStackCluster>),
    MetalStackMachine(Arc<MetalStackMachine>),
    TenantControlPlane(Arc<TenantControlPlane>),
}

macro_rules! kube_object_from {
    ($($variant:ident),*) => {$(
        impl From<$variant> for KubeObject {
            fn from(o: $variant) -> Self {
                KubeObject::$variant(Arc::new(o))
            }
        }
        impl From<Arc<$variant>> for KubeObject {
            fn from(o: Arc<$variant>) -> Self {
                KubeObject::$variant(o)
            }
        }
    )*};
}
kube_object_from!(
    Project,
    Seed,
    Shoot,
    CloudProfile,
    Cluster,
    CapiMachine,
    MachineDeployment,
    KubeadmControlPlane,
    MetalStackCluster,
    MetalStackMachine,
    TenantControlPlane
);

/// Everything the metal-api poller read in one round.
#[derive(Clone, Debug, Default)]
pub struct MetalSnapshot {
    /// `None` where that call failed this round: the previous data is kept.
    /// Machines are decoded straight into the `Arc`s the store keeps.
    pub machines: Option<Vec<Arc<Machine>>>,
    pub firewalls: Option<Vec<Arc<Machine>>>,
    /// `events.last_event_time` of machines and firewalls by id, when the
    /// poller keeps it beside the machines (see `source::metal_share`);
    /// replaces the previous round's with `machines`.
    pub event_times: Option<std::collections::HashMap<String, String>>,
    pub partitions: Option<Vec<Partition>>,
    pub capacity: Option<Vec<PartitionCapacity>>,
    pub sizes: Option<Vec<Size>>,
    pub images: Option<Vec<Image>>,
    pub issues: Option<Vec<MachineIssues>>,
}

/// A change to the landscape, sent by sources to the owner of the store.
#[derive(Clone, Debug)]
pub enum Update {
    Applied(KubeObject),
    Deleted(KubeObject),
    /// A full (re-)list of one kind: replaces everything of that kind.
    Relisted(Kind, Vec<KubeObject>),
    Metal(Box<MetalSnapshot>),
    Source(Kind, SourceState),
}

pub(super) fn key_of(obj: &KubeObject) -> ObjKey {
    match obj {
        KubeObject::Project(o) => ObjKey::of(&o.metadata),
        KubeObject::Seed(o) => ObjKey::of(&o.metadata),
        KubeObject::Shoot(o) => ObjKey::of(&o.metadata),
        KubeObject::CloudProfile(o) => ObjKey::of(&o.metadata),
        KubeObject::Cluster(o) => ObjKey::of(&o.metadata),
        KubeObject::CapiMachine(o) => ObjKey::of(&o.metadata),
        KubeObject::MachineDeployment(o) => ObjKey::of(&o.metadata),
        KubeObject::KubeadmControlPlane(o) => ObjKey::of(&o.metadata),
        KubeObject::MetalStackCluster(o) => ObjKey::of(&o.metadata),
        KubeObject::MetalStackMachine(o) => ObjKey::of(&o.metadata),
        KubeObject::TenantControlPlane(o) => ObjKey::of(&o.metadata),
    }
}

impl KubeObject {
    pub fn kind(&self) -> Kind {
        match self {
            KubeObject::Project(_) => Kind::Project,
            KubeObject::Seed(_) => Kind::Seed,
            KubeObject::Shoot(_) => Kind::Shoot,
            KubeObject::CloudProfile(_) => Kind::CloudProfile,
            KubeObject::Cluster(_) => Kind::Cluster,
            KubeObject::CapiMachine(_) => Kind::CapiMachine,
            KubeObject::MachineDeployment(_) => Kind::MachineDeployment,
            KubeObject::KubeadmControlPlane(_) => Kind::KubeadmControlPlane,
            KubeObject::MetalStackCluster(_) => Kind::MetalStackCluster,
            KubeObject::MetalStackMachine(_) => Kind::MetalStackMachine,
            KubeObject::TenantControlPlane(_) => Kind::TenantControlPlane,
        }
    }
    pub fn key(&self) -> ObjKey {
        key_of(self)
    }
}
