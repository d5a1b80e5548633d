//! Gardener admission rules: only where `core.gardener.cloud` is served (the
//! demo; the real gardener-apiserver cannot be built here, see the README).

use kclm::model::gardener::Shoot;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::fixture::{Target, api_error, unique};

fn shoot(name: &str) -> Shoot {
    serde_json::from_value(json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {"name": name, "annotations": {"cluster.metal-stack.io/tenant": "tenant-payments"}},
        "spec": {"cloudProfile": {"kind": "CloudProfile", "name": "metal"}, "region": "fra",
                 "kubernetes": {"version": "1.33"},
                 "provider": {"type": "metal", "workers": [{"name": "group-0", "minimum": 1, "maximum": 2,
                     "machine": {"type": "c1-xlarge-x86", "image": {"name": "ubuntu", "version": "24.4.20250901"}}}],
                     "infrastructureConfig": {"apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
                        "partitionID": "fra-equ01", "projectID": "p-1", "firewall": {"size": "n1-medium-x86", "image": "firewall-ubuntu-3.0.20250901", "networks": ["internet"]}}}}
    }))
    .expect("shoot")
}

#[tokio::test]
async fn shoot_deletion_needs_the_confirmation_annotation() {
    let mut t = Target::start("shoot_deletion_confirmation").await;
    if !t.serves_or_skip("core.gardener.cloud").await {
        return t.shutdown().await;
    }
    // The demo's project namespace; a real garden would need its own project.
    let api: Api<Shoot> = Api::namespaced(t.admin().await, "garden-payments");
    let name = unique("del");
    api.create(&PostParams::default(), &shoot(&name))
        .await
        .expect("shoot created");
    let (code, reason, msg) = api_error(api.delete(&name, &DeleteParams::default()).await);
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        msg,
        format!(
            "shoots.core.gardener.cloud \"{name}\" is forbidden: must have a \
             \"confirmation.gardener.cloud/deletion\" annotation to delete"
        )
    );
    let confirm =
        json!({"metadata": {"annotations": {"confirmation.gardener.cloud/deletion": "true"}}});
    api.patch(&name, &PatchParams::default(), &Patch::Merge(&confirm))
        .await
        .unwrap();
    api.delete(&name, &DeleteParams::default())
        .await
        .expect("confirmed delete");
    let after = api.get_opt(&name).await.unwrap();
    assert!(
        after.is_none_or(|s| s.metadata.deletion_timestamp.is_some()),
        "deleted or being deleted"
    );
    t.shutdown().await;
}
