//! Operations through `update`: which keys open which confirmation, what
//! must be typed, what is refused (and why), and the exact effect sent.

use kclm::landscape::{KubeObject, Update};
use kclm::ops::access::{Access, AccessCheck};
use kclm::ops::metal::{PowerCommand, StateChange};
use kclm::ops::shoot::ShootOp;
use kclm::ops::{ObjectRef, OpError, Outcome, OutcomeKind, Refusal};

use super::fixtures::{garden_objects, press, state, type_text};
use crate::tui::ops::{Op, OpReport, OpRequest};
use crate::tui::overlay::Overlay;
use crate::tui::state::{Level, State, Tag, ViewKind};
use crate::tui::update::{Effect, Msg, update};
use crate::tui::update_ops::Unavailable;
use crate::tui::widgets::confirm::{Confirm, ConfirmKind};

/// Changes one fixture shoot as a watch event would.
pub fn edit_shoot(s: &mut State, name: &str, f: impl FnOnce(&mut serde_json::Value)) {
    let obj = garden_objects()
        .into_iter()
        .find_map(|o| match o {
            KubeObject::Shoot(sh) if sh.metadata.name.as_deref() == Some(name) => Some(sh),
            _ => None,
        })
        .expect("fixture shoot");
    let mut v = serde_json::to_value(&obj).expect("shoot to json");
    f(&mut v);
    let sh: kclm::model::gardener::Shoot = serde_json::from_value(v).expect("shoot from json");
    let _ = update(
        s,
        Msg::Landscape(vec![Update::Applied(KubeObject::from(sh))]),
    );
    let _ = update(s, Msg::SyncRows);
}

/// Selects a shoot by name in the shoots pane.
pub fn select(s: &mut State, name: &str) {
    press(s, "2 g");
    for _ in 0..10 {
        if s.selected_shoot().is_some_and(|r| r.name == name) {
            return;
        }
        press(s, "j");
    }
    panic!("no shoot {name}");
}

fn confirm(s: &State) -> &Confirm {
    match &s.overlay {
        Some(Overlay::Confirm(d)) => d,
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

fn op(op: Op, dry_run: bool) -> Vec<Effect> {
    vec![Effect::Op(Tag::default(), OpRequest { op, dry_run })]
}

fn status(s: &State) -> (String, Level) {
    let m = s.status.as_ref().expect("a status message");
    (m.text.clone(), m.level)
}

fn r(ns: &str, name: &str) -> ObjectRef {
    ObjectRef::new(ns, name)
}

#[test]
fn delete_sends_nothing_until_the_exact_name_is_typed() {
    let mut s = state();
    select(&mut s, "api");
    assert!(press(&mut s, "D").is_empty());
    let d = confirm(&s);
    assert_eq!(d.kind, ConfirmKind::Typed);
    assert_eq!(d.title, "Delete shoot garden-beta/api");
    let text = d.details.join("\n");
    assert!(
        text.contains("project beta") && text.contains("seed fra-2"),
        "{text}"
    );
    assert!(text.contains("purpose production"), "{text}");
    assert!(text.contains("1 machines, 0 firewalls"), "{text}");
    assert!(d.warnings.iter().any(|w| w.contains("PRODUCTION")));
    assert!(
        d.warnings
            .iter()
            .any(|w| w == "This action cannot be undone.")
    );
    for wrong in ["ap", "API", "api ", "apix"] {
        type_text(&mut s, wrong);
        assert!(
            press(&mut s, "enter").is_empty(),
            "{wrong:?} sent something"
        );
        assert!(confirm(&s).mismatch);
        press(&mut s, "ctrl-u");
    }
    type_text(&mut s, "api");
    let sent = press(&mut s, "enter");
    assert_eq!(
        sent,
        op(
            Op::DeleteShoot {
                target: r("garden-beta", "api"),
                typed: "api".into()
            },
            false
        )
    );
    assert!(s.overlay.is_none());
    assert_eq!(s.ls.ops_running, 1);
    assert!(status(&s).0.contains("delete garden-beta/api: sent"));
}

#[test]
fn esc_cancels_a_delete_without_sending() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "D");
    type_text(&mut s, "api");
    assert!(press(&mut s, "esc").is_empty());
    assert!(s.overlay.is_none());
    assert_eq!(s.ls.ops_running, 0);
}

