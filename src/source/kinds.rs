//! Watching a Kubernetes kind by the table in [`crate::landscape::kinds`]:
//! one generic watcher, run for whichever model type the kind names.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::Api;
use kube::api::{ListParams, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;

use super::UpdateTx;
use super::kube::{error_message, forbidden, gone, permanent, too_early};
use crate::landscape::kinds::{KindVisitor, Stored};
use crate::landscape::{Kind, KubeKind, KubeObject, SourceState, Update};
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

/// Reconnect delays: exponential from `BASE`, capped at `CAP`, with up to 50%
/// jitter subtracted (so many kinds failing at once do not reconnect in step);
/// reset by a connection that stayed up for `HEALTHY`.
#[derive(Debug, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub const BASE: Duration = Duration::from_millis(500);
    pub const CAP: Duration = Duration::from_secs(30);
    pub const HEALTHY: Duration = Duration::from_secs(60);

    /// The number of failed attempts since the last healthy connection.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
    /// Counts a failed attempt and returns how long to wait before the next.
    pub fn next_delay(&mut self) -> Duration {
        self.attempt = self.attempt.saturating_add(1);
        let full = Self::BASE
            .saturating_mul(1u32 << (self.attempt - 1).min(16))
            .min(Self::CAP);
        let jitter = rand::random_range(0.0..0.5);
        full.mul_f64(1.0 - jitter)
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Why a connection attempt ended, for the source state.
enum Failure {
    Request(kube::Error),
    /// The watch stream broke or ended early (cut mid-event, reset).
    Stream(String),
}

struct Loop<K> {
    api: Api<Slim<K>>,
    kind: Kind,
    wrap: fn(K) -> KubeObject,
    page_size: u32,
    tx: UpdateTx,
    backoff: Backoff,
    synced_once: bool,
    /// What the source state says now (so Synced is sent once per recovery).
    synced: bool,
    /// The last failure was a stream that broke after a successful start: the
    /// next start alone does not prove recovery (it has to deliver).
    stream_broke: bool,
}

enum Step {
    Continue,
    Stop,
}

impl<K> Loop<K>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    fn send(&self, u: Update) -> Step {
        match self.tx.send(u) {
            Ok(()) => Step::Continue,
            Err(_) => Step::Stop,
        }
    }

    fn set_synced(&mut self) -> Step {
        if self.synced {
            return Step::Continue;
        }
        self.synced = true;
        self.send(Update::Source(self.kind, SourceState::Synced))
    }

    /// Reports a failed attempt and waits the backoff delay.
    async fn failed(&mut self, f: Failure) -> Step {
        if let Failure::Request(e) = &f {
            if let Some(reason) = permanent(e) {
                let _ = self.send(Update::Source(self.kind, SourceState::Unavailable(reason)));
                return Step::Stop;
            }
            if !self.synced_once && too_early(e) {
                tracing::info!(kind = ?self.kind, error = %e, "server not ready for this kind yet, retrying");
                let delay = self.backoff.next_delay();
                tokio::time::sleep(delay).await;
                return Step::Continue;
            }
        }
        self.stream_broke = matches!(f, Failure::Stream(_));
        let delay = self.backoff.next_delay();
        let attempt = self.backoff.attempt();
        let state = match &f {
            Failure::Request(e) if forbidden(e) => format!(
                "forbidden (retrying in {}): {}",
                seconds(delay),
                error_message(e)
            ),
            Failure::Request(e) => format!(
                "reconnecting (attempt {attempt}, last error: {})",
                error_message(e)
            ),
            Failure::Stream(m) => format!("reconnecting (attempt {attempt}, last error: {m})"),
        };
        tracing::warn!(kind = ?self.kind, attempt, delay = ?delay, "watch: {state}");
        self.synced = false;
        if let Step::Stop = self.send(Update::Source(self.kind, SourceState::Error(state))) {
            return Step::Stop;
        }
        tokio::time::sleep(delay).await;
        Step::Continue
    }

    /// Lists every object of the kind, page by page; the list's resource version.
    async fn list(&mut self) -> Result<(Vec<KubeObject>, String), kube::Error> {
        let mut out = Vec::new();
        let mut lp = ListParams::default().limit(self.page_size);
        loop {
            let page = self.api.list(&lp).await?;
            let rv = page.metadata.resource_version.clone().unwrap_or_default();
            out.extend(page.items.into_iter().map(|Slim(o)| (self.wrap)(o)));
            match page.metadata.continue_ {
                Some(c) if !c.is_empty() => lp = lp.continue_token(&c),
                _ => return Ok((out, rv)),
            }
        }
    }

    async fn run(mut self) {
        if let Step::Stop = self.send(Update::Source(self.kind, SourceState::Connecting)) {
            return;
        }
        let mut rv: Option<String> = None;
        loop {
            let step = match rv.clone() {
                None => match self.list().await {
                    Ok((objs, v)) => {
                        rv = Some(v);
                        self.synced_once = true;
                        if let Step::Stop = self.send(Update::Relisted(self.kind, objs)) {
                            return;
                        }
                        self.set_synced()
                    }
                    Err(e) => self.failed(Failure::Request(e)).await,
                },
                Some(v) => self.watch(&mut rv, &v).await,
            };
            if let Step::Stop = step {
                return;
            }
        }
    }

    /// One watch connection from `from`; keeps `rv` current, clears it on 410.
    async fn watch(&mut self, rv: &mut Option<String>, from: &str) -> Step {
        let wp = WatchParams::default().timeout(290);
        let started = Instant::now();
        let stream = match self.api.watch(&wp, from).await {
            Ok(s) => s,
            Err(e) => {
                if gone(&e) {
                    *rv = None;
                }
                return self.failed(Failure::Request(e)).await;
            }
        };
        // A watch that starts after a refused request is a recovered watch.
        if !self.stream_broke
            && let Step::Stop = self.set_synced()
        {
            return Step::Stop;
        }
        let mut stream = std::pin::pin!(stream);
        let mut events = 0usize;
        let mut broke: Option<Failure> = None;
        while let Some(item) = stream.next().await {
            let update = match item {
                Ok(WatchEvent::Added(Slim(o)) | WatchEvent::Modified(Slim(o))) => {
                    *rv = o.meta().resource_version.clone().or(rv.take());
                    Update::Applied((self.wrap)(o))
                }
                Ok(WatchEvent::Deleted(Slim(o))) => {
                    *rv = o.meta().resource_version.clone().or(rv.take());
                    Update::Deleted((self.wrap)(o))
                }
                Ok(WatchEvent::Bookmark(b)) => {
                    *rv = Some(b.metadata.resource_version);
                    events += 1;
                    if let Step::Stop = self.set_synced() {
                        return Step::Stop;
                    }
                    continue;
                }
                Ok(WatchEvent::Error(s)) => {
                    if s.code == 410 {
                        *rv = None;
                    }
                    broke = Some(Failure::Request(kube::Error::Api(s.boxed())));
                    break;
                }
                Err(e) => {
                    broke = Some(Failure::Stream(error_message(&e)));
                    break;
                }
            };
            events += 1;
            // A watch that delivers is a recovered watch (no object change needed).
            if let Step::Stop = self.set_synced() {
                return Step::Stop;
            }
            if let Step::Stop = self.send(update) {
                return Step::Stop;
            }
        }
        let lasted = started.elapsed();
        match broke {
            Some(Failure::Request(e)) if gone(&e) => {
                // Resource version too old: re-list at once, not an error.
                Step::Continue
            }
            Some(f) => self.failed(f).await,
            None if lasted >= Backoff::HEALTHY => {
                // The server's watch timeout: reconnect at once.
                self.backoff.reset();
                Step::Continue
            }
            None => {
                let m = format!(
                    "watch stream ended after {} and {events} event(s)",
                    seconds(lasted)
                );
                self.failed(Failure::Stream(m)).await
            }
        }
    }
}

/// Watches one kind for ever (paginated list, resumable watch, re-list on
/// 410 Gone), sending updates until the receiver is gone. Every reconnect
/// after a failure waits a [`Backoff`] delay and is reported in the kind's
/// source state; a successful re-list or a delivering watch sets it Synced.
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
    let l = Loop {
        api,
        kind,
        wrap,
        page_size,
        tx,
        backoff: Backoff::default(),
        synced_once: false,
        synced: false,
        stream_broke: false,
    };
    tokio::spawn(l.run())
}
