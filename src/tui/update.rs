//! `update(state, msg) -> effects`: the only place state changes. Synchronous
//! and deterministic, so tests drive it without a terminal.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use jiff::Timestamp;
use kclm::config::Target;
use kclm::landscape::Update;

use super::action::Action;
use super::input::EditOutcome;
use super::input::LineEdit;
use super::overlay::{Overlay, Palette};
use super::prefs::SortPref;
use super::state::{Level, Mode, Scope, Screen, State, StatusMsg, Tag, ViewKind, with_rows};
use super::table::TableRow;
use super::update_session::{self as session, SessionInfo};
use super::yaml::YamlView;

/// Everything that is not a key binding: input events and async results.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// A drained batch of watch updates.
    Landscape(Vec<Update>),
    /// Time to rebuild the cached rows (the loop throttles this).
    SyncRows,
    Tick(Timestamp),
    Status(String, Level),
    ThemeLoaded(String),
    /// (Re)connect the landscape shown (at start, and to retry).
    Connect,
    /// The session of `epoch` is up.
    SessionStarted {
        epoch: u64,
        session: SessionInfo,
    },
    /// The session of `epoch` could not be started.
    SessionFailed {
        epoch: u64,
        error: String,
    },
    /// Every source of the session of `epoch` ended.
    SourcesStopped {
        epoch: u64,
    },
    /// The full object for the YAML view arrived (title, YAML or error).
    YamlLoaded(Tag, String, Result<String, String>),
    /// An operation's result(s).
    OpDone(Tag, super::ops::OpReport),
    /// The authorizer's answer to an RBAC question.
    Access(
        Tag,
        kclm::ops::access::AccessCheck,
        Result<kclm::ops::access::Access, String>,
    ),
    /// A command that had the terminal ended (what it was, its exit code).
    HandoffDone {
        what: String,
        result: Result<Option<i32>, String>,
    },
    /// An exec plugin needs the terminal for a login (the loop holds the
    /// request under `id`).
    LoginNeeded {
        id: u64,
        plugin: String,
    },
    /// The interactive login asked for by `Effect::Login` ended.
    LoginDone {
        tag: Tag,
        plugin: String,
        result: Result<(), String>,
    },
    /// While a session starts: the exec plugins running right now.
    LoginsInProgress(Vec<String>),
}

/// What `update` asks the outside world to do. Requests to the session carry
/// a [`Tag`] (filled in by `update`) that their reply carries back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Quit,
    OpenUrl(String),
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    SavePrefs,
    LoadTheme(String),
    /// End the running session and cancel its background tasks.
    StopSession,
    /// Start a session for `target` (answered by `Msg::SessionStarted` or
    /// `Msg::SessionFailed` with the same epoch).
    StartSession {
        epoch: u64,
        target: Box<Target>,
    },
    ClearScreen,
    /// Read the full object for the open YAML view (title, kind, object).
    FetchYaml(Tag, String, kclm::landscape::Kind, kclm::landscape::ObjKey),
    /// Run an operation through `kclm::ops` (answered by `Msg::OpDone`).
    Op(Tag, super::ops::OpRequest),
    /// Ask the API server what RBAC allows (answered by `Msg::Access`).
    CheckAccess(Tag, Vec<kclm::ops::access::AccessCheck>),
    /// Give the terminal to a command until it exits (answered by
    /// `Msg::HandoffDone`).
    Handoff(Handoff),
    /// Give the terminal to the exec plugin login request `id` until it
    /// ends (answered by `Msg::LoginDone`).
    Login {
        tag: Tag,
        id: u64,
        plugin: String,
    },
}

/// A command run with the terminal: the console steps aside (main screen,
/// cooked mode) and comes back when it exits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// What it is, for the status line.
    pub what: String,
    pub program: String,
    pub args: Vec<String>,
}

