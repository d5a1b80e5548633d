//! Cluster-API and Kamaji operations on the management cluster: pause or
//! unpause a Cluster (merge patch `spec.paused`), delete a Cluster or a
//! TenantControlPlane after the typed name. These kinds have no confirmation
//! annotation, so the typed name and the `protect` rules are the only guard.

use kube::Api;
use kube::api::{DeleteParams, Preconditions};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{
    NoopReason, ObjectRef, OpContext, OpError, Outcome, Step, check_typed_name,
    delete_precondition, patch_guarded,
};
use crate::model::capi::Cluster;
use crate::model::kamaji::TenantControlPlane;

/// Sets `spec.paused` of a Cluster-API Cluster.
pub async fn set_paused(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    paused: bool,
) -> Result<Outcome, OpError> {
    let action = if paused { "pause" } else { "unpause" };
    let result = async {
        ctx.writable()?;
        let api = Api::<Cluster>::namespaced(client.clone(), &target.namespace);
        let (_, applied) = patch_guarded(&api, ctx, &target.name, |c| {
            Ok(if c.paused() == paused {
                Step::Done(if paused {
                    NoopReason::AlreadyPaused
                } else {
                    NoopReason::AlreadyUnpaused
                })
            } else {
                Step::Patch(
                    json!({"spec": {"paused": paused}}),
                    format!("reconciliation {action}d"),
                )
            })
        })
        .await?;
        Ok(Outcome::of(ctx, action, &target.to_string(), applied))
    }
    .await;
    ctx.record(&format!("cluster-{action}"), &target.to_string(), result)
}

pub async fn pause(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    set_paused(client, ctx, target, true).await
}

pub async fn unpause(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    set_paused(client, ctx, target, false).await
}

/// Deletes a Cluster-API Cluster (its machines follow by owner references).
pub async fn delete_cluster(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    typed_confirmation: &str,
) -> Result<Outcome, OpError> {
    let api = Api::<Cluster>::namespaced(client.clone(), &target.namespace);
    let result = delete_typed(&api, ctx, target, typed_confirmation, "cluster").await;
    ctx.record("cluster-delete", &target.to_string(), result)
}

/// Deletes a Kamaji TenantControlPlane.
pub async fn delete_tenant_control_plane(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    typed_confirmation: &str,
) -> Result<Outcome, OpError> {
    let api = Api::<TenantControlPlane>::namespaced(client.clone(), &target.namespace);
    let result = delete_typed(
        &api,
        ctx,
        target,
        typed_confirmation,
        "tenant control plane",
    )
    .await;
    ctx.record("tenant-delete", &target.to_string(), result)
}

async fn delete_typed<K>(
    api: &Api<K>,
    ctx: &OpContext,
    target: &ObjectRef,
    typed: &str,
    what: &str,
) -> Result<Outcome, OpError>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    ctx.writable()?;
    check_typed_name(typed, &target.name)?;
    let obj = api.get(&target.name).await?;
    delete_precondition(obj.meta(), &ctx.protect, &format!("{what} {target}"))
        .map_err(OpError::Refused)?;
    // The uid pins the DELETE to the object that was checked, not to a
    // namesake created in between.
    let dp = DeleteParams {
        dry_run: ctx.dry_run,
        preconditions: obj.meta().uid.clone().map(|uid| Preconditions {
            uid: Some(uid),
            resource_version: None,
        }),
        ..Default::default()
    };
    api.delete(&target.name, &dp).await?;
    Ok(Outcome::new(
        ctx,
        "delete",
        &target.to_string(),
        "deletion requested".into(),
    ))
}
