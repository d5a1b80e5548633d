//! Issue #13 items 4 and 5 against the demo landscape: dual approval for
//! deletion leaves nothing of kclm's behind, reconcile on a Failed shoot is
//! refused (and the demo keeps it, like gardener-apiserver), retry replaces a
//! pending reconcile, rotations run in parallel, and the demo validates the
//! operation annotation as Gardener does.

mod ops_support;

use kclm::model::annotation;
use kclm::model::gardener::{ANN_CONFIRM_DELETION, ANN_OPERATION, ANN_TIMESTAMP, Shoot};
use kclm::ops::shoot::{self, Rotation, ShootOp};
use kclm::ops::{ObjectRef, OpError};
use ops_support::{Harness, shoot_path};
use serde_json::json;

fn target(s: &Shoot) -> ObjectRef {
    ObjectRef::new(s.namespace(), s.name())
}

/// An ordinary shoot: awake, last operation succeeded, nothing pending.
fn ordinary(shoots: &[Shoot]) -> Shoot {
    shoots
        .iter()
        .find(|s| {
            !s.hibernation_enabled()
                && s.metadata.deletion_timestamp.is_none()
                && s.last_operation().is_some_and(|o| o.state == "Succeeded")
                && annotation(&s.metadata, ANN_OPERATION).is_none()
                && annotation(&s.metadata, ANN_CONFIRM_DELETION).is_none()
                && annotation(&s.metadata, ANN_TIMESTAMP).is_none()
                && s.namespace() != "garden"
        })
        .cloned()
        .expect("the demo has an ordinary shoot")
}

fn failed(shoots: &[Shoot]) -> Shoot {
    shoots
        .iter()
        .find(|s| {
            s.last_operation().is_some_and(|o| o.state == "Failed")
                && annotation(&s.metadata, ANN_OPERATION).is_none()
        })
        .cloned()
        .expect("the demo has a Failed shoot")
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
                {"resource": "shoots", "selector": {"matchLabels": {"env": "dev"}}},
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

/// Item 4: a delete under dual approval cannot succeed for the one who
/// confirms, and after it nothing kclm writes is left on the shoot (neither
/// the confirmation nor the `gardener.cloud/timestamp`).
#[tokio::test]
async fn a_delete_under_dual_approval_leaves_nothing_of_kclms_behind() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await);
    require_dual_approval(&h, &s).await;
    let client = h.client("admin").await;
    let e = shoot::delete(&client, &h.ctx(), &target(&s), s.name())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("dual approval"), "{e}");
    let after = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert!(after.metadata.deletion_timestamp.is_none());
    for key in [ANN_CONFIRM_DELETION, ANN_TIMESTAMP] {
        assert!(
            annotation(&after.metadata, key).is_none(),
            "{key} left behind: {:?}",
            after.metadata.annotations
        );
    }
}

/// Item 4: the first approver confirms (no DELETE); the confirmer's own
/// delete (and its dry run) says a second approver is needed and who confirmed.
#[tokio::test]
async fn confirm_for_deletion_sends_no_delete_and_the_confirmer_is_told_to_find_a_second_approver()
{
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await);
    require_dual_approval(&h, &s).await;
    let client = h.client("admin").await;
    let wrong = kclm::ops::approval::confirm_deletion(&client, &h.ctx(), &target(&s), "nope")
        .await
        .unwrap_err();
    assert!(wrong.is_local(), "{wrong}");
    let out = kclm::ops::approval::confirm_deletion(&client, &h.ctx(), &target(&s), s.name())
        .await
        .unwrap();
    assert!(
        out.message.contains("deletion confirmed"),
        "{}",
        out.message
    );
    let methods: Vec<String> = h.writes().iter().map(|w| w.method.clone()).collect();
    assert_eq!(methods, ["PATCH"]);
    let confirmed = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert_eq!(
        annotation(&confirmed.metadata, ANN_CONFIRM_DELETION),
        Some("true")
    );
    assert_eq!(
        annotation(&confirmed.metadata, kclm::ops::approval::ANN_CONFIRMED_BY),
        Some("demo-admin")
    );

    h.clear_log();
    let mut dry = h.ctx();
    dry.dry_run = true;
    let e = shoot::delete(&client, &dry, &target(&s), s.name())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("DELETE needs a second approver")
            && text.contains("confirmed by demo-admin at"),
        "{text}"
    );
    // The dry run sent only a dry-run DELETE: no PATCH on a confirmed shoot.
    let writes = h.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "DELETE");
    // The first approver's confirmation stays for the second approver.
    let still = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert_eq!(
        annotation(&still.metadata, ANN_CONFIRM_DELETION),
        Some("true")
    );
    assert!(still.metadata.deletion_timestamp.is_none());
}

/// Item 5: reconcile on a Failed shoot is refused before any write and
/// points to retry.
#[tokio::test]
async fn reconcile_on_a_failed_shoot_is_refused_and_points_to_retry() {
    let h = Harness::start().await;
    let s = failed(&h.shoots().await);
    let client = h.client("admin").await;
    let e = shoot::run(&client, &h.ctx(), ShootOp::Reconcile, &target(&s))
        .await
        .unwrap_err();
    assert!(matches!(e, OpError::Refused(_)), "{e:?}");
    assert!(e.to_string().contains("retry"), "{e}");
    assert!(h.writes().is_empty(), "{:?}", h.writes());
}

