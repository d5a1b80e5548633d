//! The simulation: what gardenlet, the gardener-controller-manager, the
//! project controller and metal-stack do after the API accepted a change.
//! Shoots being created, reconciled, hibernated, woken up, maintained or
//! deleted progress on a ticking clock scaled by `time_scale`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

use super::gardener_rules::{self, set_status_label};
use super::generate::{self, FIREWALL_IMAGES, FIREWALL_SIZE};
use super::generate_infra::{ShootMachines, shoot_allocation};
use super::generate_shoot::{
    default_constraints, healthy_conditions, hibernated_conditions, last_operation,
};
use super::kube_store::{Key, now_str};
use super::resources::{NAMESPACES, PROJECTS, SEEDS, SHOOTS};
use super::rng::Rng;
use super::simulate_upkeep::{heartbeat, housekeeping, maintain};
use super::{Shared, World};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    Create,
    Reconcile,
    Hibernate,
    Wake,
    Delete,
    Maintain,
}

impl OpKind {
    /// Simulated seconds the operation takes.
    fn duration(self) -> f64 {
        match self {
            OpKind::Create => 20.0,
            OpKind::Delete => 15.0,
            OpKind::Reconcile | OpKind::Hibernate | OpKind::Wake => 10.0,
            OpKind::Maintain => 1.0,
        }
    }
    fn op_type(self) -> &'static str {
        match self {
            OpKind::Create => "Create",
            OpKind::Delete => "Delete",
            _ => "Reconcile",
        }
    }
}

#[derive(Clone, Debug)]
struct Op {
    kind: OpKind,
    started: f64,
    progress: i64,
}

pub(crate) struct SimState {
    pub rng: Rng,
    /// Simulated seconds since start.
    clock: f64,
    ops: BTreeMap<Key, Op>,
    pub(crate) last_heartbeat: Option<Instant>,
}

impl SimState {
    pub fn new(rng: Rng) -> Self {
        Self {
            rng,
            clock: 0.0,
            ops: BTreeMap::new(),
            last_heartbeat: None,
        }
    }

    fn start(&mut self, key: Key, kind: OpKind) {
        let clock = self.clock;
        self.ops.insert(
            key,
            Op {
                kind,
                started: clock,
                progress: -1,
            },
        );
    }
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

fn key(o: &Value) -> Key {
    (
        s(o, "/metadata/namespace").to_string(),
        s(o, "/metadata/name").to_string(),
    )
}

/// Reacts to an accepted write by starting what the controllers would do.
pub(crate) fn on_write(world: &mut World, res: usize, old: Option<&Value>, new: Option<&Value>) {
    match res {
        SHOOTS => on_shoot_write(world, old, new),
        PROJECTS => {
            if let (None, Some(p)) = (old, new) {
                project_created(world, p);
            }
        }
        _ => {}
    }
}

fn on_shoot_write(world: &mut World, old: Option<&Value>, new: Option<&Value>) {
    let Some(new) = new else {
        if let Some(old) = old {
            world.sim.ops.remove(&key(old));
        }
        return;
    };
    let k = key(new);
    let deleting = !new["metadata"]["deletionTimestamp"].is_null();
    let Some(old) = old else {
        world.sim.start(k, OpKind::Create);
        return;
    };
    if deleting {
        if old["metadata"]["deletionTimestamp"].is_null() {
            world.sim.start(k, OpKind::Delete);
        }
        return;
    }
    if world
        .sim
        .ops
        .get(&k)
        .is_some_and(|o| matches!(o.kind, OpKind::Create | OpKind::Delete))
    {
        return;
    }
    let hib = |o: &Value| {
        o["spec"]["hibernation"]["enabled"]
            .as_bool()
            .unwrap_or(false)
    };
    let ann = |o: &Value, a: &str| {
        o["metadata"]["annotations"][a]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    if hib(old) != hib(new) {
        world.sim.start(
            k,
            if hib(new) {
                OpKind::Hibernate
            } else {
                OpKind::Wake
            },
        );
    } else if ann(new, gardener_rules::ANN_OPERATION) == "maintain"
        && ann(old, gardener_rules::ANN_OPERATION) != "maintain"
    {
        world.sim.start(k, OpKind::Maintain);
    } else if new["metadata"]["generation"] != old["metadata"]["generation"] {
        let confined = new["spec"]["maintenance"]["confineSpecUpdateRollout"]
            .as_bool()
            .unwrap_or(false);
        let forced = ann(old, gardener_rules::ANN_OPERATION)
            != ann(new, gardener_rules::ANN_OPERATION)
            || new["metadata"]["annotations"] != old["metadata"]["annotations"];
        // With confineSpecUpdateRollout only an explicit reconcile rolls a spec change out now.
        if !confined || forced {
            world.sim.start(k, OpKind::Reconcile);
        }
    }
}

/// The project controller: namespace and phase.
fn project_created(world: &mut World, p: &Value) {
    let name = s(p, "/metadata/name").to_string();
    let ns = match s(p, "/spec/namespace") {
        "" => format!("garden-{name}"),
        n => n.to_string(),
    };
    if world.kube.get(NAMESPACES, "", &ns).is_none() {
        world.kube.create(NAMESPACES, json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns, "gardener.cloud/role": "project", "project.gardener.cloud/name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
        }));
    }
    let mut p = p.clone();
    p["spec"]["namespace"] = json!(ns);
    p["status"] = json!({"phase": "Ready", "observedGeneration": p["metadata"]["generation"]});
    p["metadata"]["finalizers"] = json!(["gardener"]);
    world.kube.update(PROJECTS, p);
}

