//! Shoot operations on the garden cluster: hibernate, wake, delete with typed
//! confirmation, and the `gardener.cloud/operation` annotations (reconcile,
//! maintain, retry, credential rotations). All are merge patches, so all are
//! idempotent and retried on 409 with a fresh read (see `patch_guarded`).

use kube::Api;
use kube::api::{DeleteParams, Patch, Preconditions};
use serde_json::json;

use super::{
    ObjectRef, OpContext, OpError, Outcome, Step, check_typed_name, check_unprotected,
    patch_guarded, patch_params,
};
use crate::model::gardener::{ANN_CONFIRM_DELETION, ANN_OPERATION, ANN_TIMESTAMP, Shoot};
use crate::model::{annotation, parse_bool};

/// The inner text of Gardener's `DeletionConfirmation` refusal.
pub const CONFIRMATION_REFUSAL: &str =
    "must have a \"confirmation.gardener.cloud/deletion\" annotation to delete";

/// Credential rotations started through `gardener.cloud/operation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rotation {
    CredentialsStart,
    CredentialsComplete,
    SshKeypair,
    ObservabilityCredentials,
    EtcdEncryptionKey,
    CaStart,
    CaComplete,
    ServiceAccountKeyStart,
    ServiceAccountKeyComplete,
}

impl Rotation {
    pub const ALL: [Rotation; 9] = [
        Rotation::CredentialsStart,
        Rotation::CredentialsComplete,
        Rotation::SshKeypair,
        Rotation::ObservabilityCredentials,
        Rotation::EtcdEncryptionKey,
        Rotation::CaStart,
        Rotation::CaComplete,
        Rotation::ServiceAccountKeyStart,
        Rotation::ServiceAccountKeyComplete,
    ];

    /// The annotation value, e.g. `rotate-ssh-keypair`.
    pub fn operation(self) -> &'static str {
        match self {
            Rotation::CredentialsStart => "rotate-credentials-start",
            Rotation::CredentialsComplete => "rotate-credentials-complete",
            Rotation::SshKeypair => "rotate-ssh-keypair",
            Rotation::ObservabilityCredentials => "rotate-observability-credentials",
            Rotation::EtcdEncryptionKey => "rotate-etcd-encryption-key",
            Rotation::CaStart => "rotate-ca-start",
            Rotation::CaComplete => "rotate-ca-complete",
            Rotation::ServiceAccountKeyStart => "rotate-serviceaccount-key-start",
            Rotation::ServiceAccountKeyComplete => "rotate-serviceaccount-key-complete",
        }
    }

    /// The name without the `rotate-` prefix, as the CLI takes it.
    pub fn short(self) -> &'static str {
        &self.operation()["rotate-".len()..]
    }
}

impl std::str::FromStr for Rotation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.strip_prefix("rotate-").unwrap_or(s);
        Rotation::ALL
            .into_iter()
            .find(|r| r.short() == want)
            .ok_or_else(|| {
                let known: Vec<_> = Rotation::ALL.iter().map(|r| r.short()).collect();
                format!("unknown rotation {s:?} (known: {})", known.join(", "))
            })
    }
}

/// A shoot operation that needs no typed confirmation (delete has its own fn).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShootOp {
    Hibernate,
    Wake,
    Reconcile,
    Maintain,
    Retry,
    Rotate(Rotation),
}

impl ShootOp {
    /// The action name in outcomes and the audit log.
    pub fn action(self) -> &'static str {
        match self {
            ShootOp::Hibernate => "hibernate",
            ShootOp::Wake => "wake",
            ShootOp::Reconcile => "reconcile",
            ShootOp::Maintain => "maintain",
            ShootOp::Retry => "retry",
            ShootOp::Rotate(r) => r.operation(),
        }
    }
}

/// Runs one shoot operation.
pub async fn run(
    client: &kube::Client,
    ctx: &OpContext,
    op: ShootOp,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    let result = run_inner(client, ctx, op, target).await;
    ctx.record(op.action(), &target.to_string(), result)
}

