//! How the loop runs effects: the session of the current epoch and its
//! background tasks ([`Live`]), the effect runner, the terminal hand-off and
//! the OSC 52 copy. `update` decides; this only does what it was told.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io::Write;

use crossterm::event::EventStream;
use futures::FutureExt;
use kclm::session::Session;
use kclm::source::kube_auth::LoginRequest;
use ratatui::DefaultTerminal;
use tokio::signal::unix::Signal;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use super::TuiStart;
use super::app::{Starting, start_session};
use super::ops::{OpReport, OpsEnv};
use super::state::{Level, State};
use super::theme::Theme;
use super::update::{Effect, Msg, update};

/// The session of the current epoch, owned by the loop (`State` only knows
/// its epoch): the future that starts it, the session, the clients
/// operations use, and its background tasks.
pub struct Live {
    pub epoch: u64,
    pub starting: Option<Starting>,
    pub session: Option<Session>,
    pub env: Option<OpsEnv>,
    /// Operations, access checks and YAML fetches of this session; dropping
    /// the set aborts them.
    pub tasks: JoinSet<()>,
    /// Exec plugin logins waiting for the terminal, by request id.
    pub logins: HashMap<u64, LoginRequest>,
}

impl Live {
    pub fn idle() -> Self {
        Self {
            epoch: 0,
            starting: None,
            session: None,
            env: None,
            tasks: JoinSet::new(),
            logins: HashMap::new(),
        }
    }

    /// Ends the session and cancels everything it still has running.
    pub async fn stop(&mut self) {
        self.starting = None;
        self.env = None;
        self.tasks = JoinSet::new();
        // Their clients are gone; dropping a request fails its login.
        self.logins.clear();
        if let Some(s) = self.session.take() {
            s.shutdown().await;
        }
    }
}

/// What the loop runs effects with.
pub struct Runner<'a> {
    pub terminal: &'a mut DefaultTerminal,
    pub events: &'a mut Option<EventStream>,
    pub theme: &'a mut Theme,
    pub start: &'a TuiStart,
    pub live: &'a mut Live,
    /// Background tasks answer here.
    pub tx: &'a UnboundedSender<Msg>,
    /// Ctrl-C typed to a command the terminal was handed to reaches the
    /// console too; it is not the user quitting the console.
    pub interrupts: &'a mut Signal,
}

pub enum Flow {
    Continue,
    Quit,
}

/// Hands a message to `update` and runs every effect it returns, and the
/// effects of the messages those effects answer with.
pub async fn dispatch(state: &mut State, r: &mut Runner<'_>, msg: Msg) -> color_eyre::Result<Flow> {
    let mut queue = VecDeque::from([msg]);
    while let Some(m) = queue.pop_front() {
        for e in update(state, m) {
            match r.run(state, e).await? {
                Some(reply) => queue.extend(reply),
                None => return Ok(Flow::Quit),
            }
        }
    }
    Ok(Flow::Continue)
}

impl Runner<'_> {
    /// Runs one effect; `None` ends the loop, otherwise the messages it
    /// answers with at once (background tasks answer through `tx`).
    async fn run(&mut self, state: &mut State, e: Effect) -> color_eyre::Result<Option<Vec<Msg>>> {
        let status = |text: String, level| vec![Msg::Status(text, level)];
        let replies = match e {
            Effect::Quit => {
                self.live.stop().await;
                return Ok(None);
            }
            Effect::OpenUrl(url) => match open::that_detached(&url) {
                Ok(()) => Vec::new(),
                Err(e) => status(format!("cannot open {url}: {e}"), Level::Error),
            },
            Effect::Copy(text) => {
                osc52(&text);
                Vec::new()
            }
            Effect::SavePrefs => match state.prefs.save(&self.start.paths.state_dir) {
                Ok(()) => Vec::new(),
                Err(e) => status(format!("cannot save UI state: {e}"), Level::Warning),
            },
            Effect::LoadTheme(name) => {
                let (t, w) = Theme::load(&name, &self.start.paths.themes_dir);
                let mut out = vec![Msg::ThemeLoaded(t.name.clone())];
                *self.theme = t;
                if !w.is_empty() {
                    out.push(Msg::Status(super::app::warnings_line(&w), Level::Warning));
                }
                out
            }
            Effect::StopSession => {
                self.live.stop().await;
                Vec::new()
            }
            Effect::StartSession { epoch, target } => {
                self.live.stop().await;
                self.live.epoch = epoch;
                let poll = self.start.config.ui.metal_poll_seconds;
                self.live.starting = Some(start_session(&target, poll));
                Vec::new()
            }
            Effect::ClearScreen => {
                self.terminal.clear()?;
                state.dirty = true;
                Vec::new()
            }
            Effect::FetchYaml(tag, title, kind, key) => {
                let client = self.live.session.as_ref().and_then(|s| match kind.group() {
                    kclm::landscape::SourceGroup::Garden => s.garden.clone(),
                    kclm::landscape::SourceGroup::Capi => s.capi.clone(),
                    kclm::landscape::SourceGroup::Metal => None,
                });
                if let Some(client) = client {
                    let tx = self.tx.clone();
                    self.live.tasks.spawn(async move {
                        let res = kclm::source::fetch::object_yaml(client, kind, &key).await;
                        let _ = tx.send(Msg::YamlLoaded(tag, title, res));
                    });
                }
                Vec::new()
            }
            Effect::Op(tag, req) => match self.live.env.clone() {
                Some(env) => {
                    let tx = self.tx.clone();
                    self.live.tasks.spawn(async move {
                        let report = super::ops::execute(env, req).await;
                        let _ = tx.send(Msg::OpDone(tag, report));
                    });
                    Vec::new()
                }
                None => vec![Msg::OpDone(
                    tag,
                    OpReport::refused(&req, kclm::ops::Refusal::NotStarted),
                )],
            },
            Effect::CheckAccess(tag, checks) => {
                let mut out = Vec::new();
                for check in checks {
                    match self.live.env.clone() {
                        Some(env) => {
                            let tx = self.tx.clone();
                            self.live.tasks.spawn(async move {
                                let answer = super::ops::check_access(env, check.clone()).await;
                                let _ = tx.send(Msg::Access(tag, check, answer));
                            });
                        }
                        None => out.push(Msg::Access(tag, check, Err("not connected".into()))),
                    }
                }
                out
            }
            Effect::Handoff(h) => {
                let status = tokio::process::Command::new(&h.program)
                    .args(&h.args)
                    .status();
                let result = self.handed_off(state, &h.what, status).await;
                vec![Msg::HandoffDone {
                    what: h.what,
                    result: result
                        .map(|s| s.code())
                        .map_err(|e| format!("{}: {e}", h.program)),
                }]
            }
            Effect::Login { tag, id, plugin } => match self.live.logins.remove(&id) {
                Some(req) => {
                    let what = format!("exec plugin {plugin}");
                    let login = async {
                        eprintln!(
                            "kclm: logging in through exec plugin `{plugin}` … (ctrl-c cancels)"
                        );
                        req.run().await
                    };
                    let result = self.handed_off(state, &what, login).await;
                    vec![Msg::LoginDone {
                        tag,
                        plugin,
                        result: result.map_err(|e| e.to_string()),
                    }]
                }
                None => {
                    tracing::debug!(id, "login request of an ended session dropped");
                    Vec::new()
                }
            },
        };
        Ok(Some(replies))
    }
}

