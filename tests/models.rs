//! Real manifests from `../shared/reference/` parsed into the models.

use std::path::PathBuf;

use kclm::model::capi::{CapiMachine, Cluster, MetalStackCluster};
use kclm::model::gardener::{CloudProfile, MetalCloudProfileConfig, Project, Shoot};
use kclm::model::metal::Machine;
use kclm::model::{ManifestError, from_manifest};
use serde_json::Value;

fn reference(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(reference(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses, then checks that serializing the model gives back the same document.
fn round_trip<T>(rel: &str, kind: &str) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let text = read(rel);
    let model: T = from_manifest(&text, kind).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let original: Value = serde_saphyr::from_str(&text).unwrap();
    let back = serde_json::to_value(&model).unwrap();
    assert_eq!(back, original, "{rel} did not survive a round trip");
    model
}

#[test]
fn concrete_gardener_examples_parse_and_round_trip() {
    let shoot: Shoot = round_trip("gardener/gardener__provider-local__shoot.yaml", "Shoot");
    assert_eq!(shoot.name(), "local");
    assert_eq!(shoot.namespace(), "garden-local");
    assert_eq!(shoot.cloud_profile_name(), Some("local"));
    // the example leaves the version to Gardener's defaulting
    assert_eq!(shoot.kubernetes_version(), None);
    let workers = shoot
        .spec
        .provider
        .as_ref()
        .unwrap()
        .workers
        .as_ref()
        .unwrap();
    assert!(!workers.is_empty());

    let workerless: Shoot = round_trip(
        "gardener/gardener__provider-local__shoot-workerless.yaml",
        "Shoot",
    );
    assert!(workerless.spec.provider.as_ref().unwrap().workers.is_none());

    let cp: CloudProfile = round_trip(
        "gardener/gardener__dev-setup__cloudprofile-local.yaml",
        "CloudProfile",
    );
    assert!(!cp.kubernetes_versions().is_empty());
    assert!(!cp.machine_images().is_empty());

    let project: Project = round_trip(
        "gardener/gardener__dev-setup__project-local.yaml",
        "Project",
    );
    assert_eq!(project.namespace(), "garden-local");

    let dev: Project = round_trip("gardener/gardener__05-project-dev.yaml", "Project");
    assert_eq!(dev.name(), "dev");
}

#[test]
fn templates_are_reported_as_templates_not_type_errors() {
    for rel in [
        "gardener/gardener__30-cloudprofile.yaml",
        "gardener/gardener__50-seed.yaml",
        "gardener/gardener__90-shoot.yaml",
        "gardener/metal-roles__shoot.yaml.j2",
        "gardener/metal-roles__30-cloud-profile-metal.yaml.j2",
        "capms-templates/cluster-template.yaml",
        "capms-templates/cluster-template-kamaji-tenant.yaml",
    ] {
        let err = from_manifest::<Value>(&read(rel), "any").unwrap_err();
        assert!(
            matches!(err, ManifestError::Template(_)),
            "{rel}: expected a template error, got {err}"
        );
        assert!(err.to_string().contains("placeholders"), "{rel}: {err}");
    }
}

#[test]
fn a_wrongly_shaped_manifest_names_the_kind() {
    let err = from_manifest::<Shoot>("spec: {region: [1, 2]}\n", "Shoot").unwrap_err();
    assert!(matches!(err, ManifestError::Shape { .. }), "{err}");
    assert!(err.to_string().contains("Shoot"), "{err}");
    let err = from_manifest::<Shoot>("spec: [unclosed\n", "Shoot").unwrap_err();
    assert!(matches!(err, ManifestError::Syntax(_)), "{err}");
}

#[test]
fn metal_machine_sample_parses_with_joins_and_issues_fields() {
    let m: Machine = serde_json::from_str(&read("metal-api/sample-machine-response.json")).unwrap();
    assert_eq!(m.id, "00000000-0000-0000-0000-0cc47ae54694");
    assert_eq!(m.partition_id(), "fra-equ01");
    assert_eq!(m.size_id(), "c1-xlarge-x86");
    assert!(m.cluster_id().is_some(), "sample carries the shoot uid tag");
    assert!(!m.is_firewall());
    assert!(!m.events.log.is_empty());
    assert!(!m.liveliness.is_empty());
    // the BMC credentials never enter the model
    let back = serde_json::to_string(&m).unwrap();
    assert!(!back.contains("\"password\""));
}

#[test]
fn capi_models_use_fields_the_crds_define() {
    // Every typed field must exist in the CRD's v1beta2/v1alpha1 schema.
    fn props(crd: &str, version: &str) -> Value {
        let v: Value = serde_saphyr::from_str(&read(&format!("crds/{crd}"))).unwrap();
        v["spec"]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == version)
            .unwrap_or_else(|| panic!("{crd} serves no {version}"))["schema"]["openAPIV3Schema"]
            ["properties"]
            .clone()
    }
    let cluster = props("cluster.x-k8s.io_clusters.yaml", "v1beta2");
    for f in [
        "paused",
        "controlPlaneRef",
        "infrastructureRef",
        "controlPlaneEndpoint",
        "topology",
    ] {
        assert!(
            cluster["spec"]["properties"].get(f).is_some(),
            "Cluster.spec.{f}"
        );
    }
    assert!(
        cluster["spec"]["properties"]["controlPlaneRef"]["properties"]
            .get("apiGroup")
            .is_some()
    );
    let machine = props("cluster.x-k8s.io_machines.yaml", "v1beta2");
    for f in ["clusterName", "providerID", "infrastructureRef", "version"] {
        assert!(
            machine["spec"]["properties"].get(f).is_some(),
            "Machine.spec.{f}"
        );
    }
    assert!(machine["status"]["properties"].get("nodeRef").is_some());
    let msc = props(
        "infrastructure.cluster.x-k8s.io_metalstackclusters.yaml",
        "v1alpha1",
    );
    for f in ["projectID", "partition", "controlPlaneEndpoint"] {
        assert!(
            msc["spec"]["properties"].get(f).is_some(),
            "MetalStackCluster.spec.{f}"
        );
    }
    let msm = props(
        "infrastructure.cluster.x-k8s.io_metalstackmachines.yaml",
        "v1alpha1",
    );
    for f in ["providerID", "size", "image"] {
        assert!(
            msm["spec"]["properties"].get(f).is_some(),
            "MetalStackMachine.spec.{f}"
        );
    }

    // and a minimal object in that shape parses into the models
    let c: Cluster = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "metal-test", "namespace": "capi"},
        "spec": {"paused": true, "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "KubeadmControlPlane", "name": "metal-test-controlplane"}},
        "status": {"phase": "Provisioned", "conditions": [{"type": "Available", "status": "True", "reason": "Available", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    }))
    .unwrap();
    assert!(c.paused());
    let m: CapiMachine = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "m", "namespace": "capi"},
        "spec": {"clusterName": "metal-test", "providerID": "metal:///fra-equ01/abc"}
    }))
    .unwrap();
    assert_eq!(m.metal_machine_id(), Some("abc"));
    let _: MetalStackCluster =
        serde_json::from_value(serde_json::json!({"spec": {"projectID": "p", "partition": "fra"}}))
            .unwrap();
}