async fn run_inner(
    client: &kube::Client,
    ctx: &OpContext,
    op: ShootOp,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    ctx.writable()?;
    let api = Api::<Shoot>::namespaced(client.clone(), &target.namespace);
    let (_, message) = match op {
        ShootOp::Hibernate => patch_guarded(&api, ctx, &target.name, hibernate_step).await?,
        ShootOp::Wake => patch_guarded(&api, ctx, &target.name, wake_step).await?,
        ShootOp::Reconcile => {
            patch_guarded(&api, ctx, &target.name, |s| operation_step(s, "reconcile")).await?
        }
        ShootOp::Maintain => {
            patch_guarded(&api, ctx, &target.name, |s| operation_step(s, "maintain")).await?
        }
        ShootOp::Retry => patch_guarded(&api, ctx, &target.name, retry_step).await?,
        ShootOp::Rotate(r) => {
            patch_guarded(&api, ctx, &target.name, |s| {
                operation_step(s, r.operation())
            })
            .await?
        }
    };
    Ok(Outcome::new(ctx, op.action(), &target.to_string(), message))
}

pub async fn hibernate(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Hibernate, target).await
}

pub async fn wake(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Wake, target).await
}

pub async fn reconcile(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Reconcile, target).await
}

pub async fn maintain(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Maintain, target).await
}

pub async fn retry(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Retry, target).await
}

pub async fn rotate(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    rotation: Rotation,
) -> Result<Outcome, OpError> {
    run(client, ctx, ShootOp::Rotate(rotation), target).await
}

/// Hibernation: refused locally exactly when Gardener's admission would refuse
/// it, so the user sees the reason without a round trip.
pub(crate) fn hibernate_step(s: &Shoot) -> Result<Step, OpError> {
    if s.hibernation_enabled() {
        return Ok(Step::Done(if s.is_hibernated() {
            "already hibernated".into()
        } else {
            "hibernation already in progress".into()
        }));
    }
    if let Some(c) = s.constraint("HibernationPossible")
        && c.status != "True"
    {
        return Err(OpError::Refused(format!(
            "'HibernationPossible' constraint is '{}': {}",
            c.status,
            c.message.as_deref().unwrap_or("")
        )));
    }
    Ok(Step::Patch(
        json!({"spec": {"hibernation": {"enabled": true}}}),
        "hibernation requested".into(),
    ))
}

pub(crate) fn wake_step(s: &Shoot) -> Result<Step, OpError> {
    if !s.hibernation_enabled() {
        return Ok(Step::Done(if s.is_hibernated() {
            "wake-up already in progress".into()
        } else {
            "already awake".into()
        }));
    }
    Ok(Step::Patch(
        json!({"spec": {"hibernation": {"enabled": false}}}),
        "wake-up requested".into(),
    ))
}

/// `gardener.cloud/operation`: never overwrites a different pending operation
/// (that would silently cancel someone's rotation); the same one is a no-op.
pub(crate) fn operation_step(s: &Shoot, op: &str) -> Result<Step, OpError> {
    match annotation(&s.metadata, ANN_OPERATION).filter(|v| !v.is_empty()) {
        Some(pending) if pending == op => Ok(Step::Done(format!("{op} already requested"))),
        Some(pending) => Err(OpError::Refused(format!(
            "operation {pending:?} is still pending on this shoot; wait until Gardener has \
             picked it up"
        ))),
        None => Ok(Step::Patch(
            json!({"metadata": {"annotations": {ANN_OPERATION: op}}}),
            format!("{op} requested"),
        )),
    }
}

