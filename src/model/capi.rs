//! Cluster-API v1beta2 (Cluster, Machine, MachineDeployment, KubeadmControlPlane)
//! and the metal-stack infrastructure provider (CAPMS) v1alpha1 kinds.

use k8s_openapi::NamespaceResourceScope;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Condition, Extra, ObjectMeta};

pub const CLUSTER_NAME_LABEL: &str = "cluster.x-k8s.io/cluster-name";

macro_rules! capi_obj {
    ($name:ident, $spec:ident, $status:ident, $group:literal, $version:literal, $kind:literal, $plural:literal) => {
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub api_version: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub kind: Option<String>,
            #[serde(default)]
            pub metadata: ObjectMeta,
            #[serde(default)]
            pub spec: $spec,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub status: Option<$status>,
            #[serde(flatten)]
            pub extra: Extra,
        }
        crate::kube_resource!(
            $name,
            $group,
            $version,
            $kind,
            $plural,
            NamespaceResourceScope
        );
        impl $name {
            pub fn name(&self) -> &str {
                self.metadata.name.as_deref().unwrap_or("")
            }
            pub fn namespace(&self) -> &str {
                self.metadata.namespace.as_deref().unwrap_or("")
            }
            pub fn conditions(&self) -> &[Condition] {
                self.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_deref())
                    .unwrap_or(&[])
            }
        }
    };
}

capi_obj!(
    Cluster,
    ClusterSpec,
    CommonStatus,
    "cluster.x-k8s.io",
    "v1beta2",
    "Cluster",
    "clusters"
);
capi_obj!(
    CapiMachine,
    MachineSpec,
    MachineStatus,
    "cluster.x-k8s.io",
    "v1beta2",
    "Machine",
    "machines"
);
capi_obj!(
    MachineDeployment,
    ReplicaSpec,
    CommonStatus,
    "cluster.x-k8s.io",
    "v1beta2",
    "MachineDeployment",
    "machinedeployments"
);
capi_obj!(
    KubeadmControlPlane,
    ReplicaSpec,
    CommonStatus,
    "controlplane.cluster.x-k8s.io",
    "v1beta2",
    "KubeadmControlPlane",
    "kubeadmcontrolplanes"
);
capi_obj!(
    MetalStackCluster,
    MetalStackClusterSpec,
    CommonStatus,
    "infrastructure.cluster.x-k8s.io",
    "v1alpha1",
    "MetalStackCluster",
    "metalstackclusters"
);
capi_obj!(
    MetalStackMachine,
    MetalStackMachineSpec,
    CommonStatus,
    "infrastructure.cluster.x-k8s.io",
    "v1alpha1",
    "MetalStackMachine",
    "metalstackmachines"
);

/// `{apiGroup, kind, name}` (v1beta2 contract reference).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_ref: Option<ContractRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_ref: Option<ContractRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommonStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineSpec {
    #[serde(default)]
    pub cluster_name: String,
    #[serde(
        default,
        rename = "providerID",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_ref: Option<ContractRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_ref: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalStackClusterSpec {
    #[serde(default, rename = "projectID", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalStackMachineSpec {
    #[serde(
        default,
        rename = "providerID",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Splits a CAPMS provider id `metal:///<partition>/<uuid>` into (partition, machine uuid).
pub fn parse_provider_id(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("metal://")?.trim_start_matches('/');
    let (partition, uuid) = rest.rsplit_once('/')?;
    (!uuid.is_empty()).then_some((partition, uuid))
}

impl CapiMachine {
    /// The metal machine uuid this CAPI machine runs on, from `spec.providerID`.
    pub fn metal_machine_id(&self) -> Option<&str> {
        parse_provider_id(self.spec.provider_id.as_deref()?).map(|(_, id)| id)
    }
}

impl Cluster {
    pub fn paused(&self) -> bool {
        self.spec.paused.unwrap_or(false)
    }
    pub fn phase(&self) -> &str {
        self.status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_id_is_split_into_partition_and_uuid() {
        assert_eq!(
            parse_provider_id("metal:///fra-equ01/00000000-0000-0000-0000-0cc47ae54694"),
            Some(("fra-equ01", "00000000-0000-0000-0000-0cc47ae54694"))
        );
        assert_eq!(parse_provider_id("aws:///eu/i-123"), None);
        assert_eq!(parse_provider_id("metal:///fra/"), None);
    }
}