#[test]
fn gardener_id_fields_use_gardeners_spelling() {
    let s: Shoot = serde_json::from_value(serde_json::json!({
        "spec": {"provider": {"type": "metal", "infrastructureConfig": {
            "apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
            "partitionID": "fra-equ01", "projectID": "p-1", "firewall": {"size": "c1-large-x86", "image": "fw", "networks": ["internet"]}
        }}},
        "status": {"technicalID": "shoot--a--b", "lastErrors": [{"description": "x", "taskID": "t1"}]}
    }))
    .unwrap();
    let infra = s.infrastructure_config().unwrap();
    assert_eq!(infra.partition_id.as_deref(), Some("fra-equ01"));
    assert_eq!(infra.project_id.as_deref(), Some("p-1"));
    let st = s.status.as_ref().unwrap();
    assert_eq!(st.technical_id.as_deref(), Some("shoot--a--b"));
    assert_eq!(s.last_errors()[0].task_id.as_deref(), Some("t1"));
}

#[test]
fn metal_cloudprofile_config_parses_from_the_provider_config() {
    let raw = serde_json::json!({
        "apiVersion": "metal.provider.extensions.gardener.cloud/v1alpha1",
        "kind": "CloudProfileConfig",
        "metalControlPlanes": {"prod": {"endpoint": "https://api/metal", "partitions": {"fra-equ01": {"firewallTypes": ["c1-large-x86"]}}, "firewallImages": ["firewall-ubuntu-3.0"]}}
    });
    let cfg: MetalCloudProfileConfig = serde_json::from_value(raw.clone()).unwrap();
    let cp = &cfg.metal_control_planes.as_ref().unwrap()["prod"];
    assert_eq!(cp.endpoint.as_deref(), Some("https://api/metal"));
    assert!(cp.partitions.as_ref().unwrap().contains_key("fra-equ01"));
    assert_eq!(serde_json::to_value(&cfg).unwrap(), raw);
}