#[test]
fn hibernate_wants_the_name_and_is_refused_with_gardeners_reason() {
    let mut s = state();
    select(&mut s, "web-prod");
    press(&mut s, "H");
    assert_eq!(confirm(&s).expected, "web-prod");
    type_text(&mut s, "web-prod");
    assert_eq!(
        press(&mut s, "enter"),
        op(
            Op::Shoot(ShootOp::Hibernate, r("garden-acme", "web-prod")),
            false
        )
    );

    edit_shoot(&mut s, "web-prod", |v| {
        v["status"]["constraints"] = serde_json::json!([{"type": "HibernationPossible",
            "status": "False", "reason": "ProblematicWebhooks",
            "message": "webhook policy.example would block waking up",
            "lastTransitionTime": "2026-05-02T09:00:00Z"}]);
    });
    select(&mut s, "web-prod");
    assert!(press(&mut s, "H").is_empty());
    assert!(s.overlay.is_none(), "no dialog for a refused hibernation");
    let (text, _) = status(&s);
    assert!(
        text.contains("'HibernationPossible' constraint is 'False'")
            && text.contains("webhook policy.example would block waking up"),
        "{text}"
    );
}

#[test]
fn wake_up_is_a_yes_no_and_only_for_hibernated_shoots() {
    let mut s = state();
    select(&mut s, "batch");
    press(&mut s, "W");
    assert_eq!(confirm(&s).kind, ConfirmKind::YesNo);
    assert!(press(&mut s, "x").is_empty());
    assert_eq!(
        press(&mut s, "y"),
        op(Op::Shoot(ShootOp::Wake, r("garden-acme", "batch")), false)
    );
    select(&mut s, "web-prod");
    assert!(press(&mut s, "W").is_empty());
    assert!(s.overlay.is_none());
    assert!(status(&s).0.contains("already awake"));
}

#[test]
fn retry_is_only_offered_for_a_failed_last_operation() {
    let mut s = state();
    select(&mut s, "web-prod");
    assert!(press(&mut s, "T").is_empty());
    assert!(s.overlay.is_none());
    assert!(
        status(&s).0.contains("Reconcile Succeeded"),
        "{:?}",
        s.status
    );
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    let retry = m
        .items
        .iter()
        .find(|i| i.label.contains("retry"))
        .expect("listed");
    assert!(
        retry
            .disabled
            .as_ref()
            .is_some_and(|w| w.to_string().contains("Failed"))
    );
    press(&mut s, "esc");

    select(&mut s, "api");
    press(&mut s, "T");
    assert_eq!(
        press(&mut s, "y"),
        op(Op::Shoot(ShootOp::Retry, r("garden-beta", "api")), false)
    );
}

#[test]
fn read_only_refuses_every_operation_and_says_so() {
    let mut s = state();
    s.ls.readonly = true;
    select(&mut s, "batch");
    for key in ["H", "W", "R", "M", "T", "C", "D"] {
        assert!(press(&mut s, key).is_empty(), "{key} emitted an effect");
        assert!(s.overlay.is_none(), "{key} opened {:?}", s.overlay);
        assert_eq!(
            status(&s).0,
            "landscape \"demo\" is read-only",
            "{key}: {:?}",
            s.status
        );
    }
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    assert!(m.items.iter().all(|i| i.disabled.is_some()));
    let it = m.items[0].clone();
    assert!(press(&mut s, "enter").is_empty());
    assert!(s.overlay.is_none());
    assert!(status(&s).0.contains(&it.label));
    // Help marks them unavailable, the palette too.
    let theme = crate::tui::theme::Theme::builtin("default");
    let help: Vec<String> = crate::tui::views::help::help_lines(&s, &theme)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(
        help.iter()
            .any(|l| l.contains("[delete]") && l.contains("unavailable: read-only"))
    );
    press(&mut s, ":");
    type_text(&mut s, "hibern");
    let Some(Overlay::Palette(p)) = &s.overlay else {
        panic!("palette")
    };
    assert!(
        p.items[0].1.contains("unavailable: read-only"),
        "{:?}",
        p.items
    );
    assert!(
        press(&mut s, "enter").is_empty(),
        "palette path refuses too"
    );
}

