//! Operation keys: what they act on, whether they may (read-only, RBAC,
//! Gardener's constraints, protection), the confirmation they open, marks for
//! bulk runs, the dry-run switch, and what comes back.

use kclm::landscape::ObjKey;
use kclm::model::gardener::Shoot;
use kclm::ops::access::AccessCheck;
use kclm::ops::metal::{PowerCommand, StateChange};
use kclm::ops::shoot::{self, Rotation, ShootOp};
use kclm::ops::{NoopReason, ObjectRef, Refusal, Unmet, Verdict};

use super::action::Action;
use super::ops::{Op, OpRequest};
use super::overlay::Overlay;
use super::state::{Level, State, StatusMsg, Tag, ViewKind};
use super::update::{Effect, info};
use super::views::action_menu::{Menu, MenuItem};

/// One thing the menu or a key can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Shoot(ShootOp),
    DeleteShoot,
    /// First approver under dual approval: the confirmation only, no DELETE.
    ConfirmDeletion,
    RotateMenu,
    Pause(bool),
    DeleteCluster,
    DeleteTenant,
    PowerMenu,
    Power(PowerCommand),
    Identify(bool),
    StateMenu,
    SetState(StateChange),
}

/// What the operation keys act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Shoot(ObjectRef),
    /// Two or more marked shoots.
    Shoots(Vec<ObjectRef>),
    Cluster(ObjectRef, bool),
    Tenant(ObjectRef),
    Machine {
        id: String,
        name: String,
        shoot: Option<String>,
        led_on: bool,
    },
}

/// Why a choice cannot, or need not, be made now. Refusals and no-ops are the
/// core's (the same values, and texts, the executor and the CLI report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    Refused(Refusal),
    /// Already done; running it would send nothing.
    Noop(NoopReason),
    /// Retry and rotations act on one shoot at a time.
    NotForMarked,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Refused(r) => r.fmt(f),
            Unavailable::Noop(n) => n.fmt(f),
            Unavailable::NotForMarked => {
                f.write_str("not for marked shoots; clear the marks to act on the selected shoot")
            }
        }
    }
}

fn warn(s: &mut State, text: impl Into<String>) {
    s.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Warning,
    });
    s.dirty = true;
}

fn parse_ref(id: &str) -> Option<ObjectRef> {
    let (ns, name) = id.split_once('/')?;
    Some(ObjectRef::new(ns, name))
}

fn shoot_obj<'a>(s: &'a State, t: &ObjectRef) -> Option<&'a Shoot> {
    s.ls.store
        .shoots
        .get(&ObjKey::new(&t.namespace, &t.name))
        .map(|a| a.as_ref())
}

/// Marked shoots that still exist, in name order.
pub fn marked(s: &State) -> Vec<ObjectRef> {
    s.ls.marks
        .iter()
        .filter_map(|m| parse_ref(m))
        .filter(|t| shoot_obj(s, t).is_some())
        .collect()
}

pub fn subject(s: &State) -> Option<Subject> {
    let kind = s.active();
    let i = s.pane(kind).selected_index();
    match kind {
        ViewKind::Shoots => {
            let m = marked(s);
            if m.len() >= 2 {
                return Some(Subject::Shoots(m));
            }
            if let Some(one) = m.into_iter().next() {
                return Some(Subject::Shoot(one));
            }
            let r = s.ls.rows.shoots.get(i?)?;
            Some(Subject::Shoot(ObjectRef::new(&r.namespace, &r.name)))
        }
        ViewKind::Maint => {
            let r = s.ls.rows.maint.get(i?)?;
            Some(Subject::Shoot(ObjectRef::new(&r.namespace, &r.name)))
        }
        ViewKind::Clusters => {
            let r = s.ls.rows.clusters.get(i?)?;
            Some(Subject::Cluster(
                ObjectRef::new(&r.namespace, &r.name),
                r.paused,
            ))
        }
        ViewKind::Tenants => {
            let r = s.ls.rows.tenants.get(i?)?;
            Some(Subject::Tenant(ObjectRef::new(&r.namespace, &r.name)))
        }
        ViewKind::Machines | ViewKind::Firewalls => {
            let r = s.ls.rows.metal.get(i?)?;
            Some(Subject::Machine {
                id: r.id.clone(),
                name: if r.hostname.is_empty() {
                    r.id.clone()
                } else {
                    r.hostname.clone()
                },
                shoot: r.shoot.clone(),
                led_on: r.led.eq_ignore_ascii_case("on"),
            })
        }
        _ => None,
    }
}

