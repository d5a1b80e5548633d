//! Cluster-API objects from the CRDs: status through the subresource, kclm's
//! joins (Cluster -> Machines -> metal machines), and `kclm get clusters`.

use std::time::Duration;

use kclm::landscape::{Kind, Landscape, MetalSnapshot, ObjKey, SourceState, Update, rows};
use kclm::model::capi::{CapiMachine, Cluster, MetalStackMachine};
use kclm::model::metal::Machine;
use kclm::session::{Session, SessionOptions};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::fixture::{Target, drain_until, retry};
use crate::objects::{cluster, condition, machine, metal_stack_machine};

const PARTITION: &str = "fra-equ01";

fn uuid(n: u32) -> String {
    format!(
        "00000000-0000-0000-0000-{:012x}",
        rand::random::<u32>() as u64 * 16 + n as u64
    )
}

/// Creates Cluster `name` with three Machines (two with a providerID, one via
/// its MetalStackMachine) and sets status through `/status`. Returns the uuids.
async fn create_cluster(client: &kube::Client, ns: &str, name: &str) -> Vec<String> {
    let clusters: Api<Cluster> = Api::namespaced(client.clone(), ns);
    let machines: Api<CapiMachine> = Api::namespaced(client.clone(), ns);
    let msms: Api<MetalStackMachine> = Api::namespaced(client.clone(), ns);
    let ids: Vec<String> = (1..=3).map(uuid).collect();
    let pid = |id: &str| format!("metal:///{PARTITION}/{id}");
    let pp = PostParams::default();
    retry(async || clusters.create(&pp, &cluster(name)).await)
        .await
        .expect("cluster");
    for (i, id) in ids.iter().enumerate() {
        let m = format!("{name}-m{i}");
        let with_id = (i < 2).then(|| pid(id));
        retry(async || {
            machines
                .create(&pp, &machine(&m, name, with_id.as_deref()))
                .await
        })
        .await
        .expect("machine");
        if i == 2 {
            retry(async || msms.create(&pp, &metal_stack_machine(&m, &pid(id))).await)
                .await
                .expect("metalstackmachine");
        }
        let status = json!({"status": {"phase": "Running", "conditions": [condition("Ready", "True", "Ready")]}});
        machines
            .patch_status(&m, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .expect("machine status");
    }
    let status = json!({"status": {"phase": "Provisioned", "conditions": [condition("Available", "True", "Available")]}});
    let c = clusters
        .patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("cluster status");
    assert_eq!(c.phase(), "Provisioned");
    assert_eq!(
        c.metadata.generation,
        Some(1),
        "a status change is not a spec change"
    );
    // Status in a main-resource write is ignored.
    let ignored = json!({"status": {"phase": "Failed"}});
    let c = clusters
        .patch(name, &PatchParams::default(), &Patch::Merge(&ignored))
        .await
        .unwrap();
    assert_eq!(c.phase(), "Provisioned");
    ids
}

fn metal_machine(id: &str) -> Machine {
    serde_json::from_value(json!({"id": id, "partition": {"id": PARTITION}})).unwrap()
}

#[tokio::test]
async fn capi_cluster_machines_and_metal_machines_join_in_the_store() {
    let t = Target::start("capi_join").await;
    let ns = t.namespace("capi").await;
    let ids = create_cluster(&t.admin().await, &ns, "alpha").await;

    let mut target = kclm::config::Target::demo(false);
    target.demo = false;
    target.name = "contract".into();
    target.capi = Some(t.kube_target(&t.admin));
    let opts = SessionOptions {
        kinds: vec![Kind::Cluster, Kind::CapiMachine, Kind::MetalStackMachine],
        ..Default::default()
    };
    let mut session = Session::start(&target, opts).await.expect("session");
    let mut ls = Landscape::new();
    assert!(session.wait_settled(&mut ls, Duration::from_secs(15)).await);
    let key = ObjKey::new(&ns, "alpha");
    drain_until(
        &mut session.rx,
        &mut ls,
        15,
        "the cluster and its machines",
        |ls| {
            [Kind::Cluster, Kind::CapiMachine, Kind::MetalStackMachine]
                .iter()
                .all(|k| ls.sources.get(k) == Some(&SourceState::Synced))
                && ls
                    .clusters
                    .get(&key)
                    .is_some_and(|c| c.phase() == "Provisioned")
                && ls
                    .capi_machines
                    .keys()
                    .filter(|k| k.namespace == ns)
                    .count()
                    == 3
                && ls.metal_stack_machines.keys().any(|k| k.namespace == ns)
        },
    )
    .await;
    // The metal side comes from metal-api, which neither target has here.
    ls.apply(Update::Metal(Box::new(MetalSnapshot {
        machines: Some(
            ids.iter()
                .map(|id| std::sync::Arc::new(metal_machine(id)))
                .collect(),
        ),
        ..Default::default()
    })));
    let alpha = ls.clusters[&key].clone();
    assert_eq!(ls.capi_machines_of_cluster(&alpha).count(), 3);
    let mut joined: Vec<String> = ls
        .metal_machines_of_cluster(&alpha)
        .map(|m| m.id.clone())
        .collect();
    joined.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(
        joined, want,
        "two by providerID, one through its MetalStackMachine"
    );
    assert_eq!(
        ls.cluster_of_machine(&ids[0]).map(|c| c.name()),
        Some("alpha")
    );
    let row = rows::cluster_rows(&ls)
        .into_iter()
        .find(|r| r.namespace == ns && r.name == "alpha")
        .expect("a row for alpha");
    assert_eq!(row.phase, "Provisioned");
    assert_eq!(row.available.as_deref(), Some("True"));
    assert_eq!(row.machines, 3);
    assert_eq!(
        row.infrastructure.as_deref(),
        Some("MetalStackCluster/alpha")
    );
    assert_eq!(
        row.control_plane.as_deref(),
        Some("KubeadmControlPlane/alpha-cp")
    );
    session.shutdown().await;
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kclm_get_clusters_binary_shows_the_created_clusters() {
    let t = Target::start("kclm_get_clusters").await;
    let ns = t.namespace("cli").await;
    create_cluster(&t.admin().await, &ns, "beta").await;
    let (kc, ctx) = (t.kubeconfig.clone(), t.admin.clone());
    // The demo (if that is the target) serves from this process: run the binary beside it.
    let out = tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = assert_cmd::Command::cargo_bin("kclm").unwrap();
        cmd.env_clear()
            .env("HOME", home.path())
            .env("KCLM_CONFIG_DIR", home.path().join("config"))
            .env("KCLM_STATE_DIR", home.path().join("state"))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("get")
            .arg("clusters")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["--context", &ctx, "--capi-context", &ctx, "-o", "json"])
            .timeout(Duration::from_secs(30));
        let out = cmd.output().expect("kclm runs");
        assert!(
            out.status.success(),
            "kclm failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    })
    .await
    .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out).expect("JSON rows");
    let beta = rows
        .as_array()
        .expect("an array of rows")
        .iter()
        .find(|r| r["namespace"] == ns.as_str() && r["name"] == "beta")
        .unwrap_or_else(|| panic!("cluster {ns}/beta in {rows}"));
    assert_eq!(beta["phase"], "Provisioned");
    assert_eq!(beta["machines"], 3);
    assert_eq!(beta["control_plane"], "KubeadmControlPlane/beta-cp");
    t.shutdown().await;
}
