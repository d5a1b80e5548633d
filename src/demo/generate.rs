//! The generated Gardener landscape: projects, seeds, CloudProfiles and shoots
//! with a deliberate mix of states (healthy, failing, hibernated, expiring
//! versions, pending maintenance...), deterministic for a seed.

use serde_json::{Value, json};

use super::Scale;
use super::generate_infra;
use super::generate_shoot::{SHOOT_WORDS, SPECIALS, Special, gen_shoot};
use super::kube_store::KubeStore;
use super::metal_store::{MetalStore, ts};
use super::resources::{CLOUDPROFILES, NAMESPACES, PROJECTS, SEEDS, SHOOTS};
use super::rng::Rng;
use super::simulate::SimState;

pub(crate) const GARDENER_VERSION: &str = "v1.136.7";
const DAY: i64 = 86_400;

/// (version, classification, expires in days) of the `metal` CloudProfile.
const K8S_METAL: &[(&str, &str, Option<i64>)] = &[
    ("1.34.1", "preview", None),
    ("1.33.5", "supported", None),
    ("1.33.3", "deprecated", Some(75)),
    ("1.32.9", "supported", None),
    ("1.32.7", "deprecated", Some(5)),
    ("1.31.13", "deprecated", Some(40)),
    ("1.31.11", "deprecated", Some(20)),
];
const K8S_LEGACY: &[(&str, &str, Option<i64>)] = &[
    ("1.31.13", "supported", None),
    ("1.31.11", "deprecated", Some(20)),
    ("1.30.14", "deprecated", Some(10)),
];
/// (image, version, classification, expires in days).
const IMAGES: &[(&str, &str, &str, Option<i64>)] = &[
    ("ubuntu", "24.4.20250901", "supported", None),
    ("ubuntu", "24.4.20250715", "deprecated", Some(30)),
    ("ubuntu", "22.4.20250801", "deprecated", Some(90)),
    ("debian", "12.0.20250815", "supported", None),
    ("debian", "12.0.20250601", "deprecated", Some(25)),
];
pub(crate) const FIREWALL_IMAGES: &[&str] = &[
    "firewall-ubuntu-3.0.20250901",
    "firewall-ubuntu-3.0.20250715",
];
/// (partition, region).
pub(crate) const PARTITIONS: &[(&str, &str)] = &[
    ("fra-equ01", "fra"),
    ("fra-equ02", "fra"),
    ("ams-dc1", "ams"),
];
/// (size, cpu, memory GiB).
pub(crate) const SIZES: &[(&str, i64, i64)] = &[
    ("c1-xlarge-x86", 32, 256),
    ("c2-large-x86", 16, 128),
    ("n1-medium-x86", 8, 32),
];
pub(crate) const FIREWALL_SIZE: &str = "n1-medium-x86";

const PROJECT_WORDS: &[&str] = &[
    "payments",
    "webshop",
    "analytics",
    "platform",
    "iot",
    "search",
    "mlops",
    "identity",
    "logistics",
    "media",
];

pub(crate) struct ProjectInfo {
    pub name: String,
    pub namespace: String,
    pub metal_project: String,
    pub tenant: String,
}

pub(crate) struct SeedInfo {
    pub name: String,
    pub partition: &'static str,
    pub ready: bool,
}

