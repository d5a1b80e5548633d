//! Everything that belongs to one connected landscape. A switch (or a
//! reconnect) replaces the whole of it with [`LandscapeState::new`]; nothing
//! of landscape A can be left over in B because nothing is reset field by
//! field.

use std::collections::{BTreeSet, HashMap, HashSet};

use kclm::landscape::Landscape;
use kclm::ops::access::{Access, AccessCheck};

use super::state::{Dirty, RowCache};
use super::state::{NavEntry, Pane, ViewKind};

/// Names one background request: the session it was sent for and its
/// number within that session. Replies carry it back; `update` drops a
/// reply whose session is no longer the current one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tag {
    pub epoch: u64,
    pub id: u64,
}

pub struct LandscapeState {
    /// Which session this is: every start, switch and reconnect gets the
    /// next number, so replies to an earlier one are recognised.
    pub epoch: u64,
    /// Requests sent in this session (the last request's id).
    pub requests: u64,
    pub name: String,
    /// No landscape was configured and the demo was chosen for the user.
    pub demo_by_default: bool,
    /// The landscape refuses mutations (`--readonly` / `readonly = true`).
    pub readonly: bool,
    pub dashboard_url: Option<String>,
    /// The landscape's `protect` rules (deletion is unavailable for matches).
    pub protect: Vec<String>,
    /// Ask the API server what RBAC allows (off without a connected cluster).
    pub rbac_checks: bool,
    /// Why the landscape could not be connected, if it could not.
    pub session_error: Option<String>,
    pub store: Landscape,
    pub rows: RowCache,
    /// What the updates applied since the last row sync touched.
    pub pending: Dirty,
    /// Scopes, cursors and selections of every table.
    pub panes: HashMap<ViewKind, Pane>,
    /// Breadcrumbs: where Esc goes back to.
    pub nav: Vec<NavEntry>,
    /// Detail pane scroll, valid for the selection it was made on.
    pub detail_scroll: (String, u16),
    /// Shoots marked for bulk operations (`namespace/name`) and the last one
    /// marked (where a range mark starts).
    pub marks: BTreeSet<String>,
    pub last_mark: Option<String>,
    /// RBAC answers, and the questions asked but not answered yet.
    pub access: HashMap<AccessCheck, Access>,
    pub access_pending: HashSet<AccessCheck>,
    /// Operations sent and not answered yet.
    pub ops_running: usize,
}

impl LandscapeState {
    pub fn new(name: &str, epoch: u64, store: Landscape) -> Self {
        let mut panes: HashMap<ViewKind, Pane> =
            ViewKind::ALL.iter().map(|k| (*k, Pane::new(*k))).collect();
        // Soonest window first.
        if let Some(p) = panes.get_mut(&ViewKind::Maint) {
            p.sort.col = 4;
        }
        Self {
            epoch,
            requests: 0,
            name: name.to_string(),
            demo_by_default: false,
            readonly: false,
            dashboard_url: None,
            protect: Vec::new(),
            rbac_checks: false,
            session_error: None,
            store,
            rows: RowCache::default(),
            pending: Dirty::everything(),
            panes,
            nav: Vec::new(),
            detail_scroll: (String::new(), 0),
            marks: BTreeSet::new(),
            last_mark: None,
            access: HashMap::new(),
            access_pending: HashSet::new(),
            ops_running: 0,
        }
    }

    /// A fresh tag for a request of this session.
    pub fn next_tag(&mut self) -> Tag {
        self.requests += 1;
        Tag {
            epoch: self.epoch,
            id: self.requests,
        }
    }

    /// Whether a reply belongs to this session.
    pub fn owns(&self, tag: Tag) -> bool {
        tag.epoch == self.epoch
    }
}
