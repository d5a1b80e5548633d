//! What each operation's confirmation says: the target, what will happen
//! (and go), loud warnings, and what must be typed.

use kclm::landscape::rows::ShootRow;
use kclm::ops::ObjectRef;
use kclm::ops::metal::{PowerCommand, StateChange};
use kclm::ops::shoot::ShootOp;

use super::ops::Op;
use super::state::State;
use super::update_ops::{Choice, Subject, request, subject_name};
use super::widgets::confirm::Confirm;

const CANNOT_UNDO: &str = "This action cannot be undone.";

fn row<'a>(s: &'a State, t: &ObjectRef) -> Option<&'a ShootRow> {
    s.ls.rows
        .shoots
        .iter()
        .find(|r| r.namespace == t.namespace && r.name == t.name)
}

fn purpose_warning(purpose: Option<&str>) -> Option<String> {
    match purpose? {
        p @ ("production" | "infrastructure") => Some(format!(
            "⚠ This is a {} shoot: workloads and users depend on it.",
            p.to_uppercase()
        )),
        _ => None,
    }
}

fn with_dry_run(s: &State, mut d: Confirm) -> Confirm {
    if s.dry_run {
        d.title.push_str(" (dry run)");
        d = d.detail("DRY RUN: sent with dryRun=All; the server checks it and stores nothing.");
    }
    d
}

fn shoot_lines(r: Option<&ShootRow>, t: &ObjectRef) -> Vec<String> {
    let Some(r) = r else {
        return vec![format!("Shoot {t}")];
    };
    vec![
        format!(
            "Shoot {t} · project {} · seed {} · purpose {}",
            r.project,
            r.seed.as_deref().unwrap_or("-"),
            r.purpose.as_deref().unwrap_or("-")
        ),
        format!(
            "{} machines, {} firewalls · last operation: {}",
            r.machines, r.firewalls, r.last_operation_text
        ),
    ]
}

fn lines(mut d: Confirm, ls: Vec<String>) -> Confirm {
    for l in ls {
        d = d.detail(l);
    }
    d
}

/// The confirmation for `c` on `subj`.
pub fn dialog(s: &State, subj: &Subject, c: Choice) -> Option<Confirm> {
    let d = match (subj, c) {
        (Subject::Shoot(t), Choice::Shoot(op)) => shoot_op(s, t, op),
        (Subject::Shoot(t), Choice::DeleteShoot) => {
            let r = row(s, t);
            let mut d = Confirm::new(
                format!("Delete shoot {t}"),
                &t.name,
                request(
                    s,
                    Op::DeleteShoot {
                        target: t.clone(),
                        typed: String::new(),
                    },
                ),
            );
            d = lines(d, shoot_lines(r, t));
            d = d.detail(format!(
                "Deletes the cluster, its {} machines and {} firewalls, and all data in it.",
                r.map_or(0, |r| r.machines),
                r.map_or(0, |r| r.firewalls)
            ));
            if let Some(w) = purpose_warning(r.and_then(|r| r.purpose.as_deref())) {
                d = d.warning(w);
            }
            d.warning(CANNOT_UNDO)
        }
        (Subject::Shoot(t), Choice::ConfirmDeletion) => lines(
            Confirm::new(
                format!("Confirm deletion of shoot {t}"),
                &t.name,
                request(
                    s,
                    Op::ConfirmShootDeletion {
                        target: t.clone(),
                        typed: String::new(),
                    },
                ),
            ),
            shoot_lines(row(s, t), t),
        )
        .detail(
            "Writes confirmation.gardener.cloud/deletion only; no DELETE is sent. Under dual \
             approval another subject then deletes the shoot.",
        ),
        (Subject::Shoots(ts), Choice::Shoot(op)) => bulk(s, ts, Some(op)),
        (Subject::Shoots(ts), Choice::DeleteShoot) => bulk(s, ts, None),
        (Subject::Cluster(t, _), Choice::Pause(paused)) => {
            let verb = if paused { "Pause" } else { "Unpause" };
            Confirm::yes_no(
                format!("{verb} cluster {t}"),
                request(
                    s,
                    Op::Pause {
                        target: t.clone(),
                        paused,
                    },
                ),
            )
            .detail(if paused {
                "Cluster-API stops reconciling the cluster and its machines until unpaused."
            } else {
                "Cluster-API resumes reconciling the cluster and its machines."
            })
        }
        (Subject::Cluster(t, _), Choice::DeleteCluster) => Confirm::new(
            format!("Delete cluster {t}"),
            &t.name,
            request(
                s,
                Op::DeleteCluster {
                    target: t.clone(),
                    typed: String::new(),
                },
            ),
        )
        .detail("Deletes the Cluster-API cluster; its machines follow (owner references).")
        .warning(CANNOT_UNDO),
        (Subject::Tenant(t), Choice::DeleteTenant) => Confirm::new(
            format!("Delete tenant control plane {t}"),
            &t.name,
            request(
                s,
                Op::DeleteTenant {
                    target: t.clone(),
                    typed: String::new(),
                },
            ),
        )
        .detail("Deletes the Kamaji control plane; its clusters lose their API server.")
        .warning(CANNOT_UNDO),
        (
            Subject::Machine {
                id, name, shoot, ..
            },
            c,
        ) => machine(s, subj, id, name, shoot.clone(), c)?,
        _ => return None,
    };
    Some(with_dry_run(s, d))
}