/// Builds the whole landscape into the stores and returns the simulation state.
pub(crate) fn generate(
    scale: Scale,
    seed: u64,
    kube: &mut KubeStore,
    metal: &mut MetalStore,
) -> SimState {
    let mut rng = Rng::new(seed);
    let n_shoots = scale.shoots();
    let (n_projects, n_seeds) = match scale {
        Scale::Small => (5, 3),
        Scale::Large => (300, 500),
        Scale::Count(n) => ((n / 33).clamp(3, 300), (n / 20).clamp(3, 500)),
    };
    for ns in ["default", "kube-system", generate_infra::CAPI_NAMESPACE] {
        let obj = namespace(ns, None, kube);
        kube.create(NAMESPACES, obj);
    }
    kube.create(
        CLOUDPROFILES,
        cloudprofile("metal", K8S_METAL, &["fra", "ams"], true),
    );
    kube.create(
        CLOUDPROFILES,
        cloudprofile("metal-legacy", K8S_LEGACY, &["fra"], false),
    );
    let projects = gen_projects(n_projects, &mut rng, kube);
    let seeds = gen_seeds(n_seeds, &mut rng, kube);
    generate_infra::catalog(metal);
    let mut machines = Vec::new();
    let mut used: std::collections::HashSet<(usize, String)> = Default::default();
    for i in 0..n_shoots {
        let special = if let Some(sp) = SPECIALS.get(i) {
            *sp
        } else if n_shoots >= 100 && i % 2 == 0 {
            // Large landscapes hibernate half their shoots so ~1 machine per shoot suffices.
            Special::Hibernated
        } else if i % 10 == 0 {
            SPECIALS[rng.below(SPECIALS.len())]
        } else {
            Special::None
        };
        let p = if special == Special::Infrastructure {
            0
        } else {
            1 + (i % (projects.len() - 1))
        };
        let project = &projects[p];
        let mut name = if n_shoots <= SHOOT_WORDS.len() * 2 {
            rng.pick(SHOOT_WORDS).to_string()
        } else {
            format!("{}-{}", rng.pick(SHOOT_WORDS), i)
        };
        while used.contains(&(p, name.clone())) {
            name = format!("{}-{}", rng.pick(SHOOT_WORDS), rng.suffix(3));
        }
        used.insert((p, name.clone()));
        let (shoot, m) = gen_shoot(i, &name, special, project, &seeds, n_shoots, &mut rng, kube);
        kube.create(SHOOTS, shoot);
        if let Some(m) = m {
            machines.push(m);
        }
    }
    let racks = if n_shoots >= 1000 { 40 } else { 4 };
    generate_infra::machines(&mut rng, metal, &machines, racks);
    generate_infra::capi(&mut rng, kube, metal);
    SimState::new(rng)
}

fn namespace(name: &str, project: Option<&str>, kube: &mut KubeStore) -> Value {
    let mut labels = json!({"kubernetes.io/metadata.name": name});
    if let Some(p) = project {
        labels["gardener.cloud/role"] = json!("project");
        labels["project.gardener.cloud/name"] = json!(p);
    }
    json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": labels, "uid": kube.uids.uuid(), "creationTimestamp": ts(-400 * DAY)},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
    })
}

fn expiring(list: &[(&str, &str, Option<i64>)]) -> Vec<Value> {
    list.iter()
        .map(|(v, class, exp)| {
            let mut e = json!({"version": v, "classification": class});
            if let Some(d) = exp {
                e["expirationDate"] = json!(ts(d * DAY));
            }
            e
        })
        .collect()
}

