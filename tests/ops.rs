//! Operations against the demo landscape through the real kube-rs and metal
//! clients, with every request recorded by a proxy (see `ops_support`).

mod ops_support;

use kclm::model::gardener::{ANN_CONFIRM_DELETION, Shoot};
use kclm::model::{annotation, parse_bool};
use kclm::ops::shoot::{self, ShootOp};
use kclm::ops::{NoopReason, ObjectRef, OpError, OutcomeKind, Refusal, Unmet, bulk};
use ops_support::{Harness, shoot_path};
use serde_json::json;

fn target(s: &Shoot) -> ObjectRef {
    ObjectRef::new(s.namespace(), s.name())
}

fn constraint_true(s: &Shoot) -> bool {
    s.constraint("HibernationPossible")
        .is_none_or(|c| c.status == "True")
}

/// An ordinary shoot: awake, hibernatable, last operation succeeded, nothing pending.
fn ordinary(shoots: &[Shoot]) -> Vec<Shoot> {
    shoots
        .iter()
        .filter(|s| {
            !s.hibernation_enabled()
                && !s.is_hibernated()
                && constraint_true(s)
                && s.metadata.deletion_timestamp.is_none()
                && s.last_operation().is_some_and(|o| o.state == "Succeeded")
                && annotation(&s.metadata, "gardener.cloud/operation").is_none()
                && annotation(&s.metadata, ANN_CONFIRM_DELETION).is_none()
                && s.namespace() != "garden"
        })
        .cloned()
        .collect()
}

fn read_only() -> OpError {
    OpError::Refused(Refusal::ReadOnly {
        landscape: "demo".into(),
    })
}

fn confirmed(s: &Shoot) -> bool {
    annotation(&s.metadata, ANN_CONFIRM_DELETION).and_then(parse_bool) == Some(true)
}

#[tokio::test]
async fn delete_writes_the_confirmation_then_deletes() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let t = target(&s);
    let client = h.client("admin").await;
    let out = shoot::delete(&client, &h.ctx(), &t, s.name())
        .await
        .unwrap();
    assert_eq!(out.message, "deletion requested");

    let writes = h.writes();
    let path = shoot_path(s.namespace(), s.name());
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert!(writes[0].uri.starts_with(&path), "{:?}", writes[0]);
    let body: serde_json::Value = serde_json::from_str(&writes[0].body).unwrap();
    assert_eq!(
        body["metadata"]["annotations"][ANN_CONFIRM_DELETION],
        "true"
    );
    assert!(body["metadata"]["annotations"]["gardener.cloud/timestamp"].is_string());
    assert_eq!(writes[1].method, "DELETE");
    assert!(writes[1].uri.starts_with(&path));
    // The DELETE is pinned to the uid that was checked.
    assert!(writes[1].body.contains(s.uid()), "{}", writes[1].body);

    match h.shoot(s.namespace(), s.name()).await {
        None => {}
        Some(after) => {
            assert!(after.metadata.deletion_timestamp.is_some());
            assert!(confirmed(&after));
        }
    }
}

#[tokio::test]
async fn the_demo_refuses_a_delete_without_the_annotation_like_gardener() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let api = kube::Api::<Shoot>::namespaced(h.direct().await, s.namespace());
    let e = api.delete(s.name(), &Default::default()).await.unwrap_err();
    let e = OpError::from(e);
    assert_eq!(
        e,
        OpError::Api {
            code: 403,
            reason: "Forbidden".into(),
            message: format!(
                "shoots.core.gardener.cloud \"{}\" is forbidden: must have a \
                 \"confirmation.gardener.cloud/deletion\" annotation to delete",
                s.name()
            ),
        }
    );
    assert!(h.shoot(s.namespace(), s.name()).await.is_some());
}