#[test]
fn metal_network_and_ip_parse_with_the_specs_field_names() {
    use kclm::model::metal::{Ip, Network};
    // Every field the models type must exist in the spec's definitions.
    let spec: Value = serde_json::from_str(&read("metal-api/metal-api.json")).unwrap();
    let defs = &spec["definitions"];
    for (def, fields) in [
        (
            "v1.NetworkResponse",
            vec![
                "id",
                "name",
                "description",
                "partitionid",
                "projectid",
                "parentnetworkid",
                "prefixes",
                "destinationprefixes",
                "nat",
                "privatesuper",
                "underlay",
                "vrf",
                "labels",
                "usage",
            ],
        ),
        (
            "v1.NetworkUsage",
            vec![
                "available_ips",
                "used_ips",
                "available_prefixes",
                "used_prefixes",
            ],
        ),
        (
            "v1.IPResponse",
            vec![
                "ipaddress",
                "allocationuuid",
                "name",
                "description",
                "networkid",
                "projectid",
                "type",
                "tags",
            ],
        ),
    ] {
        for f in fields {
            assert!(
                defs[def]["properties"].get(f).is_some(),
                "{def}.{f} is not in the spec"
            );
        }
    }
    let n: Network = serde_json::from_value(serde_json::json!({
        "id": "internet", "prefixes": ["185.1.2.0/24"], "destinationprefixes": ["0.0.0.0/0"], "nat": true,
        "privatesuper": false, "underlay": false, "vrf": 104009, "partitionid": null,
        "usage": {"available_ips": 254, "used_ips": 12, "available_prefixes": 0, "used_prefixes": 0},
        "consumption": {"ipv4": {}}
    }))
    .unwrap();
    assert!(n.nat && n.usage.unwrap().used_ips == 12 && n.partitionid.is_none());
    let ip: Ip = serde_json::from_value(serde_json::json!({
        "ipaddress": "185.1.2.3", "allocationuuid": "a", "networkid": "internet", "projectid": "p",
        "type": "static", "tags": ["machine.metal-stack.io/id=m1"]
    }))
    .unwrap();
    assert_eq!((ip.type_.as_str(), ip.tags.len()), ("static", 1));
}

#[test]
fn a_machine_keeps_its_newest_events_only() {
    use kclm::model::metal::{EVENTS_KEPT, Machine};
    let log: Vec<Value> = (0..20)
        .map(|i| serde_json::json!({"time": format!("2026-11-24T10:{:02}:00Z", 59 - i), "event": if i == 0 { "Phoned Home" } else { "Waiting" }}))
        .collect();
    let m: Machine = serde_json::from_value(
        serde_json::json!({"id": "m", "events": {"log": log, "crash_loop": false}}),
    )
    .unwrap();
    assert_eq!(m.events.log.len(), EVENTS_KEPT);
    assert_eq!(
        m.last_event().unwrap().event,
        "Phoned Home",
        "newest first is kept"
    );
    let none: Machine =
        serde_json::from_value(serde_json::json!({"id": "m", "events": {"log": null}})).unwrap();
    assert!(none.events.log.is_empty());
}