/// Changes the state for one message. Every returned effect must be run:
/// dropping one loses a request or a reply the user is waiting for.
#[must_use]
pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = handle(s, msg);
    super::update_session::stamp(s, &mut effects);
    effects
}

fn handle(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(k) => {
            s.dirty = true;
            let mut effects = on_key(s, &k);
            super::ops::sent(s, &effects);
            if s.overlay.is_none() {
                effects.extend(super::update_ops::access_effects(s));
            }
            effects
        }
        Msg::Mouse(m) => {
            on_mouse(s, m);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            s.size = (w, h);
            for k in ViewKind::ALL {
                let page = s.page(k);
                let p = s.pane_mut(k);
                super::nav::scroll_into_view(&mut p.offset, p.cursor, page);
            }
            s.dirty = true;
            Vec::new()
        }
        Msg::Landscape(batch) => {
            s.apply_updates(batch);
            // Source states show in the status bar even before rows rebuild.
            s.dirty = true;
            Vec::new()
        }
        Msg::SyncRows => {
            s.sync_rows();
            Vec::new()
        }
        Msg::Tick(now) => {
            s.now = now;
            if s.screen == Screen::List(ViewKind::Maint) {
                s.refresh(ViewKind::Maint);
            }
            s.dirty = true;
            Vec::new()
        }
        Msg::Status(text, level) => {
            s.status = Some(StatusMsg { text, level });
            s.dirty = true;
            Vec::new()
        }
        Msg::ThemeLoaded(name) => {
            s.theme_name = name.clone();
            info(s, format!("theme {name}"));
            Vec::new()
        }
        Msg::Connect => session::connect(s),
        Msg::SessionStarted { epoch, session: i } => session::started(s, epoch, i),
        Msg::SessionFailed { epoch, error } => session::failed(s, epoch, error),
        Msg::SourcesStopped { epoch } => session::sources_stopped(s, epoch),
        Msg::YamlLoaded(tag, title, result) => {
            if session::current(s, tag, "YAML") {
                yaml_loaded(s, title, result);
            }
            Vec::new()
        }
        Msg::OpDone(tag, report) => {
            if session::current(s, tag, "operation result") {
                super::ops::done(s, report);
            }
            Vec::new()
        }
        Msg::Access(tag, check, answer) => {
            if session::current(s, tag, "RBAC answer") {
                super::ops::access_answer(s, check, answer);
            }
            Vec::new()
        }
        Msg::HandoffDone { what, result } => {
            session::handoff_done(s, &what, result);
            Vec::new()
        }
        Msg::LoginNeeded { id, plugin } => session::login_needed(s, id, plugin),
        Msg::LoginDone {
            tag,
            plugin,
            result,
        } => {
            if session::current(s, tag, "login result") {
                session::login_done(s, &plugin, result);
            }
            Vec::new()
        }
        Msg::LoginsInProgress(names) => {
            session::logins_in_progress(s, &names);
            Vec::new()
        }
    }
}

fn yaml_loaded(s: &mut State, title: String, result: Result<String, String>) {
    match (&mut s.overlay, result) {
        // Only if that YAML view is still open (the user may have moved on).
        (Some(Overlay::Yaml(y)), Ok(text)) if y.title == title => {
            let (scroll, query) = (y.scroll, y.query.clone());
            let mut fresh = YamlView::new(title, &text);
            fresh.scroll = scroll.min(fresh.lines.len().saturating_sub(1));
            fresh.set_query(&query);
            *y = fresh;
            s.dirty = true;
        }
        (Some(Overlay::Yaml(y)), Err(e)) if y.title == title => {
            warn(
                s,
                format!("showing kclm's copy of {title}: cannot read it from the server: {e}"),
            );
        }
        _ => {}
    }
}

pub fn info(s: &mut State, text: impl Into<String>) {
    s.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Info,
    });
    s.dirty = true;
}