fn cloudprofile(
    name: &str,
    k8s: &[(&str, &str, Option<i64>)],
    regions: &[&str],
    current_images: bool,
) -> Value {
    let mut images: Vec<Value> = Vec::new();
    for img in ["ubuntu", "debian"] {
        let versions: Vec<Value> = IMAGES
            .iter()
            .filter(|(n, v, _, _)| *n == img && (current_images || v.starts_with("22") || v.starts_with("12")))
            .map(|(_, v, class, exp)| {
                let mut e = json!({"version": v, "classification": class, "cri": [{"name": "containerd"}], "architectures": ["amd64"]});
                if let Some(d) = exp {
                    e["expirationDate"] = json!(ts(d * DAY));
                }
                e
            })
            .collect();
        images.push(json!({"name": img, "versions": versions, "updateStrategy": "minor"}));
    }
    let machine_types: Vec<Value> = SIZES
        .iter()
        .map(|(s, cpu, mem)| json!({"name": s, "cpu": cpu.to_string(), "gpu": "0", "memory": format!("{mem}Gi"), "usable": true, "architecture": "amd64"}))
        .collect();
    let regions_json: Vec<Value> = regions
        .iter()
        .map(|r| {
            let zones: Vec<Value> = PARTITIONS
                .iter()
                .filter(|(_, reg)| reg == r)
                .map(|(p, _)| json!({"name": p}))
                .collect();
            json!({"name": r, "zones": zones})
        })
        .collect();
    let mut partitions = serde_json::Map::new();
    for (p, reg) in PARTITIONS {
        if regions.contains(reg) {
            partitions.insert(p.to_string(), json!({"firewallTypes": [FIREWALL_SIZE]}));
        }
    }
    let provider_config = json!({
        "apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "CloudProfileConfig",
        "metalControlPlanes": {"prod": {
            "endpoint": "https://api.demo.metal-stack.io/metal",
            "partitions": partitions,
            "firewallImages": FIREWALL_IMAGES,
            "firewallControllerVersions": [{"version": "v2.3.8", "classification": "supported",
                "url": "https://images.metal-stack.io/firewall-controller/v2.3.8/firewall-controller"}],
            "nftablesExporter": {"version": "v0.2.6", "url": "https://images.metal-stack.io/nftables-exporter/v0.2.6/nftables-exporter.tar.gz"}
        }}
    });
    json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "CloudProfile",
        "metadata": {"name": name, "creationTimestamp": ts(-500 * DAY)},
        "spec": {
            "type": "metal", "kubernetes": {"versions": expiring(k8s)}, "machineImages": images,
            "machineTypes": machine_types, "regions": regions_json, "providerConfig": provider_config,
            "seedSelector": {"providerTypes": ["metal"]}
        },
        "status": {}
    })
}

fn gen_projects(n: usize, rng: &mut Rng, kube: &mut KubeStore) -> Vec<ProjectInfo> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = if i == 0 {
            "garden".to_string()
        } else if n <= PROJECT_WORDS.len() + 1 {
            PROJECT_WORDS[i - 1].to_string()
        } else {
            format!("{}-{i}", PROJECT_WORDS[i % PROJECT_WORDS.len()])
        };
        let ns = if i == 0 {
            "garden".to_string()
        } else {
            format!("garden-{name}")
        };
        let owner = format!("{}@example.com", ["alice", "bob", "carol", "dave"][i % 4]);
        let info = ProjectInfo {
            metal_project: rng.uuid(),
            tenant: if i == 0 {
                "metal-stack".into()
            } else {
                format!("tenant-{}", name.split('-').next().unwrap_or("x"))
            },
            name: name.clone(),
            namespace: ns.clone(),
        };
        let ns_obj = namespace(&ns, Some(&name), kube);
        kube.create(NAMESPACES, ns_obj);
        let subject =
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": owner});
        let uid = kube.uids.uuid();
        kube.create(
            PROJECTS,
            json!({
                "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Project",
                "metadata": {"name": name, "uid": uid, "creationTimestamp": ts(-(300 + i as i64) * DAY),
                             "finalizers": ["gardener"], "labels": {}},
                "spec": {
                    "namespace": ns, "owner": subject, "createdBy": subject,
                    "description": if i == 0 { "The operators' project.".to_string() } else { format!("Clusters of the {name} team.") },
                    "purpose": if i == 0 { "infrastructure" } else { "production" },
                    "members": [
                        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": owner, "role": "admin", "roles": ["owner"]},
                        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "ops@example.com", "role": "viewer"}
                    ]
                },
                "status": {"observedGeneration": 1, "phase": "Ready", "lastActivityTimestamp": ts(-rng.between(60, 86_000))}
            }),
        );
        out.push(info);
    }
    out
}

