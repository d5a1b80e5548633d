//! Moving around: cursors, focus, drill-in/back and the joins that make the
//! panes follow each other (project/seed -> shoots -> machines).

use super::layout;
use super::state::{NavEntry, Scope, Screen, State, ViewKind, with_rows};
use super::table::TableRow;

impl State {
    pub fn areas(&self) -> layout::Areas {
        layout::areas_with(self.size, self.screen, self.focus, self.timeline_lanes)
    }

    /// Data rows visible in a pane at the current size.
    pub fn page(&self, kind: ViewKind) -> usize {
        self.areas().page(kind)
    }

    /// Moves the cursor of the active pane by `delta` rows (clamped).
    pub fn move_cursor(&mut self, delta: isize) {
        let kind = self.active();
        let pane = self.pane(kind);
        let len = pane.visible.len();
        if len == 0 {
            return;
        }
        let to = (pane.cursor as isize + delta).clamp(0, len as isize - 1) as usize;
        self.set_cursor(kind, to);
    }

    /// Puts the cursor of `kind` on row `to` and lets the joined panes follow.
    pub fn set_cursor(&mut self, kind: ViewKind, to: usize) {
        let page = self.page(kind);
        let rows = &self.ls.rows;
        let pane = self.ls.panes.get_mut(&kind).expect("every kind has a pane");
        if pane.visible.is_empty() {
            return;
        }
        pane.cursor = to.min(pane.visible.len() - 1);
        pane.selected = pane
            .selected_index()
            .map(|i| with_rows!(rows, kind, |rs| rs[i].id().into_owned()));
        scroll_into_view(&mut pane.offset, pane.cursor, page);
        self.dirty = true;
        self.selection_changed(kind);
    }

    /// Applies the joins after the selection of `kind` changed.
    pub fn selection_changed(&mut self, kind: ViewKind) {
        if self.screen != Screen::Landscape || kind != self.focus {
            if kind == ViewKind::Shoots {
                self.refresh(ViewKind::Machines);
            }
            return;
        }
        match kind {
            ViewKind::Projects => {
                if let Some(p) = self.selected_project() {
                    let scope = Scope::Project(p.name.clone(), p.namespace.clone());
                    self.set_shoot_scope(scope);
                }
            }
            ViewKind::Seeds => {
                if let Some(s) = self.selected_seed() {
                    let scope = Scope::Seed(s.name.clone());
                    self.set_shoot_scope(scope);
                }
            }
            ViewKind::Shoots => {
                self.refresh(ViewKind::Machines);
                self.follow_shoot();
            }
            _ => {}
        }
    }

    /// Projects and seeds panes show the selected shoot's project and seed.
    fn follow_shoot(&mut self) {
        let Some(s) = self.selected_shoot() else {
            return;
        };
        let (project, seed) = (s.project.clone(), s.seed.clone());
        self.select_id(ViewKind::Projects, &project);
        if let Some(seed) = seed {
            self.select_id(ViewKind::Seeds, &seed);
        }
    }

    /// Selects the row with `id` in a pane without triggering joins.
    pub fn select_id(&mut self, kind: ViewKind, id: &str) -> bool {
        let page = self.page(kind);
        let rows = &self.ls.rows;
        let pane = self.ls.panes.get_mut(&kind).expect("every kind has a pane");
        let pos = with_rows!(rows, kind, |rs| pane
            .visible
            .iter()
            .position(|i| rs[*i as usize].id() == id));
        if let Some(pos) = pos {
            pane.cursor = pos;
            pane.selected = Some(id.to_string());
            scroll_into_view(&mut pane.offset, pos, page);
            self.dirty = true;
            true
        } else {
            false
        }
    }

    pub fn set_shoot_scope(&mut self, scope: Scope) {
        let pane = self.pane_mut(ViewKind::Shoots);
        if pane.scope != scope {
            pane.scope = scope;
            pane.cursor = 0;
            pane.offset = 0;
            pane.selected = None;
            self.refresh(ViewKind::Shoots);
            self.refresh(ViewKind::Machines);
        }
    }

    fn nav_entry(&self) -> NavEntry {
        NavEntry {
            screen: self.screen,
            focus: self.focus,
            shoot_scope: self.pane(ViewKind::Shoots).scope.clone(),
        }
    }

    pub fn push_nav(&mut self) {
        let e = self.nav_entry();
        if self.ls.nav.last() != Some(&e) {
            self.ls.nav.push(e);
        }
    }

    pub fn focus_pane(&mut self, kind: ViewKind) {
        if self.screen != Screen::Landscape {
            self.screen = Screen::Landscape;
        }
        self.focus = kind;
        self.dirty = true;
    }

    /// Tab order over the landscape panes.
    pub fn cycle_focus(&mut self, forward: bool) {
        let order = ViewKind::LANDSCAPE;
        let i = order.iter().position(|k| *k == self.focus).unwrap_or(0);
        let n = order.len();
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus_pane(order[next]);
    }