fn warn(s: &mut State, text: impl Into<String>) {
    s.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Warning,
    });
    s.dirty = true;
}

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(s: &mut State, k: &KeyEvent) -> Vec<Effect> {
    // Info and warnings last until the next key; errors until esc.
    if s.status.as_ref().is_some_and(|m| m.level != Level::Error) {
        s.status = None;
    }
    // ctrl-c always gets out, whatever is open or typed; elsewhere the keymap decides.
    if is_ctrl_c(k) && (s.overlay.is_some() || matches!(s.mode, Mode::Filter(_))) {
        return vec![Effect::Quit];
    }
    if s.overlay.is_some() {
        return super::update_overlay::on_key(s, k);
    }
    if let Mode::Filter(line) = &mut s.mode {
        let outcome = line.handle(k);
        let text = line.text.clone();
        let kind = s.active();
        match outcome {
            EditOutcome::Changed => s.set_filter(kind, &text),
            EditOutcome::Submit => s.mode = Mode::Normal,
            EditOutcome::Cancel => {
                s.mode = Mode::Normal;
                s.set_filter(kind, "");
            }
            EditOutcome::Moved => {}
            // Arrow keys and pages still move the cursor while typing.
            EditOutcome::Ignored => {
                if let Some(
                    a @ (Action::MoveUp | Action::MoveDown | Action::PageUp | Action::PageDown),
                ) = s.keymap.action(k)
                {
                    return action(s, a);
                }
            }
        }
        return Vec::new();
    }
    match s.keymap.action(k) {
        Some(a) => action(s, a),
        None => Vec::new(),
    }
}

/// Performs a key-bound action.
pub fn action(s: &mut State, a: Action) -> Vec<Effect> {
    let kind = s.active();
    let page = s.page(kind) as isize;
    match a {
        Action::Quit => return vec![Effect::Quit],
        Action::MoveUp => s.move_cursor(-1),
        Action::MoveDown => s.move_cursor(1),
        Action::PageUp => s.move_cursor(-page),
        Action::PageDown => s.move_cursor(page),
        Action::HalfPageUp => s.move_cursor(-(page / 2).max(1)),
        Action::HalfPageDown => s.move_cursor((page / 2).max(1)),
        Action::Top => s.move_cursor(isize::MIN / 2),
        Action::Bottom => s.move_cursor(isize::MAX / 2),
        Action::FocusNext => s.cycle_focus(true),
        Action::FocusPrev => s.cycle_focus(false),
        Action::FocusLeft => s.focus_horizontal(false),
        Action::FocusRight => s.focus_horizontal(true),
        Action::FocusProjects => s.focus_pane(ViewKind::Projects),
        Action::FocusShoots => s.focus_pane(ViewKind::Shoots),
        Action::FocusSeeds => s.focus_pane(ViewKind::Seeds),
        Action::FocusMachines => s.focus_pane(ViewKind::Machines),
        Action::DrillIn => {
            if let Some(msg) = s.drill_in() {
                info(s, msg);
            }
        }
        Action::Back => {
            if s.status.take().is_none() {
                s.back();
            }
        }
        Action::Filter => {
            let text = s.pane(kind).filter_text.clone();
            s.mode = Mode::Filter(LineEdit::with(&text));
        }
        Action::Command => {
            let mut p = Palette {
                readonly: s.ls.readonly,
                ..Palette::default()
            };
            p.complete(&s.theme_names, &s.landscapes);
            s.overlay = Some(Overlay::Palette(p));
        }
        Action::Help => s.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::SortNext => {
            let n = with_rows!(s.ls.rows, kind, |rows| columns_of(rows));
            let sort = s.pane(kind).sort;
            return set_sort(s, kind, (sort.col + 1) % n.max(1), sort.desc);
        }
        Action::SortReverse => {
            let sort = s.pane(kind).sort;
            return set_sort(s, kind, sort.col, !sort.desc);
        }
        Action::SortPick => {
            let cursor = s.pane(kind).sort.col;
            s.overlay = Some(Overlay::SortPick { cursor });
        }
        Action::IssuesOnly => {
            s.issues_only = !s.issues_only;
            s.refresh_all();
            let text = if s.issues_only {
                "issues only: unhealthy shoots, failed operations, not-ready seeds, machine issues"
            } else {
                "showing everything"
            };
            info(s, text);
        }
        Action::Yaml => match super::select::yaml_of_selection(s) {
            Some((title, text)) => {
                // Shown at once from the store, then replaced by the full object.
                let fetch = super::select::fetch_ref_of_selection(s);
                s.overlay = Some(Overlay::Yaml(YamlView::new(title.clone(), &text)));
                if let Some((kind, key)) = fetch {
                    return vec![Effect::FetchYaml(Tag::default(), title, kind, key)];
                }
            }
            None => info(s, "nothing selected"),
        },
        Action::OpenDashboard => return open_dashboard(s),
        Action::Copy => match super::select::copy_text(s) {
            Some(text) => {
                info(s, format!("copied {text}"));
                return vec![Effect::Copy(text)];
            }
            None => info(s, "nothing selected"),
        },
        Action::DetailDown | Action::DetailUp => {
            let off = s.detail_offset();
            let off = if a == Action::DetailDown {
                off.saturating_add(3)
            } else {
                off.saturating_sub(3)
            };
            s.ls.detail_scroll = (s.detail_key(), off);
        }
        Action::NextMatch | Action::PrevMatch => {}
        Action::Redraw => return vec![Effect::ClearScreen],
        Action::OpsMenu => return super::update_ops::open_menu(s),
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
        | Action::MachineState => return super::update_ops::op_action(s, a),
        Action::ToggleMark
        | Action::MarkRange
        | Action::ClearMarks
        | Action::ToggleDryRun
        | Action::CycleHorizon
        | Action::ToggleTimelineGroup => return super::update_marks::toggle_action(s, a),
    }
    Vec::new()
}

