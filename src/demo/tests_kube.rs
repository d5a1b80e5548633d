//! Tests of the simulated Kubernetes API through the real clients: kube-rs
//! (via kclm's own `client_for`) over TLS, and raw HTTP for the edge cases.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::watcher::{self, Event};
use serde_json::{Value, json};

use super::{DemoHandle, DemoOptions, start};
use crate::model::gardener::Shoot;
use crate::source::kube::{KubeTarget, client_for};

pub(super) async fn demo(time_scale: f64) -> DemoHandle {
    start(DemoOptions {
        time_scale,
        ..Default::default()
    })
    .await
    .expect("demo starts")
}

pub(super) async fn client(h: &DemoHandle, context: Option<&str>) -> kube::Client {
    client_for(&KubeTarget {
        kubeconfig: Some(h.kubeconfig.clone()),
        context: context.map(String::from),
    })
    .await
    .expect("kube client from the demo kubeconfig")
}

fn api_status(e: kube::Error) -> (u16, String, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API error, got {other}"),
    }
}

async fn until<F: FnMut() -> bool>(what: &str, mut f: F) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

/// (namespace, name) of the first shoot satisfying `pred`, read from the store.
pub(super) fn find_shoot(h: &DemoHandle, pred: impl Fn(&Value) -> bool) -> (String, String) {
    let w = h.shared().lock();
    let s = w
        .kube
        .list(super::resources::SHOOTS)
        .find(|s| pred(s))
        .expect("a matching shoot")
        .clone();
    (
        s["metadata"]["namespace"].as_str().unwrap().into(),
        s["metadata"]["name"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn lists_page_with_limit_and_continue() {
    let h = demo(1.0).await;
    let api: Api<Shoot> = Api::all(client(&h, None).await);
    let first = api.list(&ListParams::default().limit(10)).await.unwrap();
    assert_eq!(first.items.len(), 10);
    let rv = first.metadata.resource_version.clone();
    let mut names: Vec<String> = first
        .items
        .iter()
        .map(|s| format!("{}/{}", s.namespace(), s.name()))
        .collect();
    let mut token = first.metadata.continue_.clone();
    let mut pages = 1;
    while let Some(t) = token.filter(|t| !t.is_empty()) {
        let page = api
            .list(&ListParams::default().limit(10).continue_token(&t))
            .await
            .unwrap();
        assert_eq!(
            page.metadata.resource_version, rv,
            "all pages share the list's resourceVersion"
        );
        names.extend(
            page.items
                .iter()
                .map(|s| format!("{}/{}", s.namespace(), s.name())),
        );
        token = page.metadata.continue_.clone();
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 25);
    let mut dedup = names.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 25, "no shoot twice across pages");
    let garden: Api<Shoot> = Api::namespaced(client(&h, None).await, "garden");
    let only = garden
        .list(&ListParams::default().fields("metadata.namespace=garden"))
        .await
        .unwrap();
    assert!(!only.items.is_empty() && only.items.iter().all(|s| s.namespace() == "garden"));
    let labelled = api
        .list(&ListParams::default().labels("shoot.gardener.cloud/status=unhealthy"))
        .await
        .unwrap();
    assert!(!labelled.items.is_empty());
    assert!(labelled.items.iter().all(
        |s| s.metadata.labels.as_ref().unwrap()["shoot.gardener.cloud/status"] == "unhealthy"
    ));
    h.shutdown().await;
}

#[tokio::test]
async fn watcher_receives_modified_after_merge_patch() {
    let h = demo(1.0).await;
    let (ns, name) = find_shoot(&h, |s| s["spec"]["purpose"] == "production");
    let c = client(&h, None).await;
    let api: Api<Shoot> = Api::namespaced(c, &ns);
    let mut stream = watcher::watcher(api.clone(), watcher::Config::default().page_size(5)).boxed();
    loop {
        match stream.try_next().await.unwrap() {
            Some(Event::InitDone) => break,
            Some(_) => {}
            None => panic!("watch ended"),
        }
    }
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {"demo/touched": "yes"}}})),
    )
    .await
    .unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(ev) = stream.try_next().await.unwrap() {
            if let Event::Apply(s) = ev
                && s.name() == name
                && kube::ResourceExt::annotations(&s)
                    .get("demo/touched")
                    .is_some_and(|v| v == "yes")
            {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(seen, "the watcher saw the patched shoot");
    h.shutdown().await;
}

#[tokio::test]
async fn too_old_resource_version_is_410_and_the_watcher_relists() {
    let h = demo(1.0).await;
    let api: Api<Shoot> = Api::all(client(&h, None).await);
    let mut raw = api
        .watch(&WatchParams::default(), "5")
        .await
        .unwrap()
        .boxed();
    match raw.try_next().await.unwrap() {
        Some(WatchEvent::Error(s)) => {
            assert_eq!(s.code, 410);
            assert_eq!(s.reason, "Expired");
            assert!(
                s.message.starts_with("too old resource version: 5 ("),
                "{}",
                s.message
            );
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
    let mut stream = watcher::watcher(api, watcher::Config::default().page_size(10)).boxed();
    let mut inits = 0;
    let expire = async {
        // Compaction plus dropped connections: the watcher must resume, get 410 and re-list.
        let mut w = h.shared().lock();
        w.kube.compact();
        drop(w);
        h.shared().close_watches();
    };
    let mut expired = Some(Box::pin(expire));
    let res = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = stream.next().await {
            // kube-rs reports the 410 as an error item, then re-lists.
            if let Ok(Event::InitDone) = ev {
                inits += 1;
                if inits == 2 {
                    return;
                }
                if let Some(e) = expired.take() {
                    e.await;
                }
            }
        }
    })
    .await;
    assert!(
        res.is_ok(),
        "the watcher re-listed after 410 (init rounds: {inits})"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn deletion_needs_gardeners_confirmation_then_goes_through_delete_processing() {
    let h = demo(40.0).await;
    let (ns, name) = find_shoot(&h, |s| {
        s["status"]["lastOperation"]["state"] == "Succeeded"
            && s["spec"]["hibernation"]["enabled"] == false
    });
    let api: Api<Shoot> = Api::namespaced(client(&h, None).await, &ns);
    let (code, reason, msg) = api_status(
        api.delete(&name, &DeleteParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        msg,
        format!(
            "shoots.core.gardener.cloud \"{name}\" is forbidden: must have a \"confirmation.gardener.cloud/deletion\" annotation to delete"
        )
    );
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(
            json!({"metadata": {"annotations": {"confirmation.gardener.cloud/deletion": "T"}}}),
        ),
    )
    .await
    .unwrap();
    let deleted = api.delete(&name, &DeleteParams::default()).await.unwrap();
    let shoot = deleted
        .left()
        .expect("the shoot comes back with a deletionTimestamp");
    assert!(shoot.metadata.deletion_timestamp.is_some());
    let mut saw_delete_op = false;
    for _ in 0..200 {
        match api.get_opt(&name).await.unwrap() {
            Some(s) => {
                saw_delete_op |= s
                    .last_operation()
                    .is_some_and(|o| o.type_ == "Delete" && o.state == "Processing")
            }
            None => break,
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        saw_delete_op,
        "lastOperation went through Delete Processing"
    );
    assert!(
        api.get_opt(&name).await.unwrap().is_none(),
        "the shoot is gone"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let h = demo(1.0).await;
    let (ns, name) = find_shoot(&h, |s| s["metadata"]["namespace"] != "garden");
    let api: Api<Shoot> = Api::namespaced(client(&h, None).await, &ns);
    let before = api.get(&name).await.unwrap();
    let mut copy = before.clone();
    copy.metadata = kube::api::ObjectMeta {
        name: Some("dry-copy".into()),
        annotations: before.metadata.annotations.clone(),
        ..Default::default()
    };
    copy.status = None;
    let made = api
        .create(
            &PostParams {
                dry_run: true,
                field_manager: None,
            },
            &copy,
        )
        .await
        .unwrap();
    assert_eq!(made.name(), "dry-copy");
    assert!(api.get_opt("dry-copy").await.unwrap().is_none());
    let dry = PatchParams {
        dry_run: true,
        ..Default::default()
    };
    let patched = api
        .patch(
            &name,
            &dry,
            &Patch::Merge(json!({"metadata": {"labels": {"dry": "run"}}})),
        )
        .await
        .unwrap();
    assert_eq!(
        kube::ResourceExt::labels(&patched)
            .get("dry")
            .map(String::as_str),
        Some("run")
    );
    let after = api.get(&name).await.unwrap();
    assert_eq!(
        after.metadata.resource_version,
        before.metadata.resource_version
    );
    assert!(!kube::ResourceExt::labels(&after).contains_key("dry"));
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(
            json!({"metadata": {"annotations": {"confirmation.gardener.cloud/deletion": "true"}}}),
        ),
    )
    .await
    .unwrap();
    api.delete(
        &name,
        &DeleteParams {
            dry_run: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        api.get(&name)
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_none()
    );
    h.shutdown().await;
}

#[tokio::test]
async fn stale_update_and_duplicate_create_conflict() {
    let h = demo(1.0).await;
    let (ns, name) = find_shoot(&h, |_| true);
    let api: Api<Shoot> = Api::namespaced(client(&h, None).await, &ns);
    let stale = api.get(&name).await.unwrap();
    api.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"bump": "1"}}})),
    )
    .await
    .unwrap();
    let (code, reason, msg) = api_status(
        api.replace(&name, &PostParams::default(), &stale)
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        format!(
            "Operation cannot be fulfilled on shoots.core.gardener.cloud \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
        )
    );
    let fresh = api.get(&name).await.unwrap();
    let mut dup = fresh.clone();
    dup.metadata.resource_version = None;
    let (code, reason, msg) =
        api_status(api.create(&PostParams::default(), &dup).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    assert_eq!(
        msg,
        format!("shoots.core.gardener.cloud \"{name}\" already exists")
    );
    let replaced = api
        .replace(&name, &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_eq!(
        replaced.metadata.resource_version, fresh.metadata.resource_version,
        "a no-op update keeps the resourceVersion"
    );
    let (code, _, msg) = api_status(api.get("nope").await.unwrap_err());
    assert_eq!(
        (code, msg.as_str()),
        (404, "shoots.core.gardener.cloud \"nope\" not found")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn viewer_may_read_but_not_patch() {
    let h = demo(1.0).await;
    let (ns, name) = find_shoot(&h, |_| true);
    let api: Api<Shoot> = Api::namespaced(client(&h, Some("demo-viewer")).await, &ns);
    assert!(api.get(&name).await.is_ok());
    let (code, reason, msg) = api_status(
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        msg,
        format!(
            "shoots.core.gardener.cloud \"{name}\" is forbidden: User \"demo-viewer\" cannot patch resource \"shoots\" in API group \"core.gardener.cloud\" in the namespace \"{ns}\""
        )
    );
    h.shutdown().await;
}

#[tokio::test]
async fn gardener_rules_hibernation_constraint_and_reconcile_annotation() {
    let h = demo(40.0).await;
    let c = client(&h, None).await;
    let (ns, name) = find_shoot(&h, |s| {
        s["status"]["constraints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "HibernationPossible" && c["status"] == "False")
    });
    let api: Api<Shoot> = Api::namespaced(c.clone(), &ns);
    let (code, _, msg) = api_status(
        api.patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"hibernation": {"enabled": true}}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(code, 403);
    assert!(msg.starts_with(&format!("shoots.core.gardener.cloud \"{name}\" is forbidden: 'HibernationPossible' constraint is 'False': webhook")), "{msg}");
    let gen0 = api.get(&name).await.unwrap().metadata.generation.unwrap();
    let s = api
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {"gardener.cloud/operation": "reconcile"}}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(s.metadata.generation, Some(gen0 + 1));
    assert!(
        !kube::ResourceExt::annotations(&s).contains_key("gardener.cloud/operation"),
        "the API server strips reconcile"
    );
    assert!(
        s.last_operation().is_some_and(|o| o.state == "Failed"
            || o.state == "Succeeded"
            || o.state == "Processing")
    );
    let (fns, failed) = find_shoot(&h, |s| s["status"]["lastOperation"]["state"] == "Failed");
    let fapi: Api<Shoot> = Api::namespaced(c, &fns);
    let s = fapi
        .patch(
            &failed,
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {"gardener.cloud/operation": "retry"}}}),
            ),
        )
        .await
        .unwrap();
    assert!(
        !kube::ResourceExt::annotations(&s).contains_key("gardener.cloud/operation"),
        "retry on a Failed shoot is consumed"
    );
    until("the retried reconcile to succeed", || {
        let w = h.shared().lock();
        w.kube
            .get(super::resources::SHOOTS, &fns, &failed)
            .is_some_and(|s| s["status"]["lastOperation"]["state"] == "Succeeded")
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn created_shoot_is_validated_then_created_with_machines() {
    let h = demo(40.0).await;
    let api: Api<Shoot> = Api::namespaced(client(&h, None).await, "garden-payments");
    let mut shoot: Shoot = serde_json::from_value(json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {"name": "fresh", "annotations": {"cluster.metal-stack.io/tenant": "tenant-payments"}},
        "spec": {"cloudProfile": {"kind": "CloudProfile", "name": "metal"}, "region": "mars",
                 "kubernetes": {"version": "1.33"},
                 "provider": {"type": "metal", "workers": [{"name": "group-0", "minimum": 1, "maximum": 2,
                     "machine": {"type": "c1-xlarge-x86", "image": {"name": "ubuntu", "version": "24.4.20250901"}}}],
                     "infrastructureConfig": {"apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
                        "partitionID": "fra-equ01", "projectID": "p-1", "firewall": {"size": "n1-medium-x86", "image": "firewall-ubuntu-3.0.20250901", "networks": ["internet"]}}}}
    }))
    .unwrap();
    let (code, _, msg) = api_status(
        api.create(&PostParams::default(), &shoot)
            .await
            .unwrap_err(),
    );
    assert_eq!(code, 403);
    assert_eq!(
        msg,
        "shoots.core.gardener.cloud \"fresh\" is forbidden: [spec.region: Unsupported value: \"mars\": supported values: \"fra\", \"ams\"]"
    );
    shoot.spec.region = Some("fra".into());
    let created = api.create(&PostParams::default(), &shoot).await.unwrap();
    assert_eq!(
        created.kubernetes_version(),
        Some("1.33.5"),
        "major.minor is completed to the newest patch"
    );
    let uid = created.uid().to_string();
    until("the shoot to be created", || {
        let w = h.shared().lock();
        w.kube
            .get(super::resources::SHOOTS, "garden-payments", "fresh")
            .is_some_and(|s| {
                s["status"]["lastOperation"]["type"] == "Create"
                    && s["status"]["lastOperation"]["state"] == "Succeeded"
            })
    })
    .await;
    let tag = json!(format!("cluster.metal-stack.io/id={uid}"));
    {
        let w = h.shared().lock();
        let mine: Vec<&Value> = w
            .metal
            .machines
            .values()
            .filter(|m| m["tags"].as_array().unwrap().contains(&tag))
            .collect();
        assert_eq!(mine.len(), 2, "one firewall and one worker");
        assert!(
            w.kube
                .get(super::resources::SHOOTS, "garden-payments", "fresh")
                .unwrap()["status"]["lastErrors"]
                .is_null()
        );
        assert!(mine.iter().any(|m| m["allocation"]["role"] == "firewall"));
        let s = w
            .kube
            .get(super::resources::SHOOTS, "garden-payments", "fresh")
            .unwrap();
        assert_eq!(s["status"]["technicalID"], "shoot--payments--fresh");
        assert_eq!(
            s["metadata"]["labels"]["shoot.gardener.cloud/status"],
            "healthy"
        );
    }
    h.shutdown().await;
}
