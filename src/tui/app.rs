//! The loop: one `tokio::select!` owns the state; terminal events, watch
//! updates and timers come in as messages, effects go out.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use jiff::Timestamp;
use kclm::config::{ProcessEnv, Target, TargetFlags};
use kclm::landscape::{Landscape, Update};
use kclm::session::{Session, SessionError, SessionOptions};
use ratatui::DefaultTerminal;

use super::TuiStart;
use super::keymap::Keymap;
use super::ops::{OpReport, OpsEnv};
use super::prefs::Prefs;
use super::render::render;
use super::state::{Level, State};
use super::theme::Theme;
use super::update::{Effect, Msg, apply_prefs, update};

type Starting = Pin<Box<dyn Future<Output = Result<Session, SessionError>> + Send>>;

const FRAME: Duration = Duration::from_millis(16);
/// Ages only change slowly; no need to wake more often when idle.
const TICK: Duration = Duration::from_secs(10);

fn start_session(target: &Target, poll: u64) -> Starting {
    let target = target.clone();
    let opts = SessionOptions {
        metal_poll: Duration::from_secs(poll.max(1)),
        ..SessionOptions::default()
    };
    Box::pin(async move { Session::start(&target, opts).await })
}

fn init_logging(start: &TuiStart) {
    use tracing_subscriber::EnvFilter;
    let log = &start.paths.log_file;
    let (Some(dir), Some(name)) = (log.parent(), log.file_name()) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let file = tracing_appender::rolling::never(dir, name);
    let filter = EnvFilter::try_from_env("KCLM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // The lead's CLI may have installed a subscriber already; that one wins.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(file)
        .try_init();
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
    state.demo_by_default = start.demo_by_default;
    state.dashboard_url = start.target.dashboard_url.clone();
    state.readonly = start.target.readonly;
    state.mouse = ui.mouse;
    state.tz = jiff::tz::TimeZone::system();
    state.theme_name = theme.name.clone();
    state.theme_names = Theme::names(&start.paths.themes_dir);
    state.landscapes = start.config.landscapes.keys().cloned().collect();
    if !state.landscapes.iter().any(|l| l == "demo") {
        state.landscapes.push("demo".into());
    }
    state.prefs = prefs;
    apply_prefs(&mut state);
    if !warnings.is_empty() {
        for w in &warnings {
            tracing::warn!("{w}");
        }
        update(
            &mut state,
            Msg::Status(warnings.join(" · "), Level::Warning),
        );
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
    update(&mut state, Msg::Resize(size.width, size.height));
    let result = main_loop(&mut terminal, &mut state, theme, &start).await;
    if state.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
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
) -> color_eyre::Result<()> {
    let poll = start.config.ui.metal_poll_seconds;
    let mut events = EventStream::new();
    let mut session: Option<Session> = None;
    let mut starting: Option<Starting> = Some(start_session(&start.target, poll));
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut next_frame = Instant::now();
    let mut rows_due = Instant::now();
    // Background calls (operations, access reviews, full objects for the YAML
    // view) run as tasks and answer here as messages.
    let (op_tx, mut op_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut env: Option<OpsEnv> = None;
    let mut first_frame_logged = false;
    // A kill from another shell (or a closed terminal) ends the loop like `q`,
    // so the terminal is restored instead of left in the alternate screen.
    use tokio::signal::unix::{SignalKind, signal};
    let mut term_sig = signal(SignalKind::terminate())?;
    let mut hup_sig = signal(SignalKind::hangup())?;
    let mut int_sig = signal(SignalKind::interrupt())?;
    loop {
        let now = Instant::now();
        if state.rows_stale() && now >= rows_due {
            let t = Instant::now();
            update(state, Msg::SyncRows);
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
        let mut effects = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => effects = update(state, Msg::Key(k)),
                Some(Ok(Event::Mouse(m))) => effects = update(state, Msg::Mouse(m)),
                Some(Ok(Event::Resize(w, h))) => effects = update(state, Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::error!("terminal input: {e}");
                    update(state, Msg::Status(format!("terminal input: {e}"), Level::Error));
                }
                None => return Ok(()),
            },
            u = recv(&mut session) => match u {
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
                    update(state, Msg::Landscape(batch));
                }
                None => {
                    update(state, Msg::Status("all sources stopped".into(), Level::Warning));
                    if let Some(s) = session.take() {
                        s.shutdown().await;
                    }
                }
            },
            res = async { starting.as_mut().expect("guarded").await }, if starting.is_some() => {
                starting = None;
                match res {
                    Ok(s) => {
                        state.session_error = None;
                        for e in &s.errors {
                            tracing::warn!("{e}");
                        }
                        if let Some(e) = s.errors.first() {
                            update(state, Msg::Status(e.clone(), Level::Error));
                        }
                        let e = OpsEnv::from_session(&s, &start.paths.state_dir);
                        state.protect = e.ctx.protect.clone();
                        state.rbac_checks = e.garden.is_some() || e.capi.is_some();
                        env = Some(e);
                        session = Some(s);
                    }
                    Err(e) => {
                        tracing::error!("cannot start landscape {}: {e}", start.target.name);
                        state.session_error = Some(e.to_string());
                        update(state, Msg::Status(format!("cannot start landscape: {e}"), Level::Error));
                    }
                }
            },
            Some(m) = op_rx.recv() => { effects = update(state, m); }
            _ = tick.tick() => { update(state, Msg::Tick(Timestamp::now())); }
            _ = term_sig.recv() => return Ok(()),
            _ = hup_sig.recv() => return Ok(()),
            _ = int_sig.recv() => return Ok(()),
            _ = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(w.into()).await,
                    None => std::future::pending().await,
                }
            } => {}
        }
        for e in effects {
            match e {
                Effect::Quit => {
                    if let Some(s) = session.take() {
                        s.shutdown().await;
                    }
                    return Ok(());
                }
                Effect::OpenUrl(url) => {
                    if let Err(e) = open::that_detached(&url) {
                        update(
                            state,
                            Msg::Status(format!("cannot open {url}: {e}"), Level::Error),
                        );
                    }
                }
                Effect::Copy(text) => osc52(&text),
                Effect::SavePrefs => {
                    if let Err(e) = state.prefs.save(&start.paths.state_dir) {
                        update(
                            state,
                            Msg::Status(format!("cannot save UI state: {e}"), Level::Warning),
                        );
                    }
                }
                Effect::LoadTheme(name) => {
                    let (t, w) = Theme::load(&name, &start.paths.themes_dir);
                    let loaded = t.name.clone();
                    theme = t;
                    update(state, Msg::ThemeLoaded(loaded));
                    if !w.is_empty() {
                        update(state, Msg::Status(w.join(" · "), Level::Warning));
                    }
                }
                Effect::SwitchLandscape(name) => {
                    let flags = TargetFlags {
                        landscape: Some(name.clone()),
                        readonly: start.target.readonly,
                        ..Default::default()
                    };
                    match kclm::config::resolve(
                        &flags,
                        &start.config,
                        &start.paths.config_file,
                        &ProcessEnv,
                    ) {
                        Ok(Some(target)) => {
                            if let Some(s) = session.take() {
                                s.shutdown().await;
                            }
                            env = None;
                            state.rbac_checks = false;
                            state.reset_landscape(Landscape::new());
                            state.landscape_name = target.name.clone();
                            state.dashboard_url = target.dashboard_url.clone();
                            state.readonly = target.readonly;
                            state.demo_by_default = false;
                            state.nav.clear();
                            starting = Some(start_session(&target, poll));
                            update(
                                state,
                                Msg::Status(format!("connecting to {}", target.name), Level::Info),
                            );
                        }
                        Ok(None) => {
                            update(
                                state,
                                Msg::Status(
                                    format!("landscape {name} has nothing configured"),
                                    Level::Error,
                                ),
                            );
                        }
                        Err(e) => {
                            update(state, Msg::Status(e.to_string(), Level::Error));
                        }
                    }
                }
                Effect::FetchYaml(title, kind, key) => {
                    let client = session.as_ref().and_then(|s| match kind.group() {
                        kclm::landscape::SourceGroup::Garden => s.garden.clone(),
                        kclm::landscape::SourceGroup::Capi => s.capi.clone(),
                        kclm::landscape::SourceGroup::Metal => None,
                    });
                    if let Some(client) = client {
                        let tx = op_tx.clone();
                        tokio::spawn(async move {
                            let res = kclm::source::fetch::object_yaml(client, kind, &key).await;
                            let _ = tx.send(Msg::YamlLoaded(title, res));
                        });
                    }
                }
                Effect::ClearScreen => {
                    terminal.clear()?;
                    state.dirty = true;
                }
                Effect::Op(req) => match env.clone() {
                    Some(env) => {
                        let tx = op_tx.clone();
                        tokio::spawn(async move {
                            let report = super::ops::execute(env, req).await;
                            let _ = tx.send(Msg::OpDone(report));
                        });
                    }
                    None => {
                        let report = OpReport::One {
                            label: req.op.label(),
                            result: Err(kclm::ops::OpError::Refused(
                                "not connected to the landscape yet".into(),
                            )),
                        };
                        update(state, Msg::OpDone(report));
                    }
                },
                Effect::CheckAccess(checks) => {
                    for check in checks {
                        match env.clone() {
                            Some(env) => {
                                let tx = op_tx.clone();
                                tokio::spawn(async move {
                                    let answer = super::ops::check_access(env, check.clone()).await;
                                    let _ = tx.send(Msg::Access(check, answer));
                                });
                            }
                            None => {
                                update(state, Msg::Access(check, Err("not connected".into())));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Copies through the terminal (OSC 52), which also works over ssh and tmux.
fn osc52(text: &str) {
    use base64_lite::encode;
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{}\x07", encode(text.as_bytes()));
    let _ = out.flush();
}

mod base64_lite {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub fn encode(input: &[u8]) -> String {
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            out.push(T[(n >> 18) as usize & 63] as char);
            out.push(T[(n >> 12) as usize & 63] as char);
            out.push(if chunk.len() > 1 {
                T[(n >> 6) as usize & 63] as char
            } else {
                '='
            });
            out.push(if chunk.len() > 2 {
                T[n as usize & 63] as char
            } else {
                '='
            });
        }
        out
    }

    #[cfg(test)]
    #[test]
    fn encodes_like_rfc4648() {
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"web-prod"), "d2ViLXByb2Q=");
    }
}
