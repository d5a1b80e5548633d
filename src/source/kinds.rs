//! Watching a Kubernetes kind by the table in [`crate::landscape::kinds`]:
//! one generic watcher, run for whichever model type the kind names.

use std::sync::Arc;

use kube::Api;

use super::UpdateTx;
use super::kube::spawn_watch;
use crate::landscape::kinds::{KindVisitor, Stored};
use crate::landscape::{Kind, KubeKind, KubeObject};
use crate::model::Slim;

pub use crate::landscape::kinds::{CAPI_KINDS, GARDEN_KINDS};

/// What the store keeps of one decoded watch object.
fn decoded<K: Stored>(o: K) -> KubeObject {
    K::wrap(Arc::new(o.keep()))
}

struct Watch {
    client: kube::Client,
    page_size: u32,
    tx: UpdateTx,
}

impl KindVisitor for Watch {
    type Out = tokio::task::JoinHandle<()>;
    fn visit<K: Stored>(self) -> Self::Out {
        spawn_watch(
            Api::<Slim<K>>::all(self.client),
            Kind::from(K::KIND),
            decoded::<K>,
            self.page_size,
            self.tx,
        )
    }
}

/// Starts a watcher for one Kubernetes kind on a client.
pub fn watch_kube_kind(
    client: kube::Client,
    kind: KubeKind,
    page_size: u32,
    tx: UpdateTx,
) -> tokio::task::JoinHandle<()> {
    kind.visit(Watch {
        client,
        page_size,
        tx,
    })
}

/// Starts a watcher for one kind on a client; `None` for metal-api kinds
/// (the metal poller reads those).
pub fn watch_kind(
    client: kube::Client,
    kind: Kind,
    page_size: u32,
    tx: UpdateTx,
) -> Option<tokio::task::JoinHandle<()>> {
    Some(watch_kube_kind(client, kind.as_kube()?, page_size, tx))
}
