use std::collections::BTreeMap;

use super::*;

fn env(pairs: &[(&'static str, &'static str)]) -> BTreeMap<&'static str, &'static str> {
    pairs.iter().copied().collect()
}

fn cfg(text: &str) -> Config {
    Config::parse(text, Path::new("/cfg/config.toml")).unwrap()
}

fn run(
    flags: &TargetFlags,
    config: &Config,
    e: &BTreeMap<&'static str, &'static str>,
) -> Result<Option<Target>, ConfigError> {
    resolve(flags, config, Path::new("/cfg/config.toml"), e)
}

fn hmac(key: &str) -> MetalAuth {
    MetalAuth::Hmac {
        key: key.into(),
        auth_type: "Metal-Admin".into(),
    }
}

/// The four places a metal-api URL and its credential can come from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Src {
    Flag,
    KclmEnv,
    MetalctlEnv,
    File,
}

impl Src {
    fn url(self) -> String {
        format!("https://{self:?}.example/metal").to_lowercase()
    }
    /// Each place gives a different credential; metalctl's a token.
    fn auth(self) -> MetalAuth {
        match self {
            Src::MetalctlEnv => MetalAuth::Token("metalctlenv-secret".into()),
            s => hmac(&format!("{s:?}-secret").to_lowercase()),
        }
    }
}

/// Flags, environment and config for URLs set in `urls` and credentials in `keys`.
fn setup(
    urls: &[Src],
    keys: &[Src],
) -> (TargetFlags, BTreeMap<&'static str, &'static str>, Config) {
    let mut flags = TargetFlags::default();
    let mut e = BTreeMap::new();
    let mut file = String::from("[landscapes.prod]\n");
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    for s in urls {
        match s {
            Src::Flag => flags.metal_url = Some(s.url()),
            Src::KclmEnv => {
                e.insert("KCLM_METAL_URL", leak(s.url()));
            }
            Src::MetalctlEnv => {
                e.insert("METALCTL_API_URL", leak(s.url()));
            }
            Src::File => file.push_str(&format!("metal_url = {:?}\n", s.url())),
        }
    }
    for s in keys {
        match s {
            Src::Flag => flags.metal_hmac = Some(Secret::new("flag-secret")),
            Src::KclmEnv => {
                e.insert("KCLM_METAL_HMAC", "kclmenv-secret");
            }
            Src::MetalctlEnv => {
                e.insert("METALCTL_API_TOKEN", "metalctlenv-secret");
            }
            Src::File => file.push_str("metal_hmac = \"file-secret\"\n"),
        }
    }
    let uses_file = urls.contains(&Src::File) || keys.contains(&Src::File);
    let config = if uses_file { cfg(&file) } else { cfg("") };
    (flags, e, config)
}

fn metal_of(urls: &[Src], keys: &[Src]) -> Result<Option<MetalConfig>, String> {
    let (flags, e, config) = setup(urls, keys);
    run(&flags, &config, &e)
        .map(|t| t.and_then(|t| t.metal))
        .map_err(|e| e.to_string())
}

fn expect_metal(urls: &[Src], keys: &[Src], url: Src, auth: Option<Src>) {
    let m = metal_of(urls, keys)
        .unwrap_or_else(|e| panic!("urls {urls:?} keys {keys:?}: {e}"))
        .unwrap_or_else(|| panic!("urls {urls:?} keys {keys:?}: no metal config"));
    assert_eq!(m.url, url.url(), "urls {urls:?} keys {keys:?}");
    let want = auth.map(Src::auth).unwrap_or(MetalAuth::None);
    assert_eq!(m.auth, want, "urls {urls:?} keys {keys:?}");
}

fn expect_error(urls: &[Src], keys: &[Src], parts: &[&str]) {
    let err = metal_of(urls, keys).expect_err(&format!("urls {urls:?} keys {keys:?} must fail"));
    for p in parts {
        assert!(err.contains(p), "{err:?} lacks {p:?}");
    }
    assert!(!err.contains("secret"), "an error shows a secret: {err}");
}

/// Pairs of layers where both are in effect (no named landscape between
/// flags and the environment; a named one between flags and the file).
const ACTIVE_PAIRS: [(Src, Src, &str, &str); 4] = [
    (Src::Flag, Src::KclmEnv, "--metal-url", "KCLM_METAL_URL"),
    (
        Src::Flag,
        Src::MetalctlEnv,
        "--metal-url",
        "METALCTL_API_URL",
    ),
    (
        Src::Flag,
        Src::File,
        "--metal-url",
        "config.toml [landscapes.prod]",
    ),
    (
        Src::KclmEnv,
        Src::MetalctlEnv,
        "KCLM_METAL_URL",
        "METALCTL_API_URL",
    ),
];