fn has_operations(kind: ViewKind) -> bool {
    matches!(
        kind,
        ViewKind::Shoots
            | ViewKind::Maint
            | ViewKind::Clusters
            | ViewKind::Tenants
            | ViewKind::Machines
            | ViewKind::Firewalls
    )
}

/// What a key does to this subject, if anything.
fn choice_for(a: Action, subj: &Subject) -> Option<Choice> {
    let shooty = matches!(subj, Subject::Shoot(_) | Subject::Shoots(_));
    Some(match (a, subj) {
        (Action::Hibernate, _) if shooty => Choice::Shoot(ShootOp::Hibernate),
        (Action::WakeUp, _) if shooty => Choice::Shoot(ShootOp::Wake),
        (Action::Reconcile, _) if shooty => Choice::Shoot(ShootOp::Reconcile),
        (Action::Maintain, _) if shooty => Choice::Shoot(ShootOp::Maintain),
        (Action::Retry, _) if shooty => Choice::Shoot(ShootOp::Retry),
        (Action::Rotate, _) if shooty => Choice::RotateMenu,
        (Action::Delete, _) if shooty => Choice::DeleteShoot,
        (Action::Delete, Subject::Cluster(..)) => Choice::DeleteCluster,
        (Action::Delete, Subject::Tenant(_)) => Choice::DeleteTenant,
        (Action::TogglePause, Subject::Cluster(_, paused)) => Choice::Pause(!paused),
        (Action::Power, Subject::Machine { .. }) => Choice::PowerMenu,
        (Action::Identify, Subject::Machine { led_on, .. }) => Choice::Identify(!led_on),
        (Action::MachineState, Subject::Machine { .. }) => Choice::StateMenu,
        _ => return None,
    })
}

/// The RBAC questions behind a choice (metal-api has no such review).
fn checks(subj: &Subject, c: Choice) -> Vec<AccessCheck> {
    match (subj, c) {
        (Subject::Shoot(t), Choice::Shoot(op)) => vec![AccessCheck::shoot_op(op, t)],
        (Subject::Shoot(t), Choice::RotateMenu) => {
            vec![AccessCheck::shoot_op(ShootOp::Reconcile, t)]
        }
        (Subject::Shoot(t), Choice::DeleteShoot) => AccessCheck::shoot_delete(t).to_vec(),
        (Subject::Shoot(t), Choice::ConfirmDeletion) => {
            vec![AccessCheck::shoot_op(ShootOp::Reconcile, t)]
        }
        (Subject::Cluster(t, _), Choice::Pause(_)) => vec![AccessCheck::cluster("patch", t)],
        (Subject::Cluster(t, _), Choice::DeleteCluster) => {
            vec![AccessCheck::cluster("delete", t)]
        }
        (Subject::Tenant(t), Choice::DeleteTenant) => {
            vec![AccessCheck::tenant_control_plane("delete", t)]
        }
        _ => Vec::new(),
    }
}

/// The first known refusal among the checks.
fn forbidden(s: &State, checks: &[AccessCheck]) -> Option<Refusal> {
    checks
        .iter()
        .filter_map(|c| s.ls.access.get(c))
        .find(|a| !a.allowed)
        .map(|a| Refusal::Rbac {
            reason: a.reason.clone(),
        })
}