fn columns_of<R: TableRow>(_: &[R]) -> usize {
    R::COLUMNS.len()
}

fn column_name<R: TableRow>(_: &[R], col: usize) -> &'static str {
    R::COLUMNS.get(col).map_or("", |c| c.name)
}

pub fn set_sort(s: &mut State, kind: ViewKind, col: usize, desc: bool) -> Vec<Effect> {
    let name = with_rows!(s.ls.rows, kind, |rows| column_name(rows, col));
    let pane = s.pane_mut(kind);
    pane.sort.col = col;
    pane.sort.desc = desc;
    s.refresh(kind);
    let label = if name.is_empty() { "status" } else { name };
    info(
        s,
        format!(
            "{} sorted by {} {}",
            kind.name(),
            label.to_lowercase(),
            if desc { "↓" } else { "↑" }
        ),
    );
    s.prefs.sort.insert(
        kind.name().to_string(),
        SortPref {
            column: name.to_string(),
            descending: desc,
        },
    );
    vec![Effect::SavePrefs]
}

/// Applies saved sort preferences (unknown column names are ignored).
pub fn apply_prefs(s: &mut State) {
    for kind in ViewKind::ALL {
        let Some(pref) = s.prefs.sort.get(kind.name()).cloned() else {
            continue;
        };
        let col = with_rows!(s.ls.rows, kind, |rows| find_col(rows, &pref.column));
        if let Some(col) = col {
            let pane = s.pane_mut(kind);
            pane.sort.col = col;
            pane.sort.desc = pref.descending;
        }
    }
    s.refresh_all();
}

fn find_col<R: TableRow>(_: &[R], name: &str) -> Option<usize> {
    R::COLUMNS.iter().position(|c| c.name == name)
}

