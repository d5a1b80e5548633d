//! Configuration: paths, the `config.toml` file with named landscapes, and the
//! resolution of flags > environment > file > defaults into one target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::source::kube::KubeTarget;
use crate::source::metal::{MetalAuth, MetalConfig};

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    pub theme: String,
    pub keymap: String,
    pub mouse: bool,
    /// metal-api poll interval in seconds.
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

/// One named landscape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandscapeConfig {
    pub garden_kubeconfig: Option<PathBuf>,
    pub garden_context: Option<String>,
    pub capi_kubeconfig: Option<PathBuf>,
    pub capi_context: Option<String>,
    pub metal_url: Option<String>,
    pub metal_hmac: Option<String>,
    pub metal_auth_type: Option<String>,
    pub metal_token: Option<String>,
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

/// Everything the command line can say about the target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetFlags {
    pub landscape: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub capi_kubeconfig: Option<PathBuf>,
    pub capi_context: Option<String>,
    pub metal_url: Option<String>,
    pub metal_hmac: Option<String>,
    pub metal_auth_type: Option<String>,
    pub metal_token: Option<String>,
    pub readonly: bool,
    pub demo: bool,
}

/// A landscape resolved from flags, environment and file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub garden: Option<KubeTarget>,
    pub capi: Option<KubeTarget>,
    pub metal: Option<MetalConfig>,
    pub dashboard_url: Option<String>,
    pub readonly: bool,
    pub protect: Vec<String>,
    /// Start the embedded demo landscape and point everything at it.
    pub demo: bool,
}

