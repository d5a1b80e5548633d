//! Shoot operations on the garden cluster: hibernate, wake, delete with typed
//! confirmation, and the `gardener.cloud/operation` annotations (reconcile,
//! maintain, retry, credential rotations). All are merge patches, so all are
//! idempotent and retried on 409 with a fresh read (see `patch_guarded`).

use kube::Api;
use kube::api::{DeleteParams, Patch, Preconditions};
use serde_json::json;

use super::access::{self, AccessCheck};
use super::{
    Applied, NoopReason, ObjectRef, OpContext, OpError, Outcome, Refusal, Step, Unmet, Verdict,
    check_typed_name, delete_precondition, patch_guarded, patch_params,
};
use crate::model::gardener::{
    ANN_CONFIRM_DELETION, ANN_OPERATION, ANN_TIMESTAMP, GROUP as GARDENER_GROUP, Shoot,
};
use crate::model::{annotation, parse_bool};

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
    let (_, applied) = patch_guarded(&api, ctx, &target.name, |s| step(op, s)).await?;
    Ok(Outcome::of(ctx, op.action(), &target.to_string(), applied))
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

/// Whether `op` can be done to the shoot as it is, checked by the rules
/// Gardener's admission applies (so the user sees the reason without a round
/// trip): go, nothing to do, or refused. The TUI asks this of the watched shoot
/// to grey out and explain its actions; the executor asks it again of a fresh
/// read right before it patches, so both say the same, in the same words.
pub fn precondition(op: ShootOp, s: &Shoot) -> Result<Verdict, Refusal> {
    match op {
        ShootOp::Hibernate => {
            if s.hibernation_enabled() {
                return Ok(Verdict::Noop(if s.is_hibernated() {
                    NoopReason::AlreadyHibernated
                } else {
                    NoopReason::HibernationInProgress
                }));
            }
            match s.constraint("HibernationPossible") {
                Some(c) if c.status != "True" => Err(Refusal::Constraint {
                    constraint: "HibernationPossible".into(),
                    status: c.status.to_string(),
                    message: c.message.as_deref().unwrap_or("").to_string(),
                }),
                _ => Ok(Verdict::Go),
            }
        }
        ShootOp::Wake => Ok(if s.hibernation_enabled() {
            Verdict::Go
        } else if s.is_hibernated() {
            Verdict::Noop(NoopReason::WakeUpInProgress)
        } else {
            Verdict::Noop(NoopReason::AlreadyAwake)
        }),
        // Gardener only acts on `retry` when the last operation failed for good.
        ShootOp::Retry => match s.last_operation() {
            Some(lo) if lo.state == "Failed" => operation_precondition(s, "retry"),
            Some(lo) => Err(Refusal::Precondition(Unmet::RetryNotFailed {
                type_: lo.type_.to_string(),
                state: lo.state.to_string(),
            })),
            None => Err(Refusal::Precondition(Unmet::NoLastOperation)),
        },
        ShootOp::Reconcile | ShootOp::Maintain | ShootOp::Rotate(_) => {
            operation_precondition(s, op.action())
        }
    }
}

/// `gardener.cloud/operation`: never overwrites a different pending operation
/// (that would silently cancel someone's rotation); the same one is a no-op.
fn operation_precondition(s: &Shoot, op: &str) -> Result<Verdict, Refusal> {
    match annotation(&s.metadata, ANN_OPERATION).filter(|v| !v.is_empty()) {
        Some(pending) if pending == op => {
            Ok(Verdict::Noop(NoopReason::AlreadyRequested(op.to_string())))
        }
        Some(pending) => Err(Refusal::Precondition(Unmet::OperationPending {
            pending: pending.to_string(),
        })),
        None => Ok(Verdict::Go),
    }
}

/// The merge patch of an operation the precondition let through, and what
/// to report once it is accepted.
fn patch_for(op: ShootOp) -> (serde_json::Value, String) {
    match op {
        ShootOp::Hibernate => (
            json!({"spec": {"hibernation": {"enabled": true}}}),
            "hibernation requested".into(),
        ),
        ShootOp::Wake => (
            json!({"spec": {"hibernation": {"enabled": false}}}),
            "wake-up requested".into(),
        ),
        _ => {
            let value = op.action();
            (
                json!({"metadata": {"annotations": {ANN_OPERATION: value}}}),
                format!("{value} requested"),
            )
        }
    }
}

