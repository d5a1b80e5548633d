//! Tests of the simulated metal-api through kclm's own metal client.

use serde_json::{Value, json};

use super::tests_kube::demo;
use super::{DemoHandle, resources::SHOOTS};
use crate::landscape::{Landscape, Update};
use crate::source::metal::{MetalAuth, MetalClient, MetalConfig, MetalError};

fn metal(h: &DemoHandle, key: &str, auth_type: &str) -> MetalClient {
    MetalClient::new(&MetalConfig {
        url: h.metal_url.clone(),
        auth: MetalAuth::Hmac {
            key: key.to_string(),
            auth_type: auth_type.to_string(),
        },
    })
    .unwrap()
}

#[tokio::test]
async fn snapshot_joins_machines_to_shoots() {
    let h = demo(1.0).await;
    let c = metal(&h, &h.hmac_admin, "Metal-Admin");
    let (snap, states) = c.snapshot().await;
    assert!(
        states
            .iter()
            .all(|(_, s)| *s == crate::landscape::SourceState::Synced),
        "{states:?}"
    );
    let machines = snap.machines.clone().unwrap();
    let machines: Vec<_> = machines.iter().map(|m| (**m).clone()).collect();
    let firewalls = snap.firewalls.clone().unwrap();
    assert!(machines.len() >= 80, "{} machines", machines.len());
    assert!(!firewalls.is_empty() && firewalls.iter().all(|f| f.is_firewall()));
    assert_eq!(snap.partitions.as_ref().unwrap().len(), 3);
    assert!(snap.issues.as_ref().is_some_and(|i| !i.is_empty()));
    let capacity = snap.capacity.clone().unwrap();
    let total: i32 = capacity
        .iter()
        .flat_map(|p| &p.servers)
        .map(|s| s.total)
        .sum();
    assert_eq!(
        total as usize,
        machines.len() + firewalls.len(),
        "capacity counts every machine once; the snapshot splits firewalls off"
    );
    assert!(machines.iter().all(|m| !m.is_firewall()));

    let (uids, awake): (Vec<String>, Vec<String>) = {
        let w = h.shared().lock();
        let uids = w
            .kube
            .list(SHOOTS)
            .map(|s| s["metadata"]["uid"].as_str().unwrap().to_string())
            .collect();
        let awake = w
            .kube
            .list(SHOOTS)
            .filter(|s| s["status"]["hibernated"] == false)
            .map(|s| s["metadata"]["uid"].as_str().unwrap().to_string())
            .collect();
        (uids, awake)
    };
    for m in machines.iter().filter(|m| {
        m.tag("cluster.metal-stack.io/name")
            .is_some_and(|n| n.starts_with("shoot--"))
    }) {
        assert!(
            uids.iter().any(|u| Some(u.as_str()) == m.cluster_id()),
            "machine {} belongs to a shoot",
            m.id
        );
    }
    let mut ls = Landscape::new();
    let shoots: Vec<crate::model::gardener::Shoot> = {
        let w = h.shared().lock();
        w.kube
            .list(SHOOTS)
            .map(|s| serde_json::from_value((**s).clone()).unwrap())
            .collect()
    };
    ls.apply(Update::Relisted(
        crate::landscape::Kind::Shoot,
        shoots
            .into_iter()
            .map(crate::landscape::KubeObject::from)
            .collect(),
    ));
    ls.apply(Update::Metal(Box::new(snap)));
    for uid in &awake {
        let shoot = ls.shoot_by_uid(uid).unwrap().clone();
        assert!(
            ls.machines_of_shoot(&shoot).count() >= 1,
            "{} has workers",
            shoot.name()
        );
        assert_eq!(
            ls.firewalls_of_shoot(&shoot).count(),
            1,
            "{} has one firewall",
            shoot.name()
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn authentication_and_roles() {
    let h = demo(1.0).await;
    let wrong = metal(&h, "not-the-key", "Metal-Admin");
    match wrong.partitions().await {
        Err(MetalError::Forbidden {
            status: 403,
            message,
        }) => assert!(message.contains("access denied"), "{message}"),
        other => panic!("expected 403, got {other:?}"),
    }
    let viewer = metal(&h, &h.hmac_view, "Metal-View");
    let id = viewer.find_machines(json!({})).await.unwrap()[0].id.clone();
    match viewer.power(&id, "reset").await {
        Err(MetalError::Forbidden {
            status: 403,
            message,
        }) => {
            assert_eq!(
                message,
                "you are not member in one of [maas-all-all-edit maas-all-all-admin]"
            )
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let editor = metal(&h, &h.hmac_edit, "Metal-Edit");
    let m = editor.power(&id, "reset").await.unwrap();
    assert_eq!(m.events.log[0].event, "Planned Reboot");
    assert_eq!(m.events.log[0].message.as_deref(), Some("reset"));
    let bearer = MetalClient::new(&MetalConfig {
        url: h.metal_url.clone(),
        auth: MetalAuth::Token(h.hmac_admin.clone()),
    })
    .unwrap();
    assert_eq!(bearer.sizes().await.unwrap().len(), 3);
    let health: Value = reqwest::get(format!("{}/v1/health", h.metal_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "healthy");
    let r = reqwest::get(format!("{}/v1/machine", h.metal_url))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    h.shutdown().await;
}

#[tokio::test]
async fn machine_state_led_find_and_issues() {
    let h = demo(1.0).await;
    let c = metal(&h, &h.hmac_admin, "Metal-Admin");
    let free = c
        .find_machines(json!({"partition_id": "fra-equ02", "sizeid": "c2-large-x86"}))
        .await
        .unwrap();
    assert!(
        !free.is_empty()
            && free
                .iter()
                .all(|m| m.partition_id() == "fra-equ02" && m.size_id() == "c2-large-x86")
    );
    let id = free
        .iter()
        .find(|m| m.allocation.is_none())
        .unwrap()
        .id
        .clone();
    match c.set_state(&id, "LOCKED", "").await {
        Err(MetalError::Http {
            status: 400,
            message,
        }) => assert_eq!(message, "you must supply a description"),
        other => panic!("expected 400, got {other:?}"),
    }
    let m = c
        .set_state(&id, "RESERVED", "kept for tests")
        .await
        .unwrap();
    assert_eq!(
        (m.state.value.as_str(), m.state.description.as_str()),
        ("RESERVED", "kept for tests")
    );
    let m = c.identify(&id, true, "find me").await.unwrap();
    assert_eq!(
        (m.ledstate.value.as_str(), m.ledstate.description.as_str()),
        ("LED-ON", "find me")
    );
    let uid = {
        let w = h.shared().lock();
        w.kube
            .list(SHOOTS)
            .find(|s| s["status"]["hibernated"] == false)
            .unwrap()["metadata"]["uid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let tagged = c.find_machines(json!({"tags": [format!("cluster.metal-stack.io/id={uid}")], "allocation_role": "machine"})).await.unwrap();
    assert!(
        !tagged.is_empty()
            && tagged
                .iter()
                .all(|m| m.cluster_id() == Some(uid.as_str()) && !m.is_firewall())
    );
    let fws = c
        .find_firewalls(json!({"tags": [format!("cluster.metal-stack.io/id={uid}")]}))
        .await
        .unwrap();
    assert_eq!(fws.len(), 1);
    let issues = c.evaluate_issues().await.unwrap();
    let all: Vec<&str> = issues
        .iter()
        .flat_map(|i| i.issues.iter().map(String::as_str))
        .collect();
    for expected in [
        "liveliness-dead",
        "liveliness-unknown",
        "crashloop",
        "failed-machine-reclaim",
        "last-event-error",
        "bmc-info-outdated",
        "bmc-no-distinct-ip",
    ] {
        assert!(all.contains(&expected), "{expected} missing from {all:?}");
    }
    assert!(
        issues.iter().all(|i| !i.issues.is_empty()),
        "only machines with issues are returned"
    );
    let http = reqwest::Client::new();
    let h2 = crate::source::hmac::sign(
        h.hmac_admin.as_bytes(),
        "Metal-Admin",
        "POST",
        jiff::Timestamp::now(),
    );
    let crit: Value = http
        .post(format!("{}/v1/machine/issues/evaluate", h.metal_url))
        .header("Authorization", h2.authorization)
        .header("X-Date", h2.x_date)
        .header("X-Data-Salt", h2.x_data_salt)
        .json(&json!({"severity": "critical"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        crit.as_array()
            .unwrap()
            .iter()
            .all(|i| i["issues"] == json!(["failed-machine-reclaim"]))
    );
    h.shutdown().await;
}

/// Two poller rounds: a heartbeat (only `last_event_time` moves) keeps the
/// machine's `Arc`, a real change does not, and the store shows the time the
/// server sent.
#[tokio::test]
async fn poll_rounds_share_unchanged_machines() {
    use crate::source::metal_share::MachineCache;
    use std::sync::Arc;

    // The simulated clock nearly stands still, and the first tick's
    // heartbeat (next one in 20 s) is over before the rounds.
    let h = demo(1e-9).await;
    while h.shared().lock().sim.last_heartbeat.is_none() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let c = metal(&h, &h.hmac_admin, "Metal-Admin");
    let mut cache = MachineCache::default();
    let (first, _) = c.snapshot_sharing(&mut cache).await;
    let all = |s: &crate::landscape::MetalSnapshot| -> Vec<Arc<crate::model::metal::Machine>> {
        let mut v = s.machines.clone().unwrap();
        v.extend(s.firewalls.clone().unwrap());
        v
    };
    let before = all(&first);
    assert_eq!(cache.len(), before.len());
    let (beat, changed) = {
        let mut w = h.shared().lock();
        let mut ids = w.metal.machines.keys().cloned();
        let (beat, changed) = (ids.next().unwrap(), ids.next().unwrap());
        w.metal.machines.get_mut(&beat).unwrap()["events"]["last_event_time"] =
            json!("2026-12-02T12:00:00Z");
        w.metal.machines.get_mut(&changed).unwrap()["ledstate"]["value"] = json!("LED-ON");
        (beat, changed)
    };
    let (second, _) = c.snapshot_sharing(&mut cache).await;
    let after = all(&second);
    let same = |id: &str| {
        let a = before.iter().find(|m| m.id == id).unwrap();
        let b = after.iter().find(|m| m.id == id).unwrap();
        Arc::ptr_eq(a, b)
    };
    assert!(same(&beat), "a heartbeat keeps the machine");
    assert!(!same(&changed), "a changed LED makes a new machine");
    let shared = before
        .iter()
        .filter(|m| after.iter().any(|n| Arc::ptr_eq(m, n)))
        .count();
    assert_eq!(
        shared,
        before.len() - 1,
        "all but the changed machine are shared"
    );

    let mut ls = Landscape::new();
    ls.apply(Update::Metal(Box::new(second)));
    let m = ls
        .machines
        .get(&beat)
        .or_else(|| ls.firewalls.get(&beat))
        .unwrap();
    assert_eq!(ls.last_event_time(m), Some("2026-12-02T12:00:00Z"));
    let whole = ls.metal_object(&beat).unwrap();
    let served = c.machine(&beat).await.unwrap();
    assert_eq!(
        whole, served,
        "the machine as shown is the machine as served"
    );
    assert_eq!(
        whole.events.last_event_time.as_deref(),
        Some("2026-12-02T12:00:00Z")
    );
}
