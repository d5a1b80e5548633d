//! Machines that did not change between two metal-api polls stay the same
//! `Arc`.
//!
//! metal-api v1 has no watch, so every round sends all machines again. Decoded
//! afresh, 11,000 machines were a second copy of the store's while the round
//! was applied, and glibc's arenas kept much of that copy after it was
//! dropped. Alive machines change only `events.last_event_time` between
//! rounds (every heartbeat), so that timestamp travels beside the machine
//! ([`SharedMachines::event_times`]) and everything else is compared with the
//! previous round: an equal machine is the previous `Arc`, never a new one.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::model::metal::Machine;

/// The machines of the last round, by id.
#[derive(Clone, Debug, Default)]
pub struct MachineCache {
    prev: Arc<HashMap<String, Arc<Machine>>>,
}

impl MachineCache {
    /// The seed that decodes this round's `machine/find` answer against the
    /// last round's machines.
    pub fn seed(&self) -> SharedMachinesSeed {
        SharedMachinesSeed {
            prev: Arc::clone(&self.prev),
        }
    }

    /// Remembers a round's machines for the next one.
    pub fn keep(&mut self, machines: &[Arc<Machine>]) {
        self.prev = Arc::new(
            machines
                .iter()
                .map(|m| (m.id.clone(), Arc::clone(m)))
                .collect(),
        );
    }

    pub fn len(&self) -> usize {
        self.prev.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prev.is_empty()
    }
}

/// One round's machines: `events.last_event_time` is taken out of each
/// machine into `event_times` (by machine id), so it never makes a machine
/// differ from its previous round.
#[derive(Clone, Debug, Default)]
pub struct SharedMachines {
    pub machines: Vec<Arc<Machine>>,
    pub event_times: HashMap<String, String>,
    /// How many machines are the previous round's `Arc`.
    pub reused: usize,
}

/// Decodes a JSON array of machines into [`SharedMachines`].
pub struct SharedMachinesSeed {
    prev: Arc<HashMap<String, Arc<Machine>>>,
}

impl<'de> DeserializeSeed<'de> for SharedMachinesSeed {
    type Value = SharedMachines;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<SharedMachines, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SharedMachinesSeed {
    type Value = SharedMachines;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of machines")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SharedMachines, A::Error> {
        let mut out = SharedMachines {
            machines: Vec::with_capacity(seq.size_hint().unwrap_or(self.prev.len())),
            ..Default::default()
        };
        while let Some(mut m) = seq.next_element::<Machine>()? {
            let m = share(&self.prev, &mut m, &mut out);
            out.machines.push(m);
        }
        Ok(out)
    }
}

fn share(
    prev: &HashMap<String, Arc<Machine>>,
    m: &mut Machine,
    out: &mut SharedMachines,
) -> Arc<Machine> {
    if let Some(t) = m.events.last_event_time.take() {
        out.event_times.insert(m.id.clone(), t);
    }
    match prev.get(&m.id) {
        Some(p) if **p == *m => {
            out.reused += 1;
            Arc::clone(p)
        }
        _ => Arc::new(std::mem::take(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(cache: &MachineCache, v: serde_json::Value) -> SharedMachines {
        cache
            .seed()
            .deserialize(v)
            .expect("a list of machines decodes")
    }

    fn machine(id: &str, liveliness: &str, time: &str) -> serde_json::Value {
        json!({
            "id": id,
            "liveliness": liveliness,
            "events": {"log": [{"time": "2026-12-01T10:00:00Z", "event": "Phoned Home"}],
                       "last_event_time": time},
        })
    }

    #[test]
    fn a_heartbeat_keeps_the_machine_and_moves_its_time() {
        let mut cache = MachineCache::default();
        let first = decode(
            &cache,
            json!([
                machine("m1", "Alive", "2026-12-01T10:00:00Z"),
                machine("m2", "Alive", "2026-12-01T10:00:00Z")
            ]),
        );
        assert_eq!(first.reused, 0, "nothing to share in the first round");
        assert_eq!(first.machines[0].events.last_event_time, None);
        assert_eq!(first.event_times["m1"], "2026-12-01T10:00:00Z");
        cache.keep(&first.machines);

        let second = decode(
            &cache,
            json!([
                machine("m1", "Alive", "2026-12-01T10:00:20Z"),
                machine("m2", "Dead", "2026-12-01T10:00:00Z"),
                machine("m3", "Alive", "2026-12-01T10:00:20Z")
            ]),
        );
        assert_eq!(second.reused, 1);
        assert!(
            Arc::ptr_eq(&first.machines[0], &second.machines[0]),
            "m1 changed only its event time: the same Arc"
        );
        assert_eq!(second.event_times["m1"], "2026-12-01T10:00:20Z");
        assert!(!Arc::ptr_eq(&first.machines[1], &second.machines[1]));
        assert_eq!(second.machines[1].liveliness, "Dead", "a change is seen");
        assert_eq!(second.machines[2].id, "m3");
    }

    #[test]
    fn machines_without_an_event_time_have_none() {
        let cache = MachineCache::default();
        let got = decode(&cache, json!([{"id": "m1", "events": {"log": []}}]));
        assert!(got.event_times.is_empty());
        assert_eq!(got.machines.len(), 1);
    }

    #[test]
    fn not_a_list_is_an_error() {
        let cache = MachineCache::default();
        assert!(cache.seed().deserialize(json!({"id": "m1"})).is_err());
    }
}
