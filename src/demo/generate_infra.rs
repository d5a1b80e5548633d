//! The generated metal-stack side (partitions, sizes, images, machines with
//! their allocations and a few sick ones) and the Cluster-API / Kamaji objects.

use serde_json::{Value, json};

use super::generate::{FIREWALL_IMAGES, FIREWALL_SIZE, PARTITIONS, SIZES};
use super::kube_store::KubeStore;
use super::metal_store::{Allocation, MetalStore, push_event, ts};
use super::resources::{
    CLUSTERS, KCPS, MACHINEDEPLOYMENTS, MACHINES, METALSTACKCLUSTERS, METALSTACKMACHINES,
    TENANTCONTROLPLANES,
};
use super::rng::Rng;

pub(crate) const CAPI_NAMESPACE: &str = "metal-clusters";
const DAY: i64 = 86_400;

/// What a shoot needs from metal-stack: one firewall and its worker machines.
pub(crate) struct ShootMachines {
    pub uid: String,
    pub technical_id: String,
    pub project: String,
    pub partition: String,
    pub region: String,
    /// (pool, size, metal image id, count)
    pub pools: Vec<(String, String, String, usize)>,
}

pub(crate) fn catalog(metal: &mut MetalStore) {
    let created = ts(-600 * DAY);
    for (p, region) in PARTITIONS {
        metal.partitions.push(json!({
            "id": p, "name": p, "description": format!("{} datacenter {p}", region.to_uppercase()),
            "bootconfig": {"imageurl": "https://images.metal-stack.io/metal-os/stable/metal-hammer/metal-hammer-initrd.img.lz4",
                           "kernelurl": "https://images.metal-stack.io/metal-os/stable/metal-hammer/metal-hammer-kernel",
                           "commandline": "console=ttyS1,115200n8 ip=dhcp carrier_timeout=10"},
            "mgmtserviceaddress": format!("mgmt.{p}.demo.metal-stack.io:5222"),
            "labels": {"region": region}, "dns_servers": [{"ip": "1.1.1.1"}], "ntp_servers": [{"address": "pool.ntp.org"}],
            "created": created, "changed": created
        }));
    }
    for (s, cpu, mem) in SIZES {
        let bytes = mem * 1024 * 1024 * 1024;
        metal.sizes.push(json!({
            "id": s, "name": s, "description": format!("{cpu} cores, {mem} GiB"),
            "constraints": [{"type": "cores", "min": cpu, "max": cpu}, {"type": "memory", "min": bytes, "max": bytes},
                            {"type": "storage", "min": 240_000_000_000i64, "max": 4_000_000_000_000i64}],
            "labels": {}, "created": created, "changed": created
        }));
    }
    let images: &[(&str, &str, &str, &[&str])] = &[
        (
            "ubuntu-24.4.20250901",
            "Ubuntu 24.04",
            "supported",
            &["machine"],
        ),
        (
            "ubuntu-24.4.20250715",
            "Ubuntu 24.04",
            "deprecated",
            &["machine"],
        ),
        (
            "ubuntu-22.4.20250801",
            "Ubuntu 22.04",
            "deprecated",
            &["machine"],
        ),
        (
            "debian-12.0.20250815",
            "Debian 12",
            "supported",
            &["machine"],
        ),
        (
            "debian-12.0.20250601",
            "Debian 12",
            "deprecated",
            &["machine"],
        ),
        (FIREWALL_IMAGES[0], "Firewall 3", "supported", &["firewall"]),
        (
            FIREWALL_IMAGES[1],
            "Firewall 3",
            "deprecated",
            &["firewall"],
        ),
    ];
    for (id, name, class, features) in images {
        let exp = if *class == "supported" { 120 } else { 30 };
        metal.images.push(json!({
            "id": id, "name": name, "description": format!("{name} ({id})"),
            "url": format!("https://images.metal-stack.io/metal-os/{id}/img.tar.lz4"),
            "features": features, "expirationDate": ts(exp * DAY), "classification": class,
            "created": created, "changed": created
        }));
    }
}

