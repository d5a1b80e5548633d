//! metal-stack metal-api v1 resources (`reference/metal-api/metal-api.json`).
//!
//! metal-api marks nearly every field required yet sends `null` or omits many,
//! so every field defaults. Firewalls share the machine shape. kclm never
//! writes these objects back, so the models keep only what the console shows
//! and serde skips the rest (NIC trees, BMC data, boot config) while decoding:
//! a landscape of 10,000 machines stays small.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Extra, IStr};

/// Tag on machines and firewalls naming the Gardener shoot's `metadata.uid`.
pub const TAG_CLUSTER_ID: &str = "cluster.metal-stack.io/id";
pub const TAG_RACK: &str = "machine.metal-stack.io/rack";

/// The id and name of an object a machine response embeds in full
/// (partition, size, image): the store holds each such object once in its
/// own list, and the names repeat across machines, so they are shared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdName {
    #[serde(default)]
    pub id: IStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<IStr>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only `id` and `name`: the response embeds the whole partition, which
    /// the store holds once in its partition list.
    #[serde(default)]
    pub partition: Option<IdName>,
    #[serde(default)]
    pub rackid: IStr,
    /// Only `id` and `name` (see `partition`): 10,000 copies of a size's
    /// constraints were 14 MB at the `large` scale.
    #[serde(default)]
    pub size: Option<IdName>,
    #[serde(default)]
    pub allocation: Option<Allocation>,
    #[serde(default)]
    pub state: MachineState,
    #[serde(default)]
    pub ledstate: LedState,
    #[serde(default)]
    pub liveliness: IStr,
    #[serde(default)]
    pub events: MachineEvents,
    /// Shared: machines of one cluster carry the same tags.
    #[serde(default)]
    pub tags: Vec<IStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<Hardware>,
}

/// The hardware summary the console shows (the NIC and disk trees are skipped).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    /// Bytes.
    #[serde(default)]
    pub memory: u64,
    #[serde(default)]
    pub cpu_cores: u32,
}