#[test]
fn a_url_never_gets_the_credential_of_a_lower_layer() {
    for (hi, lo, _, _) in ACTIVE_PAIRS {
        expect_metal(&[hi, lo], &[lo], hi, None);
    }
}

#[test]
fn a_credential_without_its_own_url_is_an_error_naming_both_sources() {
    let what = |s: Src| match s {
        Src::Flag => "--metal-hmac",
        Src::KclmEnv => "KCLM_METAL_HMAC",
        _ => unreachable!("only higher layers here"),
    };
    for (hi, lo, hi_url, lo_url) in ACTIVE_PAIRS {
        expect_error(&[lo], &[hi], &[what(hi), hi_url, lo_url]);
        // The lower layer's own key does not make it acceptable either.
        expect_error(&[lo], &[hi, lo], &[what(hi), hi_url, lo_url]);
    }
}

#[test]
fn the_highest_layer_with_a_url_is_taken_whole() {
    for (hi, lo, _, _) in ACTIVE_PAIRS {
        expect_metal(&[hi, lo], &[hi, lo], hi, Some(hi));
        expect_metal(&[lo], &[lo], lo, Some(lo));
    }
}

#[test]
fn a_named_landscape_ignores_the_environment_entirely() {
    for env_src in [Src::KclmEnv, Src::MetalctlEnv] {
        // The issue's case: the env URL must not receive the file's key...
        expect_metal(
            &[env_src, Src::File],
            &[Src::File],
            Src::File,
            Some(Src::File),
        );
        // ...nor the file's URL the env's key.
        expect_metal(&[Src::File], &[env_src], Src::File, None);
        expect_metal(
            &[env_src, Src::File],
            &[env_src, Src::File],
            Src::File,
            Some(Src::File),
        );
        // An env key without an env URL is no error: the env is not in effect.
        expect_metal(&[env_src, Src::File], &[env_src], Src::File, None);
        // A landscape without metal-api does not borrow the env's.
        assert_eq!(metal_of(&[env_src], &[env_src, Src::File]), Ok(None));
    }
}

#[test]
fn an_unnamed_config_uses_the_environment() {
    expect_metal(
        &[Src::KclmEnv],
        &[Src::KclmEnv],
        Src::KclmEnv,
        Some(Src::KclmEnv),
    );
    expect_metal(
        &[Src::MetalctlEnv],
        &[Src::MetalctlEnv],
        Src::MetalctlEnv,
        Some(Src::MetalctlEnv),
    );
    let e = env(&[("KUBECONFIG", "/k/a:/k/b")]);
    let t = run(&TargetFlags::default(), &Config::default(), &e)
        .unwrap()
        .unwrap();
    assert_eq!(t.name, "default");
    assert_eq!(t.garden.unwrap().kubeconfig, Some(PathBuf::from("/k/a")));
    assert_eq!(
        t.provenance.garden_kubeconfig.map(|o| o.to_string()),
        Some("KUBECONFIG".into())
    );
}

