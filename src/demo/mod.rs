//! The embedded demo landscape: a live, simulated Gardener + Cluster-API +
//! Kamaji API server and a metal-api v1, both on 127.0.0.1, reached through the
//! same kube-rs and reqwest code as a real landscape (and usable by kubectl).
//!
//! One [`World`] behind a mutex holds everything; the HTTP handlers and the
//! simulation task are its only writers, and every change of a Kubernetes
//! object becomes a watch event.

mod four_eyes;
mod gardener_rules;
mod generate;
mod generate_infra;
mod generate_shoot;
pub mod hmac_verify;
mod kube_api;
mod kube_query;
mod kube_store;
mod kube_table;
mod kube_write;
mod managed_fields;
mod metal_api;
mod metal_store;
mod patch;
mod resources;
mod rng;
mod simulate;
mod simulate_upkeep;
mod status;
#[cfg(test)]
mod tests_kube;
#[cfg(test)]
mod tests_metal;
#[cfg(test)]
mod tests_raw;
mod tls;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::Rng as _;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::config::Target;
use crate::source::kube::KubeTarget;
use crate::source::metal::{MetalAuth, MetalConfig};
use kube_store::{KubeStore, WatchEvent};
use metal_store::MetalStore;
use simulate::SimState;

/// How big the generated landscape is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// ~25 shoots, ~80 machines: the newcomer's demo.
    Small,
    /// 10,000 shoots, ~10,000 machines, 500 seeds, 300 projects.
    Large,
    /// `n` shoots with a landscape scaled to match.
    Count(usize),
}

impl std::str::FromStr for Scale {
    type Err = DemoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Scale::Small),
            "large" => Ok(Scale::Large),
            n => n.parse::<usize>().map(Scale::Count).map_err(|_| {
                DemoError::Invalid(format!(
                    "scale {s:?} is neither \"small\", \"large\" nor a number of shoots"
                ))
            }),
        }
    }
}

impl Scale {
    pub(crate) fn shoots(self) -> usize {
        match self {
            Scale::Small => 25,
            Scale::Large => 10_000,
            Scale::Count(n) => n,
        }
    }
}

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    /// Where the kubeconfig goes; `None`: a fresh temporary directory.
    pub dir: Option<PathBuf>,
    /// 1.0 = real time; tests speed the simulation up.
    pub time_scale: f64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            scale: Scale::Small,
            seed: 42,
            dir: None,
            time_scale: 1.0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo: {0}")]
    Invalid(String),
    #[error("demo: {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> DemoError {
    let what = what.into();
    move |source| DemoError::Io { what, source }
}

/// The HMAC keys of the three metal-api users.
#[derive(Clone)]
pub(crate) struct MetalKeys {
    pub view: String,
    pub edit: String,
    pub admin: String,
}

/// Everything the servers and the simulation share.
pub(crate) struct World {
    pub kube: KubeStore,
    pub metal: MetalStore,
    pub sim: SimState,
}

pub(crate) struct Shared {
    world: Mutex<World>,
    pub events: broadcast::Sender<Arc<WatchEvent>>,
    pub published_rv: Arc<AtomicU64>,
    /// Bumped to end every open watch (shutdown, tests of expiry).
    pub watch_epoch: watch::Sender<u64>,
    pub keys: MetalKeys,
    pub time_scale: f64,
}

impl Shared {
    /// The world; a panicked writer leaves consistent JSON behind, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends all open watches, e.g. before a compaction in tests.
    pub fn close_watches(&self) {
        self.watch_epoch.send_modify(|e| *e += 1);
    }
}

/// A running demo landscape.
pub struct DemoHandle {
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    /// `https://127.0.0.1:PORT`, the server of the kubeconfig (CA in `ca_file`).
    pub kube_url: String,
    /// The same API over plain HTTP (`http://127.0.0.1:PORT`) for raw clients;
    /// kubectl does not send tokens over plain HTTP, kube-rs and reqwest do.
    pub kube_http_url: String,
    /// The CA certificate (PEM) the API server's certificate is issued by.
    pub ca_file: PathBuf,
    pub metal_url: String,
    pub hmac_admin: String,
    pub hmac_edit: String,
    pub hmac_view: String,
    pub auth_type: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    remove_dir: bool,
}

