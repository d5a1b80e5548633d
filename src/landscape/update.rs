//! What sources send to the store: object keys, the per-kind source state,
//! metal snapshots and the updates that carry them (the kinds and the watch
//! objects are generated from the table in [`super::kinds`]).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

pub use super::kinds::{Kind, KindClass, KubeKind, KubeObject, MetalKind, UnknownKind};
use crate::model::metal::{Image, Machine, MachineIssues, Partition, PartitionCapacity, Size};

/// Namespace (empty for cluster-scoped) and name of a Kubernetes object.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjKey {
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
    pub fn of(meta: &crate::model::ObjectMeta) -> Self {
        Self::new(
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    }
}

impl fmt::Display for ObjKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Which connection a kind comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceGroup {
    Garden,
    Capi,
    Metal,
}

impl SourceGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceGroup::Garden => "garden",
            SourceGroup::Capi => "capi",
            SourceGroup::Metal => "metal",
        }
    }
}

/// What a source currently knows about one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum SourceState {
    /// Not configured for this landscape (e.g. no CAPI context).
    Disabled,
    Connecting,
    Synced,
    /// A transient error: the source retries with backoff. Watches say how:
    /// "reconnecting (attempt N, last error: …)" or "forbidden (retrying in …)".
    Error(String),
    /// Not listable (403) or not served (404): skipped, the rest keeps working.
    Unavailable(String),
}

impl SourceState {
    /// A transient error the source is already retrying with backoff.
    pub fn is_retrying(&self) -> bool {
        matches!(self, SourceState::Error(r)
            if r.starts_with("reconnecting (") || r.starts_with("forbidden (retrying"))
    }
    pub fn is_settled(&self) -> bool {
        !matches!(self, SourceState::Connecting)
    }
    pub fn short(&self) -> String {
        match self {
            SourceState::Disabled => "off".into(),
            SourceState::Connecting => "connecting".into(),
            SourceState::Synced => "synced".into(),
            SourceState::Error(r) if self.is_retrying() => r.clone(),
            SourceState::Error(r) => format!("error: {r}"),
            SourceState::Unavailable(r) => format!("unavailable: {r}"),
        }
    }
}

/// Everything the metal-api poller read in one round.
#[derive(Clone, Debug, Default)]
pub struct MetalSnapshot {
    /// `None` where that call failed this round: the previous data is kept.
    /// Machines are decoded straight into the `Arc`s the store keeps.
    pub machines: Option<Vec<Arc<Machine>>>,
    pub firewalls: Option<Vec<Arc<Machine>>>,
    /// `events.last_event_time` of machines and firewalls by id, when the
    /// poller keeps it beside the machines (see `source::metal_share`);
    /// replaces the previous round's with `machines`.
    pub event_times: Option<std::collections::HashMap<String, String>>,
    pub partitions: Option<Vec<Partition>>,
    pub capacity: Option<Vec<PartitionCapacity>>,
    pub sizes: Option<Vec<Size>>,
    pub images: Option<Vec<Image>>,
    pub issues: Option<Vec<MachineIssues>>,
}

/// A change to the landscape, sent by sources to the owner of the store.
#[derive(Clone, Debug)]
pub enum Update {
    Applied(KubeObject),
    Deleted(KubeObject),
    /// A full (re-)list of one kind: replaces everything of that kind.
    Relisted(Kind, Vec<KubeObject>),
    Metal(Box<MetalSnapshot>),
    Source(Kind, SourceState),
}

#[cfg(test)]
mod tests {
    use super::SourceState;

    #[test]
    fn a_retrying_watch_says_how_without_an_error_prefix() {
        let r = SourceState::Error("reconnecting (attempt 3, last error: eof)".into());
        assert!(r.is_retrying());
        assert_eq!(r.short(), "reconnecting (attempt 3, last error: eof)");
        let f = SourceState::Error("forbidden (retrying in 2.0s): no".into());
        assert!(f.is_retrying());
        assert_eq!(f.short(), "forbidden (retrying in 2.0s): no");
        let e = SourceState::Error("etcd timeout".into());
        assert!(!e.is_retrying());
        assert_eq!(e.short(), "error: etcd timeout");
    }
}
