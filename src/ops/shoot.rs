//! Shoot operations on the garden cluster: hibernate, wake, delete with typed
//! confirmation (in `shoot_delete`), and the `gardener.cloud/operation` annotations (reconcile,
//! maintain, retry, credential rotations). All are merge patches, so all are
//! idempotent and retried on 409 with a fresh read (see `patch_guarded`).

use kube::Api;
use serde_json::json;

use super::{
    NoopReason, ObjectRef, OpContext, OpError, Outcome, Refusal, Step, Unmet, Verdict,
    patch_guarded,
};
use crate::model::annotation;
use crate::model::gardener::{ANN_OPERATION, Shoot};

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

pub(crate) use super::shoot_delete::delete_confirmed;
pub use super::shoot_delete::{delete, delete_shoot_precondition};

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
            Some(lo) if lo.state == "Failed" => retry_precondition(s),
            Some(lo) => Err(Refusal::Precondition(Unmet::RetryNotFailed {
                type_: lo.type_.to_string(),
                state: lo.state.to_string(),
            })),
            None => Err(Refusal::Precondition(Unmet::NoLastOperation)),
        },
        // While the last operation Failed, the API server keeps `reconcile`
        // and gardenlet never acts on it: it would only block a later retry.
        ShootOp::Reconcile => match s.last_operation() {
            Some(lo) if lo.state == "Failed" => {
                Err(Refusal::Precondition(Unmet::ReconcileOnFailed {
                    type_: lo.type_.to_string(),
                }))
            }
            _ => operation_precondition(s, op.action()),
        },
        ShootOp::Maintain | ShootOp::Rotate(_) => operation_precondition(s, op.action()),
    }
}

/// The pending `gardener.cloud/operation` entries (`;` separates parallel ones).
fn pending_operations(s: &Shoot) -> Vec<&str> {
    annotation(&s.metadata, ANN_OPERATION)
        .map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// `retry` on a Failed shoot: a pending `reconcile` is one Gardener will never
/// act on while the shoot is Failed, so retry replaces it.
fn retry_precondition(s: &Shoot) -> Result<Verdict, Refusal> {
    match pending_operations(s).as_slice() {
        [] | ["reconcile"] => Ok(Verdict::Go),
        ["retry"] => Ok(Verdict::Noop(NoopReason::AlreadyRequested("retry".into()))),
        _ => operation_precondition(s, "retry"),
    }
}

/// The rotation family of an operation (`ca` for `rotate-ca-start`) and
/// whether it is a `-complete` phase.
fn rotation_family(op: &str) -> Option<(&str, bool)> {
    let rest = op.strip_prefix("rotate-")?;
    let rest = rest
        .strip_suffix("-without-workers-rollout")
        .unwrap_or(rest);
    Some(match rest.strip_suffix("-complete") {
        Some(family) => (family, true),
        None => (rest.strip_suffix("-start").unwrap_or(rest), false),
    })
}

/// `gardener.cloud/operation`: never overwrites a different pending operation
/// (that would silently cancel someone's rotation); the same one is a no-op.
/// Rotations run in parallel (Gardener takes a `;`-separated list), so a
/// rotation joins pending rotations, except the other phase of its own
/// family (starting and completing one rotation at once makes no sense).
fn operation_precondition(s: &Shoot, op: &str) -> Result<Verdict, Refusal> {
    let pending = pending_operations(s);
    if pending.is_empty() {
        return Ok(Verdict::Go);
    }
    if pending.contains(&op) {
        return Ok(Verdict::Noop(NoopReason::AlreadyRequested(op.to_string())));
    }
    let joined = pending.join(";");
    let Some((family, _)) = rotation_family(op) else {
        return Err(Refusal::Precondition(Unmet::OperationPending {
            pending: joined,
        }));
    };
    for p in &pending {
        match rotation_family(p) {
            None => {
                return Err(Refusal::Precondition(Unmet::OperationPending {
                    pending: joined,
                }));
            }
            Some((f, _)) if f == family => {
                return Err(Refusal::Precondition(Unmet::NotInParallel {
                    op: op.to_string(),
                    pending: p.to_string(),
                }));
            }
            Some(_) => {}
        }
    }
    Ok(Verdict::Go)
}

/// The annotation value to write for an operation the precondition let
/// through: `retry` replaces a pending `reconcile`, a rotation joins pending
/// rotations.
fn operation_value(op: ShootOp, s: &Shoot) -> String {
    let value = op.action();
    match op {
        ShootOp::Rotate(_) => {
            let mut all = pending_operations(s);
            all.push(value);
            all.join(";")
        }
        _ => value.to_string(),
    }
}

/// The merge patch of an operation the precondition let through, and what
/// to report once it is accepted.
fn patch_for(op: ShootOp, s: &Shoot) -> (serde_json::Value, String) {
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
            let value = operation_value(op, s);
            let message = if value == op.action() {
                format!("{value} requested")
            } else {
                format!("{} requested (annotation now {value:?})", op.action())
            };
            (
                json!({"metadata": {"annotations": {ANN_OPERATION: value}}}),
                message,
            )
        }
    }
}

