//! Resolving flags, environment and one landscape of `config.toml` into a
//! [`Target`], remembering where each value came from.
//!
//! Two rules keep credentials inside their landscape:
//! - a named landscape is self-contained: the environment (`KUBECONFIG`,
//!   `KCLM_METAL_*`, `METALCTL_*`) only fills a landscape that names nothing;
//! - the metal-api URL and its key or token come from one layer (flags,
//!   `KCLM_METAL_*`, `METALCTL_*` or the file), never from two.

use std::path::{Path, PathBuf};

use super::secret::Secret;
use super::{Config, ConfigError, Env, LandscapeConfig};
use crate::source::kube::KubeTarget;
use crate::source::metal::{MetalAuth, MetalConfig};

/// The layer a value was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Flags,
    Env,
    File,
    Default,
}

/// Where one resolved value came from, e.g. `--metal-url` or
/// `config.toml [landscapes.prod]`. Never holds the value itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub layer: Layer,
    pub source: String,
}

impl Origin {
    fn new(layer: Layer, source: impl Into<String>) -> Self {
        Self {
            layer,
            source: source.into(),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

/// Where each part of a [`Target`] came from (for `kclm info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    pub landscape: Option<Origin>,
    pub garden_kubeconfig: Option<Origin>,
    pub garden_context: Option<Origin>,
    pub capi_kubeconfig: Option<Origin>,
    pub capi_context: Option<Origin>,
    pub metal_url: Option<Origin>,
    /// The HMAC key or token (`None` when metal-api is used unauthenticated).
    pub metal_credential: Option<Origin>,
    pub metal_auth_type: Option<Origin>,
    /// Environment variables that are set but ignored because a landscape is named.
    pub ignored_env: Vec<&'static str>,
}

/// Everything the command line can say about the target. `Debug` shows no
/// secret ([`Secret`] redacts itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetFlags {
    pub landscape: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub capi_kubeconfig: Option<PathBuf>,
    pub capi_context: Option<String>,
    pub metal_url: Option<String>,
    pub metal_hmac: Option<Secret>,
    pub metal_hmac_file: Option<PathBuf>,
    pub metal_auth_type: Option<String>,
    pub metal_token: Option<Secret>,
    pub metal_token_file: Option<PathBuf>,
    pub readonly: bool,
    pub demo: bool,
}

/// A landscape resolved from flags, environment and file. `Debug` shows no
/// secret ([`MetalAuth`] redacts itself).
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
    pub provenance: Provenance,
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
            provenance: Provenance::default(),
        }
    }
}

/// Every environment variable the environment layer reads.
pub const TARGET_ENV: [&str; 11] = [
    "KUBECONFIG",
    "KCLM_METAL_URL",
    "KCLM_METAL_HMAC",
    "KCLM_METAL_HMAC_FILE",
    "KCLM_METAL_AUTH_TYPE",
    "KCLM_METAL_TOKEN",
    "KCLM_METAL_TOKEN_FILE",
    "METALCTL_API_URL",
    "METALCTL_HMAC",
    "METALCTL_HMAC_AUTH_TYPE",
    "METALCTL_API_TOKEN",
];

