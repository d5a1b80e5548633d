//! The one place the binary starts the embedded demo: when the resolved target
//! asks for it, the demo is started, the session gets an ordinary target (its
//! kubeconfig contexts, metal URL and HMAC key), and the demo lives beside the
//! session until the session is gone. The core's `Session` never sees it.
//!
//! Self-contained (no `super::`): `benches/render.rs` compiles the TUI, which
//! starts its sessions here, outside the binary.

use kclm::config::Target;
use kclm::session::{Session, SessionError, SessionOptions};

/// Why a session (with or without the demo) did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[cfg(feature = "demo")]
    #[error(transparent)]
    Demo(#[from] kclm::demo::DemoError),
    /// Exit 2 in the CLI: the command line asks for something this build lacks.
    #[cfg_attr(feature = "demo", allow(dead_code))]
    #[error("{NO_DEMO}")]
    NoDemo,
}

/// What a kclm built with `--no-default-features` says when asked for the demo.
pub const NO_DEMO: &str = "this kclm was built without the demo landscape (cargo feature `demo`); \
     point it at a landscape with --kubeconfig/--metal-url or config.toml";

/// Whether this build contains the embedded demo.
pub const AVAILABLE: bool = cfg!(feature = "demo");

/// Starts a session for `target`; the demo (default options) when it asks for it.
pub async fn session(target: &Target, opts: SessionOptions) -> Result<Session, StartError> {
    session_seeded(target, opts, None).await
}

/// [`session`], with the demo generated from `seed` (screenshots) instead of the default one.
pub async fn session_seeded(
    target: &Target,
    opts: SessionOptions,
    seed: Option<u64>,
) -> Result<Session, StartError> {
    if !target.demo {
        return Ok(Session::start(target, opts).await?);
    }
    with_demo(target, opts, seed).await
}

#[cfg(not(feature = "demo"))]
async fn with_demo(
    _target: &Target,
    _opts: SessionOptions,
    _seed: Option<u64>,
) -> Result<Session, StartError> {
    Err(StartError::NoDemo)
}

#[cfg(feature = "demo")]
async fn with_demo(
    target: &Target,
    opts: SessionOptions,
    seed: Option<u64>,
) -> Result<Session, StartError> {
    let mut demo_opts = kclm::demo::DemoOptions::default();
    if let Some(seed) = seed {
        demo_opts.seed = seed;
    }
    let demo = kclm::demo::start(demo_opts).await?;
    // What the user asked for (name, read-only, protection) with the demo's addresses.
    let ordinary = Target {
        name: target.name.clone(),
        dashboard_url: target.dashboard_url.clone(),
        protect: target.protect.clone(),
        ..demo.target(target.readonly)
    };
    let started = Session::start(&ordinary, opts).await;
    if started.is_err() {
        demo.shutdown().await;
        return started.map_err(StartError::from);
    }
    let session = started?;
    // The session's update stream closes when the session is shut down or
    // dropped: that is when the demo stops too. Should the runtime end first,
    // dropping the handle stops the servers and removes its directory.
    let updates = session.sender();
    tokio::spawn(async move {
        updates.closed().await;
        demo.shutdown().await;
    });
    Ok(session)
}