/// Item 5: like gardener-apiserver, the demo keeps `reconcile` on a Failed
/// shoot (and does not bump the generation); retry then replaces it.
#[tokio::test]
async fn retry_replaces_a_reconcile_the_server_kept_on_a_failed_shoot() {
    let h = Harness::start().await;
    let s = failed(&h.shoots().await);
    let generation = s.metadata.generation;
    let r = h
        .raw_patch(
            &shoot_path(s.namespace(), s.name()),
            json!({"metadata": {"annotations": {ANN_OPERATION: "reconcile"}}}),
        )
        .await;
    assert!(r.status().is_success());
    let kept = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert_eq!(annotation(&kept.metadata, ANN_OPERATION), Some("reconcile"));
    assert_eq!(kept.metadata.generation, generation);

    let client = h.client("admin").await;
    let out = shoot::run(&client, &h.ctx(), ShootOp::Retry, &target(&s))
        .await
        .unwrap();
    assert!(!out.is_noop(), "{}", out.message);
    let body: serde_json::Value = serde_json::from_str(&h.writes()[0].body).unwrap();
    assert_eq!(body["metadata"]["annotations"][ANN_OPERATION], "retry");
    let after = h.shoot(s.namespace(), s.name()).await.unwrap();
    // The server took `retry` (stripped it and bumped the generation).
    assert_eq!(annotation(&after.metadata, ANN_OPERATION), None);
    assert!(after.metadata.generation > generation);
}

/// Item 5: Gardener runs rotations in parallel (`;`-separated), so a second
/// rotation joins a pending one instead of being refused.
#[tokio::test]
async fn a_second_rotation_joins_a_pending_one() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await);
    let client = h.client("admin").await;
    let t = target(&s);
    shoot::rotate(&client, &h.ctx(), &t, Rotation::SshKeypair)
        .await
        .unwrap();
    shoot::rotate(&client, &h.ctx(), &t, Rotation::ObservabilityCredentials)
        .await
        .unwrap();
    let after = h.shoot(s.namespace(), s.name()).await.unwrap();
    assert_eq!(
        annotation(&after.metadata, ANN_OPERATION),
        Some("rotate-ssh-keypair;rotate-observability-credentials")
    );
}

/// Item 5: the demo validates the operation annotation as Gardener does.
#[tokio::test]
async fn the_demo_refuses_unknown_and_forbidden_operations_like_gardener() {
    let h = Harness::start().await;
    let s = ordinary(&h.shoots().await);
    let path = shoot_path(s.namespace(), s.name());
    let r = h
        .raw_patch(
            &path,
            json!({"metadata": {"annotations": {ANN_OPERATION: "foo"}}}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.contains(
            "metadata.annotations[gardener.cloud/operation]: Unsupported value: \"foo\": \
             supported values: \"force-in-place-update\", \"maintain\", \"reconcile\", \"retry\", \
             \"rollout-workers\", \"rotate-ca-complete\""
        ),
        "{message}"
    );
    let r = h
        .raw_patch(
            &path,
            json!({"metadata": {"annotations": {ANN_OPERATION: "reconcile;maintain"}}}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap_or("").contains(
            "operation 'maintain' is not permitted to be run in parallel with other operations"
        ),
        "{body}"
    );
    let r = h
        .raw_patch(
            &path,
            json!({"metadata": {"annotations": {ANN_OPERATION: "rotate-ssh-keypair;rotate-observability-credentials"}}}),
        )
        .await;
    assert!(r.status().is_success(), "{:?}", r.text().await);
}

fn kclm_cli(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("kclm").unwrap();
    c.env_clear()
        .env("HOME", dir)
        .env("KCLM_CONFIG_DIR", dir.join("config"))
        .env("KCLM_STATE_DIR", dir.join("state"))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .timeout(std::time::Duration::from_secs(120));
    c
}

/// `namespace/name` of the first demo shoot whose last operation is in `state`.
fn cli_shoot(dir: &std::path::Path, state: &str) -> String {
    let out = kclm_cli(dir)
        .args(["--demo", "get", "shoots", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["last_operation"]["state"] == state && r["namespace"] != "garden")
        .map(|r| {
            format!(
                "{}/{}",
                r["namespace"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            )
        })
        .expect("a shoot in that state")
}

/// The CLI: `shoot confirm-deletion` takes NS/NAME typed again (not the bare name)
/// and only confirms; `shoot reconcile` on a Failed shoot exits 1 pointing to retry.
#[test]
fn the_cli_confirms_for_deletion_and_refuses_reconcile_on_failed() {
    let d = tempfile::tempdir().unwrap();
    let ok = cli_shoot(d.path(), "Succeeded");
    let name = ok.split('/').nth(1).unwrap().to_string();
    // Names repeat across projects: the bare name is refused like a typo.
    for typed in ["wrong", name.as_str()] {
        let out = kclm_cli(d.path())
            .args([
                "--demo",
                "shoot",
                "confirm-deletion",
                &ok,
                "--confirm",
                typed,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--confirm {typed}");
        assert!(out.stdout.is_empty(), "nothing done for --confirm {typed}");
    }
    {
        let typed = ok.as_str();
        let out = kclm_cli(d.path())
            .args([
                "--demo",
                "shoot",
                "confirm-deletion",
                &ok,
                "--confirm",
                typed,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(
            stdout.starts_with(&format!("{ok}: deletion confirmed")),
            "{stdout}"
        );
    }

    let failed = cli_shoot(d.path(), "Failed");
    let out = kclm_cli(d.path())
        .args(["--demo", "shoot", "reconcile", &failed])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("kclm shoot retry"), "{stdout}");
}
