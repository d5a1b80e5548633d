//! The demo as the binary uses it: started on its own, reached by a session
//! through an ordinary target (`DemoHandle::target`), stopped by its handle.

use std::time::{Duration, Instant};

use kclm::demo::DemoOptions;
use kclm::landscape::{Kind, Landscape, SourceState};
use kclm::session::{Session, SessionOptions};

fn port_of(url: &str) -> u16 {
    let rest = url.rsplit_once(':').expect("url with a port").1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("numeric port")
}

fn accepts(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_on_the_demos_target_syncs_every_source() {
    let demo = kclm::demo::start(DemoOptions::default())
        .await
        .expect("demo starts");
    let target = demo.target(true);
    assert!(
        !target.demo,
        "an ordinary target, not a request for the demo"
    );
    assert!(target.readonly);
    assert_eq!(target.name, "demo");
    let garden = target.garden.as_ref().expect("garden");
    assert_eq!(garden.kubeconfig.as_ref(), Some(&demo.kubeconfig));
    assert_eq!(garden.context.as_deref(), Some("demo-garden"));
    let capi = target.capi.as_ref().expect("capi");
    assert_eq!(capi.context.as_deref(), Some("demo-capi"));
    assert_eq!(
        target.metal.as_ref().map(|m| m.url.as_str()),
        Some(demo.metal_url.as_str())
    );

    let mut session = Session::start(&target, SessionOptions::default())
        .await
        .expect("session");
    assert!(session.errors.is_empty(), "{:?}", session.errors);
    let mut ls = Landscape::new();
    assert!(session.wait_settled(&mut ls, Duration::from_secs(60)).await);
    for kind in [Kind::Shoot, Kind::Seed, Kind::Cluster, Kind::Machine] {
        assert_eq!(
            ls.sources.get(&kind),
            Some(&SourceState::Synced),
            "{kind:?}"
        );
    }
    assert!(!ls.shoots.is_empty());
    assert!(!ls.machines.is_empty());
    assert!(!ls.clusters.is_empty());
    session.shutdown().await;
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_stops_the_servers_and_removes_its_directory() {
    let demo = kclm::demo::start(DemoOptions::default())
        .await
        .expect("demo starts");
    let dir = demo.dir.clone();
    let ports = [
        port_of(&demo.kube_url),
        port_of(&demo.kube_http_url),
        port_of(&demo.metal_url),
    ];
    assert!(dir.join("kubeconfig").is_file());
    for p in ports {
        assert!(accepts(p), "port {p} serves while the handle lives");
    }
    drop(demo);
    assert!(!dir.exists(), "{} is left behind", dir.display());
    let deadline = Instant::now() + Duration::from_secs(10);
    while ports.iter().any(|p| accepts(*p)) {
        assert!(
            Instant::now() < deadline,
            "a demo server still accepts connections 10 s after the handle was dropped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
