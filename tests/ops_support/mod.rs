//! Test harness for the operations: the in-process demo landscape behind a
//! small recording proxy. The proxy logs every request kclm sends (method,
//! path, query, body), and can change the target object right before a PATCH
//! reaches the server, which makes the server answer 409 exactly like a real
//! API server does when someone else wrote in between.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kclm::demo::{DemoHandle, DemoOptions};
use kclm::model::gardener::Shoot;
use kclm::ops::{AuditLog, OpContext};
use kclm::source::kube::KubeTarget;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub body: String,
}

impl Logged {
    /// A request that can change something. An access review is a POST but
    /// only a question to the authorizer: it stores nothing.
    pub fn is_write(&self) -> bool {
        self.method != "GET" && !self.uri.contains("/selfsubjectaccessreviews")
    }
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    log: Mutex<Vec<Logged>>,
    /// How many coming PATCHes get a competing write first.
    pokes: AtomicUsize,
}

pub struct Harness {
    pub demo: DemoHandle,
    pub proxy_url: String,
    state: Arc<ProxyState>,
    pub dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Harness {
    pub async fn start() -> Self {
        let demo = kclm::demo::start(DemoOptions {
            time_scale: 20.0,
            ..Default::default()
        })
        .await
        .expect("demo starts");
        kclm::source::metal::ensure_crypto_provider();
        let state = Arc::new(ProxyState {
            upstream: demo.kube_http_url.clone(),
            http: reqwest::Client::new(),
            log: Mutex::new(Vec::new()),
            pokes: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let proxy_url = format!("http://127.0.0.1:{port}");
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("proxy-kubeconfig");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: admin\n\
                 clusters:\n- name: proxy\n  cluster:\n    server: {proxy_url}\n\
                 users:\n- name: admin\n  user:\n    token: demo-admin\n\
                 - name: viewer\n  user:\n    token: demo-viewer\n\
                 contexts:\n- name: admin\n  context:\n    cluster: proxy\n    user: admin\n\
                 - name: viewer\n  context:\n    cluster: proxy\n    user: viewer\n"
            ),
        )
        .unwrap();
        Self {
            demo,
            proxy_url,
            state,
            dir,
            kubeconfig,
        }
    }

    /// A client through the recording proxy, as `admin` or `viewer`.
    pub async fn client(&self, user: &str) -> kube::Client {
        kclm::source::kube::client_for(&KubeTarget {
            kubeconfig: Some(self.kubeconfig.clone()),
            context: Some(user.into()),
        })
        .await
        .expect("proxy client")
    }

    /// A client straight to the demo (not logged), for arranging and checking.
    pub async fn direct(&self) -> kube::Client {
        kclm::source::kube::client_for(&KubeTarget {
            kubeconfig: Some(self.demo.kubeconfig.clone()),
            context: Some("demo-garden".into()),
        })
        .await
        .expect("demo client")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.dir.path().join("state").join("audit.jsonl")
    }

    /// A writable context that audits into the harness's temp dir.
    pub fn ctx(&self) -> OpContext {
        OpContext {
            readonly: false,
            dry_run: false,
            protect: vec!["kclm.io/protected=true".into()],
            audit: Some(AuditLog::in_state_dir(&self.dir.path().join("state"))),
            landscape: "demo".into(),
            actor: "test-admin".into(),
            user: None,
        }
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn writes(&self) -> Vec<Logged> {
        self.requests()
            .into_iter()
            .filter(Logged::is_write)
            .collect()
    }

    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }

    /// The next `n` PATCHes each find the object changed by someone else.
    pub fn poke_patches(&self, n: usize) {
        self.state.pokes.store(n, Ordering::SeqCst);
    }

    pub async fn shoots(&self) -> Vec<Shoot> {
        kube::Api::<Shoot>::all(self.direct().await)
            .list(&Default::default())
            .await
            .unwrap()
            .items
    }

    pub async fn shoot(&self, ns: &str, name: &str) -> Option<Shoot> {
        kube::Api::<Shoot>::namespaced(self.direct().await, ns)
            .get_opt(name)
            .await
            .unwrap()
    }

    /// Sends a merge patch straight to the demo as admin.
    pub async fn raw_patch(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.state
            .http
            .patch(format!("{}{path}", self.demo.kube_http_url))
            .bearer_auth("demo-admin")
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }
}

pub fn shoot_path(ns: &str, name: &str) -> String {
    format!("/apis/core.gardener.cloud/v1beta1/namespaces/{ns}/shoots/{name}")
}

async fn forward(
    State(st): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_q = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    st.log.lock().unwrap().push(Logged {
        method: method.to_string(),
        uri: path_q.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if method == Method::PATCH
        && st
            .pokes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        // Someone else writes the object first: its resourceVersion moves on.
        let poke = serde_json::json!({"metadata": {"labels": {
            "kclm-test/poked": jiff::Timestamp::now().as_nanosecond().to_string()}}});
        let _ = st
            .http
            .patch(format!("{}{}", st.upstream, uri.path()))
            .bearer_auth("demo-admin")
            .header("content-type", "application/merge-patch+json")
            .body(poke.to_string())
            .send()
            .await;
    }
    let mut req = st
        .http
        .request(method, format!("{}{path_q}", st.upstream))
        .body(body.to_vec());
    for (k, v) in headers.iter() {
        if matches!(k.as_str(), "authorization" | "content-type" | "accept") {
            req = req.header(k, v);
        }
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let ct = resp.headers().get("content-type").cloned();
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut r = (status, bytes).into_response();
            if let Some(ct) = ct {
                r.headers_mut().insert("content-type", ct);
            }
            r
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}