/// The precondition on a freshly read shoot, as a step of `patch_guarded`.
pub(crate) fn step(op: ShootOp, s: &Shoot) -> Result<Step, OpError> {
    match precondition(op, s).map_err(OpError::Refused)? {
        Verdict::Noop(why) => Ok(Step::Done(why)),
        Verdict::Go => {
            let (patch, message) = patch_for(op);
            Ok(Step::Patch(patch, message))
        }
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

fn confirmed(s: &Shoot) -> bool {
    annotation(&s.metadata, ANN_CONFIRM_DELETION).and_then(parse_bool) == Some(true)
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
    let (shoot, applied) = patch_guarded(&api, ctx, &target.name, |s| {
        delete_precondition(&s.metadata, &ctx.protect, &what).map_err(OpError::Refused)?;
        super::check_uid(target, &s.metadata)?;
        if confirmed(s) {
            // Someone (perhaps a second approver) confirmed already: keep their
            // annotation as it is, and never revert it.
            return Ok(Step::Done(NoopReason::AlreadyConfirmed));
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
    revert_confirmation(&api, ctx, &target.name, err).await
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
            Ok(Step::Done(m)) => panic!("expected a patch, got nothing to do: {m}"),
            Err(e) => panic!("expected a patch, got {e}"),
        }
    }

    #[test]
    fn hibernation_is_refused_with_gardeners_reason_unless_possible() {
        let s = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible",
            "status": "False", "message": "webhook \"policy\" would block waking up"}]}}),
        );
        let e = step(ShootOp::Hibernate, &s).err().unwrap();
        assert_eq!(
            e.to_string(),
            "refused: 'HibernationPossible' constraint is 'False': webhook \"policy\" would block waking up"
        );
        let unknown = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible", "status": "Unknown"}]}}),
        );
        assert!(step(ShootOp::Hibernate, &unknown).is_err());
        // No constraint at all: Gardener allows it, and so does kclm.
        let p = patch_of(step(ShootOp::Hibernate, &shoot(json!({}))));
        assert_eq!(p, json!({"spec": {"hibernation": {"enabled": true}}}));
        let ok = shoot(
            json!({"status": {"constraints": [{"type": "HibernationPossible", "status": "True"}]}}),
        );
        assert!(matches!(step(ShootOp::Hibernate, &ok), Ok(Step::Patch(..))));
    }

    #[test]
    fn hibernate_and_wake_are_no_ops_in_the_wanted_state() {
        let hib = shoot(
            json!({"spec": {"hibernation": {"enabled": true}}, "status": {"hibernated": true}}),
        );
        assert_eq!(
            precondition(ShootOp::Hibernate, &hib),
            Ok(Verdict::Noop(NoopReason::AlreadyHibernated))
        );
        assert!(matches!(
            step(ShootOp::Hibernate, &hib),
            Ok(Step::Done(NoopReason::AlreadyHibernated))
        ));
        assert_eq!(
            patch_of(step(ShootOp::Wake, &hib)),
            json!({"spec": {"hibernation": {"enabled": false}}})
        );
        assert_eq!(
            precondition(ShootOp::Wake, &shoot(json!({}))),
            Ok(Verdict::Noop(NoopReason::AlreadyAwake))
        );
    }

    #[test]
    fn retry_only_on_failed() {
        for state in ["Succeeded", "Error", "Processing", "Aborted"] {
            let s =
                shoot(json!({"status": {"lastOperation": {"type": "Reconcile", "state": state}}}));
            let e = step(ShootOp::Retry, &s).err().unwrap();
            assert!(
                matches!(
                    e,
                    OpError::Refused(Refusal::Precondition(Unmet::RetryNotFailed { .. }))
                ),
                "{state}"
            );
            assert!(e.to_string().contains(state), "{e}");
        }
        assert!(step(ShootOp::Retry, &shoot(json!({}))).is_err());
        let failed =
            shoot(json!({"status": {"lastOperation": {"type": "Create", "state": "Failed"}}}));
        assert_eq!(
            patch_of(step(ShootOp::Retry, &failed)),
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "retry"}}})
        );
    }

    #[test]
    fn operation_annotation_never_overwrites_another_pending_operation() {
        let pending = shoot(
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "rotate-ca-start"}}}),
        );
        assert_eq!(
            precondition(ShootOp::Rotate(Rotation::CaStart), &pending),
            Ok(Verdict::Noop(NoopReason::AlreadyRequested(
                "rotate-ca-start".into()
            )))
        );
        let e = step(ShootOp::Reconcile, &pending).err().unwrap();
        assert_eq!(
            e,
            OpError::Refused(Refusal::Precondition(Unmet::OperationPending {
                pending: "rotate-ca-start".into()
            }))
        );
        assert!(e.to_string().contains("rotate-ca-start"), "{e}");
        assert_eq!(
            patch_of(step(ShootOp::Maintain, &shoot(json!({})))),
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
}