fn readonly(s: &State) -> Refusal {
    Refusal::ReadOnly {
        landscape: s.ls.name.clone(),
    }
}

/// Why `c` cannot (or need not) be done to `subj` now, if so.
pub fn unavailable(s: &State, subj: &Subject, c: Choice) -> Option<Unavailable> {
    if s.ls.readonly {
        return Some(Unavailable::Refused(readonly(s)));
    }
    if let Some(r) = forbidden(s, &checks(subj, c)) {
        return Some(Unavailable::Refused(r));
    }
    let refused = |r: Result<(), Refusal>| r.err().map(Unavailable::Refused);
    match subj {
        Subject::Shoot(t) => {
            let Some(sh) = shoot_obj(s, t) else {
                return Some(Unavailable::Refused(Refusal::Precondition(Unmet::Gone {
                    what: format!("shoot {t}"),
                })));
            };
            shoot_precondition(s, sh, c)
        }
        Subject::Shoots(_) => match c {
            Choice::Shoot(ShootOp::Retry) | Choice::RotateMenu => Some(Unavailable::NotForMarked),
            _ => None,
        },
        Subject::Cluster(t, _) if c == Choice::DeleteCluster => {
            let cl =
                s.ls.store
                    .clusters
                    .get(&ObjKey::new(&t.namespace, &t.name))?;
            let what = format!("cluster {t}");
            refused(kclm::ops::delete_precondition(
                &cl.metadata,
                &s.ls.protect,
                &what,
            ))
        }
        Subject::Tenant(t) => {
            let tcp =
                s.ls.store
                    .tenant_control_planes
                    .get(&ObjKey::new(&t.namespace, &t.name))?;
            let what = format!("tenant control plane {t}");
            refused(kclm::ops::delete_precondition(
                &tcp.metadata,
                &s.ls.protect,
                &what,
            ))
        }
        Subject::Cluster(..) | Subject::Machine { .. } => None,
    }
}

/// Gardener's own rules, checked by the core's precondition on the watched
/// object (the executor checks them again on a fresh read before it sends).
fn shoot_precondition(s: &State, sh: &Shoot, c: Choice) -> Option<Unavailable> {
    match c {
        Choice::Shoot(op) => match shoot::precondition(op, sh) {
            Ok(Verdict::Go) => None,
            Ok(Verdict::Noop(why)) => Some(Unavailable::Noop(why)),
            Err(r) => Some(Unavailable::Refused(r)),
        },
        Choice::DeleteShoot => shoot::delete_shoot_precondition(sh, &s.ls.protect)
            .err()
            .map(Unavailable::Refused),
        Choice::ConfirmDeletion => match shoot::delete_shoot_precondition(sh, &s.ls.protect) {
            Err(r) => Some(Unavailable::Refused(r)),
            Ok(()) if kclm::ops::approval::is_confirmed(sh) => {
                Some(Unavailable::Noop(NoopReason::AlreadyConfirmed))
            }
            Ok(()) => None,
        },
        _ => None,
    }
}

/// A key-bound operation on the selection.
pub fn op_action(s: &mut State, a: Action) -> Vec<Effect> {
    if s.ls.readonly {
        warn(s, readonly(s).to_string());
        return Vec::new();
    }
    let Some(subj) = subject(s) else {
        let kind = s.active();
        let text = if has_operations(kind) {
            format!("{}: nothing selected", a.name())
        } else {
            format!(
                "{} does not apply to {} (m lists what does)",
                a.name(),
                kind.name()
            )
        };
        info(s, text);
        return Vec::new();
    };
    let Some(c) = choice_for(a, &subj) else {
        info(
            s,
            format!(
                "{} does not apply to {} (m lists what does)",
                a.name(),
                s.active().name()
            ),
        );
        return Vec::new();
    };
    begin(s, &subj, c)
}