#[test]
fn marked_shoots_take_one_typed_count_and_one_bulk_effect() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "space space"); // api, batch (space moves down)
    assert_eq!(s.ls.marks.len(), 2);
    press(&mut s, "R");
    let d = confirm(&s);
    assert_eq!(d.expected, "2");
    assert!(d.details.iter().any(|l| l.contains("garden-beta/api")));
    type_text(&mut s, "3");
    assert!(press(&mut s, "enter").is_empty());
    press(&mut s, "backspace");
    type_text(&mut s, "2");
    assert_eq!(
        press(&mut s, "enter"),
        op(
            Op::Bulk(
                ShootOp::Reconcile,
                vec![r("garden-acme", "batch"), r("garden-beta", "api")]
            ),
            false
        )
    );
    // Range: from the last mark (batch) down to the cursor (chaos -> web-prod).
    press(&mut s, "j j");
    press(&mut s, "V");
    assert_eq!(s.ls.marks.len(), 5, "{:?}", s.ls.marks);
    assert!(!s.ls.marks.contains("garden-acme/web-stage"));
    press(&mut s, "D");
    assert_eq!(confirm(&s).expected, "5");
    assert!(
        confirm(&s)
            .warnings
            .iter()
            .any(|w| w.contains("cannot be undone"))
    );
    assert!(
        confirm(&s)
            .warnings
            .iter()
            .any(|w| w.contains("PRODUCTION"))
    );
    type_text(&mut s, "5");
    let sent = press(&mut s, "enter");
    let Some(Effect::Op(
        _,
        OpRequest {
            op: Op::BulkDelete { targets, typed },
            ..
        },
    )) = sent.first()
    else {
        panic!("{sent:?}")
    };
    assert_eq!((targets.len(), typed.as_str()), (5, "5"));
    press(&mut s, "U");
    assert!(s.ls.marks.is_empty());
}

#[test]
fn bulk_results_list_every_failure() {
    let mut s = state();
    let ok = |t: &str| Outcome {
        target: t.into(),
        action: "hibernate".into(),
        kind: OutcomeKind::Changed,
        message: "hibernation requested".into(),
        dry_run: false,
    };
    let _ = update(
        &mut s,
        Msg::OpDone(
            Tag::default(),
            OpReport::Bulk {
                label: "hibernate 3 shoots".into(),
                dry_run: false,
                results: vec![
                    ("garden-acme/batch".into(), Ok(ok("garden-acme/batch"))),
                    (
                        "garden-beta/api".into(),
                        Err(OpError::Refused(Refusal::Constraint {
                            constraint: "HibernationPossible".into(),
                            status: "False".into(),
                            message: "webhooks".into(),
                        })),
                    ),
                    (
                        "garden-ops/monitoring".into(),
                        Err(OpError::Api {
                            code: 403,
                            reason: "Forbidden".into(),
                            message: "shoots.core.gardener.cloud \"monitoring\" is forbidden"
                                .into(),
                        }),
                    ),
                ],
            },
        ),
    );
    let Some(Overlay::Results(res)) = &s.overlay else {
        panic!("results overlay")
    };
    assert_eq!(res.lines.len(), 3);
    assert_eq!(res.failed(), 2);
    assert!(res.title.contains("1 ok, 2 failed"));
    assert!(
        res.lines
            .iter()
            .any(|l| !l.ok && l.message.contains("is forbidden"))
    );
    assert_eq!(status(&s).1, Level::Error);
}

