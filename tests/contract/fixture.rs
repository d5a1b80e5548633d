//! The target every contract test runs against: a real kube-apiserver when
//! `KCLM_E2E_KUBECONFIG` is set (see `tests/e2e/testenv.sh`), else the embedded
//! demo landscape started in-process. Tests use only what both offer.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceColumnDefinition, CustomResourceDefinition,
};
use kclm::demo::{DemoHandle, DemoOptions};
use kclm::landscape::{Landscape, Update};
use kclm::source::kube::{KubeTarget, client_for, error_message, status_code};
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::report::{Running, Skip};

pub struct Target {
    /// Printed by every test, so a log says which server it ran against.
    pub name: String,
    pub kubeconfig: PathBuf,
    /// A context with every right (system:masters / demo-admin).
    pub admin: String,
    /// A context that may read but not write.
    pub viewer: String,
    /// The viewer's user name as the server's RBAC messages spell it.
    pub viewer_user: &'static str,
    /// The etcd client URL of the real target (for compaction).
    pub etcd: Option<String>,
    pub demo: Option<DemoHandle>,
    /// This test's line in the suite's summary (recorded when dropped).
    pub report: Running,
}

/// A unique suffix, so tests can share one server and run in parallel.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand::random::<u32>())
}

impl Target {
    pub async fn start(test: &str) -> Target {
        let t = match std::env::var_os("KCLM_E2E_KUBECONFIG") {
            Some(kc) => Target {
                name: "real kube-apiserver (KCLM_E2E_KUBECONFIG)".into(),
                kubeconfig: PathBuf::from(kc),
                admin: "e2e-admin".into(),
                viewer: "e2e-viewer".into(),
                viewer_user: "kclm-e2e-viewer",
                etcd: std::env::var("KCLM_E2E_ETCD").ok(),
                demo: None,
                report: Running::new(test, "real kube-apiserver (KCLM_E2E_KUBECONFIG)", false),
            },
            None => {
                let demo = kclm::demo::start(DemoOptions::default())
                    .await
                    .expect("the demo landscape starts");
                Target {
                    name: "embedded demo landscape".into(),
                    kubeconfig: demo.kubeconfig.clone(),
                    admin: "demo-garden".into(),
                    viewer: "demo-viewer".into(),
                    viewer_user: "demo-viewer",
                    etcd: None,
                    demo: Some(demo),
                    report: Running::new(test, "embedded demo landscape", true),
                }
            }
        };
        println!("contract test {test}: target = {}", t.name);
        t
    }

    pub fn kube_target(&self, context: &str) -> KubeTarget {
        KubeTarget {
            kubeconfig: Some(self.kubeconfig.clone()),
            context: Some(context.to_string()),
        }
    }

    pub async fn admin(&self) -> kube::Client {
        client_for(&self.kube_target(&self.admin))
            .await
            .expect("admin client")
    }

    pub async fn viewer(&self) -> kube::Client {
        client_for(&self.kube_target(&self.viewer))
            .await
            .expect("viewer client")
    }

    /// Whether the server serves an API group (listed by discovery).
    pub async fn serves(&self, group: &str) -> bool {
        let groups = self
            .admin()
            .await
            .list_api_groups()
            .await
            .expect("discovery (/apis)");
        groups.groups.iter().any(|g| g.name == group)
    }

    /// Whether the server serves `group`; if not, records the skip (which
    /// fails the test unless it is expected on this target, see `report.rs`).
    pub async fn serves_or_skip(&mut self, group: &'static str) -> bool {
        if self.serves(group).await {
            return true;
        }
        self.report.skip(Skip::NotServed(group));
        false
    }

    /// A fresh namespace for one test.
    pub async fn namespace(&self, prefix: &str) -> String {
        let name = unique(prefix);
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        Api::<Namespace>::all(self.admin().await)
            .create(&PostParams::default(), &ns)
            .await
            .expect("namespace created");
        name
    }

