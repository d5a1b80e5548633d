//! Watches under a bad network (issue #13 items 8–10): kclm's watch loop
//! behind a fault-injecting proxy in front of the demo's kube API.

#[path = "faults/proxy.rs"]
mod proxy;

use std::time::{Duration, Instant};

use kclm::demo::DemoOptions;
use kclm::landscape::{KubeKind, SourceState, Update};
use kclm::source::kube::{KubeTarget, load_config};
use proxy::{Faults, Proxy};
use tokio::sync::mpsc::UnboundedReceiver;

struct Setup {
    demo: kclm::demo::DemoHandle,
    proxy: Proxy,
    rx: UnboundedReceiver<Update>,
    /// Every source state of the watched kind so far.
    states: Vec<SourceState>,
    _watch: tokio::task::JoinHandle<()>,
}

/// The demo (simulation at `time_scale`), the proxy in front of its plain
/// HTTP API with `faults` from the start, and kclm's shoot watcher on it.
async fn setup(time_scale: f64, faults: Faults) -> Setup {
    let demo = kclm::demo::start(DemoOptions {
        time_scale,
        ..DemoOptions::default()
    })
    .await
    .expect("demo starts");
    let upstream = demo.kube_http_url.trim_start_matches("http://").to_string();
    let proxy = Proxy::start(upstream).await;
    proxy.set(faults);
    let mut cfg = load_config(&KubeTarget {
        kubeconfig: Some(demo.kubeconfig.clone()),
        context: Some("demo-garden".into()),
    })
    .await
    .expect("demo kubeconfig");
    cfg.cluster_url = proxy.url.parse().expect("proxy url");
    let client = kube::Client::try_from(cfg).expect("client");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let watch = kclm::source::kinds::watch_kube_kind(client, KubeKind::Shoot, 500, tx);
    Setup {
        demo,
        proxy,
        rx,
        states: Vec::new(),
        _watch: watch,
    }
}

impl Setup {
    /// Reads updates until a source state matches, or the deadline passes.
    async fn until(&mut self, within: Duration, want: impl Fn(&SourceState) -> bool) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(Update::Source(_, s))) => {
                    let hit = want(&s);
                    self.states.push(s);
                    if hit {
                        return true;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return false,
            }
        }
    }

    /// Reads (and records) updates for a while.
    async fn drain_for(&mut self, d: Duration) {
        let _ = self.until(d, |_| false).await;
    }
}

/// Changes a label of one shoot, straight at the demo (not through the proxy).
async fn touch_a_shoot(demo: &kclm::demo::DemoHandle) {
    use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
    let client = kclm::source::kube::client_for(&KubeTarget {
        kubeconfig: Some(demo.kubeconfig.clone()),
        context: Some("demo-garden".into()),
    })
    .await
    .expect("client");
    let ar = KubeKind::Shoot.api_resource();
    let all: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let list = all
        .list(&ListParams::default().limit(1))
        .await
        .expect("list");
    let shoot = list.items.first().expect("a shoot");
    let ns = shoot.metadata.namespace.clone().expect("namespaced");
    let name = shoot.metadata.name.clone().expect("named");
    let api: Api<DynamicObject> = Api::namespaced_with(client, &ns, &ar);
    let patch = serde_json::json!({"metadata": {"labels": {"faults-test": "touched"}}});
    api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("patch");
}

fn error_text(s: &SourceState) -> Option<&str> {
    match s {
        SourceState::Error(r) => Some(r),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_streams_cut_mid_event_reconnect_with_backoff_and_say_so() {
    let mut s = setup(
        1.0,
        Faults {
            cut_watch_after: Some(40),
            ..Faults::default()
        },
    )
    .await;
    assert!(
        s.until(Duration::from_secs(30), |st| *st == SourceState::Synced)
            .await,
        "the initial list syncs: {:?}",
        s.states
    );
    // One shoot change: every watch from the listed resourceVersion gets it
    // replayed, and every one is cut in the middle of it.
    touch_a_shoot(&s.demo).await;
    let start = Instant::now();
    s.drain_for(Duration::from_secs(6)).await;
    let watches: Vec<_> = s
        .proxy
        .seen()
        .into_iter()
        .filter(|r| r.is_watch() && r.at >= start)
        .collect();
    // Backoff from 0.5 s doubling: a handful in 6 s (no backoff: hundreds).
    assert!(
        watches.len() <= 12,
        "{} watch requests in 6 s: a hot loop",
        watches.len()
    );
    assert!(
        watches.len() >= 2,
        "the watch was cut and reconnected at all ({} requests)",
        watches.len()
    );
    let reported = s
        .states
        .iter()
        .filter_map(error_text)
        .find(|r| r.starts_with("reconnecting (attempt "));
    assert!(
        reported.is_some_and(|r| r.contains("last error")),
        "the reconnects are reported: {:?}",
        s.states
    );
    assert_ne!(
        s.states.last(),
        Some(&SourceState::Synced),
        "not shown synced while every stream breaks: {:?}",
        s.states
    );
    drop(s.proxy);
    s.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_is_retried_and_the_kind_comes_back() {
    let mut s = setup(
        1.0,
        Faults {
            answer: Some((403, 3)),
            ..Faults::default()
        },
    )
    .await;
    assert!(
        s.until(Duration::from_secs(30), |st| *st == SourceState::Synced)
            .await,
        "the kind comes back after the 403s: {:?}",
        s.states
    );
    let forbidden = s
        .states
        .iter()
        .filter_map(error_text)
        .filter(|r| r.starts_with("forbidden (retrying in "))
        .count();
    assert_eq!(forbidden, 3, "each 403 is reported: {:?}", s.states);
    assert_eq!(
        s.proxy
            .seen()
            .iter()
            .filter(|r| r.answered == Some(403))
            .count(),
        3
    );
    drop(s.proxy);
    s.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_watch_is_synced_without_an_object_change() {
    // The simulation barely moves: no shoot changes during the test; and no
    // bookmarks: only the restart itself can tell that the watch is back.
    let quiet = Faults {
        no_bookmarks: true,
        ..Faults::default()
    };
    let mut s = setup(0.001, quiet.clone()).await;
    assert!(
        s.until(Duration::from_secs(30), |st| *st == SourceState::Synced)
            .await,
        "{:?}",
        s.states
    );
    // Two failed watch restarts, then the API answers again.
    s.proxy.set(Faults {
        answer: Some((500, 2)),
        ..quiet
    });
    s.proxy.drop_all();
    assert!(
        s.until(Duration::from_secs(20), |st| error_text(st).is_some())
            .await,
        "the failure is shown: {:?}",
        s.states
    );
    assert!(
        s.until(Duration::from_secs(30), |st| *st == SourceState::Synced)
            .await,
        "synced again once the watch restarts: {:?}",
        s.states
    );
    let applied_or_relisted = s
        .proxy
        .seen()
        .iter()
        .filter(|r| r.answered.is_some())
        .count();
    assert_eq!(applied_or_relisted, 2, "both faults were served");
    drop(s.proxy);
    s.demo.shutdown().await;
}
