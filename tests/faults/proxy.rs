//! A fault-injecting HTTP/1.1 proxy for tests, in front of the demo's plain
//! HTTP kube API. Each request is read (so the test can see and count it),
//! then either answered by the proxy with a status code or forwarded on a
//! fresh upstream connection (`connection: close`) whose response is relayed
//! byte by byte: passed whole, held (stalled), or cut after N body bytes.
//! `drop_all` closes every open connection.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the next requests; changed by the test at any time.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Answer this status to the next `n` list/watch requests.
    pub answer: Option<(u16, usize)>,
    /// Cut each watch response after this many bytes of its body.
    pub cut_watch_after: Option<usize>,
    /// Hold every watch response's body bytes (the stream stays open, silent).
    pub stall_watch: bool,
    /// Ask the server for no bookmarks (a server that sends none at start).
    pub no_bookmarks: bool,
}

/// One request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: Instant,
    pub target: String,
    /// Answered by the proxy (a fault), not forwarded.
    pub answered: Option<u16>,
}

impl Seen {
    pub fn is_watch(&self) -> bool {
        self.target.contains("watch=true") || self.target.contains("watch=1")
    }
}

pub struct Proxy {
    pub url: String,
    faults: Arc<Mutex<Faults>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    epoch: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.drop_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let faults = Arc::new(Mutex::new(Faults::default()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (epoch, _) = tokio::sync::watch::channel(0u64);
        let ctx = Ctx {
            upstream,
            faults: faults.clone(),
            seen: seen.clone(),
            epoch: epoch.clone(),
        };
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let mut stop = ctx.epoch.subscribe();
                    tokio::select! {
                        _ = serve(conn, &ctx) => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        });
        Proxy {
            url,
            faults,
            seen,
            epoch,
            task,
        }
    }

    pub fn set(&self, f: Faults) {
        *lock(&self.faults) = f;
    }

    /// Closes every open connection (client and upstream side).
    pub fn drop_all(&self) {
        self.epoch.send_modify(|e| *e += 1);
    }

    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }
}

#[derive(Clone)]
struct Ctx {
    upstream: String,
    faults: Arc<Mutex<Faults>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    epoch: tokio::sync::watch::Sender<u64>,
}

/// Reads one request head (GET requests: no body), `None` at EOF.
async fn read_head(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    Some(head)
}

/// The request head with `connection: close` (one request per upstream connection).
fn closing(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    out.into_bytes()
}

async fn serve(mut conn: TcpStream, ctx: &Ctx) {
    while let Some(head) = read_head(&mut conn).await {
        let target = String::from_utf8_lossy(&head)
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let (answer, faults) = {
            let mut f = lock(&ctx.faults);
            let answer = match f.answer {
                Some((code, n)) if n > 0 => {
                    f.answer = Some((code, n - 1));
                    Some(code)
                }
                _ => None,
            };
            (answer, f.clone())
        };
        let seen = Seen {
            at: Instant::now(),
            target,
            answered: answer,
        };
        let watch = seen.is_watch();
        lock(&ctx.seen).push(seen);
        if let Some(code) = answer {
            let body = format!(
                "{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\
                 \"message\":\"injected by the test proxy\",\"reason\":\"Injected\",\"code\":{code}}}"
            );
            let resp = format!(
                "HTTP/1.1 {code} Injected\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            if conn.write_all(resp.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        let head = if faults.no_bookmarks {
            String::from_utf8_lossy(&head)
                .replacen("allowWatchBookmarks=true", "allowWatchBookmarks=false", 1)
                .into_bytes()
        } else {
            head
        };
        relay(conn, ctx, &head, watch, &faults).await;
        return;
    }
}

/// Forwards one request and relays its response, applying the watch faults.
async fn relay(mut conn: TcpStream, ctx: &Ctx, head: &[u8], watch: bool, f: &Faults) {
    let Ok(mut up) = TcpStream::connect(&ctx.upstream).await else {
        return;
    };
    if up.write_all(&closing(head)).await.is_err() {
        return;
    }
    let mut buf = [0u8; 8192];
    let mut resp_head = Vec::new();
    let mut body = 0usize;
    loop {
        let n = match up.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut chunk = &buf[..n];
        let in_head = !resp_head.ends_with(b"\r\n\r\n");
        if in_head {
            // Pass the response head unchanged, then count body bytes.
            let mut i = 0;
            while i < chunk.len() && !resp_head.ends_with(b"\r\n\r\n") {
                resp_head.push(chunk[i]);
                i += 1;
            }
            if conn.write_all(&chunk[..i]).await.is_err() {
                return;
            }
            chunk = &chunk[i..];
        }
        if chunk.is_empty() {
            continue;
        }
        if watch && f.stall_watch {
            continue;
        }
        if let (true, Some(limit)) = (watch, f.cut_watch_after) {
            let room = limit.saturating_sub(body);
            let take = room.min(chunk.len());
            let _ = conn.write_all(&chunk[..take]).await;
            body += take;
            if body >= limit {
                let _ = conn.shutdown().await;
                return;
            }
            continue;
        }
        if conn.write_all(chunk).await.is_err() {
            return;
        }
    }
}