#[tokio::test]
async fn a_mistyped_confirmation_or_protection_sends_no_write() {
    let h = Harness::start().await;
    let list = ordinary(&h.shoots().await);
    let (a, b) = (&list[0], &list[1]);
    let client = h.client("admin").await;
    let e = shoot::delete(&client, &h.ctx(), &target(a), &a.name().to_uppercase())
        .await
        .unwrap_err();
    assert!(
        matches!(e, OpError::Refused(Refusal::TypedNameMismatch { .. })),
        "{e}"
    );
    assert!(h.requests().is_empty(), "nothing at all is sent");

    let r = h
        .raw_patch(
            &shoot_path(b.namespace(), b.name()),
            json!({"metadata": {"labels": {"kclm.io/protected": "true"}}}),
        )
        .await;
    assert!(r.status().is_success());
    let e = shoot::delete(&client, &h.ctx(), &target(b), b.name())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OpError::Refused(Refusal::Protected { rule, .. }) if rule == "kclm.io/protected=true"),
        "{e}"
    );
    assert!(e.to_string().contains("kclm.io/protected=true"), "{e}");
    assert!(h.writes().is_empty(), "{:?}", h.writes());
    assert!(!confirmed(&h.shoot(b.namespace(), b.name()).await.unwrap()));
}

/// Dual approval: the one who confirmed may not delete, so kclm refuses to
/// write a confirmation it would only have to take back (see ops_approval.rs).
#[tokio::test]
async fn a_delete_needing_a_first_approval_writes_nothing() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    require_dual_approval(&h, &s).await;
    let client = h.client("admin").await;
    let e = shoot::delete(&client, &h.ctx(), &target(&s), s.name())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            OpError::Refused(Refusal::Precondition(Unmet::FirstApprovalNeeded { .. }))
        ),
        "{e}"
    );
    assert!(h.writes().is_empty(), "{:?}", h.writes());
    let after = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert!(after.metadata.deletion_timestamp.is_none());
    assert!(annotation(&after.metadata, ANN_CONFIRM_DELETION).is_none());
}

/// A confirmation someone else wrote is theirs: kclm neither rewrites nor reverts it.
#[tokio::test]
async fn an_existing_confirmation_is_never_reverted() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    require_dual_approval(&h, &s).await;
    let r = h
        .raw_patch(
            &shoot_path(s.namespace(), s.name()),
            json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: "true"}}}),
        )
        .await;
    assert!(r.status().is_success());
    let client = h.client("admin").await;
    let e = shoot::delete(&client, &h.ctx(), &target(&s), s.name())
        .await
        .unwrap_err();
    // The confirmer's DELETE: the server's 403, explained as dual approval.
    assert!(
        e.to_string()
            .contains("another subject must perform the deletion"),
        "{e}"
    );
    assert!(
        e.to_string().contains("DELETE needs a second approver"),
        "{e}"
    );
    let methods: Vec<String> = h.writes().iter().map(|w| w.method.clone()).collect();
    assert_eq!(methods, ["DELETE"]);
    assert!(confirmed(&h.shoot(s.namespace(), s.name()).await.unwrap()));
}

async fn require_dual_approval(h: &Harness, s: &Shoot) {
    let projects = kube::Api::<kclm::model::gardener::Project>::all(h.direct().await)
        .list(&Default::default())
        .await
        .unwrap();
    let p = projects
        .items
        .iter()
        .find(|p| p.namespace() == s.namespace())
        .expect("project of the shoot");
    let r = h
        .raw_patch(
            &format!("/apis/core.gardener.cloud/v1beta1/projects/{}", p.name()),
            json!({"spec": {"dualApprovalForDeletion": [
                {"resource": "shoots", "selector": {"matchLabels": {"four-eyes": "true"}}}]}}),
        )
        .await;
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let r = h
        .raw_patch(
            &shoot_path(s.namespace(), s.name()),
            json!({"metadata": {"labels": {"four-eyes": "true"}}}),
        )
        .await;
    assert!(r.status().is_success());
}