/// Gardener only acts on `retry` when the last operation failed for good.
pub(crate) fn retry_step(s: &Shoot) -> Result<Step, OpError> {
    match s.last_operation() {
        Some(lo) if lo.state == "Failed" => operation_step(s, "retry"),
        Some(lo) => Err(OpError::Refused(format!(
            "retry only applies to a Failed last operation; it is {} {}",
            lo.type_, lo.state
        ))),
        None => Err(OpError::Refused(
            "retry only applies to a Failed last operation; the shoot has none".into(),
        )),
    }
}

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

const ALREADY_CONFIRMED: &str = "already confirmed";

fn confirmed(s: &Shoot) -> bool {
    annotation(&s.metadata, ANN_CONFIRM_DELETION).and_then(parse_bool) == Some(true)
}

/// Whether a DELETE was refused by `DeletionConfirmation` (not by RBAC, not by dual approval).
pub fn is_confirmation_refusal(e: &OpError) -> bool {
    matches!(e, OpError::Api { code: 403, message, .. } if message.contains(CONFIRMATION_REFUSAL))
}

async fn delete_inner(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    let api = Api::<Shoot>::namespaced(client.clone(), &target.namespace);
    let what = format!("shoot {target}");
    let (shoot, step) = patch_guarded(&api, ctx, &target.name, |s| {
        check_unprotected(&s.metadata, &ctx.protect, &what)?;
        if s.metadata.deletion_timestamp.is_some() {
            return Err(OpError::Refused(format!("{what} is already being deleted")));
        }
        if confirmed(s) {
            // Someone (perhaps a second approver) confirmed already: keep their
            // annotation as it is, and never revert it.
            return Ok(Step::Done(ALREADY_CONFIRMED.into()));
        }
        let now = jiff::Timestamp::now().to_string();
        Ok(Step::Patch(
            json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: "true", ANN_TIMESTAMP: now}}}),
            "confirmed".into(),
        ))
    })
    .await?;
    let we_confirmed = step != ALREADY_CONFIRMED;
    if !confirmed(&shoot) {
        return Err(OpError::Refused(format!(
            "the server did not record the {ANN_CONFIRM_DELETION} annotation on {what}; \
             no DELETE sent"
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
            return Ok(Outcome::new(
                ctx,
                "delete",
                &target.to_string(),
                "deletion requested".into(),
            ));
        }
        Err(e) => OpError::from(e),
    };
    if ctx.dry_run {
        if is_confirmation_refusal(&err) {
            return Ok(Outcome::new(
                ctx,
                "delete",
                &target.to_string(),
                "confirmation PATCH accepted; DELETE authorized, then refused by Gardener's \
                 DeletionConfirmation check as expected for a dry run (it reads the stored \
                 object, which a dry-run PATCH leaves unconfirmed)"
                    .into(),
            ));
        }
        return Err(err);
    }
    if matches!(err, OpError::Transport(_))
        && let Some(done) = deleted_anyway(&api, &target.name).await
    {
        return Ok(Outcome::new(ctx, "delete", &target.to_string(), done));
    }
    if !we_confirmed {
        return Err(err);
    }
    revert_confirmation(&api, ctx, &target.name, err).await
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

/// Takes the confirmation back after a failed DELETE; returns the DELETE's error.
async fn revert_confirmation(
    api: &Api<Shoot>,
    ctx: &OpContext,
    name: &str,
    err: OpError,
) -> Result<Outcome, OpError> {
    let patch = json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: null}}});
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

    fn shoot(v: serde_json::Value) -> Shoot {
        serde_json::from_value(v).unwrap()
    }

    fn patch_of(step: Result<Step, OpError>) -> serde_json::Value {
        match step {
            Ok(Step::Patch(p, _)) => p,
            Ok(Step::Done(m)) => panic!("expected a patch, got done: {m}"),
            Err(e) => panic!("expected a patch, got {e}"),
        }
    }

    #[test]
    fn hibernation_is_refused_with_gardeners_reason_unless_possible() {
        let s = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible",
            "status": "False", "message": "webhook \"policy\" would block waking up"}]}}),
        );
        let e = hibernate_step(&s).err().unwrap();
        assert_eq!(
            e.to_string(),
            "refused: 'HibernationPossible' constraint is 'False': webhook \"policy\" would block waking up"
        );
        let unknown = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible", "status": "Unknown"}]}}),
        );
        assert!(hibernate_step(&unknown).is_err());
        // No constraint at all: Gardener allows it, and so does kclm.
        let p = patch_of(hibernate_step(&shoot(json!({}))));
        assert_eq!(p, json!({"spec": {"hibernation": {"enabled": true}}}));
        let ok = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible", "status": "True"}]}}),
        );
        assert!(matches!(hibernate_step(&ok), Ok(Step::Patch(..))));
    }

    #[test]
    fn hibernate_and_wake_are_no_ops_in_the_wanted_state() {
        let hib = shoot(
            json!({"spec": {"hibernation": {"enabled": true}}, "status": {"hibernated": true}}),
        );
        assert!(matches!(hibernate_step(&hib), Ok(Step::Done(m)) if m == "already hibernated"));
        assert_eq!(
            patch_of(wake_step(&hib)),
            json!({"spec": {"hibernation": {"enabled": false}}})
        );
        assert!(matches!(wake_step(&shoot(json!({}))), Ok(Step::Done(m)) if m == "already awake"));
    }

    #[test]
    fn retry_only_on_failed() {
        for state in ["Succeeded", "Error", "Processing", "Aborted"] {
            let s =
                shoot(json!({"status": {"lastOperation": {"type": "Reconcile", "state": state}}}));
            let e = retry_step(&s).err().unwrap();
            assert!(matches!(e, OpError::Refused(_)), "{state}");
            assert!(e.to_string().contains(state), "{e}");
        }
        assert!(retry_step(&shoot(json!({}))).is_err());
        let failed =
            shoot(json!({"status": {"lastOperation": {"type": "Create", "state": "Failed"}}}));
        assert_eq!(
            patch_of(retry_step(&failed)),
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "retry"}}})
        );
    }

    #[test]
    fn operation_annotation_never_overwrites_another_pending_operation() {
        let pending = shoot(
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "rotate-ca-start"}}}),
        );
        assert!(matches!(
            operation_step(&pending, "rotate-ca-start"),
            Ok(Step::Done(_))
        ));
        let e = operation_step(&pending, "reconcile").err().unwrap();
        assert!(e.to_string().contains("rotate-ca-start"), "{e}");
        assert_eq!(
            patch_of(operation_step(&shoot(json!({})), "maintain")),
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "maintain"}}})
        );
    }

    #[test]
    fn rotations_parse_with_or_without_prefix() {
        for r in Rotation::ALL {
            assert_eq!(r.short().parse::<Rotation>(), Ok(r));
            assert_eq!(r.operation().parse::<Rotation>(), Ok(r));
        }
        assert_eq!(
            "ssh-keypair".parse::<Rotation>().map(Rotation::operation),
            Ok("rotate-ssh-keypair")
        );
        assert!("ssh".parse::<Rotation>().unwrap_err().contains("ca-start"));
    }

    #[test]
    fn confirmation_refusal_is_told_apart_from_rbac_and_dual_approval() {
        let api = |m: &str| OpError::Api {
            code: 403,
            reason: "Forbidden".into(),
            message: m.into(),
        };
        assert!(is_confirmation_refusal(&api(
            "shoots.core.gardener.cloud \"web\" is forbidden: must have a \"confirmation.gardener.cloud/deletion\" annotation to delete"
        )));
        assert!(!is_confirmation_refusal(&api(
            "shoots.core.gardener.cloud \"web\" is forbidden: User \"x\" cannot delete resource \"shoots\""
        )));
        assert!(!is_confirmation_refusal(&api(
            "you are not allowed to both confirm the deletion and send the actual DELETE request - another subject must perform the deletion"
        )));
    }
}
