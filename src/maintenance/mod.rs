//! Maintenance-window logic: what will change in the landscape in the next
//! hours, and which shoots are in their maintenance window right now.
//!
//! Everything here is a pure function of the landscape (or one shoot and its
//! CloudProfile), the instant `now`, a horizon and a display time zone. Nothing
//! reads the clock or does I/O, so the CLI, the TUI and tests can pin `now`.
//!
//! - [`window`]: `HHMMSS±HHMM` time windows, open/next occurrence, bounds.
//! - [`cron`]: hibernation schedules (5-field cron, robfig/cron DST semantics).
//! - [`versions`]: CloudProfile lifecycle, auto and forced updates.
//! - [`shoot`]: the per-shoot facts ([`ShootMaintenance`]) for a detail pane;
//!   `updates` decides the planned version updates, `hibernation` the schedule.
//! - [`report`]: the landscape report behind `kclm maintenance`.
//! - [`timeline`]: per-seed/per-project lanes of windows for the TUI.
//! - [`render`]: table/JSON output and the `--within` duration parser.

pub mod cron;
mod hibernation;
pub mod render;
pub mod report;
pub mod shoot;
pub mod timeline;
mod updates;
pub mod versions;
pub mod window;

#[cfg(test)]
mod tests;

use jiff::Timestamp;
use jiff::tz::TimeZone;

pub use render::{human_duration, parse_duration, render, render_json, render_table};
pub use report::report;
pub use shoot::{
    Action, ActionKind, HibernationInfo, LastMaintenanceInfo, PreconditionsInfo, ShootMaintenance,
    Warning, WarningKind, WindowInfo, for_shoot, shoot_maintenance,
};
pub use timeline::{GroupBy, Interval, Lane, Timeline, timeline};
pub use window::{MaintenanceWindow, Occurrence, WindowIssue, WindowStatus};

/// Errors from parsing maintenance-related user input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MaintenanceError {
    #[error("invalid maintenance time `{value}`: {reason}")]
    InvalidWindowTime { value: String, reason: String },
    #[error("maintenance window `{begin}`-`{end}` is empty: begin and end are the same instant")]
    EmptyWindow { begin: String, end: String },
    #[error("invalid cron schedule `{expr}`: {reason}")]
    InvalidCron { expr: String, reason: String },
    #[error("unknown time zone `{name}`: {reason}")]
    InvalidTimeZone { name: String, reason: String },
    #[error("invalid duration `{value}`: {reason}")]
    InvalidDuration { value: String, reason: String },
}

/// RFC 3339 in UTC, e.g. `2026-03-29T01:00:00Z`.
pub fn rfc3339_utc(t: Timestamp) -> String {
    t.to_string()
}

/// RFC 3339 with the display zone's offset at that instant, e.g.
/// `2026-03-29T03:00:00+02:00`.
pub fn rfc3339_local(t: Timestamp, tz: &TimeZone) -> String {
    t.display_with_offset(tz.to_offset(t)).to_string()
}