fn seed_condition(t: &str, ok: bool, msg: &str) -> Value {
    json!({"type": t, "status": if ok { "True" } else { "False" }, "reason": if ok { t.to_string() } else { "GardenletNotReady".into() },
           "message": msg, "lastTransitionTime": ts(-30 * DAY), "lastUpdateTime": ts(-60)})
}

fn gen_seeds(n: usize, rng: &mut Rng, kube: &mut KubeStore) -> Vec<SeedInfo> {
    let mut out = Vec::new();
    for i in 0..n {
        let (partition, region) = PARTITIONS[i % PARTITIONS.len()];
        let name = if n <= 3 {
            format!("{region}-{}", if partition.ends_with("02") { 2 } else { 1 })
        } else {
            format!("{partition}-{:03}", i / PARTITIONS.len() + 1)
        };
        let ready = partition != "ams-dc1" || i >= PARTITIONS.len();
        let conditions = if ready {
            vec![
                seed_condition("GardenletReady", true, "Gardenlet is posting ready status."),
                seed_condition("BackupBucketsReady", true, "Backup Buckets are available."),
                seed_condition(
                    "ExtensionsReady",
                    true,
                    "All extensions installed into the seed cluster are ready and healthy.",
                ),
                seed_condition(
                    "SeedSystemComponentsHealthy",
                    true,
                    "All system components are healthy.",
                ),
            ]
        } else {
            vec![
                json!({"type": "GardenletReady", "status": "False", "reason": "GardenletNotReady",
                       "message": "Gardenlet stopped posting seed status.", "lastTransitionTime": ts(-2 * 3600), "lastUpdateTime": ts(-2 * 3600)}),
                seed_condition("BackupBucketsReady", true, "Backup Buckets are available."),
                json!({"type": "ExtensionsReady", "status": "Unknown", "reason": "StatusUnknown",
                       "message": "Gardenlet stopped posting seed status.", "lastTransitionTime": ts(-2 * 3600), "lastUpdateTime": ts(-2 * 3600)}),
            ]
        };
        let capacity = if n <= 3 { 250 } else { 50 };
        let uid = kube.uids.uuid();
        kube.create(
            SEEDS,
            json!({
                "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Seed",
                "metadata": {"name": name, "uid": uid, "creationTimestamp": ts(-(350 - i as i64 % 300) * DAY),
                             "labels": {"seed.gardener.cloud/partition": partition}},
                "spec": {
                    "provider": {"type": "metal", "region": region, "zones": [partition]},
                    "ingress": {"domain": format!("ingress.{name}.seed.demo.metal-stack.io"), "controller": {"kind": "nginx"}},
                    "dns": {"provider": {"type": "powerdns", "secretRef": {"name": "seed-dns", "namespace": "garden"}}},
                    "networks": {"nodes": format!("10.{}.0.0/16", 100 + i % 100), "pods": "10.244.128.0/17", "services": "10.244.0.0/17",
                                 "shootDefaults": {"pods": "10.240.0.0/13", "services": "10.248.0.0/18"}},
                    "settings": {"scheduling": {"visible": true}, "excessCapacityReservation": {"enabled": false}},
                    "backup": {"provider": "s3", "region": region, "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "backup-s3", "namespace": "garden"}}
                },
                "status": {
                    "gardener": {"id": rng.hex(16), "name": format!("gardenlet-{}", rng.suffix(5)), "version": GARDENER_VERSION},
                    "kubernetesVersion": "1.32.9", "observedGeneration": 1, "clusterIdentity": format!("{name}-{}", rng.hex(8)),
                    "conditions": conditions,
                    "capacity": {"shoots": capacity.to_string()}, "allocatable": {"shoots": capacity.to_string()},
                    "lastOperation": {"type": "Reconcile", "state": "Succeeded", "progress": 100,
                                      "description": "Seed has been reconciled successfully.", "lastUpdateTime": ts(-rng.between(300, 20_000))}
                }
            }),
        );
        out.push(SeedInfo {
            name,
            partition,
            ready,
        });
    }
    out
}
