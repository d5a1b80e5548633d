//! Everything the console shows, owned by the loop and changed only by
//! `update`. Rendering reads it; nothing else writes it.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use kclm::config::Target;
use kclm::filter::Filter;
use kclm::landscape::Landscape;
use kclm::landscape::rows::{MachineRow, ProjectRow, SeedRow, ShootRow};
use kclm::maintenance::GroupBy;

use super::input::LineEdit;
use super::keymap::Keymap;
pub use super::landscape_state::{LandscapeState, Tag};
use super::overlay::Overlay;
use super::prefs::Prefs;
pub use super::rows::{Dirty, RowCache};
use super::table::{self, Sort, TableRow};
use super::views::maint::maint_rows;

/// Every table kclm can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    Projects,
    Shoots,
    Seeds,
    Machines,
    Firewalls,
    CloudProfiles,
    Clusters,
    Tenants,
    Partitions,
    Maint,
}

impl ViewKind {
    pub const ALL: [ViewKind; 10] = [
        ViewKind::Projects,
        ViewKind::Shoots,
        ViewKind::Seeds,
        ViewKind::Machines,
        ViewKind::Firewalls,
        ViewKind::CloudProfiles,
        ViewKind::Clusters,
        ViewKind::Tenants,
        ViewKind::Partitions,
        ViewKind::Maint,
    ];
    /// The panes of the landscape screen, in focus order.
    pub const LANDSCAPE: [ViewKind; 4] = [
        ViewKind::Projects,
        ViewKind::Shoots,
        ViewKind::Seeds,
        ViewKind::Machines,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ViewKind::Projects => "projects",
            ViewKind::Shoots => "shoots",
            ViewKind::Seeds => "seeds",
            ViewKind::Machines => "machines",
            ViewKind::Firewalls => "firewalls",
            ViewKind::CloudProfiles => "cloudprofiles",
            ViewKind::Clusters => "clusters",
            ViewKind::Tenants => "tenants",
            ViewKind::Partitions => "partitions",
            ViewKind::Maint => "maint",
        }
    }
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
    pub fn is_landscape(self) -> bool {
        Self::LANDSCAPE.contains(&self)
    }
}

/// What the shoots (or machines) pane is narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    All,
    /// Shoots of a project: (project name, namespace).
    Project(String, String),
    /// Shoots on a seed.
    Seed(String),
    /// Machines and firewalls of a shoot (`namespace/name`).
    Shoot(String),
}

/// One table pane: cursor, filter, sort and the rows it currently shows.
#[derive(Clone, Debug)]
pub struct Pane {
    pub kind: ViewKind,
    pub scope: Scope,
    pub cursor: usize,
    pub offset: usize,
    /// Id of the selected row, to keep it selected when rows change.
    pub selected: Option<String>,
    pub filter_text: String,
    pub filter: Option<Filter>,
    pub filter_error: Option<String>,
    pub sort: Sort,
    pub visible: Vec<u32>,
    /// The rows' order under `sort`, reused while typing a filter.
    pub order: table::SortCache,
}

impl Pane {
    pub fn new(kind: ViewKind) -> Self {
        Self {
            kind,
            scope: Scope::All,
            cursor: 0,
            offset: 0,
            selected: None,
            filter_text: String::new(),
            filter: None,
            filter_error: None,
            sort: Sort::default(),
            visible: Vec::new(),
            order: table::SortCache::default(),
        }
    }
    /// Index into the kind's row cache of the selected row.
    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.cursor).map(|i| *i as usize)
    }
}

/// Calls `$body` with `$rows` bound to the cached rows of a kind.
macro_rules! with_rows {
    ($cache:expr, $kind:expr, |$rows:ident| $body:expr) => {{
        use $crate::tui::state::ViewKind as VK;
        match $kind {
            VK::Projects => {
                let $rows = &$cache.projects[..];
                $body
            }
            VK::Shoots => {
                let $rows = &$cache.shoots[..];
                $body
            }
            VK::Maint => {
                let $rows = &$cache.maint[..];
                $body
            }
            VK::Seeds => {
                let $rows = &$cache.seeds[..];
                $body
            }
            VK::Machines | VK::Firewalls => {
                let $rows = &$cache.metal[..];
                $body
            }
            VK::CloudProfiles => {
                let $rows = &$cache.cloudprofiles[..];
                $body
            }
            VK::Clusters => {
                let $rows = &$cache.clusters[..];
                $body
            }
            VK::Tenants => {
                let $rows = &$cache.tenants[..];
                $body
            }
            VK::Partitions => {
                let $rows = &$cache.partitions[..];
                $body
            }
        }
    }};
}
pub(crate) use with_rows;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Projects, shoots, seeds and machines side by side.
    Landscape,
    /// One kind full width.
    List(ViewKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMsg {
    pub text: String,
    pub level: Level,
}

/// A breadcrumb: where Esc goes back to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavEntry {
    pub screen: Screen,
    pub focus: ViewKind,
    pub shoot_scope: Scope,
}