#[test]
fn single_results_land_in_the_status_line_and_errors_stay_until_esc() {
    let mut s = state();
    s.ls.ops_running = 1;
    let _ = update(
        &mut s,
        Msg::OpDone(Tag::default(),OpReport::One {
            label: "delete garden-beta/api".into(),
            result: Err(OpError::Api {
                code: 403,
                reason: "Forbidden".into(),
                message: "you are not allowed to both confirm the deletion and send the actual DELETE request".into(),
            }),
        }),
    );
    assert_eq!(s.ls.ops_running, 0);
    press(&mut s, "j");
    let (text, level) = status(&s);
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("delete garden-beta/api failed: you are not allowed"),
        "{text}"
    );
    press(&mut s, "esc");
    assert!(s.status.is_none());
}

#[test]
fn dry_run_toggle_goes_into_the_effect_and_the_dialog() {
    let mut s = state();
    press(&mut s, "ctrl-t");
    assert!(s.dry_run);
    select(&mut s, "web-prod");
    press(&mut s, "R");
    assert!(confirm(&s).title.ends_with("(dry run)"));
    assert_eq!(
        press(&mut s, "y"),
        op(
            Op::Shoot(ShootOp::Reconcile, r("garden-acme", "web-prod")),
            true
        )
    );
    press(&mut s, "ctrl-t");
    assert!(!s.dry_run);
}

#[test]
fn rbac_is_asked_once_per_shoot_and_a_refusal_greys_the_action_out() {
    let mut s = state();
    s.ls.rbac_checks = true;
    let asked = |effects: Vec<Effect>| -> Vec<AccessCheck> {
        effects
            .into_iter()
            .flat_map(|e| match e {
                Effect::CheckAccess(_, c) => c,
                _ => Vec::new(),
            })
            .collect()
    };
    // The first key asks about the selected shoot (api).
    let first = asked(press(&mut s, "k"));
    let target = r("garden-beta", "api");
    let [patch, delete] = AccessCheck::shoot_delete(&target);
    assert_eq!(first, vec![patch.clone(), delete.clone()]);
    // Asked and pending: coming back does not ask again; batch is asked about.
    let again = asked(press(&mut s, "j k"));
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(again.iter().all(|c| c.name.as_deref() == Some("batch")));
    let _ = update(
        &mut s,
        Msg::Access(
            Tag::default(),
            delete.clone(),
            Ok(Access {
                allowed: false,
                reason: "RBAC: user alice may not delete shoots in garden-beta".into(),
            }),
        ),
    );
    let _ = update(
        &mut s,
        Msg::Access(
            Tag::default(),
            patch,
            Ok(Access {
                allowed: true,
                reason: String::new(),
            }),
        ),
    );
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    let del = m
        .items
        .iter()
        .find(|i| i.label == "delete")
        .expect("listed");
    assert_eq!(
        del.disabled,
        Some(Unavailable::Refused(Refusal::Rbac {
            reason: "RBAC: user alice may not delete shoots in garden-beta".into()
        }))
    );
    assert_eq!(
        del.disabled.as_ref().map(ToString::to_string).as_deref(),
        Some("forbidden: RBAC: user alice may not delete shoots in garden-beta")
    );
    // The patch is allowed: reconcile is not refused by RBAC (api's last
    // operation Failed, so the core points to retry instead).
    let reconcile = m
        .items
        .iter()
        .find(|i| i.label == "reconcile")
        .expect("listed");
    assert!(
        matches!(
            &reconcile.disabled,
            Some(Unavailable::Refused(Refusal::Precondition(
                kclm::ops::Unmet::ReconcileOnFailed { .. }
            )))
        ),
        "{:?}",
        reconcile.disabled
    );
    press(&mut s, "esc");
    assert!(press(&mut s, "D").is_empty());
    assert!(s.overlay.is_none());
    assert!(status(&s).0.starts_with("forbidden: RBAC"));
}

