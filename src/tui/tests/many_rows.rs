//! Thousands of shoots: the kept sort orders, incremental rows and the
//! selection behave as with a handful (timings live in `benches/`).

use kclm::landscape::{Kind, KubeObject, Landscape, Update};
use kclm::model::gardener::Shoot;

use super::fixtures::{garden_objects, now, press, type_text};
use crate::tui::keymap::Keymap;
use crate::tui::state::{State, ViewKind};
use crate::tui::table::Sort;
use crate::tui::update::{Msg, update};

fn big_landscape(n: usize) -> Landscape {
    let template = garden_objects()
        .into_iter()
        .find_map(|o| match o {
            KubeObject::Shoot(s) if s.name() == "web-prod" => Some(s),
            _ => None,
        })
        .expect("fixture shoot");
    let mut ls = Landscape::new();
    let shoots: Vec<KubeObject> = (0..n)
        .map(|i| {
            let mut s: Shoot = (*template).clone();
            s.metadata.name = Some(format!("shoot-{i:05}"));
            s.metadata.namespace = Some(format!("garden-p{}", i % 200));
            s.metadata.uid = Some(format!("uid-{i}"));
            KubeObject::from(s)
        })
        .collect();
    ls.apply(Update::Relisted(Kind::Shoot, shoots));
    let profiles: Vec<KubeObject> = garden_objects()
        .into_iter()
        .filter(|o| o.kind() == Kind::CloudProfile)
        .collect();
    ls.apply(Update::Relisted(Kind::CloudProfile, profiles));
    let projects: Vec<KubeObject> = (0..200)
        .map(|i| {
            let mut p = kclm::model::gardener::Project::default();
            p.metadata.name = Some(format!("p{i}"));
            KubeObject::from(p)
        })
        .collect();
    ls.apply(Update::Relisted(Kind::Project, projects));
    // Three machines per shoot, joined by the cluster-id tag.
    let machines: Vec<kclm::model::metal::Machine> = (0..n * 3)
        .map(|i| kclm::model::metal::Machine {
            id: format!("m-{i:06}"),
            liveliness: "Alive".into(),
            tags: vec![format!("cluster.metal-stack.io/id=uid-{}", i / 3).into()],
            ..Default::default()
        })
        .collect();
    ls.apply(Update::Metal(Box::new(kclm::landscape::MetalSnapshot {
        machines: Some(machines.into_iter().map(std::sync::Arc::new).collect()),
        ..Default::default()
    })));
    ls
}

/// What the console does with 10,000 shoots (how fast is for the benches in
/// `benches/`): opening, moving, a watch event, a rebuild, filtering and the
/// maintenance view give the rows a person expects.
#[test]
fn ten_thousand_shoots_open_move_update_and_filter() {
    let mut s = State::new("big", big_landscape(10_000), Keymap::builtin(), now());
    assert_eq!(s.pane(ViewKind::Shoots).visible.len(), 10_000);
    press(&mut s, "j j j G g");
    assert_eq!(selected(&s), "shoot-00000");
    assert_eq!(s.pane(ViewKind::Machines).visible.len(), 3);
    s.ls.pending = crate::tui::state::Dirty::everything();
    s.sync_rows();
    assert_eq!(s.pane(ViewKind::Shoots).visible.len(), 10_000);
    // One shoot's status changes: only its row is rewritten.
    press(&mut s, "j j");
    let one = shoot(&s, "shoot-00002");
    let _ = update(
        &mut s,
        Msg::Landscape(vec![Update::Applied(KubeObject::from(one))]),
    );
    s.sync_rows();
    assert_eq!(s.ls.rows.shoots.version().touched.len(), 1);
    assert_eq!(selected(&s), "shoot-00002");
    press(&mut s, "/");
    type_text(&mut s, "shoot-0999");
    let names = super::fixtures::shoot_names(&s);
    assert!(
        names.contains(&"shoot-00999".to_string()) && names.len() < 100,
        "{names:?}"
    );
    press(&mut s, "esc :");
    type_text(&mut s, "maint");
    press(&mut s, "enter");
    assert_eq!(s.pane(ViewKind::Maint).visible.len(), 10_000);
}

/// Sorted by health, a shoot that turns unhealthy moves to its new place in
/// the kept order, and the selection moves with it.
#[test]
fn a_watch_event_moves_its_row_in_the_kept_order_and_the_selection_follows() {
    let mut s = State::new("big", big_landscape(2_000), Keymap::builtin(), now());
    s.pane_mut(ViewKind::Shoots).sort = Sort { col: 8, desc: true };
    s.refresh(ViewKind::Shoots);
    let epoch = s.ls.rows.shoots.version().epoch;
    press(&mut s, "j j j j j");
    let name = selected(&s);
    let before = s.pane(ViewKind::Shoots).cursor;
    assert_eq!(before, 5);
    let mut sick = shoot(&s, &name);
    let status = sick.status.as_mut().expect("status");
    for c in status.conditions.iter_mut().flatten() {
        c.status = "False".into();
    }
    let _ = update(
        &mut s,
        Msg::Landscape(vec![Update::Applied(KubeObject::from(sick))]),
    );
    s.sync_rows();
    assert_eq!(
        s.ls.rows.shoots.version().epoch,
        epoch,
        "repaired, not rebuilt"
    );
    let pane = s.pane(ViewKind::Shoots);
    assert_eq!(selected(&s), name, "the selection stays on the shoot");
    assert_eq!(pane.cursor, 0, "unhealthy sorts first, descending");
    let health = |i: usize| s.ls.rows.shoots[pane.visible[i] as usize].health;
    assert!((1..pane.visible.len()).all(|i| health(i - 1) >= health(i)));
}

fn selected(s: &State) -> String {
    s.selected_shoot()
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

fn shoot(s: &State, name: &str) -> Shoot {
    s.ls.store
        .shoots
        .values()
        .find(|sh| sh.name() == name)
        .map(|sh| (**sh).clone())
        .expect("a shoot")
}
