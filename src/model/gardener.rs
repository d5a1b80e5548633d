//! Gardener `core.gardener.cloud/v1beta1`: Project, Seed, Shoot, CloudProfile,
//! and the metal provider configs embedded in them.

use std::collections::BTreeMap;

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Condition, Extra, IStr, ObjectMeta};

pub const GROUP: &str = "core.gardener.cloud";
pub const VERSION: &str = "v1beta1";
pub const API_VERSION: &str = "core.gardener.cloud/v1beta1";

pub const ANN_CONFIRM_DELETION: &str = "confirmation.gardener.cloud/deletion";
pub const ANN_TIMESTAMP: &str = "gardener.cloud/timestamp";
pub const ANN_OPERATION: &str = "gardener.cloud/operation";
pub const ANN_MAINTENANCE_OPERATION: &str = "maintenance.gardener.cloud/operation";
pub const ANN_IGNORE_ISSUES: &str = "dashboard.gardener.cloud/ignore-issues";
pub const LABEL_STATUS: &str = "shoot.gardener.cloud/status";
pub const ANN_METAL_TENANT: &str = "cluster.metal-stack.io/tenant";

macro_rules! obj {
    ($name:ident, $spec:ty, $status:ty) => {
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
    };
}

obj!(Shoot, ShootSpec, ShootStatus);
obj!(Seed, SeedSpec, SeedStatus);
obj!(Project, ProjectSpec, ProjectStatus);
obj!(CloudProfile, CloudProfileSpec, Value);

