//! Snapshots of the operation dialogs: typed-name delete with the production
//! warning, the bulk confirmation, the results overlay, the DRY-RUN badge.

use kclm::ops::{OpError, Outcome, OutcomeKind, Refusal, Unmet};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::fixtures::{press, state, type_text};
use super::ops::select;
use crate::tui::ops::OpReport;
use crate::tui::render::render;
use crate::tui::state::{State, Tag};
use crate::tui::theme::Theme;
use crate::tui::update::{Msg, update};

fn screen(s: &mut State, w: u16, h: u16) -> (Terminal<TestBackend>, String) {
    let _ = update(s, Msg::Resize(w, h));
    let theme = Theme::builtin("default");
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| render(f, s, &theme)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    (t, out)
}

#[test]
fn delete_dialog_with_production_warning() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "D");
    type_text(&mut s, "ap");
    let (t, out) = screen(&mut s, 120, 32);
    assert!(out.contains("Delete shoot garden-beta/api"), "{out}");
    assert!(out.contains("PRODUCTION shoot"), "{out}");
    assert!(out.contains("This action cannot be undone."), "{out}");
    assert!(out.contains("Type api to confirm"), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn bulk_confirmation_wants_the_count() {
    let mut s = state();
    select(&mut s, "api");
    press(&mut s, "space space space");
    press(&mut s, "H");
    let (t, out) = screen(&mut s, 120, 32);
    assert!(out.contains("Hibernate 3 marked shoots"), "{out}");
    assert!(out.contains("Type 3 to confirm"), "{out}");
    assert!(out.contains("3 MARKED"), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn results_overlay_and_dry_run_badge() {
    let mut s = state();
    press(&mut s, "ctrl-t");
    let ok = Outcome {
        target: "garden-acme/web-prod".into(),
        action: "reconcile".into(),
        kind: OutcomeKind::Changed,
        message: "reconcile requested (dry run)".into(),
        dry_run: true,
    };
    let _ = update(
        &mut s,
        Msg::OpDone(
            Tag::default(),
            OpReport::Bulk {
                label: "reconcile 2 shoots".into(),
                dry_run: true,
                results: vec![
                    ("garden-acme/web-prod".into(), Ok(ok)),
                    (
                        "garden-beta/api".into(),
                        Err(OpError::Refused(Refusal::Precondition(
                            Unmet::OperationPending {
                                pending: "rotate-ca-start".into(),
                            },
                        ))),
                    ),
                ],
            },
        ),
    );
    let (t, out) = screen(&mut s, 120, 32);
    assert!(out.contains("DRY-RUN"), "{out}");
    assert!(out.contains("1 ok, 1 failed"), "{out}");
    assert!(out.contains("FAILED garden-beta/api"), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn action_menu_shows_keys_and_why_not() {
    let mut s = state();
    select(&mut s, "web-prod");
    press(&mut s, "m");
    let (t, out) = screen(&mut s, 120, 32);
    assert!(out.contains("unavailable: already awake"), "{out}");
    assert!(
        out.contains("retry only applies to a Failed last operation"),
        "{out}"
    );
    insta::assert_snapshot!(t.backend());
}
