//! Destructive commands that cannot misfire (issue #13 items 1, 2, 3, 6): a
//! selector delete is confirmed by the token of the uids the operator saw, a
//! single delete by the full `namespace/name`, a filter term with nothing to
//! match is a usage error, large or production bulk runs ask first, and a
//! stalled garden ends an operation with a clear message within its timeout.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use kclm::model::gardener::Shoot;
use kube::api::{Api, Patch, PatchParams};

use super::{awake_shoots, kclm};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `token: ...` line of a selection preview.
fn token_in(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap_or_else(|| panic!("no token in {text:?}"))
        .to_string()
}

fn untouched(s: &Shoot) -> bool {
    s.metadata.deletion_timestamp.is_none()
        && s.metadata
            .annotations
            .as_ref()
            .is_none_or(|a| !a.contains_key("confirmation.gardener.cloud/deletion"))
}

#[test]
fn a_selector_delete_deletes_exactly_the_listed_shoots_or_nothing() {
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
    let api = Api::<Shoot>::namespaced(client, "garden-webshop");
    let run = |args: &[&str]| {
        kclm(d.path())
            .args([
                "shoot",
                "delete",
                "--selector",
                "project:webshop purpose:evaluation",
            ])
            .args(args)
            .args(["--context", "demo-garden", "--kubeconfig"])
            .arg(&demo.kubeconfig)
            .output()
            .unwrap()
    };

    // The dry run without --confirm lists the shoots and their token.
    let out = run(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let listed = stdout_of(&out);
    let rows: Vec<&str> = listed.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(rows.len(), 3, "{listed}");
    assert!(
        rows.iter().all(|r| r.contains("project=webshop")
            && r.contains("purpose=evaluation")
            && r.contains("seed=")),
        "{listed}"
    );
    let token = token_in(&listed);
    assert_eq!(token.len(), 12, "{token}");

    // A count is refused, with what to do instead.
    let out = run(&["--confirm", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("count does not confirm") && err.contains("token"),
        "{err}"
    );

    // Someone turns another webshop shoot into an evaluation shoot: the
    // selection changed, the token the operator got no longer deletes.
    let all = rt.block_on(api.list(&Default::default())).unwrap().items;
    let joined = all
        .iter()
        .find(|s| s.spec.purpose.as_deref() == Some("development"))
        .expect("a webshop development shoot")
        .metadata
        .name
        .clone()
        .unwrap();
    rt.block_on(api.patch(
        &joined,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"purpose": "evaluation"}})),
    ))
    .unwrap();
    let out = run(&["--confirm", &token]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("selection") && err.contains("changed"),
        "{err}"
    );
    assert!(err.contains(&format!("garden-webshop/{joined}")), "{err}");
    let now = rt.block_on(api.list(&Default::default())).unwrap().items;
    assert!(now.iter().all(untouched), "nothing may be written");

    // The new token (printed with the refusal) deletes exactly those four.
    let new_token = token_in(&err);
    assert_ne!(new_token, token);
    let out = run(&["--confirm", &new_token]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let done = stdout_of(&out);
    assert_eq!(done.lines().count(), 4, "{done}");
    assert!(
        done.lines().all(|l| l.ends_with(": deletion requested")),
        "{done}"
    );
    let after = rt.block_on(api.list(&Default::default())).unwrap().items;
    for s in &after {
        let selected = s.spec.purpose.as_deref() == Some("evaluation");
        assert_eq!(
            !untouched(s),
            selected,
            "{} ({:?})",
            s.metadata.name.as_deref().unwrap_or(""),
            s.spec.purpose
        );
    }
    rt.block_on(demo.shutdown());
}

