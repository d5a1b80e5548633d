//! Derived rows, kept in step with the store by what each update touched:
//! a shoot's status change rewrites that shoot's row, not 10,000 of them.

use std::collections::{BTreeSet, HashMap};

use kclm::filter::{RowSet, SearchColumn, Version, next_epoch};
use kclm::landscape::rows::{
    self, CloudProfileRow, ClusterRow, MachineRow, PartitionRow, ProjectRow, SeedRow, ShootRow,
    TenantRow,
};
use kclm::landscape::{KubeObject, Landscape, ObjKey, Update};

use super::state::ViewKind;
use super::views::maint::MaintRow;

#[derive(Debug, Default)]
pub struct RowCache {
    pub shoots: RowSet<ShootRow>,
    pub seeds: Vec<SeedRow>,
    pub projects: Vec<ProjectRow>,
    /// Machines and firewalls (`role` tells them apart).
    pub metal: RowSet<MachineRow>,
    pub cloudprofiles: Vec<CloudProfileRow>,
    pub clusters: Vec<ClusterRow>,
    pub tenants: Vec<TenantRow>,
    pub partitions: Vec<PartitionRow>,
    /// Built only while the maintenance view is shown (it evaluates windows,
    /// schedules and version lifecycles per shoot).
    pub maint: Vec<MaintRow>,
    /// (generation, minute) the maintenance rows were built for.
    pub maint_key: Option<(u64, i64)>,
    /// Changes whenever rows other than shoots and machines change (sort
    /// orders are kept per generation); see [`next_epoch`].
    pub generation: u64,
    /// `namespace/name` -> index into `shoots`.
    shoot_index: HashMap<ObjKey, usize>,
}

/// Which rows pending updates invalidate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dirty {
    pub all: bool,
    /// Shoots whose rows can be rewritten in place.
    pub shoots: BTreeSet<ObjKey>,
    /// Shoots were added or removed, or a project changed: rebuild shoot rows.
    pub shoot_set: bool,
    pub metal: bool,
    /// Seeds, projects, cloud profiles, CAPI, Kamaji.
    pub other: bool,
}

impl Dirty {
    pub fn everything() -> Self {
        Self {
            all: true,
            ..Self::default()
        }
    }

    pub fn any(&self) -> bool {
        self.all || self.shoot_set || self.metal || self.other || !self.shoots.is_empty()
    }

    /// Notes what `u` will change; call before applying it.
    pub fn note(&mut self, ls: &Landscape, u: &Update) {
        match u {
            Update::Source(..) => {}
            Update::Metal(_) => self.metal = true,
            Update::Applied(KubeObject::Shoot(s)) => {
                let key = ObjKey::of(&s.metadata);
                match ls.shoots.get(&key) {
                    // Same shoot, same uid: its machines stay joined.
                    Some(old) if old.uid() == s.uid() => {
                        self.shoots.insert(key);
                    }
                    _ => self.shoot_set = true,
                }
                self.other = true;
            }
            Update::Deleted(KubeObject::Shoot(_))
            | Update::Relisted(kclm::landscape::Kind::Shoot, _) => {
                self.shoot_set = true;
                self.other = true;
            }
            Update::Applied(KubeObject::Project(_))
            | Update::Deleted(KubeObject::Project(_))
            | Update::Relisted(kclm::landscape::Kind::Project, _) => {
                self.shoot_set = true;
                self.other = true;
            }
            Update::Applied(o) | Update::Deleted(o) => {
                // CAPI objects join metal machines to clusters.
                if o.kind().group() == kclm::landscape::SourceGroup::Capi {
                    self.metal = true;
                }
                self.other = true;
            }
            Update::Relisted(kind, _) => {
                if kind.group() == kclm::landscape::SourceGroup::Capi {
                    self.metal = true;
                }
                self.other = true;
            }
        }
    }
}

impl RowCache {
    /// The search texts of a kind that keeps them (the long lists).
    pub fn search_of(&self, kind: ViewKind) -> Option<&SearchColumn> {
        match kind {
            ViewKind::Shoots => Some(self.shoots.search()),
            ViewKind::Machines | ViewKind::Firewalls => Some(self.metal.search()),
            _ => None,
        }
    }