    /// Left/right between the two columns (projects|shoots, seeds|machines).
    pub fn focus_horizontal(&mut self, right: bool) {
        if self.areas().panes.len() < 4 {
            return self.cycle_focus(right);
        }
        let to = match (self.focus, right) {
            (ViewKind::Projects, true) => ViewKind::Shoots,
            (ViewKind::Seeds, true) => ViewKind::Machines,
            (ViewKind::Shoots, false) => ViewKind::Projects,
            (ViewKind::Machines, false) => ViewKind::Seeds,
            (k, _) => k,
        };
        self.focus_pane(to);
    }

    /// Enter: project/seed -> its shoots, shoot -> its machines, machine or
    /// firewall -> its shoot. Returns a status line when there is nothing to do.
    pub fn drill_in(&mut self) -> Option<String> {
        let kind = self.active();
        match (self.screen, kind) {
            (Screen::Landscape, ViewKind::Projects | ViewKind::Seeds) => {
                self.push_nav();
                self.selection_changed_forced(kind);
                self.focus = ViewKind::Shoots;
                None
            }
            (Screen::Landscape, ViewKind::Shoots) => {
                self.selected_shoot()?;
                self.push_nav();
                self.focus = ViewKind::Machines;
                None
            }
            (_, ViewKind::Machines | ViewKind::Firewalls) => {
                let m = self.selected_metal(kind)?;
                let Some(shoot) = m.shoot.clone() else {
                    return Some(format!("{} belongs to no shoot", m.id));
                };
                self.jump_to_shoot(&shoot);
                None
            }
            (_, ViewKind::Maint) => {
                let i = self.pane(kind).selected_index()?;
                let r = self.ls.rows.maint.get(i)?;
                let key = format!("{}/{}", r.namespace, r.name);
                self.jump_to_shoot(&key);
                None
            }
            (Screen::List(k), _) if k.is_landscape() => {
                self.push_nav();
                self.focus_pane(k);
                None
            }
            _ => Some(format!("nothing to drill into from {}", kind.name())),
        }
    }

    /// Shows a shoot (`namespace/name`) selected in the landscape, dropping
    /// the scope and filter if they hide it.
    fn jump_to_shoot(&mut self, shoot: &str) {
        self.push_nav();
        self.screen = Screen::Landscape;
        if !self.select_id(ViewKind::Shoots, shoot) {
            self.set_shoot_scope(Scope::All);
            let shoots = self.pane_mut(ViewKind::Shoots);
            shoots.filter = None;
            shoots.filter_text.clear();
            shoots.filter_error = None;
            self.refresh(ViewKind::Shoots);
            self.select_id(ViewKind::Shoots, shoot);
        }
        self.focus = ViewKind::Shoots;
        self.selection_changed(ViewKind::Shoots);
    }

    /// Scope change for Enter even when the pane was focused without moving.
    fn selection_changed_forced(&mut self, kind: ViewKind) {
        let prev = self.focus;
        self.focus = kind;
        self.selection_changed(kind);
        self.focus = prev;
    }

    /// Esc: clear the filter, else pop a breadcrumb, else drop the scope.
    pub fn back(&mut self) {
        let kind = self.active();
        if !self.pane(kind).filter_text.is_empty() {
            self.set_filter(kind, "");
            return;
        }
        if let Some(e) = self.ls.nav.pop() {
            self.screen = e.screen;
            self.focus = e.focus;
            self.set_shoot_scope(e.shoot_scope);
            self.dirty = true;
            return;
        }
        if self.screen != Screen::Landscape {
            self.screen = Screen::Landscape;
            self.dirty = true;
            return;
        }
        self.set_shoot_scope(Scope::All);
    }

    /// Parses and applies a filter; a bad expression keeps the last good one
    /// and shows the error.
    pub fn set_filter(&mut self, kind: ViewKind, text: &str) {
        let parsed = with_rows!(self.ls.rows, kind, |rows| parse_for(rows, text));
        let pane = self.pane_mut(kind);
        pane.filter_text = text.to_string();
        match parsed {
            Ok(f) => {
                pane.filter = (!f.is_empty()).then_some(f);
                pane.filter_error = None;
            }
            Err(e) => pane.filter_error = Some(e),
        }
        self.refresh(kind);
        if kind == ViewKind::Shoots {
            self.refresh(ViewKind::Machines);
        }
    }
}

fn parse_for<R: kclm::filter::Filterable>(
    _: &[R],
    text: &str,
) -> Result<kclm::filter::Filter, String> {
    kclm::filter::Filter::for_rows::<R>(text).map_err(|e| e.to_string())
}

pub fn scroll_into_view(offset: &mut usize, cursor: usize, page: usize) {
    let page = page.max(1);
    if cursor < *offset {
        *offset = cursor;
    } else if cursor >= *offset + page {
        *offset = cursor + 1 - page;
    }
}
