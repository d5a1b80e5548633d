//! The landscape report behind `kclm maintenance`: every shoot whose window is
//! open now or opens within the horizon, soonest first.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::shoot::{ShootMaintenance, for_shoot};
use crate::landscape::store::Landscape;

/// Shoots whose maintenance window is open at `now` or opens within `within`
/// (inclusive), ordered by the start of that occurrence (open ones, having
/// started already, come first), then namespace and name.
///
/// Shoots without a valid window cannot be placed in time and are left out;
/// [`for_shoot`] still reports them with a warning.
pub fn report(
    ls: &Landscape,
    now: Timestamp,
    within: SignedDuration,
    tz: &TimeZone,
) -> Vec<ShootMaintenance> {
    let within = within.max(SignedDuration::ZERO);
    let mut out: Vec<ShootMaintenance> = ls
        .shoots
        .values()
        .map(|shoot| for_shoot(ls, shoot, now, tz))
        .filter(|m| m.open_now || m.start().is_some_and(|s| s.duration_since(now) <= within))
        .collect();
    out.sort_by(|a, b| (a.start(), &a.namespace, &a.name).cmp(&(b.start(), &b.namespace, &b.name)));
    out
}
