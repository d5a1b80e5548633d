//! The loop: one `tokio::select!` owns the state; terminal events, watch
//! updates and timers come in as messages, effects go out.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use jiff::Timestamp;
use kclm::config::{ProcessEnv, Target, TargetFlags};
use kclm::landscape::{Landscape, Update};
use kclm::session::{Session, SessionOptions};
use kclm::source::kube_auth::LoginRequest;
use ratatui::DefaultTerminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::TuiStart;
use super::effects::{Flow, Live, Runner, dispatch};
use super::keymap::Keymap;
use super::ops::OpsEnv;
use super::prefs::Prefs;
use super::render::render;
use super::state::{Level, State};
use super::theme::Theme;
use super::update::{Msg, apply_prefs};
use super::update_session::SessionInfo;
use crate::cli::demo_start::StartError;

pub(super) type Starting = Pin<Box<dyn Future<Output = Result<Session, StartError>> + Send>>;

const FRAME: Duration = Duration::from_millis(16);
/// Ages only change slowly; no need to wake more often when idle.
const TICK: Duration = Duration::from_secs(10);
/// Daily log files kept (older ones are deleted at rotation).
const LOG_FILES_KEPT: usize = 7;
/// How often a starting session is checked for exec plugins running.
const LOGIN_POLL: Duration = Duration::from_millis(250);

pub(super) fn start_session(target: &Target, poll: u64) -> Starting {
    let target = target.clone();
    let opts = SessionOptions {
        metal_poll: Duration::from_secs(poll.max(1)),
        ..SessionOptions::default()
    };
    Box::pin(async move { crate::cli::demo_start::session(&target, opts).await })
}

fn init_logging(start: &TuiStart) {
    use tracing_subscriber::EnvFilter;
    let log = &start.paths.log_file;
    let (Some(dir), Some(name)) = (log.parent(), log.file_name()) else {
        return;
    };
    if kclm::ops::audit::create_private_dir(dir).is_err() {
        return;
    }
    // One file a day, the last week kept: `kclm.log.2026-12-03`. The
    // appender creates today's file while it is built: owner-only, by the
    // umask for that moment. (A file created at a later rotation gets the
    // user's umask, inside the owner-only directory; the next start narrows it.)
    // SAFETY: umask has no memory-safety preconditions; it only changes the
    // mode of files created meanwhile, and nothing else creates files yet.
    let old = unsafe { libc::umask(0o077) };
    let built = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(name.to_string_lossy())
        .max_log_files(LOG_FILES_KEPT)
        .build(dir);
    // SAFETY: as above; restores the user's umask.
    unsafe { libc::umask(old) };
    narrow_logs(dir, &name.to_string_lossy());
    let Ok(file) = built else {
        return;
    };
    let filter = EnvFilter::try_from_env("KCLM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // The lead's CLI may have installed a subscriber already; that one wins.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(file)
        .try_init();
}

/// Log files of earlier runs (or rotations) made owner-only.
fn narrow_logs(dir: &std::path::Path, prefix: &str) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(prefix) {
            let mode = std::fs::Permissions::from_mode(kclm::ops::audit::PRIVATE_FILE);
            let _ = std::fs::set_permissions(e.path(), mode);
        }
    }
}

pub async fn run(start: TuiStart) -> color_eyre::Result<()> {
    // Before ratatui::init, whose panic hook restores the terminal and then
    // hands over to this one. A second install (tests, embedding) is harmless.
    let _ = color_eyre::install();
    init_logging(&start);
    let ui = &start.config.ui;
    let mut warnings = Vec::new();
    let (keymap, w) = Keymap::load(&ui.keymap, &start.paths.keymaps_dir);
    warnings.extend(w);
    let (theme, w) = Theme::load(&ui.theme, &start.paths.themes_dir);
    warnings.extend(w);
    let (prefs, w) = Prefs::load(&start.paths.state_dir);
    warnings.extend(w);
    // Exec plugins that may prompt log in now, while the terminal is ours.
    let clusters = [&start.target.garden, &start.target.capi]
        .into_iter()
        .flatten();
    let how = kclm::source::kube_auth::Interactivity::detect();
    warnings.extend(kclm::source::kube_auth::prepare_all(clusters, how).await);
    let mut state = State::new(
        &start.target.name,
        Landscape::new(),
        keymap,
        Timestamp::now(),
    );
    state.ls.demo_by_default = start.demo_by_default;
    state.mouse = ui.mouse;
    state.tz = jiff::tz::TimeZone::system();
    state.theme_name = theme.name.clone();
    state.theme_names = Theme::names(&start.paths.themes_dir);
    state.landscapes = start.config.landscapes.keys().cloned().collect();
    if !state.landscapes.iter().any(|l| l == "demo") {
        state.landscapes.push("demo".into());
    }
    state.targets = targets(&start, &state.landscapes);
    state.prefs = prefs;
    apply_prefs(&mut state);
    let mut first = vec![Msg::Connect];
    if !warnings.is_empty() {
        for w in warnings.iter().take(LOGGED_WARNINGS) {
            tracing::warn!("{w}");
        }
        if warnings.len() > LOGGED_WARNINGS {
            tracing::warn!("… and {} more warnings", warnings.len() - LOGGED_WARNINGS);
        }
        first.push(Msg::Status(warnings_line(&warnings), Level::Warning));
    }

    let mut terminal = ratatui::init();
    if state.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
        // ratatui's hook restores the screen but not mouse reporting.
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            prev(info);
        }));
    }
    let size = terminal.size()?;
    first.insert(0, Msg::Resize(size.width, size.height));
    // Mid-session logins that need the terminal come to the loop.
    let (login_tx, login_rx) = tokio::sync::mpsc::unbounded_channel();
    let handler = LoginHandler::install(login_tx);
    let result = main_loop(&mut terminal, &mut state, theme, &start, first, login_rx).await;
    drop(handler);
    if state.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
}

