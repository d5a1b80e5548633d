//! The session's life as `update` sees it: connecting, a switch to another
//! landscape, start and failure, and replies that arrive after their session
//! was replaced (dropped here, so nothing of landscape A shows up in B).

use kclm::config::Target;
use kclm::landscape::Landscape;

use super::landscape_state::{LandscapeState, Tag};
use super::state::{Level, Mode, Screen, State, StatusMsg};
use super::update::{Effect, Handoff, apply_prefs, info};

/// What a started session tells the console (the session itself stays with
/// the loop, which runs the effects that need it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionInfo {
    /// Sources that could not be started (the others run).
    pub errors: Vec<String>,
    /// The landscape's `protect` rules.
    pub protect: Vec<String>,
    /// A cluster is connected that can be asked about RBAC.
    pub rbac_checks: bool,
}

/// (Re)connects the landscape shown: a fresh sub-state under the next epoch.
pub fn connect(s: &mut State) -> Vec<Effect> {
    let name = s.ls.name.clone();
    match s.targets.get(&name).cloned() {
        Some(Ok(target)) => start(s, target),
        Some(Err(e)) => error(s, format!("cannot connect landscape {name}: {e}")),
        None => error(s, format!("landscape {name} has nothing configured")),
    }
}

/// `:landscape <name>`: replaces everything of the landscape shown.
pub fn switch(s: &mut State, name: &str) -> Vec<Effect> {
    match s.targets.get(name).cloned() {
        Some(Ok(target)) => start(s, target),
        Some(Err(e)) => error(s, e),
        None => {
            let known: Vec<&str> = s.targets.keys().map(String::as_str).collect();
            error(
                s,
                format!(
                    "unknown landscape {name} (configured: {})",
                    known.join(", ")
                ),
            )
        }
    }
}

fn start(s: &mut State, target: Target) -> Vec<Effect> {
    let epoch = s.ls.epoch + 1;
    let demo_by_default = s.ls.demo_by_default && s.ls.name == target.name;
    let mut ls = LandscapeState::new(&target.name, epoch, Landscape::new());
    ls.demo_by_default = demo_by_default;
    ls.readonly = target.readonly;
    ls.dashboard_url = target.dashboard_url.clone();
    ls.protect = target.protect.clone();
    s.ls = ls;
    // Whatever was open was about the old landscape.
    s.overlay = None;
    s.mode = Mode::Normal;
    s.screen = Screen::Landscape;
    apply_prefs(s);
    s.sync_rows();
    info(s, format!("connecting to {}", target.name));
    vec![
        Effect::StopSession,
        Effect::StartSession {
            epoch,
            target: Box::new(target),
        },
    ]
}

pub fn started(s: &mut State, epoch: u64, session: SessionInfo) -> Vec<Effect> {
    if epoch != s.ls.epoch {
        tracing::debug!(epoch, current = s.ls.epoch, "late session start ignored");
        return Vec::new();
    }
    s.ls.session_error = None;
    s.ls.protect = session.protect;
    s.ls.rbac_checks = session.rbac_checks;
    match session.errors.first() {
        Some(e) => {
            let e = e.clone();
            error(s, e);
        }
        None => info(s, format!("connected to {}", s.ls.name)),
    }
    // The selection may already be on something to ask RBAC about.
    if s.overlay.is_none() {
        super::update_ops::access_effects(s)
    } else {
        Vec::new()
    }
}

pub fn failed(s: &mut State, epoch: u64, e: String) -> Vec<Effect> {
    if epoch != s.ls.epoch {
        return Vec::new();
    }
    let name = s.ls.name.clone();
    s.ls.session_error = Some(e.clone());
    error(
        s,
        format!(
            "cannot start landscape {name}: {e} (:reconnect to retry, :landscape <name> to switch)"
        ),
    )
}

pub fn sources_stopped(s: &mut State, epoch: u64) -> Vec<Effect> {
    if epoch == s.ls.epoch {
        s.status = Some(StatusMsg {
            text: "all sources stopped".into(),
            level: Level::Warning,
        });
        s.dirty = true;
    }
    Vec::new()
}

/// Whether a reply belongs to the session shown; a stale one is logged.
pub fn current(s: &State, tag: Tag, what: &str) -> bool {
    let ok = s.ls.owns(tag);
    if !ok {
        tracing::info!(
            epoch = tag.epoch,
            id = tag.id,
            current = s.ls.epoch,
            "{what} of an earlier session dropped"
        );
    }
    ok
}

/// Gives every request effect a tag of the current session.
pub fn stamp(s: &mut State, effects: &mut [Effect]) {
    for e in effects {
        if let Effect::Op(tag, _)
        | Effect::CheckAccess(tag, _)
        | Effect::FetchYaml(tag, ..)
        | Effect::Login { tag, .. } = e
        {
            *tag = s.ls.next_tag();
        }
    }
}

/// `:shell`: the terminal goes to a shell until it exits.
pub fn shell() -> Vec<Effect> {
    let program = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sh".into());
    vec![Effect::Handoff(Handoff {
        what: "shell".into(),
        program,
        args: Vec::new(),
    })]
}

/// A command that had the terminal ended.
pub fn handoff_done(s: &mut State, what: &str, result: Result<Option<i32>, String>) {
    match result {
        Ok(Some(0)) => info(s, format!("back from {what}")),
        Ok(Some(code)) => warn(s, format!("{what} exited with status {code}")),
        Ok(None) => warn(s, format!("{what} was ended by a signal")),
        Err(e) => {
            error(s, format!("cannot run {what}: {e}"));
        }
    }
    s.dirty = true;
}

fn logging_in(plugin: &str) -> String {
    format!("logging in through exec plugin {plugin}…")
}

/// An exec plugin needs the terminal: the loop hands it over.
pub fn login_needed(s: &mut State, id: u64, plugin: String) -> Vec<Effect> {
    info(s, logging_in(&plugin));
    vec![Effect::Login {
        tag: Tag::default(),
        id,
        plugin,
    }]
}

/// The interactive login ended (the terminal is the console's again).
pub fn login_done(s: &mut State, plugin: &str, result: Result<(), String>) {
    match result {
        Ok(()) => info(s, format!("logged in through exec plugin {plugin}")),
        Err(e) => {
            error(s, e);
        }
    }
}

/// While a session starts, the status line names the plugins logging in
/// (a plain "garden connecting" would look like a hang).
pub fn logins_in_progress(s: &mut State, names: &[String]) {
    let shows_login = s
        .status
        .as_ref()
        .is_some_and(|m| m.text.starts_with("logging in through exec plugin"));
    match names {
        [] if shows_login => info(s, format!("connecting to {}", s.ls.name)),
        [] => {}
        names => info(s, logging_in(&names.join(", "))),
    }
}

fn warn(s: &mut State, text: String) {
    s.status = Some(StatusMsg {
        text,
        level: Level::Warning,
    });
    s.dirty = true;
}

fn error(s: &mut State, text: String) -> Vec<Effect> {
    s.status = Some(StatusMsg {
        text,
        level: Level::Error,
    });
    s.dirty = true;
    Vec::new()
}