/// What is being typed, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Editing the filter of the focused pane (applied while typing).
    Filter(LineEdit),
}

pub struct State {
    /// The landscape shown: its store, rows, selections and session (a
    /// switch replaces all of it).
    pub ls: LandscapeState,
    /// Landscapes that can be switched to, resolved at start (or why not).
    pub targets: BTreeMap<String, Result<Target, String>>,
    pub screen: Screen,
    pub focus: ViewKind,
    pub issues_only: bool,
    pub mode: Mode,
    pub overlay: Option<Overlay>,
    pub status: Option<StatusMsg>,
    pub keymap: Keymap,
    pub theme_name: String,
    pub theme_names: Vec<String>,
    pub landscapes: Vec<String>,
    pub prefs: Prefs,
    pub mouse: bool,
    pub size: (u16, u16),
    pub now: Timestamp,
    /// Zone maintenance windows are shown in.
    pub tz: jiff::tz::TimeZone,
    /// Set by every change; the loop draws and clears it.
    pub dirty: bool,
    /// Every operation goes out with `dryRun=All`.
    pub dry_run: bool,
    /// Maintenance view: windows opening within this many hours (None = all).
    pub maint_horizon: Option<u32>,
    /// Maintenance timeline lanes: grouped by, and how many there are.
    pub timeline_group: GroupBy,
    pub timeline_lanes: u16,
}

impl State {
    pub fn new(landscape_name: &str, ls: Landscape, keymap: Keymap, now: Timestamp) -> Self {
        let mut s = Self {
            ls: LandscapeState::new(landscape_name, 0, ls),
            targets: BTreeMap::new(),
            screen: Screen::Landscape,
            focus: ViewKind::Shoots,
            issues_only: false,
            mode: Mode::Normal,
            overlay: None,
            status: None,
            keymap,
            theme_name: "default".into(),
            theme_names: Vec::new(),
            landscapes: Vec::new(),
            prefs: Prefs::default(),
            mouse: false,
            size: (160, 45),
            now,
            tz: jiff::tz::TimeZone::UTC,
            dirty: true,
            dry_run: false,
            maint_horizon: Some(12),
            timeline_group: GroupBy::Seed,
            timeline_lanes: 0,
        };
        s.sync_rows();
        s
    }

    pub fn pane(&self, kind: ViewKind) -> &Pane {
        &self.ls.panes[&kind]
    }
    pub fn pane_mut(&mut self, kind: ViewKind) -> &mut Pane {
        self.ls.panes.entry(kind).or_insert_with(|| Pane::new(kind))
    }

    /// Whether the cached rows are behind the store.
    pub fn rows_stale(&self) -> bool {
        self.ls.pending.any()
    }

    /// Brings the cached rows up to date with the store (only what the
    /// pending updates touched) and refreshes every pane.
    pub fn sync_rows(&mut self) {
        let dirty = std::mem::take(&mut self.ls.pending);
        self.ls.rows.sync(&self.ls.store, &dirty);
        self.refresh_all();
        self.dirty = true;
    }

    /// Applies watch updates to the store, noting which rows they touch.
    pub fn apply_updates(&mut self, batch: Vec<kclm::landscape::Update>) {
        for u in batch {
            self.ls.pending.note(&self.ls.store, &u);
            self.ls.store.apply(u);
        }
    }

    pub fn refresh_all(&mut self) {
        for k in [
            ViewKind::Projects,
            ViewKind::Seeds,
            ViewKind::Shoots,
            ViewKind::Machines,
        ] {
            self.refresh(k);
        }
        for k in ViewKind::ALL.into_iter().filter(|k| !k.is_landscape()) {
            self.refresh(k);
        }
    }

    /// Recomputes a pane's visible rows (scope, filter, issues, sort), keeping
    /// the selected row selected when it is still there.
    pub fn refresh(&mut self, kind: ViewKind) {
        if kind == ViewKind::Machines {
            self.update_machine_scope();
        }
        if kind == ViewKind::Maint {
            let key = (self.ls.store.generation, self.now.as_second() / 60);
            let shown = self.screen == Screen::List(ViewKind::Maint);
            if shown && self.ls.rows.maint_key != Some(key) {
                self.ls.rows.maint = maint_rows(&self.ls.store, self.now, &self.tz);
                self.ls.rows.maint_key = Some(key);
                self.ls.rows.generation = kclm::filter::next_epoch();
            }
            self.timeline_lanes = self.count_lanes();
        }
        let issues_only = self.issues_only;
        let horizon = self.maint_horizon.map(|h| i64::from(h) * 3600);
        let pane = self.ls.panes.get_mut(&kind).expect("every kind has a pane");
        let cache = &self.ls.rows;
        let visible = with_rows!(cache, kind, |rows| {
            let cands = candidates(cache, pane, rows.len(), horizon);
            table::visible(
                rows,
                cache.search_of(kind),
                &cands,
                pane.filter.as_ref(),
                issues_only,
                pane.sort,
                &mut pane.order,
                cache.version_of(kind),
            )
        });
        let was = pane.selected_index();
        pane.visible = visible;
        self.reselect(kind, was);
        self.dirty = true;
    }

