//! Lists, watches, resumption and re-lists, through kube-rs and kclm's watcher.

use std::collections::BTreeSet;

use kclm::landscape::{Kind, KubeObject, Landscape, SourceState, Update};
use kclm::model::Slim;
use kclm::model::capi::{Cluster, MachineDeployment};
use kclm::source::kube::{spawn_watch, watch_kind};
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams, WatchEvent,
};
use serde_json::json;
use tokio::sync::mpsc;

use crate::fixture::{Target, api_error, drain_until, list, retry, watch_events};
use crate::objects::{cluster, machine_deployment};
use crate::proxy::{Proxy, upstream};

fn names_in(ls: &Landscape, ns: &str) -> BTreeSet<String> {
    ls.clusters
        .keys()
        .filter(|k| k.namespace == ns)
        .map(|k| k.name.clone())
        .collect()
}

#[tokio::test]
async fn paged_list_is_one_snapshot_and_the_watcher_syncs_every_object() {
    let t = Target::start("paged_list").await;
    let ns = t.namespace("paging").await;
    let api: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    let names: Vec<String> = (0..25).map(|i| format!("c-{i:02}")).collect();
    for n in &names {
        retry(async || api.create(&PostParams::default(), &cluster(n)).await)
            .await
            .expect("create");
    }
    let first = list(&api, &ListParams::default().limit(10)).await;
    let rv = first.metadata.resource_version.clone();
    assert_eq!(first.items.len(), 10);
    assert_eq!(first.metadata.remaining_item_count, Some(15));
    // Changes between pages: later pages still show the list's snapshot.
    api.create(&PostParams::default(), &cluster("zz-late"))
        .await
        .unwrap();
    api.delete("c-20", &DeleteParams::default()).await.unwrap();
    let mut seen: Vec<String> = first.items.iter().map(|c| c.name().to_string()).collect();
    let mut token = first.metadata.continue_.clone();
    let mut pages = 1;
    while let Some(tok) = token.filter(|c| !c.is_empty()) {
        let page = list(&api, &ListParams::default().limit(10).continue_token(&tok)).await;
        assert_eq!(
            page.metadata.resource_version, rv,
            "pages share the list's RV"
        );
        pages += 1;
        if pages == 2 {
            assert_eq!(page.metadata.remaining_item_count, Some(5));
        }
        seen.extend(page.items.iter().map(|c| c.name().to_string()));
        token = page.metadata.continue_.clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen, names,
        "every object exactly once, in order, as of the first page (c-20 still there, zz-late not yet)"
    );

    // kclm's watcher: paged initial list, then the watch.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let slim: Api<Slim<Cluster>> = Api::namespaced(t.admin().await, &ns);
    let task = spawn_watch(slim, Kind::Cluster, KubeObject::from, 10, tx);
    let mut ls = Landscape::new();
    let mut want: BTreeSet<String> = names.iter().cloned().collect();
    want.remove("c-20");
    want.insert("zz-late".into());
    drain_until(&mut rx, &mut ls, 15, "the watcher to sync", |ls| {
        ls.sources.get(&Kind::Cluster) == Some(&SourceState::Synced) && names_in(ls, &ns) == want
    })
    .await;
    api.create(&PostParams::default(), &cluster("after-sync"))
        .await
        .unwrap();
    drain_until(&mut rx, &mut ls, 10, "a created cluster to arrive", |ls| {
        names_in(ls, &ns).contains("after-sync")
    })
    .await;
    task.abort();
    t.shutdown().await;
}

