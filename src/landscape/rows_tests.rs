//! The README's promise for `-o json` rows: `null` where a value is unknown.
//! A real gardener-apiserver serves unknown values as empty strings too
//! (`status.technicalID: ""` before the first reconcile).

use serde_json::{Value, json};

use super::*;
use crate::landscape::{Kind, KubeObject, Update};
use crate::model::gardener::Project;
use crate::model::metal::Machine;

fn shoot(v: Value) -> Shoot {
    serde_json::from_value(v).expect("a shoot")
}

#[test]
fn empty_strings_of_unknown_shoot_fields_are_null() {
    let s = shoot(json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {"name": "fresh", "namespace": "garden-a", "uid": "u-1"},
        "spec": {"cloudProfile": {"name": ""}, "region": "", "purpose": "",
                 "seedName": "", "kubernetes": {"version": ""}},
        "status": {"technicalID": "", "seedName": ""},
    }));
    let ls = Landscape::new();
    let row = serde_json::to_value(shoot_row(&ls, &s)).unwrap();
    for f in [
        "technical_id",
        "purpose",
        "seed",
        "region",
        "cloudprofile",
        "kubernetes_version",
        "created",
    ] {
        assert_eq!(row[f], Value::Null, "{f} in {row}");
    }
    // known values stay as they are
    assert_eq!(row["name"], "fresh");
    assert_eq!(row["uid"], "u-1");

    let s = shoot(json!({
        "metadata": {"name": "old", "namespace": "garden-a"},
        "spec": {"purpose": "production"},
        "status": {"technicalID": "shoot--a--old"},
    }));
    let row = serde_json::to_value(shoot_row(&ls, &s)).unwrap();
    assert_eq!(row["technical_id"], "shoot--a--old");
    assert_eq!(row["purpose"], "production");
}

#[test]
fn empty_strings_of_unknown_project_and_machine_fields_are_null() {
    let p: Project = serde_json::from_value(json!({
        "metadata": {"name": "a"},
        "spec": {"namespace": "garden-a", "description": "", "purpose": "",
                 "owner": {"kind": "User", "name": ""}},
        "status": {"phase": ""},
    }))
    .unwrap();
    let mut ls = Landscape::new();
    ls.apply(Update::Relisted(
        Kind::Project,
        vec![KubeObject::from(p.clone())],
    ));
    let row = serde_json::to_value(project_row(&ls, &p)).unwrap();
    for f in ["description", "purpose", "owner", "phase"] {
        assert_eq!(row[f], Value::Null, "{f} in {row}");
    }

    let m: Machine = serde_json::from_value(json!({
        "id": "m-1", "rackid": "", "liveliness": "",
        "state": {"value": "", "description": ""},
        "ledstate": {"value": "", "description": ""},
    }))
    .unwrap();
    let row = serde_json::to_value(machine_row(&ls, &m)).unwrap();
    for f in [
        "rack",
        "liveliness",
        "state",
        "state_description",
        "led",
        "role",
        "hostname",
    ] {
        assert_eq!(row[f], Value::Null, "{f} in {row}");
    }
    assert_eq!(row["id"], "m-1");
}
