//! Slow controllers of the simulation: shoot maintenance, project and
//! namespace finalization, and metal-stack machine liveliness.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::World;
use super::gardener_rules;
use super::kube_store::now_str;
use super::metal_store::ts;
use super::resources::{CLOUDPROFILES, NAMESPACES, PROJECTS, RESOURCES, SHOOTS};

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// The maintenance controller: auto-updates, then `lastMaintenance`.
pub(crate) fn maintain(world: &mut World, sh: &mut Value) {
    let mut changes = Vec::new();
    let profile_name = match s(sh, "/spec/cloudProfile/name") {
        "" => s(sh, "/spec/cloudProfileName").to_string(),
        n => n.to_string(),
    };
    let profile = world.kube.get(CLOUDPROFILES, "", &profile_name).cloned();
    if let Some(profile) = profile {
        let version = s(sh, "/spec/kubernetes/version").to_string();
        let minor: Vec<&str> = version.split('.').take(2).collect();
        let prefix = format!("{}.", minor.join("."));
        let auto_k8s = sh["spec"]["maintenance"]["autoUpdate"]["kubernetesVersion"]
            .as_bool()
            .unwrap_or(true);
        let newest = profile["spec"]["kubernetes"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| s(v, "/classification") != "preview")
            .map(|v| s(v, "/version"))
            .filter(|v| v.starts_with(&prefix))
            .max_by_key(|v| gardener_rules::version_key(v))
            .map(String::from);
        if let Some(newest) = newest
            && auto_k8s
            && gardener_rules::version_key(&newest) > gardener_rules::version_key(&version)
        {
            sh["spec"]["kubernetes"]["version"] = json!(newest);
            changes.push(format!("Control Plane: Updated Kubernetes version from \"{version}\" to \"{newest}\". Reason: Automatic update of Kubernetes version configured"));
        }
    }
    let mut annotations = sh["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.remove(gardener_rules::ANN_OPERATION);
    if let Some(op) = annotations.remove("maintenance.gardener.cloud/operation") {
        annotations.insert(gardener_rules::ANN_OPERATION.into(), op);
    }
    sh["metadata"]["annotations"] = Value::Object(annotations);
    let g = sh["metadata"]["generation"].as_i64().unwrap_or(1);
    sh["metadata"]["generation"] = json!(g + 1);
    let description = if changes.is_empty() {
        "All maintenance operations successful.".to_string()
    } else {
        changes.join(", ")
    };
    sh["status"]["lastMaintenance"] =
        json!({"description": description, "state": "Succeeded", "triggeredTime": now_str()});
}

/// Project and namespace deletion once nothing is left in them.
pub(crate) fn housekeeping(world: &mut World) {
    let deleting_projects: Vec<(String, String)> = world
        .kube
        .list(PROJECTS)
        .filter(|p| !p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            (
                s(p, "/metadata/name").to_string(),
                s(p, "/spec/namespace").to_string(),
            )
        })
        .collect();
    for (name, ns) in deleting_projects {
        let has_shoots = world.kube.tables[SHOOTS]
            .objects
            .keys()
            .any(|(n, _)| *n == ns);
        if let Some(p) = world.kube.get(PROJECTS, "", &name).cloned()
            && s(&p, "/status/phase") != "Terminating"
        {
            let mut p = (*p).clone();
            p["status"]["phase"] = json!("Terminating");
            world.kube.update(PROJECTS, p);
        }
        if !has_shoots {
            world.kube.remove(PROJECTS, "", &name);
            if let Some(n) = world.kube.get(NAMESPACES, "", &ns).cloned() {
                let mut n = (*n).clone();
                n["metadata"]["deletionTimestamp"] = json!(now_str());
                n["status"]["phase"] = json!("Terminating");
                world.kube.update(NAMESPACES, n);
            }
        }
    }
    let terminating: Vec<String> = world
        .kube
        .list(NAMESPACES)
        .filter(|n| !n["metadata"]["deletionTimestamp"].is_null())
        .map(|n| s(n, "/metadata/name").to_string())
        .collect();
    for ns in terminating {
        let empty = RESOURCES
            .iter()
            .enumerate()
            .filter(|(_, d)| d.namespaced && d.stored)
            .all(|(i, _)| !world.kube.tables[i].objects.keys().any(|(n, _)| *n == ns));
        if empty {
            world.kube.remove(NAMESPACES, "", &ns);
        }
    }
}

/// metal-stack's liveliness: alive machines keep sending events (every 20 s real time).
pub(crate) fn heartbeat(world: &mut World) {
    let now = Instant::now();
    if world
        .sim
        .last_heartbeat
        .is_some_and(|t| now.duration_since(t) < Duration::from_secs(20))
    {
        return;
    }
    world.sim.last_heartbeat = Some(now);
    let stamp = ts(0);
    for (id, m) in world.metal.machines.iter_mut() {
        if m["liveliness"] == "Alive" {
            m["events"]["last_event_time"] = json!(stamp);
        }
        if let Some(i) = world.metal.ipmi.get_mut(id) {
            let stale = i["last_updated"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .is_some_and(|t| jiff::Timestamp::now().as_second() - t.as_second() > 3600);
            if !stale {
                i["last_updated"] = json!(stamp);
            }
        }
    }
}