/// The example: `garden-webshop/postgres` was meant, the command
/// names `garden-platform/postgres` and confirms with the bare name.
#[test]
fn a_single_delete_is_confirmed_by_namespace_and_name() {
    let d = tempfile::tempdir().unwrap();
    for (target, typed) in [
        ("garden-platform/postgres", "postgres"),
        ("garden-platform/postgres", "garden-webshop/postgres"),
    ] {
        let out = kclm(d.path())
            .args(["--demo", "shoot", "delete", target, "--confirm", typed])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{typed}: {}", stdout_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains("\"garden-platform/postgres\""), "{err}");
    }
    for kind in ["cluster", "tenant"] {
        let out = kclm(d.path())
            .args([kind, "delete", "capi/c1", "--confirm", "c1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{kind}");
        assert!(stderr_of(&out).contains("\"capi/c1\""), "{kind}");
    }
    let a = &awake_shoots(d.path())[0];
    let out = kclm(d.path())
        .args(["--demo", "shoot", "delete", a, "--dry-run", "--confirm", a])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("DELETE authorized"));
}

#[test]
fn a_selector_term_with_nothing_to_match_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    for (expr, term) in [
        ("!", "\"!\""),
        ("name:", "\"name:\""),
        ("health:", "\"health:\""),
        ("\"\"", "\"\\\"\\\"\""),
        ("!!x", "\"!!x\""),
    ] {
        let out = kclm(d.path())
            .args(["--demo", "shoot", "hibernate", "--selector", expr])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{expr}: {}", stdout_of(&out));
        assert!(stdout_of(&out).is_empty(), "{expr}: nothing was sent");
        let err = stderr_of(&out);
        assert!(err.contains(term), "{expr}: {err}");
    }
}

#[test]
fn large_or_production_bulk_runs_ask_first() {
    let d = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        kclm(d.path())
            .args(["--demo", "shoot"])
            .args(args)
            .output()
            .unwrap()
    };
    // Five production shoots (and one infrastructure shoot) in the demo.
    let out = run(&["hibernate", "--selector", "purpose:production"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout_of(&out).is_empty());
    let err = stderr_of(&out);
    assert!(err.contains("--yes") && err.contains("production"), "{err}");
    let out = run(&["reconcile", "--selector", "purpose:production", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 5);
    // Eleven evaluation shoots: more than ten.
    let out = run(&["maintain", "--selector", "purpose:evaluation"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("11 shoots"), "{}", stderr_of(&out));
    let out = run(&["maintain", "--selector", "purpose:evaluation", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 11);
}

/// A garden that accepts connections and never answers.
fn stalled_garden(dir: &std::path::Path) -> std::path::PathBuf {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let path = dir.join("stalled-kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: stalled\n\
             clusters:\n- name: stalled\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             users:\n- name: admin\n  user:\n    token: demo-admin\n\
             contexts:\n- name: stalled\n  context:\n    cluster: stalled\n    user: admin\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_stalled_garden_ends_the_operation_within_its_timeout() {
    let d = tempfile::tempdir().unwrap();
    let kubeconfig = stalled_garden(d.path());
    let slack = Duration::from_secs(8);

    let t0 = Instant::now();
    let out = kclm(d.path())
        .args(["shoot", "hibernate", "garden-a/web", "--timeout", "2"])
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .output()
        .unwrap();
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(took < Duration::from_secs(2) + slack, "{took:?}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert_eq!(
        stdout_of(&out),
        "garden-a/web: error: no answer from the garden within 2s; the request may or may \
         not have arrived (check with `kclm get`)\n"
    );

    // Forty shoots, four at a time, would take ten timeouts one round after
    // another; the run's deadline (twice the timeout) ends it.
    let targets: Vec<String> = (0..40).map(|i| format!("garden-a/s{i}")).collect();
    let t0 = Instant::now();
    let out = kclm(d.path())
        .args(["shoot", "wake", "--yes", "--timeout", "2"])
        .args(&targets)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .output()
        .unwrap();
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(took < Duration::from_secs(4) + slack, "{took:?}");
    let lines: Vec<String> = stdout_of(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 40);
    let timed_out = lines
        .iter()
        .filter(|l| l.contains(": error: no answer from the garden within"))
        .count();
    let not_sent = lines.iter().filter(|l| l.contains("not sent")).count();
    // two rounds of four fit in the deadline (give or take a timer tick)
    assert!((4..=12).contains(&timed_out), "{lines:#?}");
    assert_eq!(timed_out + not_sent, 40, "{lines:#?}");
    assert!(stderr_of(&out).contains("40 of 40 operations failed"));
}