#[tokio::test]
async fn a_dry_run_delete_changes_nothing_and_says_what_it_proved() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let client = h.client("admin").await;
    let mut ctx = h.ctx();
    ctx.dry_run = true;
    let out = shoot::delete(&client, &ctx, &target(&s), s.name())
        .await
        .unwrap();
    assert!(out.dry_run);
    assert!(out.message.contains("DELETE authorized"), "{}", out.message);
    // The access review told the admission refusal apart from an RBAC one.
    assert!(
        h.requests()
            .iter()
            .any(|r| r.method == "POST" && r.uri.contains("selfsubjectaccessreviews")),
        "{:?}",
        h.requests()
    );
    let writes = h.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(writes[0].uri.contains("dryRun=All"), "{:?}", writes[0]);
    assert!(
        writes[1].body.contains("\"dryRun\":[\"All\"]"),
        "{:?}",
        writes[1]
    );
    let after = h.shoot(s.namespace(), s.name()).await.expect("still there");
    assert!(after.metadata.deletion_timestamp.is_none());
    assert!(!confirmed(&after));
}

#[tokio::test]
async fn hibernation_is_refused_by_the_constraint_before_any_write() {
    let h = Harness::start().await;
    let shoots = h.shoots().await;
    let blocked = shoots
        .iter()
        .find(|s| !constraint_true(s) && !s.hibernation_enabled())
        .expect("the demo has a shoot whose HibernationPossible is not True");
    let client = h.client("admin").await;
    let e = shoot::hibernate(&client, &h.ctx(), &target(blocked))
        .await
        .unwrap_err();
    let c = blocked.constraint("HibernationPossible").unwrap();
    assert_eq!(
        e.to_string(),
        format!(
            "refused: 'HibernationPossible' constraint is '{}': {}",
            c.status,
            c.message.as_deref().unwrap_or("")
        )
    );
    assert!(h.writes().is_empty());
    // The server agrees, in the same words.
    let r = h
        .raw_patch(
            &shoot_path(blocked.namespace(), blocked.name()),
            json!({"spec": {"hibernation": {"enabled": true}}}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("'HibernationPossible' constraint is")
    );
}

#[tokio::test]
async fn hibernate_then_wake_patch_the_spec() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let client = h.client("admin").await;
    let out = shoot::hibernate(&client, &h.ctx(), &target(&s))
        .await
        .unwrap();
    assert_eq!(out.message, "hibernation requested");
    assert!(
        h.shoot(s.namespace(), s.name())
            .await
            .unwrap()
            .hibernation_enabled()
    );
    let again = shoot::hibernate(&client, &h.ctx(), &target(&s))
        .await
        .unwrap();
    assert_eq!(again.message, "hibernation already in progress");
    assert_eq!(
        again.kind,
        OutcomeKind::Noop(NoopReason::HibernationInProgress)
    );
    let out = shoot::wake(&client, &h.ctx(), &target(&s)).await.unwrap();
    assert_eq!(out.message, "wake-up requested");
    assert!(
        !h.shoot(s.namespace(), s.name())
            .await
            .unwrap()
            .hibernation_enabled()
    );
    let patches = h.writes().iter().filter(|w| w.method == "PATCH").count();
    assert_eq!(patches, 2, "the no-op sends nothing");
}

#[tokio::test]
async fn retry_is_refused_unless_the_last_operation_failed() {
    let h = Harness::start().await;
    let shoots = h.shoots().await;
    let ok = ordinary(&shoots).remove(0);
    let client = h.client("admin").await;
    let e = shoot::retry(&client, &h.ctx(), &target(&ok))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        OpError::Refused(Refusal::Precondition(Unmet::RetryNotFailed { .. }))
    ));
    assert!(e.to_string().contains("Succeeded"), "{e}");
    assert!(h.writes().is_empty());

    let failed = shoots
        .iter()
        .find(|s| s.last_operation().is_some_and(|o| o.state == "Failed"))
        .expect("the demo has a Failed shoot");
    let out = shoot::retry(&client, &h.ctx(), &target(failed))
        .await
        .unwrap();
    assert_eq!(out.message, "retry requested");
    let w = h.writes();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].body.contains("\"gardener.cloud/operation\":\"retry\""),
        "{}",
        w[0].body
    );
}