/// Warnings shown in the status line at most; the rest are counted.
const SHOWN_WARNINGS: usize = 5;
/// Warnings written to the log at most at startup.
const LOGGED_WARNINGS: usize = 100;

/// The status line for a list of warnings: the first few, then how many
/// more (a broken file can produce thousands).
pub(super) fn warnings_line(warnings: &[String]) -> String {
    let mut line = warnings
        .iter()
        .take(SHOWN_WARNINGS)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ");
    if warnings.len() > SHOWN_WARNINGS {
        line.push_str(&format!(
            " · … and {} more",
            warnings.len() - SHOWN_WARNINGS
        ));
    }
    line
}

/// Every landscape `:landscape` can switch to, resolved once (the one
/// started with keeps its command-line flags).
fn targets(start: &TuiStart, names: &[String]) -> BTreeMap<String, Result<Target, String>> {
    let mut out = BTreeMap::new();
    for name in names {
        let flags = TargetFlags {
            landscape: Some(name.clone()),
            readonly: start.target.readonly,
            ..Default::default()
        };
        let resolved =
            kclm::config::resolve(&flags, &start.config, &start.paths.config_file, &ProcessEnv);
        let entry = match resolved {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err(format!("landscape {name} has nothing configured")),
            Err(e) => Err(e.to_string()),
        };
        out.insert(name.clone(), entry);
    }
    out.insert(start.target.name.clone(), Ok(start.target.clone()));
    out
}

/// The TUI answers exec plugin logins while it runs; without it they fail
/// with "login expired" (nothing could show the prompt).
struct LoginHandler;

impl LoginHandler {
    fn install(tx: UnboundedSender<LoginRequest>) -> Self {
        kclm::source::kube_auth::set_login_handler(Some(tx));
        LoginHandler
    }
}

impl Drop for LoginHandler {
    fn drop(&mut self) {
        kclm::source::kube_auth::set_login_handler(None);
    }
}