    /// Lanes of the maintenance timeline: every shoot with a window has one
    /// every day, so this is the number of its seeds (or projects).
    fn count_lanes(&self) -> u16 {
        let lanes: BTreeSet<&str> = self
            .ls
            .rows
            .maint
            .iter()
            .filter(|r| r.facts.window.is_some())
            .map(|r| match self.timeline_group {
                GroupBy::Seed => r.seed.as_str(),
                GroupBy::Project => r.project.as_str(),
            })
            .collect();
        lanes.len().min(u16::MAX as usize) as u16
    }

    /// Puts the cursor back on the selected id, or clamps it. `was` is the
    /// row the selection was at: while it still holds that id (the rows were
    /// not rebuilt), only indices are compared, not 100,000 rows' ids.
    fn reselect(&mut self, kind: ViewKind, was: Option<usize>) {
        let rows = &self.ls.rows;
        let pane = self.ls.panes.get_mut(&kind).expect("every kind has a pane");
        let found = pane.selected.as_deref().and_then(|sel| {
            with_rows!(rows, kind, |rs| {
                match was.filter(|&i| rs.get(i).is_some_and(|r| r.has_id(sel))) {
                    Some(at) => pane.visible.iter().position(|&i| i as usize == at),
                    None => pane
                        .visible
                        .iter()
                        .position(|i| rs[*i as usize].has_id(sel)),
                }
            })
        });
        match found {
            Some(pos) => pane.cursor = pos,
            None => pane.cursor = pane.cursor.min(pane.visible.len().saturating_sub(1)),
        }
        pane.selected = pane
            .selected_index()
            .map(|i| with_rows!(rows, kind, |rs| rs[i].id().into_owned()));
    }

    /// The machines pane follows the selected shoot on the landscape screen.
    fn update_machine_scope(&mut self) {
        let scope = match self.selected_shoot() {
            Some(s) => Scope::Shoot(format!("{}/{}", s.namespace, s.name)),
            None => Scope::All,
        };
        self.pane_mut(ViewKind::Machines).scope = scope;
    }

    pub fn selected_shoot(&self) -> Option<&ShootRow> {
        let i = self.pane(ViewKind::Shoots).selected_index()?;
        self.ls.rows.shoots.get(i)
    }
    pub fn selected_seed(&self) -> Option<&SeedRow> {
        let i = self.pane(ViewKind::Seeds).selected_index()?;
        self.ls.rows.seeds.get(i)
    }
    pub fn selected_project(&self) -> Option<&ProjectRow> {
        let i = self.pane(ViewKind::Projects).selected_index()?;
        self.ls.rows.projects.get(i)
    }
    pub fn selected_metal(&self, kind: ViewKind) -> Option<&MachineRow> {
        let i = self.pane(kind).selected_index()?;
        self.ls.rows.metal.get(i)
    }

    /// What the detail pane is about (its scroll resets when this changes).
    pub fn detail_key(&self) -> String {
        let kind = self.active();
        let sel = self.pane(kind).selected.clone().unwrap_or_default();
        format!("{}:{sel}", kind.name())
    }

    /// Detail scroll for the current selection.
    pub fn detail_offset(&self) -> u16 {
        if self.ls.detail_scroll.0 == self.detail_key() {
            self.ls.detail_scroll.1
        } else {
            0
        }
    }

    /// The pane keys act on: the focused landscape pane or the list view.
    pub fn active(&self) -> ViewKind {
        match self.screen {
            Screen::Landscape => self.focus,
            Screen::List(k) => k,
        }
    }
}

/// Which rows of a kind a pane may show before filtering.
fn candidates(cache: &RowCache, pane: &Pane, len: usize, horizon: Option<i64>) -> Vec<usize> {
    match (pane.kind, &pane.scope) {
        // Open now (0) or opening within the horizon.
        (ViewKind::Maint, _) => (0..len)
            .filter(|i| horizon.is_none_or(|h| cache.maint[*i].starts_in <= h))
            .collect(),
        (ViewKind::Shoots, Scope::Project(_, ns)) => (0..len)
            .filter(|i| cache.shoots[*i].namespace == *ns)
            .collect(),
        (ViewKind::Shoots, Scope::Seed(seed)) => (0..len)
            .filter(|i| cache.shoots[*i].seed.as_deref() == Some(seed.as_str()))
            .collect(),
        (ViewKind::Machines, Scope::Shoot(key)) => (0..len)
            .filter(|i| cache.metal[*i].shoot.as_deref() == Some(key.as_str()))
            .collect(),
        (ViewKind::Machines, _) => (0..len)
            .filter(|i| cache.metal[*i].role != "firewall")
            .collect(),
        (ViewKind::Firewalls, _) => (0..len)
            .filter(|i| cache.metal[*i].role == "firewall")
            .collect(),
        _ => (0..len).collect(),
    }
}
