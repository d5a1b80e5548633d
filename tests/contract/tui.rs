//! One scripted console run in tmux against the target: the real binary,
//! configured only by kubeconfig and contexts (nothing of the developer's
//! environment, see `tmux.rs`), shows a Cluster-API cluster that the test
//! created, opens its YAML and quits cleanly.

use kclm::model::capi::Cluster;
use kube::Api;
use kube::api::PostParams;

use crate::fixture::{Target, retry, unique};
use crate::objects::cluster;
use crate::tmux::Tmux;

#[tokio::test(flavor = "multi_thread")]
async fn console_in_tmux_shows_the_targets_clusters_and_quits_cleanly() {
    Tmux::require();
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

    let kubeconfig = t.kubeconfig.display().to_string();
    let pane = Tmux::start(
        180,
        45,
        &[
            "--kubeconfig",
            &kubeconfig,
            "--context",
            &t.admin,
            "--capi-context",
            &t.admin,
        ],
    );
    // The pane polls on this thread; the demo's servers run on the others.
    tokio::task::block_in_place(|| {
        pane.wait_for("capi synced");
        pane.keys(&[":", "clusters", "Enter"]);
        pane.wait_for("› clusters");
        pane.keys(&["/", &name, "Enter"]);
        pane.wait_for(&ns);
        pane.keys(&["y"]);
        // the full object from the API server, with the fields kclm does not type
        pane.wait_for_all(&["kind: Cluster", "controlPlaneRef:"]);
        pane.escape("the YAML closed", |s| !s.contains("kind: Cluster"));
        pane.keys(&["q"]);
        let screen = pane.wait_for("KCLM_EXITED:0");
        assert!(
            !screen.contains("┌ clusters"),
            "TUI frame left behind:\n{screen}"
        );
    });
    drop(pane);
    t.shutdown().await;
}