    /// What a kind's rows are at, for kept sort orders.
    pub fn version_of(&self, kind: ViewKind) -> Version<'_> {
        match kind {
            ViewKind::Shoots => self.shoots.version(),
            ViewKind::Machines | ViewKind::Firewalls => self.metal.version(),
            _ => Version {
                epoch: self.generation,
                touched: &[],
            },
        }
    }

    #[cfg(test)]
    pub fn build(ls: &Landscape) -> Self {
        let mut c = Self::default();
        c.sync(ls, &Dirty::everything());
        c
    }

    /// Rewrites the machine and firewall rows that changed, when the store
    /// holds the same machines as the rows (the common metal-api round):
    /// 11,000 rows are then never built twice over. `false` when the set of
    /// machines changed and the rows must be built anew.
    fn sync_metal_in_place(&mut self, ls: &Landscape) -> bool {
        let ids = ls.machines.keys().chain(ls.firewalls.keys());
        if ls.machines.len() + ls.firewalls.len() != self.metal.len()
            || !ids.zip(self.metal.iter()).all(|(id, r)| *id == r.id)
        {
            return false;
        }
        let all = ls.machines.values().chain(ls.firewalls.values());
        for (i, m) in all.enumerate() {
            let row = rows::machine_row(ls, m);
            if row != self.metal[i] {
                self.metal.set(i, row);
            }
        }
        true
    }

    /// Updates the rows `dirty` names.
    pub fn sync(&mut self, ls: &Landscape, dirty: &Dirty) {
        if dirty.any() {
            self.generation = next_epoch();
        }
        let all = dirty.all;
        if all || dirty.shoot_set {
            self.shoots.replace(rows::shoot_rows(ls));
            self.shoot_index = self
                .shoots
                .iter()
                .enumerate()
                .map(|(i, r)| (ObjKey::new(&r.namespace, &r.name), i))
                .collect();
        } else {
            for key in &dirty.shoots {
                if let (Some(&i), Some(s)) = (self.shoot_index.get(key), ls.shoots.get(key)) {
                    self.shoots.set(i, rows::shoot_row(ls, s));
                }
            }
            if dirty.metal {
                // Machine and firewall counts come from the metal snapshot.
                self.shoots.update_unsearched(|r| {
                    let Some(s) = ls.shoots.get(&ObjKey::new(&r.namespace, &r.name)) else {
                        return false;
                    };
                    let counts = (
                        ls.machine_count_of_shoot(s),
                        ls.firewalls_of_shoot(s).count(),
                    );
                    let changed = counts != (r.machines, r.firewalls);
                    (r.machines, r.firewalls) = counts;
                    changed
                });
            }
        }
        if all || dirty.metal || dirty.shoot_set {
            if all || !self.sync_metal_in_place(ls) {
                let mut metal = rows::machine_rows(ls);
                metal.extend(rows::firewall_rows(ls));
                self.metal.replace(metal);
            }
            self.partitions = rows::partition_rows(ls);
        }
        if dirty.any() {
            self.seeds = rows::seed_rows(ls);
            self.projects = rows::project_rows(ls);
            self.cloudprofiles = rows::cloudprofile_rows(ls);
            self.clusters = rows::cluster_rows(ls);
            self.tenants = rows::tenant_rows(ls);
            self.maint_key = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::tests::fixtures;

    /// Incremental sync must end where a full rebuild ends.
    #[test]
    fn incremental_sync_matches_a_full_rebuild() {
        let mut ls = fixtures::landscape();
        let mut cache = RowCache::build(&ls);
        let mut shoot = fixtures::garden_objects()
            .into_iter()
            .find_map(|o| match o {
                KubeObject::Shoot(s) if s.name() == "web-stage" => {
                    Some(std::sync::Arc::unwrap_or_clone(s))
                }
                _ => None,
            })
            .expect("fixture shoot");
        if let Some(op) = shoot
            .status
            .as_mut()
            .and_then(|s| s.last_operation.as_mut())
        {
            op.progress = 90;
        }
        let batch = vec![
            Update::Applied(KubeObject::from(shoot)),
            Update::Metal(Box::new(kclm::landscape::MetalSnapshot {
                machines: Some(Vec::new()),
                ..Default::default()
            })),
        ];
        let mut dirty = Dirty::default();
        for u in batch {
            dirty.note(&ls, &u);
            ls.apply(u);
        }
        assert!(!dirty.shoot_set && dirty.shoots.len() == 1 && dirty.metal);
        let counts = |c: &RowCache| -> Vec<(usize, usize)> {
            c.shoots.iter().map(|r| (r.machines, r.firewalls)).collect()
        };
        let before = counts(&cache);
        cache.sync(&ls, &dirty);
        let full = RowCache::build(&ls);
        let recounted = before
            .iter()
            .zip(counts(&full))
            .filter(|(a, b)| **a != *b)
            .count();
        assert!(recounted > 0, "the fixture's shoots had machines");
        assert_eq!(cache.shoots[..], full.shoots[..]);
        assert_eq!(cache.metal[..], full.metal[..]);
        for i in 0..full.shoots.len() {
            let text = |c: &RowCache| c.shoots.search().get(i).text().to_string();
            assert_eq!(text(&cache), text(&full), "search text of shoot {i}");
        }
        assert_eq!(
            cache.shoots.version().touched.len(),
            1 + recounted,
            "the rewritten row and the rows whose counts changed are noted for the sort"
        );
        assert_eq!(cache.projects, full.projects);
        let stage = cache
            .shoots
            .iter()
            .find(|r| r.name == "web-stage")
            .expect("row");
        assert_eq!(stage.last_operation.as_ref().map(|o| o.progress), Some(90));
        let prod = cache
            .shoots
            .iter()
            .find(|r| r.name == "web-prod")
            .expect("row");
        assert_eq!(prod.machines, 0, "machine counts follow the metal snapshot");
    }

    /// A metal round with the same machines rewrites only the rows that
    /// changed (an event time, a liveliness), and ends where a rebuild ends.
    #[test]
    fn a_metal_round_rewrites_changed_machine_rows_in_place() {
        let mut ls = fixtures::landscape();
        let mut cache = RowCache::build(&ls);
        let epoch = cache.metal.version().epoch;
        let mut snap = fixtures::metal_snapshot();
        let machines = snap.machines.as_mut().expect("machines");
        let changed_id = machines[0].id.clone();
        std::sync::Arc::make_mut(&mut machines[0]).liveliness = "Dead".into();
        let heartbeat_id = machines[1].id.clone();
        snap.event_times = Some(
            [(heartbeat_id.clone(), "2026-12-02T12:00:00Z".to_string())]
                .into_iter()
                .collect(),
        );
        let u = Update::Metal(Box::new(snap));
        let mut dirty = Dirty::default();
        dirty.note(&ls, &u);
        ls.apply(u);
        cache.sync(&ls, &dirty);

        let full = RowCache::build(&ls);
        assert_eq!(cache.metal[..], full.metal[..]);
        for i in 0..full.metal.len() {
            let text = |c: &RowCache| c.metal.search().get(i).text().to_string();
            assert_eq!(text(&cache), text(&full), "search text of machine {i}");
        }
        let v = cache.metal.version();
        assert_eq!(v.epoch, epoch, "same machines: no rebuild");
        let touched: Vec<&str> = v
            .touched
            .iter()
            .map(|&i| cache.metal[i as usize].id.as_str())
            .collect();
        assert_eq!(touched, [changed_id.as_str(), heartbeat_id.as_str()]);
        let row = cache.metal.iter().find(|r| r.id == heartbeat_id).unwrap();
        assert_eq!(
            row.last_event_time.as_deref(),
            Some("2026-12-02T12:00:00Z"),
            "the event time kept beside the machine is the row's"
        );

        // A machine gone: the rows are built anew.
        let mut snap = fixtures::metal_snapshot();
        snap.machines.as_mut().unwrap().remove(0);
        let u = Update::Metal(Box::new(snap));
        let mut dirty = Dirty::default();
        dirty.note(&ls, &u);
        ls.apply(u);
        cache.sync(&ls, &dirty);
        assert_ne!(cache.metal.version().epoch, epoch);
        assert_eq!(cache.metal[..], RowCache::build(&ls).metal[..]);
    }
}