impl std::fmt::Debug for DemoHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoHandle")
            .field("dir", &self.dir)
            .field("kube_url", &self.kube_url)
            .field("metal_url", &self.metal_url)
            .finish_non_exhaustive()
    }
}

impl DemoHandle {
    /// What a shell needs to point kclm at the demo (this includes the admin HMAC key).
    pub fn env_lines(&self) -> String {
        format!(
            "KUBECONFIG={}\nKCLM_METAL_URL={}\nKCLM_METAL_HMAC={}\nKCLM_METAL_AUTH_TYPE={}\n",
            self.kubeconfig.display(),
            self.metal_url,
            self.hmac_admin,
            self.auth_type
        )
    }

    /// Test hook, the demo's equivalent of an etcd compaction on a real server:
    /// forgets the watch history and ends every open watch. A watcher resuming
    /// from an older resourceVersion gets `410 Gone` and has to re-list.
    pub fn compact(&self) {
        self.shared.lock().kube.compact();
        self.shared.close_watches();
    }

    #[cfg(test)]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// An ordinary target pointing at this demo: the garden and CAPI contexts
    /// of its kubeconfig and its metal-api with the admin HMAC key. A
    /// [`crate::session::Session`] started on it does not know it is the demo.
    pub fn target(&self, readonly: bool) -> Target {
        let kube = |context: &str| KubeTarget {
            kubeconfig: Some(self.kubeconfig.clone()),
            context: Some(context.into()),
        };
        Target {
            garden: Some(kube("demo-garden")),
            capi: Some(kube("demo-capi")),
            metal: Some(MetalConfig {
                url: self.metal_url.clone(),
                auth: MetalAuth::Hmac {
                    key: self.hmac_admin.clone(),
                    auth_type: self.auth_type.clone(),
                },
            }),
            demo: false,
            ..Target::demo(readonly)
        }
    }