    /// Makes every resourceVersion up to now too old to watch from, and ends
    /// the open watches of `crd`'s kind (the demo: its compaction hook).
    ///
    /// A real 1.36 kube-apiserver serves watches from its watch cache, which
    /// grows (up to 100Ki events) while its events are younger than 75 s, so
    /// neither etcd compaction nor a few hundred writes expire an old RV. What
    /// does is a rebuilt cache: a CRD spec change re-creates the kind's storage
    /// (open watches end, the new cache starts at the current revision). etcd is
    /// compacted as well, so nothing can serve the old revision from there.
    pub async fn force_gone(&self, crd: &str) {
        if let Some(demo) = &self.demo {
            demo.compact();
            return;
        }
        let etcd = self
            .etcd
            .as_deref()
            .expect("KCLM_E2E_ETCD is set by testenv.sh");
        // reqwest is built without a crypto provider of its own (plain HTTP here).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let head: serde_json::Value = http
            .post(format!("{etcd}/v3/kv/range"))
            .json(&json!({"key": "AA=="}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("etcd range")
            .json()
            .await
            .expect("etcd range answer");
        let revision: u64 = head["header"]["revision"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .expect("etcd revision");
        http.post(format!("{etcd}/v3/kv/compaction"))
            .json(&json!({"revision": revision}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("etcd compaction");
        let crds: Api<CustomResourceDefinition> = Api::all(self.admin().await);
        let mut crd_obj = crds.get(crd).await.expect("CRD");
        let version = crd_obj
            .spec
            .versions
            .iter_mut()
            .find(|v| v.storage)
            .expect("a storage version");
        version
            .additional_printer_columns
            .get_or_insert_with(Vec::new)
            .push(CustomResourceColumnDefinition {
                name: unique("Gone"),
                type_: "string".into(),
                json_path: ".metadata.name".into(),
                priority: Some(1),
                ..Default::default()
            });
        crds.replace(crd, &PostParams::default(), &crd_obj)
            .await
            .expect("CRD spec change");
    }

    pub async fn shutdown(self) {
        if let Some(d) = self.demo {
            d.shutdown().await;
        }
    }
}

/// Retries while the server answers 429 (a real kube-apiserver does while the
/// watch cache of a kind (re)initializes, e.g. on first use of a CRD).
pub async fn retry<T>(
    mut f: impl AsyncFnMut() -> Result<T, kube::Error>,
) -> Result<T, kube::Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match f().await {
            Err(e) if status_code(&e) == Some(429) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            r => return r,
        }
    }
}

/// A list that waits out 429s; also warms a real server's watch cache.
pub async fn list<K>(api: &Api<K>, lp: &ListParams) -> kube::core::ObjectList<K>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    retry(async || api.list(lp).await).await.expect("list")
}

/// Code, reason and message of an API error.
pub fn api_error<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> (u16, String, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone(), s.message.clone()),
        Err(e) => panic!("expected an API error, got {}", error_message(&e)),
        Ok(v) => panic!("expected an API error, got {v:?}"),
    }
}

/// Watch events from `rv` until `n` arrived (bookmarks skipped) or 10 s passed.
pub async fn watch_events<K>(api: &Api<K>, rv: &str, n: usize) -> Vec<WatchEvent<K>>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    use futures::StreamExt;
    let wp = WatchParams::default().timeout(10);
    let stream = retry(async || api.watch(&wp, rv).await)
        .await
        .expect("watch");
    let mut stream = Box::pin(stream);
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while out.len() < n {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(WatchEvent::Bookmark(_)))) => {}
            Ok(Some(Ok(ev))) => out.push(ev),
            Ok(Some(Err(e))) => panic!("watch failed: {e}"),
            Ok(None) | Err(_) => break,
        }
    }
    out
}

/// Applies updates to `ls` until `done` holds; panics after `secs`.
pub async fn drain_until(
    rx: &mut UnboundedReceiver<Update>,
    ls: &mut Landscape,
    secs: u64,
    what: &str,
    mut done: impl FnMut(&Landscape) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(ls) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(u)) => {
                ls.apply(u);
            }
            Ok(None) => panic!("update channel closed while waiting for {what}"),
            Err(_) => panic!(
                "timed out after {secs}s waiting for {what}; sources: {:?}",
                ls.sources
            ),
        }
    }
}
