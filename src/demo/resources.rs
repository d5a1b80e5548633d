//! The resources the simulated API server serves and its discovery documents.

use serde_json::{Value, json};

/// One served resource (group/version/plural).
#[derive(Debug)]
pub(crate) struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Stored in the object store (false: a virtual create-only resource).
    pub stored: bool,
    /// Served by an aggregated/built-in server that accepts strategic merge
    /// patches; CRDs do not (415).
    pub builtin: bool,
}

impl ResourceDef {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// `shoots.core.gardener.cloud` / `namespaces` as Kubernetes names it in errors.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
}

#[allow(clippy::too_many_arguments)]
const fn res(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    builtin: bool,
) -> ResourceDef {
    ResourceDef {
        group,
        version,
        plural,
        singular,
        kind,
        namespaced,
        short_names,
        categories: &[],
        stored: true,
        builtin,
    }
}

pub(crate) const GARDEN: &str = "core.gardener.cloud";
pub(crate) const CAPI: &str = "cluster.x-k8s.io";
pub(crate) const CAPI_CP: &str = "controlplane.cluster.x-k8s.io";
pub(crate) const CAPI_INFRA: &str = "infrastructure.cluster.x-k8s.io";
pub(crate) const KAMAJI: &str = "kamaji.clastix.io";
pub(crate) const AUTHZ: &str = "authorization.k8s.io";

/// Index constants into [`RESOURCES`].
pub(crate) const NAMESPACES: usize = 0;
pub(crate) const PROJECTS: usize = 1;
pub(crate) const SEEDS: usize = 2;
pub(crate) const CLOUDPROFILES: usize = 3;
pub(crate) const SHOOTS: usize = 4;
pub(crate) const CLUSTERS: usize = 5;
pub(crate) const MACHINES: usize = 6;
pub(crate) const MACHINEDEPLOYMENTS: usize = 7;
pub(crate) const KCPS: usize = 8;
pub(crate) const METALSTACKCLUSTERS: usize = 9;
pub(crate) const METALSTACKMACHINES: usize = 10;
pub(crate) const TENANTCONTROLPLANES: usize = 11;
pub(crate) const SSAR: usize = 12;

pub(crate) static RESOURCES: [ResourceDef; 13] = [
    res(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        true,
    ),
    res(
        GARDEN,
        "v1beta1",
        "projects",
        "project",
        "Project",
        false,
        &[],
        true,
    ),
    res(GARDEN, "v1beta1", "seeds", "seed", "Seed", false, &[], true),
    res(
        GARDEN,
        "v1beta1",
        "cloudprofiles",
        "cloudprofile",
        "CloudProfile",
        false,
        &[],
        true,
    ),
    res(
        GARDEN,
        "v1beta1",
        "shoots",
        "shoot",
        "Shoot",
        true,
        &[],
        true,
    ),
    res(
        CAPI,
        "v1beta2",
        "clusters",
        "cluster",
        "Cluster",
        true,
        &["cl"],
        false,
    ),
    res(
        CAPI,
        "v1beta2",
        "machines",
        "machine",
        "Machine",
        true,
        &["ma"],
        false,
    ),
    res(
        CAPI,
        "v1beta2",
        "machinedeployments",
        "machinedeployment",
        "MachineDeployment",
        true,
        &["md"],
        false,
    ),
    res(
        CAPI_CP,
        "v1beta2",
        "kubeadmcontrolplanes",
        "kubeadmcontrolplane",
        "KubeadmControlPlane",
        true,
        &["kcp"],
        false,
    ),
    res(
        CAPI_INFRA,
        "v1alpha1",
        "metalstackclusters",
        "metalstackcluster",
        "MetalStackCluster",
        true,
        &[],
        false,
    ),
    res(
        CAPI_INFRA,
        "v1alpha1",
        "metalstackmachines",
        "metalstackmachine",
        "MetalStackMachine",
        true,
        &[],
        false,
    ),
    res(
        KAMAJI,
        "v1alpha1",
        "tenantcontrolplanes",
        "tenantcontrolplane",
        "TenantControlPlane",
        true,
        &["tcp"],
        false,
    ),
    ResourceDef {
        group: AUTHZ,
        version: "v1",
        plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview",
        kind: "SelfSubjectAccessReview",
        namespaced: false,
        short_names: &[],
        categories: &[],
        stored: false,
        builtin: true,
    },
];

pub(crate) fn find(group: &str, version: &str, plural: &str) -> Option<usize> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.version == version && r.plural == plural)
}

fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES.iter().filter(|r| !r.group.is_empty()) {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

pub(crate) fn version_doc() -> Value {
    json!({
        "major": "1", "minor": "33", "gitVersion": "v1.33.5-kclm-demo",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.26.0", "compiler": "gc",
        "platform": "linux/amd64"
    })
}

pub(crate) fn api_versions() -> Value {
    json!({
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]
    })
}

pub(crate) fn api_group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|(g, v)| {
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub(crate) fn api_group(group: &str) -> Option<Value> {
    let (g, v) = groups().into_iter().find(|(g, _)| *g == group)?;
    let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
    Some(
        json!({"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv.clone()], "preferredVersion": gv}),
    )
}

/// `APIResourceList` for `/api/v1` (group "") or `/apis/{group}/{version}`.
pub(crate) fn resource_list(group: &str, version: &str) -> Option<Value> {
    let mut list = Vec::new();
    for r in RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let verbs: Vec<&str> = if r.stored {
            vec![
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]
        } else {
            vec!["create"]
        };
        let mut e = json!({
            "name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
            "kind": r.kind, "verbs": verbs,
        });
        if !r.short_names.is_empty() {
            e["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            e["categories"] = json!(r.categories);
        }
        list.push(e);
        if r.stored {
            list.push(json!({
                "name": format!("{}/status", r.plural), "singularName": "", "namespaced": r.namespaced,
                "kind": r.kind, "verbs": ["get", "patch", "update"]
            }));
        }
    }
    if list.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}),
    )
}