#[tokio::test]
async fn watch_delivers_changes_in_order_and_resumes_from_the_last_rv() {
    let t = Target::start("watch_resume").await;
    let ns = t.namespace("watch").await;
    let api: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    let rv0 = list(&api, &ListParams::default())
        .await
        .metadata
        .resource_version;
    let rv0 = rv0.expect("list RV");
    api.create(&PostParams::default(), &cluster("a"))
        .await
        .unwrap();
    let label = json!({"metadata": {"labels": {"step": "2"}}});
    api.patch("a", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    let rv_of = |ev: &WatchEvent<Cluster>| -> u64 {
        let obj = match ev {
            WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => o,
            other => panic!("unexpected event {other:?}"),
        };
        obj.metadata
            .resource_version
            .as_deref()
            .unwrap()
            .parse()
            .unwrap()
    };
    let evs = watch_events(&api, &rv0, 2).await;
    assert!(
        matches!(&evs[..], [WatchEvent::Added(a), WatchEvent::Modified(m)]
        if a.name() == "a" && m.metadata.labels.as_ref().is_some_and(|l| l["step"] == "2")),
        "ADDED then MODIFIED: {evs:?}"
    );
    let (r1, r2) = (rv_of(&evs[0]), rv_of(&evs[1]));
    assert!(r1 > rv0.parse().unwrap() && r2 > r1, "increasing RVs");

    // The connection is gone (stream dropped); changes happen meanwhile.
    api.delete("a", &DeleteParams::default()).await.unwrap();
    api.create(&PostParams::default(), &cluster("b"))
        .await
        .unwrap();
    let evs = watch_events(&api, &r2.to_string(), 2).await;
    assert!(
        matches!(&evs[..], [WatchEvent::Deleted(a), WatchEvent::Added(b)]
        if a.name() == "a" && b.name() == "b"),
        "resumed: DELETED a, ADDED b, nothing twice: {evs:?}"
    );
    assert!(rv_of(&evs[0]) > r2 && rv_of(&evs[1]) > rv_of(&evs[0]));
    t.shutdown().await;
}

#[tokio::test]
async fn watcher_relists_after_410_gone_and_forgets_what_was_deleted_meanwhile() {
    let t = Target::start("relist_410").await;
    let ns = t.namespace("gone").await;
    let admin: Api<MachineDeployment> = Api::namespaced(t.admin().await, &ns);
    for n in ["md-a", "md-b", "md-c"] {
        retry(async || {
            admin
                .create(&PostParams::default(), &machine_deployment(n, 1))
                .await
        })
        .await
        .expect("create");
    }
    let proxy = Proxy::start(upstream(&t.kubeconfig, &t.admin).await).await;
    let through: Api<Slim<MachineDeployment>> =
        Api::namespaced(proxy.client(&t.kubeconfig, &t.admin).await, &ns);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let kind = Kind::MachineDeployment;
    let task = spawn_watch(through, kind, KubeObject::from, 500, tx);
    let mut ls = Landscape::new();
    let in_ns = |ls: &Landscape| -> BTreeSet<String> {
        ls.machine_deployments
            .keys()
            .filter(|k| k.namespace == ns)
            .map(|k| k.name.clone())
            .collect()
    };
    drain_until(&mut rx, &mut ls, 15, "the watcher to sync", |ls| {
        ls.sources.get(&kind) == Some(&SourceState::Synced) && in_ns(ls).len() == 3
    })
    .await;
    let old_rv = list(&admin, &ListParams::default())
        .await
        .metadata
        .resource_version
        .unwrap();

    let page = list(&admin, &ListParams::default().limit(1)).await;
    let token = page.metadata.continue_.expect("a continue token");

    proxy.pause();
    admin
        .delete("md-b", &DeleteParams::default())
        .await
        .unwrap();
    let scale = json!({"spec": {"replicas": 5}});
    admin
        .patch("md-a", &PatchParams::default(), &Patch::Merge(&scale))
        .await
        .unwrap();
    admin
        .create(&PostParams::default(), &machine_deployment("md-d", 1))
        .await
        .unwrap();
    t.force_gone("machinedeployments.cluster.x-k8s.io").await;
    // The hook works: the old RV cannot be watched from any more.
    let mut expired = None;
    for _ in 0..50 {
        match watch_events(&admin, &old_rv, 1).await.pop() {
            Some(WatchEvent::Error(s)) => {
                expired = Some(s);
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    let expired = expired.expect("a watch from the old RV ends in an ERROR event");
    assert_eq!((expired.code, expired.reason.as_str()), (410, "Expired"));
    assert!(
        expired
            .message
            .starts_with(&format!("too old resource version: {old_rv} (")),
        "{}",
        expired.message
    );

    // Nor can a paged list go on from a page of that time.
    let (code, reason, msg) = api_error(
        retry(async || {
            admin
                .list(&ListParams::default().limit(1).continue_token(&token))
                .await
        })
        .await,
    );
    assert_eq!((code, reason.as_str()), (410, "Expired"));
    assert!(
        msg.starts_with(
            "The provided continue parameter is too old to display a consistent list result."
        ),
        "{msg}"
    );

    proxy.resume();
    let (mut saw_410, mut relisted) = (false, 0);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !(relisted > 0
        && in_ns(&ls) == BTreeSet::from(["md-a".into(), "md-c".into(), "md-d".into()]))
    {
        let u = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no re-list within 15s (410 seen: {saw_410}): {:?}",
                    ls.sources
                )
            })
            .expect("channel open");
        match &u {
            Update::Source(k, SourceState::Error(e)) if *k == kind && e.contains("410") => {
                saw_410 = true
            }
            Update::Relisted(k, _) if *k == kind => relisted += 1,
            _ => {}
        }
        ls.apply(u);
    }
    // A 410 is routine (the watch's resourceVersion is too old): the watcher
    // re-lists at once and is not left in error (`saw_410` is only said when
    // the re-list does not come).
    while ls.sources.get(&kind) != Some(&SourceState::Synced) {
        let u = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "not synced again after the re-list (410 reported as an error: {saw_410}): {:?}",
                    ls.sources.get(&kind)
                )
            })
            .expect("channel open");
        ls.apply(u);
    }
    let md_a = &ls.machine_deployments[&kclm::landscape::ObjKey::new(&ns, "md-a")];
    assert_eq!(
        md_a.spec.replicas,
        Some(5),
        "the change made while gone is there"
    );
    task.abort();
    t.shutdown().await;
}

