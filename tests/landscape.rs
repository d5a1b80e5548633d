//! Derived values and joins of the landscape store, against the facts in
//! `notes/gardener-api.md` and `notes/metal-api.md`.

use std::sync::Arc;

use kclm::filter::{Filter, FilterMatcher, apply};
use kclm::landscape::health::{
    self, Health, HibernationState, condition_short_name, seed_readiness, shoot_health,
};
use kclm::landscape::{
    Kind, KubeObject, Landscape, MetalSnapshot, ObjKey, SourceState, Update, rows,
};
use kclm::model::capi::{CapiMachine, Cluster, MetalStackMachine};
use kclm::model::gardener::{Project, Seed, Shoot};
use kclm::model::metal::Machine;
use serde_json::{Value, json};

fn shoot(v: Value) -> Shoot {
    serde_json::from_value(v).unwrap()
}

fn cond(t: &str, s: &str) -> Value {
    json!({"type": t, "status": s, "lastTransitionTime": "2026-11-01T00:00:00Z"})
}

fn with_op(t: &str, state: &str, errors: bool, conds: Vec<Value>) -> Shoot {
    let mut st =
        json!({"lastOperation": {"type": t, "state": state, "progress": 50}, "conditions": conds});
    if errors {
        st["lastErrors"] =
            json!([{"description": "boom", "codes": ["ERR_INFRA_RESOURCES_DEPLETED"]}]);
    }
    shoot(json!({"metadata": {"name": "s", "namespace": "garden-a"}, "status": st}))
}

#[test]
fn shoot_health_follows_gardeners_status_label_algorithm() {
    let t = |s| cond("APIServerAvailable", s);
    assert_eq!(
        shoot_health(&shoot(json!({"metadata": {"name": "n"}}))),
        Health::Healthy
    );
    assert_eq!(
        shoot_health(&with_op("Create", "Processing", false, vec![t("False")])),
        Health::Healthy
    );
    assert_eq!(
        shoot_health(&with_op("Create", "Processing", true, vec![])),
        Health::Unhealthy
    );
    assert_eq!(
        shoot_health(&with_op("Delete", "Processing", false, vec![t("False")])),
        Health::Healthy
    );
    assert_eq!(
        shoot_health(&with_op("Delete", "Error", true, vec![])),
        Health::Unhealthy
    );
    assert_eq!(
        shoot_health(&with_op("Reconcile", "Succeeded", false, vec![t("True")])),
        Health::Healthy
    );
    assert_eq!(
        shoot_health(&with_op(
            "Reconcile",
            "Succeeded",
            false,
            vec![t("True"), t("Progressing")]
        )),
        Health::Progressing
    );
    assert_eq!(
        shoot_health(&with_op(
            "Reconcile",
            "Succeeded",
            false,
            vec![t("Progressing"), t("Unknown")]
        )),
        Health::Unknown
    );
    assert_eq!(
        shoot_health(&with_op(
            "Reconcile",
            "Succeeded",
            false,
            vec![t("Unknown"), t("False")]
        )),
        Health::Unhealthy
    );
    assert_eq!(
        shoot_health(&with_op("Reconcile", "Processing", false, vec![t("True")])),
        Health::Healthy
    );
    assert_eq!(
        shoot_health(&with_op("Reconcile", "Processing", true, vec![t("True")])),
        Health::Unhealthy
    );
    assert_eq!(
        shoot_health(&with_op("Reconcile", "Failed", false, vec![t("True")])),
        Health::Unhealthy
    );
    assert_eq!(
        shoot_health(&with_op("Create", "Succeeded", false, vec![t("True")])),
        Health::Healthy
    );
}

#[test]
fn hibernation_state_matches_the_kubectl_column() {
    let h = |spec: bool, status: bool| {
        health::hibernation_state(&shoot(json!({
            "spec": {"hibernation": {"enabled": spec}}, "status": {"hibernated": status}
        })))
    };
    assert_eq!(h(true, true), HibernationState::Hibernated);
    assert_eq!(h(true, false), HibernationState::Hibernating);
    assert_eq!(h(false, true), HibernationState::WakingUp);
    assert_eq!(h(false, false), HibernationState::Awake);
    assert_eq!(HibernationState::WakingUp.as_str(), "Waking Up");
    assert_eq!(
        health::hibernation_state(&shoot(json!({}))),
        HibernationState::Awake
    );
}

