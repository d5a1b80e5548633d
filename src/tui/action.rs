//! What a key can do. Keymaps name these; help is generated from them.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($($variant:ident => $name:literal, $help:literal;)*) => {
        /// Every bindable operation. Matched exhaustively in `update`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];
            /// The name keymaps use.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }
            /// One line for the help screen.
            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help,)* }
            }
        }
    };
}

actions! {
    Quit => "quit", "Quit kclm";
    MoveUp => "move_up", "Move the cursor up";
    MoveDown => "move_down", "Move the cursor down";
    PageUp => "page_up", "Move one page up";
    PageDown => "page_down", "Move one page down";
    HalfPageUp => "half_page_up", "Move half a page up";
    HalfPageDown => "half_page_down", "Move half a page down";
    Top => "top", "Go to the first row";
    Bottom => "bottom", "Go to the last row";
    FocusNext => "focus_next", "Focus the next pane";
    FocusPrev => "focus_prev", "Focus the previous pane";
    FocusLeft => "focus_left", "Focus the pane to the left";
    FocusRight => "focus_right", "Focus the pane to the right";
    FocusProjects => "focus_projects", "Focus the projects pane";
    FocusShoots => "focus_shoots", "Focus the shoots pane";
    FocusSeeds => "focus_seeds", "Focus the seeds pane";
    FocusMachines => "focus_machines", "Focus the machines pane";
    DrillIn => "drill_in", "Drill into the selection (project/seed -> shoots, shoot -> machines, machine -> shoot)";
    Back => "back", "Go back (pop the breadcrumb, clear the filter)";
    Filter => "filter", "Filter the focused pane (fuzzy, !not, \"exact\", field:value)";
    Command => "command", "Open the command palette (:shoots, :seeds, :theme ...)";
    Help => "help", "Show this help";
    SortNext => "sort_next", "Sort by the next column";
    SortReverse => "sort_reverse", "Reverse the sort order";
    SortPick => "sort_pick", "Pick the sort column";
    IssuesOnly => "issues_only", "Toggle issues only (unhealthy, failed, not ready, machine issues)";
    Yaml => "yaml", "Show the YAML of the selection";
    DetailDown => "detail_down", "Scroll the detail pane down";
    DetailUp => "detail_up", "Scroll the detail pane up";
    OpenDashboard => "open_dashboard", "Open the shoot in the Gardener dashboard";
    Copy => "copy", "Copy the name or id of the selection";
    NextMatch => "next_match", "Next search match (YAML view)";
    PrevMatch => "prev_match", "Previous search match (YAML view)";
    Redraw => "redraw", "Redraw the screen";
    OpsMenu => "action_menu", "Operations on the selection, with keys and why one is unavailable";
    ToggleMark => "toggle_mark", "Mark or unmark the selected shoot (for bulk operations)";
    MarkRange => "mark_range", "Mark every shoot from the last mark to the cursor";
    ClearMarks => "clear_marks", "Clear all marks";
    Hibernate => "hibernate", "Hibernate the shoot (or the marked shoots); typed confirmation";
    WakeUp => "wake_up", "Wake up the shoot (or the marked shoots)";
    Reconcile => "reconcile", "Reconcile the shoot (or the marked shoots) now";
    Maintain => "maintain", "Trigger maintenance now on the shoot (or the marked shoots)";
    Retry => "retry", "Retry the shoot's failed last operation";
    Rotate => "rotate", "Credential rotations of the shoot (submenu)";
    Delete => "delete", "Delete the shoot, marked shoots, cluster or tenant; typed confirmation";
    TogglePause => "toggle_pause", "Pause or unpause the Cluster-API cluster";
    Power => "power", "Power the machine on/off/reset/cycle, boot BIOS/disk/PXE (submenu)";
    Identify => "identify", "Switch the machine's identify LED on or off";
    MachineState => "machine_state", "Reserve, lock or release the machine (submenu; needs a description)";
    ToggleDryRun => "toggle_dry_run", "Toggle server-side dry run for every operation (DRY-RUN badge)";
    CycleHorizon => "cycle_horizon", "Maintenance view: show windows within 6/12/24/48 h or all";
    ToggleTimelineGroup => "toggle_timeline_group", "Maintenance view: timeline lanes per seed or per project";
}

impl Action {
    /// Whether the action changes the landscape (refused in read-only mode).
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Action::Hibernate
                | Action::WakeUp
                | Action::Reconcile
                | Action::Maintain
                | Action::Retry
                | Action::Rotate
                | Action::Delete
                | Action::TogglePause
                | Action::Power
                | Action::Identify
                | Action::MachineState
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown action {s:?}"))
    }
}

impl<'de> serde::Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Actions deliberately left without a key in the default keymap (the
/// keymap tests hold the default keymap to this list).
#[cfg_attr(not(test), allow(dead_code))]
pub const UNBOUND_BY_DEFAULT: &[Action] = &[Action::HalfPageUp, Action::HalfPageDown];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(a.name().parse::<Action>(), Ok(*a));
            assert!(seen.insert(a.name()), "duplicate name {}", a.name());
            assert!(!a.help().is_empty());
        }
        assert!("launch_missiles".parse::<Action>().is_err());
        let a: Action = toml::Value::String("sort_pick".into()).try_into().unwrap();
        assert_eq!(a, Action::SortPick);
    }
}
