//! Issue #13 item 11: served text with terminal controls in it (ESC, BEL, the
//! one-byte CSI U+009B, a bidi override) reaches the human-readable output of
//! the real binary escaped: no control byte on stdout or stderr, and the text
//! still there to read (`\x1b`, `\u{9b}`, `\u{202e}`).
//!
//! The hostile data is written into the demo through its kube API (merge
//! patches, as `kubectl patch` would send them); kclm then reads it like any
//! other landscape.

use std::process::Output;

use serde_json::{Value, json};

const GARDEN: &str = "/apis/core.gardener.cloud/v1beta1";
/// Retitles the terminal, clears it, colours through the C1 CSI, flips text.
const EVIL: &str = "evil\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}drow";
/// How [`EVIL`] reads once escaped.
const SHOWN: &str = "evil\\x1b]0;owned\\x07\\x1b[2J\\u{9b}31m\\u{202e}drow";

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth("demo-admin")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn merge_patch(&self, path: &str, body: Value) {
        let r = self
            .http
            .patch(format!("{}{path}", self.base))
            .bearer_auth("demo-admin")
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert!(
            status.is_success(),
            "PATCH {path}: {status} {}",
            r.text().await.unwrap_or_default()
        );
    }
}

/// The binary with nothing of the developer's environment, pointed at the demo.
fn kclm(dir: &std::path::Path, env: &str, args: &[&str]) -> Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kclm"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("KCLM_CONFIG_DIR", dir.join("config"))
        .env("KCLM_STATE_DIR", dir.join("state"))
        .env("TZ", "UTC")
        .args(args);
    for line in env.lines() {
        if let Some((k, v)) = line.split_once('=') {
            c.env(k, v);
        }
    }
    c.output().unwrap()
}

/// No C0 control but the line break, no DEL, no C1 control, no bidi control.
fn assert_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(_, c)| c != '\n' && kclm::text::is_unsafe(c))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: control characters {bad:?} in\n{text}"
    );
    assert!(
        !bytes.iter().any(|&b| b == 0x1b || b == 0x07 || b == 0x9b),
        "{what}: raw ESC/BEL/CSI bytes in {bytes:?}"
    );
}

fn stdout_of(what: &str, out: &Output) -> String {
    assert_safe(&format!("{what} (stdout)"), &out.stdout);
    assert_safe(&format!("{what} (stderr)"), &out.stderr);
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_control_characters_reach_the_terminal_escaped() {
    let demo = kclm::demo::start(kclm::demo::DemoOptions::default())
        .await
        .expect("demo starts");
    kclm::source::metal::ensure_crypto_provider();
    let api = Api {
        http: reqwest::Client::new(),
        base: demo.kube_http_url.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let env = demo.env_lines();

    // A project with a hostile description and purpose.
    let projects = api.get(&format!("{GARDEN}/projects")).await;
    let project = projects["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    api.merge_patch(
        &format!("{GARDEN}/projects/{project}"),
        json!({"spec": {"description": EVIL, "purpose": EVIL}}),
    )
    .await;

    // Two awake, reconciled shoots: one whose last operation and hibernation
    // constraint carry the hostile text, one whose seed does (status writes,
    // so the demo's gardenlet does not start a reconcile over them).
    let shoots = api.get(&format!("{GARDEN}/shoots")).await;
    let awake: Vec<(String, String)> = shoots["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["metadata"]["namespace"] != "garden"
                && s["spec"]["hibernation"]["enabled"] != true
                && s["status"]["lastOperation"]["state"] == "Succeeded"
        })
        .map(|s| {
            let m = &s["metadata"];
            (
                m["namespace"].as_str().unwrap().into(),
                m["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let [(ns, name), (ns_b, name_b), ..] = awake.as_slice() else {
        panic!("two awake reconciled shoots: {awake:?}");
    };
    let (ns, name) = (ns.clone(), name.clone());
    api.merge_patch(
        &format!("{GARDEN}/namespaces/{ns}/shoots/{name}/status"),
        json!({"status": {
            "technicalID": "",
            "lastOperation": {"type": EVIL, "state": "Succeeded", "progress": 100,
                              "description": EVIL, "lastUpdateTime": "2026-01-01T00:00:00Z"},
            "constraints": [{"type": "HibernationPossible", "status": "False",
                             "message": EVIL, "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        }}),
    )
    .await;
    api.merge_patch(
        &format!("{GARDEN}/namespaces/{ns_b}/shoots/{name_b}/status"),
        json!({"status": {"seedName": EVIL}}),
    )
    .await;
    let name_b = name_b.clone();

    let env2 = env.clone();
    let d = dir.path().to_path_buf();
    let target = format!("{ns}/{name}");
    let (projects, shoots, maint, op) = tokio::task::spawn_blocking(move || {
        (
            kclm(&d, &env2, &["get", "projects", "-o", "wide"]),
            kclm(&d, &env2, &["get", "shoots"]),
            kclm(&d, &env2, &["maintenance", "--within", "25h"]),
            kclm(&d, &env2, &["shoot", "hibernate", &target]),
        )
    })
    .await
    .unwrap();

    let out = stdout_of("get projects -o wide", &projects);
    let line = out.lines().find(|l| l.starts_with(&project)).unwrap();
    assert_eq!(
        line.matches(SHOWN).count(),
        2,
        "purpose and description: {line}"
    );

    // (a shoot name can repeat in other projects: any of its lines will do)
    let out = stdout_of("get shoots", &shoots);
    let shown_op = format!("{SHOWN} Succeeded (100%)");
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().nth(1) == Some(name.as_str()) && l.contains(&shown_op)),
        "{name} with {shown_op} in\n{out}"
    );

    let out = stdout_of("maintenance", &maint);
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().next() == Some(name_b.as_str()) && l.contains(SHOWN)),
        "{name_b} on seed {SHOWN} in\n{out}"
    );

    // refused by the constraint, whose message is quoted
    assert_eq!(op.status.code(), Some(1));
    let out = stdout_of("shoot hibernate", &op);
    assert!(
        out.contains(&format!(
            "'HibernationPossible' constraint is 'False': {SHOWN}"
        )),
        "{out}"
    );

    // JSON stays JSON: the text is there unchanged once decoded
    let json_out = kclm(dir.path(), &env, &["get", "projects", "-o", "json"]);
    let rows: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == project.as_str())
        .unwrap();
    assert_eq!(row["description"], EVIL);
    // an empty technical ID (a shoot not reconciled yet) is unknown: null
    let json_out = kclm(dir.path(), &env, &["get", "shoots", "-o", "json"]);
    let rows: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["namespace"] == ns.as_str() && r["name"] == name.as_str())
        .unwrap();
    assert_eq!(row["technical_id"], Value::Null, "{row}");
    assert_eq!(row["last_operation"]["type"], EVIL);
    demo.shutdown().await;
}
