//! Next hibernation and wake-up instants from `spec.hibernation.schedules`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::cron::CronSchedule;
use super::shoot::{HibernationInfo, Warning, WarningKind, warn};
use super::{rfc3339_local, rfc3339_utc};
use crate::model::gardener::Shoot;

/// Each schedule is evaluated in its `location` (default UTC); the earliest
/// `start` is the next hibernation, the earliest `end` the next wake-up.
/// Broken schedules are skipped with a warning; the others still count.
pub(super) fn hibernation_info(
    shoot: &Shoot,
    now: Timestamp,
    tz: &TimeZone,
    warnings: &mut Vec<Warning>,
) -> HibernationInfo {
    let mut next_hibernate: Option<Timestamp> = None;
    let mut next_wake: Option<Timestamp> = None;
    let schedules = shoot
        .spec
        .hibernation
        .as_ref()
        .and_then(|h| h.schedules.as_deref())
        .unwrap_or(&[]);
    for sched in schedules {
        let location = sched.location.as_deref().unwrap_or("UTC");
        let zone = match TimeZone::get(location) {
            Ok(z) => z,
            Err(e) => {
                warnings.push(warn(
                    WarningKind::InvalidHibernationSchedule,
                    format!("unknown location `{location}`: {e}"),
                    None,
                ));
                continue;
            }
        };
        for (expr, slot) in [
            (sched.start.as_deref(), &mut next_hibernate),
            (sched.end.as_deref(), &mut next_wake),
        ] {
            let Some(expr) = expr else { continue };
            match CronSchedule::parse(expr) {
                Ok(c) => {
                    if let Some(t) = c.next_after(now, &zone)
                        && slot.is_none_or(|cur| t < cur)
                    {
                        *slot = Some(t);
                    }
                }
                Err(e) => warnings.push(warn(
                    WarningKind::InvalidHibernationSchedule,
                    e.to_string(),
                    None,
                )),
            }
        }
    }
    HibernationInfo {
        enabled: shoot.hibernation_enabled(),
        hibernated: shoot.is_hibernated(),
        next_hibernate_utc: next_hibernate.map(rfc3339_utc),
        next_hibernate_local: next_hibernate.map(|t| rfc3339_local(t, tz)),
        next_wake_up_utc: next_wake.map(rfc3339_utc),
        next_wake_up_local: next_wake.map(|t| rfc3339_local(t, tz)),
    }
}
