//! Minimal valid CAPI / CAPMS objects (they pass the CRDs' schemas on a real server).

use kclm::model::capi::{CapiMachine, Cluster, MachineDeployment, MetalStackMachine};
use serde_json::json;

pub fn cluster(name: &str) -> Cluster {
    serde_json::from_value(json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
        "metadata": {"name": name},
        "spec": {
            "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "KubeadmControlPlane", "name": format!("{name}-cp")},
            "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackCluster", "name": name},
        },
    }))
    .expect("cluster")
}

/// A Machine of `cluster`; `provider_id` like `metal:///<partition>/<uuid>`.
pub fn machine(name: &str, cluster: &str, provider_id: Option<&str>) -> CapiMachine {
    let mut spec = json!({
        "clusterName": cluster,
        "bootstrap": {"dataSecretName": format!("{name}-bootstrap")},
        "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachine", "name": name},
        "version": "v1.33.5",
    });
    if let Some(id) = provider_id {
        spec["providerID"] = json!(id);
    }
    serde_json::from_value(json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
        "metadata": {"name": name, "labels": {"cluster.x-k8s.io/cluster-name": cluster}},
        "spec": spec,
    }))
    .expect("machine")
}

pub fn metal_stack_machine(name: &str, provider_id: &str) -> MetalStackMachine {
    serde_json::from_value(json!({
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha1", "kind": "MetalStackMachine",
        "metadata": {"name": name},
        "spec": {"size": "c1-xlarge-x86", "image": "ubuntu-24.4", "providerID": provider_id},
    }))
    .expect("metalstackmachine")
}

pub fn machine_deployment(name: &str, replicas: i32) -> MachineDeployment {
    serde_json::from_value(json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "MachineDeployment",
        "metadata": {"name": name},
        "spec": {
            "clusterName": "c", "replicas": replicas, "selector": {},
            "template": {"spec": {
                "clusterName": "c", "bootstrap": {"dataSecretName": "b"},
                "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachineTemplate", "name": "t"},
            }},
        },
    }))
    .expect("machinedeployment")
}

/// A v1beta2 condition as the CRDs require it (type, status, reason, message, lastTransitionTime).
pub fn condition(type_: &str, status: &str, reason: &str) -> serde_json::Value {
    json!({"type": type_, "status": status, "reason": reason, "message": "",
           "lastTransitionTime": "2026-11-24T00:00:00Z"})
}
