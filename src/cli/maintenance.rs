//! `kclm maintenance`: the on-call question in one command. It reports; it does
//! not judge: open windows are not an error (exit 0).

use std::time::Duration;

use kclm::landscape::{Kind, Landscape, SourceState};
use kclm::maintenance;

use super::args::{GlobalArgs, MaintenanceArgs, MaintenanceOutput};
use super::{CliError, connect};

pub async fn run(global: &GlobalArgs, args: &MaintenanceArgs) -> Result<(), CliError> {
    let within = maintenance::parse_duration(&args.within)
        .map_err(|e| CliError::Usage(format!("--within: {e}")))?;
    let now = match &args.at {
        Some(at) => at
            .parse::<jiff::Timestamp>()
            .map_err(|e| CliError::Usage(format!("--at {at:?}: not an RFC 3339 instant: {e}")))?,
        None => jiff::Timestamp::now(),
    };
    let tz = match &args.tz {
        Some(name) => jiff::tz::TimeZone::get(name)
            .map_err(|e| CliError::Usage(format!("--tz {name:?}: {e}")))?,
        None => jiff::tz::TimeZone::system(),
    };
    let target = connect::require_target(global)?;
    connect::log_in(&target).await;
    let opts = kclm::session::SessionOptions {
        kinds: vec![Kind::Shoot, Kind::CloudProfile, Kind::Project],
        ..Default::default()
    };
    let mut session = super::demo_start::session(&target, opts).await?;
    let mut ls = Landscape::new();
    session
        .wait_settled(&mut ls, Duration::from_secs(args.timeout))
        .await;
    session.shutdown().await;
    for kind in [Kind::Shoot, Kind::CloudProfile] {
        match ls.sources.get(&kind) {
            Some(SourceState::Synced) => {}
            Some(SourceState::Error(r)) | Some(SourceState::Unavailable(r)) => {
                return Err(CliError::Failed(format!("{}: {r}", kind.plural())));
            }
            _ => {
                return Err(CliError::Failed(format!(
                    "{} did not sync within {}s",
                    kind.plural(),
                    args.timeout
                )));
            }
        }
    }
    let reports = maintenance::report(&ls, now, within, &tz);
    let json = args.output == MaintenanceOutput::Json;
    let text = maintenance::render(&reports, json, &tz);
    if json {
        print!("{text}");
    } else {
        // the report quotes served text (shoot names, purposes, windows)
        print!("{}", kclm::text::escape_lines(&text));
    }
    Ok(())
}
