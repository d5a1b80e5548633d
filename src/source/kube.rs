//! Kubernetes sources: connecting, and the helpers that classify watch errors
//! (the watch loop is in [`super::kinds`]). A kind that is not served (404) is
//! reported and skipped; a forbidden one (403) is retried with backoff.

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

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
pub(crate) fn too_early(e: &kube::Error) -> bool {
    status_code(e) == Some(429)
}

/// Classifies a watch error: `Some(reason)` if the kind should be skipped for
/// good. Only a kind the server does not serve (404) is; a 403 is retried with
/// backoff (an authz hiccup or a token refresh must not freeze a kind).
pub(crate) fn permanent(e: &kube::Error) -> Option<String> {
    match status_code(e) {
        Some(404) => Some("404 not served by this API server".to_string()),
        _ => None,
    }
}

/// A 403: shown as "forbidden (retrying in …)".
pub(crate) fn forbidden(e: &kube::Error) -> bool {
    status_code(e) == Some(403)
}

/// A 410 Gone: the resource version is too old, the kind is re-listed.
pub(crate) fn gone(e: &kube::Error) -> bool {
    status_code(e) == Some(410)
}

// The per-kind watchers and the kinds each connection watches: see `super::kinds`.
pub use super::kinds::{CAPI_KINDS, GARDEN_KINDS, spawn_watch, watch_kind};

#[cfg(test)]
mod tests {
    use kube::core::Status;

    use super::*;

    fn list_failed(code: u16, message: &str) -> kube::Error {
        let status = Status::failure(message, "Reason").with_code(code).boxed();
        kube::Error::Api(status)
    }

    #[test]
    fn only_kinds_not_served_are_skipped_a_403_is_retried() {
        assert_eq!(
            permanent(&list_failed(404, "not found")).as_deref(),
            Some("404 not served by this API server")
        );
        let e = list_failed(403, "projects.core.gardener.cloud is forbidden");
        assert_eq!(permanent(&e), None, "a 403 is retried");
        assert!(forbidden(&e));
        assert_eq!(permanent(&list_failed(500, "etcd timeout")), None);
        assert_eq!(
            error_message(&list_failed(500, "etcd timeout")),
            "etcd timeout"
        );
        assert!(gone(&list_failed(410, "too old")));
    }

    #[test]
    fn a_429_before_the_first_sync_means_not_yet() {
        assert!(too_early(&list_failed(429, "storage is (re)initializing")));
        assert!(!too_early(&list_failed(503, "unavailable")));
        assert_eq!(permanent(&list_failed(429, "x")), None);
    }
}