pub(crate) async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut last = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = Instant::now();
        let dt = now.duration_since(last).as_secs_f64() * shared.time_scale;
        last = now;
        let mut world = shared.lock();
        step(&mut world, dt);
    }
}

/// Advances the simulation by `dt` simulated seconds.
pub(crate) fn step(world: &mut World, dt: f64) {
    world.sim.clock += dt;
    let keys: Vec<Key> = world.sim.ops.keys().cloned().collect();
    for k in keys {
        advance(world, &k);
    }
    housekeeping(world);
    heartbeat(world);
}

fn progress_text(kind: OpKind, p: i64) -> &'static str {
    match (kind, p) {
        (OpKind::Create, 0..=20) => "Waiting until shoot infrastructure has been reconciled",
        (OpKind::Create, 21..=50) => "Waiting until the Kubernetes API server is ready",
        (OpKind::Create, _) => "Waiting until shoot worker nodes have been reconciled",
        (OpKind::Delete, 0..=50) => "Waiting until shoot worker nodes have been deleted",
        (OpKind::Delete, _) => "Waiting until shoot infrastructure has been destroyed",
        (OpKind::Hibernate, _) => "Hibernating cluster: scaling down worker nodes",
        (OpKind::Wake, _) => "Waking up cluster: scaling up worker nodes",
        _ => "Reconciliation of Shoot cluster in progress",
    }
}

