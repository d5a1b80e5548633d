//! The detail pane and the tables with served text a real server can send:
//! a last error without `codes`, and terminal controls in names and messages.

use kclm::landscape::{Kind, KubeObject, Landscape, SourceState, Update};
use kclm::model::gardener::Shoot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::tui::keymap::Keymap;
use crate::tui::render::render;
use crate::tui::state::State;
use crate::tui::tests::fixtures::{garden_objects, metal_snapshot, now, press, type_text};
use crate::tui::theme::Theme;
use crate::tui::update::{Msg, update};

/// Retitles the terminal, clears it, colours through the C1 CSI, flips text.
const EVIL: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}x";

/// The fixture landscape with shoot `garden-beta/api` changed by `edit`.
fn state_with_api(edit: impl Fn(&mut serde_json::Value)) -> State {
    let mut objs = garden_objects();
    for o in &mut objs {
        if let KubeObject::Shoot(s) = o
            && s.metadata.name.as_deref() == Some("api")
        {
            let mut v = serde_json::to_value(&**s).expect("a shoot serializes");
            edit(&mut v);
            *o = KubeObject::from(serde_json::from_value::<Shoot>(v).expect("still a shoot"));
        }
    }
    let mut ls = Landscape::new();
    for kind in [Kind::Project, Kind::Seed, Kind::Shoot, Kind::CloudProfile] {
        let of_kind: Vec<KubeObject> = objs.iter().filter(|o| o.kind() == kind).cloned().collect();
        ls.apply(Update::Relisted(kind, of_kind));
        ls.apply(Update::Source(kind, SourceState::Synced));
    }
    ls.apply(Update::Metal(Box::new(metal_snapshot())));
    let mut s = State::new("demo", ls, Keymap::builtin(), now());
    s.size = (200, 50);
    s
}

/// The screen, one line of text per row.
fn screen(s: &mut State) -> (String, Terminal<TestBackend>) {
    let _ = update(s, Msg::Resize(200, 50));
    let theme = Theme::builtin("default");
    let mut t = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    t.draw(|f| render(f, s, &theme)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    (out, t)
}

/// Shows the shoot `api` (and whatever follows its name) in the detail pane.
fn show_api(s: &mut State) -> String {
    press(s, "/");
    type_text(s, "\"api\"");
    press(s, "enter");
    screen(s).0
}

#[test]
fn a_last_error_without_codes_shows_no_empty_brackets() {
    let mut s = state_with_api(|v| {
        v["status"]["lastErrors"][0]
            .as_object_mut()
            .expect("the fixture's api has a last error")
            .remove("codes");
    });
    let out = show_api(&mut s);
    // (the pane is narrower than the task's name)
    let task = "Waiting until shoot";
    let line = out
        .lines()
        .find(|l| l.contains(task))
        .unwrap_or_else(|| panic!("the task in\n{out}"));
    assert!(!line.contains("[]"), "{line}");
    assert!(line.contains(&format!("│{task}")), "the task leads: {line}");

    // with codes they are shown, in brackets, before the task
    let mut s = state_with_api(|_| {});
    let out = show_api(&mut s);
    assert!(
        out.contains(&format!("│[ERR_INFRA_DEPENDENCIES] {task}")),
        "{out}"
    );
}

#[test]
fn served_terminal_controls_never_reach_the_screen() {
    let mut s = state_with_api(|v| {
        v["metadata"]["name"] = format!("api{EVIL}").into();
        v["spec"]["purpose"] = EVIL.into();
        v["status"]["lastErrors"][0]["taskID"] = format!("task{EVIL}").into();
        v["status"]["lastErrors"][0]["description"] = format!("failed{EVIL}").into();
        v["status"]["conditions"][2]["message"] = format!("node{EVIL}").into();
    });
    let out = show_api(&mut s);
    let bad: Vec<char> = out
        .chars()
        .filter(|&c| kclm::text::is_unsafe(c) && c != '\n')
        .collect();
    assert!(bad.is_empty(), "{bad:?} on screen:\n{out}");
    // the name is still there to read, in the table and the detail
    assert!(out.matches("api]0;owned").count() >= 2, "{out}");
    assert!(out.contains("task]0;owned"), "{out}");
}
