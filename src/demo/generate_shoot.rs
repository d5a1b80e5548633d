//! Generated shoots: the mix of states (healthy, failing, hibernated,
//! expiring versions, pending maintenance...) and the status conditions the
//! simulation reuses.

use serde_json::{Value, json};

use super::gardener_rules;
use super::generate::{
    FIREWALL_IMAGES, FIREWALL_SIZE, GARDENER_VERSION, PARTITIONS, ProjectInfo, SeedInfo,
};
use super::generate_infra::ShootMachines;
use super::kube_store::KubeStore;
use super::metal_store::ts;
use super::rng::Rng;

const DAY: i64 = 86_400;

pub(crate) const SHOOT_WORDS: &[&str] = &[
    "api",
    "web",
    "shop",
    "billing",
    "search",
    "ingest",
    "auth",
    "gitlab",
    "monitoring",
    "edge",
    "crm",
    "erp",
    "kafka",
    "postgres",
    "runner",
    "staging",
    "prod",
    "canary",
    "iot-hub",
    "backup",
    "mail",
    "vault",
    "batch",
    "gateway",
    "ml-train",
];

/// Which unusual state a generated shoot shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Special {
    None,
    Infrastructure,
    Unhealthy,
    Failed,
    Processing,
    Hibernated,
    Hibernating,
    NoHibernation,
    IgnoreIssues,
    Expiring,
    Deprecated,
    MaintenanceFailed,
    MaintenanceBlocked,
    Schedule,
    MaintenanceOpPending,
    Confined,
    SeedNotReady,
    Legacy,
    SystemUnhealthy,
}

pub(crate) const SPECIALS: &[Special] = &[
    Special::Infrastructure,
    Special::Unhealthy,
    Special::Failed,
    Special::Processing,
    Special::Hibernated,
    Special::Hibernated,
    Special::Hibernating,
    Special::NoHibernation,
    Special::IgnoreIssues,
    Special::Expiring,
    Special::Deprecated,
    Special::MaintenanceFailed,
    Special::MaintenanceBlocked,
    Special::Schedule,
    Special::Schedule,
    Special::MaintenanceOpPending,
    Special::Confined,
    Special::SeedNotReady,
    Special::Legacy,
    Special::SystemUnhealthy,
    Special::Hibernated,
];

/// `HHMMSS±HHMM` for a UTC instant `utc_secs` seen from `offset_h` hours east.
fn hhmmss(utc_secs: i64, offset_h: i64) -> String {
    let local = (utc_secs + offset_h * 3600).rem_euclid(DAY);
    let sign = if offset_h < 0 { '-' } else { '+' };
    format!(
        "{:02}{:02}00{sign}{:02}00",
        local / 3600,
        (local / 60) % 60,
        offset_h.abs()
    )
}

/// A maintenance window: some open now, some opening soon, some across midnight.
fn time_window(i: usize, rng: &mut Rng) -> Value {
    let offsets = [0, 1, 2, -5, 9, -8, 3, -3];
    let off = offsets[i % offsets.len()];
    let now = jiff::Timestamp::now().as_second();
    let durations = [1800, 3600, 7200, 3 * 3600, 4 * 3600, 6 * 3600];
    let (begin, dur) = match i % 5 {
        0 => (
            (now / 300) * 300 - 60 * rng.between(5, 25),
            *rng.pick(&durations[1..]),
        ),
        1 => (
            (now / 3600 + rng.between(1, 5)) * 3600,
            *rng.pick(&durations[..3]),
        ),
        2 => {
            // 23:00 local, across midnight.
            let local_midnight = (now + off * 3600).div_euclid(DAY) * DAY - off * 3600;
            (local_midnight + 23 * 3600, *rng.pick(&durations[2..]))
        }
        _ => (
            (now / DAY) * DAY + rng.between(0, 23) * 3600 + rng.between(0, 1) * 1800,
            *rng.pick(&durations),
        ),
    };
    json!({"begin": hhmmss(begin, off), "end": hhmmss(begin + dur, off)})
}

