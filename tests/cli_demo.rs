//! The real binary against `kclm demo serve` (a separate process), configured
//! only through the environment it prints — as a user or a script would.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command as Proc, Stdio};

use assert_cmd::Command;
use serde_json::Value;

struct Demo {
    child: Child,
    env: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Proc::new(env!("CARGO_BIN_EXE_kclm"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .args(["demo", "serve", "--seed", "7", "--dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut env = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        if let Some((k, v)) = line.split_once('=') {
            env.push((k.to_string(), v.to_string()));
        }
        if line.starts_with("KCLM_METAL_AUTH_TYPE=") {
            break;
        }
    }
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "KUBECONFIG",
        "KCLM_METAL_URL",
        "KCLM_METAL_HMAC",
        "KCLM_METAL_AUTH_TYPE",
    ] {
        assert!(
            keys.contains(&k),
            "demo serve printed no {k}= line: {keys:?}"
        );
    }
    Demo {
        child,
        env,
        _dir: dir,
    }
}

fn kclm(demo: &Demo, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("kclm").unwrap();
    let home = demo._dir.path().join("home");
    c.env_clear()
        .env("HOME", &home)
        .env("KCLM_CONFIG_DIR", home.join("config"))
        .env("KCLM_STATE_DIR", home.join("state"))
        .envs(demo.env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .timeout(std::time::Duration::from_secs(60));
    c
}

fn json(demo: &Demo, args: &[&str]) -> Vec<Value> {
    let out = kclm(demo, args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// `env` value the demo printed.
fn demo_env<'a>(demo: &'a Demo, key: &str) -> &'a str {
    &demo.env.iter().find(|(k, _)| k == key).expect(key).1
}

/// `namespace/name` -> uid of every shoot, as kubectl lists them.
fn shoot_uids_from_kubectl(demo: &Demo) -> HashMap<String, String> {
    let out = Proc::new("kubectl")
        .args(["--kubeconfig", demo_env(demo, "KUBECONFIG")])
        .args(["get", "shoots.core.gardener.cloud", "-A", "-o", "json"])
        .output()
        .expect("kubectl is installed (see .ci/run)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let m = &s["metadata"];
            (
                format!(
                    "{}/{}",
                    m["namespace"].as_str().unwrap(),
                    m["name"].as_str().unwrap()
                ),
                m["uid"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Machine id -> cluster uid of every allocated machine that is not a
/// firewall, read raw from the demo's metal-api (`GET /v1/machine`, the admin
/// key as bearer token): the tags as metal-stack writes them, not kclm's join.
fn machine_clusters_from_metal_api(demo: &Demo) -> BTreeMap<String, String> {
    let url = format!("{}/v1/machine", demo_env(demo, "KCLM_METAL_URL"));
    let token = demo_env(demo, "KCLM_METAL_HMAC");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let machines: Vec<Value> = rt.block_on(async {
        reqwest::Client::new()
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("GET /v1/machine")
            .json()
            .await
            .expect("machines as JSON")
    });
    machines
        .iter()
        .filter(|m| m["allocation"].is_object() && m["allocation"]["role"] != "firewall")
        .filter_map(|m| {
            let uid = m["tags"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .find_map(|t| t.strip_prefix("cluster.metal-stack.io/id="))?;
            Some((m["id"].as_str()?.to_string(), uid.to_string()))
        })
        .collect()
}

#[test]
fn get_shoots_and_machines_json_show_joined_and_derived_fields() {
    let demo = serve();
    // kclm's rows are checked against the metal-api's raw tags and kubectl's
    // uids; the simulation may move machines meanwhile, so the raw view is
    // read before and after kclm's and must not have changed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (shoots, machines, tagged) = loop {
        let before = machine_clusters_from_metal_api(&demo);
        let shoots = json(&demo, &["get", "shoots", "-o", "json"]);
        let machines = json(&demo, &["get", "machines", "-o", "json"]);
        if machine_clusters_from_metal_api(&demo) == before {
            break (shoots, machines, before);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the demo's machine allocations never held still for one read"
        );
    };
    let uids = shoot_uids_from_kubectl(&demo);
    assert!(!tagged.is_empty(), "the demo allocates machines to shoots");
    let seeds = json(&demo, &["get", "seeds", "-o", "json"]);
    assert!(
        shoots.len() >= 20,
        "a believable landscape: {}",
        shoots.len()
    );
    let seed_names: Vec<&str> = seeds.iter().map(|s| s["name"].as_str().unwrap()).collect();

    for s in &shoots {
        for f in [
            "name",
            "namespace",
            "project",
            "seed",
            "cloudprofile",
            "region",
            "kubernetes_version",
            "purpose",
            "hibernation",
            "last_operation",
            "health",
            "conditions",
            "machines",
            "uid",
            "technical_id",
            "maintenance",
        ] {
            assert!(s.get(f).is_some(), "shoot row lacks {f}: {s}");
        }
        // shoot -> seed join: the seed exists
        assert!(
            seed_names.contains(&s["seed"].as_str().unwrap()),
            "{}",
            s["seed"]
        );
        // the machine count is what the metal-api tags for the shoot's uid;
        // a hibernated shoot runs on no machines
        let name = format!(
            "{}/{}",
            s["namespace"].as_str().unwrap(),
            s["name"].as_str().unwrap()
        );
        let uid = &uids[&name];
        assert_eq!(s["uid"].as_str(), Some(uid.as_str()), "{name}");
        let want = tagged.values().filter(|u| *u == uid).count();
        assert_eq!(s["machines"].as_u64().unwrap() as usize, want, "{name}");
        if s["hibernation"] == "Hibernated" {
            assert_eq!(want, 0, "{name} is hibernated");
        }
        assert_eq!(
            s["technical_id"].as_str().unwrap(),
            format!(
                "shoot--{}--{}",
                s["project"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            )
        );
    }
    let healths: Vec<&str> = shoots
        .iter()
        .map(|s| s["health"].as_str().unwrap())
        .collect();
    assert!(
        healths.contains(&"healthy") && healths.contains(&"unhealthy"),
        "{healths:?}"
    );
    assert!(
        shoots
            .iter()
            .any(|s| s["last_operation"]["state"] == "Failed")
    );
    assert!(shoots.iter().any(|s| s["machines"].as_u64().unwrap() > 0));

    for m in &machines {
        for f in [
            "id",
            "hostname",
            "project",
            "partition",
            "size",
            "image",
            "liveliness",
            "state",
            "last_event",
            "last_event_time",
            "shoot",
            "issues",
        ] {
            assert!(m.get(f).is_some(), "machine row lacks {f}: {m}");
        }
        // the shoot column names the shoot whose uid the machine is tagged with
        let want = tagged.get(m["id"].as_str().unwrap()).and_then(|uid| {
            uids.iter()
                .find(|(_, u)| *u == uid)
                .map(|(name, _)| name.as_str())
        });
        let shoot = m["shoot"].as_str().filter(|s| !s.is_empty() && *s != "-");
        assert_eq!(shoot, want, "{m}");
    }
    assert!(
        machines
            .iter()
            .any(|m| !m["issues"].as_array().unwrap().is_empty()),
        "some machines show metal-api issues"
    );
    let unhealthy_seed = seeds.iter().find(|s| s["status"] != "Ready");
    assert!(unhealthy_seed.is_some(), "one seed is not ready");
}

#[test]
fn filters_and_formats_work_through_the_binary() {
    let demo = serve();
    let all = json(&demo, &["get", "shoots", "-o", "json"]);
    let unhealthy = json(
        &demo,
        &["get", "shoots", "-o", "json", "-f", "health:unhealthy"],
    );
    assert!(!unhealthy.is_empty() && unhealthy.len() < all.len());
    assert!(unhealthy.iter().all(|s| s["health"] == "unhealthy"));
    let rest = json(
        &demo,
        &["get", "shoots", "-o", "json", "-f", "!health:unhealthy"],
    );
    assert_eq!(rest.len() + unhealthy.len(), all.len());

    let table = kclm(&demo, &["get", "shoots"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    assert!(table.starts_with("PROJECT"), "{table}");
    assert_eq!(table.lines().count(), all.len() + 1);
    let yaml = kclm(&demo, &["get", "seeds", "-o", "yaml"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let parsed: Vec<Value> = serde_saphyr::from_slice(&yaml).unwrap();
    assert!(!parsed.is_empty());
}

#[test]
fn a_wrong_metal_hmac_key_is_refused_with_403() {
    let mut demo = serve();
    let ok = json(&demo, &["get", "partitions", "-o", "json"]);
    assert!(!ok.is_empty());
    for (k, v) in demo.env.iter_mut() {
        if k == "KCLM_METAL_HMAC" {
            *v = "not-the-key".into();
        }
    }
    kclm(&demo, &["get", "machines"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("403"));
}

#[test]
fn kubectl_lists_shoots_from_the_demo() {
    let demo = serve();
    let kubeconfig = &demo.env.iter().find(|(k, _)| k == "KUBECONFIG").unwrap().1;
    let out = Proc::new("kubectl")
        .args([
            "--kubeconfig",
            kubeconfig,
            "get",
            "shoots.core.gardener.cloud",
            "-A",
            "-o",
            "json",
        ])
        .output()
        .expect("kubectl is installed (see .ci/run)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours = json(&demo, &["get", "shoots", "-o", "json"]);
    assert_eq!(list["items"].as_array().unwrap().len(), ours.len());
    let table = Proc::new("kubectl")
        .args([
            "--kubeconfig",
            kubeconfig,
            "get",
            "shoots.core.gardener.cloud",
            "-A",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("NAME") && table.contains("garden-"),
        "{table}"
    );
}

#[test]
fn the_demo_a_command_starts_stops_with_it_and_leaves_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let demo_tmp = tmp.path().join("tmp");
    std::fs::create_dir_all(&demo_tmp).unwrap();
    let env = [
        ("HOME", home.clone()),
        ("TMPDIR", demo_tmp.clone()),
        ("KCLM_CONFIG_DIR", home.join("config")),
        ("KCLM_STATE_DIR", home.join("state")),
    ];
    // Control: the demo does put its directory under TMPDIR.
    let mut serve = Proc::new(env!("CARGO_BIN_EXE_kclm"))
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["demo", "serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = BufReader::new(serve.stdout.take().unwrap())
        .lines()
        .next()
        .expect("a KUBECONFIG= line")
        .unwrap();
    let _ = serve.kill();
    let _ = serve.wait();
    let kubeconfig = std::path::PathBuf::from(first.strip_prefix("KUBECONFIG=").unwrap());
    assert!(kubeconfig.starts_with(&demo_tmp), "{first}");
    std::fs::remove_dir_all(kubeconfig.parent().unwrap()).unwrap();

    let out = Command::cargo_bin("kclm")
        .unwrap()
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["--demo", "get", "shoots", "-o", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert!(rows.len() >= 20, "{} shoots", rows.len());
    let left: Vec<_> = std::fs::read_dir(&demo_tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind in TMPDIR: {left:?}");
}
