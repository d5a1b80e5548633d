//! The object store of the simulated API server: objects as JSON per resource,
//! one global resourceVersion, and per-resource bounded event histories from
//! which watches resume (or get 410 Gone, as from kube-apiserver's watch cache).

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::resources::RESOURCES;
use super::rng::Rng;

/// (namespace, name); namespace is empty for cluster-scoped objects.
pub(crate) type Key = (String, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

#[derive(Debug)]
pub(crate) struct WatchEvent {
    pub res: usize,
    pub rv: u64,
    pub etype: EventType,
    pub object: Arc<Value>,
    /// The object before this event (`None` for ADDED): lets a paged list
    /// continue on the snapshot it started from.
    pub prev: Option<Arc<Value>>,
}

#[derive(Debug, Default)]
pub(crate) struct Table {
    pub objects: BTreeMap<Key, Arc<Value>>,
    history: VecDeque<Arc<WatchEvent>>,
    /// Events with a resourceVersion above this are still in `history`.
    compacted_rv: u64,
}

/// Why a watch cannot resume.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooOld {
    pub requested: u64,
    pub oldest: u64,
}

pub(crate) struct KubeStore {
    rv: u64,
    pub tables: Vec<Table>,
    pub uids: Rng,
    tx: broadcast::Sender<Arc<WatchEvent>>,
    published_rv: Arc<AtomicU64>,
    history_cap: usize,
    recording: bool,
}

pub(crate) fn key_of(obj: &Value) -> Key {
    let meta = &obj["metadata"];
    (
        meta["namespace"].as_str().unwrap_or("").to_string(),
        meta["name"].as_str().unwrap_or("").to_string(),
    )
}

pub(crate) fn now_str() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn set_meta(obj: &mut Value, field: &str, v: Value) {
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    obj["metadata"][field] = v;
}