#[test]
fn prod_key_is_never_sent_to_the_staging_url_from_the_shell() {
    let config = cfg(r#"
        [landscapes.prod]
        garden_kubeconfig = "/k/prod"
        metal_url = "https://prod/metal"
        metal_hmac = "prod-key"
        readonly = true
        [landscapes.staging]
        metal_url = "https://staging/metal"
        "#);
    let e = env(&[
        ("METALCTL_API_URL", "https://staging-shell/metal"),
        ("METALCTL_API_TOKEN", "staging-token"),
        ("KUBECONFIG", "/k/staging"),
    ]);
    let flags = TargetFlags {
        landscape: Some("prod".into()),
        ..Default::default()
    };
    let t = run(&flags, &config, &e).unwrap().unwrap();
    assert_eq!(t.name, "prod");
    assert!(t.readonly);
    let m = t.metal.clone().unwrap();
    assert_eq!(m.url, "https://prod/metal");
    assert_eq!(m.auth, hmac("prod-key"));
    assert_eq!(
        t.garden.as_ref().unwrap().kubeconfig,
        Some(PathBuf::from("/k/prod"))
    );
    assert_eq!(
        t.provenance.ignored_env,
        vec!["KUBECONFIG", "METALCTL_API_URL", "METALCTL_API_TOKEN"]
    );
    assert_eq!(
        t.provenance.metal_url.unwrap().to_string(),
        "config.toml [landscapes.prod]"
    );
    // The same through a flag URL: prod's key stays home.
    let flags = TargetFlags {
        landscape: Some("prod".into()),
        metal_url: Some("https://flag/metal".into()),
        ..Default::default()
    };
    let m = run(&flags, &config, &e).unwrap().unwrap().metal.unwrap();
    assert_eq!(
        (m.url.as_str(), m.auth),
        ("https://flag/metal", MetalAuth::None)
    );
}

#[test]
fn an_auth_type_or_token_from_another_layer_is_refused_too() {
    let config = cfg("[landscapes.prod]\nmetal_url = \"https://prod/metal\"\n");
    for flags in [
        TargetFlags {
            metal_auth_type: Some("Metal-View".into()),
            ..Default::default()
        },
        TargetFlags {
            metal_token: Some(Secret::new("tok")),
            ..Default::default()
        },
        TargetFlags {
            metal_hmac_file: Some("/nonexistent/key".into()),
            ..Default::default()
        },
    ] {
        let err = run(&flags, &config, &env(&[])).unwrap_err().to_string();
        assert!(
            err.contains("--metal-url") && err.contains("config.toml [landscapes.prod]"),
            "{err}"
        );
    }
    // A flag credential with no URL anywhere is an error as well.
    let flags = TargetFlags {
        metal_hmac: Some(Secret::new("k")),
        kubeconfig: Some("/k".into()),
        ..Default::default()
    };
    let err = run(&flags, &Config::default(), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--metal-hmac is set but --metal-url is not"),
        "{err}"
    );
}

#[test]
fn key_files_are_read_trimmed_and_named_in_errors() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("key");
    std::fs::write(&key, "file-key\n").unwrap();
    let flags = TargetFlags {
        metal_url: Some("https://m".into()),
        metal_hmac_file: Some(key.clone()),
        ..Default::default()
    };
    let t = run(&flags, &Config::default(), &env(&[])).unwrap().unwrap();
    assert_eq!(t.metal.unwrap().auth, hmac("file-key"));
    assert_eq!(
        t.provenance.metal_credential.unwrap().to_string(),
        format!("--metal-hmac-file {}", key.display())
    );
    // Inline and file in one layer: ambiguous.
    let both = TargetFlags {
        metal_hmac: Some(Secret::new("inline")),
        ..flags.clone()
    };
    let err = run(&both, &Config::default(), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--metal-hmac ") && err.contains("--metal-hmac-file"),
        "{err}"
    );
    // A missing file is named.
    let missing = TargetFlags {
        metal_hmac_file: Some(d.path().join("nope")),
        ..flags.clone()
    };
    let err = run(&missing, &Config::default(), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&d.path().join("nope").display().to_string()),
        "{err}"
    );
    // An empty file is not a key.
    std::fs::write(&key, "\n").unwrap();
    let err = run(&flags, &Config::default(), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn key_files_from_the_env_and_the_file_layer() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("keys")).unwrap();
    std::fs::write(d.path().join("keys/prod"), "prod-key\r\n").unwrap();
    std::fs::write(d.path().join("tok"), "env-token").unwrap();
    let tok = d.path().join("tok").display().to_string();
    let tok: &'static str = Box::leak(tok.into_boxed_str());
    let e = env(&[
        ("KCLM_METAL_URL", "https://env/metal"),
        ("KCLM_METAL_TOKEN_FILE", tok),
    ]);
    let t = run(&TargetFlags::default(), &Config::default(), &e)
        .unwrap()
        .unwrap();
    assert_eq!(t.metal.unwrap().auth, MetalAuth::Token("env-token".into()));
    // In config.toml a relative key file is relative to the config file.
    let config_path = d.path().join("config.toml");
    let config = Config::parse(
        "[landscapes.prod]\nmetal_url = \"https://prod\"\nmetal_hmac_file = \"keys/prod\"\n",
        &config_path,
    )
    .unwrap();
    let t = resolve(&TargetFlags::default(), &config, &config_path, &e)
        .unwrap()
        .unwrap();
    assert_eq!(t.metal.unwrap().auth, hmac("prod-key"));
    assert_eq!(
        t.provenance.ignored_env,
        ["KCLM_METAL_URL", "KCLM_METAL_TOKEN_FILE"]
    );
}

