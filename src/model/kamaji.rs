//! Kamaji `kamaji.clastix.io/v1alpha1` TenantControlPlane.

use k8s_openapi::NamespaceResourceScope;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Extra, ObjectMeta};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantControlPlane {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

crate::kube_resource!(
    TenantControlPlane,
    "kamaji.clastix.io",
    "v1alpha1",
    "TenantControlPlane",
    "tenantcontrolplanes",
    NamespaceResourceScope
);

impl TenantControlPlane {
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("")
    }
    /// `spec.kubernetes.version`.
    pub fn version(&self) -> &str {
        self.spec
            .pointer("/kubernetes/version")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// `status.kubernetesResources.version.status` (e.g. Ready, Provisioning, Upgrading).
    pub fn phase(&self) -> &str {
        self.status
            .as_ref()
            .and_then(|s| s.pointer("/kubernetesResources/version/status"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// `status.controlPlaneEndpoint`.
    pub fn endpoint(&self) -> &str {
        self.status
            .as_ref()
            .and_then(|s| s.get("controlPlaneEndpoint"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// The CAPI cluster that owns this tenant (via the KamajiControlPlane of the same name).
    pub fn cluster_name(&self) -> Option<&str> {
        super::label(&self.metadata, super::capi::CLUSTER_NAME_LABEL)
    }
}