#[test]
fn last_operation_text_and_chips() {
    let s = with_op(
        "Reconcile",
        "Processing",
        false,
        vec![
            cond("EveryNodeReady", "True"),
            cond("APIServerAvailable", "False"),
            cond("ControlPlaneHealthy", "Progressing"),
        ],
    );
    assert_eq!(
        health::last_operation_text(s.last_operation()),
        "Reconcile Processing (50%)"
    );
    assert_eq!(health::last_operation_text(None), "<pending>");
    let chips: Vec<(String, String)> = health::shoot_chips(&s)
        .iter()
        .map(|c| (c.short.to_string(), c.status.to_string()))
        .collect();
    assert_eq!(
        chips,
        vec![
            ("API".into(), "False".into()),
            ("CP".into(), "Progressing".into()),
            ("N".into(), "True".into())
        ]
    );
    assert_eq!(condition_short_name("ObservabilityComponentsHealthy"), "OC");
    assert_eq!(condition_short_name("HibernationPossible"), "H");
    assert_eq!(condition_short_name("FooBarHealthy"), "FB");
}

#[test]
fn constraints_become_chips_only_when_they_matter() {
    let s = shoot(json!({"status": {"constraints": [
        cond("HibernationPossible", "False"),
        {"type": "CACertificateValiditiesAcceptable", "status": "False", "codes": ["ERR_CONFIGURATION_PROBLEM"]},
        cond("CRDsWithProblematicConversionWebhooks", "True"),
    ]}}));
    let shorts: Vec<String> = health::shoot_chips(&s)
        .iter()
        .map(|c| c.short.to_string())
        .collect();
    assert_eq!(shorts, vec!["H", "CA"]);
}

#[test]
fn shoots_with_the_same_chips_share_them() {
    let healthy = || {
        shoot(json!({"status": {"conditions": [
            cond("APIServerAvailable", "True"),
            cond("EveryNodeReady", "True"),
        ]}}))
    };
    let (a, b) = (
        health::shoot_chips(&healthy()),
        health::shoot_chips(&healthy()),
    );
    assert!(std::sync::Arc::ptr_eq(&a, &b), "one list for equal chips");
    let other = health::shoot_chips(&shoot(json!({"status": {"conditions": [
        cond("APIServerAvailable", "False"),
        cond("EveryNodeReady", "True"),
    ]}})));
    assert!(!std::sync::Arc::ptr_eq(&a, &other));
    assert_eq!(other[0].status.as_str(), "False");
}

#[test]
fn seed_readiness_matches_the_kubectl_column() {
    let seed = |conds: Vec<Value>| -> Seed {
        serde_json::from_value(json!({"status": {"conditions": conds}})).unwrap()
    };
    let ok = || {
        vec![
            cond("GardenletReady", "True"),
            cond("ExtensionsReady", "True"),
        ]
    };
    assert_eq!(seed_readiness(&seed(ok())), "Ready");
    assert_eq!(
        seed_readiness(&seed(vec![cond("GardenletReady", "Unknown")])),
        "Unknown"
    );
    assert_eq!(
        seed_readiness(&seed(vec![
            cond("GardenletReady", "False"),
            cond("ExtensionsReady", "True")
        ])),
        "NotReady"
    );
    assert_eq!(
        seed_readiness(&seed(vec![cond("GardenletReady", "True")])),
        "NotReady",
        "ExtensionsReady missing"
    );
    let mut bb = ok();
    bb.push(cond("BackupBucketsReady", "False"));
    assert_eq!(seed_readiness(&seed(bb)), "NotReady");
    let mut ssc = ok();
    ssc.push(cond("SeedSystemComponentsHealthy", "Unknown"));
    assert_eq!(seed_readiness(&seed(ssc)), "NotReady");
    let mut prog = vec![
        cond("GardenletReady", "True"),
        cond("ExtensionsReady", "Progressing"),
    ];
    prog.push(cond("SeedSystemComponentsHealthy", "True"));
    assert_eq!(seed_readiness(&seed(prog)), "Ready");
}