/// Resolves the target: flags > environment > the named (or default) landscape
/// of the config file, with the environment ignored when a landscape is named.
/// `Ok(None)` when nothing at all is configured (the caller decides whether
/// that means the demo landscape or an error).
pub fn resolve(
    flags: &TargetFlags,
    config: &Config,
    config_path: &Path,
    env: &dyn Env,
) -> Result<Option<Target>, ConfigError> {
    if flags.demo {
        return Ok(Some(Target::demo(flags.readonly)));
    }
    let file_label = config_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| config_path.display().to_string());
    let named = name_landscape(flags, config, env, &file_label);
    let file = match &named {
        Some((n, _)) if n == "demo" && !config.landscapes.contains_key("demo") => {
            return Ok(Some(Target::demo(flags.readonly)));
        }
        Some((n, _)) => Some((
            config
                .landscapes
                .get(n)
                .ok_or_else(|| ConfigError::UnknownLandscape {
                    name: n.clone(),
                    path: config_path.display().to_string(),
                    known: config
                        .landscapes
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
            format!("{file_label} [landscapes.{n}]"),
        )),
        None => None,
    };
    // The environment only fills a landscape that names nothing.
    let env_layer = file.is_none().then_some(env);
    let mut provenance = Provenance {
        landscape: named.as_ref().map(|(_, o)| o.clone()),
        ignored_env: if file.is_some() {
            TARGET_ENV
                .into_iter()
                .filter(|k| env.var(k).is_some())
                .collect()
        } else {
            Vec::new()
        },
        ..Provenance::default()
    };
    let config_dir = config_path.parent().unwrap_or(Path::new("."));
    let layers = metal_layers(flags, env_layer, file.as_ref(), config_dir);
    let metal = resolve_metal(&layers, &mut provenance)?;
    let env_kubeconfig = env_layer
        .and_then(|e| e.var("KUBECONFIG"))
        .and_then(|v| std::env::split_paths(&v).next());
    if file.is_none()
        && flags.kubeconfig.is_none()
        && flags.context.is_none()
        && env_kubeconfig.is_none()
        && metal.is_none()
    {
        return Ok(None);
    }
    let f = file.as_ref().map(|(l, label)| (*l, label.as_str()));
    let garden = resolve_garden(flags, env_kubeconfig, f, &mut provenance);
    let capi = resolve_capi(flags, f, garden.as_ref(), &mut provenance);
    let f = file.map(|(l, _)| l.clone()).unwrap_or_default();
    Ok(Some(Target {
        name: named.map(|(n, _)| n).unwrap_or_else(|| "default".into()),
        garden,
        capi,
        metal,
        dashboard_url: f.dashboard_url,
        readonly: flags.readonly || f.readonly,
        protect: f.protect,
        demo: false,
        provenance,
    }))
}

fn name_landscape(
    flags: &TargetFlags,
    config: &Config,
    env: &dyn Env,
    file_label: &str,
) -> Option<(String, Origin)> {
    if let Some(n) = &flags.landscape {
        return Some((
            n.clone(),
            Origin::new(Layer::Flags, "--landscape or KCLM_LANDSCAPE"),
        ));
    }
    if let Some(n) = env.var("KCLM_LANDSCAPE") {
        return Some((n, Origin::new(Layer::Env, "KCLM_LANDSCAPE")));
    }
    if let Some(n) = &config.default_landscape {
        return Some((
            n.clone(),
            Origin::new(Layer::File, format!("default_landscape in {file_label}")),
        ));
    }
    if config.landscapes.len() == 1 {
        let n = config.landscapes.keys().next()?;
        return Some((
            n.clone(),
            Origin::new(Layer::File, format!("the only landscape in {file_label}")),
        ));
    }
    None
}

fn resolve_garden(
    flags: &TargetFlags,
    env_kubeconfig: Option<PathBuf>,
    file: Option<(&LandscapeConfig, &str)>,
    p: &mut Provenance,
) -> Option<KubeTarget> {
    let flag_context = flags
        .context
        .clone()
        .map(|c| (c, Origin::new(Layer::Flags, "--context")));
    // A kubeconfig from flags or the environment brings its own current context;
    // only `--context` may pick another one in it.
    let (kubeconfig, context) = if let Some(k) = &flags.kubeconfig {
        (
            Some((k.clone(), Origin::new(Layer::Flags, "--kubeconfig"))),
            flag_context,
        )
    } else if let Some(k) = env_kubeconfig {
        (
            Some((k, Origin::new(Layer::Env, "KUBECONFIG"))),
            flag_context,
        )
    } else {
        let (l, label) = file.unzip();
        let context = flag_context.or_else(|| {
            l.and_then(|l| l.garden_context.clone())
                .map(|c| (c, Origin::new(Layer::File, label.unwrap_or_default())))
        });
        let kubeconfig = match (l.and_then(|l| l.garden_kubeconfig.clone()), label) {
            (Some(k), Some(label)) => Some((k, Origin::new(Layer::File, label))),
            // A named landscape never falls back to $KUBECONFIG.
            (None, Some(_)) if context.is_some() => Some((
                PathBuf::from("~/.kube/config"),
                Origin::new(
                    Layer::Default,
                    "the default ~/.kube/config, as a named landscape never reads KUBECONFIG",
                ),
            )),
            _ => None,
        };
        (kubeconfig, context)
    };
    if kubeconfig.is_none() && context.is_none() {
        return None;
    }
    let (kubeconfig, kubeconfig_origin) = kubeconfig.unzip();
    let (context, context_origin) = context.unzip();
    p.garden_kubeconfig = kubeconfig_origin;
    p.garden_context = context_origin;
    Some(KubeTarget {
        kubeconfig: kubeconfig.map(expand_home),
        context,
    })
}

fn resolve_capi(
    flags: &TargetFlags,
    file: Option<(&LandscapeConfig, &str)>,
    garden: Option<&KubeTarget>,
    p: &mut Provenance,
) -> Option<KubeTarget> {
    let (l, label) = file.unzip();
    let label = label.unwrap_or_default();
    let flag_context = flags
        .capi_context
        .clone()
        .map(|c| (c, Origin::new(Layer::Flags, "--capi-context")));
    let file_context = || {
        l.and_then(|l| l.capi_context.clone())
            .map(|c| (c, Origin::new(Layer::File, label)))
    };
    let (kubeconfig, context) = if let Some(k) = &flags.capi_kubeconfig {
        (
            Some((k.clone(), Origin::new(Layer::Flags, "--capi-kubeconfig"))),
            flag_context,
        )
    } else if let Some(k) = l.and_then(|l| l.capi_kubeconfig.clone()) {
        (
            Some((k, Origin::new(Layer::File, label))),
            flag_context.or_else(file_context),
        )
    } else {
        let context = flag_context.or_else(file_context);
        // A context alone selects it in the garden kubeconfig.
        let kubeconfig = context
            .as_ref()
            .and_then(|_| Some((garden?.kubeconfig.clone()?, p.garden_kubeconfig.clone()?)));
        (kubeconfig, context)
    };
    if kubeconfig.is_none() && context.is_none() {
        return None;
    }
    let (kubeconfig, kubeconfig_origin) = kubeconfig.unzip();
    let (context, context_origin) = context.unzip();
    p.capi_kubeconfig = kubeconfig_origin;
    p.capi_context = context_origin;
    Some(KubeTarget {
        kubeconfig: kubeconfig.map(expand_home),
        context,
    })
}

/// One value and the name it was given under (`--metal-url`, `METALCTL_HMAC`,
/// `config.toml [landscapes.prod]`).
struct Setting<T> {
    value: T,
    source: String,
}

/// One layer's metal-api settings.
struct MetalLayer {
    layer: Layer,
    /// How this layer spells the URL setting, for error messages.
    url_name: String,
    url: Option<Setting<String>>,
    hmac: Option<Setting<Secret>>,
    hmac_file: Option<Setting<PathBuf>>,
    token: Option<Setting<Secret>>,
    token_file: Option<Setting<PathBuf>>,
    auth_type: Option<Setting<String>>,
}

impl MetalLayer {
    /// The first credential-related setting, for the "no URL here" error.
    fn first_credential(&self) -> Option<&str> {
        [
            self.hmac.as_ref().map(|s| &s.source),
            self.hmac_file.as_ref().map(|s| &s.source),
            self.token.as_ref().map(|s| &s.source),
            self.token_file.as_ref().map(|s| &s.source),
            self.auth_type.as_ref().map(|s| &s.source),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(String::as_str)
    }
}

fn setting<T>(value: Option<T>, source: impl Into<String>) -> Option<Setting<T>> {
    let source = source.into();
    value.map(|value| Setting { value, source })
}

/// The layers that can set metal-api, highest first: flags, `KCLM_METAL_*`,
/// `METALCTL_*` (both only without a named landscape), the landscape's table.
fn metal_layers(
    flags: &TargetFlags,
    env: Option<&dyn Env>,
    file: Option<&(&LandscapeConfig, String)>,
    config_dir: &Path,
) -> Vec<MetalLayer> {
    let mut layers = vec![MetalLayer {
        layer: Layer::Flags,
        url_name: "--metal-url".into(),
        url: setting(flags.metal_url.clone(), "--metal-url"),
        hmac: setting(flags.metal_hmac.clone(), "--metal-hmac"),
        hmac_file: flags.metal_hmac_file.clone().map(|p| Setting {
            source: format!("--metal-hmac-file {}", p.display()),
            value: p,
        }),
        token: setting(flags.metal_token.clone(), "--metal-token"),
        token_file: flags.metal_token_file.clone().map(|p| Setting {
            source: format!("--metal-token-file {}", p.display()),
            value: p,
        }),
        auth_type: setting(flags.metal_auth_type.clone(), "--metal-auth-type"),
    }];
    if let Some(env) = env {
        let var = |k: &str| env.var(k);
        let file_var = |k: &str| {
            env.var(k).map(|v| Setting {
                source: format!("{k} {v}"),
                value: PathBuf::from(v),
            })
        };
        layers.push(MetalLayer {
            layer: Layer::Env,
            url_name: "KCLM_METAL_URL".into(),
            url: setting(var("KCLM_METAL_URL"), "KCLM_METAL_URL"),
            hmac: setting(var("KCLM_METAL_HMAC").map(Secret::from), "KCLM_METAL_HMAC"),
            hmac_file: file_var("KCLM_METAL_HMAC_FILE"),
            token: setting(
                var("KCLM_METAL_TOKEN").map(Secret::from),
                "KCLM_METAL_TOKEN",
            ),
            token_file: file_var("KCLM_METAL_TOKEN_FILE"),
            auth_type: setting(var("KCLM_METAL_AUTH_TYPE"), "KCLM_METAL_AUTH_TYPE"),
        });
        layers.push(MetalLayer {
            layer: Layer::Env,
            url_name: "METALCTL_API_URL".into(),
            url: setting(var("METALCTL_API_URL"), "METALCTL_API_URL"),
            hmac: setting(var("METALCTL_HMAC").map(Secret::from), "METALCTL_HMAC"),
            hmac_file: None,
            token: setting(
                var("METALCTL_API_TOKEN").map(Secret::from),
                "METALCTL_API_TOKEN",
            ),
            token_file: None,
            auth_type: setting(var("METALCTL_HMAC_AUTH_TYPE"), "METALCTL_HMAC_AUTH_TYPE"),
        });
    }
    if let Some((l, label)) = file {
        // A relative key file is relative to the config file.
        let key_file = |p: &Option<PathBuf>, field: &str| {
            p.clone().map(|p| {
                let p = expand_home(p);
                let p = if p.is_relative() {
                    config_dir.join(p)
                } else {
                    p
                };
                Setting {
                    source: format!("{label} {field} {}", p.display()),
                    value: p,
                }
            })
        };
        layers.push(MetalLayer {
            layer: Layer::File,
            url_name: format!("metal_url in {label}"),
            url: setting(l.metal_url.clone(), label.clone()),
            hmac: setting(l.metal_hmac.clone(), format!("metal_hmac in {label}")),
            hmac_file: key_file(&l.metal_hmac_file, "metal_hmac_file"),
            token: setting(l.metal_token.clone(), format!("metal_token in {label}")),
            token_file: key_file(&l.metal_token_file, "metal_token_file"),
            auth_type: setting(
                l.metal_auth_type.clone(),
                format!("metal_auth_type in {label}"),
            ),
        });
    }
    layers
}

/// Takes the metal-api config whole from the highest layer that sets a URL.
fn resolve_metal(
    layers: &[MetalLayer],
    p: &mut Provenance,
) -> Result<Option<MetalConfig>, ConfigError> {
    let chosen = layers.iter().find(|l| l.url.is_some());
    for l in layers.iter().take_while(|l| l.url.is_none()) {
        let Some(what) = l.first_credential() else {
            continue;
        };
        match chosen.and_then(|c| c.url.as_ref()) {
            Some(url) => {
                return Err(ConfigError::CredentialWithoutUrl {
                    what: what.to_string(),
                    missing: l.url_name.clone(),
                    url_from: url.source.clone(),
                });
            }
            None if l.layer == Layer::Flags => {
                return Err(ConfigError::CredentialWithoutAnyUrl {
                    what: what.to_string(),
                    missing: l.url_name.clone(),
                });
            }
            None => {}
        }
    }
    let Some(l) = chosen else {
        return Ok(None);
    };
    let Some(url) = &l.url else {
        return Ok(None);
    };
    let hmac = one_secret(&l.hmac, &l.hmac_file)?;
    let token = one_secret(&l.token, &l.token_file)?;
    p.metal_url = Some(Origin::new(l.layer, url.source.clone()));
    // metal-go: HMAC wins when both are configured.
    let auth = match (hmac, token) {
        (Some((key, from)), _) => {
            p.metal_credential = Some(Origin::new(l.layer, from));
            let auth_type = match &l.auth_type {
                Some(a) => {
                    p.metal_auth_type = Some(Origin::new(l.layer, a.source.clone()));
                    a.value.clone()
                }
                None => {
                    p.metal_auth_type = Some(Origin::new(Layer::Default, "default"));
                    crate::source::hmac::DEFAULT_AUTH_TYPE.to_string()
                }
            };
            MetalAuth::Hmac {
                key: key.into_inner(),
                auth_type,
            }
        }
        (None, Some((token, from))) => {
            p.metal_credential = Some(Origin::new(l.layer, from));
            MetalAuth::Token(token.into_inner())
        }
        (None, None) => MetalAuth::None,
    };
    Ok(Some(MetalConfig {
        url: url.value.clone(),
        auth,
    }))
}

/// The secret given inline or in a file (not both), and where it came from.
fn one_secret(
    inline: &Option<Setting<Secret>>,
    file: &Option<Setting<PathBuf>>,
) -> Result<Option<(Secret, String)>, ConfigError> {
    match (inline, file) {
        (Some(a), Some(b)) => Err(ConfigError::TwoSecrets {
            first: a.source.clone(),
            second: b.source.clone(),
        }),
        (Some(a), None) => Ok(Some((a.value.clone(), a.source.clone()))),
        (None, Some(f)) => Ok(Some((read_secret_file(&f.value)?, f.source.clone()))),
        (None, None) => Ok(None),
    }
}

/// Reads a key or token file; a trailing newline is not part of the secret.
/// Errors name the file, never its content.
pub fn read_secret_file(path: &Path) -> Result<Secret, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::SecretFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.trim().is_empty() {
        return Err(ConfigError::SecretFile {
            path: path.display().to_string(),
            reason: "the file is empty".into(),
        });
    }
    Ok(Secret::new(value))
}

pub(super) fn expand_home(p: PathBuf) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(b) = directories::BaseDirs::new()
    {
        return b.home_dir().join(rest);
    }
    p
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