#[tokio::test]
async fn unserved_kind_is_unavailable_while_other_kinds_keep_syncing() {
    let t = Target::start("unserved_kind").await;
    let ns = t.namespace("unserved").await;
    let client = t.admin().await;
    let gvk = GroupVersionKind::gvk("contract.kclm.example.com", "v1", "Widget");
    let widgets: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(&gvk, "widgets"),
    );
    let (code, _, message) = api_error(widgets.list(&ListParams::default()).await);
    assert_eq!((code, message.as_str()), (404, "404 page not found"));

    let (tx, mut rx) = mpsc::unbounded_channel();
    let clusters: Api<Cluster> = Api::namespaced(client.clone(), &ns);
    let mut tasks = vec![spawn_watch(
        Api::<Slim<Cluster>>::namespaced(client.clone(), &ns),
        Kind::Cluster,
        KubeObject::from,
        50,
        tx.clone(),
    )];
    // The made-up kind reports under a stand-in label on a channel of its own.
    let (wtx, mut wrx) = mpsc::unbounded_channel();
    tasks.push(spawn_watch(
        Api::<Slim<DynamicObject>>::all_with(
            client.clone(),
            &ApiResource::from_gvk_with_plural(&gvk, "widgets"),
        ),
        Kind::TenantControlPlane,
        |_| KubeObject::from(Cluster::default()),
        50,
        wtx,
    ));
    tasks.extend(watch_kind(client.clone(), Kind::Shoot, 50, tx));
    let gardener = t.serves("core.gardener.cloud").await;
    let mut wls = Landscape::new();
    drain_until(
        &mut wrx,
        &mut wls,
        10,
        "the made-up kind to be reported",
        |ls| {
            ls.sources
                .get(&Kind::TenantControlPlane)
                .is_some_and(SourceState::is_settled)
        },
    )
    .await;
    assert_eq!(
        wls.sources[&Kind::TenantControlPlane],
        SourceState::Unavailable("404 not served by this API server".into())
    );
    let mut ls = Landscape::new();
    drain_until(
        &mut rx,
        &mut ls,
        15,
        "clusters and shoots to settle",
        |ls| {
            ls.sources.get(&Kind::Cluster) == Some(&SourceState::Synced)
                && ls
                    .sources
                    .get(&Kind::Shoot)
                    .is_some_and(SourceState::is_settled)
        },
    )
    .await;
    let want_shoots = if gardener {
        SourceState::Synced
    } else {
        SourceState::Unavailable("404 not served by this API server".into())
    };
    assert_eq!(
        ls.sources[&Kind::Shoot],
        want_shoots,
        "gardener served: {gardener}"
    );
    clusters
        .create(&PostParams::default(), &cluster("still-syncing"))
        .await
        .unwrap();
    drain_until(
        &mut rx,
        &mut ls,
        10,
        "a new cluster despite the unserved kinds",
        |ls| names_in(ls, &ns).contains("still-syncing"),
    )
    .await;
    for task in tasks {
        task.abort();
    }
    t.shutdown().await;
}