#[test]
fn protected_shoots_cannot_be_deleted() {
    let mut s = state();
    s.ls.protect = vec!["kclm.io/protected=true".into()];
    edit_shoot(&mut s, "web-prod", |v| {
        v["metadata"]["labels"] = serde_json::json!({"kclm.io/protected": "true"});
    });
    select(&mut s, "web-prod");
    assert!(press(&mut s, "D").is_empty());
    assert!(s.overlay.is_none());
    assert!(status(&s).0.contains("kclm.io/protected=true"));
}

#[test]
fn maintain_now_from_the_maintenance_view() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "maint");
    press(&mut s, "enter g M");
    assert_eq!(confirm(&s).title, "Maintain shoot now garden-acme/web-prod");
    assert_eq!(
        press(&mut s, "y"),
        op(
            Op::Shoot(ShootOp::Maintain, r("garden-acme", "web-prod")),
            false
        )
    );
    press(&mut s, "t");
    assert_eq!(s.timeline_group, kclm::maintenance::GroupBy::Project);
}

#[test]
fn machine_power_names_the_machine_and_its_shoot_and_lock_needs_a_reason() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "4 P");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("power menu")
    };
    assert_eq!(m.items.len(), 7);
    let (id, shoot) = {
        let row = s.selected_metal(ViewKind::Machines).expect("machine");
        (row.id.clone(), row.shoot.clone())
    };
    assert_eq!(shoot.as_deref(), Some("garden-beta/api"));
    press(&mut s, "j enter"); // power off: the hostname must be typed
    let d = confirm(&s);
    assert_eq!(d.kind, ConfirmKind::Typed);
    assert!(
        d.details[0].contains("of shoot garden-beta/api"),
        "{:?}",
        d.details
    );
    let host = d.expected.clone();
    type_text(&mut s, &host);
    assert_eq!(
        press(&mut s, "enter"),
        op(
            Op::Power {
                id: id.clone(),
                command: PowerCommand::Off,
                shoot: shoot.clone()
            },
            false
        )
    );
    press(&mut s, "X j enter"); // lock
    assert_eq!(confirm(&s).kind, ConfirmKind::Describe);
    assert!(press(&mut s, "enter").is_empty(), "no reason, no lock");
    type_text(&mut s, "disk swap, ticket 42");
    assert_eq!(
        press(&mut s, "enter"),
        op(
            Op::SetState {
                id,
                change: StateChange::Lock,
                description: "disk swap, ticket 42".into(),
                shoot
            },
            false
        )
    );
}

#[test]
fn operation_keys_say_what_they_apply_to() {
    let mut s = state();
    press(&mut s, "3"); // seeds
    assert!(press(&mut s, "D").is_empty());
    assert!(s.overlay.is_none());
    assert!(status(&s).0.contains("does not apply to seeds"));
    press(&mut s, "space");
    assert!(status(&s).0.contains("marks are for shoots"));
}

/// The watched shoot, as the TUI's precondition sees it.
fn watched(s: &State, ns: &str, name: &str) -> kclm::model::gardener::Shoot {
    s.ls.store
        .shoots
        .get(&kclm::landscape::ObjKey::new(ns, name))
        .map(|a| a.as_ref().clone())
        .expect("watched shoot")
}

