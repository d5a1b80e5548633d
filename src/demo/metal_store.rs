//! The simulated metal-api's data: machines (firewalls included) as the JSON
//! metal-api v1 returns, their BMC data, partitions, sizes and images, plus the
//! find filters, issue evaluation and capacity computation metal-api does.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::rng::Rng;

/// Issue ids, severities and descriptions in metal-api's display order.
pub(crate) const ISSUES: &[(&str, &str, &str)] = &[
    ("no-partition", "major", "machine with no partition"),
    (
        "liveliness-dead",
        "major",
        "the machine is not sending events anymore",
    ),
    (
        "liveliness-unknown",
        "major",
        "the machine is not sending LLDP alive messages anymore",
    ),
    (
        "liveliness-not-available",
        "minor",
        "the machine liveliness is not available",
    ),
    (
        "failed-machine-reclaim",
        "critical",
        "machine phones home but not allocated",
    ),
    (
        "crashloop",
        "major",
        "machine is in a provisioning crash loop (⭕)",
    ),
    (
        "last-event-error",
        "minor",
        "the machine had an error during the provisioning lifecycle recently (❗)",
    ),
    ("bmc-without-mac", "major", "BMC has no mac address"),
    ("bmc-without-ip", "major", "BMC has no ip address"),
    (
        "bmc-info-outdated",
        "major",
        "BMC has not been updated from either metal-bmc or metal-hammer",
    ),
    (
        "asn-not-unique",
        "minor",
        "The ASN is not unique (only impact on firewalls)",
    ),
    (
        "bmc-no-distinct-ip",
        "major",
        "BMC IP address is not distinct",
    ),
    (
        "no-event-container",
        "major",
        "machine has no event container",
    ),
];

const SEVERITIES: [&str; 3] = ["minor", "major", "critical"];

pub(crate) fn ts(offset_secs: i64) -> String {
    let t = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(offset_secs))
        .unwrap_or_else(|_| jiff::Timestamp::now());
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn age_secs(t: &str) -> Option<i64> {
    let t: jiff::Timestamp = t.parse().ok()?;
    Some(jiff::Timestamp::now().as_second() - t.as_second())
}

#[derive(Default)]
pub(crate) struct MetalStore {
    pub machines: BTreeMap<String, Value>,
    pub ipmi: HashMap<String, Value>,
    pub partitions: Vec<Value>,
    pub sizes: Vec<Value>,
    pub images: Vec<Value>,
}

/// Everything an allocation writes onto a machine.
pub(crate) struct Allocation<'a> {
    pub hostname: String,
    pub project: &'a str,
    pub role: &'a str,
    pub image_id: &'a str,
    pub tags: Vec<String>,
    pub created_offset: i64,
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

impl MetalStore {
    pub fn partition(&self, id: &str) -> Value {
        self.partitions
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }
    pub fn size(&self, id: &str) -> Value {
        self.sizes
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }
    pub fn image(&self, id: &str) -> Value {
        self.images
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Machines free for allocation: waiting, unlocked, alive, unallocated.
    pub fn free_machines(&self, partition: &str, size: &str) -> Vec<String> {
        self.machines
            .values()
            .filter(|m| {
                m["allocation"].is_null()
                    && str_at(m, "/partition/id") == partition
                    && str_at(m, "/size/id") == size
                    && is_allocatable(m)
            })
            .map(|m| str_at(m, "/id").to_string())
            .collect()
    }

    pub fn allocate(&mut self, id: &str, a: Allocation<'_>, rng: &mut Rng) {
        let image = self.image(a.image_id);
        let Some(m) = self.machines.get_mut(id) else {
            return;
        };
        let rack = m["rackid"].as_str().unwrap_or("").to_string();
        let asn = 4_200_000_000u64 + rng.below(90_000) as u64;
        let mut tags = a.tags;
        tags.push(format!("machine.metal-stack.io/network.primary.asn={asn}"));
        tags.push(format!("machine.metal-stack.io/rack={rack}"));
        tags.push(format!(
            "machine.metal-stack.io/chassis={}",
            str_at(m, "/hardware/nics/0/mac").replace(':', "")
        ));
        let ip = format!(
            "10.{}.{}.{}",
            rng.below(200) + 20,
            rng.below(250),
            rng.below(250) + 2
        );
        let when = ts(a.created_offset);
        let private = json!({
            "networkid": rng.uuid(), "prefixes": ["10.0.0.0/8"], "ips": [ip],
            "destinationprefixes": [], "networktype": "privateprimaryunshared", "vrf": asn % 100_000,
            "asn": asn, "nat": false, "private": true, "underlay": false, "projectid": a.project,
            "networktypev2": "child", "nattypev2": "none"
        });
        let mut networks = vec![private];
        if a.role == "firewall" {
            networks.push(json!({
                "networkid": "internet", "prefixes": ["185.24.0.0/22"],
                "ips": [format!("185.24.{}.{}", rng.below(4), rng.below(250) + 2)],
                "destinationprefixes": ["0.0.0.0/0"], "networktype": "external", "vrf": 104009,
                "asn": asn, "nat": true, "private": false, "underlay": false, "projectid": "",
                "networktypev2": "external", "nattypev2": "ipv4-masq"
            }));
        }
        m["allocation"] = json!({
            "creator": if a.role == "firewall" { "firewall-controller-manager@gardener" } else { "machine-controller-manager@gardener" },
            "created": when, "name": a.hostname, "description": format!("{} created by Gardener.", a.hostname),
            "project": a.project, "image": image, "filesystemlayout": null, "networks": networks,
            "hostname": a.hostname, "ssh_pub_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyOnly gardener"],
            "succeeded": true, "reinstall": false, "boot_info": null, "role": a.role, "vpn": null,
            "allocationuuid": rng.uuid(),
        });
        m["tags"] = json!(tags);
        m["changed"] = json!(when);
        let events = [
            ("Phoned Home", "phoned home"),
            ("Booting New Kernel", ""),
            ("Installing", ""),
        ];
        for (i, (ev, msg)) in events.iter().enumerate().rev() {
            push_event(m, &ts(a.created_offset + 60 * (3 - i as i64)), ev, msg);
        }
    }