fn new_machine(
    rng: &mut Rng,
    metal: &MetalStore,
    partition: &str,
    size: &str,
    rack: &str,
) -> Value {
    let mac_tail = rng.hex(6);
    let id = format!("00000000-0000-0000-0000-0cc47a{mac_tail}");
    let (cores, mem) = SIZES
        .iter()
        .find(|(s, _, _)| *s == size)
        .map(|(_, c, m)| (*c, m * 1024 * 1024 * 1024))
        .unwrap_or((8, 32 << 30));
    let mac = |n: u8| format!("0c:c4:7a:{}:{}:{:02x}", &mac_tail[..2], &mac_tail[2..4], n);
    let created = ts(-rng.between(200, 600) * DAY);
    let nics: Vec<Value> = (0..2u8)
        .map(|n| json!({"mac": mac(n), "name": format!("lan{n}"), "identifier": mac(n),
                        "neighbors": [{"mac": format!("44:38:39:00:{:02x}:{:02x}", n, rng.below(255)), "name": format!("Ethernet{}", rng.below(48)),
                                       "identifier": format!("Eth1/{}", n + 1), "neighbors": []}]}))
        .collect();
    let mut m = json!({
        "id": id, "name": "", "description": "",
        "partition": metal.partition(partition), "rackid": rack, "size": metal.size(size),
        "hardware": {"memory": mem, "cpu_cores": cores,
                     "cpus": [{"vendor": "GenuineIntel", "model": "Intel(R) Xeon(R) Gold 6338", "cores": cores / 2, "threads": cores}],
                     "gpus": [], "disks": [{"name": "/dev/nvme0n1", "size": 960_197_124_096i64}, {"name": "/dev/nvme1n1", "size": 960_197_124_096i64}],
                     "nics": nics},
        "bios": {"version": "2.4", "vendor": "American Megatrends Inc.", "date": "03/14/2024"},
        "allocation": null,
        "state": {"value": "", "description": "", "metal_hammer_version": "v0.13.9"},
        "ledstate": {"value": "", "description": ""},
        "liveliness": "Alive",
        "events": {"log": [], "last_event_time": null, "crash_loop": false, "failed_machine_reclaim": false},
        "tags": [format!("machine.metal-stack.io/rack={rack}")],
        "created": created, "changed": created
    });
    let boot = -rng.between(5, 60) * DAY;
    for (k, ev) in ["PXE Booting", "Preparing", "Registering", "Waiting"]
        .iter()
        .enumerate()
    {
        push_event(&mut m, &ts(boot + 40 * k as i64), ev, "");
    }
    m["events"]["last_event_time"] = json!(ts(-rng.between(1, 20)));
    m
}

fn ipmi(rng: &mut Rng, m: &Value, n: usize) -> Value {
    json!({
        "address": format!("10.255.{}.{}", n / 250, n % 250 + 2), "mac": m["hardware"]["nics"][0]["mac"].as_str().unwrap_or("").replace("0c:c4", "ac:1f"),
        "user": "ADMIN", "password": "demo-not-a-secret", "interface": "lanplus", "bmcversion": "3.10",
        "powerstate": "ON", "powermetric": {"averageconsumedwatts": 180 + rng.below(200), "intervalinmin": 1, "maxconsumedwatts": 520, "minconsumedwatts": 90},
        "powersupplies": [{"status": {"health": "OK", "state": "Enabled"}}, {"status": {"health": "OK", "state": "Enabled"}}],
        "fru": {"chassis_part_number": "CSE-819", "chassis_part_serial": format!("C819{}", rng.hex(8).to_uppercase()),
                "board_mfg": "Supermicro", "board_mfg_serial": format!("ZM{}", rng.hex(8).to_uppercase()),
                "board_part_number": "X12DPU-6", "product_manufacturer": "Supermicro", "product_part_number": "SYS-1029U",
                "product_serial": format!("S{}", rng.hex(9).to_uppercase())},
        "last_updated": ts(-rng.between(10, 300))
    })
}