fn advance(world: &mut World, k: &Key) {
    let Some(op) = world.sim.ops.get(k).cloned() else {
        return;
    };
    let Some(shoot) = world.kube.get(SHOOTS, &k.0, &k.1).cloned() else {
        world.sim.ops.remove(k);
        return;
    };
    let mut sh = (*shoot).clone();
    let frac = ((world.sim.clock - op.started) / op.kind.duration()).clamp(0.0, 1.0);
    let progress = ((frac * 100.0) as i64).min(100);
    if op.kind == OpKind::Maintain {
        maintain(world, &mut sh);
        world.sim.start(k.clone(), OpKind::Reconcile);
        world.kube.update(SHOOTS, sh);
        return;
    }
    // Side effects at fixed points of the operation.
    match op.kind {
        OpKind::Create => {
            if frac >= 0.1 && s(&sh, "/spec/seedName").is_empty() {
                if let Some(seed) = schedule(world, &sh) {
                    sh["spec"]["seedName"] = json!(seed);
                } else {
                    sh["status"]["lastErrors"] = json!([{"description": "Failed to schedule Shoot: no matching seed candidate found", "codes": ["ERR_CONFIGURATION_PROBLEM"], "lastUpdateTime": now_str()}]);
                }
            }
            if frac >= 0.3 {
                ensure_machines(world, &mut sh, frac >= 0.6);
            }
        }
        OpKind::Wake if frac >= 0.4 => ensure_machines(world, &mut sh, true),
        OpKind::Hibernate | OpKind::Delete if frac >= 0.5 => free_machines(world, &sh),
        _ => {}
    }
    if progress == op.progress && frac < 1.0 {
        return;
    }
    if let Some(o) = world.sim.ops.get_mut(k) {
        o.progress = progress;
    }
    if frac < 1.0 {
        sh["status"]["lastOperation"] = last_operation(
            op.kind.op_type(),
            "Processing",
            progress,
            progress_text(op.kind, progress),
            0,
        );
        if op.kind == OpKind::Create {
            complete_identity(world, &mut sh);
        }
        set_status_label(&mut sh);
        world.kube.update(SHOOTS, sh);
        return;
    }
    world.sim.ops.remove(k);
    match op.kind {
        OpKind::Delete => {
            world.kube.remove(SHOOTS, &k.0, &k.1);
            return;
        }
        OpKind::Hibernate => {
            sh["status"]["hibernated"] = json!(true);
            sh["status"]["conditions"] = json!(hibernated_conditions(0));
            sh["status"]["lastHibernationTriggerTime"] = json!(now_str());
        }
        _ => {
            sh["status"]["hibernated"] = json!(false);
            if sh["status"]["lastErrors"]
                .as_array()
                .is_none_or(|e| e.is_empty())
            {
                sh["status"]["conditions"] = json!(healthy_conditions(0));
            }
        }
    }
    if sh["status"]["constraints"].is_null() {
        sh["status"]["constraints"] = json!(default_constraints(0));
    }
    if let Some(st) = sh["status"].as_object_mut()
        && op.kind != OpKind::Create
    {
        st.remove("lastErrors");
    }
    let desc = match op.kind {
        OpKind::Create => "Shoot cluster has been successfully created.",
        _ => "Shoot cluster has been successfully reconciled.",
    };
    sh["status"]["lastOperation"] = last_operation(op.kind.op_type(), "Succeeded", 100, desc, 0);
    sh["status"]["observedGeneration"] = sh["metadata"]["generation"].clone();
    if s(&sh, "/status/seedName").is_empty() {
        let seed = sh["spec"]["seedName"].clone();
        sh["status"]["seedName"] = seed;
    }
    set_status_label(&mut sh);
    world.kube.update(SHOOTS, sh);
}

/// technicalID, uid, gardener info: written by gardenlet on its first reconcile.
fn complete_identity(world: &mut World, sh: &mut Value) {
    if !s(sh, "/status/technicalID").is_empty() {
        return;
    }
    let ns = s(sh, "/metadata/namespace").to_string();
    let project = world
        .kube
        .list(PROJECTS)
        .find(|p| s(p, "/spec/namespace") == ns)
        .map(|p| s(p, "/metadata/name").to_string())
        .unwrap_or(ns.clone());
    let name = s(sh, "/metadata/name").to_string();
    sh["status"]["technicalID"] = json!(format!("shoot--{project}--{name}"));
    sh["status"]["uid"] = sh["metadata"]["uid"].clone();
    sh["status"]["gardener"] = json!({"id": world.sim.rng.hex(16), "name": format!("gardenlet-{}", world.sim.rng.suffix(5)), "version": generate::GARDENER_VERSION});
    sh["status"]["hibernated"] = json!(false);
    sh["status"]["advertisedAddresses"] = json!([{"name": "external", "url": format!("https://api.{name}.{project}.shoot.demo.metal-stack.io")}]);
    if let Some(f) = sh["metadata"]["finalizers"].as_array_mut() {
        if !f.iter().any(|x| x == "gardener") {
            f.push(json!("gardener"));
        }
    } else {
        sh["metadata"]["finalizers"] = json!(["gardener"]);
    }
}

