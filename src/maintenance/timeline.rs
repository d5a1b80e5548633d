//! A timeline of maintenance windows for the TUI: one lane per seed or
//! project, each holding the window occurrences inside `[now, now + span)`.
//! Plain data; the TUI decides how to draw it.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::window::MaintenanceWindow;
use crate::landscape::store::Landscape;

/// Lane name for shoots not (yet) scheduled onto a seed.
pub const UNSCHEDULED: &str = "<unscheduled>";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Seed,
    Project,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub start: Timestamp,
    pub end: Timestamp,
    pub group_by: GroupBy,
    /// Local full hours in the display zone inside the span, for the axis.
    /// DST-aware: on a spring-forward day the skipped hour has no mark, on a
    /// fall-back day the repeated hour has two.
    pub hour_marks: Vec<HourMark>,
    /// Sorted by name; lanes without any interval in the span are omitted.
    pub lanes: Vec<Lane>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HourMark {
    pub at: Timestamp,
    pub local_hour: i8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lane {
    pub name: String,
    /// Sorted by start, then shoot; overlapping intervals are all kept.
    pub intervals: Vec<Interval>,
}

/// One window occurrence, clipped to the timeline span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interval {
    pub shoot: String,
    pub namespace: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The occurrence began before the span (it is open at `now`).
    pub clipped_start: bool,
    /// The occurrence ends after the span.
    pub clipped_end: bool,
}

/// Builds the timeline for `[now, now + span)`.
pub fn timeline(
    ls: &Landscape,
    now: Timestamp,
    span: SignedDuration,
    group_by: GroupBy,
    tz: &TimeZone,
) -> Timeline {
    let end = now
        .checked_add(span.max(SignedDuration::ZERO))
        .unwrap_or(now);
    let mut lanes: std::collections::BTreeMap<String, Vec<Interval>> = Default::default();
    for shoot in ls.shoots.values() {
        let Some(window) = shoot
            .spec
            .maintenance
            .as_ref()
            .and_then(|m| m.time_window.as_ref())
            .and_then(|tw| MaintenanceWindow::from_model(tw).ok())
        else {
            continue;
        };
        let lane = match group_by {
            GroupBy::Seed => shoot.seed_name().unwrap_or(UNSCHEDULED).to_string(),
            GroupBy::Project => ls.project_name_of_namespace(shoot.namespace()),
        };
        for occ in window.occurrences(now, end) {
            lanes.entry(lane.clone()).or_default().push(Interval {
                shoot: shoot.name().to_string(),
                namespace: shoot.namespace().to_string(),
                start: occ.start.max(now),
                end: occ.end.min(end),
                clipped_start: occ.start < now,
                clipped_end: occ.end > end,
            });
        }
    }
    let lanes = lanes
        .into_iter()
        .map(|(name, mut intervals)| {
            intervals.sort_by(|a, b| {
                (a.start, &a.namespace, &a.shoot).cmp(&(b.start, &b.namespace, &b.shoot))
            });
            Lane { name, intervals }
        })
        .collect();
    Timeline {
        start: now,
        end,
        group_by,
        hour_marks: hour_marks(now, end, tz),
        lanes,
    }
}

/// Real-world offsets are multiples of 15 minutes, so stepping through
/// quarter hours finds every local full hour, including both in a fold.
fn hour_marks(from: Timestamp, to: Timestamp, tz: &TimeZone) -> Vec<HourMark> {
    const QUARTER: i64 = 900;
    let mut out = Vec::new();
    let mut s = from.as_second().div_euclid(QUARTER) * QUARTER;
    let end = to.as_second();
    while s < end {
        if let Ok(t) = Timestamp::from_second(s)
            && t >= from
        {
            let dt = tz.to_datetime(t);
            if dt.minute() == 0 && dt.second() == 0 {
                out.push(HourMark {
                    at: t,
                    local_hour: dt.hour(),
                });
            }
        }
        s += QUARTER;
    }
    out
}