/// The precondition on a freshly read shoot, as a step of `patch_guarded`.
pub(crate) fn step(op: ShootOp, s: &Shoot) -> Result<Step, OpError> {
    match precondition(op, s).map_err(OpError::Refused)? {
        Verdict::Noop(why) => Ok(Step::Done(why)),
        Verdict::Go => {
            let (patch, message) = patch_for(op, s);
            Ok(Step::Patch(patch, message))
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
    fn reconcile_on_a_failed_shoot_points_to_retry_and_retry_replaces_it() {
        let failed = shoot(json!({
            "metadata": {"annotations": {"gardener.cloud/operation": "reconcile"}},
            "status": {"lastOperation": {"type": "Reconcile", "state": "Failed"}}}));
        let e = step(ShootOp::Reconcile, &failed).err().unwrap();
        assert!(
            matches!(
                e,
                OpError::Refused(Refusal::Precondition(Unmet::ReconcileOnFailed { .. }))
            ),
            "{e}"
        );
        assert!(e.to_string().contains("kclm shoot retry"), "{e}");
        assert_eq!(
            patch_of(step(ShootOp::Retry, &failed)),
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "retry"}}})
        );
        // Another pending operation is still never overwritten by retry.
        let rotating = shoot(json!({
            "metadata": {"annotations": {"gardener.cloud/operation": "rotate-ca-start"}},
            "status": {"lastOperation": {"type": "Reconcile", "state": "Failed"}}}));
        assert!(step(ShootOp::Retry, &rotating).is_err());
    }

    #[test]
    fn rotations_join_pending_rotations_but_not_their_own_other_phase() {
        let pending = shoot(
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "rotate-ssh-keypair"}}}),
        );
        assert_eq!(
            patch_of(step(
                ShootOp::Rotate(Rotation::ObservabilityCredentials),
                &pending
            )),
            json!({"metadata": {"annotations": {
                "gardener.cloud/operation": "rotate-ssh-keypair;rotate-observability-credentials"}}})
        );
        let ca = shoot(
            json!({"metadata": {"annotations": {"gardener.cloud/operation": "rotate-ca-start"}}}),
        );
        let e = step(ShootOp::Rotate(Rotation::CaComplete), &ca)
            .err()
            .unwrap();
        assert!(
            matches!(
                e,
                OpError::Refused(Refusal::Precondition(Unmet::NotInParallel { .. }))
            ),
            "{e}"
        );
        // maintain and reconcile still wait for a pending rotation.
        assert!(step(ShootOp::Maintain, &ca).is_err());
        let listed = shoot(json!({"metadata": {"annotations": {
            "gardener.cloud/operation": "rotate-ssh-keypair;rotate-ca-start"}}}));
        assert_eq!(
            precondition(ShootOp::Rotate(Rotation::CaStart), &listed),
            Ok(Verdict::Noop(NoopReason::AlreadyRequested(
                "rotate-ca-start".into()
            )))
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
