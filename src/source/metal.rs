//! metal-api v1 REST client: HMAC or bearer auth, signed afresh per request,
//! and a poller that sends a [`MetalSnapshot`] per round (v1 has no watch).

use std::time::Duration;

use serde::de::{DeserializeOwned, DeserializeSeed};
use serde_json::{Value, json};

use super::UpdateTx;
use super::metal_share::{MachineCache, SharedMachines};
use crate::landscape::{Kind, MetalSnapshot, SourceState, Update};
use crate::model::metal::{
    HttpError, Image, Machine, MachineIssues, Partition, PartitionCapacity, Size,
};

/// How to authenticate against metal-api.
#[derive(Clone, PartialEq, Eq)]
pub enum MetalAuth {
    Hmac { key: String, auth_type: String },
    Token(String),
    None,
}

impl std::fmt::Debug for MetalAuth {
    // Never print secrets, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetalAuth::Hmac { auth_type, .. } => write!(f, "Hmac({auth_type}, <redacted>)"),
            MetalAuth::Token(_) => f.write_str("Token(<redacted>)"),
            MetalAuth::None => f.write_str("None"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetalConfig {
    /// Base URL, e.g. `https://api.example.com/metal`; requests go to `<url>/v1/...`.
    pub url: String,
    pub auth: MetalAuth,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetalError {
    #[error("metal-api unreachable at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("metal-api refused ({status}): {message}")]
    Forbidden { status: u16, message: String },
    #[error("metal-api error {status}: {message}")]
    Http { status: u16, message: String },
    #[error("metal-api sent an unexpected answer for {path}: {reason}")]
    Decode { path: String, reason: String },
    #[error("invalid metal-api configuration: {0}")]
    Config(String),
}

impl MetalError {
    /// A short reason for the status bar.
    pub fn short(&self) -> String {
        match self {
            MetalError::Unreachable { .. } => "unreachable".into(),
            MetalError::Forbidden { status, .. } => format!("{status} forbidden"),
            MetalError::Http { status, .. } => format!("http {status}"),
            MetalError::Decode { .. } => "bad response".into(),
            MetalError::Config(_) => "config".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct MetalClient {
    http: reqwest::Client,
    /// The configured base URL; every request URL is this plus path segments.
    base: reqwest::Url,
    /// `base` as configured, without a trailing slash, for messages.
    shown: String,
    auth: MetalAuth,
}

/// Installs the ring crypto provider for rustls once per process.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl MetalClient {
    pub fn new(cfg: &MetalConfig) -> Result<Self, MetalError> {
        ensure_crypto_provider();
        let shown = cfg.url.trim_end_matches('/').to_string();
        let base = reqwest::Url::parse(&shown)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                MetalError::Config(format!(
                    "metal URL {shown:?} must be an http:// or https:// URL"
                ))
            })?;
        if base.query().is_some() || base.fragment().is_some() {
            return Err(MetalError::Config(format!(
                "metal URL {shown:?} must not have a query or fragment"
            )));
        }
        if let MetalAuth::Hmac { auth_type, .. } = &cfg.auth
            && !super::hmac::AUTH_TYPES.contains(&auth_type.as_str())
        {
            return Err(MetalError::Config(format!(
                "HMAC auth type {auth_type:?} is not one of Metal-View, Metal-Edit, Metal-Admin"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| MetalError::Config(e.to_string()))?;
        Ok(Self {
            http,
            base,
            shown,
            auth: cfg.auth.clone(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.shown
    }

    /// `<base>/v1/<segments...>`, each segment percent-encoded as one path
    /// segment, so no value can add a segment, a query or a fragment.
    pub fn endpoint<S: AsRef<str>>(&self, segments: &[S]) -> reqwest::Url {
        let mut url = self.base.clone();
        // `new` accepted only http(s) URLs, which always have a path.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("v1").extend(segments);
        }
        url
    }

    /// [`Self::endpoint`] for `/v1/machine/<id>/<rest...>`. The url crate
    /// drops `.` and `..` segments and an empty id would name the
    /// collection, so those ids are refused.
    pub fn machine_endpoint(&self, id: &str, rest: &[&str]) -> Result<reqwest::Url, MetalError> {
        if matches!(id, "" | "." | "..") {
            return Err(MetalError::Config(format!("invalid machine id {id:?}")));
        }
        let mut segments = vec!["machine", id];
        segments.extend_from_slice(rest);
        Ok(self.endpoint(&segments))
    }

    async fn call<T: DeserializeOwned + Send + 'static>(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        body: Option<Value>,
    ) -> Result<T, MetalError> {
        self.call_seed(method, url, body, std::marker::PhantomData::<T>)
            .await
    }

    /// [`Self::call`], decoding the answer with `seed`.
    async fn call_seed<S, V>(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        body: Option<Value>,
        seed: S,
    ) -> Result<V, MetalError>
    where
        S: for<'de> DeserializeSeed<'de, Value = V> + Send + 'static,
        V: Send + 'static,
    {
        let path = url.path().to_string();
        let mut req = self.http.request(method.clone(), url);
        match &self.auth {
            MetalAuth::Hmac { key, auth_type } => {
                let h = super::hmac::sign(
                    key.as_bytes(),
                    auth_type,
                    method.as_str(),
                    jiff::Timestamp::now(),
                );
                req = req
                    .header("Authorization", h.authorization)
                    .header("X-Date", h.x_date)
                    .header("X-Data-Salt", h.x_data_salt);
            }
            MetalAuth::Token(t) => req = req.bearer_auth(t),
            MetalAuth::None => {}
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| MetalError::Unreachable {
            url: self.shown.clone(),
            reason: root_cause(&e),
        })?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let bytes = resp.bytes().await.map_err(|e| MetalError::Unreachable {
                url: self.shown.clone(),
                reason: root_cause(&e),
            })?;
            let message = serde_json::from_slice::<HttpError>(&bytes)
                .map(|e| e.message)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).chars().take(200).collect());
            return Err(if status == 401 || status == 403 {
                MetalError::Forbidden { status, message }
            } else {
                MetalError::Http { status, message }
            });
        }
        decode_stream(resp, &path, &self.shown, seed).await
    }

    pub async fn find_machines(&self, query: Value) -> Result<Vec<Machine>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["machine", "find"]),
            Some(query),
        )
        .await
    }
    /// [`Self::find_machines`], each machine decoded into the `Arc` the store
    /// keeps, and an unchanged one (but for its event time) kept as the
    /// previous round's `Arc` from `cache` (see [`super::metal_share`]).
    pub async fn find_machines_shared(
        &self,
        query: Value,
        cache: &MachineCache,
    ) -> Result<SharedMachines, MetalError> {
        self.call_seed(
            reqwest::Method::POST,
            self.endpoint(&["machine", "find"]),
            Some(query),
            cache.seed(),
        )
        .await
    }
    pub async fn find_firewalls(&self, query: Value) -> Result<Vec<Machine>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["firewall", "find"]),
            Some(query),
        )
        .await
    }
    pub async fn partitions(&self) -> Result<Vec<Partition>, MetalError> {
        self.call(reqwest::Method::GET, self.endpoint(&["partition"]), None)
            .await
    }
    pub async fn capacity(&self) -> Result<Vec<PartitionCapacity>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["partition", "capacity"]),
            Some(json!({})),
        )
        .await
    }
    pub async fn sizes(&self) -> Result<Vec<Size>, MetalError> {
        self.call(reqwest::Method::GET, self.endpoint(&["size"]), None)
            .await
    }
    pub async fn images(&self) -> Result<Vec<Image>, MetalError> {
        self.call(reqwest::Method::GET, self.endpoint(&["image"]), None)
            .await
    }
    pub async fn evaluate_issues(&self) -> Result<Vec<MachineIssues>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["machine", "issues", "evaluate"]),
            Some(json!({})),
        )
        .await
    }
    /// `POST /v1/network/find` (an empty query lists all).
    pub async fn find_networks(
        &self,
        query: Value,
    ) -> Result<Vec<crate::model::metal::Network>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["network", "find"]),
            Some(query),
        )
        .await
    }
    /// `POST /v1/ip/find` (e.g. `{"machineid": ID}` for a machine's IPs).
    pub async fn find_ips(&self, query: Value) -> Result<Vec<crate::model::metal::Ip>, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.endpoint(&["ip", "find"]),
            Some(query),
        )
        .await
    }
    pub async fn machine(&self, id: &str) -> Result<Machine, MetalError> {
        self.call(reqwest::Method::GET, self.machine_endpoint(id, &[])?, None)
            .await
    }
    /// `POST /v1/machine/{id}/power/{on|off|reset|cycle|bios|disk|pxe}`.
    pub async fn power(&self, id: &str, command: &str) -> Result<Machine, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.machine_endpoint(id, &["power", command])?,
            Some(json!({})),
        )
        .await
    }
    /// Chassis identify LED on/off.
    pub async fn identify(
        &self,
        id: &str,
        on: bool,
        description: &str,
    ) -> Result<Machine, MetalError> {
        let which = if on { "on" } else { "off" };
        let mut url =
            self.machine_endpoint(id, &["power", &format!("chassis-identify-led-{which}")])?;
        url.query_pairs_mut()
            .append_pair("description", description);
        self.call(reqwest::Method::POST, url, Some(json!({}))).await
    }
    /// `POST /v1/machine/{id}/state` with `""`, `RESERVED` or `LOCKED`.
    pub async fn set_state(
        &self,
        id: &str,
        value: &str,
        description: &str,
    ) -> Result<Machine, MetalError> {
        self.call(
            reqwest::Method::POST,
            self.machine_endpoint(id, &["state"])?,
            Some(json!({"value": value, "description": description})),
        )
        .await
    }

    /// Reads everything the console shows, concurrently. `machine/find`
    /// returns firewalls too (role `firewall`), so one call serves both.
    pub async fn snapshot(&self) -> (MetalSnapshot, Vec<(Kind, SourceState)>) {
        self.snapshot_sharing(&mut MachineCache::default()).await
    }

    /// [`Self::snapshot`] for a poller: machines that did not change since
    /// the round `cache` remembers are that round's `Arc`s.
    pub async fn snapshot_sharing(
        &self,
        cache: &mut MachineCache,
    ) -> (MetalSnapshot, Vec<(Kind, SourceState)>) {
        let (all, partitions, capacity, sizes, images, issues) = tokio::join!(
            self.find_machines_shared(json!({}), cache),
            self.partitions(),
            self.capacity(),
            self.sizes(),
            self.images(),
            self.evaluate_issues(),
        );
        let mut states = Vec::new();
        let mut snap = MetalSnapshot::default();
        fn take<T>(
            r: Result<T, MetalError>,
            kind: Kind,
            states: &mut Vec<(Kind, SourceState)>,
        ) -> Option<T> {
            match r {
                Ok(v) => {
                    states.push((kind, SourceState::Synced));
                    Some(v)
                }
                Err(e @ MetalError::Forbidden { .. }) => {
                    states.push((kind, SourceState::Unavailable(e.to_string())));
                    None
                }
                Err(e) => {
                    states.push((kind, SourceState::Error(e.to_string())));
                    None
                }
            }
        }
        let all = take(all, Kind::Machine, &mut states);
        if let Some(all) = all {
            states.push((Kind::Firewall, SourceState::Synced));
            cache.keep(&all.machines);
            tracing::debug!(
                machines = all.machines.len(),
                unchanged = all.reused,
                "metal-api machines decoded"
            );
            snap.event_times = Some(all.event_times);
            let (firewalls, machines) = all
                .machines
                .into_iter()
                .partition(|m: &std::sync::Arc<Machine>| m.is_firewall());
            snap.machines = Some(machines);
            snap.firewalls = Some(firewalls);
        } else if let Some((_, s)) = states.iter().find(|(k, _)| *k == Kind::Machine) {
            states.push((Kind::Firewall, s.clone()));
        }
        snap.partitions = take(partitions, Kind::Partition, &mut states);
        snap.sizes = take(sizes, Kind::Size, &mut states);
        snap.images = take(images, Kind::Image, &mut states);
        snap.capacity = capacity.ok();
        snap.issues = issues.ok();
        (snap, states)
    }
}