/// A firewall is a machine allocated with role `firewall`.
pub type Firewall = Machine;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    #[serde(default)]
    pub creator: IStr,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub project: IStr,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub role: IStr,
    /// Only `id` and `name` (see [`IdName`]).
    #[serde(default)]
    pub image: Option<IdName>,
    #[serde(default)]
    pub succeeded: bool,
    #[serde(default)]
    pub reinstall: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineState {
    #[serde(default)]
    pub value: IStr,
    #[serde(default)]
    pub description: IStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metal_hammer_version: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LedState {
    #[serde(default)]
    pub value: IStr,
    #[serde(default)]
    pub description: IStr,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineEvents {
    /// Newest first. metal-api sends up to 20; kclm keeps the newest
    /// [`EVENTS_KEPT`] and skips the rest while decoding.
    #[serde(default, deserialize_with = "newest_events")]
    pub log: Vec<ProvisioningEvent>,
    #[serde(default)]
    pub last_event_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_event: Option<ProvisioningEvent>,
    #[serde(default)]
    pub crash_loop: bool,
    #[serde(default)]
    pub failed_machine_reclaim: bool,
}

/// How many provisioning events a machine keeps (the console shows six).
pub const EVENTS_KEPT: usize = 8;

fn newest_events<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<ProvisioningEvent>, D::Error> {
    struct Newest;
    impl<'de> serde::de::Visitor<'de> for Newest {
        type Value = Vec<ProvisioningEvent>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of provisioning events")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(EVENTS_KEPT);
            while out.len() < EVENTS_KEPT {
                match seq.next_element()? {
                    Some(e) => out.push(e),
                    None => return Ok(out),
                }
            }
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(out)
        }
    }
    d.deserialize_any(Newest)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningEvent {
    #[serde(default)]
    pub time: IStr,
    #[serde(default)]
    pub event: IStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<IStr>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Size {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<Value>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartitionCapacity {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub servers: Vec<ServerCapacity>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerCapacity {
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub total: i32,
    #[serde(default)]
    pub allocated: i32,
    #[serde(default)]
    pub allocatable: i32,
    #[serde(default)]
    pub free: i32,
    #[serde(default)]
    pub faulty: i32,
    #[serde(default)]
    pub reservations: i32,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `v1.NetworkResponse`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitionid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projectid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parentnetworkid: Option<String>,
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub destinationprefixes: Vec<String>,
    #[serde(default)]
    pub nat: bool,
    #[serde(default)]
    pub privatesuper: bool,
    #[serde(default)]
    pub underlay: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<NetworkUsage>,
}

/// `v1.NetworkUsage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkUsage {
    #[serde(default)]
    pub available_ips: u64,
    #[serde(default)]
    pub used_ips: u64,
    #[serde(default)]
    pub available_prefixes: u64,
    #[serde(default)]
    pub used_prefixes: u64,
}

/// `v1.IPResponse`. Machine IPs carry the tag `machine.metal-stack.io/id=<uuid>`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ip {
    #[serde(default)]
    pub ipaddress: String,
    #[serde(default)]
    pub allocationuuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub networkid: String,
    #[serde(default)]
    pub projectid: String,
    /// `ephemeral` or `static`.
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One row of `POST /v1/machine/issues/evaluate`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineIssues {
    #[serde(default)]
    pub machineid: String,
    #[serde(default)]
    pub issues: Vec<String>,
}

/// metal-api's error body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpError {
    #[serde(default)]
    pub statuscode: i32,
    #[serde(default)]
    pub message: String,
}

/// Severity of a machine issue, ordered minor < major < critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Major,
    Critical,
}

/// Issue ids in metal-api's display order, with their severity.
pub const ISSUE_TYPES: &[(&str, Severity)] = &[
    ("no-partition", Severity::Major),
    ("liveliness-dead", Severity::Major),
    ("liveliness-unknown", Severity::Major),
    ("liveliness-not-available", Severity::Minor),
    ("failed-machine-reclaim", Severity::Critical),
    ("crashloop", Severity::Major),
    ("last-event-error", Severity::Minor),
    ("bmc-without-mac", Severity::Major),
    ("bmc-without-ip", Severity::Major),
    ("bmc-info-outdated", Severity::Major),
    ("asn-not-unique", Severity::Minor),
    ("bmc-no-distinct-ip", Severity::Major),
    ("no-event-container", Severity::Major),
];

pub fn issue_severity(id: &str) -> Option<Severity> {
    ISSUE_TYPES.iter().find(|(i, _)| *i == id).map(|(_, s)| *s)
}

impl Machine {
    /// Value of a `key=value` tag (split on the first `=`; the last one wins).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .filter_map(|t| t.split_once('='))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .next_back()
    }
    pub fn cluster_id(&self) -> Option<&str> {
        self.tag(TAG_CLUSTER_ID)
    }
    pub fn partition_id(&self) -> &str {
        self.partition.as_ref().map(|p| p.id.as_str()).unwrap_or("")
    }
    pub fn size_id(&self) -> &str {
        self.size.as_ref().map(|s| s.id.as_str()).unwrap_or("")
    }
    pub fn hostname(&self) -> &str {
        self.allocation
            .as_ref()
            .map(|a| a.hostname.as_str())
            .unwrap_or("")
    }
    pub fn project(&self) -> &str {
        self.allocation
            .as_ref()
            .map(|a| a.project.as_str())
            .unwrap_or("")
    }
    pub fn image_id(&self) -> &str {
        self.allocation
            .as_ref()
            .and_then(|a| a.image.as_ref())
            .map(|i| i.id.as_str())
            .unwrap_or("")
    }
    pub fn is_firewall(&self) -> bool {
        self.allocation
            .as_ref()
            .is_some_and(|a| a.role == "firewall")
    }
    pub fn last_event(&self) -> Option<&ProvisioningEvent> {
        self.events.log.first()
    }
}
