//! The in-memory landscape: every object kclm knows, with the indexes that join
//! them. One owner mutates it by applying [`Update`]s; readers derive rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::capi::{
    CapiMachine, Cluster, KubeadmControlPlane, MachineDeployment, MetalStackCluster,
    MetalStackMachine,
};
use crate::model::gardener::{CloudProfile, Project, Seed, Shoot};
use crate::model::kamaji::TenantControlPlane;
use crate::model::metal::{Image, Machine, Partition, PartitionCapacity, Size};

use super::kinds::{KindClass, Stored};
pub use super::update::{
    Kind, KubeObject, MetalSnapshot, ObjKey, SourceGroup, SourceState, Update,
};

/// The store's map of one Kubernetes kind.
pub type Map<T> = BTreeMap<ObjKey, Arc<T>>;

/// The landscape store.
#[derive(Debug, Default)]
pub struct Landscape {
    pub projects: Map<Project>,
    pub seeds: Map<Seed>,
    pub shoots: Map<Shoot>,
    pub cloudprofiles: Map<CloudProfile>,
    pub clusters: Map<Cluster>,
    pub capi_machines: Map<CapiMachine>,
    pub machine_deployments: Map<MachineDeployment>,
    pub kubeadm_control_planes: Map<KubeadmControlPlane>,
    pub metal_stack_clusters: Map<MetalStackCluster>,
    pub metal_stack_machines: Map<MetalStackMachine>,
    pub tenant_control_planes: Map<TenantControlPlane>,
    pub machines: BTreeMap<String, Arc<Machine>>,
    pub firewalls: BTreeMap<String, Arc<Machine>>,
    pub partitions: BTreeMap<String, Arc<Partition>>,
    pub capacity: BTreeMap<String, PartitionCapacity>,
    pub sizes: BTreeMap<String, Arc<Size>>,
    pub images: BTreeMap<String, Arc<Image>>,
    /// machine id -> metal-api issue ids
    pub issues: HashMap<String, Vec<String>>,
    /// machine id -> `events.last_event_time`, kept beside the machines so
    /// a heartbeat does not make a machine new (see [`Self::last_event_time`]).
    event_times: HashMap<String, String>,
    pub sources: BTreeMap<Kind, SourceState>,
    /// Bumped on every change; consumers cache derived rows against it.
    pub generation: u64,
    shoot_by_uid: HashMap<String, ObjKey>,
    /// project namespace -> project key (rows resolve every shoot's project).
    project_by_namespace: HashMap<String, ObjKey>,
    shoots_by_seed: HashMap<String, BTreeSet<ObjKey>>,
    /// shoot uid -> machine ids / firewall ids (tag `cluster.metal-stack.io/id`)
    machines_by_cluster: HashMap<String, Vec<String>>,
    firewalls_by_cluster: HashMap<String, Vec<String>>,
}

impl Landscape {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a batch of updates; returns whether anything changed.
    pub fn apply_all(&mut self, updates: impl IntoIterator<Item = Update>) -> bool {
        let mut changed = false;
        for u in updates {
            changed |= self.apply(u);
        }
        changed
    }

    /// Applies one update; returns whether anything changed.
    #[deny(clippy::wildcard_enum_match_arm)]
    pub fn apply(&mut self, update: Update) -> bool {
        let changed = match update {
            Update::Applied(obj) => {
                self.upsert(obj);
                true
            }
            Update::Deleted(obj) => self.remove_object(obj.kube_kind(), &obj.key()),
            Update::Relisted(kind, objs) => {
                match kind.class() {
                    KindClass::Kube(k) => self.clear_objects(k),
                    // Metal kinds arrive whole, as snapshots.
                    KindClass::Metal(_) => {}
                }
                for o in objs {
                    self.upsert(o);
                }
                true
            }
            Update::Metal(snap) => {
                self.set_metal(*snap);
                true
            }
            Update::Source(kind, state) => self.sources.insert(kind, state.clone()) != Some(state),
        };
        if changed {
            self.generation += 1;
        }
        changed
    }