#[tokio::test]
async fn bulk_reports_every_target_including_partial_failures() {
    let h = Harness::start().await;
    let shoots = h.shoots().await;
    let good = ordinary(&shoots);
    let blocked = shoots
        .iter()
        .find(|s| !constraint_true(s) && !s.hibernation_enabled())
        .unwrap();
    let missing = ObjectRef::new(good[0].namespace(), "no-such-shoot");
    let targets = vec![
        target(&good[0]),
        target(blocked),
        missing.clone(),
        target(&good[1]),
    ];
    let client = h.client("admin").await;
    let report = bulk::run(&client, &h.ctx(), ShootOp::Hibernate, &targets, 4).await;
    let got: Vec<&ObjectRef> = report.results.iter().map(|r| &r.target).collect();
    assert_eq!(got, targets.iter().collect::<Vec<_>>(), "input order kept");
    assert!(report.results[0].result.is_ok());
    assert!(matches!(
        report.results[1].result,
        Err(OpError::Refused(Refusal::Constraint { .. }))
    ));
    match &report.results[2].result {
        Err(OpError::Api { code, message, .. }) => {
            assert_eq!(*code, 404);
            assert_eq!(
                message,
                "shoots.core.gardener.cloud \"no-such-shoot\" not found"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(report.results[3].result.is_ok());
    assert_eq!(report.succeeded(), 2);
    assert_eq!(report.failed().count(), 2);

    // A bulk delete must be confirmed with the count.
    let e = bulk::delete(&client, &h.ctx(), &targets[..2], "1", 4)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("(2)"), "{e}");
}

#[tokio::test]
async fn read_only_refuses_every_mutation_without_a_request() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let t = target(&s);
    let client = h.client("admin").await;
    let mut ctx = h.ctx();
    ctx.readonly = true;
    let results = vec![
        shoot::hibernate(&client, &ctx, &t).await,
        shoot::wake(&client, &ctx, &t).await,
        shoot::reconcile(&client, &ctx, &t).await,
        shoot::delete(&client, &ctx, &t, s.name()).await,
        kclm::ops::capi::pause(&client, &ctx, &t).await,
    ];
    for r in results {
        assert_eq!(r.unwrap_err(), read_only());
    }
    // Whatever is typed, a read-only bulk delete refuses each target on its own.
    let report = bulk::delete(&client, &ctx, std::slice::from_ref(&t), "wrong", 4)
        .await
        .unwrap();
    assert_eq!(report.results.len(), 1);
    assert_eq!(report.results[0].result, Err(read_only()));
    let metal = kclm::source::metal::MetalClient::new(&kclm::source::metal::MetalConfig {
        url: h.demo.metal_url.clone(),
        auth: kclm::source::metal::MetalAuth::Hmac {
            key: h.demo.hmac_admin.clone(),
            auth_type: h.demo.auth_type.clone(),
        },
    })
    .unwrap();
    let e = kclm::ops::metal::power(
        &metal,
        &ctx,
        "any",
        kclm::ops::metal::PowerCommand::Off,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e, read_only());
    assert!(h.requests().is_empty(), "{:?}", h.requests());
    let audit = kclm::ops::AuditLog::new(h.audit_path()).read().unwrap();
    assert!(
        audit
            .iter()
            .all(|e| e.result == "error" && e.message.contains("read-only"))
    );
}

/// With a shoot confirmed before, the dry-run DELETE passes admission for real
/// and must still delete nothing (dryRun travels in the DeleteOptions body).
#[tokio::test]
async fn a_dry_run_delete_of_a_confirmed_shoot_deletes_nothing() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await).remove(0);
    let r = h
        .raw_patch(
            &shoot_path(s.namespace(), s.name()),
            json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: "true"}}}),
        )
        .await;
    assert!(r.status().is_success());
    let client = h.client("admin").await;
    let mut ctx = h.ctx();
    ctx.dry_run = true;
    let out = shoot::delete(&client, &ctx, &target(&s), s.name())
        .await
        .unwrap();
    assert_eq!(out.message, "deletion requested (dry run)");
    let methods: Vec<String> = h.writes().iter().map(|w| w.method.clone()).collect();
    assert_eq!(methods, ["DELETE"], "already confirmed: no PATCH");
    let after = h.shoot(s.namespace(), s.name()).await.expect("still there");
    assert!(after.metadata.deletion_timestamp.is_none());
    assert!(confirmed(&after), "the existing confirmation stays");
}