/// Hibernating a hibernated shoot is the core's no-op: said as information
/// (not a warning), in the core's words, and nothing is sent; the menu shows
/// the same reason.
#[test]
fn hibernating_a_hibernated_shoot_is_the_cores_noop() {
    use kclm::ops::shoot::{self, ShootOp};
    use kclm::ops::{NoopReason, Verdict};
    let mut s = state();
    select(&mut s, "batch");
    let sh = watched(&s, "garden-acme", "batch");
    assert_eq!(
        shoot::precondition(ShootOp::Hibernate, &sh),
        Ok(Verdict::Noop(NoopReason::AlreadyHibernated))
    );
    assert!(press(&mut s, "H").is_empty(), "nothing is sent");
    assert!(s.overlay.is_none(), "no dialog for a no-op");
    assert_eq!(s.ls.ops_running, 0);
    let (text, level) = status(&s);
    assert_eq!(level, Level::Info);
    assert_eq!(
        text,
        "shoot garden-acme/batch: nothing to do, already hibernated"
    );
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    let hib = m
        .items
        .iter()
        .find(|i| i.label == "hibernate")
        .expect("listed");
    assert_eq!(
        hib.disabled,
        Some(Unavailable::Noop(NoopReason::AlreadyHibernated))
    );
    press(&mut s, "enter");
    assert_eq!(status(&s).1, Level::Info, "{:?}", s.status);
}

/// A refusal shown by the TUI is the core precondition's value and text,
/// the one the executor (and so the CLI) reports for the same shoot.
#[test]
fn a_refused_hibernation_says_what_the_core_precondition_says() {
    use kclm::ops::shoot::{self, ShootOp};
    let mut s = state();
    edit_shoot(&mut s, "web-prod", |v| {
        v["status"]["constraints"] = serde_json::json!([{"type": "HibernationPossible",
            "status": "False", "reason": "ProblematicWebhooks",
            "message": "webhook policy.example would block waking up",
            "lastTransitionTime": "2026-05-02T09:00:00Z"}]);
    });
    select(&mut s, "web-prod");
    let refusal = shoot::precondition(ShootOp::Hibernate, &watched(&s, "garden-acme", "web-prod"))
        .expect_err("the constraint refuses");
    assert!(matches!(refusal, Refusal::Constraint { .. }), "{refusal:?}");
    assert!(press(&mut s, "H").is_empty());
    let (text, level) = status(&s);
    assert_eq!(level, Level::Warning);
    assert_eq!(text, refusal.to_string());
    // The executor's error for it reads the same after its "refused: " prefix.
    assert_eq!(
        OpError::Refused(refusal.clone()).to_string(),
        format!("refused: {text}")
    );
}

/// Dual approval from the action menu: the first approver's "confirm for
/// deletion" is typed-name confirmed and sends the confirmation op (no
/// DELETE); once the shoot is confirmed it is the core's no-op.
#[test]
fn confirm_for_deletion_is_a_typed_menu_entry_and_a_noop_once_confirmed() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    let at = m
        .items
        .iter()
        .position(|i| i.label.starts_with("confirm for deletion"))
        .expect("listed");
    assert!(m.items[at].disabled.is_none(), "{:?}", m.items[at].disabled);
    for _ in 0..at {
        press(&mut s, "j");
    }
    assert!(press(&mut s, "enter").is_empty());
    let d = confirm(&s);
    assert_eq!(d.kind, ConfirmKind::Typed);
    assert_eq!(d.title, "Confirm deletion of shoot garden-beta/api");
    assert!(d.details.join("\n").contains("no DELETE is sent"));
    type_text(&mut s, "apx");
    assert!(press(&mut s, "enter").is_empty());
    press(&mut s, "ctrl-u");
    type_text(&mut s, "api");
    assert_eq!(
        press(&mut s, "enter"),
        op(
            Op::ConfirmShootDeletion {
                target: r("garden-beta", "api"),
                typed: "api".into()
            },
            false
        )
    );

    edit_shoot(&mut s, "api", |v| {
        v["metadata"]["annotations"]["confirmation.gardener.cloud/deletion"] = "true".into();
    });
    select(&mut s, "api");
    press(&mut s, "m");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu")
    };
    let item = m
        .items
        .iter()
        .find(|i| i.label.starts_with("confirm for deletion"))
        .expect("listed");
    assert_eq!(
        item.disabled,
        Some(Unavailable::Noop(kclm::ops::NoopReason::AlreadyConfirmed))
    );
}
