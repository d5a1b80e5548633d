//! RBAC refusals and access reviews, 409 handling, metal-api rights, Cluster-API
//! and Kamaji operations, and the audit log, against the demo landscape.

mod ops_support;

use std::time::Duration;

use kclm::model::capi::Cluster;
use kclm::model::gardener::Shoot;
use kclm::model::kamaji::TenantControlPlane;
use kclm::ops::access::{self, AccessCache, AccessCheck};
use kclm::ops::metal::{PowerCommand, StateChange};
use kclm::ops::shoot::{self, ShootOp};
use kclm::ops::{AuditLog, ObjectRef, OpError, Refusal, Unmet, capi};
use kclm::source::kube::KubeTarget;
use kclm::source::metal::{MetalAuth, MetalClient, MetalConfig};
use ops_support::Harness;

fn awake(shoots: &[Shoot]) -> Shoot {
    shoots
        .iter()
        .find(|s| {
            !s.hibernation_enabled()
                && s.constraint("HibernationPossible")
                    .is_none_or(|c| c.status == "True")
                && s.last_operation().is_some_and(|o| o.state == "Succeeded")
                && s.namespace() != "garden"
        })
        .cloned()
        .expect("an awake shoot")
}

/// A metal-api client with the demo's Metal-View or Metal-Edit HMAC key.
fn metal(h: &Harness, role: &str) -> MetalClient {
    let key = match role {
        "Metal-View" => &h.demo.hmac_view,
        "Metal-Edit" => &h.demo.hmac_edit,
        other => panic!("{other}"),
    };
    MetalClient::new(&MetalConfig {
        url: h.demo.metal_url.clone(),
        auth: MetalAuth::Hmac {
            key: key.clone(),
            auth_type: role.into(),
        },
    })
    .unwrap()
}