/// Allocates machines for the shoots, then adds free ones and some with issues.
pub(crate) fn machines(
    rng: &mut Rng,
    metal: &mut MetalStore,
    shoots: &[ShootMachines],
    racks: usize,
) {
    let mut count = 0usize;
    let mut make = |rng: &mut Rng, metal: &mut MetalStore, partition: &str, size: &str| -> String {
        let rack = format!("{partition}-r{:02}", count % racks + 1);
        let m = new_machine(rng, metal, partition, size, &rack);
        let id = m["id"].as_str().unwrap_or("").to_string();
        metal.ipmi.insert(id.clone(), ipmi(rng, &m, count));
        metal.machines.insert(id.clone(), m);
        count += 1;
        id
    };
    for s in shoots {
        let id = make(rng, metal, &s.partition, FIREWALL_SIZE);
        let hash = rng.suffix(5);
        metal.allocate(
            &id,
            shoot_allocation(
                s,
                "firewall",
                &format!("{}-firewall-{hash}", s.technical_id),
                FIREWALL_IMAGES[0],
                FIREWALL_SIZE,
                None,
            ),
            rng,
        );
        for (pool, size, image, n) in &s.pools {
            for _ in 0..*n {
                let id = make(rng, metal, &s.partition, size);
                let host = format!(
                    "{}-{pool}-z1-{}-{}",
                    s.technical_id,
                    rng.hex(5),
                    rng.suffix(5)
                );
                metal.allocate(
                    &id,
                    shoot_allocation(s, "machine", &host, image, size, Some(pool)),
                    rng,
                );
            }
        }
    }
    // Free machines in every partition and size, so new shoots and wake-ups find some.
    let per_kind = (metal.machines.len() / 80).max(4);
    for (p, _) in PARTITIONS {
        for (size, _, _) in SIZES {
            for _ in 0..per_kind {
                make(rng, metal, p, size);
            }
        }
    }
    sicken(rng, metal);
}

pub(crate) fn shoot_allocation<'a>(
    s: &'a ShootMachines,
    role: &'a str,
    hostname: &str,
    image: &'a str,
    size: &str,
    pool: Option<&str>,
) -> Allocation<'a> {
    let mut tags = vec![
        format!("cluster.metal-stack.io/id={}", s.uid),
        format!("cluster.metal-stack.io/name={}", s.technical_id),
        format!("cluster.metal-stack.io/project={}", s.project),
    ];
    if role == "firewall" {
        tags.push("firewall.metal-stack.io/managed-by=firewall-controller-manager".into());
        tags.push(format!(
            "firewall.metal.stack.io/set={}-firewall",
            s.technical_id
        ));
    } else {
        tags.push(format!("kubernetes.io/cluster={}", s.technical_id));
        tags.push("kubernetes.io/role=node".into());
        tags.push(format!("node.kubernetes.io/instance-type={size}"));
        tags.push(format!("topology.kubernetes.io/region={}", s.region));
        tags.push(format!("topology.kubernetes.io/zone={}", s.partition));
        if let Some(p) = pool {
            tags.push(format!("worker.gardener.cloud/pool={p}"));
        }
    }
    Allocation {
        hostname: hostname.to_string(),
        project: &s.project,
        role,
        image_id: image,
        tags,
        created_offset: -(hostname.len() as i64 * 7919 % 90 + 1) * DAY,
    }
}

/// Gives some machines the problems an operator triages.
fn sicken(rng: &mut Rng, metal: &mut MetalStore) {
    let ids: Vec<String> = metal.machines.keys().cloned().collect();
    let free: Vec<String> = ids
        .iter()
        .filter(|i| metal.machines[*i]["allocation"].is_null())
        .cloned()
        .collect();
    let used: Vec<String> = ids
        .iter()
        .filter(|i| !metal.machines[*i]["allocation"].is_null())
        .cloned()
        .collect();
    let rounds = (ids.len() / 1000).max(1);
    for r in 0..rounds {
        let f = |k: usize| {
            free.get((r * 13 + k) % free.len().max(1))
                .cloned()
                .unwrap_or_default()
        };
        let u = |k: usize| {
            used.get((r * 17 + k * 5) % used.len().max(1))
                .cloned()
                .unwrap_or_default()
        };
        if let Some(m) = metal.machines.get_mut(&f(0)) {
            m["liveliness"] = json!("Dead");
            m["events"]["last_event_time"] = json!(ts(-3 * 3600));
        }
        if let Some(m) = metal.machines.get_mut(&f(1)) {
            let t = ts(-600);
            push_event(m, &t, "PXE Booting", "[unexpectedly received in Preparing]");
            m["events"]["crash_loop"] = json!(true);
            m["events"]["last_error_event"] = json!({"time": t, "event": "PXE Booting", "message": "[unexpectedly received in Preparing]"});
        }
        if let Some(m) = metal.machines.get_mut(&f(2)) {
            push_event(m, &ts(-1200), "Machine Reclaim", "");
            push_event(m, &ts(-30), "Phoned Home", "phoned home");
            m["events"]["failed_machine_reclaim"] = json!(true);
        }
        if let Some(m) = metal.machines.get_mut(&f(3)) {
            m["state"] = json!({"value": "RESERVED", "description": "reserved for firmware update tests", "issuer": "ops@example.com", "metal_hammer_version": "v0.13.9"});
        }
        if let Some(m) = metal.machines.get_mut(&f(4)) {
            m["state"] = json!({"value": "LOCKED", "description": "DIMM B2 correctable errors, RMA pending", "issuer": "ops@example.com", "metal_hammer_version": "v0.13.9"});
            m["ledstate"] = json!({"value": "LED-ON", "description": "replace DIMM B2"});
        }
        if let Some(m) = metal.machines.get_mut(&u(0)) {
            let t = ts(-2 * 3600);
            m["events"]["last_error_event"] = json!({"time": t, "event": "Crashed", "message": "kernel panic - not syncing: Fatal exception"});
        }
        if let Some(m) = metal.machines.get_mut(&u(1)) {
            m["liveliness"] = json!("Unknown");
            m["events"]["last_event_time"] = json!(ts(-25 * 60));
        }
        if let Some(m) = metal.machines.get_mut(&u(2)) {
            m["ledstate"] = json!({"value": "LED-OFF", "description": "identified by ops"});
        }
        if let Some(i) = metal.ipmi.get_mut(&u(3)) {
            i["last_updated"] = json!(ts(-2 * 3600));
        }
        let shared_ip = metal.ipmi.get(&u(4)).map(|i| i["address"].clone());
        if let (Some(ip), Some(i)) = (shared_ip, metal.ipmi.get_mut(&f(5))) {
            i["address"] = ip;
        }
        if let Some(i) = metal.ipmi.get_mut(&f(6)) {
            i["powerstate"] = json!("OFF");
            i["powersupplies"][1]["status"] = json!({"health": "Critical", "state": "Enabled"});
        }
    }
    let _ = rng;
}

