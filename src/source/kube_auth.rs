//! Exec credential plugins (a kubeconfig user's `exec:`, e.g. gardenlogin or
//! kubelogin), run by kclm itself instead of kube-rs.
//!
//! kube-rs runs a plugin synchronously, with the terminal's stdin and stderr,
//! on whichever thread asks first; a plugin that prompts scribbles over the
//! TUI and one that hangs freezes it. Here a plugin runs as a tokio process:
//! with stdin closed and stderr captured (unless the run is interactive), in
//! its own process group, under a timeout, and it is killed when the run is
//! dropped. A client built by [`exec_client`] fetches its credential on its
//! first request (never while being built), caches it and runs the plugin
//! again when the credential is near expiry or the server answers 401.
//!
//! Interactive plugins (`interactiveMode: Always`, or `IfAvailable` while kclm
//! has a terminal) are run by [`prepare`] before the TUI takes the terminal;
//! the credential is cached for the process. A mid-session login that needs
//! the terminal (`Always`; `IfAvailable` or unset too while a handler is set,
//! which means kclm owns a terminal) is asked for on the channel given to
//! [`set_login_handler`].

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::future::BoxFuture;
use http::{Request, Response, header};
use jiff::Timestamp;
use kube::client::Body;
use kube::config::{ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

/// How long a non-interactive plugin may take.
pub const PLUGIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an interactive login (a person typing, a browser flow) may take.
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(300);
/// A credential this close to its expiry is renewed before it is used.
const RENEW_BEFORE: Duration = Duration::from_secs(60);
/// After a failed run, requests get the same error for this long instead of
/// starting the plugin again (the watchers of one cluster ask together).
const FAILED_FOR: Duration = Duration::from_secs(5);

/// Whether a plugin may use the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interactivity {
    /// stdin and stderr are a terminal that nobody else uses right now.
    Terminal,
    /// No terminal, or the TUI owns it.
    NoTerminal,
}

impl Interactivity {
    /// `Terminal` if stdin and stderr are both terminals.
    pub fn detect() -> Self {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            Self::Terminal
        } else {
            Self::NoTerminal
        }
    }
}

/// Why a plugin gave no credential. Messages name the plugin (its program's
/// file name) and what happened, never its arguments or environment.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error("exec plugin: the kubeconfig user's exec has no command")]
    MissingCommand,
    #[error("exec plugin `{plugin}` cannot be started: {reason}")]
    Start { plugin: String, reason: String },
    #[error("exec plugin `{plugin}` failed ({status}){detail}")]
    Failed {
        plugin: String,
        status: String,
        /// ": " and the last line the plugin wrote to stderr, if any.
        detail: String,
    },
    #[error("exec plugin `{plugin}` gave no credential within {secs}s and was stopped")]
    Timeout { plugin: String, secs: u64 },
    #[error("exec plugin `{plugin}` printed no usable ExecCredential: {reason}")]
    Parse { plugin: String, reason: String },
    #[error("exec plugin `{plugin}` needs a terminal for an interactive login; run kclm in one")]
    NeedsTerminal { plugin: String },
    #[error(
        "login expired: exec plugin `{plugin}` needs a terminal for an interactive login (restart kclm to log in)"
    )]
    Expired { plugin: String },
}

/// What a plugin returned.
#[derive(Clone)]
pub(crate) struct Credential {
    secret: Secret,
    expires: Option<Timestamp>,
}

#[derive(Clone)]
enum Secret {
    Token(String),
    Cert { cert_pem: String, key_pem: String },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.secret {
            Secret::Token(_) => "token",
            Secret::Cert { .. } => "client certificate",
        };
        write!(f, "Credential({kind}, expires {:?})", self.expires)
    }
}

impl Credential {
    fn fresh(&self, now: Timestamp) -> bool {
        match self.expires {
            None => true,
            Some(t) => now
                .checked_add(RENEW_BEFORE)
                .map(|soon| soon < t)
                .unwrap_or(false),
        }
    }
}