crate::kube_resource!(
    Shoot,
    "core.gardener.cloud",
    "v1beta1",
    "Shoot",
    "shoots",
    NamespaceResourceScope
);
crate::kube_resource!(
    Seed,
    "core.gardener.cloud",
    "v1beta1",
    "Seed",
    "seeds",
    ClusterResourceScope
);
crate::kube_resource!(
    Project,
    "core.gardener.cloud",
    "v1beta1",
    "Project",
    "projects",
    ClusterResourceScope
);
crate::kube_resource!(
    CloudProfile,
    "core.gardener.cloud",
    "v1beta1",
    "CloudProfile",
    "cloudprofiles",
    ClusterResourceScope
);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_profile_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_profile: Option<CloudProfileReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hibernation: Option<Hibernation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<Maintenance>,
    #[serde(
        default,
        deserialize_with = "super::slim::blob",
        skip_serializing_if = "Option::is_none"
    )]
    pub networking: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_binding_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binding_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudProfileReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    #[serde(default, rename = "type")]
    pub type_: String,
    /// Skipped when decoding for the store (the console reads nothing in it;
    /// 17 MB for 10,000 shoots as JSON maps): read it from a full object.
    #[serde(
        default,
        deserialize_with = "super::slim::blob",
        skip_serializing_if = "Option::is_none"
    )]
    pub infrastructure_config: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::slim::blob",
        skip_serializing_if = "Option::is_none"
    )]
    pub control_plane_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<Vec<Worker>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Worker {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<WorkerMachine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerMachine {
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<MachineImageRef>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineImageRef {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hibernation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<Vec<HibernationSchedule>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HibernationSchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_update: Option<MaintenanceAutoUpdate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_window: Option<TimeWindow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confine_spec_update_rollout: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceAutoUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_image_version: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeWindow {
    #[serde(default)]
    pub begin: String,
    #[serde(default)]
    pub end: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hibernated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_operation: Option<LastOperation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_errors: Option<Vec<LastError>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_name: Option<String>,
    #[serde(
        default,
        rename = "technicalID",
        skip_serializing_if = "Option::is_none"
    )]
    pub technical_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_maintenance: Option<LastMaintenance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(
        default,
        deserialize_with = "super::slim::blob",
        skip_serializing_if = "Option::is_none"
    )]
    pub gardener: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastOperation {
    #[serde(default, rename = "type")]
    pub type_: IStr,
    #[serde(default)]
    pub state: IStr,
    #[serde(default)]
    pub progress: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<IStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<IStr>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastError {
    #[serde(default)]
    pub description: String,
    #[serde(default, rename = "taskID", skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastMaintenance {
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggered_time: Option<String>,
    #[serde(default)]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<SeedProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taints: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedProvider {
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocatable: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_operation: Option<LastOperation>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Subject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudProfileSpec {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<CloudProfileKubernetes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_images: Option<Vec<CloudProfileMachineImage>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_types: Option<Vec<MachineType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<Region>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudProfileKubernetes {
    #[serde(default)]
    pub versions: Vec<ExpirableVersion>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpirableVersion {
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Vec<LifecycleStage>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleStage {
    #[serde(default)]
    pub classification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudProfileMachineImage {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub versions: Vec<ExpirableVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineType {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usable: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<Zone>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Zone {
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// metal provider `InfrastructureConfig` (inside `spec.provider.infrastructureConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalInfrastructureConfig {
    #[serde(
        default,
        rename = "partitionID",
        skip_serializing_if = "Option::is_none"
    )]
    pub partition_id: Option<String>,
    #[serde(default, rename = "projectID", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall: Option<MetalFirewall>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalFirewall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// metal provider `ControlPlaneConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalControlPlaneConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_access_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_controller_manager: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// metal provider `CloudProfileConfig` (inside `CloudProfile.spec.providerConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalCloudProfileConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metal_control_planes: Option<BTreeMap<String, MetalControlPlane>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetalControlPlane {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_images: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Shoot {
    /// Gives back the spare capacity decoding leaves in the status vectors
    /// (they grow by doubling); the store keeps 10,000s of shoots.
    pub fn compacted(mut self) -> Self {
        if let Some(st) = self.status.as_mut() {
            for v in [&mut st.conditions, &mut st.constraints] {
                if let Some(v) = v.as_mut() {
                    v.shrink_to_fit();
                }
            }
            if let Some(v) = st.last_errors.as_mut() {
                v.shrink_to_fit();
            }
        }
        self
    }

    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("")
    }
    pub fn uid(&self) -> &str {
        self.metadata.uid.as_deref().unwrap_or("")
    }
    /// The seed the shoot runs on: `status.seedName`, else `spec.seedName`.
    pub fn seed_name(&self) -> Option<&str> {
        self.status
            .as_ref()
            .and_then(|s| s.seed_name.as_deref())
            .or(self.spec.seed_name.as_deref())
    }
    pub fn cloud_profile_name(&self) -> Option<&str> {
        self.spec
            .cloud_profile
            .as_ref()
            .map(|c| c.name.as_str())
            .or(self.spec.cloud_profile_name.as_deref())
    }
    pub fn kubernetes_version(&self) -> Option<&str> {
        self.spec.kubernetes.as_ref()?.version.as_deref()
    }
    pub fn last_operation(&self) -> Option<&LastOperation> {
        self.status.as_ref()?.last_operation.as_ref()
    }
    pub fn conditions(&self) -> &[Condition] {
        self.status
            .as_ref()
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or(&[])
    }
    pub fn constraints(&self) -> &[Condition] {
        self.status
            .as_ref()
            .and_then(|s| s.constraints.as_deref())
            .unwrap_or(&[])
    }
    pub fn constraint(&self, type_: &str) -> Option<&Condition> {
        self.constraints().iter().find(|c| c.type_ == type_)
    }
    pub fn last_errors(&self) -> &[LastError] {
        self.status
            .as_ref()
            .and_then(|s| s.last_errors.as_deref())
            .unwrap_or(&[])
    }
    pub fn hibernation_enabled(&self) -> bool {
        self.spec
            .hibernation
            .as_ref()
            .and_then(|h| h.enabled)
            .unwrap_or(false)
    }
    pub fn is_hibernated(&self) -> bool {
        self.status
            .as_ref()
            .and_then(|s| s.hibernated)
            .unwrap_or(false)
    }
    pub fn infrastructure_config(&self) -> Option<MetalInfrastructureConfig> {
        let raw = self
            .spec
            .provider
            .as_ref()?
            .infrastructure_config
            .as_ref()?;
        serde_json::from_value(raw.clone()).ok()
    }
}

impl Seed {
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }
    pub fn conditions(&self) -> &[Condition] {
        self.status
            .as_ref()
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or(&[])
    }
}

impl Project {
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }
    /// The project's namespace: `spec.namespace`, else the `garden-<name>` convention.
    pub fn namespace(&self) -> String {
        self.spec
            .namespace
            .clone()
            .unwrap_or_else(|| format!("garden-{}", self.name()))
    }
}

impl CloudProfile {
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }
    pub fn kubernetes_versions(&self) -> &[ExpirableVersion] {
        self.spec
            .kubernetes
            .as_ref()
            .map(|k| k.versions.as_slice())
            .unwrap_or(&[])
    }
    pub fn machine_images(&self) -> &[CloudProfileMachineImage] {
        self.spec.machine_images.as_deref().unwrap_or(&[])
    }
}