/// The scheduler: a ready seed in the shoot's region, preferring its partition.
fn schedule(world: &World, sh: &Value) -> Option<String> {
    let region = s(sh, "/spec/region");
    let partition = s(sh, "/spec/provider/infrastructureConfig/partitionID");
    let ready = |seed: &Value| {
        seed["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "GardenletReady" && c["status"] == "True")
    };
    let candidates: Vec<&Arc<Value>> = world
        .kube
        .list(SEEDS)
        .filter(|sd| s(sd, "/spec/provider/region") == region && ready(sd))
        .collect();
    candidates
        .iter()
        .find(|sd| {
            sd["spec"]["provider"]["zones"]
                .as_array()
                .is_some_and(|z| z.iter().any(|x| x == partition))
        })
        .or(candidates.first())
        .map(|sd| s(sd, "/metadata/name").to_string())
}

fn shoot_machines(sh: &Value) -> ShootMachines {
    let pools = sh["spec"]["provider"]["workers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            (
                s(w, "/name").to_string(),
                s(w, "/machine/type").to_string(),
                format!(
                    "{}-{}",
                    s(w, "/machine/image/name"),
                    s(w, "/machine/image/version")
                ),
                w["minimum"].as_u64().unwrap_or(1) as usize,
            )
        })
        .collect();
    ShootMachines {
        uid: s(sh, "/metadata/uid").to_string(),
        technical_id: s(sh, "/status/technicalID").to_string(),
        project: s(sh, "/spec/provider/infrastructureConfig/projectID").to_string(),
        partition: s(sh, "/spec/provider/infrastructureConfig/partitionID").to_string(),
        region: s(sh, "/spec/region").to_string(),
        pools,
    }
}

fn machines_of(world: &World, uid: &str) -> Vec<(String, String, String)> {
    let tag = json!(format!("cluster.metal-stack.io/id={uid}"));
    world
        .metal
        .machines
        .values()
        .filter(|m| m["tags"].as_array().is_some_and(|t| t.contains(&tag)))
        .map(|m| {
            (
                s(m, "/id").to_string(),
                s(m, "/allocation/role").to_string(),
                m["tags"].to_string(),
            )
        })
        .collect()
}

/// Allocates the firewall and (with `workers`) the worker machines a shoot lacks.
fn ensure_machines(world: &mut World, sh: &mut Value, workers: bool) {
    let sm = shoot_machines(sh);
    if sm.uid.is_empty() || sm.partition.is_empty() {
        return;
    }
    let have = machines_of(world, &sm.uid);
    let mut short = Vec::new();
    if !have.iter().any(|(_, role, _)| role == "firewall") {
        match world
            .metal
            .free_machines(&sm.partition, FIREWALL_SIZE)
            .first()
            .cloned()
        {
            Some(id) => {
                let host = format!("{}-firewall-{}", sm.technical_id, world.sim.rng.suffix(5));
                let image = s(sh, "/spec/provider/infrastructureConfig/firewall/image");
                let image = if image.is_empty() {
                    FIREWALL_IMAGES[0]
                } else {
                    image
                };
                let alloc = shoot_allocation(&sm, "firewall", &host, image, FIREWALL_SIZE, None);
                let mut rng = world.sim.rng.clone();
                world.metal.allocate(&id, alloc, &mut rng);
                world.sim.rng = rng;
            }
            None => short.push(FIREWALL_SIZE.to_string()),
        }
    }
    if workers {
        for (pool, size, image, n) in &sm.pools {
            let pool_tag = format!("worker.gardener.cloud/pool={pool}");
            let count = have
                .iter()
                .filter(|(_, r, tags)| r == "machine" && tags.contains(&pool_tag))
                .count();
            for _ in count..*n {
                let Some(id) = world
                    .metal
                    .free_machines(&sm.partition, size)
                    .first()
                    .cloned()
                else {
                    short.push(size.clone());
                    break;
                };
                let host = format!(
                    "{}-{pool}-z1-{}-{}",
                    sm.technical_id,
                    world.sim.rng.hex(5),
                    world.sim.rng.suffix(5)
                );
                let alloc = shoot_allocation(&sm, "machine", &host, image, size, Some(pool));
                let mut rng = world.sim.rng.clone();
                world.metal.allocate(&id, alloc, &mut rng);
                world.sim.rng = rng;
            }
        }
    }
    if !short.is_empty() && sh["status"]["lastErrors"].is_null() {
        sh["status"]["lastErrors"] = json!([{
            "description": format!("no machine of size {} available in partition {}", short.join(", "), sm.partition),
            "taskID": "Waiting until shoot worker nodes have been reconciled",
            "codes": ["ERR_INFRA_RESOURCES_DEPLETED"], "lastUpdateTime": now_str()
        }]);
    }
}

fn free_machines(world: &mut World, sh: &Value) {
    let uid = s(sh, "/metadata/uid").to_string();
    for (id, _, _) in machines_of(world, &uid) {
        world.metal.free(&id);
    }
}
