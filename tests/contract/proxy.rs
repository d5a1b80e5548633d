//! A TCP proxy in front of the API server, so a test can drop a watcher's
//! connection and keep it disconnected while it changes things (TLS passes
//! through untouched; both servers' certificates are valid for 127.0.0.1).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};

pub struct Proxy {
    pub addr: SocketAddr,
    open: watch::Sender<bool>,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (open, open_rx) = watch::channel(true);
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let tracked = conns.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut down, _)) = listener.accept().await {
                if !*open_rx.borrow() {
                    // Refused: the client sees its connection reset and retries.
                    drop(down);
                    continue;
                }
                let conn = tokio::spawn(async move {
                    if let Ok(mut up) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                    }
                });
                tracked.lock().unwrap().push(conn.abort_handle());
            }
        });
        Proxy {
            addr,
            open,
            conns,
            task,
        }
    }

    /// Cuts every open connection and refuses new ones.
    pub fn pause(&self) {
        self.open.send_replace(false);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    pub fn resume(&self) {
        self.open.send_replace(true);
    }

    /// A client for `context` of `kubeconfig` that connects through the proxy.
    pub async fn client(&self, kubeconfig: &Path, context: &str) -> kube::Client {
        let kc = Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
        let opts = KubeConfigOptions {
            context: Some(context.to_string()),
            ..Default::default()
        };
        let mut cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
            .await
            .expect("kube config");
        cfg.cluster_url = format!("https://{}", self.addr).parse().expect("url");
        kube::Client::try_from(cfg).expect("client")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.pause();
        self.task.abort();
    }
}

/// The `host:port` a kubeconfig context talks to.
pub async fn upstream(kubeconfig: &Path, context: &str) -> SocketAddr {
    let kc = Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
    let opts = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .expect("kube config");
    let host = cfg.cluster_url.host().expect("host").to_string();
    let port = cfg.cluster_url.port_u16().unwrap_or(443);
    format!("{host}:{port}")
        .parse()
        .expect("a loopback address")
}