fn mk_shoot(ns: &str, name: &str, uid: &str, seed: &str) -> KubeObject {
    KubeObject::from(shoot(json!({
        "metadata": {"name": name, "namespace": ns, "uid": uid},
        "spec": {"seedName": seed},
        "status": {"seedName": seed, "technicalID": format!("shoot--{}--{name}", ns.trim_start_matches("garden-"))}
    })))
}

fn mk_machine(id: &str, cluster: Option<&str>, role: &str) -> Arc<Machine> {
    let tags: Vec<String> = cluster
        .map(|c| vec![format!("cluster.metal-stack.io/id={c}")])
        .unwrap_or_default();
    serde_json::from_value(json!({
        "id": id, "partition": {"id": "fra-equ01"}, "size": {"id": "c1-xlarge-x86"},
        "allocation": if cluster.is_some() { json!({"hostname": format!("host-{id}"), "project": "p1", "role": role}) } else { Value::Null },
        "liveliness": "Alive", "tags": tags,
        "events": {"log": [{"time": "2026-11-24T10:00:00Z", "event": "Phoned Home"}], "last_event_time": "2026-11-24T10:00:00Z"}
    }))
    .map(Arc::new)
    .unwrap()
}

fn small_landscape() -> Landscape {
    let mut ls = Landscape::new();
    let project: Project = serde_json::from_value(
        json!({"metadata": {"name": "acme"}, "spec": {"namespace": "garden-acme"}}),
    )
    .unwrap();
    let seed: Seed = serde_json::from_value(json!({"metadata": {"name": "fra"}, "spec": {"provider": {"type": "metal", "region": "eu"}}})).unwrap();
    ls.apply(Update::Relisted(
        Kind::Project,
        vec![KubeObject::from(project)],
    ));
    ls.apply(Update::Applied(KubeObject::from(seed)));
    ls.apply(Update::Relisted(
        Kind::Shoot,
        vec![
            mk_shoot("garden-acme", "web", "uid-web", "fra"),
            mk_shoot("garden-acme", "db", "uid-db", "ams"),
        ],
    ));
    ls.apply(Update::Metal(Box::new(MetalSnapshot {
        machines: Some(vec![
            mk_machine("m1", Some("uid-web"), "machine"),
            mk_machine("m2", Some("uid-web"), "machine"),
            mk_machine("m3", None, "machine"),
            mk_machine("fw1", Some("uid-web"), "firewall"),
        ]),
        firewalls: Some(vec![mk_machine("fw1", Some("uid-web"), "firewall")]),
        issues: Some(vec![
            serde_json::from_value(json!({"machineid": "m2", "issues": ["crashloop"]})).unwrap(),
        ]),
        ..Default::default()
    })));
    ls
}

#[test]
fn joins_shoot_seed_project_machines_firewalls() {
    let ls = small_landscape();
    let web = ls
        .shoots
        .get(&ObjKey::new("garden-acme", "web"))
        .unwrap()
        .clone();
    assert_eq!(ls.seed_of(&web).unwrap().name(), "fra");
    assert_eq!(ls.project_name_of_namespace("garden-acme"), "acme");
    let mut ids: Vec<&str> = ls.machines_of_shoot(&web).map(|m| m.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["m1", "m2"], "firewalls are not machines");
    assert_eq!(ls.firewalls_of_shoot(&web).count(), 1);
    assert_eq!(
        ls.shoot_of_machine(&ls.machines["m1"]).unwrap().name(),
        "web"
    );
    assert!(ls.shoot_of_machine(&ls.machines["m3"]).is_none());
    let fra: Vec<&str> = ls.shoots_of_seed("fra").map(|s| s.name()).collect();
    assert_eq!(fra, vec!["web"]);
    let acme = ls.projects.values().next().unwrap().clone();
    assert_eq!(ls.shoots_of_project(&acme).count(), 2);

    let r = rows::shoot_row(&ls, &web);
    assert_eq!(
        (r.project.as_str(), r.machines, r.firewalls),
        ("acme", 2, 1)
    );
    let m2 = rows::machine_row(&ls, &ls.machines["m2"]);
    assert_eq!(m2.shoot.as_deref(), Some("garden-acme/web"));
    assert_eq!(m2.issues[0].id, "crashloop");
    assert_eq!(m2.last_event.as_deref(), Some("Phoned Home"));
}