    fn set_metal(&mut self, snap: MetalSnapshot) {
        fn index(list: &BTreeMap<String, Arc<Machine>>) -> HashMap<String, Vec<String>> {
            let mut idx: HashMap<String, Vec<String>> = HashMap::new();
            for m in list.values() {
                if let Some(cid) = m.cluster_id() {
                    idx.entry(cid.to_string()).or_default().push(m.id.clone());
                }
            }
            idx
        }
        if let Some(list) = snap.machines {
            self.event_times = snap.event_times.unwrap_or_default();
            self.machines = list
                .into_iter()
                .filter(|m| !m.is_firewall())
                .map(|m| (m.id.clone(), m))
                .collect();
            self.machines_by_cluster = index(&self.machines);
        }
        if let Some(list) = snap.firewalls {
            self.firewalls = list.into_iter().map(|m| (m.id.clone(), m)).collect();
            self.firewalls_by_cluster = index(&self.firewalls);
        }
        if let Some(list) = snap.partitions {
            self.partitions = list
                .into_iter()
                .map(|p| (p.id.clone(), Arc::new(p)))
                .collect();
        }
        if let Some(list) = snap.capacity {
            self.capacity = list.into_iter().map(|c| (c.id.clone(), c)).collect();
        }
        if let Some(list) = snap.sizes {
            self.sizes = list
                .into_iter()
                .map(|s| (s.id.clone(), Arc::new(s)))
                .collect();
        }
        if let Some(list) = snap.images {
            self.images = list
                .into_iter()
                .map(|i| (i.id.clone(), Arc::new(i)))
                .collect();
        }
        if let Some(list) = snap.issues {
            self.issues = list
                .into_iter()
                .filter(|i| !i.issues.is_empty())
                .map(|i| (i.machineid, i.issues))
                .collect();
        }
    }

    /// When a machine or firewall last sent an event: kept beside it by the
    /// poller, else the machine's own field.
    pub fn last_event_time<'a>(&'a self, m: &'a Machine) -> Option<&'a str> {
        self.event_times
            .get(&m.id)
            .or(m.events.last_event_time.as_ref())
            .map(String::as_str)
    }

    /// A machine or firewall as metal-api sent it (its event time put back),
    /// for showing it whole.
    pub fn metal_object(&self, id: &str) -> Option<Machine> {
        let m = self.machines.get(id).or_else(|| self.firewalls.get(id))?;
        let mut m = Machine::clone(m);
        m.events.last_event_time = self.last_event_time(&m).map(str::to_string);
        Some(m)
    }

    // ---- joins ----

    /// The project owning a namespace (`spec.namespace`, else `garden-<name>`).
    pub fn project_of_namespace(&self, namespace: &str) -> Option<&Arc<Project>> {
        self.projects.get(self.project_by_namespace.get(namespace)?)
    }

    /// Project name for a shoot namespace, falling back to the `garden-` convention.
    pub fn project_name_of_namespace(&self, namespace: &str) -> String {
        if let Some(p) = self.project_of_namespace(namespace) {
            return p.name().to_string();
        }
        namespace
            .strip_prefix("garden-")
            .unwrap_or(namespace)
            .to_string()
    }

    pub fn shoot_by_uid(&self, uid: &str) -> Option<&Arc<Shoot>> {
        self.shoots.get(self.shoot_by_uid.get(uid)?)
    }

    pub fn seed_of(&self, shoot: &Shoot) -> Option<&Arc<Seed>> {
        self.seeds.get(&ObjKey::new("", shoot.seed_name()?))
    }

    pub fn shoots_of_seed(&self, seed: &str) -> impl Iterator<Item = &Arc<Shoot>> {
        self.shoots_by_seed
            .get(seed)
            .into_iter()
            .flatten()
            .filter_map(|k| self.shoots.get(k))
    }

    pub fn shoot_count_of_seed(&self, seed: &str) -> usize {
        self.shoots_by_seed.get(seed).map_or(0, BTreeSet::len)
    }