#[derive(Deserialize)]
struct ExecCredentialOut {
    status: Option<ExecStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecStatus {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
    expiration_timestamp: Option<String>,
}

/// The name a plugin is shown by: its program's file name.
pub fn plugin_name(exec: &ExecConfig) -> String {
    exec.command
        .as_deref()
        .map(|c| {
            Path::new(c)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| c.to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// Parses a plugin's stdout (JSON, or YAML as client-go tolerates).
pub(crate) fn parse_credential(plugin: &str, stdout: &[u8]) -> Result<Credential, ExecError> {
    let bad = |reason: String| ExecError::Parse {
        plugin: plugin.to_string(),
        reason,
    };
    let out: ExecCredentialOut = serde_saphyr::from_slice(stdout)
        .map_err(|e| bad(format!("not an ExecCredential ({e})")))?;
    let status = out.status.ok_or_else(|| bad("no status".into()))?;
    let expires = match status.expiration_timestamp.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<Timestamp>()
                .map_err(|e| bad(format!("expirationTimestamp {s:?}: {e}")))?,
        ),
    };
    let secret = match (
        status.client_certificate_data,
        status.client_key_data,
        status.token,
    ) {
        (Some(cert_pem), Some(key_pem), _) => Secret::Cert { cert_pem, key_pem },
        (_, _, Some(token)) if !token.is_empty() => Secret::Token(token),
        _ => {
            return Err(bad(
                "neither a token nor a client certificate and key".into()
            ));
        }
    };
    Ok(Credential { secret, expires })
}

/// Kills a plugin's whole process group (a shell script's children too) when
/// a run is dropped or times out.
struct GroupKill(Option<i32>);

impl Drop for GroupKill {
    fn drop(&mut self) {
        if let Some(pgid) = self.0.take() {
            // SAFETY: kill(2) with a negative pid signals a process group we
            // created for this plugin; it has no memory-safety preconditions.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    let short: String = line.chars().filter(|c| !c.is_control()).take(200).collect();
    if short.is_empty() {
        String::new()
    } else {
        format!(": {short}")
    }
}

/// Runs a plugin once and parses its credential. Interactive runs share the
/// terminal's stdin and stderr; the others get no stdin, their stderr is
/// captured and they run in their own process group.
pub(crate) async fn run_plugin(
    exec: &ExecConfig,
    interactive: bool,
    timeout: Duration,
) -> Result<Credential, ExecError> {
    let command = exec.command.as_deref().ok_or(ExecError::MissingCommand)?;
    let plugin = plugin_name(exec);
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(exec.args.iter().flatten());
    for e in exec.env.iter().flatten() {
        if let (Some(n), Some(v)) = (e.get("name"), e.get("value")) {
            cmd.env(n, v);
        }
    }
    let mut spec = serde_json::json!({ "interactive": interactive });
    if exec.provide_cluster_info
        && let Some(c) = &exec.cluster
        && let Ok(v) = serde_json::to_value(c)
    {
        spec["cluster"] = v;
    }
    let info = serde_json::json!({
        "apiVersion": exec.api_version.as_deref().unwrap_or("client.authentication.k8s.io/v1"),
        "kind": "ExecCredential",
        "spec": spec,
    });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdout(Stdio::piped()).kill_on_drop(true);
    if interactive {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
    }
    let child = cmd.spawn().map_err(|e| ExecError::Start {
        plugin: plugin.clone(),
        reason: match (e.kind(), &exec.install_hint) {
            (std::io::ErrorKind::NotFound, Some(hint)) => format!("not found; {}", hint.trim()),
            (std::io::ErrorKind::NotFound, None) => "not found".into(),
            _ => e.to_string(),
        },
    })?;
    let mut guard = GroupKill(if interactive {
        None
    } else {
        child.id().and_then(|p| i32::try_from(p).ok())
    });
    let started = Instant::now();
    let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => {
            return Err(ExecError::Start {
                plugin,
                reason: e.to_string(),
            });
        }
        Err(_) => {
            return Err(ExecError::Timeout {
                plugin,
                secs: timeout.as_secs(),
            });
        }
    };
    // It ended by itself: whatever it left running is its business.
    guard.0 = None;
    tracing::info!(plugin, ms = started.elapsed().as_millis() as u64, status = %out.status, "exec plugin ran");
    if !out.status.success() {
        return Err(ExecError::Failed {
            plugin,
            status: out.status.to_string(),
            detail: last_line(&out.stderr),
        });
    }
    parse_credential(&plugin, &out.stdout)
}

/// Whether a plugin wants the terminal when kclm has one.
fn wants_terminal(exec: &ExecConfig) -> bool {
    !matches!(exec.interactive_mode, Some(ExecInteractiveMode::Never))
}

/// Identifies a plugin invocation for the process-wide credential cache.
fn cache_key(exec: &ExecConfig) -> String {
    let server = exec.cluster.as_ref().and_then(|c| c.server.clone());
    // `env` entries are HashMaps: their order differs from one load to the next.
    let env: Vec<(Option<&String>, Option<&String>)> = exec
        .env
        .iter()
        .flatten()
        .map(|e| (e.get("name"), e.get("value")))
        .collect();
    serde_json::json!([exec.command, exec.args, env, exec.api_version, server]).to_string()
}

static CACHE: LazyLock<Mutex<HashMap<String, Credential>>> = LazyLock::new(Default::default);

fn cached(key: &str) -> Option<Credential> {
    let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .get(key)
        .filter(|c| c.fresh(Timestamp::now()))
        .cloned()
}

fn remember(key: String, cred: &Credential) {
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.insert(key, cred.clone());
}

fn forget(key: &str) {
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.remove(key);
}

/// Plugins whose run is in progress, by name (for "logging in…" messages).
static RUNNING: LazyLock<Mutex<Vec<String>>> = LazyLock::new(Default::default);

struct Running(String);

impl Running {
    fn new(plugin: &str) -> Self {
        let mut r = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        r.push(plugin.to_string());
        Running(plugin.to_string())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut r = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = r.iter().position(|p| *p == self.0) {
            r.remove(i);
        }
    }
}

/// The exec plugins running right now (a login in progress), by name.
pub fn logins_in_progress() -> Vec<String> {
    let mut r = RUNNING.lock().unwrap_or_else(|p| p.into_inner()).clone();
    r.dedup();
    r
}

/// A mid-session login that needs the terminal. Whoever owns the terminal
/// gives it up, calls [`LoginRequest::run`] and takes it back.
pub struct LoginRequest {
    /// The plugin's name, for the screen.
    pub plugin: String,
    exec: ExecConfig,
    reply: oneshot::Sender<Result<Credential, ExecError>>,
}

impl LoginRequest {
    /// Runs the plugin with the terminal's stdin and stderr and hands the
    /// credential to the waiting client. Returns the outcome for the screen.
    pub async fn run(self) -> Result<(), ExecError> {
        let res = run_plugin(&self.exec, true, INTERACTIVE_TIMEOUT).await;
        let outcome = res.as_ref().map(|_| ()).map_err(Clone::clone);
        let _ = self.reply.send(res);
        outcome
    }
}

static LOGIN_HANDLER: LazyLock<Mutex<Option<mpsc::UnboundedSender<LoginRequest>>>> =
    LazyLock::new(Default::default);

/// Registers who answers mid-session interactive logins (the TUI). Without
/// one, such a login fails with "login expired: …".
pub fn set_login_handler(tx: Option<mpsc::UnboundedSender<LoginRequest>>) {
    *LOGIN_HANDLER.lock().unwrap_or_else(|p| p.into_inner()) = tx;
}

/// Whether someone answers mid-session interactive logins.
fn has_login_handler() -> bool {
    LOGIN_HANDLER
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some()
}

/// Asks the terminal's owner for an interactive login. `expired`: a
/// credential was in use before (the error then says "login expired").
async fn ask_handler(
    exec: &ExecConfig,
    plugin: &str,
    expired: bool,
) -> Result<Credential, ExecError> {
    let tx = LOGIN_HANDLER
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let plugin_s = plugin.to_string();
    let needs = || match expired {
        true => ExecError::Expired {
            plugin: plugin_s.clone(),
        },
        false => ExecError::NeedsTerminal {
            plugin: plugin_s.clone(),
        },
    };
    let tx = tx.ok_or_else(needs)?;
    let (reply, answer) = oneshot::channel();
    let req = LoginRequest {
        plugin: plugin.to_string(),
        exec: exec.clone(),
        reply,
    };
    tx.send(req).map_err(|_| needs())?;
    answer.await.map_err(|_| needs())?
}

/// Runs, before the TUI takes the terminal, the exec plugin of a target's
/// user if it may prompt, and caches its credential for the session. Plugins
/// that never prompt are left to the session. Reports what it does on stderr
/// only when a plugin is actually run with the terminal.
pub async fn prepare(
    target: &super::kube::KubeTarget,
    how: Interactivity,
) -> Result<(), super::kube::ConnectError> {
    if how != Interactivity::Terminal {
        return Ok(());
    }
    let cfg = super::kube::load_config(target).await?;
    let Some(exec) = cfg.auth_info.exec else {
        return Ok(());
    };
    if !wants_terminal(&exec) {
        return Ok(());
    }
    let key = cache_key(&exec);
    if cached(&key).is_some() {
        return Ok(());
    }
    let plugin = plugin_name(&exec);
    eprintln!("kclm: logging in through exec plugin `{plugin}` … (ctrl-c quits)");
    let _running = Running::new(&plugin);
    match run_plugin(&exec, true, INTERACTIVE_TIMEOUT).await {
        Ok(cred) => {
            remember(key, &cred);
            Ok(())
        }
        Err(e) => Err(super::kube::ConnectError::Login(e)),
    }
}

/// [`prepare`] for each of a landscape's clusters (garden, CAPI); returns the
/// failures as messages (the session still starts: a non-interactive run or
/// the error shows there).
pub async fn prepare_all<'a>(
    targets: impl IntoIterator<Item = &'a super::kube::KubeTarget>,
    how: Interactivity,
) -> Vec<String> {
    let mut errors = Vec::new();
    for t in targets {
        if let Err(e) = prepare(t, how).await {
            errors.push(e.to_string());
        }
    }
    errors
}

/// What a client built by [`exec_client`] shares between its requests.
struct ExecAuth {
    plugin: String,
    exec: ExecConfig,
    key: String,
    /// The cluster's config without the exec part.
    config: kube::Config,
    timeout: Duration,
    state: tokio::sync::Mutex<AuthState>,
}

#[derive(Default)]
struct AuthState {
    inner: Option<(kube::Client, Credential)>,
    failed: Option<(Instant, ExecError)>,
}

fn with_credential(mut config: kube::Config, cred: &Credential) -> kube::Config {
    let b64 = base64::engine::general_purpose::STANDARD;
    match &cred.secret {
        Secret::Token(t) => config.auth_info.token = Some(t.clone().into()),
        Secret::Cert { cert_pem, key_pem } => {
            config.auth_info.client_certificate_data = Some(b64.encode(cert_pem));
            config.auth_info.client_key_data = Some(b64.encode(key_pem).into());
        }
    }
    config
}

impl ExecAuth {
    /// A client carrying a fresh credential; runs the plugin if needed.
    async fn client(&self) -> Result<kube::Client, kube::Error> {
        let mut st = self.state.lock().await;
        if let Some((c, cred)) = &st.inner
            && cred.fresh(Timestamp::now())
        {
            return Ok(c.clone());
        }
        if let Some((at, e)) = &st.failed
            && at.elapsed() < FAILED_FOR
        {
            return Err(service_error(e.clone()));
        }
        let cred = match cached(&self.key) {
            Some(c) => Ok(c),
            None => self.obtain(st.inner.is_some()).await,
        };
        let cred = match cred {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "exec plugin gave no credential");
                st.failed = Some((Instant::now(), e.clone()));
                return Err(service_error(e));
            }
        };
        st.failed = None;
        remember(self.key.clone(), &cred);
        let client = kube::Client::try_from(with_credential(self.config.clone(), &cred))?;
        st.inner = Some((client.clone(), cred));
        Ok(client)
    }