fn cond(t: &str, status: &str, reason: &str) -> Value {
    json!({"type": t, "status": status, "reason": reason, "message": "", "lastTransitionTime": ts(-5 * DAY), "observedGeneration": 1})
}

fn meta(name: &str, cluster: &str, extra_labels: Value) -> Value {
    let mut labels = json!({"cluster.x-k8s.io/cluster-name": cluster});
    if let Some(o) = extra_labels.as_object() {
        for (k, v) in o {
            labels[k] = v.clone();
        }
    }
    json!({"name": name, "namespace": CAPI_NAMESPACE, "labels": labels, "creationTimestamp": ts(-20 * DAY)})
}

fn obj(api: &str, kind: &str, metadata: Value, spec: Value, status: Value) -> Value {
    json!({"apiVersion": api, "kind": kind, "metadata": metadata, "spec": spec, "status": status})
}

/// Two CAPMS clusters with kubeadm control planes and one Kamaji-hosted tenant.
pub(crate) fn capi(rng: &mut Rng, kube: &mut KubeStore, metal: &mut MetalStore) {
    let project = rng.uuid();
    let specs: [(&str, usize, usize, &str); 3] = [
        ("capi-lab", 1, 2, "KubeadmControlPlane"),
        ("capi-edge", 1, 1, "KubeadmControlPlane"),
        ("tenant-blue", 0, 1, "KamajiControlPlane"),
    ];
    for (ci, (name, cp, workers, cp_kind)) in specs.into_iter().enumerate() {
        let partition = PARTITIONS[ci % 2].0;
        let cluster_uid = kube.uids.uuid();
        let host = format!("203.0.113.{}", 10 + ci * 10);
        let port = if cp_kind == "KamajiControlPlane" {
            6443
        } else {
            443
        };
        let replicas = |n: usize| json!({"desiredReplicas": n, "replicas": n, "upToDateReplicas": n, "readyReplicas": n, "availableReplicas": n});
        let cp_name = if cp_kind == "KamajiControlPlane" {
            name.to_string()
        } else {
            format!("{name}-controlplane")
        };
        let cp_group = "controlplane.cluster.x-k8s.io";
        let mut cluster_meta = meta(name, name, json!({}));
        cluster_meta["uid"] = json!(cluster_uid);
        cluster_meta["finalizers"] = json!(["cluster.cluster.x-k8s.io"]);
        kube.create(CLUSTERS, obj("cluster.x-k8s.io/v1beta2", "Cluster", cluster_meta, json!({
            "clusterNetwork": {"pods": {"cidrBlocks": ["10.240.0.0/12"]}, "services": {"cidrBlocks": ["10.96.0.0/12"]}, "serviceDomain": "cluster.local"},
            "controlPlaneEndpoint": {"host": host, "port": port},
            "controlPlaneRef": {"apiGroup": cp_group, "kind": cp_kind, "name": cp_name},
            "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackCluster", "name": name}
        }), json!({
            "phase": "Provisioned", "observedGeneration": 1,
            "initialization": {"infrastructureProvisioned": true, "controlPlaneInitialized": true},
            "controlPlane": replicas(cp.max(if cp_kind == "KamajiControlPlane" { 2 } else { 0 })), "workers": replicas(workers),
            "conditions": [cond("Available", "True", "Available"), cond("InfrastructureReady", "True", "Ready"),
                           cond("ControlPlaneInitialized", "True", "Initialized"), cond("ControlPlaneAvailable", "True", "Available"),
                           cond("WorkersAvailable", "True", "Available"), cond("Paused", "False", "NotPaused")]
        })));
        kube.create(METALSTACKCLUSTERS, obj("infrastructure.cluster.x-k8s.io/v1alpha1", "MetalStackCluster", meta(name, name, json!({})), json!({
            "controlPlaneEndpoint": {"host": host, "port": port}, "projectID": project, "partition": partition,
            "nodeNetworkID": rng.uuid()
        }), json!({
            "ready": true, "initialization": {"provisioned": true},
            "conditions": [cond("ClusterNodeNetworkEnsured", "True", "ClusterNodeNetworkEnsured"),
                           cond("ClusterControlPlaneIPEnsured", "True", "ControlPlaneIPEnsured"), cond("Paused", "False", "NotPaused")]
        })));
        let version = if ci == 1 { "v1.32.9" } else { "v1.33.5" };
        if cp_kind == "KubeadmControlPlane" {
            kube.create(KCPS, obj("controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane", meta(&cp_name, name, json!({})), json!({
                "replicas": cp, "version": version,
                "machineTemplate": {"spec": {"infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachineTemplate", "name": format!("{name}-controlplane")}}},
                "kubeadmConfigSpec": {"clusterConfiguration": {"controlPlaneEndpoint": format!("{host}:{port}")}, "initConfiguration": {"nodeRegistration": {"kubeletExtraArgs": [{"name": "cloud-provider", "value": "external"}]}}},
                "rollout": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}
            }), json!({
                "initialization": {"controlPlaneInitialized": true}, "replicas": cp, "readyReplicas": cp, "availableReplicas": cp,
                "upToDateReplicas": cp, "version": version, "observedGeneration": 1,
                "selector": format!("cluster.x-k8s.io/cluster-name={name},cluster.x-k8s.io/control-plane"),
                "conditions": [cond("Available", "True", "Available"), cond("Initialized", "True", "Initialized"),
                               cond("EtcdClusterHealthy", "True", "Healthy"), cond("ControlPlaneComponentsHealthy", "True", "Healthy")]
            })));
        } else {
            kube.create(TENANTCONTROLPLANES, obj("kamaji.clastix.io/v1alpha1", "TenantControlPlane", meta(name, name, json!({})), json!({
                "dataStore": "default",
                "controlPlane": {"deployment": {"replicas": 2}, "service": {"serviceType": "LoadBalancer"}},
                "kubernetes": {"version": version, "kubelet": {"cgroupfs": "systemd", "preferredAddressTypes": ["InternalIP", "ExternalIP", "Hostname"]}},
                "networkProfile": {"address": host, "port": port, "serviceCidr": "10.96.0.0/16", "podCidr": "10.244.0.0/16", "dnsServiceIPs": ["10.96.0.10"]},
                "addons": {"coreDNS": {}, "kubeProxy": {}, "konnectivity": {"server": {"port": 8132}}}
            }), json!({
                "controlPlaneEndpoint": format!("{host}:{port}"),
                "kubernetesResources": {"version": {"version": version, "status": "Ready"},
                                        "deployment": {"name": name, "namespace": CAPI_NAMESPACE, "replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2}},
                "kubeconfig": {"admin": {"secretName": format!("{name}-admin-kubeconfig")}},
                "storage": {"driver": "etcd", "dataStoreName": "default"}
            })));
        }
        if workers > 0 {
            let md = format!("{name}-md-0");
            kube.create(MACHINEDEPLOYMENTS, obj("cluster.x-k8s.io/v1beta2", "MachineDeployment", meta(&md, name, json!({})), json!({
                "clusterName": name, "replicas": workers,
                "selector": {"matchLabels": {"cluster.x-k8s.io/cluster-name": name, "cluster.x-k8s.io/deployment-name": md}},
                "template": {"metadata": {"labels": {"cluster.x-k8s.io/cluster-name": name, "cluster.x-k8s.io/deployment-name": md}},
                             "spec": {"clusterName": name, "version": version,
                                      "bootstrap": {"configRef": {"apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "KubeadmConfigTemplate", "name": md}},
                                      "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachineTemplate", "name": md}}}
            }), json!({
                "replicas": workers, "readyReplicas": workers, "availableReplicas": workers, "upToDateReplicas": workers,
                "phase": "Running", "observedGeneration": 1,
                "selector": format!("cluster.x-k8s.io/cluster-name={name},cluster.x-k8s.io/deployment-name={md}"),
                "conditions": [cond("Available", "True", "Available"), cond("MachinesReady", "True", "Ready")]
            })));
        }
        let alloc_info = ShootMachines {
            uid: cluster_uid.clone(),
            technical_id: name.to_string(),
            project: project.clone(),
            partition: partition.to_string(),
            region: "fra".into(),
            pools: vec![],
        };
        let roles: Vec<(bool, usize)> = (0..cp)
            .map(|k| (true, k))
            .chain((0..workers).map(|k| (false, k)))
            .collect();
        for (is_cp, _) in roles {
            let size = if is_cp {
                "c2-large-x86"
            } else {
                "c1-xlarge-x86"
            };
            let Some(id) = metal.free_machines(partition, size).into_iter().next() else {
                continue;
            };
            let mname = if is_cp {
                format!("{name}-controlplane-{}", rng.suffix(5))
            } else {
                format!("{name}-md-0-{}-{}", rng.suffix(5), rng.suffix(5))
            };
            let mut alloc = shoot_allocation(
                &alloc_info,
                "machine",
                &mname,
                "ubuntu-24.4.20250901",
                size,
                None,
            );
            alloc.tags = vec![
                format!("cluster.metal-stack.io/id={cluster_uid}"),
                format!(
                    "metal-stack.infrastructure.cluster.x-k8s.io/cluster-resource={CAPI_NAMESPACE}.{name}"
                ),
                format!(
                    "metal-stack.infrastructure.cluster.x-k8s.io/machine-resource={CAPI_NAMESPACE}.{mname}"
                ),
            ];
            metal.allocate(&id, alloc, rng);
            let ip = metal.machines[&id]["allocation"]["networks"][0]["ips"][0].clone();
            let provider_id = format!("metal:///{partition}/{id}");
            let labels = if is_cp {
                json!({"cluster.x-k8s.io/control-plane": "", "cluster.x-k8s.io/control-plane-name": cp_name})
            } else {
                json!({"cluster.x-k8s.io/deployment-name": format!("{name}-md-0")})
            };
            kube.create(METALSTACKMACHINES, obj("infrastructure.cluster.x-k8s.io/v1alpha1", "MetalStackMachine", meta(&mname, name, labels.clone()), json!({
                "providerID": provider_id, "image": "ubuntu-24.4.20250901", "size": size
            }), json!({
                "ready": true, "initialization": {"provisioned": true},
                "addresses": [{"type": "Hostname", "address": mname}, {"type": "InternalIP", "address": ip}],
                "conditions": [cond("MachineCreated", "True", "MachineCreated"), cond("MachineHealthy", "True", "Healthy"), cond("MachineReady", "True", "Ready")]
            })));
            kube.create(MACHINES, obj("cluster.x-k8s.io/v1beta2", "Machine", meta(&mname, name, labels), json!({
                "clusterName": name, "version": version, "providerID": provider_id, "failureDomain": partition,
                "bootstrap": {"configRef": {"apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "KubeadmConfig", "name": mname}, "dataSecretName": mname},
                "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachine", "name": mname}
            }), json!({
                "phase": "Running", "nodeRef": {"name": mname}, "observedGeneration": 1,
                "initialization": {"infrastructureProvisioned": true, "bootstrapDataSecretCreated": true},
                "addresses": [{"type": "Hostname", "address": mname}, {"type": "InternalIP", "address": ip}],
                "nodeInfo": {"kubeletVersion": version, "osImage": "Ubuntu 24.04.3 LTS", "architecture": "amd64", "containerRuntimeVersion": "containerd://2.0.5"},
                "conditions": [cond("Available", "True", "Available"), cond("Ready", "True", "Ready"), cond("UpToDate", "True", "UpToDate"),
                               cond("NodeHealthy", "True", "NodeHealthy"), cond("InfrastructureReady", "True", "Ready")]
            })));
        }
    }
}
