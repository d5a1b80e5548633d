//! Shoot deletion the Gardener way: typed confirmation, the confirmation
//! annotation (merge patch), then the DELETE; dual approval is checked first
//! (see `approval`), and on a failed DELETE exactly what kclm wrote is taken back.

use kube::Api;
use kube::api::{DeleteParams, Patch, Preconditions};
use serde_json::json;

use super::access::{self, AccessCheck};
use super::approval;
use super::{
    Applied, NoopReason, ObjectRef, OpContext, OpError, Outcome, Refusal, Step, Unmet,
    check_typed_name, delete_precondition, patch_guarded, patch_params,
};
use crate::model::annotation;
use crate::model::gardener::{ANN_CONFIRM_DELETION, ANN_TIMESTAMP, GROUP as GARDENER_GROUP, Shoot};

/// Deletes a shoot the Gardener way: the typed text must equal the name, the
/// shoot must not be protected, then the confirmation annotation is written
/// (merge patch) and only then the DELETE is sent. If the DELETE fails, the
/// annotation kclm wrote is reverted and the server's message returned.
///
/// Dry run: the PATCH goes out with `dryRun=All`, which stores nothing. Gardener's
/// `DeletionConfirmation` admission plugin reads the *stored* object, so a
/// dry-run DELETE of a shoot that was not confirmed before is refused with its
/// 403 even when the real flow would succeed. Since authorization runs before
/// admission, exactly that refusal proves the DELETE would be authorized; it is
/// reported as such, and any other answer is reported as the error it is. A
/// dry run cannot prove dual approval for a shoot not yet confirmed.
pub async fn delete(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    typed_confirmation: &str,
) -> Result<Outcome, OpError> {
    let result = match ctx
        .writable()
        .and_then(|_| check_typed_name(typed_confirmation, &target.name))
    {
        Ok(()) => delete_inner(client, ctx, target).await,
        Err(e) => Err(e),
    };
    ctx.record("delete", &target.to_string(), result)
}

/// Delete after the caller checked a confirmation (the bulk path checks the count).
pub(crate) async fn delete_confirmed(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    let result = match ctx.writable() {
        Ok(()) => delete_inner(client, ctx, target).await,
        Err(e) => Err(e),
    };
    ctx.record("delete", &target.to_string(), result)
}

fn confirmed(s: &Shoot) -> bool {
    approval::is_confirmed(s)
}

/// Whether a shoot may be deleted as it is (the typed name is checked apart).
pub fn delete_shoot_precondition(s: &Shoot, protect: &[String]) -> Result<(), Refusal> {
    let what = format!("shoot {}/{}", s.namespace(), s.name());
    delete_precondition(&s.metadata, protect, &what)
}

async fn delete_inner(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    let api = Api::<Shoot>::namespaced(client.clone(), &target.namespace);
    let what = format!("shoot {target}");
    // Under dual approval, whoever writes the confirmation may not send the
    // DELETE: refuse before writing anything rather than write and revert.
    let before = api.get(&target.name).await?;
    delete_precondition(&before.metadata, &ctx.protect, &what).map_err(OpError::Refused)?;
    super::check_uid(target, &before.metadata)?;
    let dual = approval::dual_approval_required(client, &before).await;
    if dual == Some(true) && !confirmed(&before) {
        return Err(OpError::Refused(Refusal::Precondition(
            Unmet::FirstApprovalNeeded { what },
        )));
    }
    // The timestamp the shoot had before kclm wrote its own: a revert puts it back.
    let old_timestamp = std::sync::Mutex::new(None::<String>);
    let (shoot, applied) = patch_guarded(&api, ctx, &target.name, |s| {
        delete_precondition(&s.metadata, &ctx.protect, &what).map_err(OpError::Refused)?;
        super::check_uid(target, &s.metadata)?;
        if confirmed(s) {
            // Someone (perhaps a first approver) confirmed already: keep their
            // annotation as it is, and never revert it.
            return Ok(Step::Done(NoopReason::AlreadyConfirmed));
        }
        if let Ok(mut old) = old_timestamp.lock() {
            *old = annotation(&s.metadata, ANN_TIMESTAMP).map(str::to_string);
        }
        let now = jiff::Timestamp::now().to_string();
        Ok(Step::Patch(
            json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: "true", ANN_TIMESTAMP: now}}}),
            "confirmed".into(),
        ))
    })
    .await?;
    let we_confirmed = matches!(applied, Applied::Patched(_));
    if !confirmed(&shoot) {
        return Err(OpError::Refused(Refusal::Precondition(
            Unmet::ConfirmationNotRecorded {
                annotation: ANN_CONFIRM_DELETION,
                what,
            },
        )));
    }
    let dp = DeleteParams {
        dry_run: ctx.dry_run,
        preconditions: shoot.metadata.uid.clone().map(|uid| Preconditions {
            uid: Some(uid),
            resource_version: None,
        }),
        ..Default::default()
    };
    let err = match api.delete(&target.name, &dp).await {
        Ok(_) => {
            let mut message = String::from("deletion requested");
            if dual == Some(true) && !we_confirmed {
                let (by, at) = approval::confirmation_of(&shoot);
                message += &format!(" (second approval; confirmed by {by} at {at})");
            }
            return Ok(Outcome::new(ctx, "delete", &target.to_string(), message));
        }
        Err(e) => OpError::from(e),
    };
    if dual == Some(true) && !we_confirmed && err.code() == Some(403) {
        let (by, at) = approval::confirmation_of(&shoot);
        return Err(OpError::Refused(Refusal::Precondition(
            Unmet::SecondApproverNeeded {
                what: format!("shoot {target}"),
                by,
                at,
                server: format!(" (the server said: {err})"),
            },
        )));
    }
    if ctx.dry_run {
        return dry_run_refused(client, ctx, target, we_confirmed, err).await;
    }
    if matches!(err, OpError::Transport(_))
        && let Some(done) = deleted_anyway(&api, &target.name).await
    {
        return Ok(Outcome::new(ctx, "delete", &target.to_string(), done));
    }
    if !we_confirmed {
        return Err(err);
    }
    let old = old_timestamp.into_inner().unwrap_or_default();
    revert_confirmation(&api, ctx, &target.name, old, err).await
}

