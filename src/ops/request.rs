//! Every operation kclm can do, as one value ([`Op`]), the request to run it
//! ([`OpRequest`]) and what came back ([`OpReport`]). The CLI, the TUI and the
//! workflows build these and hand them to [`super::execute`].

use super::metal::{PowerCommand, StateChange};
use super::shoot::ShootOp;
use super::{ObjectRef, OpError, Outcome, Refusal};

/// One operation, fully described: targets, and the confirmation text the
/// user typed (the core checks it once more before anything is sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Shoot(ShootOp, ObjectRef),
    DeleteShoot {
        target: ObjectRef,
        typed: String,
    },
    /// The first approver's half of a dual-approval deletion: the
    /// confirmation annotation only, no DELETE.
    ConfirmShootDeletion {
        target: ObjectRef,
        typed: String,
    },
    /// One shoot operation on several shoots (each gets its own result).
    Bulk(ShootOp, Vec<ObjectRef>),
    /// Confirmed by the name for one shoot, by the count for several.
    BulkDelete {
        targets: Vec<ObjectRef>,
        typed: String,
    },
    Pause {
        target: ObjectRef,
        paused: bool,
    },
    DeleteCluster {
        target: ObjectRef,
        typed: String,
    },
    DeleteTenant {
        target: ObjectRef,
        typed: String,
    },
    Power {
        id: String,
        command: PowerCommand,
        /// `namespace/name` of the machine's shoot, for naming it in the result.
        shoot: Option<String>,
    },
    Identify {
        id: String,
        on: bool,
        /// Why; empty means "identify via kclm by <actor>".
        description: String,
        shoot: Option<String>,
    },
    SetState {
        id: String,
        change: StateChange,
        description: String,
        shoot: Option<String>,
    },
}

/// An operation and the safety switch it was confirmed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRequest {
    pub op: Op,
    pub dry_run: bool,
}

impl Op {
    /// Short description for a status line: `hibernate garden-acme/web`.
    pub fn label(&self) -> String {
        match self {
            Op::Shoot(op, t) => format!("{} {t}", op.action()),
            Op::DeleteShoot { target, .. } => format!("delete {target}"),
            Op::ConfirmShootDeletion { target, .. } => format!("confirm deletion of {target}"),
            Op::Bulk(op, ts) => format!("{} {} shoots", op.action(), ts.len()),
            Op::BulkDelete { targets, .. } => format!("delete {} shoots", targets.len()),
            Op::Pause { target, paused } => {
                format!(
                    "{} cluster {target}",
                    if *paused { "pause" } else { "unpause" }
                )
            }
            Op::DeleteCluster { target, .. } => format!("delete cluster {target}"),
            Op::DeleteTenant { target, .. } => format!("delete tenant {target}"),
            Op::Power { id, command, .. } => format!("power {} {id}", command.as_str()),
            Op::Identify { id, on, .. } => {
                format!("identify {} {id}", if *on { "on" } else { "off" })
            }
            Op::SetState { id, change, .. } => match change {
                StateChange::Clear => format!("release {id}"),
                _ => format!("set {} {id}", change.value()),
            },
        }
    }

    /// The one target of a single operation (`namespace/name` or a machine
    /// id); `None` for the bulk operations, whose results name their own.
    pub fn target(&self) -> Option<String> {
        match self {
            Op::Shoot(_, t)
            | Op::DeleteShoot { target: t, .. }
            | Op::ConfirmShootDeletion { target: t, .. }
            | Op::Pause { target: t, .. }
            | Op::DeleteCluster { target: t, .. }
            | Op::DeleteTenant { target: t, .. } => Some(t.to_string()),
            Op::Power { id, .. } | Op::Identify { id, .. } | Op::SetState { id, .. } => {
                Some(id.clone())
            }
            Op::Bulk(..) | Op::BulkDelete { .. } => None,
        }
    }

    pub fn is_bulk(&self) -> bool {
        self.target().is_none()
    }

    /// Puts what was typed into a confirmation dialog into the request: the
    /// typed confirmation goes to the core unchanged, which checks it once more.
    pub fn fill(&mut self, input: &str) {
        match self {
            Op::DeleteShoot { typed, .. }
            | Op::ConfirmShootDeletion { typed, .. }
            | Op::BulkDelete { typed, .. }
            | Op::DeleteCluster { typed, .. }
            | Op::DeleteTenant { typed, .. } => *typed = input.to_string(),
            Op::SetState { description, .. } => *description = input.to_string(),
            _ => {}
        }
    }
}

/// What came back from one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpReport {
    /// A single operation, or a bulk one refused as a whole (nothing sent).
    One {
        label: String,
        result: Result<Outcome, OpError>,
    },
    /// One result per target, in the order given.
    Bulk {
        label: String,
        dry_run: bool,
        results: Vec<(String, Result<Outcome, OpError>)>,
    },
}

impl OpReport {
    /// The request refused before it could run (e.g. nothing connected yet).
    pub fn refused(req: &OpRequest, why: Refusal) -> Self {
        OpReport::One {
            label: req.op.label(),
            result: Err(OpError::Refused(why)),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            OpReport::One { label, .. } | OpReport::Bulk { label, .. } => label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_operations_name_their_target_bulk_ones_do_not() {
        let t = ObjectRef::new("garden-acme", "web");
        assert_eq!(
            Op::Shoot(ShootOp::Hibernate, t.clone()).target().as_deref(),
            Some("garden-acme/web")
        );
        let power = Op::Power {
            id: "m-1".into(),
            command: PowerCommand::Off,
            shoot: None,
        };
        assert_eq!(power.target().as_deref(), Some("m-1"));
        assert_eq!(power.label(), "power off m-1");
        let bulk = Op::Bulk(ShootOp::Wake, vec![t.clone(), t]);
        assert!(bulk.is_bulk());
        assert_eq!(bulk.label(), "wake 2 shoots");
    }

    #[test]
    fn fill_puts_the_typed_text_where_it_belongs() {
        let mut d = Op::DeleteCluster {
            target: ObjectRef::new("capi", "c1"),
            typed: String::new(),
        };
        d.fill("c1");
        assert!(matches!(&d, Op::DeleteCluster { typed, .. } if typed == "c1"));
        let mut p = Op::Pause {
            target: ObjectRef::new("capi", "c1"),
            paused: true,
        };
        let before = p.clone();
        p.fill("ignored");
        assert_eq!(p, before);
    }
}