    /// Frees a machine: metal-api reclaims it (Machine Reclaim → PXE → Waiting).
    pub fn free(&mut self, id: &str) {
        let Some(m) = self.machines.get_mut(id) else {
            return;
        };
        m["allocation"] = Value::Null;
        let rack = m["rackid"].as_str().unwrap_or("").to_string();
        m["tags"] = json!([format!("machine.metal-stack.io/rack={rack}")]);
        m["changed"] = json!(ts(0));
        for ev in [
            "Machine Reclaim",
            "PXE Booting",
            "Preparing",
            "Registering",
            "Waiting",
        ] {
            push_event(m, &ts(0), ev, "");
        }
        m["events"]["crash_loop"] = json!(false);
    }

    /// `POST /v1/machine/find` filters (present fields filter with equality).
    pub fn find(&self, q: &Value, role: Option<&str>) -> Vec<&Value> {
        self.machines
            .values()
            .filter(|m| matches_query(m, q, &self.ipmi))
            .filter(|m| role.is_none_or(|r| str_at(m, "/allocation/role") == r))
            .collect()
    }

    /// Issue ids per machine (only machines that have any), like `issues.Find`.
    pub fn evaluate_issues(&self, req: &Value) -> Result<Vec<(String, Vec<&'static str>)>, String> {
        let ids = |k: &str| -> Result<Vec<String>, String> {
            let list: Vec<String> = req[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            for id in &list {
                if !ISSUES.iter().any(|(i, _, _)| i == id) {
                    return Err(format!("specified issue with id {id:?} does not exist"));
                }
            }
            Ok(list)
        };
        let (only, omit) = (ids("only")?, ids("omit")?);
        let min_sev = req["severity"]
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or("minor");
        let min_rank = SEVERITIES
            .iter()
            .position(|s| *s == min_sev)
            .ok_or_else(|| format!("unknown issue severity: {min_sev}"))?;
        let threshold = match req["last_error_threshold"].as_i64() {
            Some(n) if n > 0 => n / 1_000_000_000,
            _ => 7 * 24 * 3600,
        };
        let bmc_ips = self.bmc_ip_counts();
        let asns = self.firewall_asn_counts();
        let mut out = Vec::new();
        for m in self.find(req, None) {
            let id = str_at(m, "/id");
            let found: Vec<&'static str> = self
                .issues_of(m, threshold, &bmc_ips, &asns)
                .into_iter()
                .filter(|i| omit.iter().all(|o| o != i))
                .filter(|i| only.is_empty() || only.iter().any(|o| o == i))
                .filter(|i| {
                    let sev = ISSUES
                        .iter()
                        .find(|(x, _, _)| x == i)
                        .map(|(_, s, _)| *s)
                        .unwrap_or("minor");
                    SEVERITIES.iter().position(|s| *s == sev).unwrap_or(0) >= min_rank
                })
                .collect();
            if !found.is_empty() {
                out.push((id.to_string(), found));
            }
        }
        Ok(out)
    }

    fn bmc_ip_counts(&self) -> HashMap<String, usize> {
        let mut c = HashMap::new();
        for i in self.ipmi.values() {
            if let Some(a) = i["address"].as_str().filter(|a| !a.is_empty()) {
                *c.entry(a.to_string()).or_insert(0) += 1;
            }
        }
        c
    }

    fn firewall_asn_counts(&self) -> HashMap<i64, usize> {
        let mut c = HashMap::new();
        for m in self
            .machines
            .values()
            .filter(|m| str_at(m, "/allocation/role") == "firewall")
        {
            for asn in network_asns(m) {
                *c.entry(asn).or_insert(0) += 1;
            }
        }
        c
    }

    /// The checks of metal-api's `issues` package, in display order.
    fn issues_of(
        &self,
        m: &Value,
        threshold_secs: i64,
        bmc_ips: &HashMap<String, usize>,
        asns: &HashMap<i64, usize>,
    ) -> Vec<&'static str> {
        let id = str_at(m, "/id");
        let ev = &m["events"];
        if ev.is_null() || m["liveliness"].as_str().unwrap_or("").is_empty() {
            return vec!["no-event-container"];
        }
        let mut out = Vec::new();
        if str_at(m, "/partition/id").is_empty() {
            out.push("no-partition");
        }
        match m["liveliness"].as_str().unwrap_or("") {
            "Alive" => {}
            "Dead" => out.push("liveliness-dead"),
            "Unknown" => out.push("liveliness-unknown"),
            _ => out.push("liveliness-not-available"),
        }
        let newest = str_at(ev, "/log/0/event");
        if ev["failed_machine_reclaim"].as_bool() == Some(true)
            || (m["allocation"].is_null() && newest == "Phoned Home")
        {
            out.push("failed-machine-reclaim");
        }
        if ev["crash_loop"].as_bool() == Some(true) && newest != "Waiting" {
            out.push("crashloop");
        }
        if let Some(age) = ev["last_error_event"]["time"].as_str().and_then(age_secs)
            && age < threshold_secs
        {
            out.push("last-event-error");
        }
        let ipmi = self.ipmi.get(id).cloned().unwrap_or(Value::Null);
        if str_at(&ipmi, "/mac").is_empty() {
            out.push("bmc-without-mac");
        }
        let addr = str_at(&ipmi, "/address");
        if addr.is_empty() {
            out.push("bmc-without-ip");
        }
        match ipmi["last_updated"].as_str().and_then(age_secs) {
            Some(age) if age <= 20 * 60 => {}
            _ => out.push("bmc-info-outdated"),
        }
        if str_at(m, "/allocation/role") == "firewall"
            && network_asns(m)
                .iter()
                .any(|a| *a != 0 && asns.get(a).copied().unwrap_or(0) > 1)
        {
            out.push("asn-not-unique");
        }
        if !addr.is_empty() && bmc_ips.get(addr).copied().unwrap_or(0) > 1 {
            out.push("bmc-no-distinct-ip");
        }
        out
    }

