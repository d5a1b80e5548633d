//! Keys that change what operations act on or how: marks for bulk runs,
//! the dry-run switch, and the maintenance view's horizon and grouping.

use super::action::Action;
use super::state::{State, ViewKind};
use super::update::{Effect, info};

/// Marks, dry run, horizon and grouping keys.
pub fn toggle_action(s: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::ToggleMark | Action::MarkRange | Action::ClearMarks
            if s.active() != ViewKind::Shoots && a != Action::ClearMarks =>
        {
            info(s, "marks are for shoots: focus the shoots pane (2)");
        }
        Action::ToggleMark => {
            let Some(id) = s.pane(ViewKind::Shoots).selected.clone() else {
                return Vec::new();
            };
            if !s.ls.marks.remove(&id) {
                s.ls.marks.insert(id.clone());
                s.ls.last_mark = Some(id);
            }
            s.move_cursor(1);
            info(s, marks_text(s));
        }
        Action::MarkRange => mark_range(s),
        Action::ClearMarks => {
            let n = s.ls.marks.len();
            s.ls.marks.clear();
            s.ls.last_mark = None;
            info(s, format!("{n} marks cleared"));
        }
        Action::ToggleDryRun => {
            s.dry_run = !s.dry_run;
            info(
                s,
                if s.dry_run {
                    "dry run ON: operations go out with dryRun=All and change nothing"
                } else {
                    "dry run OFF: operations change the landscape"
                },
            );
        }
        Action::CycleHorizon => {
            s.maint_horizon = match s.maint_horizon {
                Some(6) => Some(12),
                Some(12) => Some(24),
                Some(24) => Some(48),
                Some(_) => None,
                None => Some(6),
            };
            s.refresh(ViewKind::Maint);
            let text = horizon_text(s.maint_horizon);
            info(s, format!("maintenance windows {text}"));
        }
        Action::ToggleTimelineGroup => {
            use kclm::maintenance::GroupBy;
            s.timeline_group = match s.timeline_group {
                GroupBy::Seed => GroupBy::Project,
                GroupBy::Project => GroupBy::Seed,
            };
            s.refresh(ViewKind::Maint);
            let by = match s.timeline_group {
                GroupBy::Seed => "seed",
                GroupBy::Project => "project",
            };
            info(s, format!("maintenance timeline: one lane per {by}"));
        }
        _ => {}
    }
    Vec::new()
}

pub fn horizon_text(h: Option<u32>) -> String {
    match h {
        Some(h) => format!("open now or within {h} h"),
        None => "all".into(),
    }
}

fn marks_text(s: &State) -> String {
    match s.ls.marks.len() {
        0 => "no shoots marked".into(),
        1 => "1 shoot marked (operations act on it)".into(),
        n => format!("{n} shoots marked: H W R M D act on all of them, U clears"),
    }
}

/// Marks every visible shoot between the last mark and the cursor.
fn mark_range(s: &mut State) {
    let pane = s.pane(ViewKind::Shoots);
    let ids: Vec<String> = pane
        .visible
        .iter()
        .map(|i| {
            let r = &s.ls.rows.shoots[*i as usize];
            format!("{}/{}", r.namespace, r.name)
        })
        .collect();
    let cursor = pane.cursor;
    let from =
        s.ls.last_mark
            .as_ref()
            .and_then(|m| ids.iter().position(|id| id == m))
            .unwrap_or(cursor);
    let (a, b) = (from.min(cursor), from.max(cursor));
    for id in ids.iter().take(b + 1).skip(a) {
        s.ls.marks.insert(id.clone());
    }
    if let Some(id) = ids.get(cursor) {
        s.ls.last_mark = Some(id.clone());
    }
    info(s, marks_text(s));
}
