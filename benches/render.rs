//! One frame of the shoots view at 250x70 with 10,000 shoots, drawn by the
//! TUI's real render code into ratatui's TestBackend, and one filter
//! keystroke in the shoots pane over 100,000 rows. The TUI lives in the
//! binary, so this bench compiles its modules directly.

use std::sync::OnceLock;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kclm::landscape::{Kind, KubeObject, Landscape, Update, rows};
use kclm::model::gardener::Shoot;

#[allow(dead_code, unused_imports)]
#[path = "../src/tui/mod.rs"]
mod tui;
// The TUI starts its sessions through the binary's demo_start.
#[allow(dead_code)]
#[path = "../src/cli"]
mod cli {
    pub mod demo_start;
}

/// The large demo's 10,000 shoots, fetched once.
fn shoots() -> &'static [Shoot] {
    static SHOOTS: OnceLock<Vec<Shoot>> = OnceLock::new();
    SHOOTS.get_or_init(fetch_shoots)
}

fn fetch_shoots() -> Vec<Shoot> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
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
    })
}

fn landscape() -> Landscape {
    let mut ls = Landscape::new();
    ls.apply(Update::Relisted(
        Kind::Shoot,
        shoots().iter().cloned().map(KubeObject::from).collect(),
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

/// A filter keystroke as the console handles it (parse, filter, sort, keep
/// the selection) over 100,000 shoot rows: the demo's 10,000 ten times over,
/// as in `benches/landscape.rs`'s `filter` group.
fn keystroke(c: &mut Criterion) {
    let base = rows::shoot_rows(&landscape());
    let many: Vec<rows::ShootRow> = (0..10)
        .flat_map(|i| {
            base.iter().map(move |r| {
                let mut r = r.clone();
                r.name = format!("{}-{i}", r.name);
                r
            })
        })
        .collect();
    assert_eq!(many.len(), 100_000);
    let mut bench = tui::KeystrokeBench::new(many);
    let mut g = c.benchmark_group("keystroke");
    g.throughput(Throughput::Elements(100_000));
    for expr in ["w", "web", "web seed:fra", "!health:healthy prod"] {
        assert!(bench.type_filter(expr) > 0, "{expr} shows shoots");
        g.bench_function(format!("100k_shoots/{expr}"), |b| {
            b.iter(|| bench.type_filter(expr))
        });
    }
    // The selection is the last of 100,000 rows shown.
    bench.type_filter("w");
    bench.select_last_shown();
    g.bench_function("100k_shoots/w with the last row selected", |b| {
        b.iter(|| bench.type_filter("w"))
    });
    // A watch event changed a row since the last keystroke: the kept sort
    // order is repaired for it, not rebuilt.
    g.bench_function("100k_shoots/w after a row change", |b| {
        b.iter(|| {
            bench.row_changed();
            bench.type_filter("w")
        })
    });
    g.finish();
}

criterion_group!(benches, frame, keystroke);
criterion_main!(benches);
