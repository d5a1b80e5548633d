//! Kubernetes sources: one kube-rs watcher per kind (paginated initial list,
//! resumable watch, re-list on 410 Gone, backoff on errors), reporting each
//! kind's state. A kind that is forbidden (403) or not served (404) is reported
//! and skipped; the others keep working.

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use kube::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;

use super::UpdateTx;
use crate::landscape::{Kind, KubeObject, SourceState, Update};
use crate::model::Slim;

/// Which kubeconfig and context to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeTarget {
    /// `None`: `$KUBECONFIG`, else `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `None`: the kubeconfig's current context.
    pub context: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot read kubeconfig {path}: {reason}")]
    Kubeconfig { path: String, reason: String },
    #[error("kubeconfig {path}: {reason}")]
    Context { path: String, reason: String },
    #[error("no kubeconfig: set --kubeconfig or KUBECONFIG, or configure a landscape")]
    NoKubeconfig,
    #[error(transparent)]
    Login(#[from] super::kube_auth::ExecError),
}

pub(crate) fn default_kubeconfig() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("KUBECONFIG") {
        let first = std::env::split_paths(&v).next()?;
        return Some(first);
    }
    directories::BaseDirs::new().map(|d| d.home_dir().join(".kube").join("config"))
}

fn full_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out
}

/// Reads a target's kubeconfig and context into a kube config; errors name
/// the file and what is wrong with it. Runs nothing (an exec user stays in
/// `auth_info.exec`).
pub async fn load_config(target: &KubeTarget) -> Result<kube::Config, ConnectError> {
    let path = target
        .kubeconfig
        .clone()
        .or_else(default_kubeconfig)
        .ok_or(ConnectError::NoKubeconfig)?;
    let shown = path.display().to_string();
    if !Path::new(&path).exists() {
        return Err(ConnectError::Kubeconfig {
            path: shown,
            reason: "file does not exist".into(),
        });
    }
    let kc = Kubeconfig::read_from(&path).map_err(|e| ConnectError::Kubeconfig {
        path: shown.clone(),
        reason: full_chain(&e),
    })?;
    if let Some(ctx) = &target.context
        && !kc.contexts.iter().any(|c| &c.name == ctx)
    {
        let known: Vec<_> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(ConnectError::Context {
            path: shown,
            reason: format!("no context {ctx:?} (known: {})", known.join(", ")),
        });
    }
    let opts = KubeConfigOptions {
        context: target.context.clone(),
        ..Default::default()
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| ConnectError::Context {
            path: shown,
            reason: full_chain(&e),
        })?;
    cfg.read_timeout = Some(std::time::Duration::from_secs(295));
    Ok(cfg)
}

/// Builds a kube client for a target; errors name the file and what is wrong
/// with it. Never runs an exec plugin: a client whose user is one runs it
/// asynchronously on its first request ([`super::kube_auth`]).
pub async fn client_for(target: &KubeTarget) -> Result<kube::Client, ConnectError> {
    let mut cfg = load_config(target).await?;
    if let Some(exec) = cfg.auth_info.exec.take() {
        return Ok(super::kube_auth::exec_client(cfg, exec));
    }
    let shown = target
        .kubeconfig
        .clone()
        .or_else(default_kubeconfig)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    kube::Client::try_from(cfg).map_err(|e| ConnectError::Context {
        path: shown,
        reason: full_chain(&e),
    })
}

/// The HTTP status of a kube error, if the server answered.
pub fn status_code(e: &kube::Error) -> Option<u16> {
    match e {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

/// The server's message (or the transport error) of a kube error, for humans.
pub fn error_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if !s.message.is_empty() => s.message.clone(),
        kube::Error::Service(inner) => match inner.downcast_ref::<super::kube_auth::ExecError>() {
            Some(login) => login.to_string(),
            None => full_chain(e),
        },
        other => full_chain(other),
    }
}

/// A 429 ("storage is (re)initializing", priority and fairness) before a kind's
/// first sync means "not yet", not "broken": the kind stays connecting.
fn too_early(e: &watcher::Error) -> bool {
    match e {
        watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e) => {
            status_code(e) == Some(429)
        }
        watcher::Error::WatchError(s) => s.code == 429,
        _ => false,
    }
}