    /// `POST /v1/partition/capacity`: per partition and size.
    pub fn capacity(&self, req: &Value) -> Vec<Value> {
        let want_part = req["id"].as_str().filter(|s| !s.is_empty());
        let want_size = req["sizeid"].as_str().filter(|s| !s.is_empty());
        let bmc_ips = self.bmc_ip_counts();
        let asns = self.firewall_asn_counts();
        let mut out = Vec::new();
        for p in &self.partitions {
            let pid = str_at(p, "/id");
            if want_part.is_some_and(|w| w != pid) {
                continue;
            }
            let mut per_size: BTreeMap<String, Value> = BTreeMap::new();
            for m in self
                .machines
                .values()
                .filter(|m| str_at(m, "/partition/id") == pid)
            {
                let sid = str_at(m, "/size/id").to_string();
                if want_size.is_some_and(|w| w != sid) {
                    continue;
                }
                let c = per_size.entry(sid.clone()).or_insert_with(|| {
                    json!({"size": sid, "total": 0, "allocated": 0, "allocatable": 0, "free": 0,
                           "unavailable": 0, "faulty": 0, "faultymachines": [], "phoned_home": 0,
                           "waiting": 0, "other": 0, "othermachines": [], "reservations": 0,
                           "usedreservations": 0, "remainingreservations": 0})
                });
                let id = str_at(m, "/id").to_string();
                inc(c, "total");
                let newest = str_at(m, "/events/log/0/event");
                if !m["allocation"].is_null() {
                    inc(c, "allocated");
                } else if is_allocatable(m) {
                    inc(c, "allocatable");
                    inc(c, "free");
                } else {
                    inc(c, "unavailable");
                }
                match newest {
                    "Phoned Home" => inc(c, "phoned_home"),
                    "Waiting" => inc(c, "waiting"),
                    _ => {
                        inc(c, "other");
                        push(c, "othermachines", &id);
                    }
                }
                // Capacity counts faulty machines without last-event-error.
                let faulty = self
                    .issues_of(m, 7 * 24 * 3600, &bmc_ips, &asns)
                    .into_iter()
                    .any(|i| i != "last-event-error");
                if faulty {
                    inc(c, "faulty");
                    push(c, "faultymachines", &id);
                }
            }
            out.push(json!({
                "id": pid, "name": p["name"], "description": p["description"],
                "servers": per_size.into_values().collect::<Vec<_>>(),
            }));
        }
        out
    }
}