/// A dry-run DELETE was refused. After a dry-run confirmation PATCH (which
/// stores nothing), Gardener's `DeletionConfirmation` check refuses it with a
/// 403 once authorization has passed, and RBAC refuses it with a 403 when it
/// has not. An access review tells the two apart without reading the server's
/// text: allowed means the DELETE was authorized and only the expected check
/// said no.
async fn dry_run_refused(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    we_confirmed: bool,
    err: OpError,
) -> Result<Outcome, OpError> {
    if !we_confirmed || err.code() != Some(403) {
        return Err(err);
    }
    let check = AccessCheck::new("delete", GARDENER_GROUP, "shoots").on(target);
    match access::review(client, &check).await {
        Ok(a) if a.allowed => Ok(Outcome::new(
            ctx,
            "delete",
            &target.to_string(),
            "confirmation PATCH accepted; DELETE authorized, then refused by Gardener's \
             admission as expected for a dry run (its DeletionConfirmation check reads the \
             stored object, which a dry-run PATCH leaves unconfirmed)"
                .into(),
        )),
        _ => Err(err),
    }
}

/// After a lost DELETE answer: the shoot may be gone or terminating already.
async fn deleted_anyway(api: &Api<Shoot>, name: &str) -> Option<String> {
    match api.get_opt(name).await {
        Ok(None) => Some("deleted (the DELETE answer was lost; the shoot is gone)".into()),
        Ok(Some(s)) if s.metadata.deletion_timestamp.is_some() => {
            Some("deletion requested (the DELETE answer was lost; the shoot is terminating)".into())
        }
        _ => None,
    }
}

/// Exactly what kclm added, in one patch: the confirmation goes, the
/// timestamp goes back to what it was (or goes, if there was none).
fn revert_patch(old_timestamp: Option<String>) -> serde_json::Value {
    json!({"metadata": {"annotations": {
        ANN_CONFIRM_DELETION: null,
        ANN_TIMESTAMP: old_timestamp,
    }}})
}

/// Takes the confirmation back after a failed DELETE; returns the DELETE's error.
async fn revert_confirmation(
    api: &Api<Shoot>,
    ctx: &OpContext,
    name: &str,
    old_timestamp: Option<String>,
    err: OpError,
) -> Result<Outcome, OpError> {
    let patch = revert_patch(old_timestamp);
    match api
        .patch(name, &patch_params(ctx), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Err(err),
        Err(e) => {
            let also = format!(
                "; reverting the {ANN_CONFIRM_DELETION} annotation failed too: {}",
                OpError::from(e)
            );
            Err(match err {
                OpError::Api {
                    code,
                    reason,
                    message,
                } => OpError::Api {
                    code,
                    reason,
                    message: message + &also,
                },
                OpError::Conflict(m) => OpError::Conflict(m + &also),
                OpError::Transport(m) => OpError::Transport(m + &also),
                other => other,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revert_removes_both_annotations_kclm_wrote_or_restores_the_old_timestamp() {
        assert_eq!(
            revert_patch(None),
            json!({"metadata": {"annotations": {
                "confirmation.gardener.cloud/deletion": null, "gardener.cloud/timestamp": null}}})
        );
        assert_eq!(
            revert_patch(Some("2026-01-01T00:00:00Z".into()))["metadata"]["annotations"]["gardener.cloud/timestamp"],
            "2026-01-01T00:00:00Z"
        );
    }
}