fn open_dashboard(s: &mut State) -> Vec<Effect> {
    let Some(shoot) = super::select::shoot_of_selection(s) else {
        info(
            s,
            "select a shoot (or a machine of one) to open it in the dashboard",
        );
        return Vec::new();
    };
    let Some(base) = s.ls.dashboard_url.clone() else {
        warn(
            s,
            format!(
                "no dashboard_url configured for landscape {} (set it in config.toml)",
                s.ls.name
            ),
        );
        return Vec::new();
    };
    let (ns, name) = shoot.split_once('/').unwrap_or(("", &shoot));
    let url = format!(
        "{}/namespace/{}/shoots/{}",
        base.trim_end_matches('/'),
        ns,
        name
    );
    info(s, format!("opening {url}"));
    vec![Effect::OpenUrl(url)]
}

/// Runs a palette command line.
pub fn command(s: &mut State, line: &str) -> Vec<Effect> {
    let line = line.trim();
    let (cmd, arg) = match line.split_once(' ') {
        Some((c, a)) => (c, a.trim()),
        None => (line, ""),
    };
    if let Some(kind) = ViewKind::from_name(cmd) {
        s.push_nav();
        if kind.is_landscape() {
            if kind == ViewKind::Shoots {
                s.set_shoot_scope(Scope::All);
            }
            s.focus_pane(kind);
        } else {
            s.screen = Screen::List(kind);
            s.refresh(kind);
        }
        return Vec::new();
    }
    match cmd {
        "" => {}
        "q" | "quit" | "q!" => return vec![Effect::Quit],
        // The landscape shown; one that failed to start is tried again.
        "landscape" if arg == s.ls.name && s.ls.session_error.is_some() => {
            return session::connect(s);
        }
        "landscape" if arg.is_empty() || arg == s.ls.name => {
            s.push_nav();
            s.screen = Screen::Landscape;
            s.dirty = true;
        }
        "landscape" => return session::switch(s, arg),
        "reconnect" => return session::connect(s),
        "shell" => return session::shell(),
        "theme" if arg.is_empty() => warn(s, "usage: :theme <name>"),
        "theme" => return vec![Effect::LoadTheme(arg.to_string())],
        "issues" => return action(s, Action::IssuesOnly),
        "help" => s.overlay = Some(Overlay::Help { scroll: 0 }),
        other => match super::overlay::op_command(other) {
            Some(a) => return action(s, a),
            None => warn(
                s,
                format!("unknown command :{other} (press : and tab to see the list)"),
            ),
        },
    }
    Vec::new()
}

fn on_mouse(s: &mut State, m: MouseEvent) {
    if !s.mouse || s.overlay.is_some() {
        return;
    }
    let areas = s.areas();
    // Narrow terminals: a click on the tab line picks the pane.
    if let Some(tabs) = areas.tabs
        && m.row == tabs.y
        && m.kind == MouseEventKind::Down(MouseButton::Left)
    {
        let mut x = tabs.x;
        for (n, k) in ViewKind::LANDSCAPE.iter().enumerate() {
            let w = super::views::table::tab_label(n, *k, s).chars().count() as u16;
            if m.column >= x && m.column < x + w {
                s.focus_pane(*k);
                return;
            }
            x += w;
        }
        return;
    }
    let hit = areas.panes.iter().find(|(_, r)| {
        m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
    });
    let Some((kind, rect)) = hit.copied() else {
        return;
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if s.screen == Screen::Landscape {
                s.focus_pane(kind);
            }
            // Border and header rows come before the data rows.
            if m.row >= rect.y + 2 {
                let row = s.pane(kind).offset + (m.row - rect.y - 2) as usize;
                if row < s.pane(kind).visible.len() {
                    s.set_cursor(kind, row);
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            let len = s.pane(kind).visible.len();
            if len > 0 {
                let to = (s.pane(kind).cursor as isize + delta).clamp(0, len as isize - 1);
                s.set_cursor(kind, to as usize);
            }
        }
        _ => {}
    }
}
