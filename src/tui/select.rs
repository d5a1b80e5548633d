//! The object behind the selection: its YAML, what `c` copies and which shoot
//! `o` opens.

use kclm::landscape::ObjKey;

use super::state::{State, ViewKind};

/// `namespace/name` of the shoot the selection is about (a shoot, or the
/// shoot of a selected machine/firewall).
pub fn shoot_of_selection(s: &State) -> Option<String> {
    match s.active() {
        ViewKind::Machines | ViewKind::Firewalls => s.selected_metal(s.active())?.shoot.clone(),
        ViewKind::Shoots => s
            .selected_shoot()
            .map(|r| format!("{}/{}", r.namespace, r.name)),
        ViewKind::Maint => {
            let i = s.pane(ViewKind::Maint).selected_index()?;
            s.ls.rows
                .maint
                .get(i)
                .map(|r| format!("{}/{}", r.namespace, r.name))
        }
        _ => s
            .selected_shoot()
            .filter(|_| s.active().is_landscape())
            .map(|r| format!("{}/{}", r.namespace, r.name)),
    }
}

/// What `c` copies: a shoot's name, a machine's id, a seed's name ...
pub fn copy_text(s: &State) -> Option<String> {
    let kind = s.active();
    let i = s.pane(kind).selected_index()?;
    let r = &s.ls.rows;
    Some(match kind {
        ViewKind::Shoots => r.shoots.get(i)?.name.clone(),
        ViewKind::Maint => r.maint.get(i)?.name.clone(),
        ViewKind::Seeds => r.seeds.get(i)?.name.clone(),
        ViewKind::Projects => r.projects.get(i)?.name.clone(),
        ViewKind::Machines | ViewKind::Firewalls => r.metal.get(i)?.id.clone(),
        ViewKind::CloudProfiles => r.cloudprofiles.get(i)?.name.clone(),
        ViewKind::Clusters => r.clusters.get(i)?.name.clone(),
        ViewKind::Tenants => r.tenants.get(i)?.name.clone(),
        ViewKind::Partitions => r.partitions.get(i)?.id.clone(),
    })
}

fn to_yaml<T: serde::Serialize>(v: &T) -> String {
    serde_saphyr::to_string(v).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n"))
}

/// The Kubernetes object behind the selection, for fetching its full YAML
/// (the store holds slim copies). `None` for metal-api objects.
pub fn fetch_ref_of_selection(s: &State) -> Option<(kclm::landscape::Kind, ObjKey)> {
    use kclm::landscape::Kind;
    let kind = s.active();
    let i = s.pane(kind).selected_index()?;
    let r = &s.ls.rows;
    Some(match kind {
        ViewKind::Maint => {
            let row = r.maint.get(i)?;
            (Kind::Shoot, ObjKey::new(&row.namespace, &row.name))
        }
        ViewKind::Shoots => {
            let row = r.shoots.get(i)?;
            (Kind::Shoot, ObjKey::new(&row.namespace, &row.name))
        }
        ViewKind::Seeds => (Kind::Seed, ObjKey::new("", &r.seeds.get(i)?.name)),
        ViewKind::Projects => (Kind::Project, ObjKey::new("", &r.projects.get(i)?.name)),
        ViewKind::CloudProfiles => (
            Kind::CloudProfile,
            ObjKey::new("", &r.cloudprofiles.get(i)?.name),
        ),
        ViewKind::Clusters => {
            let row = r.clusters.get(i)?;
            (Kind::Cluster, ObjKey::new(&row.namespace, &row.name))
        }
        ViewKind::Tenants => {
            let row = r.tenants.get(i)?;
            (
                Kind::TenantControlPlane,
                ObjKey::new(&row.namespace, &row.name),
            )
        }
        _ => return None,
    })
}

/// Title and YAML text of the selected object, straight from the store.
pub fn yaml_of_selection(s: &State) -> Option<(String, String)> {
    let kind = s.active();
    let i = s.pane(kind).selected_index()?;
    let (r, ls) = (&s.ls.rows, &s.ls.store);
    let out = match kind {
        ViewKind::Maint => {
            let row = r.maint.get(i)?;
            let o = ls.shoots.get(&ObjKey::new(&row.namespace, &row.name))?;
            (
                format!("shoot {}/{}", row.namespace, row.name),
                to_yaml(&**o),
            )
        }
        ViewKind::Shoots => {
            let row = r.shoots.get(i)?;
            let o = ls.shoots.get(&ObjKey::new(&row.namespace, &row.name))?;
            (
                format!("shoot {}/{}", row.namespace, row.name),
                to_yaml(&**o),
            )
        }
        ViewKind::Seeds => {
            let row = r.seeds.get(i)?;
            let o = ls.seeds.get(&ObjKey::new("", &row.name))?;
            (format!("seed {}", row.name), to_yaml(&**o))
        }
        ViewKind::Projects => {
            let row = r.projects.get(i)?;
            let o = ls.projects.get(&ObjKey::new("", &row.name))?;
            (format!("project {}", row.name), to_yaml(&**o))
        }
        ViewKind::Machines | ViewKind::Firewalls => {
            let row = r.metal.get(i)?;
            let o = ls.metal_object(&row.id)?;
            let what = if row.role == "firewall" {
                "firewall"
            } else {
                "machine"
            };
            (format!("{what} {}", row.id), to_yaml(&o))
        }
        ViewKind::CloudProfiles => {
            let row = r.cloudprofiles.get(i)?;
            let o = ls.cloudprofiles.get(&ObjKey::new("", &row.name))?;
            (format!("cloudprofile {}", row.name), to_yaml(&**o))
        }
        ViewKind::Clusters => {
            let row = r.clusters.get(i)?;
            let o = ls.clusters.get(&ObjKey::new(&row.namespace, &row.name))?;
            (
                format!("cluster {}/{}", row.namespace, row.name),
                to_yaml(&**o),
            )
        }
        ViewKind::Tenants => {
            let row = r.tenants.get(i)?;
            let o = ls
                .tenant_control_planes
                .get(&ObjKey::new(&row.namespace, &row.name))?;
            (
                format!("tenantcontrolplane {}/{}", row.namespace, row.name),
                to_yaml(&**o),
            )
        }
        ViewKind::Partitions => {
            let row = r.partitions.get(i)?;
            let o = ls.partitions.get(&row.id)?;
            (format!("partition {}", row.id), to_yaml(&**o))
        }
    };
    Some(out)
}