impl Target {
    pub fn demo(readonly: bool) -> Self {
        Self {
            name: "demo".into(),
            garden: None,
            capi: None,
            metal: None,
            dashboard_url: None,
            readonly,
            protect: vec!["kclm.io/protected=true".into()],
            demo: true,
        }
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

fn env2(env: &dyn Env, primary: &str, fallback: &str) -> Option<String> {
    env.var(primary).or_else(|| env.var(fallback))
}

/// Resolves the target: flags > environment > the named (or default) landscape
/// of the config file. `Ok(None)` when nothing at all is configured (the caller
/// decides whether that means the demo landscape or an error).
pub fn resolve(
    flags: &TargetFlags,
    config: &Config,
    config_path: &Path,
    env: &dyn Env,
) -> Result<Option<Target>, ConfigError> {
    if flags.demo {
        return Ok(Some(Target::demo(flags.readonly)));
    }
    let named = flags
        .landscape
        .clone()
        .or_else(|| env.var("KCLM_LANDSCAPE"))
        .or_else(|| config.default_landscape.clone())
        .or_else(|| {
            (config.landscapes.len() == 1)
                .then(|| config.landscapes.keys().next().cloned())
                .flatten()
        });
    let file = match &named {
        Some(n) if n == "demo" && !config.landscapes.contains_key("demo") => {
            return Ok(Some(Target::demo(flags.readonly)));
        }
        Some(n) => Some(config.landscapes.get(n).cloned().ok_or_else(|| {
            ConfigError::UnknownLandscape {
                name: n.clone(),
                path: config_path.display().to_string(),
                known: config
                    .landscapes
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?),
        None => None,
    };
    let f = file.clone().unwrap_or_default();
    let env_kubeconfig = env.var("KUBECONFIG").map(PathBuf::from);
    let garden_kubeconfig = flags
        .kubeconfig
        .clone()
        .or(f.garden_kubeconfig.clone())
        .or(env_kubeconfig.clone());
    let garden_context = flags.context.clone().or(f.garden_context.clone());
    let metal_url = flags
        .metal_url
        .clone()
        .or_else(|| env2(env, "KCLM_METAL_URL", "METALCTL_API_URL"))
        .or(f.metal_url.clone());
    let nothing = file.is_none()
        && flags.kubeconfig.is_none()
        && flags.context.is_none()
        && env_kubeconfig.is_none()
        && metal_url.is_none();
    if nothing {
        return Ok(None);
    }
    let garden = (garden_kubeconfig.is_some() || garden_context.is_some()).then(|| KubeTarget {
        kubeconfig: garden_kubeconfig.clone().map(expand_home),
        context: garden_context.clone(),
    });
    let capi_context = flags.capi_context.clone().or(f.capi_context.clone());
    let capi_kubeconfig = flags
        .capi_kubeconfig
        .clone()
        .or(f.capi_kubeconfig.clone())
        .or_else(|| capi_context.as_ref().and(garden_kubeconfig.clone()));
    let capi = (capi_context.is_some() || capi_kubeconfig.is_some()).then(|| KubeTarget {
        kubeconfig: capi_kubeconfig.map(expand_home),
        context: capi_context,
    });
    let hmac = flags
        .metal_hmac
        .clone()
        .or_else(|| env2(env, "KCLM_METAL_HMAC", "METALCTL_HMAC"))
        .or(f.metal_hmac.clone());
    let auth_type = flags
        .metal_auth_type
        .clone()
        .or_else(|| env2(env, "KCLM_METAL_AUTH_TYPE", "METALCTL_HMAC_AUTH_TYPE"))
        .or(f.metal_auth_type.clone())
        .unwrap_or_else(|| crate::source::hmac::DEFAULT_AUTH_TYPE.to_string());
    let token = flags
        .metal_token
        .clone()
        .or_else(|| env2(env, "KCLM_METAL_TOKEN", "METALCTL_API_TOKEN"))
        .or(f.metal_token.clone());
    let metal = metal_url.map(|url| MetalConfig {
        url,
        // metal-go: HMAC wins when both are configured.
        auth: match (hmac, token) {
            (Some(key), _) => MetalAuth::Hmac { key, auth_type },
            (None, Some(t)) => MetalAuth::Token(t),
            (None, None) => MetalAuth::None,
        },
    });
    Ok(Some(Target {
        name: named.unwrap_or_else(|| "default".into()),
        garden,
        capi,
        metal,
        dashboard_url: f.dashboard_url.clone(),
        readonly: flags.readonly || f.readonly,
        protect: f.protect.clone(),
        demo: false,
    }))
}

fn expand_home(p: PathBuf) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(b) = directories::BaseDirs::new()
    {
        return b.home_dir().join(rest);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&'static str, &'static str)]) -> BTreeMap<&'static str, &'static str> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn nothing_configured_resolves_to_none() {
        let t = resolve(
            &TargetFlags::default(),
            &Config::default(),
            Path::new("c"),
            &env(&[]),
        )
        .unwrap();
        assert_eq!(t, None);
    }

    #[test]
    fn flags_beat_env_beat_file_and_metalctl_env_is_a_fallback() {
        let cfg = Config::parse(
            r#"
            [landscapes.prod]
            garden_kubeconfig = "/k/garden"
            metal_url = "https://file/metal"
            metal_hmac = "file-key"
            readonly = true
            "#,
            Path::new("c"),
        )
        .unwrap();
        let e = env(&[
            ("METALCTL_API_URL", "https://metalctl/metal"),
            ("METALCTL_HMAC", "m"),
        ]);
        let t = resolve(&TargetFlags::default(), &cfg, Path::new("c"), &e)
            .unwrap()
            .unwrap();
        assert_eq!(t.name, "prod");
        assert!(t.readonly);
        assert_eq!(t.metal.as_ref().unwrap().url, "https://metalctl/metal");
        let e = env(&[
            ("KCLM_METAL_URL", "https://kclm/metal"),
            ("METALCTL_API_URL", "https://metalctl/metal"),
        ]);
        let flags = TargetFlags {
            metal_url: Some("https://flag/metal".into()),
            ..Default::default()
        };
        let t = resolve(&flags, &cfg, Path::new("c"), &e).unwrap().unwrap();
        assert_eq!(t.metal.as_ref().unwrap().url, "https://flag/metal");
        assert_eq!(
            t.metal.unwrap().auth,
            MetalAuth::Hmac {
                key: "file-key".into(),
                auth_type: "Metal-Admin".into()
            }
        );
        assert_eq!(
            t.garden.unwrap().kubeconfig,
            Some(PathBuf::from("/k/garden"))
        );
    }

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
    fn unknown_landscape_lists_the_known_ones() {
        let cfg = Config::parse("[landscapes.a]\n[landscapes.b]\n", Path::new("c")).unwrap();
        let flags = TargetFlags {
            landscape: Some("zz".into()),
            ..Default::default()
        };
        let err = resolve(&flags, &cfg, Path::new("c"), &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"zz\"") && err.contains("a, b"), "{err}");
    }
}
