//! The operation commands of the real binary against `--demo`: one line per
//! target, exit codes 0/1/2, `-o json`, read-only, typed confirmations, audit.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

#[path = "ops_support/cli_guard.rs"]
mod cli_guard;

fn kclm(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("kclm").unwrap();
    c.env_clear()
        .env("HOME", dir)
        .env("KCLM_CONFIG_DIR", dir.join("config"))
        .env("KCLM_STATE_DIR", dir.join("state"))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .timeout(std::time::Duration::from_secs(120));
    c
}

fn json_of(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = kclm(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `namespace/name` of awake, healthy shoots of the (seeded, so stable) demo.
fn awake_shoots(dir: &std::path::Path) -> Vec<String> {
    let rows = json_of(dir, &["--demo", "get", "shoots", "-o", "json"]);
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["hibernation"] == "Awake"
                && r["health"] == "healthy"
                && r["namespace"] != "garden"
                && r["last_operation"]["state"] == "Succeeded"
        })
        .map(|r| {
            format!(
                "{}/{}",
                r["namespace"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn one_line_per_target_and_exit_1_when_any_failed() {
    let d = tempfile::tempdir().unwrap();
    let shoots = awake_shoots(d.path());
    let a = &shoots[0];
    let ns = a.split('/').next().unwrap();
    let missing = format!("{ns}/no-such-shoot");
    let out = kclm(d.path())
        .args(["--demo", "shoot", "hibernate", a, &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{a}: hibernation requested"),
            format!("{missing}: error: shoots.core.gardener.cloud \"no-such-shoot\" not found"),
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 2 operations failed"));

    kclm(d.path())
        .args(["--demo", "shoot", "reconcile", a])
        .assert()
        .code(0)
        .stdout(format!("{a}: reconcile requested\n"));
}

#[test]
fn json_results_and_the_audit_log() {
    let d = tempfile::tempdir().unwrap();
    let shoots = awake_shoots(d.path());
    let out = kclm(d.path())
        .args([
            "--demo",
            "shoot",
            "maintain",
            &shoots[0],
            &shoots[1],
            "--dry-run",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for (r, s) in list.iter().zip(&shoots) {
        assert_eq!(r["target"], s.as_str());
        assert_eq!(r["ok"], true);
        assert_eq!(r["dry_run"], true);
        assert_eq!(r["message"], "maintain requested (dry run)");
    }
    let audit = std::fs::read_to_string(d.path().join("state/audit.jsonl")).unwrap();
    let entries: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["action"] == "maintain"
        && e["dry_run"] == true
        && e["landscape"] == "demo"
        && e["actor"] == "demo-garden"));
}

#[test]
fn read_only_refuses_every_target() {
    let d = tempfile::tempdir().unwrap();
    let shoots = awake_shoots(d.path());
    let a = &shoots[0];
    kclm(d.path())
        .args(["--demo", "--readonly", "shoot", "delete", a, "--confirm", a])
        .assert()
        .code(1)
        .stdout(format!(
            "{a}: error: refused: landscape \"demo\" is read-only\n"
        ));
    kclm(d.path())
        .args(["--demo", "--readonly", "machine", "power", "any-id", "off"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("read-only"));
}

#[test]
fn deletes_need_the_name_or_the_count() {
    let d = tempfile::tempdir().unwrap();
    // Checked before connecting: no landscape is needed to be told no.
    kclm(d.path())
        .args(["shoot", "delete", "garden-a/web", "--confirm", "Web"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does not match the name \"garden-a/web\"",
        ));
    kclm(d.path())
        .args([
            "shoot",
            "delete",
            "garden-a/web",
            "garden-a/db",
            "--confirm",
            "web",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("number of shoots to delete (2)"));
    kclm(d.path())
        .args(["cluster", "delete", "capi/c1", "--confirm", "c2"])
        .assert()
        .code(2);
    kclm(d.path())
        .args(["shoot", "hibernate", "web"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAMESPACE/NAME"));
    kclm(d.path())
        .args(["machine", "lock", "m-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("description is required"));

    // With --selector a count never confirms; the refusal says what does.
    let out = kclm(d.path())
        .args([
            "--demo",
            "shoot",
            "delete",
            "--selector",
            "health:unhealthy",
            "--confirm",
            "999",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("count does not confirm"), "{err}");

    let shoots = awake_shoots(d.path());
    let a = &shoots[0];
    kclm(d.path())
        .args(["--demo", "shoot", "delete", a, "--dry-run", "--confirm", a])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("DELETE authorized")
                .and(predicate::str::contains("(dry run)")),
        );
}

#[test]
fn machine_commands_name_the_machine() {
    let d = tempfile::tempdir().unwrap();
    let rows = json_of(d.path(), &["--demo", "get", "machines", "-o", "json"]);
    let m = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["shoot"].is_string())
        .expect("a machine of a shoot");
    let id = m["id"].as_str().unwrap();
    let shoot = m["shoot"].as_str().unwrap();
    kclm(d.path())
        .args(["--demo", "machine", "power", id, "off", "--dry-run"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(id).and(predicate::str::contains("would power off")));
    kclm(d.path())
        .args([
            "--demo",
            "machine",
            "reserve",
            id,
            "--description",
            "disk swap",
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("set state RESERVED (disk swap) requested")
                .and(predicate::str::contains(shoot)),
        );
}

/// A configured (non-demo) landscape: the binary connects with the kubeconfig
/// and context given, and a viewer gets the API server's RBAC refusal verbatim.
#[test]
fn a_kubeconfig_target_and_a_viewer_context() {
    let d = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt
        .block_on(kclm::demo::start(kclm::demo::DemoOptions::default()))
        .unwrap();
    let shoots = awake_shoots(d.path());
    let a = &shoots[0];
    let name = a.split('/').nth(1).unwrap();
    let run = |ctx: &str, verb: &str| {
        kclm(d.path())
            .args(["shoot", verb, a, "--context", ctx, "--kubeconfig"])
            .arg(&demo.kubeconfig)
            .output()
            .unwrap()
    };
    let out = run("demo-viewer", "hibernate");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("{a}: error: shoots.core.gardener.cloud \"{name}\" is forbidden: User \"demo-viewer\" cannot patch")),
        "{stdout}"
    );
    let out = run("demo-garden", "hibernate");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{a}: hibernation requested\n")
    );
    let audit = std::fs::read_to_string(d.path().join("state/audit.jsonl")).unwrap();
    let actors: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["actor"].clone())
        .collect();
    assert_eq!(actors, ["demo-viewer", "demo-garden"]);
    assert!(!audit.contains(&demo.hmac_admin));
    rt.block_on(demo.shutdown());
}

/// The CLI goes through the core's one dispatcher: for a hibernated shoot and
/// one whose `HibernationPossible` constraint is not True, it prints exactly
/// what `kclm::ops::execute` reports in-process for the same request, and that
/// is what the shared precondition says (the TUI's menu asks the same
/// function). A no-op exits 0; the refusal exits 1.
#[test]
fn the_cli_prints_the_cores_noop_and_refusal_for_the_same_shoots() {
    use kclm::model::gardener::Shoot;
    use kclm::ops::shoot::{self, ShootOp};
    use kclm::ops::{NoopReason, ObjectRef, Op, OpReport, OpRequest, OpsEnv, Verdict};

    let d = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt
        .block_on(kclm::demo::start(kclm::demo::DemoOptions::default()))
        .unwrap();
    let client = rt
        .block_on(kclm::source::kube::client_for(
            &kclm::source::kube::KubeTarget {
                kubeconfig: Some(demo.kubeconfig.clone()),
                context: Some("demo-garden".into()),
            },
        ))
        .unwrap();
    let shoots = rt
        .block_on(kube::Api::<Shoot>::all(client.clone()).list(&Default::default()))
        .unwrap()
        .items;
    let hibernated = shoots
        .iter()
        .find(|s| s.is_hibernated() && s.hibernation_enabled())
        .expect("the demo has a hibernated shoot");
    let blocked = shoots
        .iter()
        .find(|s| {
            !s.hibernation_enabled()
                && s.constraint("HibernationPossible")
                    .is_some_and(|c| c.status != "True")
        })
        .expect("the demo has a shoot that may not hibernate");
    let refusal = match shoot::precondition(ShootOp::Hibernate, blocked) {
        Err(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        shoot::precondition(ShootOp::Hibernate, hibernated),
        Ok(Verdict::Noop(NoopReason::AlreadyHibernated))
    );
    let (h, b) = (
        ObjectRef::new(hibernated.namespace(), hibernated.name()),
        ObjectRef::new(blocked.namespace(), blocked.name()),
    );

    // In-process, through the dispatcher (neither request changes anything).
    let target = kclm::config::Target {
        garden: Some(kclm::source::kube::KubeTarget {
            kubeconfig: Some(demo.kubeconfig.clone()),
            context: Some("demo-garden".into()),
        }),
        demo: false,
        ..kclm::config::Target::demo(false)
    };
    let env = OpsEnv::new(&target, Some(client), None, None, &d.path().join("core"));
    let report = rt.block_on(kclm::ops::execute(
        &env,
        OpRequest {
            op: Op::Bulk(ShootOp::Hibernate, vec![h.clone(), b.clone()]),
            dry_run: false,
        },
    ));
    let OpReport::Bulk { results, .. } = report else {
        panic!("a bulk report")
    };
    let core: Vec<String> = results
        .iter()
        .map(|(t, r)| match r {
            Ok(o) => format!("{t}: {}", o.message),
            Err(e) => format!("{t}: error: {e}"),
        })
        .collect();
    assert_eq!(
        core,
        [
            format!("{h}: {}", NoopReason::AlreadyHibernated),
            format!("{b}: error: refused: {refusal}"),
        ]
    );

    // The binary, against the same landscape.
    let run = |targets: &[&ObjectRef]| {
        let mut c = kclm(d.path());
        c.args(["shoot", "hibernate"]);
        for t in targets {
            c.arg(t.to_string());
        }
        c.args(["--context", "demo-garden", "--kubeconfig"])
            .arg(&demo.kubeconfig)
            .output()
            .unwrap()
    };
    let out = run(&[&h, &b]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), core);
    let out = run(&[&h]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a no-op succeeds: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", core[0])
    );
    let out = kclm(d.path())
        .args(["shoot", "hibernate", &h.to_string(), "-o", "json"])
        .args(["--context", "demo-garden", "--kubeconfig"])
        .arg(&demo.kubeconfig)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["noop"], "already_hibernated");
    assert_eq!(v[0]["ok"], true);
    rt.block_on(demo.shutdown());
}
