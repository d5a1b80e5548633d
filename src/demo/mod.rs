//! Placeholder for the embedded demo landscape (being built on the `demo` branch).
//! The API here is the contract; the implementation replaces this file.

use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Small,
    Large,
    Count(usize),
}

impl std::str::FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "small" => Ok(Scale::Small),
            "large" => Ok(Scale::Large),
            n => n
                .parse()
                .map(Scale::Count)
                .map_err(|_| format!("scale must be small, large or a number, not {n:?}")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    pub dir: Option<PathBuf>,
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
    #[error("demo landscape not available: {0}")]
    Unavailable(String),
}

#[derive(Debug)]
pub struct DemoHandle {
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    pub kube_url: String,
    pub metal_url: String,
    pub hmac_admin: String,
    pub hmac_edit: String,
    pub hmac_view: String,
    pub auth_type: String,
}

impl DemoHandle {
    pub fn env_lines(&self) -> String {
        String::new()
    }
    pub async fn shutdown(self) {}
}

pub async fn start(_opts: DemoOptions) -> Result<DemoHandle, DemoError> {
    Err(DemoError::Unavailable("not built yet".into()))
}

pub async fn serve(opts: DemoOptions) -> Result<(), DemoError> {
    start(opts).await.map(|_| ())
}