/// Decodes a JSON body while it streams in, on a blocking thread, so a large
/// answer is never held in memory as a whole.
async fn decode_stream<S, V>(
    resp: reqwest::Response,
    path: &str,
    base: &str,
    seed: S,
) -> Result<V, MetalError>
where
    S: for<'de> DeserializeSeed<'de, Value = V> + Send + 'static,
    V: Send + 'static,
{
    use futures::TryStreamExt;
    let stream = resp.bytes_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let (path_owned, base_owned) = (path.to_string(), base.to_string());
    tokio::task::spawn_blocking(move || {
        let reader = std::io::BufReader::with_capacity(64 * 1024, reader);
        let mut de = serde_json::Deserializer::from_reader(reader);
        seed.deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| {
                if e.is_io() {
                    MetalError::Unreachable {
                        url: base_owned,
                        reason: e.to_string(),
                    }
                } else {
                    MetalError::Decode {
                        path: path_owned,
                        reason: e.to_string(),
                    }
                }
            })
    })
    .await
    .map_err(|e| MetalError::Decode {
        path: path.to_string(),
        reason: e.to_string(),
    })?
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Polls metal-api every `interval`, sending one snapshot per round. A failed
/// round keeps the previous data and reports the error per kind.
pub fn spawn_poller(
    client: MetalClient,
    interval: Duration,
    tx: UpdateTx,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for k in crate::landscape::MetalKind::ALL {
            let _ = tx.send(Update::Source(k.into(), SourceState::Connecting));
        }
        let mut cache = MachineCache::default();
        loop {
            let (snap, states) = client.snapshot_sharing(&mut cache).await;
            let any_ok = states.iter().any(|(_, s)| *s == SourceState::Synced);
            if any_ok && tx.send(Update::Metal(Box::new(snap))).is_err() {
                return;
            }
            for (k, s) in states {
                if tx.send(Update::Source(k, s)).is_err() {
                    return;
                }
            }
            tokio::time::sleep(interval).await;
        }
    })
}

#[cfg(test)]
#[path = "metal_request_tests.rs"]
mod request_tests;