/// Classifies a watcher error: `Some(reason)` if the kind should be skipped for good.
fn permanent(e: &watcher::Error) -> Option<String> {
    let inner = match e {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => e,
        _ => return None,
    };
    match status_code(inner) {
        Some(403) => Some(format!("403 forbidden: {}", error_message(inner))),
        Some(404) => Some("404 not served by this API server".to_string()),
        _ => None,
    }
}

fn transient(e: &watcher::Error) -> String {
    match e {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => error_message(e),
        watcher::Error::WatchError(s) => format!("{} ({})", s.message, s.code),
        watcher::Error::NoResourceVersion => "no resourceVersion in watch result".into(),
    }
}

/// Watches one kind for ever, sending updates until the receiver is gone.
/// Objects are decoded slim ([`Slim`]): the store keeps what the console shows.
pub fn spawn_watch<K>(
    api: Api<Slim<K>>,
    kind: Kind,
    wrap: fn(K) -> KubeObject,
    page_size: u32,
    tx: UpdateTx,
) -> tokio::task::JoinHandle<()>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Send,
    K::Scope: Send,
{
    tokio::spawn(async move {
        let _ = tx.send(Update::Source(kind, SourceState::Connecting));
        let cfg = watcher::Config::default().page_size(page_size);
        let mut stream = watcher::watcher(api, cfg).default_backoff().boxed();
        let mut buffer: Vec<KubeObject> = Vec::new();
        let mut errored = false;
        let mut synced_once = false;
        while let Some(item) = stream.next().await {
            let update = match item {
                Ok(Event::Init) => {
                    buffer.clear();
                    continue;
                }
                Ok(Event::InitApply(Slim(o))) => {
                    buffer.push(wrap(o));
                    continue;
                }
                Ok(Event::InitDone) => {
                    let list = std::mem::take(&mut buffer);
                    if tx.send(Update::Relisted(kind, list)).is_err() {
                        return;
                    }
                    errored = false;
                    synced_once = true;
                    Update::Source(kind, SourceState::Synced)
                }
                Ok(Event::Apply(Slim(o))) => {
                    if errored {
                        errored = false;
                        let _ = tx.send(Update::Source(kind, SourceState::Synced));
                    }
                    Update::Applied(wrap(o))
                }
                Ok(Event::Delete(Slim(o))) => Update::Deleted(wrap(o)),
                Err(e) => {
                    if let Some(reason) = permanent(&e) {
                        let _ = tx.send(Update::Source(kind, SourceState::Unavailable(reason)));
                        return;
                    }
                    if !synced_once && too_early(&e) {
                        tracing::info!(?kind, error = %e, "server not ready for this kind yet, retrying");
                        continue;
                    }
                    errored = true;
                    tracing::warn!(?kind, error = %e, "watch error, retrying");
                    Update::Source(kind, SourceState::Error(transient(&e)))
                }
            };
            if tx.send(update).is_err() {
                return;
            }
        }
    })
}

// The per-kind watchers and the kinds each connection watches: see `super::kinds`.
pub use super::kinds::{CAPI_KINDS, GARDEN_KINDS, watch_kind};

#[cfg(test)]
mod tests {
    use kube::core::Status;

    use super::*;

    fn list_failed(code: u16, message: &str) -> watcher::Error {
        let status = Status::failure(message, "Reason").with_code(code).boxed();
        watcher::Error::InitialListFailed(kube::Error::Api(status))
    }

    #[test]
    fn forbidden_and_not_served_kinds_are_skipped_with_the_reason() {
        let e = list_failed(
            403,
            "projects.core.gardener.cloud is forbidden: User \"u\" cannot list resource \"projects\"",
        );
        let reason = permanent(&e).expect("403 skips the kind");
        assert!(
            reason.starts_with("403 forbidden: projects.core.gardener.cloud is forbidden"),
            "{reason}"
        );
        assert_eq!(
            permanent(&list_failed(404, "not found")).as_deref(),
            Some("404 not served by this API server")
        );
        assert_eq!(
            permanent(&list_failed(500, "etcd timeout")),
            None,
            "retried"
        );
        assert_eq!(transient(&list_failed(500, "etcd timeout")), "etcd timeout");
    }

    #[test]
    fn a_429_before_the_first_sync_means_not_yet() {
        assert!(too_early(&list_failed(429, "storage is (re)initializing")));
        assert!(!too_early(&list_failed(503, "unavailable")));
        assert_eq!(permanent(&list_failed(429, "x")), None);
    }
}
