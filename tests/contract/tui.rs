//! One scripted console run in tmux against the target: the real binary,
//! configured only by kubeconfig and contexts, shows a Cluster-API cluster that
//! the test created, opens its YAML and quits cleanly.

use std::process::Command;
use std::time::{Duration, Instant};

use kclm::model::capi::Cluster;
use kube::Api;
use kube::api::PostParams;

use crate::fixture::{Target, retry, unique};
use crate::objects::cluster;

struct Pane(String);

impl Pane {
    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if screen.contains(needle) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needle:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let literal = k.chars().count() > 1 && !["Enter", "Escape"].contains(k);
            let mut c = Command::new("tmux");
            c.args(["send-keys", "-t", &self.0]);
            if literal {
                c.arg("-l");
            }
            assert!(c.arg(k).status().expect("tmux runs").success());
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn console_in_tmux_shows_the_targets_clusters_and_quits_cleanly() {
    let tmux_ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !tmux_ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs tmux (.ci/run)"
        );
        println!("SKIP console_in_tmux (tmux not installed)");
        return;
    }
    let t = Target::start("console_in_tmux").await;
    let ns = t.namespace("tui").await;
    let name = unique("console");
    let clusters: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    retry(async || {
        clusters
            .create(&PostParams::default(), &cluster(&name))
            .await
    })
    .await
    .expect("cluster");

    let dirs = tempfile::tempdir().unwrap();
    let session = unique("kclm-contract");
    let cmd = format!(
        "env -u KUBECONFIG -u KCLM_METAL_URL KCLM_CONFIG_DIR={cfg} KCLM_STATE_DIR={state} {bin} \
         --kubeconfig {kc} --context {ctx} --capi-context {ctx}; echo KCLM_EXITED:$?; sleep 30",
        cfg = dirs.path().join("config").display(),
        state = dirs.path().join("state").display(),
        bin = env!("CARGO_BIN_EXE_kclm"),
        kc = t.kubeconfig.display(),
        ctx = t.admin,
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "180",
            "-y",
            "45",
            &cmd,
        ])
        .status()
        .expect("tmux runs")
        .success();
    assert!(ok, "tmux new-session");
    let pane = Pane(session);
    pane.wait_for("capi synced");
    pane.keys(&[":", "clusters", "Enter"]);
    pane.wait_for("› clusters");
    pane.keys(&["/", &name, "Enter"]);
    pane.wait_for(&ns);
    pane.keys(&["y"]);
    // the full object from the API server, with the fields kclm does not type
    pane.wait_for("kind: Cluster");
    pane.wait_for("controlPlaneRef:");
    pane.keys(&["Escape", "q"]);
    let screen = pane.wait_for("KCLM_EXITED:0");
    assert!(
        !screen.contains("┌ clusters"),
        "TUI frame left behind:\n{screen}"
    );
    drop(pane);
    t.shutdown().await;
}