fn inc(c: &mut Value, k: &str) {
    c[k] = json!(c[k].as_i64().unwrap_or(0) + 1);
}

fn push(c: &mut Value, k: &str, id: &str) {
    if let Some(a) = c[k].as_array_mut() {
        a.push(json!(id));
    }
}

fn network_asns(m: &Value) -> Vec<i64> {
    m["allocation"]["networks"]
        .as_array()
        .map(|ns| ns.iter().filter_map(|n| n["asn"].as_i64()).collect())
        .unwrap_or_default()
}

/// `waiting && !preallocated && state=="" && liveliness==Alive`.
pub(crate) fn is_allocatable(m: &Value) -> bool {
    str_at(m, "/events/log/0/event") == "Waiting"
        && str_at(m, "/state/value").is_empty()
        && str_at(m, "/liveliness") == "Alive"
}

/// Prepends a provisioning event (newest first, at most 20).
pub(crate) fn push_event(m: &mut Value, time: &str, event: &str, message: &str) {
    if !m["events"]["log"].is_array() {
        m["events"]["log"] = json!([]);
    }
    if let Some(log) = m["events"]["log"].as_array_mut() {
        log.insert(0, json!({"time": time, "event": event, "message": message}));
        log.truncate(20);
    }
    m["events"]["last_event_time"] = json!(time);
}

fn matches_query(m: &Value, q: &Value, ipmi: &HashMap<String, Value>) -> bool {
    let Some(q) = q.as_object() else {
        return true;
    };
    q.iter().all(|(k, want)| {
        if want.is_null() {
            return true;
        }
        let eq = |p: &str| m.pointer(p).unwrap_or(&Value::Null) == want;
        match k.as_str() {
            "id" => eq("/id"),
            "name" => eq("/name"),
            "partition_id" => eq("/partition/id"),
            "sizeid" => eq("/size/id"),
            "rackid" => eq("/rackid"),
            "allocation_name" => eq("/allocation/name"),
            "allocation_project" => eq("/allocation/project"),
            "allocation_hostname" => eq("/allocation/hostname"),
            "allocation_image_id" => eq("/allocation/image/id"),
            "allocation_role" => eq("/allocation/role"),
            "allocation_succeeded" => eq("/allocation/succeeded"),
            // Compares the raw value: RESERVED is stored as TAINTED (see notes), so
            // a RESERVED filter matches nothing, as on metal-api >= v0.44.
            "state_value" => {
                let raw = match str_at(m, "/state/value") {
                    "RESERVED" => "TAINTED",
                    v => v,
                };
                want.as_str() == Some(raw)
            }
            "tags" => want.as_array().is_none_or(|tags| {
                let have = m["tags"].as_array();
                tags.iter().all(|t| have.is_some_and(|h| h.contains(t)))
            }),
            "ipmi_address" => ipmi
                .get(str_at(m, "/id"))
                .is_some_and(|i| &i["address"] == want),
            "network_ips" => want.as_array().is_none_or(|ips| {
                let have: Vec<&Value> = m["allocation"]["networks"]
                    .as_array()
                    .map(|ns| {
                        ns.iter()
                            .flat_map(|n| n["ips"].as_array().into_iter().flatten())
                            .collect()
                    })
                    .unwrap_or_default();
                ips.iter().all(|ip| have.contains(&ip))
            }),
            // Issue-request extras and filters this demo does not model match everything.
            _ => true,
        }
    })
}
