//! One frame of the shoots view at 250x70 with 10,000 shoots, drawn by the
//! TUI's real render code into ratatui's TestBackend. The TUI lives in the
//! binary, so this bench compiles its modules directly.

use criterion::{Criterion, criterion_group, criterion_main};
use kclm::landscape::{Kind, KubeObject, Landscape, Update};
use kclm::model::gardener::Shoot;

#[allow(dead_code, unused_imports)]
#[path = "../src/tui/mod.rs"]
mod tui;

fn landscape() -> Landscape {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let shoots: Vec<Shoot> = rt.block_on(async {
        let demo = kclm::demo::start(kclm::demo::DemoOptions {
            scale: kclm::demo::Scale::Large,
            ..Default::default()
        })
        .await
        .expect("demo starts");
        kclm::source::metal::ensure_crypto_provider();
        let body = reqwest::Client::new()
            .get(format!(
                "{}/apis/core.gardener.cloud/v1beta1/shoots",
                demo.kube_http_url
            ))
            .bearer_auth("demo-admin")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        demo.shutdown().await;
        serde_json::from_slice::<kube::core::ObjectList<Shoot>>(&body)
            .unwrap()
            .items
    });
    let mut ls = Landscape::new();
    ls.apply(Update::Relisted(
        Kind::Shoot,
        shoots.into_iter().map(KubeObject::from).collect(),
    ));
    ls
}

fn frame(c: &mut Criterion) {
    let mut bench = tui::FrameBench::new(landscape(), 250, 70).unwrap();
    assert_eq!(bench.shoots(), 10_000);
    let mut g = c.benchmark_group("render");
    g.bench_function("shoots_view_250x70_10k_rows", |b| {
        b.iter(|| bench.frame().unwrap())
    });
    g.bench_function("cursor_down_then_frame_10k_rows", |b| {
        b.iter(|| {
            bench.cursor_down();
            bench.frame().unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
