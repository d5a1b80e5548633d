//! Every kind of the table in `landscape/kinds.rs`, walked one by one against
//! the demo: each Kubernetes kind's API resource is what the demo's discovery
//! serves, lists, is watched into the store, fetched as YAML, and an object of
//! it is accepted and removed by the store; every kind's name round-trips.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use kclm::demo::{DemoHandle, DemoOptions};
use kclm::landscape::kinds::{KindVisitor, Stored};
use kclm::landscape::{
    Kind, KubeKind, KubeObject, Landscape, MetalKind, ObjKey, SourceGroup, SourceState, Update,
};
use kclm::source::kube::{KubeTarget, client_for, watch_kind};
use kube::api::ListParams;
use kube::core::GroupVersionKind;
use kube::discovery::Scope;

async fn client(demo: &DemoHandle, kind: KubeKind) -> kube::Client {
    let context = match kind.group() {
        SourceGroup::Garden => "demo-garden",
        SourceGroup::Capi => "demo-capi",
        SourceGroup::Metal => panic!("{kind} is a Kubernetes kind in a metal group"),
    };
    client_for(&KubeTarget {
        kubeconfig: Some(demo.kubeconfig.clone()),
        context: Some(context.into()),
    })
    .await
    .expect("kube client for the demo")
}

/// Lists every object of the visited kind, typed, as the store takes them.
struct List(kube::Client);

impl KindVisitor for List {
    type Out = BoxFuture<'static, Result<Vec<KubeObject>, kube::Error>>;
    fn visit<K: Stored>(self) -> Self::Out {
        Box::pin(async move {
            let list = kube::Api::<K>::all(self.0)
                .list(&ListParams::default())
                .await?;
            Ok(list
                .items
                .into_iter()
                .map(|o| K::wrap(Arc::new(o)))
                .collect())
        })
    }
}

/// A minimal object of the visited kind, decoded from JSON.
struct Minimal(ObjKey);