async fn recv(session: &mut Option<Session>) -> Option<Update> {
    match session {
        Some(s) => s.rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn main_loop(
    terminal: &mut DefaultTerminal,
    state: &mut State,
    mut theme: Theme,
    start: &TuiStart,
    first: Vec<Msg>,
    mut logins: UnboundedReceiver<LoginRequest>,
) -> color_eyre::Result<()> {
    // `None` only while the terminal is handed off (see effects::handoff).
    let mut events = Some(EventStream::new());
    let mut live = Live::idle();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut next_frame = Instant::now();
    let mut rows_due = Instant::now();
    // Background calls (operations, access reviews, full objects for the YAML
    // view) run as tasks and answer here as messages.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut first_frame_logged = false;
    // A kill from another shell (or a closed terminal) ends the loop like `q`,
    // so the terminal is restored instead of left in the alternate screen.
    let mut term_sig = signal(SignalKind::terminate())?;
    let mut hup_sig = signal(SignalKind::hangup())?;
    let mut int_sig = signal(SignalKind::interrupt())?;
    // SIGQUIT's default would dump core with the alternate screen still on.
    let mut quit_sig = signal(SignalKind::quit())?;
    let mut inbox: VecDeque<Msg> = first.into();
    let mut login_ids = 0u64;
    // While a session starts, which exec plugins run (shown as "logging in").
    let mut login_poll = tokio::time::interval(LOGIN_POLL);
    login_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut logins_shown: Vec<String> = Vec::new();
    loop {
        let mut r = Runner {
            terminal: &mut *terminal,
            events: &mut events,
            theme: &mut theme,
            start,
            live: &mut live,
            tx: &tx,
            interrupts: &mut int_sig,
        };
        while let Some(m) = inbox.pop_front() {
            if let Flow::Quit = dispatch(state, &mut r, m).await? {
                r.live.stop().await;
                return Ok(());
            }
        }
        let now = Instant::now();
        if state.rows_stale() && now >= rows_due {
            let t = Instant::now();
            if let Flow::Quit = dispatch(state, &mut r, Msg::SyncRows).await? {
                r.live.stop().await;
                return Ok(());
            }
            // Rebuilding is O(objects); under a storm of updates, rebuild at
            // most every few costs so typing and scrolling stay responsive.
            rows_due = Instant::now() + (t.elapsed() * 4).max(FRAME);
        }
        if state.dirty && now >= next_frame {
            terminal.draw(|f| render(f, state, &theme))?;
            if !first_frame_logged {
                first_frame_logged = true;
                if let Some(t0) = super::STARTED.get() {
                    tracing::info!(
                        ms = t0.elapsed().as_secs_f64() * 1000.0,
                        "first frame drawn"
                    );
                }
            }
            state.dirty = false;
            next_frame = Instant::now() + FRAME;
        }
        let wake = match (state.dirty, state.rows_stale()) {
            (true, true) => Some(next_frame.min(rows_due)),
            (true, false) => Some(next_frame),
            (false, true) => Some(rows_due),
            (false, false) => None,
        };
        let Live {
            epoch,
            starting,
            session,
            env,
            tasks,
            logins: pending_logins,
        } = &mut live;
        let epoch = *epoch;
        tokio::select! {
            ev = async {
                match events.as_mut() {
                    Some(e) => e.next().await,
                    None => std::future::pending().await,
                }
            } => match ev {
                Some(Ok(Event::Key(k))) => inbox.push_back(Msg::Key(k)),
                Some(Ok(Event::Mouse(m))) => inbox.push_back(Msg::Mouse(m)),
                Some(Ok(Event::Resize(w, h))) => inbox.push_back(Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::error!("terminal input: {e}");
                    inbox.push_back(Msg::Status(format!("terminal input: {e}"), Level::Error));
                }
                None => {
                    live.stop().await;
                    return Ok(());
                }
            },
            u = recv(session) => match u {
                Some(first) => {
                    let mut batch = vec![first];
                    if let Some(s) = session.as_mut() {
                        while batch.len() < 100_000 {
                            match s.rx.try_recv() {
                                Ok(u) => batch.push(u),
                                Err(_) => break,
                            }
                        }
                    }
                    inbox.push_back(Msg::Landscape(batch));
                }
                None => {
                    if let Some(s) = session.take() {
                        s.shutdown().await;
                    }
                    inbox.push_back(Msg::SourcesStopped { epoch });
                }
            },
            res = async { starting.as_mut().expect("guarded").await }, if starting.is_some() => {
                *starting = None;
                inbox.push_back(match res {
                    Ok(s) => {
                        for e in &s.errors {
                            tracing::warn!("{e}");
                        }
                        let e = OpsEnv::from_session(&s, &start.paths.state_dir);
                        let info = SessionInfo {
                            errors: s.errors.clone(),
                            protect: e.ctx.protect.clone(),
                            rbac_checks: e.garden.is_some() || e.capi.is_some(),
                        };
                        *env = Some(e);
                        *session = Some(s);
                        Msg::SessionStarted { epoch, session: info }
                    }
                    Err(e) => {
                        tracing::error!("cannot start landscape {}: {e}", state.ls.name);
                        Msg::SessionFailed { epoch, error: e.to_string() }
                    }
                });
            },
            Some(m) = rx.recv() => inbox.push_back(m),
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = done
                    && e.is_panic()
                {
                    tracing::error!("background task panicked: {e}");
                }
            },
            Some(req) = logins.recv() => {
                login_ids += 1;
                let plugin = req.plugin.clone();
                pending_logins.insert(login_ids, req);
                inbox.push_back(Msg::LoginNeeded { id: login_ids, plugin });
            },
            _ = login_poll.tick(), if starting.is_some() || !logins_shown.is_empty() => {
                let now = if starting.is_some() {
                    kclm::source::kube_auth::logins_in_progress()
                } else {
                    Vec::new()
                };
                if now != logins_shown {
                    logins_shown = now.clone();
                    inbox.push_back(Msg::LoginsInProgress(now));
                }
            },
            _ = tick.tick() => inbox.push_back(Msg::Tick(Timestamp::now())),
            _ = term_sig.recv() => { signalled(libc::SIGTERM); break; }
            _ = hup_sig.recv() => { signalled(libc::SIGHUP); break; }
            _ = int_sig.recv() => { signalled(libc::SIGINT); break; }
            _ = quit_sig.recv() => { signalled(libc::SIGQUIT); break; }
            _ = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(w.into()).await,
                    None => std::future::pending().await,
                }
            } => {}
        }
    }
    live.stop().await;
    Ok(())
}

/// Records the signal that ended the loop: after the terminal is restored,
/// `main` exits with the shell's convention for it (128 + the number).
fn signalled(signo: i32) {
    super::SIGNALLED.store(signo, std::sync::atomic::Ordering::SeqCst);
}
