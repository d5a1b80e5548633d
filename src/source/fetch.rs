//! Reading one full object on demand (the store holds slim copies): what the
//! YAML view shows is what the API server has, unknown fields included.

use futures::future::BoxFuture;

use crate::landscape::kinds::{KindScope, KindVisitor, Stored};
use crate::landscape::{Kind, ObjKey};

async fn get_yaml<K>(api: kube::Api<K>, name: &str) -> Result<String, String>
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

/// Reads one object of whichever kind it is visited with.
struct GetYaml {
    client: kube::Client,
    key: ObjKey,
}

impl KindVisitor for GetYaml {
    type Out = BoxFuture<'static, Result<String, String>>;
    fn visit<K: Stored>(self) -> Self::Out {
        Box::pin(async move {
            let api = <K::Scope as KindScope>::api::<K>(self.client, &self.key.namespace);
            get_yaml(api, &self.key.name).await
        })
    }
}

/// The full object of a Kubernetes kind as YAML, fresh from the API server.
pub async fn object_yaml(client: kube::Client, kind: Kind, key: &ObjKey) -> Result<String, String> {
    let Some(kube_kind) = kind.as_kube() else {
        return Err(format!("{kind} are not Kubernetes objects"));
    };
    let key = key.clone();
    kube_kind.visit(GetYaml { client, key }).await
}