fn shoot_op(s: &State, t: &ObjectRef, op: ShootOp) -> Confirm {
    let r = row(s, t);
    let effects = request(s, Op::Shoot(op, t.clone()));
    let (title, what) = match op {
        ShootOp::Hibernate => {
            let d = Confirm::new(format!("Hibernate shoot {t}"), &t.name, effects);
            let d = lines(d, shoot_lines(r, t)).detail(
                "Workers scale to zero and the control plane shuts down; workloads stop. \
                 Wake it up again with W.",
            );
            return match purpose_warning(r.and_then(|r| r.purpose.as_deref())) {
                Some(w) => d.warning(w),
                None => d,
            };
        }
        ShootOp::Wake => (
            "Wake up shoot",
            "The control plane and workers start again.".to_string(),
        ),
        ShootOp::Reconcile => (
            "Reconcile shoot",
            "Gardener reconciles the shoot now (gardener.cloud/operation=reconcile).".into(),
        ),
        ShootOp::Maintain => (
            "Maintain shoot now",
            "Runs the maintenance (version updates, machine image updates) now instead of \
             in the next window."
                .into(),
        ),
        ShootOp::Retry => (
            "Retry shoot",
            "Gardener retries the failed last operation.".into(),
        ),
        ShootOp::Rotate(rot) => (
            "Rotate credentials of shoot",
            format!("Starts {} (gardener.cloud/operation).", rot.operation()),
        ),
    };
    lines(
        Confirm::yes_no(format!("{title} {t}"), effects),
        shoot_lines(r, t),
    )
    .detail(what)
}

fn bulk(s: &State, ts: &[ObjectRef], op: Option<ShootOp>) -> Confirm {
    let n = ts.len();
    let (verb, effects) = match op {
        Some(op) => (op.action(), request(s, Op::Bulk(op, ts.to_vec()))),
        None => (
            "delete",
            request(
                s,
                Op::BulkDelete {
                    targets: ts.to_vec(),
                    typed: String::new(),
                },
            ),
        ),
    };
    let mut d = Confirm::new(
        format!("{} {n} marked shoots", capitalized(verb)),
        n.to_string(),
        effects,
    );
    const SHOWN: usize = 8;
    let mut loud = Vec::new();
    for t in ts.iter().take(SHOWN) {
        let r = row(s, t);
        let purpose = r.and_then(|r| r.purpose.as_deref()).unwrap_or("-");
        d = d.detail(format!("  {t}  ({purpose})"));
        if matches!(purpose, "production" | "infrastructure") {
            loud.push(t.name.clone());
        }
    }
    if n > SHOWN {
        d = d.detail(format!("  … and {} more", n - SHOWN));
    }
    d = d.detail("Every shoot gets its own result; failures are listed, none hidden.");
    if !loud.is_empty() {
        d = d.warning(format!(
            "⚠ PRODUCTION/INFRASTRUCTURE shoots among them: {}",
            loud.join(", ")
        ));
    }
    if op.is_none() {
        d = d.warning(CANNOT_UNDO);
    }
    d
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn machine(
    s: &State,
    subj: &Subject,
    id: &str,
    name: &str,
    shoot: Option<String>,
    c: Choice,
) -> Option<Confirm> {
    let who = subject_name(subj);
    let of = match &shoot {
        Some(sh) => format!("Machine {name} ({id}) of shoot {sh}"),
        None => format!("Machine {name} ({id}), not part of a shoot"),
    };
    Some(match c {
        Choice::Power(cmd) => {
            let effects = request(
                s,
                Op::Power {
                    id: id.into(),
                    command: cmd,
                    shoot: shoot.clone(),
                },
            );
            let title = format!("Power {} {who}", cmd.as_str());
            // Cutting power is what takes a node (and its workloads) down.
            let d = if matches!(
                cmd,
                PowerCommand::Off | PowerCommand::Reset | PowerCommand::Cycle
            ) {
                let d = Confirm::new(title, name, effects);
                if shoot.is_some() {
                    d.warning("⚠ The node goes down with everything running on it.")
                } else {
                    d
                }
            } else {
                Confirm::yes_no(title, effects)
            };
            d.detail(of)
        }
        Choice::Identify(on) => Confirm::yes_no(
            format!("Identify LED {} · {who}", if on { "on" } else { "off" }),
            request(
                s,
                Op::Identify {
                    id: id.into(),
                    on,
                    description: String::new(),
                    shoot: shoot.clone(),
                },
            ),
        )
        .detail(of),
        Choice::SetState(StateChange::Clear) => Confirm::yes_no(
            format!("Release {who}"),
            request(
                s,
                Op::SetState {
                    id: id.into(),
                    change: StateChange::Clear,
                    description: String::new(),
                    shoot: shoot.clone(),
                },
            ),
        )
        .detail(of)
        .detail("Clears RESERVED/LOCKED: the machine can be allocated and freed again."),
        Choice::SetState(change) => Confirm::describe(
            format!("Set {} · {who}", change.value()),
            request(
                s,
                Op::SetState {
                    id: id.into(),
                    change,
                    description: String::new(),
                    shoot: shoot.clone(),
                },
            ),
        )
        .detail(of),
        _ => return None,
    })
}