#[test]
fn indexes_follow_updates_and_deletes() {
    let mut ls = small_landscape();
    let g0 = ls.generation;
    // web moves to seed ams
    assert!(ls.apply(Update::Applied(mk_shoot(
        "garden-acme",
        "web",
        "uid-web",
        "ams"
    ))));
    assert!(ls.generation > g0);
    assert_eq!(ls.shoots_of_seed("fra").count(), 0);
    assert_eq!(ls.shoot_count_of_seed("ams"), 2);
    // recreated under the same name: the new uid joins, the old one is gone
    ls.apply(Update::Applied(mk_shoot(
        "garden-acme",
        "web",
        "uid-web-2",
        "ams",
    )));
    assert!(ls.shoot_by_uid("uid-web").is_none());
    assert_eq!(ls.shoot_by_uid("uid-web-2").map(|s| s.name()), Some("web"));
    // an update that keeps uid and seed replaces the object, indexes unchanged
    let g = ls.generation;
    let before = ls.shoot_by_uid("uid-web-2").cloned().unwrap();
    ls.apply(Update::Applied(mk_shoot(
        "garden-acme",
        "web",
        "uid-web-2",
        "ams",
    )));
    assert!(ls.generation > g);
    assert_eq!(ls.shoot_count_of_seed("ams"), 2);
    let after = ls.shoot_by_uid("uid-web-2").unwrap();
    assert!(!Arc::ptr_eq(&before, after) && after.name() == "web");
    // deleting db removes it from every index
    assert!(ls.apply(Update::Deleted(mk_shoot(
        "garden-acme",
        "db",
        "uid-db",
        "ams"
    ))));
    assert_eq!(ls.shoot_count_of_seed("ams"), 1);
    assert!(ls.shoot_by_uid("uid-db").is_none());
    // deleting what is not there changes nothing
    let g1 = ls.generation;
    assert!(!ls.apply(Update::Deleted(mk_shoot("garden-acme", "nope", "x", "ams"))));
    assert_eq!(ls.generation, g1);
    // a re-list replaces the kind wholesale (objects deleted while the watch was down vanish)
    ls.apply(Update::Relisted(
        Kind::Shoot,
        vec![mk_shoot("garden-acme", "new", "uid-new", "fra")],
    ));
    assert_eq!(ls.shoots.len(), 1);
    assert!(ls.shoot_by_uid("uid-web").is_none());
    assert_eq!(ls.shoot_count_of_seed("ams"), 0);
}

#[test]
fn a_failed_metal_call_keeps_the_previous_data() {
    let mut ls = small_landscape();
    ls.apply(Update::Metal(Box::new(MetalSnapshot {
        machines: None,
        partitions: Some(vec![]),
        ..Default::default()
    })));
    assert_eq!(ls.machines.len(), 3, "machines kept when their call failed");
    assert_eq!(ls.firewalls.len(), 1);
}

#[test]
fn source_states_aggregate_worst_first() {
    let mut ls = Landscape::new();
    ls.apply(Update::Source(Kind::Shoot, SourceState::Synced));
    ls.apply(Update::Source(
        Kind::Seed,
        SourceState::Unavailable("403 forbidden".into()),
    ));
    assert_eq!(
        ls.group_state(kclm::landscape::SourceGroup::Garden),
        Some(SourceState::Unavailable("403 forbidden".into()))
    );
    ls.apply(Update::Source(
        Kind::Project,
        SourceState::Error("timeout".into()),
    ));
    assert_eq!(
        ls.group_state(kclm::landscape::SourceGroup::Garden),
        Some(SourceState::Error("timeout".into()))
    );
    assert!(ls.settled());
    ls.apply(Update::Source(Kind::Machine, SourceState::Connecting));
    assert!(!ls.settled());
    assert!(
        !ls.apply(Update::Source(Kind::Machine, SourceState::Connecting)),
        "same state is no change"
    );
}