/// Hibernating a hibernated shoot through the one dispatcher: the core
/// reports a no-op (not an error), sends nothing, and audits it as done.
#[tokio::test]
async fn hibernating_a_hibernated_shoot_is_a_noop_reported_by_the_core() {
    use kclm::ops::{Op, OpReport, OpRequest, OpsEnv, Verdict};
    let h = Harness::start().await;
    let s = h
        .shoots()
        .await
        .into_iter()
        .find(|s| s.is_hibernated() && s.hibernation_enabled())
        .expect("the demo has a hibernated shoot");
    assert_eq!(
        shoot::precondition(ShootOp::Hibernate, &s),
        Ok(Verdict::Noop(NoopReason::AlreadyHibernated))
    );
    let env = OpsEnv {
        garden: Some(h.client("admin").await),
        ctx: h.ctx(),
        ..Default::default()
    };
    let req = OpRequest {
        op: Op::Shoot(ShootOp::Hibernate, target(&s)),
        dry_run: false,
    };
    let OpReport::One { label, result } = kclm::ops::execute(&env, req).await else {
        panic!("one result for one shoot")
    };
    assert_eq!(label, format!("hibernate {}", target(&s)));
    let out = result.expect("a no-op is not an error");
    assert_eq!(out.kind, OutcomeKind::Noop(NoopReason::AlreadyHibernated));
    assert_eq!(out.message, "already hibernated");
    assert!(h.writes().is_empty(), "{:?}", h.writes());
    let audit = kclm::ops::AuditLog::new(h.audit_path()).read().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].result.as_str(), audit[0].message.as_str()),
        ("ok", "already hibernated")
    );
}

/// A selection is deleted by uid: when the object under a listed name has
/// another uid than the one listed (it was deleted and created again since),
/// that target is refused on its own line with nothing written to it, and the
/// other targets are deleted. A count does not confirm such a selection.
#[tokio::test]
async fn a_uid_bound_delete_leaves_a_same_named_replacement_alone() {
    let h = Harness::start().await;
    let shoots = ordinary(&h.shoots().await);
    let (a, b) = (&shoots[0], &shoots[1]);
    let stale = "0f0f0f0f-listed-before-the-replacement";
    let targets = vec![target(a).with_uid(stale), target(b).with_uid(b.uid())];
    let token = bulk::token_of(&targets).expect("bound targets have a token");
    let client = h.client("admin").await;
    h.clear_log();

    let e = bulk::delete(&client, &h.ctx(), &targets, "2", 4)
        .await
        .unwrap_err();
    assert!(
        matches!(e, OpError::Refused(Refusal::TypedTokenMismatch { .. })),
        "{e}"
    );
    assert!(h.writes().is_empty());

    let report = bulk::delete(&client, &h.ctx(), &targets, &token, 4)
        .await
        .unwrap();
    match &report.results[0].result {
        Err(OpError::Refused(Refusal::Precondition(Unmet::Gone { what }))) => {
            assert!(what.contains(stale) && what.contains(a.uid()), "{what}");
        }
        other => panic!("{other:?}"),
    }
    assert!(report.results[1].result.is_ok(), "{:?}", report.results[1]);
    let a_path = shoot_path(a.namespace(), a.name());
    assert!(
        h.writes().iter().all(|w| !w.uri.starts_with(&a_path)),
        "{:?}",
        h.writes()
    );
    let a_now = h.shoot(a.namespace(), a.name()).await.expect("still there");
    assert!(a_now.metadata.deletion_timestamp.is_none());
    assert_eq!(annotation(&a_now.metadata, ANN_CONFIRM_DELETION), None);
    let b_now = h.shoot(b.namespace(), b.name()).await;
    assert!(b_now.is_none_or(|s| s.metadata.deletion_timestamp.is_some()));
}