    /// Stops both servers (ending open watches) and the simulation, waiting
    /// up to 3 s for each. Dropping the handle stops them without waiting.
    pub async fn shutdown(mut self) {
        self.signal_stop();
        for t in std::mem::take(&mut self.tasks) {
            let abort = t.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(3), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    fn signal_stop(&self) {
        let _ = self.stop.send(true);
        self.shared.close_watches();
    }
}

impl Drop for DemoHandle {
    /// A handle dropped without [`DemoHandle::shutdown`] (e.g. when the
    /// runtime ends first) still stops the servers and removes its temporary directory.
    fn drop(&mut self) {
        self.signal_stop();
        for t in &self.tasks {
            t.abort();
        }
        if self.remove_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn random_key() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut r = rand::rng();
    (0..32)
        .map(|_| CHARS[r.random_range(0..CHARS.len())] as char)
        .collect()
}

fn kubeconfig_text(kube_url: &str, ca_file: &std::path::Path) -> String {
    format!(
        "apiVersion: v1
kind: Config
current-context: demo-garden
preferences: {{}}
clusters:
- name: demo
  cluster:
    server: {kube_url}
    certificate-authority: {ca}
contexts:
- name: demo-garden
  context:
    cluster: demo
    user: demo-admin
- name: demo-capi
  context:
    cluster: demo
    user: demo-admin
    namespace: {capi_ns}
- name: demo-viewer
  context:
    cluster: demo
    user: demo-viewer
users:
- name: demo-admin
  user:
    token: demo-admin
- name: demo-viewer
  user:
    token: demo-viewer
",
        capi_ns = generate_infra::CAPI_NAMESPACE,
        ca = ca_file.display()
    )
}

async fn serve_router<L>(listener: L, router: axum::Router, mut stop: watch::Receiver<bool>)
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let shutdown = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::warn!(error = %e, "demo server stopped");
    }
}

/// Generates the landscape and starts both servers on random local ports.
pub async fn start(opts: DemoOptions) -> Result<DemoHandle, DemoError> {
    if !(opts.time_scale.is_finite() && opts.time_scale > 0.0) {
        return Err(DemoError::Invalid(format!(
            "time_scale must be positive, not {}",
            opts.time_scale
        )));
    }
    let (dir, remove_dir) = match &opts.dir {
        Some(d) => (d.clone(), false),
        None => {
            let d = std::env::temp_dir().join(format!(
                "kclm-demo-{}-{}",
                std::process::id(),
                random_key()[..8].to_lowercase()
            ));
            (d, true)
        }
    };
    std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;

    let (events, _) = broadcast::channel(4096);
    let published_rv = Arc::new(AtomicU64::new(0));
    let mut kube = KubeStore::new(opts.seed, events.clone(), published_rv.clone(), 2000);
    let mut metal = MetalStore::default();
    let sim = generate::generate(opts.scale, opts.seed, &mut kube, &mut metal);
    kube.start_recording();
    let keys = MetalKeys {
        view: random_key(),
        edit: random_key(),
        admin: random_key(),
    };
    let (watch_epoch, _) = watch::channel(0u64);
    let shared = Arc::new(Shared {
        world: Mutex::new(World { kube, metal, sim }),
        events,
        published_rv,
        watch_epoch,
        keys: keys.clone(),
        time_scale: opts.time_scale,
    });

    let bind = |what: &'static str| async move {
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(io(format!("binding the {what} server")))
    };
    let kube_listener = bind("Kubernetes API").await?;
    let kube_http_listener = bind("Kubernetes API (HTTP)").await?;
    let metal_listener = bind("metal-api").await?;
    let port = |l: &tokio::net::TcpListener| {
        l.local_addr()
            .map(|a| a.port())
            .map_err(io("local address"))
    };
    let kube_url = format!("https://127.0.0.1:{}", port(&kube_listener)?);
    let kube_http_url = format!("http://127.0.0.1:{}", port(&kube_http_listener)?);
    let metal_url = format!("http://127.0.0.1:{}/metal", port(&metal_listener)?);
    let acceptor = tls::acceptor().map_err(DemoError::Invalid)?;

    let ca_file = dir.join("ca.crt");
    std::fs::write(&ca_file, tls::CA_PEM).map_err(io(format!("writing {}", ca_file.display())))?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, kubeconfig_text(&kube_url, &ca_file))
        .map_err(io(format!("writing {}", kubeconfig.display())))?;

    let (stop, stop_rx) = watch::channel(false);
    let tasks = vec![
        tokio::spawn(serve_router(
            tls::TlsListener {
                tcp: kube_listener,
                acceptor,
            },
            kube_api::router(shared.clone()),
            stop_rx.clone(),
        )),
        tokio::spawn(serve_router(
            kube_http_listener,
            kube_api::router(shared.clone()),
            stop_rx.clone(),
        )),
        tokio::spawn(serve_router(
            metal_listener,
            metal_api::router(shared.clone()),
            stop_rx.clone(),
        )),
        tokio::spawn(simulate::run(shared.clone(), stop_rx)),
    ];
    Ok(DemoHandle {
        dir,
        kubeconfig,
        kube_url,
        kube_http_url,
        ca_file,
        metal_url,
        hmac_admin: keys.admin,
        hmac_edit: keys.edit,
        hmac_view: keys.view,
        auth_type: crate::source::hmac::DEFAULT_AUTH_TYPE.to_string(),
        shared,
        stop,
        tasks,
        remove_dir,
    })
}

/// Starts the demo, prints [`DemoHandle::env_lines`] at once and serves until
/// Ctrl-C or SIGTERM.
pub async fn serve(opts: DemoOptions) -> Result<(), DemoError> {
    let handle = start(opts).await?;
    {
        let mut out = std::io::stdout().lock();
        out.write_all(handle.env_lines().as_bytes())
            .and_then(|_| out.flush())
            .map_err(io("writing to stdout"))?;
    }
    wait_for_signal().await;
    handle.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
