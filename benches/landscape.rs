//! Core benchmarks at landscape scale (the `large` demo: 10,000 shoots, 10,000
//! machines, 500 seeds, 300 projects), data read through the real HTTP path.
//!
//! `cargo bench --bench landscape` measures; `cargo test --benches` runs each
//! benchmark once (CI's short mode, so they cannot rot).

use std::hint::black_box;
use std::sync::OnceLock;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kclm::filter::{Filter, FilterMatcher};
use kclm::landscape::{Kind, KubeObject, Landscape, MetalSnapshot, Update, rows};
use kclm::model::Slim;
use kclm::model::gardener::{CloudProfile, Project, Seed, Shoot};
use kclm::source::metal::{MetalAuth, MetalClient, MetalConfig};
use serde::de::DeserializeOwned;

/// Raw list bodies and metal data of the large demo, fetched once.
struct Data {
    shoots_json: Vec<u8>,
    seeds: Vec<Seed>,
    projects: Vec<Project>,
    cloudprofiles: Vec<CloudProfile>,
    machines: Vec<kclm::model::metal::Machine>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let demo = kclm::demo::start(kclm::demo::DemoOptions {
                scale: kclm::demo::Scale::Large,
                ..Default::default()
            })
            .await
            .expect("demo starts");
            kclm::source::metal::ensure_crypto_provider();
            let http = reqwest::Client::new();
            let get = |path: &str| {
                let url = format!("{}{path}", demo.kube_http_url);
                let req = http.get(url).bearer_auth("demo-admin");
                async move { req.send().await.unwrap().bytes().await.unwrap().to_vec() }
            };
            let shoots_json = get("/apis/core.gardener.cloud/v1beta1/shoots").await;
            let seeds = items(&get("/apis/core.gardener.cloud/v1beta1/seeds").await);
            let projects = items(&get("/apis/core.gardener.cloud/v1beta1/projects").await);
            let cloudprofiles =
                items(&get("/apis/core.gardener.cloud/v1beta1/cloudprofiles").await);
            let metal = MetalClient::new(&MetalConfig {
                url: demo.metal_url.clone(),
                auth: MetalAuth::Hmac {
                    key: demo.hmac_admin.clone(),
                    auth_type: demo.auth_type.clone(),
                },
            })
            .unwrap();
            let machines = metal.find_machines(serde_json::json!({})).await.unwrap();
            demo.shutdown().await;
            Data {
                shoots_json,
                seeds,
                projects,
                cloudprofiles,
                machines,
            }
        })
    })
}

fn items<T: DeserializeOwned + Clone>(body: &[u8]) -> Vec<T> {
    serde_json::from_slice::<kube::core::ObjectList<T>>(body)
        .expect("a list")
        .items
}

/// Shoots as the watchers decode them for the store.
fn shoots() -> Vec<Shoot> {
    items::<Slim<Shoot>>(&data().shoots_json)
        .into_iter()
        .map(|s| s.0)
        .collect()
}

fn loaded() -> Landscape {
    let d = data();
    let mut ls = Landscape::new();
    ls.apply(Update::Relisted(
        Kind::Shoot,
        shoots().into_iter().map(KubeObject::from).collect(),
    ));
    ls.apply(Update::Relisted(
        Kind::Seed,
        d.seeds.iter().cloned().map(KubeObject::from).collect(),
    ));
    ls.apply(Update::Relisted(
        Kind::Project,
        d.projects.iter().cloned().map(KubeObject::from).collect(),
    ));
    ls.apply(Update::Relisted(
        Kind::CloudProfile,
        d.cloudprofiles
            .iter()
            .cloned()
            .map(KubeObject::from)
            .collect(),
    ));
    ls.apply(Update::Metal(Box::new(MetalSnapshot {
        machines: Some(
            d.machines
                .iter()
                .cloned()
                .map(std::sync::Arc::new)
                .collect(),
        ),
        ..Default::default()
    })));
    ls
}

fn decode(c: &mut Criterion) {
    let body = &data().shoots_json;
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(10);
    g.bench_function("shoot_list_10k_full", |b| {
        b.iter(|| items::<Shoot>(black_box(body)))
    });
    g.bench_function("shoot_list_10k_slim", |b| {
        b.iter(|| items::<Slim<Shoot>>(black_box(body)))
    });
    g.finish();
}

fn apply_events(c: &mut Criterion) {
    // 100,000 watch events: ten modifications of each of the 10,000 shoots.
    let base = shoots();
    let events: Vec<Update> = (0..10)
        .flat_map(|round| {
            base.iter().map(move |s| {
                let mut s = s.clone();
                s.metadata.resource_version = Some(format!("{round}"));
                Update::Applied(KubeObject::from(s))
            })
        })
        .collect();
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(10);
    g.bench_function("apply_100k_watch_events", |b| {
        b.iter_batched(
            || (loaded(), events.clone()),
            |(mut ls, ev)| {
                ls.apply_all(ev);
                ls
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn build_rows(c: &mut Criterion) {
    let ls = loaded();
    let mut g = c.benchmark_group("rows");
    g.sample_size(10);
    g.bench_function("shoot_rows_10k", |b| {
        b.iter(|| rows::shoot_rows(black_box(&ls)))
    });
    g.bench_function("machine_rows_10k", |b| {
        b.iter(|| rows::machine_rows(black_box(&ls)))
    });
    g.finish();
}

fn filter_keystroke(c: &mut Criterion) {
    let ls = loaded();
    let base = rows::shoot_rows(&ls);
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
    let search = kclm::filter::SearchColumn::build(&many);
    let all: Vec<usize> = (0..many.len()).collect();
    let mut g = c.benchmark_group("filter");
    g.throughput(Throughput::Elements(many.len() as u64));
    // One core over every row with their search texts, as the console does
    // on each core for its part of the rows.
    for expr in ["w", "web", "web seed:fra", "!health:healthy prod"] {
        let f = Filter::for_rows::<rows::ShootRow>(expr).unwrap();
        g.bench_function(format!("100k_rows/{expr}"), |b| {
            let mut m = FilterMatcher::default();
            b.iter(|| f.select(&many, Some(&search), &all, &mut m, |_| true).len())
        });
    }
    // Without search texts, field by field (what `kclm get --filter` does
    // for one pass over a list).
    let f = Filter::for_rows::<rows::ShootRow>("w").unwrap();
    g.bench_function("100k_rows_field_by_field/w", |b| {
        let mut m = FilterMatcher::default();
        b.iter(|| many.iter().filter(|r| f.matches(*r, &mut m)).count())
    });
    g.finish();
}

fn maintenance_view(c: &mut Criterion) {
    let ls = loaded();
    let now: jiff::Timestamp = "2026-11-24T03:00:00Z".parse().unwrap();
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let mut g = c.benchmark_group("maintenance");
    g.sample_size(10);
    g.bench_function("report_10k_shoots_12h", |b| {
        b.iter(|| kclm::maintenance::report(&ls, now, jiff::SignedDuration::from_hours(12), &tz))
    });
    g.finish();
}

criterion_group!(
    benches,
    decode,
    apply_events,
    build_rows,
    filter_keystroke,
    maintenance_view
);
criterion_main!(benches);
