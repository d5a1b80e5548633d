//! A running connection to one landscape: clients, the source tasks feeding
//! [`Update`]s. The TUI and the CLI both start one of these and own the
//! [`Landscape`] it feeds.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::Target;
use crate::landscape::{Kind, Landscape, SourceState, Update};
use crate::source::kube::{self as kube_source, KubeTarget};
use crate::source::metal::MetalClient;
use crate::source::{UpdateRx, UpdateTx};

#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Kinds to watch; empty = all.
    pub kinds: Vec<Kind>,
    pub metal_poll: Duration,
    pub page_size: u32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            kinds: Vec::new(),
            metal_poll: Duration::from_secs(15),
            page_size: 500,
        }
    }
}

/// A connected landscape.
pub struct Session {
    pub target: Target,
    pub rx: UpdateRx,
    pub garden: Option<kube::Client>,
    pub capi: Option<kube::Client>,
    pub metal: Option<MetalClient>,
    /// Connection problems found at start (bad kubeconfig, bad metal URL ...).
    /// They are also reported to the store as source errors.
    pub errors: Vec<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    tx: UpdateTx,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {}

impl Session {
    /// Connects every configured source and starts its tasks. A source that
    /// cannot connect is reported (in `errors` and as a source state) and the
    /// rest still starts.
    pub async fn start(target: &Target, opts: SessionOptions) -> Result<Self, SessionError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let wants = |k: Kind| opts.kinds.is_empty() || opts.kinds.contains(&k);
        let mut s = Session {
            target: target.clone(),
            rx,
            garden: None,
            capi: None,
            metal: None,
            errors: Vec::new(),
            tasks: Vec::new(),
            tx: tx.clone(),
        };
        let groups: [(Option<&KubeTarget>, &[Kind], bool); 2] = [
            (target.garden.as_ref(), &kube_source::GARDEN_KINDS, true),
            (target.capi.as_ref(), &kube_source::CAPI_KINDS, false),
        ];
        for (kt, kinds, is_garden) in groups {
            let kinds: Vec<Kind> = kinds.iter().copied().filter(|k| wants(*k)).collect();
            if kinds.is_empty() {
                continue;
            }
            let Some(kt) = kt else {
                for k in kinds {
                    let _ = tx.send(Update::Source(k, SourceState::Disabled));
                }
                continue;
            };
            match kube_source::client_for(kt).await {
                Ok(client) => {
                    // Reported before the tasks start, so nobody sees a "settled"
                    // landscape before a source had its chance.
                    for k in &kinds {
                        let _ = tx.send(Update::Source(*k, SourceState::Connecting));
                    }
                    for k in kinds {
                        if let Some(h) =
                            kube_source::watch_kind(client.clone(), k, opts.page_size, tx.clone())
                        {
                            s.tasks.push(h);
                        }
                    }
                    if is_garden {
                        s.garden = Some(client);
                    } else {
                        s.capi = Some(client);
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    for k in kinds {
                        let _ = tx.send(Update::Source(k, SourceState::Error(msg.clone())));
                    }
                    s.errors.push(msg);
                }
            }
        }
        let metal_kinds = crate::landscape::MetalKind::ALL.map(Kind::from);
        if metal_kinds.iter().any(|k| wants(*k)) {
            match target.metal.as_ref().map(MetalClient::new) {
                Some(Ok(client)) => {
                    for k in metal_kinds {
                        let _ = tx.send(Update::Source(k, SourceState::Connecting));
                    }
                    s.tasks.push(crate::source::metal::spawn_poller(
                        client.clone(),
                        opts.metal_poll,
                        tx.clone(),
                    ));
                    s.metal = Some(client);
                }
                Some(Err(e)) => {
                    let msg = e.to_string();
                    for k in metal_kinds {
                        let _ = tx.send(Update::Source(k, SourceState::Error(msg.clone())));
                    }
                    s.errors.push(msg);
                }
                None => {
                    for k in metal_kinds {
                        let _ = tx.send(Update::Source(k, SourceState::Disabled));
                    }
                }
            }
        }
        Ok(s)
    }

    /// A sender for other tasks (e.g. operations) to report into the same stream.
    pub fn sender(&self) -> UpdateTx {
        self.tx.clone()
    }

    /// Applies updates until every started source has reported once (synced,
    /// error or unavailable), or the timeout passes. Returns whether it settled.
    pub async fn wait_settled(&mut self, ls: &mut Landscape, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Ok(u) = self.rx.try_recv() {
                ls.apply(u);
            }
            if !ls.sources.is_empty() && ls.settled() {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(u)) => {
                    ls.apply(u);
                }
                Ok(None) | Err(_) => return ls.settled() && !ls.sources.is_empty(),
            }
        }
    }

    /// Stops every task. Waits until the tasks are gone, so an exec plugin
    /// still logging in has been killed on return.
    pub async fn shutdown(mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}
