//! `kclm debug sync`: how long a full landscape sync takes (used by
//! `benches/landscape.sh`; peak memory is measured from outside).

use std::time::{Duration, Instant};

use kclm::landscape::Landscape;
use serde_json::json;

use super::args::GlobalArgs;
use super::{CliError, connect};

pub async fn sync(global: &GlobalArgs, timeout: u64) -> Result<(), CliError> {
    let started = Instant::now();
    let target = connect::require_target(global)?;
    connect::log_in(&target).await;
    let mut session = super::demo_start::session(&target, Default::default()).await?;
    let mut ls = Landscape::new();
    let settled = session
        .wait_settled(&mut ls, Duration::from_secs(timeout))
        .await;
    let elapsed = started.elapsed();
    session.shutdown().await;
    let states: serde_json::Map<String, serde_json::Value> = ls
        .sources
        .iter()
        .map(|(k, s)| (k.plural().to_string(), json!(s.short())))
        .collect();
    let out = json!({
        "settled": settled,
        "elapsed_ms": elapsed.as_millis() as u64,
        "counts": {
            "shoots": ls.shoots.len(), "seeds": ls.seeds.len(), "projects": ls.projects.len(),
            "cloudprofiles": ls.cloudprofiles.len(), "machines": ls.machines.len(),
            "firewalls": ls.firewalls.len(), "clusters": ls.clusters.len(),
        },
        "sources": states,
    });
    println!("{out}");
    if settled {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "landscape did not sync within {timeout}s"
        )))
    }
}