    pub fn shoots_of_project<'a>(
        &'a self,
        project: &Project,
    ) -> impl Iterator<Item = &'a Arc<Shoot>> {
        let ns = project.namespace();
        let start = ObjKey::new(ns.clone(), "");
        self.shoots
            .range(start..)
            .take_while(move |(k, _)| k.namespace == ns)
            .map(|(_, v)| v)
    }

    pub fn machines_of_shoot(&self, shoot: &Shoot) -> impl Iterator<Item = &Arc<Machine>> {
        self.machines_by_cluster
            .get(shoot.uid())
            .into_iter()
            .flatten()
            .filter_map(|id| self.machines.get(id))
    }

    pub fn machine_count_of_shoot(&self, shoot: &Shoot) -> usize {
        self.machines_by_cluster
            .get(shoot.uid())
            .map_or(0, Vec::len)
    }

    pub fn firewalls_of_shoot(&self, shoot: &Shoot) -> impl Iterator<Item = &Arc<Machine>> {
        self.firewalls_by_cluster
            .get(shoot.uid())
            .into_iter()
            .flatten()
            .filter_map(|id| self.firewalls.get(id))
    }

    /// The shoot a metal machine or firewall belongs to (tag `cluster.metal-stack.io/id`).
    pub fn shoot_of_machine(&self, machine: &Machine) -> Option<&Arc<Shoot>> {
        self.shoot_by_uid(machine.cluster_id()?)
    }

    pub fn capi_machines_of_cluster<'a>(
        &'a self,
        cluster: &'a Cluster,
    ) -> impl Iterator<Item = &'a Arc<CapiMachine>> {
        self.capi_machines.values().filter(move |m| {
            m.namespace() == cluster.namespace() && m.spec.cluster_name == cluster.name()
        })
    }

    /// Metal machines of a CAPI cluster: CAPI Machine -> providerID (or its
    /// MetalStackMachine's providerID) -> metal machine uuid.
    pub fn metal_machines_of_cluster<'a>(
        &'a self,
        cluster: &'a Cluster,
    ) -> impl Iterator<Item = &'a Arc<Machine>> {
        self.capi_machines_of_cluster(cluster).filter_map(|m| {
            let id = m.metal_machine_id().or_else(|| {
                let infra = m.spec.infrastructure_ref.as_ref()?;
                let msm = self
                    .metal_stack_machines
                    .get(&ObjKey::new(m.namespace(), infra.name.clone()))?;
                crate::model::capi::parse_provider_id(msm.spec.provider_id.as_deref()?)
                    .map(|(_, id)| id)
            })?;
            self.machines.get(id).or_else(|| self.firewalls.get(id))
        })
    }

    /// The CAPI cluster (namespace/name) that runs a metal machine, if any.
    pub fn cluster_of_machine(&self, machine_id: &str) -> Option<&Arc<Cluster>> {
        let m = self
            .capi_machines
            .values()
            .find(|m| m.metal_machine_id() == Some(machine_id))?;
        self.clusters
            .get(&ObjKey::new(m.namespace(), m.spec.cluster_name.clone()))
    }

    /// Issue ids of a machine, in metal-api display order.
    pub fn issues_of(&self, machine_id: &str) -> &[String] {
        self.issues.get(machine_id).map_or(&[], Vec::as_slice)
    }

    /// Whether every source that was started has reported (synced, error or unavailable).
    pub fn settled(&self) -> bool {
        self.sources.values().all(SourceState::is_settled)
    }

    /// Aggregated state per source group, worst first, for the status bar.
    pub fn group_state(&self, group: SourceGroup) -> Option<SourceState> {
        let mut states = self
            .sources
            .iter()
            .filter(|(k, _)| k.group() == group)
            .map(|(_, s)| s);
        let first = states.next()?.clone();
        Some(states.fold(first, |acc, s| match (&acc, s) {
            (SourceState::Error(_), _) => acc,
            (_, SourceState::Error(_)) => s.clone(),
            (SourceState::Connecting, _) => acc,
            (_, SourceState::Connecting) => s.clone(),
            (SourceState::Unavailable(_), _) => acc,
            (_, SourceState::Unavailable(_)) => s.clone(),
            (SourceState::Disabled, _) => s.clone(),
            _ => acc,
        }))
    }
}

impl Landscape {
    fn unindex_shoot(&mut self, key: &ObjKey) {
        if let Some(old) = self.shoots.get(key) {
            self.shoot_by_uid.remove(old.uid());
            if let Some(seed) = old.seed_name()
                && let Some(set) = self.shoots_by_seed.get_mut(seed)
            {
                set.remove(key);
            }
        }
    }
}

/// Shoots are indexed by uid and by seed.
impl Stored for Shoot {
    fn keep(self) -> Self {
        self.compacted()
    }
    fn upsert(ls: &mut Landscape, key: ObjKey, s: Arc<Self>) {
        // The common event is a status change of a known shoot: swap the
        // object in place and leave the indexes (and the key's strings) alone
        // unless its uid or seed moved.
        if let Some(slot) = ls.shoots.get_mut(&key)
            && slot.uid() == s.uid()
            && slot.seed_name() == s.seed_name()
        {
            *slot = s;
            return;
        }
        ls.unindex_shoot(&key);
        if !s.uid().is_empty() {
            ls.shoot_by_uid.insert(s.uid().to_string(), key.clone());
        }
        if let Some(seed) = s.seed_name() {
            ls.shoots_by_seed
                .entry(seed.to_string())
                .or_default()
                .insert(key.clone());
        }
        ls.shoots.insert(key, s);
    }
    fn remove(ls: &mut Landscape, key: &ObjKey) -> bool {
        ls.unindex_shoot(key);
        ls.shoots.remove(key).is_some()
    }
    fn clear(ls: &mut Landscape) {
        ls.shoots.clear();
        ls.shoot_by_uid.clear();
        ls.shoots_by_seed.clear();
    }
}

/// Projects are indexed by their namespace.
impl Stored for Project {
    fn upsert(ls: &mut Landscape, key: ObjKey, o: Arc<Self>) {
        if let Some(prev) = ls.projects.get(&key) {
            ls.project_by_namespace.remove(&prev.namespace());
        }
        ls.project_by_namespace.insert(o.namespace(), key.clone());
        ls.projects.insert(key, o);
    }
    fn remove(ls: &mut Landscape, key: &ObjKey) -> bool {
        match ls.projects.remove(key) {
            Some(p) => {
                ls.project_by_namespace.remove(&p.namespace());
                true
            }
            None => false,
        }
    }
    fn clear(ls: &mut Landscape) {
        ls.projects.clear();
        ls.project_by_namespace.clear();
    }
}
