//! `meta.k8s.io/v1` Table responses (what kubectl asks for with `as=Table`),
//! with the columns gardener-apiserver's table converters print.

use std::sync::Arc;

use serde_json::{Value, json};

use super::gardener_rules::status_label;
use super::resources::{CLOUDPROFILES, NAMESPACES, PROJECTS, RESOURCES, SEEDS, SHOOTS};

fn age(obj: &Value) -> String {
    obj["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(|t| crate::age::age(Some(t), jiff::Timestamp::now(), crate::age::Style::Kubectl))
        .unwrap_or_else(|| "<unknown>".into())
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn cond(obj: &Value, list: &str, t: &str) -> String {
    obj["status"][list]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == t))
        .map(|c| s(c, "/status"))
        .unwrap_or_else(|| "<unknown>".into())
}

fn col(name: &str, priority: i32) -> Value {
    json!({"name": name, "type": "string", "format": if name == "Name" { "name" } else { "" }, "description": name, "priority": priority})
}

fn columns(res: usize) -> Vec<Value> {
    let names: &[(&str, i32)] = match res {
        SHOOTS => &[
            ("Name", 0),
            ("CloudProfile", 0),
            ("Provider", 0),
            ("Region", 0),
            ("K8S Version", 0),
            ("Hibernation", 0),
            ("Last Operation", 0),
            ("Status", 0),
            ("Age", 0),
            ("Seed", 1),
            ("Purpose", 1),
            ("Gardener Version", 1),
            ("APIServer", 1),
            ("Control", 1),
            ("Observability", 1),
            ("Nodes", 1),
            ("System", 1),
        ],
        SEEDS => &[
            ("Name", 0),
            ("Status", 0),
            ("Provider", 0),
            ("Region", 0),
            ("Age", 0),
            ("Version", 0),
            ("K8S Version", 0),
        ],
        PROJECTS => &[
            ("Name", 0),
            ("Namespace", 0),
            ("Status", 0),
            ("Owner", 0),
            ("Creator", 0),
            ("Age", 0),
        ],
        CLOUDPROFILES => &[("Name", 0), ("Provider", 0), ("Age", 0)],
        NAMESPACES => &[("Name", 0), ("Status", 0), ("Age", 0)],
        _ => &[("Name", 0), ("Age", 0)],
    };
    names.iter().map(|(n, p)| col(n, *p)).collect()
}

fn seed_status(o: &Value) -> &'static str {
    let gr = cond(o, "conditions", "GardenletReady");
    if gr == "Unknown" {
        return "Unknown";
    }
    let bb = cond(o, "conditions", "BackupBucketsReady");
    let ext = cond(o, "conditions", "ExtensionsReady");
    let ssc = cond(o, "conditions", "SeedSystemComponentsHealthy");
    if gr != "True"
        || (bb != "<unknown>" && bb != "True")
        || ext != "True"
        || ssc == "False"
        || ssc == "Unknown"
    {
        "NotReady"
    } else {
        "Ready"
    }
}

fn cells(res: usize, o: &Value) -> Vec<Value> {
    let name = s(o, "/metadata/name");
    let v: Vec<String> = match res {
        SHOOTS => {
            let spec_h = o["spec"]["hibernation"]["enabled"]
                .as_bool()
                .unwrap_or(false);
            let st_h = o["status"]["hibernated"].as_bool().unwrap_or(false);
            let hib = match (spec_h, st_h) {
                (true, true) => "Hibernated",
                (true, false) => "Hibernating",
                (false, true) => "Waking Up",
                _ => "Awake",
            };
            let op = &o["status"]["lastOperation"];
            let last = if op.is_null() {
                "<pending>".to_string()
            } else {
                format!(
                    "{} {} ({}%)",
                    s(op, "/type"),
                    s(op, "/state"),
                    op["progress"].as_i64().unwrap_or(0)
                )
            };
            let status = if op.is_null() {
                "<pending>".to_string()
            } else {
                status_label(o).to_string()
            };
            let profile = match s(o, "/spec/cloudProfile/name") {
                n if n.is_empty() => s(o, "/spec/cloudProfileName"),
                n => n,
            };
            vec![
                name,
                profile,
                s(o, "/spec/provider/type"),
                s(o, "/spec/region"),
                s(o, "/spec/kubernetes/version"),
                hib.into(),
                last,
                status,
                age(o),
                s(o, "/spec/seedName"),
                s(o, "/spec/purpose"),
                s(o, "/status/gardener/version"),
                cond(o, "conditions", "APIServerAvailable"),
                cond(o, "conditions", "ControlPlaneHealthy"),
                cond(o, "conditions", "ObservabilityComponentsHealthy"),
                cond(o, "conditions", "EveryNodeReady"),
                cond(o, "conditions", "SystemComponentsHealthy"),
            ]
        }
        SEEDS => vec![
            name,
            seed_status(o).into(),
            s(o, "/spec/provider/type"),
            s(o, "/spec/provider/region"),
            age(o),
            s(o, "/status/gardener/version"),
            s(o, "/status/kubernetesVersion"),
        ],
        PROJECTS => vec![
            name,
            s(o, "/spec/namespace"),
            s(o, "/status/phase"),
            s(o, "/spec/owner/name"),
            s(o, "/spec/createdBy/name"),
            age(o),
        ],
        CLOUDPROFILES => vec![name, s(o, "/spec/type"), age(o)],
        NAMESPACES => vec![name, s(o, "/status/phase"), age(o)],
        _ => vec![name, age(o)],
    };
    v.into_iter().map(Value::String).collect()
}

/// A Table of `items`; rows carry PartialObjectMetadata so kubectl can show namespaces.
pub(crate) fn table(res: usize, items: &[Arc<Value>], rv: u64, cont: Option<&str>) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            json!({"cells": cells(res, o), "object": {
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"].clone()
            }})
        })
        .collect();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    let _ = &RESOURCES;
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": columns(res), "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        // the core formatter's boundaries are tested in crate::age
        let created = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(40 * 24 + 5);
        let obj = json!({"metadata": {"creationTimestamp": created.to_string()}});
        assert_eq!(age(&obj), "40d");
        assert_eq!(age(&json!({"metadata": {}})), "<unknown>");
    }
}
