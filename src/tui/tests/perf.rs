//! 10,000 shoots: opening, moving and filtering must stay interactive.

use std::time::{Duration, Instant};

use kclm::landscape::{Kind, KubeObject, Landscape, Update};
use kclm::model::gardener::Shoot;

use super::fixtures::{garden_objects, now, press, type_text};
use crate::tui::keymap::Keymap;
use crate::tui::state::State;

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
            tags: vec![format!("cluster.metal-stack.io/id=uid-{}", i / 3)],
            ..Default::default()
        })
        .collect();
    ls.apply(Update::Metal(Box::new(kclm::landscape::MetalSnapshot {
        machines: Some(machines.into_iter().map(std::sync::Arc::new).collect()),
        ..Default::default()
    })));
    ls
}

#[test]
fn ten_thousand_shoots_stay_interactive() {
    // Debug builds are ~10x slower than release; the budgets are for debug on
    // a busy CI box and still far below "feels stuck".
    let budget = Duration::from_millis(400);
    let t = Instant::now();
    let mut s = State::new("big", big_landscape(10_000), Keymap::builtin(), now());
    let open = t.elapsed();
    assert_eq!(
        s.pane(crate::tui::state::ViewKind::Shoots).visible.len(),
        10_000
    );
    let t = Instant::now();
    press(&mut s, "j j j G g");
    let moves = t.elapsed() / 5;
    assert_eq!(
        s.pane(crate::tui::state::ViewKind::Machines).visible.len(),
        3
    );
    let t = Instant::now();
    s.pending = crate::tui::state::Dirty::everything();
    s.sync_rows();
    let rebuild = t.elapsed();
    // One shoot's status changes: only its row is rewritten.
    let one =
        s.ls.shoots
            .values()
            .next()
            .map(|sh| (**sh).clone())
            .expect("a shoot");
    let t = Instant::now();
    crate::tui::update::update(
        &mut s,
        crate::tui::update::Msg::Landscape(vec![Update::Applied(KubeObject::from(one))]),
    );
    s.sync_rows();
    let incremental = t.elapsed();
    let t = Instant::now();
    press(&mut s, "/");
    type_text(&mut s, "shoot-0999");
    let typing = t.elapsed() / 10;
    let names = super::fixtures::shoot_names(&s);
    assert!(
        names.contains(&"shoot-00999".to_string()) && names.len() < 100,
        "{names:?}"
    );
    let t = Instant::now();
    press(&mut s, "esc :");
    type_text(&mut s, "maint");
    press(&mut s, "enter");
    let maint = t.elapsed();
    assert_eq!(
        s.pane(crate::tui::state::ViewKind::Maint).visible.len(),
        10_000
    );
    eprintln!("maint view: {maint:?}");
    assert!(
        maint < budget * 10,
        "opening the maintenance view took {maint:?}"
    );
    eprintln!(
        "10k shoots: open {open:?}, rebuild {rebuild:?}, one shoot {incremental:?}, move {moves:?}/key, filter {typing:?}/key"
    );
    assert!(
        incremental < rebuild,
        "one shoot {incremental:?} vs all {rebuild:?}"
    );
    assert!(open < budget * 10, "opening took {open:?}");
    assert!(moves < budget, "a cursor move took {moves:?}");
    assert!(rebuild < budget * 10, "rebuilding rows took {rebuild:?}");
    assert!(typing < budget, "a filter keystroke took {typing:?}");
}