    async fn obtain(&self, expired: bool) -> Result<Credential, ExecError> {
        let _running = Running::new(&self.plugin);
        match self.exec.interactive_mode {
            Some(ExecInteractiveMode::Always) => {
                ask_handler(&self.exec, &self.plugin, expired).await
            }
            Some(ExecInteractiveMode::Never) => run_plugin(&self.exec, false, self.timeout).await,
            // `IfAvailable` (or unset) gets the terminal when kclm has one,
            // i.e. when its owner answers logins; otherwise it runs without.
            _ if has_login_handler() => ask_handler(&self.exec, &self.plugin, expired).await,
            _ => run_plugin(&self.exec, false, self.timeout).await,
        }
    }

    /// The server rejected the credential: the next request runs the plugin.
    async fn rejected(&self) {
        self.state.lock().await.inner = None;
        forget(&self.key);
    }
}

fn service_error(e: ExecError) -> kube::Error {
    kube::Error::Service(Box::new(e))
}

/// The tower service of an exec client: each request gets the current
/// credential's client, which is (re)built when the plugin runs.
#[derive(Clone)]
struct ExecService(Arc<ExecAuth>);

impl tower::Service<Request<Body>> for ExecService {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, kube::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let auth = self.0.clone();
        Box::pin(async move {
            let client = auth.client().await?;
            let had_auth = req.headers().contains_key(header::AUTHORIZATION);
            let res = client.send(req).await?;
            if res.status() == http::StatusCode::UNAUTHORIZED && !had_auth {
                auth.rejected().await;
            }
            Ok(res)
        })
    }
}

/// Builds a client whose user is an exec plugin. Nothing runs now: the first
/// request runs the plugin (or uses a credential [`prepare`] cached).
pub(crate) fn exec_client(config: kube::Config, exec: ExecConfig) -> kube::Client {
    let default_ns = config.default_namespace.clone();
    let auth = ExecAuth {
        plugin: plugin_name(&exec),
        key: cache_key(&exec),
        exec,
        config,
        timeout: PLUGIN_TIMEOUT,
        state: Default::default(),
    };
    kube::Client::new(ExecService(Arc::new(auth)), default_ns)
}

#[cfg(test)]
#[path = "kube_auth_tests.rs"]
mod tests;
