//! Builds a `Landscape` from `tests/fixtures/garden.yaml` and `metal.json`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use jiff::Timestamp;
use kclm::landscape::{Kind, KubeObject, Landscape, MetalSnapshot, SourceState, Update};
use kclm::model::gardener::{CloudProfile, Project, Seed, Shoot};
use kclm::model::metal::{Machine, MachineIssues, Partition};

use crate::tui::keymap::{Key, Keymap};
use crate::tui::state::{State, Tag};
use crate::tui::update::{Effect, Msg, update};

pub const NOW: &str = "2026-05-02T10:00:00Z";

pub fn now() -> Timestamp {
    NOW.parse().expect("fixed clock")
}

pub fn garden_objects() -> Vec<KubeObject> {
    let text = include_str!("../../../tests/fixtures/garden.yaml");
    let mut out = Vec::new();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text).expect("fixture is YAML");
    for v in docs {
        let obj = match v["kind"].as_str() {
            Some("Project") => {
                KubeObject::from(serde_json::from_value::<Project>(v).expect("project"))
            }
            Some("Seed") => KubeObject::from(serde_json::from_value::<Seed>(v).expect("seed")),
            Some("Shoot") => KubeObject::from(serde_json::from_value::<Shoot>(v).expect("shoot")),
            Some("CloudProfile") => {
                KubeObject::from(serde_json::from_value::<CloudProfile>(v).expect("cloudprofile"))
            }
            other => panic!("unexpected kind {other:?} in fixture"),
        };
        out.push(obj);
    }
    out
}

pub fn metal_snapshot() -> MetalSnapshot {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/metal.json")).expect("json");
    let machines: Vec<Machine> = serde_json::from_value(v["machines"].clone()).expect("machines");
    let issues: Vec<MachineIssues> = serde_json::from_value(v["issues"].clone()).expect("issues");
    let partitions: Vec<Partition> =
        serde_json::from_value(v["partitions"].clone()).expect("partitions");
    MetalSnapshot {
        firewalls: Some(
            machines
                .iter()
                .filter(|m| m.is_firewall())
                .cloned()
                .map(std::sync::Arc::new)
                .collect(),
        ),
        machines: Some(machines.into_iter().map(std::sync::Arc::new).collect()),
        partitions: Some(partitions),
        issues: Some(issues),
        ..Default::default()
    }
}

pub fn landscape() -> Landscape {
    let mut ls = Landscape::new();
    let objs = garden_objects();
    for kind in [Kind::Project, Kind::Seed, Kind::Shoot, Kind::CloudProfile] {
        let of_kind: Vec<KubeObject> = objs.iter().filter(|o| o.kind() == kind).cloned().collect();
        ls.apply(Update::Relisted(kind, of_kind));
        ls.apply(Update::Source(kind, SourceState::Synced));
    }
    ls.apply(Update::Metal(Box::new(metal_snapshot())));
    for kind in [Kind::Machine, Kind::Firewall, Kind::Partition] {
        ls.apply(Update::Source(kind, SourceState::Synced));
    }
    ls.apply(Update::Source(Kind::Cluster, SourceState::Disabled));
    ls
}

pub fn state() -> State {
    let mut s = State::new("demo", landscape(), Keymap::builtin(), now());
    s.size = (160, 45);
    s
}

pub fn key_event(spec: &str) -> KeyEvent {
    let k = Key::parse(spec).expect("test key spec");
    KeyEvent {
        code: k.code,
        modifiers: k.mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

/// Presses keys given like `"j j enter"`; returns all effects, with the
/// request tags blanked (tests/session.rs checks the tags themselves).
pub fn press(s: &mut State, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        out.extend(update(s, Msg::Key(key_event(k))).into_iter().map(untagged));
    }
    out
}

/// An effect with its request tag (if any) blanked.
pub fn untagged(mut e: Effect) -> Effect {
    if let Effect::Op(tag, _) | Effect::CheckAccess(tag, _) | Effect::FetchYaml(tag, ..) = &mut e {
        *tag = Tag::default();
    }
    e
}

/// Types text character by character (spaces included).
pub fn type_text(s: &mut State, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        out.extend(update(s, Msg::Key(key)).into_iter().map(untagged));
    }
    out
}

/// Names of the visible shoots, in order.
pub fn shoot_names(s: &State) -> Vec<String> {
    s.pane(crate::tui::state::ViewKind::Shoots)
        .visible
        .iter()
        .map(|i| s.ls.rows.shoots[*i as usize].name.clone())
        .collect()
}
