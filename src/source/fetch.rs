//! Reading one full object on demand (the store holds slim copies): what the
//! YAML view shows is what the API server has, unknown fields included.

use kube::Api;

use crate::landscape::{Kind, ObjKey};
use crate::model::capi::{
    CapiMachine, Cluster, KubeadmControlPlane, MachineDeployment, MetalStackCluster,
    MetalStackMachine,
};
use crate::model::gardener::{CloudProfile, Project, Seed, Shoot};
use crate::model::kamaji::TenantControlPlane;

async fn get_yaml<K>(api: Api<K>, name: &str) -> Result<String, String>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let mut obj = api
        .get(name)
        .await
        .map_err(|e| super::kube::error_message(&e))?;
    // managedFields are bookkeeping, not what an operator reads.
    obj.meta_mut().managed_fields = None;
    serde_saphyr::to_string(&obj).map_err(|e| e.to_string())
}

/// The full object of a Kubernetes kind as YAML, fresh from the API server.
pub async fn object_yaml(client: kube::Client, kind: Kind, key: &ObjKey) -> Result<String, String> {
    let (ns, name, c) = (key.namespace.as_str(), key.name.as_str(), client);
    match kind {
        Kind::Shoot => get_yaml(Api::<Shoot>::namespaced(c, ns), name).await,
        Kind::Project => get_yaml(Api::<Project>::all(c), name).await,
        Kind::Seed => get_yaml(Api::<Seed>::all(c), name).await,
        Kind::CloudProfile => get_yaml(Api::<CloudProfile>::all(c), name).await,
        Kind::Cluster => get_yaml(Api::<Cluster>::namespaced(c, ns), name).await,
        Kind::CapiMachine => get_yaml(Api::<CapiMachine>::namespaced(c, ns), name).await,
        Kind::MachineDeployment => {
            get_yaml(Api::<MachineDeployment>::namespaced(c, ns), name).await
        }
        Kind::KubeadmControlPlane => {
            get_yaml(Api::<KubeadmControlPlane>::namespaced(c, ns), name).await
        }
        Kind::MetalStackCluster => {
            get_yaml(Api::<MetalStackCluster>::namespaced(c, ns), name).await
        }
        Kind::MetalStackMachine => {
            get_yaml(Api::<MetalStackMachine>::namespaced(c, ns), name).await
        }
        Kind::TenantControlPlane => {
            get_yaml(Api::<TenantControlPlane>::namespaced(c, ns), name).await
        }
        other => Err(format!("{} are not Kubernetes objects", other.plural())),
    }
}