#[test]
fn a_named_landscape_never_reads_kubeconfig_from_the_env() {
    let e = env(&[("KUBECONFIG", "/k/ambient")]);
    let config = cfg("[landscapes.a]\ngarden_context = \"garden-a\"\n");
    let t = run(&TargetFlags::default(), &config, &e).unwrap().unwrap();
    let g = t.garden.unwrap();
    assert_ne!(g.kubeconfig, Some(PathBuf::from("/k/ambient")));
    assert!(
        g.kubeconfig
            .as_ref()
            .is_some_and(|k| k.ends_with(".kube/config")),
        "{g:?}"
    );
    assert_eq!(g.context.as_deref(), Some("garden-a"));
    // A landscape with no garden at all does not borrow the env's.
    let t = run(
        &TargetFlags::default(),
        &cfg("[landscapes.a]\nmetal_url = \"https://m\"\n"),
        &e,
    )
    .unwrap()
    .unwrap();
    assert_eq!(t.garden, None);
}

#[test]
fn context_flag_selects_in_the_landscape_kubeconfig_and_kubeconfig_flag_brings_its_own() {
    let config = cfg(
        "[landscapes.a]\ngarden_kubeconfig = \"/k/a\"\ngarden_context = \"file-ctx\"\n\
         capi_context = \"capi-ctx\"\n",
    );
    let flags = TargetFlags {
        context: Some("flag-ctx".into()),
        ..Default::default()
    };
    let t = run(&flags, &config, &env(&[])).unwrap().unwrap();
    let g = t.garden.unwrap();
    assert_eq!(g.kubeconfig, Some(PathBuf::from("/k/a")));
    assert_eq!(g.context.as_deref(), Some("flag-ctx"));
    assert_eq!(
        t.capi.unwrap(),
        KubeTarget {
            kubeconfig: Some(PathBuf::from("/k/a")),
            context: Some("capi-ctx".into())
        }
    );
    assert_eq!(t.provenance.garden_context.unwrap().layer, Layer::Flags);
    assert_eq!(t.provenance.garden_kubeconfig.unwrap().layer, Layer::File);
    let flags = TargetFlags {
        kubeconfig: Some("/k/other".into()),
        ..Default::default()
    };
    let g = run(&flags, &config, &env(&[]))
        .unwrap()
        .unwrap()
        .garden
        .unwrap();
    assert_eq!(g.kubeconfig, Some(PathBuf::from("/k/other")));
    assert_eq!(
        g.context, None,
        "the file's context belongs to its own kubeconfig"
    );
}

#[test]
fn debug_of_flags_target_and_auth_prints_no_secret() {
    let flags = TargetFlags {
        metal_url: Some("https://m".into()),
        metal_hmac: Some(Secret::new("hmac-s3cret")),
        metal_token: Some(Secret::new("token-s3cret")),
        ..Default::default()
    };
    let t = run(&flags, &Config::default(), &env(&[])).unwrap().unwrap();
    let token = MetalAuth::Token("token-s3cret".into());
    let shown = format!("{flags:?} {t:?} {t:#?} {token:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        shown.contains("https://m") && shown.contains("redacted"),
        "{shown}"
    );
}

#[test]
fn nothing_configured_resolves_to_none() {
    let t = run(&TargetFlags::default(), &Config::default(), &env(&[])).unwrap();
    assert_eq!(t, None);
}

#[test]
fn unknown_landscape_lists_the_known_ones() {
    let config = cfg("[landscapes.a]\n[landscapes.b]\n");
    let flags = TargetFlags {
        landscape: Some("zz".into()),
        ..Default::default()
    };
    let err = run(&flags, &config, &env(&[])).unwrap_err().to_string();
    assert!(err.contains("\"zz\"") && err.contains("a, b"), "{err}");
}

#[test]
fn landscape_is_named_by_flag_env_default_or_being_the_only_one() {
    let two = cfg("default_landscape = \"b\"\n[landscapes.a]\n[landscapes.b]\n");
    let name = |flags: &TargetFlags, c: &Config, e: &[(&'static str, &'static str)]| {
        run(flags, c, &env(e)).unwrap().map(|t| t.name)
    };
    assert_eq!(name(&TargetFlags::default(), &two, &[]), Some("b".into()));
    assert_eq!(
        name(&TargetFlags::default(), &two, &[("KCLM_LANDSCAPE", "a")]),
        Some("a".into())
    );
    let flag_a = TargetFlags {
        landscape: Some("a".into()),
        ..Default::default()
    };
    assert_eq!(
        name(&flag_a, &two, &[("KCLM_LANDSCAPE", "b")]),
        Some("a".into())
    );
    assert_eq!(
        name(&TargetFlags::default(), &cfg("[landscapes.only]\n"), &[]),
        Some("only".into())
    );
}