/// Checks, then opens the confirmation (or the submenu).
pub fn begin(s: &mut State, subj: &Subject, c: Choice) -> Vec<Effect> {
    match unavailable(s, subj, c) {
        None => {}
        // Nothing to do is not a problem: said as information, nothing sent.
        Some(Unavailable::Noop(why)) => {
            info(s, format!("{}: nothing to do, {why}", subject_name(subj)));
            return Vec::new();
        }
        Some(why) => {
            warn(s, why.to_string());
            return Vec::new();
        }
    }
    match c {
        Choice::RotateMenu | Choice::PowerMenu | Choice::StateMenu => {
            s.overlay = Some(Overlay::Menu(submenu(s, subj, c)));
        }
        _ => {
            if let Some(d) = super::dialogs::dialog(s, subj, c) {
                s.overlay = Some(Overlay::Confirm(d));
            }
        }
    }
    Vec::new()
}

fn item(s: &State, subj: &Subject, label: String, action: Option<Action>, c: Choice) -> MenuItem {
    MenuItem {
        label,
        action,
        choice: c,
        disabled: unavailable(s, subj, c),
    }
}

fn submenu(s: &State, subj: &Subject, c: Choice) -> Menu {
    let (title, items) = match c {
        Choice::RotateMenu => (
            "credential rotations",
            Rotation::ALL
                .iter()
                .map(|r| {
                    let c = Choice::Shoot(ShootOp::Rotate(*r));
                    item(s, subj, r.operation().to_string(), None, c)
                })
                .collect(),
        ),
        Choice::PowerMenu => (
            "power",
            PowerCommand::ALL
                .iter()
                .map(|p| {
                    let label = format!("power {}", p.as_str());
                    item(s, subj, label, None, Choice::Power(*p))
                })
                .collect(),
        ),
        _ => (
            "reserve / lock",
            [
                ("reserve (not allocated)", StateChange::Reserve),
                ("lock (cannot be freed)", StateChange::Lock),
                ("release (back to available)", StateChange::Clear),
            ]
            .into_iter()
            .map(|(l, ch)| item(s, subj, l.to_string(), None, Choice::SetState(ch)))
            .collect(),
        ),
    };
    Menu {
        title: format!("{title} · {}", subject_name(subj)),
        items,
        cursor: 0,
    }
}

pub fn subject_name(subj: &Subject) -> String {
    match subj {
        Subject::Shoot(t) => format!("shoot {t}"),
        Subject::Shoots(ts) => format!("{} marked shoots", ts.len()),
        Subject::Cluster(t, _) => format!("cluster {t}"),
        Subject::Tenant(t) => format!("tenant {t}"),
        Subject::Machine { name, shoot, .. } => match shoot {
            Some(sh) => format!("machine {name} (shoot {sh})"),
            None => format!("machine {name}"),
        },
    }
}