#[tokio::test]
async fn a_viewer_gets_the_servers_rbac_refusal_and_the_review_says_why() {
    let h = Harness::start().await;
    let s = awake(&h.shoots().await);
    let t = ObjectRef::new(s.namespace(), s.name());
    let viewer = h.client("viewer").await;
    let e = shoot::hibernate(&viewer, &h.ctx(), &t).await.unwrap_err();
    match &e {
        OpError::Api {
            code,
            reason,
            message,
        } => {
            assert_eq!((*code, reason.as_str()), (403, "Forbidden"));
            assert!(
                message.contains("cannot patch resource \"shoots\""),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !h.shoot(s.namespace(), s.name())
            .await
            .unwrap()
            .hibernation_enabled()
    );

    let check = AccessCheck::shoot_op(ShootOp::Hibernate, &t);
    let no = access::review(&viewer, &check).await.unwrap();
    assert!(!no.allowed);
    assert!(
        no.reason.contains("patch shoots.core.gardener.cloud"),
        "{}",
        no.reason
    );
    let admin = h.client("admin").await;
    assert!(access::review(&admin, &check).await.unwrap().allowed);

    // Cached: the second question does not reach the server.
    let cache = AccessCache::new(viewer.clone(), Duration::from_secs(60));
    h.clear_log();
    for _ in 0..3 {
        assert!(!cache.check(&check).await.unwrap().allowed);
    }
    assert_eq!(cache.cached(&check).map(|a| a.allowed), Some(false));
    let reviews = h
        .requests()
        .iter()
        .filter(|r| r.uri.contains("selfsubjectaccessreviews"))
        .count();
    assert_eq!(reviews, 1);
    let both = cache
        .check_all(&AccessCheck::shoot_delete(&t))
        .await
        .unwrap();
    assert!(!both.allowed);
}

#[tokio::test]
async fn a_stale_write_is_retried_with_a_fresh_read_then_surfaced() {
    let h = Harness::start().await;
    let s = awake(&h.shoots().await);
    let t = ObjectRef::new(s.namespace(), s.name());
    let client = h.client("admin").await;

    h.poke_patches(1);
    let out = shoot::reconcile(&client, &h.ctx(), &t).await.unwrap();
    assert_eq!(out.message, "reconcile requested");
    let patches: Vec<_> = h
        .writes()
        .into_iter()
        .filter(|w| w.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 2, "one 409, one retry: {patches:?}");
    // Every patch carries the resourceVersion it was checked against.
    assert!(patches.iter().all(|p| p.body.contains("resourceVersion")));
    assert_ne!(patches[0].body, patches[1].body);
    let gets = h.requests().iter().filter(|r| r.method == "GET").count();
    assert_eq!(gets, 2, "re-read before the retry");

    h.clear_log();
    h.poke_patches(10);
    let e = shoot::run(&client, &h.ctx(), ShootOp::Hibernate, &t)
        .await
        .unwrap_err();
    match &e {
        OpError::Conflict(m) => {
            assert!(m.contains("after 3 tries"), "{m}");
            assert!(m.contains("the object has been modified"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.writes().len(), 3);
    assert!(
        !h.shoot(s.namespace(), s.name())
            .await
            .unwrap()
            .hibernation_enabled()
    );
}

#[tokio::test]
async fn metal_view_credentials_are_refused_and_descriptions_are_required() {
    let h = Harness::start().await;
    let edit = metal(&h, "Metal-Edit");
    let machines = edit.find_machines(serde_json::json!({})).await.unwrap();
    let m = machines
        .iter()
        .find(|m| m.allocation.is_some() && !m.is_firewall())
        .expect("an allocated machine");
    let ctx = h.ctx();
    let view = metal(&h, "Metal-View");
    let e = kclm::ops::metal::power(&view, &ctx, &m.id, PowerCommand::Off, None)
        .await
        .unwrap_err();
    assert!(matches!(e, OpError::Metal(_)), "{e:?}");
    assert_eq!(e.code(), Some(403));
    assert!(e.to_string().contains("needs Metal-Edit rights"), "{e}");

    let out = kclm::ops::metal::power(&edit, &ctx, &m.id, PowerCommand::Cycle, Some("ns/web"))
        .await
        .unwrap();
    assert!(out.message.contains(&m.id), "{}", out.message);
    assert!(out.message.contains("shoot ns/web"), "{}", out.message);
    assert!(
        out.message.ends_with("power cycle requested"),
        "{}",
        out.message
    );

    let e = kclm::ops::metal::set_state(&edit, &ctx, &m.id, StateChange::Reserve, " ", None)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        OpError::Refused(Refusal::Precondition(Unmet::DescriptionRequired { .. }))
    ));
    let unchanged = edit.machine(&m.id).await.unwrap();
    assert_eq!(unchanged.state.value, m.state.value);

    kclm::ops::metal::set_state(&edit, &ctx, &m.id, StateChange::Lock, "RMA #7", None)
        .await
        .unwrap();
    assert_eq!(edit.machine(&m.id).await.unwrap().state.value, "LOCKED");
    kclm::ops::metal::set_state(&edit, &ctx, &m.id, StateChange::Clear, "", None)
        .await
        .unwrap();
    assert_eq!(edit.machine(&m.id).await.unwrap().state.value, "");

    kclm::ops::metal::identify(&edit, &ctx, &m.id, true, "find me", None)
        .await
        .unwrap();
    assert_eq!(edit.machine(&m.id).await.unwrap().ledstate.value, "LED-ON");
}

#[tokio::test]
async fn cluster_pause_and_typed_deletes_on_the_management_cluster() {
    let h = Harness::start().await;
    let capi_client = kclm::source::kube::client_for(&KubeTarget {
        kubeconfig: Some(h.demo.kubeconfig.clone()),
        context: Some("demo-capi".into()),
    })
    .await
    .unwrap();
    let clusters = kube::Api::<Cluster>::all(capi_client.clone())
        .list(&Default::default())
        .await
        .unwrap()
        .items;
    let c = clusters
        .iter()
        .find(|c| !c.paused())
        .expect("a running cluster");
    let t = ObjectRef::new(c.namespace(), c.name());
    let ctx = h.ctx();
    let api = kube::Api::<Cluster>::namespaced(capi_client.clone(), c.namespace());
    capi::pause(&capi_client, &ctx, &t).await.unwrap();
    assert!(api.get(c.name()).await.unwrap().paused());
    capi::unpause(&capi_client, &ctx, &t).await.unwrap();
    assert!(!api.get(c.name()).await.unwrap().paused());

    let e = capi::delete_cluster(&capi_client, &ctx, &t, "wrong")
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        OpError::Refused(Refusal::TypedNameMismatch { .. })
    ));
    assert!(api.get_opt(c.name()).await.unwrap().is_some());
    capi::delete_cluster(&capi_client, &ctx, &t, c.name())
        .await
        .unwrap();
    let gone = api.get_opt(c.name()).await.unwrap();
    assert!(gone.is_none_or(|c| c.metadata.deletion_timestamp.is_some()));

    let tcps = kube::Api::<TenantControlPlane>::all(capi_client.clone())
        .list(&Default::default())
        .await
        .unwrap()
        .items;
    {
        let tcp = tcps.first().expect("the demo has a TenantControlPlane");
        let tt = ObjectRef::new(tcp.namespace(), tcp.name());
        let mut dry = ctx.clone();
        dry.dry_run = true;
        let out = capi::delete_tenant_control_plane(&capi_client, &dry, &tt, tcp.name())
            .await
            .unwrap();
        assert!(out.dry_run);
        let tapi = kube::Api::<TenantControlPlane>::namespaced(capi_client, tcp.namespace());
        let still = tapi.get(tcp.name()).await.unwrap();
        assert!(
            still.metadata.deletion_timestamp.is_none(),
            "a dry run deletes nothing"
        );
    }
}

#[tokio::test]
async fn the_audit_log_records_each_mutation_and_no_secret() {
    let h = Harness::start().await;
    let s = awake(&h.shoots().await);
    let t = ObjectRef::new(s.namespace(), s.name());
    let admin = h.client("admin").await;
    let viewer = h.client("viewer").await;
    let ctx = h.ctx();
    shoot::maintain(&admin, &ctx, &t).await.unwrap();
    shoot::hibernate(&viewer, &ctx, &t).await.unwrap_err();
    let mut dry = ctx.clone();
    dry.dry_run = true;
    shoot::wake(&admin, &dry, &t).await.unwrap();
    let edit = metal(&h, "Metal-Edit");
    let view = metal(&h, "Metal-View");
    let id = edit.find_machines(serde_json::json!({})).await.unwrap()[0]
        .id
        .clone();
    kclm::ops::metal::power(&view, &ctx, &id, PowerCommand::On, None)
        .await
        .unwrap_err();

    let entries = AuditLog::new(h.audit_path()).read().unwrap();
    let summary: Vec<(&str, &str, bool)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.result.as_str(), e.dry_run))
        .collect();
    assert_eq!(
        summary,
        [
            ("maintain", "ok", false),
            ("hibernate", "error", false),
            ("wake", "ok", true),
            ("machine-power-on", "error", false),
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.landscape == "demo" && e.actor == "test-admin")
    );
    assert_eq!(entries[0].target, t.to_string());
    assert!(
        entries[1].message.contains("forbidden"),
        "{}",
        entries[1].message
    );
    let text = std::fs::read_to_string(h.audit_path()).unwrap();
    for secret in [&h.demo.hmac_admin, &h.demo.hmac_edit, &h.demo.hmac_view] {
        assert!(!text.contains(secret.as_str()));
    }
    assert!(
        !text.contains("Bearer")
            && !text.contains("token:")
            && !text.contains("certificate-authority")
    );
}
