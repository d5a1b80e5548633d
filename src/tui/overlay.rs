//! Layers drawn over the panes. The top layer gets keys first; adding a new
//! dialog (e.g. typed-name confirmation for hibernate/delete) means adding a
//! variant here, a key handler in `update` and a view.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::action::Action;
use super::input::LineEdit;
use super::views::action_menu::{Menu, Results};
use super::widgets::confirm::Confirm;
use super::yaml::YamlView;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Palette(Palette),
    Help {
        scroll: usize,
    },
    SortPick {
        cursor: usize,
    },
    Yaml(YamlView),
    /// Confirmation before an operation (typed name, yes/no or description).
    Confirm(Confirm),
    /// The action menu and its submenus (rotations, power, reserve/lock).
    Menu(Menu),
    /// Per-target results of a bulk operation.
    Results(Results),
}

/// The `:` command palette.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    /// Operations are listed as unavailable.
    pub readonly: bool,
    pub line: LineEdit,
    /// Completions for the current word: (text to insert, help).
    pub items: Vec<(String, String)>,
    pub cursor: usize,
}

/// Commands the palette knows: (name, argument hint, help).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("shoots", "", "Shoots (all; clears the project/seed scope)"),
    ("seeds", "", "Seeds"),
    ("projects", "", "Projects"),
    ("machines", "", "metal-stack machines"),
    ("firewalls", "", "metal-stack firewalls"),
    ("cloudprofiles", "", "Cloud profiles"),
    ("clusters", "", "Cluster-API clusters"),
    ("tenants", "", "Kamaji tenant control planes"),
    ("partitions", "", "metal-stack partitions and capacity"),
    ("maint", "", "Maintenance windows"),
    (
        "landscape",
        "[name]",
        "The side-by-side landscape view, or switch landscape",
    ),
    (
        "reconnect",
        "",
        "Connect the landscape again (a new session)",
    ),
    (
        "shell",
        "",
        "Run $SHELL in this terminal; exit to come back",
    ),
    ("theme", "<name>", "Switch the colour theme"),
    ("issues", "", "Toggle issues only"),
    ("help", "", "Key bindings"),
    ("actions", "", "Operations on the selection (action menu)"),
    ("hibernate", "", "Hibernate the shoot or the marked shoots"),
    ("wake", "", "Wake up the shoot or the marked shoots"),
    ("reconcile", "", "Reconcile the shoot or the marked shoots"),
    (
        "maintain",
        "",
        "Maintain the shoot or the marked shoots now",
    ),
    ("retry", "", "Retry the shoot's failed operation"),
    ("rotate", "", "Credential rotations of the shoot"),
    ("delete", "", "Delete the shoot(s), cluster or tenant"),
    ("pause", "", "Pause or unpause the Cluster-API cluster"),
    ("power", "", "Power commands for the machine"),
    ("identify", "", "Identify LED of the machine on/off"),
    ("reserve", "", "Reserve, lock or release the machine"),
    ("mark-clear", "", "Clear the marks"),
    ("dry-run", "", "Toggle server-side dry run"),
    (
        "horizon",
        "",
        "Maintenance: cycle the horizon 6/12/24/48 h/all",
    ),
    (
        "timeline",
        "",
        "Maintenance: timeline lanes per seed or project",
    ),
    ("q", "", "Quit"),
    ("quit", "", "Quit"),
];

/// Palette commands that run a key-bound action.
pub fn op_command(cmd: &str) -> Option<Action> {
    Some(match cmd {
        "actions" => Action::OpsMenu,
        "hibernate" => Action::Hibernate,
        "wake" => Action::WakeUp,
        "reconcile" => Action::Reconcile,
        "maintain" => Action::Maintain,
        "retry" => Action::Retry,
        "rotate" => Action::Rotate,
        "delete" => Action::Delete,
        "pause" => Action::TogglePause,
        "power" => Action::Power,
        "identify" => Action::Identify,
        "reserve" => Action::MachineState,
        "mark-clear" => Action::ClearMarks,
        "dry-run" => Action::ToggleDryRun,
        "horizon" => Action::CycleHorizon,
        "timeline" => Action::ToggleTimelineGroup,
        _ => return None,
    })
}

/// Fuzzy-ranks `candidates` against `query` (all of them when it is empty).
pub fn rank(query: &str, candidates: &[(String, String)]) -> Vec<(String, String)> {
    if query.is_empty() {
        return candidates.to_vec();
    }
    let pattern = Pattern::new(
        query,
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut m = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, (c, _))| {
            pattern
                .score(Utf32Str::new(c, &mut buf), &mut m)
                .map(|s| (s, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .map(|(_, i)| candidates[i].clone())
        .collect()
}

impl Palette {
    /// Recomputes completions for the word being typed.
    pub fn complete(&mut self, themes: &[String], landscapes: &[String]) {
        let text = self.line.text.trim_start();
        let (cmd, arg) = match text.split_once(' ') {
            Some((c, a)) => (c, Some(a.trim())),
            None => (text, None),
        };
        self.items = match arg {
            None => rank(
                cmd,
                &COMMANDS
                    .iter()
                    .map(|(n, a, h)| {
                        let mut help = if a.is_empty() {
                            h.to_string()
                        } else {
                            format!("{a}  {h}")
                        };
                        if self.readonly && op_command(n).is_some_and(Action::mutates) {
                            help.push_str("  (unavailable: read-only)");
                        }
                        (n.to_string(), help)
                    })
                    .collect::<Vec<_>>(),
            ),
            Some(a) => {
                let list = match cmd {
                    "theme" => themes,
                    "landscape" => landscapes,
                    _ => &[][..],
                };
                let cands: Vec<(String, String)> = list
                    .iter()
                    .map(|n| (format!("{cmd} {n}"), String::new()))
                    .collect();
                rank(a, &cands).into_iter().collect()
            }
        };
        self.cursor = self.cursor.min(self.items.len().saturating_sub(1));
    }

    /// Replaces the line with the highlighted completion; a command that
    /// takes an argument gets a trailing space so its arguments complete next.
    pub fn accept_completion(&mut self) {
        if let Some((text, _)) = self.items.get(self.cursor) {
            let text = if takes_arg(text) {
                format!("{text} ")
            } else {
                text.clone()
            };
            self.line = LineEdit::with(&text);
            self.cursor = 0;
        }
    }
}

/// Whether `cmd` (a bare command) needs (`<x>`) or accepts (`[x]`) an argument.
pub fn takes_arg(cmd: &str) -> bool {
    COMMANDS.iter().any(|(c, a, _)| *c == cmd && !a.is_empty())
}

/// Whether `cmd` (a bare command) cannot run without an argument.
pub fn needs_arg(cmd: &str) -> bool {
    COMMANDS
        .iter()
        .any(|(c, a, _)| *c == cmd && a.starts_with('<'))
}

impl Palette {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_then_arguments() {
        let mut p = Palette {
            line: LineEdit::with("sho"),
            ..Default::default()
        };
        p.complete(&[], &[]);
        assert_eq!(p.items[0].0, "shoots");
        p.line = LineEdit::with("theme mono");
        p.complete(&["default".into(), "monochrome".into()], &[]);
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].0, "theme monochrome");
    }
}