impl KindVisitor for Minimal {
    type Out = KubeObject;
    fn visit<K: Stored>(self) -> KubeObject {
        let mut meta = serde_json::json!({"name": self.0.name});
        if !self.0.namespace.is_empty() {
            meta["namespace"] = self.0.namespace.clone().into();
        }
        let obj: K = serde_json::from_value(serde_json::json!({ "metadata": meta }))
            .unwrap_or_else(|e| panic!("a minimal {} decodes: {e}", K::KIND));
        K::wrap(Arc::new(obj))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kube_kind_is_served_listed_watched_fetched_and_stored() {
    // The simulation all but stands still: what was listed is what syncs.
    let demo = kclm::demo::start(DemoOptions {
        time_scale: 1e-6,
        ..Default::default()
    })
    .await
    .expect("demo starts");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut watchers = Vec::new();
    let mut listed = Vec::new();
    for kind in KubeKind::ALL {
        let c = client(&demo, kind).await;
        // The demo's discovery serves the kind's resource with its scope.
        let ar = kind.api_resource();
        let gvk = GroupVersionKind::gvk(&ar.group, &ar.version, &ar.kind);
        let (served, caps) = kube::discovery::pinned_kind(&c, &gvk)
            .await
            .unwrap_or_else(|e| panic!("{kind}: the demo serves {gvk:?}: {e}"));
        assert_eq!(served, ar, "{kind}");
        assert_eq!(
            caps.scope == Scope::Namespaced,
            kind.namespaced(),
            "{kind}: scope"
        );
        // It lists, typed, and the YAML fetch reads one object of it back.
        let objs = kind
            .visit(List(c.clone()))
            .await
            .unwrap_or_else(|e| panic!("{kind}: list: {e}"));
        assert!(objs.iter().all(|o| o.kube_kind() == kind), "{kind}");
        if let Some(o) = objs.first() {
            let yaml = kclm::source::fetch::object_yaml(c.clone(), kind.into(), &o.key())
                .await
                .unwrap_or_else(|e| panic!("{kind}: yaml of {}: {e}", o.key()));
            assert!(
                yaml.contains(&format!("kind: {}", ar.kind)),
                "{kind}: {yaml}"
            );
            assert!(yaml.contains(&o.key().name), "{kind}: {yaml}");
        }
        listed.push((kind, objs.len()));
        watchers.push(watch_kind(c, kind.into(), 100, tx.clone()).expect("a kube kind is watched"));
    }
    // So every kind was fetched as YAML above, and is watched with objects.
    assert!(
        listed.iter().all(|(_, n)| *n > 0),
        "the demo has objects of every kind: {listed:?}"
    );

    // Every watcher syncs its kind into the store, as many objects as listed.
    let mut ls = Landscape::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let synced = |ls: &Landscape| {
        listed.iter().all(|(k, n)| {
            ls.sources.get(&Kind::from(*k)) == Some(&SourceState::Synced) && ls.count(*k) == *n
        })
    };
    while !synced(&ls) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(u)) => {
                ls.apply(u);
            }
            Ok(None) | Err(_) => panic!(
                "watchers did not sync every kind: {:?} counts {:?} (listed {listed:?})",
                ls.sources,
                KubeKind::ALL.map(|k| ls.count(k))
            ),
        }
    }
    for w in watchers {
        w.abort();
    }

    // The store accepts and removes an object of each kind, and nothing else.
    let mut ls = Landscape::new();
    for kind in KubeKind::ALL {
        let ns = if kind.namespaced() { "kinds-test" } else { "" };
        let key = ObjKey::new(ns, format!("a-{kind}"));
        let obj = kind.visit(Minimal(key.clone()));
        assert_eq!((obj.kube_kind(), obj.key()), (kind, key.clone()));
        assert!(ls.apply(Update::Applied(obj.clone())), "{kind}");
        assert!(ls.contains(kind, &key), "{kind} stored");
        let others: usize = KubeKind::ALL.iter().map(|k| ls.count(*k)).sum();
        assert_eq!((ls.count(kind), others), (1, 1), "{kind} in its own map");
        assert!(ls.apply(Update::Deleted(obj.clone())), "{kind} removed");
        assert!(!ls.contains(kind, &key), "{kind} gone");
        assert!(
            !ls.apply(Update::Deleted(obj)),
            "{kind}: nothing to remove twice"
        );
        ls.apply(Update::Relisted(
            kind.into(),
            vec![kind.visit(Minimal(key))],
        ));
        assert_eq!(ls.count(kind), 1, "{kind} relisted");
        ls.apply(Update::Relisted(kind.into(), Vec::new()));
        assert_eq!(ls.count(kind), 0, "{kind} relisted empty");
    }
    demo.shutdown().await;
}

#[test]
fn every_kind_name_round_trips_and_metal_kinds_are_not_kubernetes() {
    for kind in Kind::ALL {
        let name = kind.to_string();
        assert_eq!(name, kind.plural());
        assert_eq!(name.parse::<Kind>(), Ok(kind), "{name}");
    }
    for m in MetalKind::ALL {
        assert_eq!(Kind::from(m).as_kube(), None);
        assert_eq!(m.to_string().parse::<Kind>(), Ok(Kind::from(m)));
    }
    assert!("nodes".parse::<Kind>().is_err());
}

#[tokio::test]
async fn yaml_of_a_metal_kind_says_it_is_not_kubernetes() {
    let demo = kclm::demo::start(DemoOptions::default())
        .await
        .expect("demo starts");
    let c = client(&demo, KubeKind::Shoot).await;
    for m in MetalKind::ALL {
        let err = kclm::source::fetch::object_yaml(c.clone(), m.into(), &ObjKey::new("", "x"))
            .await
            .expect_err("metal objects are not fetched from Kubernetes");
        assert_eq!(err, format!("{m} are not Kubernetes objects"));
    }
    demo.shutdown().await;
}