pub(crate) fn condition(t: &str, status: &str, reason: &str, message: &str, since: i64) -> Value {
    json!({"type": t, "status": status, "reason": reason, "message": message,
           "lastTransitionTime": ts(-since), "lastUpdateTime": ts(-60.min(since))})
}

pub(crate) const CONDITION_TYPES: [(&str, &str); 5] = [
    (
        "APIServerAvailable",
        "API server /healthz endpoint responded with success status code.",
    ),
    (
        "ControlPlaneHealthy",
        "All control plane components are healthy.",
    ),
    (
        "ObservabilityComponentsHealthy",
        "All observability components are healthy.",
    ),
    ("EveryNodeReady", "All nodes are ready."),
    (
        "SystemComponentsHealthy",
        "All system components are healthy.",
    ),
];

pub(crate) fn healthy_conditions(since: i64) -> Vec<Value> {
    CONDITION_TYPES
        .iter()
        .map(|(t, m)| condition(t, "True", &t.replace("Healthy", "Running"), m, since))
        .collect()
}

pub(crate) fn hibernated_conditions(since: i64) -> Vec<Value> {
    CONDITION_TYPES
        .iter()
        .map(|(t, _)| {
            condition(
                t,
                "True",
                "ConditionNotChecked",
                "Shoot cluster has been hibernated.",
                since,
            )
        })
        .collect()
}

pub(crate) fn default_constraints(since: i64) -> Vec<Value> {
    vec![
        condition(
            "HibernationPossible",
            "True",
            "NoProblematicWebhooks",
            "All webhooks are properly configured.",
            since,
        ),
        condition(
            "MaintenancePreconditionsSatisfied",
            "True",
            "NoProblematicWebhooks",
            "All webhooks are properly configured.",
            since,
        ),
    ]
}