impl Runner<'_> {
    /// Runs `work` (a command, a login) with the terminal handed off, then
    /// takes it back and redraws everything.
    async fn handed_off<F: Future>(&mut self, state: &mut State, what: &str, work: F) -> F::Output {
        let out = handoff(what, self.terminal, self.events, state.mouse, work).await;
        // Ctrl-C typed to the command reached the console too.
        while self.interrupts.recv().now_or_never().is_some() {}
        state.dirty = true;
        out
    }
}

/// Gives the terminal to `work`: input reading stops (whatever runs gets
/// every key), the screen and cooked mode are restored for it, and the
/// console comes back when it ends.
async fn handoff<F: Future>(
    what: &str,
    terminal: &mut DefaultTerminal,
    events: &mut Option<EventStream>,
    mouse: bool,
    work: F,
) -> F::Output {
    use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
    use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
    // Dropping the stream wakes and stops its reader thread, which holds
    // crossterm's input reader while it waits. It must go first: a new
    // stream takes that reader when it is made, and made while the old
    // thread still waits it would block the loop until the next key.
    *events = None;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    }
    // The console hides the cursor while it draws; the command needs it.
    let _ = terminal.show_cursor();
    let _ = ratatui::try_restore();
    let out = work.await;
    let back = crossterm::terminal::enable_raw_mode().and_then(|()| {
        crossterm::execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            Clear(ClearType::All)
        )
    });
    // A new reader, after the work: it reads nothing until it is polled.
    *events = Some(EventStream::new());
    // Forgets the last frame, so the next one is drawn whole. (Not
    // `terminal.clear()`: it asks the terminal for the cursor position,
    // which has no answer while the input reader is being replaced.)
    terminal.swap_buffers();
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    }
    if let Err(e) = back {
        tracing::error!("cannot take the terminal back from {what}: {e}");
    }
    out
}

/// Copies through the terminal (OSC 52), which also works over ssh and tmux.
fn osc52(text: &str) {
    let mut out = std::io::stdout();
    let _ = write!(out, "{}", osc52_sequence(text));
    let _ = out.flush();
}

fn osc52_sequence(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
#[test]
fn osc52_carries_the_text_in_standard_base64() {
    assert_eq!(osc52_sequence("web-prod"), "\x1b]52;c;d2ViLXByb2Q=\x07");
    assert_eq!(osc52_sequence("f"), "\x1b]52;c;Zg==\x07");
}

#[cfg(test)]
mod tests {
    use super::Live;
    use std::time::Duration;

    #[tokio::test]
    async fn stopping_the_session_cancels_its_background_tasks() {
        let mut live = Live::idle();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
        live.tasks.spawn(async move {
            let _held = tx;
            std::future::pending::<()>().await;
        });
        live.stop().await;
        // The task holds the sender until it is aborted.
        let closed = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
        assert_eq!(closed, Ok(None));
        assert!(live.tasks.is_empty() && live.session.is_none() && live.env.is_none());
    }
}
