//! Two ways to decode the same model. Normally every field the model does not
//! type is kept in `extra`, so an object read and written back loses nothing.
//! The landscape store only needs what the console shows: decoding inside
//! [`Slim`] (or [`decode_slim`]) drops unknown fields and the raw blobs the
//! console never reads, and strips `managedFields`, which keeps a 10,000-shoot
//! landscape small. Full objects (YAML view, operations) are fetched on demand.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::Value;

thread_local! {
    static SLIM: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is decoding for the store.
pub fn is_slim() -> bool {
    SLIM.with(Cell::get)
}

/// Runs a (synchronous) decode in slim mode on this thread.
pub fn decode_slim<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            SLIM.with(|s| s.set(self.0));
        }
    }
    let _reset = Reset(SLIM.with(|s| s.replace(true)));
    f()
}

/// Fields a model does not type, kept verbatim for lossless round trips
/// (empty when decoded slim). One pointer wide while empty: a slim shoot
/// carries a dozen of them.
// The box is the point: `Option<Box<_>>` is 8 bytes, a `BTreeMap` 24.
#[allow(clippy::box_collection)]
#[derive(Clone, Debug, Default)]
pub struct Extra(Option<Box<BTreeMap<String, Value>>>);

static NO_FIELDS: BTreeMap<String, Value> = BTreeMap::new();

impl Deref for Extra {
    type Target = BTreeMap<String, Value>;
    fn deref(&self) -> &Self::Target {
        self.0.as_deref().unwrap_or(&NO_FIELDS)
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.get_or_insert_with(Default::default)
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl From<BTreeMap<String, Value>> for Extra {
    fn from(map: BTreeMap<String, Value>) -> Self {
        Extra((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

struct SkipMap;

impl<'de> Visitor<'de> for SkipMap {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if is_slim() {
            d.deserialize_map(SkipMap)?;
            Ok(Extra::default())
        } else {
            BTreeMap::deserialize(d).map(Extra::from)
        }
    }
}

/// For `Option<Value>` fields the console never reads: skipped when slim.
pub fn blob<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    if is_slim() {
        IgnoredAny::deserialize(d)?;
        Ok(None)
    } else {
        Option::<Value>::deserialize(d)
    }
}

/// For optional typed fields the console never reads: skipped when slim.
pub fn unread<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    if is_slim() {
        IgnoredAny::deserialize(d)?;
        Ok(None)
    } else {
        Option::<T>::deserialize(d)
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A Kubernetes object decoded for the store (see the module docs).
#[derive(Clone, Debug)]
pub struct Slim<K>(pub K);

impl<'de, K: kube::Resource + Deserialize<'de>> Deserialize<'de> for Slim<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut k = decode_slim(|| K::deserialize(d))?;
        let meta = k.meta_mut();
        meta.managed_fields = None;
        if let Some(a) = meta.annotations.as_mut() {
            a.remove(LAST_APPLIED);
        }
        Ok(Slim(k))
    }
}

impl<K: kube::Resource> kube::Resource for Slim<K> {
    type DynamicType = K::DynamicType;
    type Scope = K::Scope;
    fn kind(dt: &K::DynamicType) -> std::borrow::Cow<'_, str> {
        K::kind(dt)
    }
    fn group(dt: &K::DynamicType) -> std::borrow::Cow<'_, str> {
        K::group(dt)
    }
    fn version(dt: &K::DynamicType) -> std::borrow::Cow<'_, str> {
        K::version(dt)
    }
    fn plural(dt: &K::DynamicType) -> std::borrow::Cow<'_, str> {
        K::plural(dt)
    }
    fn meta(&self) -> &super::ObjectMeta {
        self.0.meta()
    }
    fn meta_mut(&mut self) -> &mut super::ObjectMeta {
        self.0.meta_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gardener::Shoot;

    const SHOOT: &str = r#"{
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {"name": "web", "namespace": "garden-a",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}", "keep": "me"},
            "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {}}}]},
        "spec": {"region": "fra", "networking": {"type": "calico"}, "unknownSpecField": [1, 2, 3],
                 "provider": {"type": "metal", "controlPlaneConfig": {"big": "blob"},
                              "infrastructureConfig": {"partitionID": "fra-equ01"}, "workers": [{"name": "w", "zones": ["a"]}]}},
        "status": {"technicalID": "shoot--a--web", "credentials": {"rotation": {}},
                   "conditions": [{"type": "APIServerAvailable", "status": "True",
                                   "lastTransitionTime": "2026-11-07T04:22:40Z", "lastUpdateTime": "2026-11-25T15:42:34Z"}]}
    }"#;

    #[test]
    fn full_decode_keeps_everything_and_slim_keeps_what_the_console_reads() {
        let full: Shoot = serde_json::from_str(SHOOT).unwrap();
        let back = serde_json::to_value(&full).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(SHOOT).unwrap());

        let Slim(slim): Slim<Shoot> = serde_json::from_str(SHOOT).unwrap();
        assert_eq!(slim.name(), "web");
        assert_eq!(slim.spec.region.as_deref(), Some("fra"));
        assert_eq!(
            slim.status.as_ref().unwrap().technical_id.as_deref(),
            Some("shoot--a--web")
        );
        assert_eq!(
            slim.spec
                .provider
                .as_ref()
                .unwrap()
                .workers
                .as_ref()
                .unwrap()[0]
                .name,
            "w"
        );
        assert!(slim.spec.extra.is_empty() && slim.extra.is_empty());
        assert!(slim.spec.networking.is_none());
        assert!(
            slim.spec
                .provider
                .as_ref()
                .unwrap()
                .control_plane_config
                .is_none()
        );
        assert!(
            slim.spec
                .provider
                .as_ref()
                .unwrap()
                .infrastructure_config
                .is_none()
        );
        let cond = &slim.status.as_ref().unwrap().conditions.as_ref().unwrap()[0];
        assert_eq!(
            (cond.type_.as_str(), cond.status.as_str()),
            ("APIServerAvailable", "True")
        );
        assert!(cond.last_transition_time.is_some() && cond.last_update_time.is_none());
        assert!(slim.metadata.managed_fields.is_none());
        let ann = slim.metadata.annotations.as_ref().unwrap();
        assert!(!ann.contains_key(LAST_APPLIED) && ann.contains_key("keep"));
        // and the flag does not leak: the next plain decode is full again
        let again: Shoot = serde_json::from_str(SHOOT).unwrap();
        assert_eq!(again, full);
    }

    #[test]
    fn extra_is_empty_until_written_and_compares_by_content() {
        let mut e = Extra::default();
        assert!(e.is_empty());
        assert_eq!(e, Extra::from(BTreeMap::new()));
        e.insert("k".into(), Value::from(1));
        assert_eq!(e.get("k"), Some(&Value::from(1)));
        assert_ne!(e, Extra::default());
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"k":1}"#);
    }
}
