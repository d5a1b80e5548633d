//! Configuration: paths, the `config.toml` file with named landscapes, and the
//! resolution of flags > environment > file > defaults into one target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod resolve;
mod secret;

pub use resolve::{
    Layer, Origin, Provenance, TARGET_ENV, Target, TargetFlags, read_secret_file, resolve,
};
pub use secret::Secret;

/// Where kclm reads and writes its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub log_file: PathBuf,
    pub themes_dir: PathBuf,
    pub keymaps_dir: PathBuf,
}

impl Paths {
    /// `$KCLM_CONFIG_DIR` > `$XDG_CONFIG_HOME/kclm` > `~/.config/kclm`; state in
    /// `$KCLM_STATE_DIR` > the platform state dir; data in the platform data dir.
    pub fn discover() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "kclm");
        let home = directories::BaseDirs::new()
            .map(|b| b.home_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from("."));
        let config_dir = std::env::var_os("KCLM_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .unwrap_or_else(|| home.join(".config/kclm"));
        let data_dir = dirs
            .as_ref()
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| home.join(".local/share/kclm"));
        let state_dir = std::env::var_os("KCLM_STATE_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                dirs.as_ref()
                    .and_then(|d| d.state_dir().map(Path::to_path_buf))
            })
            .unwrap_or_else(|| home.join(".local/state/kclm"));
        Self::under(config_dir, data_dir, state_dir)
    }

    pub fn under(config_dir: PathBuf, data_dir: PathBuf, state_dir: PathBuf) -> Self {
        Self {
            config_file: config_dir.join("config.toml"),
            themes_dir: config_dir.join("themes"),
            keymaps_dir: config_dir.join("keymaps"),
            log_file: state_dir.join("kclm.log"),
            config_dir,
            data_dir,
            state_dir,
        }
    }
}

/// `config.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Landscape used when none is named on the command line.
    #[serde(default)]
    pub default_landscape: Option<String>,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub landscapes: BTreeMap<String, LandscapeConfig>,
}

/// The shortest metal-api poll interval the config accepts (seconds).
pub const MIN_METAL_POLL_SECONDS: u64 = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    pub theme: String,
    pub keymap: String,
    pub mouse: bool,
    /// metal-api poll interval in seconds (at least [`MIN_METAL_POLL_SECONDS`]).
    pub metal_poll_seconds: u64,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: "default".into(),
            keymap: "default".into(),
            mouse: false,
            metal_poll_seconds: 15,
        }
    }
}

/// One named landscape. `Debug` shows no secret ([`Secret`] redacts itself).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandscapeConfig {
    pub garden_kubeconfig: Option<PathBuf>,
    pub garden_context: Option<String>,
    pub capi_kubeconfig: Option<PathBuf>,
    pub capi_context: Option<String>,
    /// The metal-api URL; the key or token below is only ever sent to it.
    pub metal_url: Option<String>,
    pub metal_hmac: Option<Secret>,
    /// A file holding the HMAC key (a trailing newline is ignored); relative
    /// to the config file's directory.
    pub metal_hmac_file: Option<PathBuf>,
    pub metal_auth_type: Option<String>,
    pub metal_token: Option<Secret>,
    pub metal_token_file: Option<PathBuf>,
    pub dashboard_url: Option<String>,
    #[serde(default)]
    pub readonly: bool,
    /// Labels/annotations (`key=value` or `key`) that protect a shoot from deletion by kclm.
    #[serde(default)]
    pub protect: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("invalid config {path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("no landscape named {name:?} in {path} (configured: {known})")]
    UnknownLandscape {
        name: String,
        path: String,
        known: String,
    },
    #[error(
        "{what} is set but {missing} is not: kclm never sends a key or token to a URL from another source \
         (the URL here comes from {url_from})"
    )]
    CredentialWithoutUrl {
        what: String,
        missing: String,
        url_from: String,
    },
    #[error("{what} is set but {missing} is not, and no metal-api URL is configured")]
    CredentialWithoutAnyUrl { what: String, missing: String },
    #[error("both {first} and {second} are set: give the secret once")]
    TwoSecrets { first: String, second: String },
    #[error("cannot read the secret file {path}: {reason}")]
    SecretFile { path: String, reason: String },
}

impl Config {
    /// Reads the config file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        for (name, l) in &cfg.landscapes {
            if let Some(t) = &l.metal_auth_type
                && !crate::source::hmac::AUTH_TYPES.contains(&t.as_str())
            {
                return Err(ConfigError::Invalid {
                    path: path.display().to_string(),
                    reason: format!(
                        "landscapes.{name}.metal_auth_type = {t:?}: must be Metal-View, Metal-Edit or Metal-Admin"
                    ),
                });
            }
        }
        if cfg.ui.metal_poll_seconds < MIN_METAL_POLL_SECONDS {
            return Err(ConfigError::Invalid {
                path: path.display().to_string(),
                reason: format!(
                    "ui.metal_poll_seconds = {}: must be at least {MIN_METAL_POLL_SECONDS} \
                     (a shorter interval only loads the metal-api)",
                    cfg.ui.metal_poll_seconds
                ),
            });
        }
        if let Some(d) = &cfg.default_landscape
            && !cfg.landscapes.contains_key(d)
        {
            return Err(ConfigError::Invalid {
                path: path.display().to_string(),
                reason: format!("default_landscape = {d:?} names no [landscapes.{d}] table"),
            });
        }
        Ok(cfg)
    }
}

/// Environment lookups, injectable for tests.
pub trait Env {
    fn var(&self, key: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

impl Env for BTreeMap<&str, &str> {
    fn var(&self, key: &str) -> Option<String> {
        self.get(key).map(|v| v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_config_names_the_file_and_field() {
        let err = Config::parse(
            "[landscapes.x]\ngarden_kubeconfg = 1\n",
            Path::new("/etc/kclm/config.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/etc/kclm/config.toml"), "{err}");
        assert!(err.contains("garden_kubeconfg"), "{err}");
        let err = Config::parse(
            "[landscapes.x]\nmetal_auth_type = \"Root\"\n",
            Path::new("c"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("landscapes.x.metal_auth_type"), "{err}");
    }

    #[test]
    fn a_parsed_config_debug_prints_no_secret() {
        let cfg = Config::parse(
            "[landscapes.p]\nmetal_url = \"https://m\"\nmetal_hmac = \"hmac-s3cret\"\n\
             metal_token = \"token-s3cret\"\nmetal_hmac_file = \"keys/p\"\n",
            Path::new("c"),
        )
        .unwrap();
        let l = &cfg.landscapes["p"];
        assert_eq!(
            l.metal_hmac.as_ref().map(Secret::expose),
            Some("hmac-s3cret")
        );
        assert_eq!(l.metal_hmac_file, Some(PathBuf::from("keys/p")));
        let shown = format!("{cfg:?} {l:#?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("https://m"), "{shown}");
    }
}
