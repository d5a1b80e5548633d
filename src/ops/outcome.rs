//! What an operation came to, as types: it changed something, it had nothing
//! to do (and why), or it was refused before anything was sent (and why).
//! Callers branch on these types; the texts are for humans only, one per reason.

use serde::Serialize;

/// Whether an operation changed anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The request was sent (with `dryRun=All` in a dry run) and accepted.
    Changed,
    /// The object is already in the wanted state: nothing was sent.
    Noop(NoopReason),
}

/// Why an operation had nothing to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NoopReason {
    #[error("already hibernated")]
    AlreadyHibernated,
    #[error("hibernation already in progress")]
    HibernationInProgress,
    #[error("already awake")]
    AlreadyAwake,
    #[error("wake-up already in progress")]
    WakeUpInProgress,
    /// The same `gardener.cloud/operation` is pending already.
    #[error("{0} already requested")]
    AlreadyRequested(String),
    #[error("already paused")]
    AlreadyPaused,
    #[error("already unpaused")]
    AlreadyUnpaused,
    /// The deletion confirmation annotation is set already (the DELETE still goes out).
    #[error("deletion already confirmed")]
    AlreadyConfirmed,
}

/// Why an operation was refused before anything was sent (or, for the
/// `Precondition`s checked on a fresh read, before anything was changed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("landscape {landscape:?} is read-only")]
    ReadOnly { landscape: String },
    /// The authorizer said no (a `SelfSubjectAccessReview`), with its reason.
    #[error("forbidden: {reason}")]
    Rbac { reason: String },
    /// A `protect` rule of the landscape matches the object's labels or annotations.
    #[error(
        "{what} is protected from deletion by kclm ({rule}); remove the label or \
         annotation, or the rule from the landscape's `protect` list, first"
    )]
    Protected { what: String, rule: String },
    /// A Gardener constraint (e.g. `HibernationPossible`) is not `True`.
    #[error("'{constraint}' constraint is '{status}': {message}")]
    Constraint {
        constraint: String,
        status: String,
        message: String,
    },
    #[error("typed confirmation {typed:?} does not match the name {name:?}")]
    TypedNameMismatch { typed: String, name: String },
    #[error("typed confirmation {typed:?} does not match the number of shoots to delete ({count})")]
    TypedCountMismatch { typed: String, count: usize },
    /// A selection is confirmed by the token of its uids, never by a count.
    #[error("typed confirmation {typed:?} is not the token {token} of the {count} selected shoots")]
    TypedTokenMismatch {
        typed: String,
        token: String,
        count: usize,
    },
    #[error("no shoots to delete")]
    NothingToDelete,
    #[error("{0}")]
    Precondition(Unmet),
    /// The client the operation needs is not configured or not connected.
    #[error("no {0} connected")]
    NotConnected(Service),
    /// The landscape's session has not started (yet).
    #[error("not connected to the landscape yet")]
    NotStarted,
}

/// A state of the object that rules the operation out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unmet {
    /// `retry` on a last operation that did not fail.
    #[error("retry only applies to a Failed last operation; it is {type_} {state}")]
    RetryNotFailed { type_: String, state: String },
    #[error("retry only applies to a Failed last operation; the shoot has none")]
    NoLastOperation,
    /// Another `gardener.cloud/operation` waits to be picked up.
    #[error(
        "operation {pending:?} is still pending on this shoot; wait until Gardener has picked it up"
    )]
    OperationPending { pending: String },
    /// `reconcile` while the last operation Failed: Gardener keeps the
    /// annotation and never acts on it; only `retry` counts then.
    #[error(
        "the last operation ({type_}) Failed: Gardener ignores reconcile until it is retried; \
         use retry (`kclm shoot retry`) instead"
    )]
    ReconcileOnFailed { type_: String },
    /// Two operations Gardener does not run side by side.
    #[error(
        "operation {op:?} cannot run in parallel with the pending {pending:?}; wait until Gardener has picked it up"
    )]
    NotInParallel { op: String, pending: String },
    /// The project's `dualApprovalForDeletion` selects the shoot and nobody confirmed it yet.
    #[error(
        "{what} needs two approvers: its project requires dual approval for deletion; one \
         subject confirms (`kclm shoot confirm-deletion`), another sends the DELETE \
         (`kclm shoot delete`); nothing was changed"
    )]
    FirstApprovalNeeded { what: String },
    /// Confirmed already, and the confirmer may not send the DELETE.
    #[error(
        "DELETE needs a second approver: this project requires dual approval for deletion of \
         {what}; confirmed by {by} at {at}, so the DELETE must come from another subject{server}"
    )]
    SecondApproverNeeded {
        what: String,
        by: String,
        at: String,
        /// The server's own words, if it said no (`: ...`), else empty.
        server: String,
    },
    #[error("{what} is already being deleted")]
    BeingDeleted { what: String },
    #[error("the server did not record the {annotation} annotation on {what}; no DELETE sent")]
    ConfirmationNotRecorded {
        annotation: &'static str,
        what: String,
    },
    /// metal-api needs a reason for RESERVED and LOCKED.
    #[error("a description is required to set {state} (say why, for the next operator)")]
    DescriptionRequired { state: &'static str },
    /// The object is not (or no longer) in the landscape.
    #[error("{what} is gone")]
    Gone { what: String },
}

/// A client an operation may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Garden,
    Capi,
    Metal,
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Service::Garden => "garden cluster",
            Service::Capi => "Cluster-API management cluster",
            Service::Metal => "metal-api",
        })
    }
}

/// What the object's state says about an operation before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send it.
    Go,
    /// Already done: send nothing.
    Noop(NoopReason),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_ones_the_cli_has_always_printed() {
        let e = super::super::OpError::Refused(Refusal::ReadOnly {
            landscape: "demo".into(),
        });
        assert_eq!(e.to_string(), "refused: landscape \"demo\" is read-only");
        assert_eq!(
            Refusal::TypedNameMismatch {
                typed: "Web".into(),
                name: "web".into()
            }
            .to_string(),
            "typed confirmation \"Web\" does not match the name \"web\""
        );
        assert_eq!(
            Refusal::NotConnected(Service::Capi).to_string(),
            "no Cluster-API management cluster connected"
        );
        assert_eq!(
            NoopReason::AlreadyRequested("rotate-ca-start".into()).to_string(),
            "rotate-ca-start already requested"
        );
    }
}