pub(crate) fn last_operation(t: &str, state: &str, progress: i64, desc: &str, ago: i64) -> Value {
    json!({"type": t, "state": state, "progress": progress, "description": desc, "lastUpdateTime": ts(-ago)})
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn gen_shoot(
    i: usize,
    name: &str,
    special: Special,
    project: &ProjectInfo,
    seeds: &[SeedInfo],
    n_shoots: usize,
    rng: &mut Rng,
    kube: &mut KubeStore,
) -> (Value, Option<ShootMachines>) {
    use Special as S;
    let legacy = special == S::Legacy;
    let partition = if special == S::SeedNotReady {
        "ams-dc1"
    } else if legacy || rng.chance(50) {
        "fra-equ01"
    } else {
        "fra-equ02"
    };
    let region = PARTITIONS
        .iter()
        .find(|(p, _)| *p == partition)
        .map(|(_, r)| *r)
        .unwrap_or("fra");
    let candidates: Vec<&SeedInfo> = seeds
        .iter()
        .filter(|s| s.partition == partition && (s.ready || special == S::SeedNotReady))
        .collect();
    let seed = if special == S::SeedNotReady {
        candidates
            .iter()
            .find(|s| !s.ready)
            .copied()
            .or(candidates.first().copied())
    } else {
        candidates.get(rng.below(candidates.len())).copied()
    };
    let seed_name = seed
        .map(|s| s.name.clone())
        .unwrap_or_else(|| seeds[0].name.clone());
    let version = match special {
        S::Expiring => "1.32.7",
        S::Deprecated => "1.31.13",
        S::Legacy => "1.31.11",
        _ => *rng.pick(&["1.33.5", "1.33.3", "1.32.9", "1.33.5", "1.32.9", "1.34.1"]),
    };
    let uid = kube.uids.uuid();
    let tid = format!("shoot--{}--{name}", project.name);
    let hibernated = matches!(special, S::Hibernated);
    let hib_enabled = hibernated || special == S::Hibernating;
    let pools = if n_shoots >= 100 { 1 } else { 1 + rng.below(2) };
    let image_choices: &[(&str, &str)] = if legacy {
        &[("ubuntu", "22.4.20250801"), ("debian", "12.0.20250601")]
    } else {
        &[
            ("ubuntu", "24.4.20250901"),
            ("ubuntu", "24.4.20250715"),
            ("debian", "12.0.20250815"),
        ]
    };
    let mut workers = Vec::new();
    let mut pools_out = Vec::new();
    for p in 0..pools {
        let size = if n_shoots >= 100 {
            "c1-xlarge-x86"
        } else {
            *rng.pick(&["c1-xlarge-x86", "c2-large-x86"])
        };
        let (img, img_v) = *rng.pick(image_choices);
        let min = if n_shoots >= 100 {
            1
        } else {
            1 + rng.below(2) as i64
        };
        let pool = format!("group-{p}");
        workers.push(json!({
            "name": pool, "minimum": min, "maximum": min + 2, "maxSurge": 1, "maxUnavailable": 0,
            "machine": {"type": size, "image": {"name": img, "version": img_v}, "architecture": "amd64"},
            "cri": {"name": "containerd"}, "systemComponents": {"allow": true}
        }));
        pools_out.push((
            pool,
            size.to_string(),
            format!("{img}-{img_v}"),
            min as usize,
        ));
    }
    let mut annotations = json!({
        "gardener.cloud/created-by": format!("{}@example.com", ["alice", "bob", "carol", "dave"][i % 4]),
        "cluster.metal-stack.io/tenant": project.tenant,
        "cluster.metal-stack.io/project": project.metal_project,
        "cluster.metal-stack.io/partition": partition,
    });
    let mut maintenance = json!({
        "timeWindow": time_window(i, rng),
        "autoUpdate": {"kubernetesVersion": i % 3 != 1, "machineImageVersion": i % 4 != 2},
    });
    let mut hibernation = json!({"enabled": hib_enabled});
    match special {
        S::IgnoreIssues => annotations["dashboard.gardener.cloud/ignore-issues"] = json!("true"),
        S::MaintenanceOpPending => {
            annotations["maintenance.gardener.cloud/operation"] = json!("rotate-ssh-keypair")
        }
        S::Confined => maintenance["confineSpecUpdateRollout"] = json!(true),
        S::Schedule => {
            hibernation["schedules"] = if i.is_multiple_of(2) {
                json!([{"start": "00 19 * * 1,2,3,4,5", "end": "00 07 * * 1,2,3,4,5", "location": "Europe/Berlin"}])
            } else {
                json!([{"start": "30 20 * * *", "location": "America/New_York"}])
            }
        }
        _ => {}
    }
    let purpose = match special {
        S::Infrastructure => "infrastructure",
        _ => *rng.pick(&[
            "evaluation",
            "development",
            "production",
            "production",
            "development",
        ]),
    };
    let created = rng.between(2, 380) * DAY + rng.between(0, DAY);
    let profile = if legacy { "metal-legacy" } else { "metal" };
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let mut spec = json!({
        "cloudProfile": {"kind": "CloudProfile", "name": profile},
        "region": region, "seedName": seed_name, "purpose": purpose,
        "credentialsBindingName": format!("{}-metal", project.name),
        "kubernetes": {"version": version, "kubelet": {"maxPods": 250}, "kubeControllerManager": {"nodeCIDRMaskSize": 23}},
        "networking": {"type": "calico", "nodes": format!("10.{}.{}.0/22", 20 + i % 200, (i / 200 % 64) * 4),
                       "pods": "10.240.0.0/13", "services": "10.248.0.0/18", "ipFamilies": ["IPv4"],
                       "providerConfig": {"apiVersion": "calico.networking.extensions.gardener.cloud/v1alpha1", "kind": "NetworkConfig",
                                          "backend": "none", "ipv4": {"mode": "Never"}, "typha": {"enabled": false}}},
        "provider": {"type": "metal", "workers": workers,
            "infrastructureConfig": {"apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
                "firewall": {"size": FIREWALL_SIZE, "image": FIREWALL_IMAGES[0], "networks": ["internet"], "controllerVersion": "auto"},
                "partitionID": partition, "projectID": project.metal_project},
            "controlPlaneConfig": {"apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "ControlPlaneConfig",
                "networkAccessType": "baseline"}},
        "maintenance": maintenance, "hibernation": hibernation,
    });
    if minor < 34 {
        spec["cloudProfileName"] = json!(profile);
    }
    // Status
    let since = created.min(rng.between(3600, 20 * DAY));
    let mut conditions = if hibernated {
        hibernated_conditions(since)
    } else {
        healthy_conditions(since)
    };
    let mut constraints = default_constraints(since);
    let mut last_errors: Vec<Value> = Vec::new();
    let mut last_op = last_operation(
        "Reconcile",
        "Succeeded",
        100,
        "Shoot cluster has been successfully reconciled.",
        rng.between(60, 6 * 3600),
    );
    let mut last_maintenance = Value::Null;
    let set_cond = |conds: &mut Vec<Value>, t: &str, status: &str, reason: &str, msg: &str| {
        if let Some(c) = conds.iter_mut().find(|c| c["type"] == t) {
            *c = condition(t, status, reason, msg, 1800);
        }
    };
    match special {
        S::Unhealthy => {
            set_cond(
                &mut conditions,
                "EveryNodeReady",
                "False",
                "NodesUnhealthy",
                "Machine(s) \"group-0\" failed: not enough machines of size c1-xlarge-x86 available in partition.",
            );
            last_op = last_operation(
                "Reconcile",
                "Error",
                89,
                "Flow \"Shoot cluster reconciliation\" encountered task errors: [task \"Waiting until shoot worker nodes have been reconciled\" failed]. Operation will be retried.",
                300,
            );
            last_errors.push(json!({"description": "task \"Waiting until shoot worker nodes have been reconciled\" failed: Error while waiting for Worker shoot--x/worker to become ready: machine(s) failed: no machine available in partition", "taskID": "Waiting until shoot worker nodes have been reconciled", "codes": ["ERR_INFRA_RESOURCES_DEPLETED"], "lastUpdateTime": ts(-300)}));
        }
        S::Failed => {
            set_cond(
                &mut conditions,
                "ControlPlaneHealthy",
                "False",
                "DeploymentUnhealthy",
                "Deployment \"kube-controller-manager\" is unhealthy: 0/1 replicas available.",
            );
            last_op = last_operation(
                "Reconcile",
                "Failed",
                64,
                "Failed to reconcile Shoot cluster: retry budget exhausted.",
                4 * 3600,
            );
            last_errors.push(json!({"description": "task \"Deploying Kubernetes control plane\" failed: admission webhook \"validation.example.com\" denied the request", "taskID": "Deploying Kubernetes control plane", "codes": ["ERR_CONFIGURATION_PROBLEM"], "lastUpdateTime": ts(-4 * 3600)}));
        }
        S::Processing => {
            last_op = last_operation(
                "Reconcile",
                "Processing",
                45,
                "Waiting until the Kubernetes API server is ready.",
                20,
            );
            set_cond(
                &mut conditions,
                "EveryNodeReady",
                "Progressing",
                "NodesRollingUpdate",
                "Worker pool group-0 is being rolled.",
            );
        }
        S::Hibernating => {
            last_op = last_operation(
                "Reconcile",
                "Processing",
                30,
                "Hibernating cluster: scaling down worker nodes.",
                15,
            );
        }
        S::NoHibernation => {
            constraints[0] = condition(
                "HibernationPossible",
                "False",
                "ProblematicWebhooks",
                "webhook \"policy.example.com\" of ValidatingWebhookConfiguration \"policy\" has a failurePolicy 'Fail' and selects pods in kube-system; hibernation would not be possible to wake up from",
                5 * DAY,
            );
        }
        S::IgnoreIssues => {
            set_cond(
                &mut conditions,
                "ObservabilityComponentsHealthy",
                "False",
                "DeploymentUnhealthy",
                "Deployment \"plutono\" is unhealthy: 0/1 replicas available.",
            );
        }
        S::MaintenanceFailed => {
            last_maintenance = json!({"description": "Kubernetes version update from 1.32.9 to 1.33.5 failed", "state": "Failed",
                "failureReason": "Kubernetes version update failed: worker pool group-0 uses machine image ubuntu 22.4 which does not support 1.33", "triggeredTime": ts(-DAY + 3600)});
        }
        S::MaintenanceBlocked => {
            constraints[1] = condition(
                "MaintenancePreconditionsSatisfied",
                "False",
                "ProblematicWebhooks",
                "webhook \"cert-guard.example.com\" of MutatingWebhookConfiguration \"cert-guard\" has a failurePolicy 'Fail' and selects kube-system",
                2 * DAY,
            );
            constraints[1]["codes"] = json!(["ERR_PROBLEMATIC_WEBHOOK"]);
        }
        S::SeedNotReady => {
            for c in &mut conditions {
                let t = c["type"].as_str().unwrap_or("").to_string();
                *c = condition(
                    &t,
                    "Unknown",
                    "StatusUnknown",
                    "Gardenlet stopped posting shoot status.",
                    2 * 3600,
                );
            }
        }
        S::SystemUnhealthy => {
            set_cond(
                &mut conditions,
                "SystemComponentsHealthy",
                "False",
                "TunnelConnectionFailed",
                "Tunnel connection has not been established: vpn-shoot pod is not running.",
            );
            last_errors.push(json!({"description": "vpn-shoot deployment in kube-system is not ready", "codes": ["ERR_RETRYABLE_INFRA_DEPENDENCIES"], "lastUpdateTime": ts(-900)}));
        }
        _ => {}
    }
    if last_maintenance.is_null() && i.is_multiple_of(3) {
        last_maintenance = json!({"description": "All maintenance operations successful. Machine image ubuntu updated.", "state": "Succeeded", "triggeredTime": ts(-(i as i64 % 7 + 1) * DAY)});
    }
    let mut status = json!({
        "conditions": conditions, "constraints": constraints,
        "gardener": {"id": rng.hex(16), "name": format!("gardenlet-{}", rng.suffix(5)), "version": GARDENER_VERSION},
        "hibernated": hibernated, "lastOperation": last_op, "observedGeneration": 1,
        "seedName": seed_name, "technicalID": tid, "uid": uid,
        "clusterIdentity": format!("{tid}-{}", rng.hex(8)),
        "advertisedAddresses": [{"name": "external", "url": format!("https://api.{name}.{}.shoot.demo.metal-stack.io", project.name)},
                                {"name": "internal", "url": format!("https://api.{name}.{}.internal.demo.metal-stack.io", project.name)}],
        "networking": {"nodes": [spec["networking"]["nodes"].clone()], "pods": ["10.240.0.0/13"], "services": ["10.248.0.0/18"]}
    });
    if !last_errors.is_empty() {
        status["lastErrors"] = json!(last_errors);
    }
    if !last_maintenance.is_null() {
        status["lastMaintenance"] = last_maintenance;
    }
    if hibernated {
        status["lastHibernationTriggerTime"] = json!(ts(-rng.between(3600, 3 * DAY)));
    }
    let mut shoot = json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {
            "name": name, "namespace": project.namespace, "uid": uid, "generation": 1,
            "creationTimestamp": ts(-created), "finalizers": ["gardener"],
            "annotations": annotations,
            "labels": {
                "provider.extensions.gardener.cloud/metal": "true",
                "networking.extensions.gardener.cloud/calico": "true",
                format!("name.seed.gardener.cloud/{seed_name}"): "true",
                "project.gardener.cloud/name": project.name,
            }
        },
        "spec": spec, "status": status,
    });
    gardener_rules::set_status_label(&mut shoot);
    // A hibernating shoot still has its machines; a hibernated one has none.
    let machines = (!hibernated).then(|| ShootMachines {
        uid: uid.clone(),
        technical_id: tid,
        project: project.metal_project.clone(),
        partition: partition.to_string(),
        region: region.to_string(),
        pools: pools_out,
    });
    (shoot, machines)
}
