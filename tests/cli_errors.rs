//! Error paths of the real binary: bad kubeconfig, unreachable servers, bad
//! config files, usage errors. No server needed.

use assert_cmd::Command;
use predicates::prelude::*;

fn kclm(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("kclm").unwrap();
    c.env_clear()
        .env("HOME", dir)
        .env("KCLM_CONFIG_DIR", dir.join("config"))
        .env("KCLM_STATE_DIR", dir.join("state"))
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// A valid kubeconfig whose only context, `garden`, points at 127.0.0.1:1,
/// where connections are refused.
fn write_refused_kubeconfig(path: &std::path::Path) {
    std::fs::write(
        path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\n\
         users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: garden\n  context: {cluster: c, user: u}\n\
         current-context: garden\n",
    )
    .unwrap();
}

#[test]
fn get_without_any_landscape_is_a_usage_error_that_suggests_demo() {
    let d = tempfile::tempdir().unwrap();
    kclm(d.path())
        .args(["get", "shoots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--demo"));
}

#[test]
fn a_broken_kubeconfig_is_named_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("kubeconfig");
    std::fs::write(&kc, "apiVersion: v1\nclusters: [this is: not valid\n").unwrap();
    kclm(d.path())
        .args(["get", "shoots", "--kubeconfig"])
        .arg(&kc)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(kc.display().to_string()));
    kclm(d.path())
        .args(["get", "shoots", "--kubeconfig"])
        .arg(d.path().join("missing"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn an_unknown_context_lists_the_known_ones() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("kubeconfig");
    write_refused_kubeconfig(&kc);
    kclm(d.path())
        .args(["get", "seeds", "--context", "nope", "--kubeconfig"])
        .arg(&kc)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no context \"nope\"").and(predicate::str::contains("garden")),
        );
}

#[test]
fn an_unreachable_api_server_fails_with_a_clear_message_not_a_hang() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("kubeconfig");
    // port 1 on loopback: connection refused
    write_refused_kubeconfig(&kc);
    kclm(d.path())
        .args(["get", "seeds", "--timeout", "3", "--kubeconfig"])
        .arg(&kc)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("seeds:"));
}

#[test]
fn an_unreachable_metal_api_fails_with_the_url() {
    let d = tempfile::tempdir().unwrap();
    kclm(d.path())
        .args([
            "get",
            "machines",
            "--timeout",
            "10",
            "--metal-url",
            "http://127.0.0.1:1/metal",
            "--metal-hmac",
            "k",
        ])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("unreachable").and(predicate::str::contains("127.0.0.1:1")),
        );
}

#[test]
fn a_bad_config_file_names_the_file_and_field() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "[landscapes.prod]\nmetal_urll = \"x\"\n",
    )
    .unwrap();
    kclm(d.path())
        .args(["get", "shoots"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("config.toml").and(predicate::str::contains("metal_urll")),
        );
    kclm(d.path())
        .arg("info")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("metal_urll"));
}

#[test]
fn info_prints_every_path_and_secrets_stay_hidden() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "[landscapes.prod]\nmetal_url = \"https://api.example/metal\"\nmetal_hmac = \"supersecret\"\nreadonly = true\n",
    )
    .unwrap();
    kclm(d.path()).arg("info").assert().success().stdout(
        predicate::str::contains("config file:")
            .and(predicate::str::contains("state dir:"))
            .and(predicate::str::contains("log file:"))
            .and(predicate::str::contains("landscape:   prod (read-only)"))
            .and(predicate::str::contains("supersecret").not()),
    );
}

#[test]
fn usage_errors_exit_2_and_version_and_completions_work() {
    let d = tempfile::tempdir().unwrap();
    kclm(d.path()).args(["get", "widgets"]).assert().code(2);
    kclm(d.path())
        .args(["get", "shoots", "--demo", "--filter", "colour:red"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field"));
    kclm(d.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("kclm"));
    kclm(d.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_kclm"));
}

/// `namespace/name` of the first shoot of the demo outside `garden`.
fn a_demo_shoot(dir: &std::path::Path) -> String {
    let out = kclm(dir)
        .args(["--demo", "get", "shoots", "-o", "json"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["namespace"] != "garden")
        .expect("a demo shoot outside garden");
    format!(
        "{}/{}",
        r["namespace"].as_str().unwrap(),
        r["name"].as_str().unwrap()
    )
}

/// An audit line that cannot be written does not undo a done operation, but
/// it is never silent: the CLI's stderr log shows it at its default level,
/// and `KCLM_LOG` still decides what is logged.
#[test]
fn an_unwritable_audit_log_is_a_warning_on_stderr() {
    let d = tempfile::tempdir().unwrap();
    let shoot = a_demo_shoot(d.path());
    let reconcile = |dir: &std::path::Path, log: Option<&str>| {
        let mut c = kclm(dir);
        if let Some(l) = log {
            c.env("KCLM_LOG", l);
        }
        let out = c
            .args(["--demo", "shoot", "reconcile", &shoot])
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{shoot}: reconcile requested\n")
        );
        stderr
    };

    // a writable state dir: the line is written, nothing is logged
    let stderr = reconcile(d.path(), None);
    assert!(!stderr.contains("audit log"), "{stderr}");
    let audit = d.path().join("state/audit.jsonl");
    assert_eq!(std::fs::read_to_string(&audit).unwrap().lines().count(), 1);

    // audit.jsonl is a directory: appending fails
    let broken = tempfile::tempdir().unwrap();
    let audit = broken.path().join("state/audit.jsonl");
    std::fs::create_dir_all(&audit).unwrap();
    let stderr = reconcile(broken.path(), None);
    assert!(
        stderr.contains("WARN")
            && stderr.contains("audit log not written")
            && stderr.contains(&audit.display().to_string()),
        "no warning for the unwritable audit log:\n{stderr}"
    );
    let stderr = reconcile(broken.path(), Some("off"));
    assert!(
        !stderr.contains("audit log"),
        "KCLM_LOG=off still logged:\n{stderr}"
    );
}

/// A CLI operation against the demo: the audit entry names the demo's
/// context and that context's kubeconfig user; the audit log is owner-only
/// (0600) in an owner-only (0700) state dir.
#[test]
fn the_audit_entry_names_context_and_user_and_the_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let shoot = a_demo_shoot(d.path());
    let out = kclm(d.path())
        .args(["--demo", "shoot", "reconcile", &shoot])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit = d.path().join("state/audit.jsonl");
    let text = std::fs::read_to_string(&audit).unwrap();
    let entry: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(entry["actor"], "demo-garden", "{text}");
    assert_eq!(entry["user"], "demo-admin", "{text}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&audit), 0o600, "audit log");
    assert_eq!(mode(&d.path().join("state")), 0o700, "state dir");
}