/// The action menu for the selection.
pub fn open_menu(s: &mut State) -> Vec<Effect> {
    let Some(subj) = subject(s) else {
        info(
            s,
            format!(
                "no operations on {} (select a shoot, cluster, tenant or machine)",
                s.active().name()
            ),
        );
        return Vec::new();
    };
    let entries: &[(Action, &str)] = match &subj {
        Subject::Shoot(_) => &[
            (Action::Hibernate, "hibernate"),
            (Action::WakeUp, "wake up"),
            (Action::Reconcile, "reconcile"),
            (Action::Maintain, "maintain now"),
            (Action::Retry, "retry the failed operation"),
            (Action::Rotate, "credential rotations…"),
            (Action::Delete, "delete"),
        ],
        Subject::Shoots(_) => &[
            (Action::Hibernate, "hibernate all marked"),
            (Action::WakeUp, "wake up all marked"),
            (Action::Reconcile, "reconcile all marked"),
            (Action::Maintain, "maintain all marked"),
            (Action::Delete, "delete all marked"),
        ],
        Subject::Cluster(_, true) => &[
            (Action::TogglePause, "unpause reconciliation"),
            (Action::Delete, "delete"),
        ],
        Subject::Cluster(_, false) => &[
            (Action::TogglePause, "pause reconciliation"),
            (Action::Delete, "delete"),
        ],
        Subject::Tenant(_) => &[(Action::Delete, "delete")],
        Subject::Machine { led_on, .. } => {
            if *led_on {
                &[
                    (Action::Power, "power…"),
                    (Action::Identify, "identify LED off"),
                    (Action::MachineState, "reserve / lock…"),
                ]
            } else {
                &[
                    (Action::Power, "power…"),
                    (Action::Identify, "identify LED on"),
                    (Action::MachineState, "reserve / lock…"),
                ]
            }
        }
    };
    let mut items: Vec<MenuItem> = entries
        .iter()
        .filter_map(|(a, label)| {
            let c = choice_for(*a, &subj)?;
            Some(item(s, &subj, label.to_string(), Some(*a), c))
        })
        .collect();
    if let Subject::Shoot(_) = subj {
        // Dual approval: the first approver confirms, another subject deletes
        // (with "delete", which sends only the DELETE once confirmed).
        let label = "confirm for deletion (first approver)".to_string();
        let at = items.len().saturating_sub(1);
        items.insert(at, item(s, &subj, label, None, Choice::ConfirmDeletion));
    }
    let dry = if s.dry_run { " (dry run)" } else { "" };
    s.overlay = Some(Overlay::Menu(Menu {
        title: format!("actions · {}{dry}", subject_name(&subj)),
        items,
        cursor: 0,
    }));
    Vec::new()
}

/// Runs a menu entry: the reason when unavailable, else its confirmation.
pub fn run_item(s: &mut State, it: &MenuItem) -> Vec<Effect> {
    match &it.disabled {
        None => {}
        Some(Unavailable::Noop(why)) => {
            info(s, format!("{}: nothing to do, {why}", it.label));
            return Vec::new();
        }
        Some(why) => {
            warn(s, format!("{}: {why}", it.label));
            return Vec::new();
        }
    }
    match subject(s) {
        Some(subj) => begin(s, &subj, it.choice),
        None => Vec::new(),
    }
}

/// Why a key-bound action is unavailable for the selection (help shows it).
pub fn action_unavailable(s: &State, a: Action) -> Option<String> {
    if !a.mutates() {
        return None;
    }
    if s.ls.readonly {
        return Some("read-only".into());
    }
    let subj = subject(s)?;
    let c = choice_for(a, &subj)?;
    unavailable(s, &subj, c).map(|u| u.to_string())
}

/// RBAC questions for the selection nobody asked yet (asked in the
/// background; the answers grey out what is forbidden).
pub fn access_effects(s: &mut State) -> Vec<Effect> {
    if !s.ls.rbac_checks || s.ls.readonly {
        return Vec::new();
    }
    let Some(subj) = subject(s) else {
        return Vec::new();
    };
    let choices: &[Choice] = match subj {
        Subject::Shoot(_) => &[Choice::Shoot(ShootOp::Reconcile), Choice::DeleteShoot],
        Subject::Cluster(..) => &[Choice::Pause(true), Choice::DeleteCluster],
        Subject::Tenant(_) => &[Choice::DeleteTenant],
        _ => &[],
    };
    let mut want = Vec::new();
    for c in choices {
        for chk in checks(&subj, *c) {
            if !s.ls.access.contains_key(&chk)
                && !s.ls.access_pending.contains(&chk)
                && !want.contains(&chk)
            {
                want.push(chk);
            }
        }
    }
    if want.is_empty() {
        return Vec::new();
    }
    s.ls.access_pending.extend(want.iter().cloned());
    vec![Effect::CheckAccess(Tag::default(), want)]
}

pub fn request(s: &State, op: Op) -> Vec<Effect> {
    vec![Effect::Op(
        Tag::default(),
        OpRequest {
            op,
            dry_run: s.dry_run,
        },
    )]
}