impl KubeStore {
    pub fn new(
        seed: u64,
        tx: broadcast::Sender<Arc<WatchEvent>>,
        published_rv: Arc<AtomicU64>,
        history_cap: usize,
    ) -> Self {
        Self {
            // Real clusters never start at 1; a high start also makes "too old" RVs easy to write.
            rv: 1000,
            tables: RESOURCES.iter().map(|_| Table::default()).collect(),
            uids: Rng::new(seed.wrapping_mul(31).wrapping_add(17)),
            tx,
            published_rv,
            history_cap,
            recording: false,
        }
    }

    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, res: usize, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.tables[res]
            .objects
            .get(&(ns.to_string(), name.to_string()))
    }

    pub fn list(&self, res: usize) -> impl Iterator<Item = &Arc<Value>> {
        self.tables[res].objects.values()
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn publish(
        &mut self,
        res: usize,
        rv: u64,
        etype: EventType,
        object: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        if !self.recording {
            return;
        }
        let ev = Arc::new(WatchEvent {
            res,
            rv,
            etype,
            object,
            prev,
        });
        let table = &mut self.tables[res];
        table.history.push_back(ev.clone());
        while table.history.len() > self.history_cap {
            if let Some(old) = table.history.pop_front() {
                table.compacted_rv = old.rv;
            }
        }
        // No receivers is fine: nobody watches.
        let _ = self.tx.send(ev);
        self.published_rv.store(rv, Ordering::Release);
    }

    /// Stores a new object: resourceVersion, and uid/creationTimestamp/generation
    /// unless the caller (the generator) set them.
    pub fn create(&mut self, res: usize, mut obj: Value) -> Arc<Value> {
        let rv = self.next_rv();
        set_meta(&mut obj, "resourceVersion", json!(rv.to_string()));
        if obj["metadata"]["uid"].as_str().is_none_or(str::is_empty) {
            let uid = self.uids.uuid();
            set_meta(&mut obj, "uid", json!(uid));
        }
        if obj["metadata"]["creationTimestamp"].is_null() {
            set_meta(&mut obj, "creationTimestamp", json!(now_str()));
        }
        if obj["metadata"]["generation"].is_null() {
            set_meta(&mut obj, "generation", json!(1));
        }
        let key = key_of(&obj);
        let obj = Arc::new(obj);
        let prev = self.tables[res].objects.insert(key, obj.clone());
        self.publish(res, rv, EventType::Added, obj.clone(), prev);
        obj
    }

    /// Replaces an existing object with a new resourceVersion.
    pub fn update(&mut self, res: usize, mut obj: Value) -> Arc<Value> {
        let rv = self.next_rv();
        set_meta(&mut obj, "resourceVersion", json!(rv.to_string()));
        let key = key_of(&obj);
        let obj = Arc::new(obj);
        let prev = self.tables[res].objects.insert(key, obj.clone());
        self.publish(res, rv, EventType::Modified, obj.clone(), prev);
        obj
    }

    /// Removes an object; the DELETED event carries the deletion's resourceVersion.
    pub fn remove(&mut self, res: usize, ns: &str, name: &str) -> Option<Arc<Value>> {
        let old = self.tables[res]
            .objects
            .remove(&(ns.to_string(), name.to_string()))?;
        let rv = self.next_rv();
        let mut last = (*old).clone();
        set_meta(&mut last, "resourceVersion", json!(rv.to_string()));
        let last = Arc::new(last);
        self.publish(res, rv, EventType::Deleted, last.clone(), Some(old));
        Some(last)
    }

    /// Everything after `rv` for one resource, or why that is impossible.
    pub fn events_since(&self, res: usize, rv: u64) -> Result<Vec<Arc<WatchEvent>>, TooOld> {
        let table = &self.tables[res];
        if rv < table.compacted_rv {
            return Err(TooOld {
                requested: rv,
                oldest: table.compacted_rv,
            });
        }
        Ok(table
            .history
            .iter()
            .filter(|e| e.rv > rv)
            .cloned()
            .collect())
    }

    /// The objects of one resource as they were at `rv`, rebuilt from the
    /// history (what kube-apiserver serves a continue token from), or why not.
    pub fn objects_at(
        &self,
        res: usize,
        rv: u64,
    ) -> Result<Cow<'_, BTreeMap<Key, Arc<Value>>>, TooOld> {
        let table = &self.tables[res];
        if rv < table.compacted_rv {
            return Err(TooOld {
                requested: rv,
                oldest: table.compacted_rv,
            });
        }
        // The first change after `rv` of each key holds the object as it was then.
        let mut then: BTreeMap<Key, Option<Arc<Value>>> = BTreeMap::new();
        for e in table.history.iter().filter(|e| e.rv > rv) {
            then.entry(key_of(&e.object))
                .or_insert_with(|| e.prev.clone());
        }
        if then.is_empty() {
            return Ok(Cow::Borrowed(&table.objects));
        }
        let mut objects = table.objects.clone();
        for (k, v) in then {
            match v {
                Some(o) => objects.insert(k, o),
                None => objects.remove(&k),
            };
        }
        Ok(Cow::Owned(objects))
    }

    /// Ends the generation phase: what exists now is the start of history.
    pub fn start_recording(&mut self) {
        let rv = self.rv;
        for t in &mut self.tables {
            t.compacted_rv = rv;
        }
        self.recording = true;
        self.published_rv.store(rv, Ordering::Release);
    }

    /// Forgets all history, as etcd compaction does; older watches then get 410.
    pub fn compact(&mut self) {
        let rv = self.next_rv();
        for t in &mut self.tables {
            t.history.clear();
            t.compacted_rv = rv;
        }
        self.published_rv.store(rv, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(cap: usize) -> KubeStore {
        let (tx, _) = broadcast::channel(16);
        let mut s = KubeStore::new(1, tx, Arc::new(AtomicU64::new(0)), cap);
        s.start_recording();
        s
    }

    #[test]
    fn history_is_bounded_and_old_versions_expire() {
        let mut s = store(2);
        let start = s.current_rv();
        for n in ["a", "b", "c"] {
            s.create(4, json!({"metadata": {"name": n, "namespace": "garden-x"}}));
        }
        let err = s.events_since(4, start).unwrap_err();
        assert_eq!(err.requested, start);
        assert_eq!(err.oldest, start + 1);
        let evs = s.events_since(4, start + 1).unwrap();
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].etype, EventType::Added);
        let gone = s.remove(4, "garden-x", "a").unwrap();
        assert_eq!(
            gone["metadata"]["resourceVersion"],
            json!(s.current_rv().to_string())
        );
        assert!(s.get(4, "garden-x", "a").is_none());
    }
}