#[test]
fn capi_cluster_joins_to_metal_machines_by_provider_id_or_metalstackmachine() {
    let mut ls = small_landscape();
    let cluster: Cluster = serde_json::from_value(
        json!({"metadata": {"name": "c1", "namespace": "capi"}, "spec": {}}),
    )
    .unwrap();
    let direct: CapiMachine = serde_json::from_value(json!({
        "metadata": {"name": "c1-cp", "namespace": "capi"},
        "spec": {"clusterName": "c1", "providerID": "metal:///fra-equ01/m3"}
    }))
    .unwrap();
    let via_infra: CapiMachine = serde_json::from_value(json!({
        "metadata": {"name": "c1-w", "namespace": "capi"},
        "spec": {"clusterName": "c1", "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalStackMachine", "name": "c1-w-infra"}}
    })).unwrap();
    let msm: MetalStackMachine = serde_json::from_value(json!({
        "metadata": {"name": "c1-w-infra", "namespace": "capi"}, "spec": {"providerID": "metal:///fra-equ01/m1"}
    })).unwrap();
    ls.apply(Update::Applied(KubeObject::from(cluster)));
    ls.apply(Update::Applied(KubeObject::from(direct)));
    ls.apply(Update::Applied(KubeObject::from(via_infra)));
    ls.apply(Update::Applied(KubeObject::from(msm)));
    let c = ls.clusters.values().next().unwrap().clone();
    let mut ids: Vec<&str> = ls
        .metal_machines_of_cluster(&c)
        .map(|m| m.id.as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["m1", "m3"]);
    assert_eq!(ls.cluster_of_machine("m3").unwrap().name(), "c1");
    let row = &rows::cluster_rows(&ls)[0];
    assert_eq!(row.machines, 2);
}

#[test]
fn filter_language_qualifiers_negation_exact_and_fuzzy() {
    let ls = small_landscape();
    let rows = rows::shoot_rows(&ls);
    let names = |expr: &str| -> Vec<String> {
        let f = Filter::for_rows::<rows::ShootRow>(expr).unwrap();
        apply(&f, &rows)
            .into_iter()
            .map(|r| r.name.clone())
            .collect()
    };
    assert_eq!(names("seed:fra"), vec!["web"]);
    assert_eq!(names("!seed:fra"), vec!["db"]);
    assert_eq!(names("project:acme seed:AMS"), vec!["db"]);
    assert_eq!(names("\"we\""), vec!["web"]);
    assert_eq!(names("wb"), vec!["web"], "fuzzy");
    assert!(names("zzz").is_empty());
    assert_eq!(names("").len(), 2);
    let err = Filter::for_rows::<rows::ShootRow>("colour:red")
        .unwrap_err()
        .to_string();
    assert!(err.contains("colour") && err.contains("seed"), "{err}");
    assert!(Filter::for_rows::<rows::ShootRow>("\"open").is_err());

    let f = Filter::for_rows::<rows::ShootRow>("wb").unwrap();
    assert_eq!(
        f.highlight("web", &mut FilterMatcher::default()),
        vec![0, 2]
    );

    let mrows = rows::machine_rows(&ls);
    let f = Filter::for_rows::<rows::MachineRow>("issue:crashloop").unwrap();
    let hit: Vec<&str> = apply(&f, &mrows)
        .into_iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(hit, vec!["m2"]);
}

#[test]
fn project_namespace_index_follows_updates_and_deletes() {
    let mut ls = small_landscape();
    assert_eq!(ls.project_name_of_namespace("garden-acme"), "acme");
    // acme moves to another namespace: the old one falls back to the convention.
    let moved: Project = serde_json::from_value(
        json!({"metadata": {"name": "acme"}, "spec": {"namespace": "acme-shoots"}}),
    )
    .unwrap();
    ls.apply(Update::Applied(KubeObject::from(moved.clone())));
    assert!(ls.project_of_namespace("garden-acme").is_none());
    assert_eq!(ls.project_name_of_namespace("acme-shoots"), "acme");
    ls.apply(Update::Deleted(KubeObject::from(moved)));
    assert!(ls.project_of_namespace("acme-shoots").is_none());
    ls.apply(Update::Relisted(Kind::Project, Vec::new()));
    assert!(ls.projects.is_empty());
}
