//! Gardener maintenance time windows (`spec.maintenance.timeWindow`).
//!
//! A window is a daily interval given as two `HHMMSS±HHMM` wall-clock times with
//! fixed UTC offsets. Because the offsets are fixed, a window recurs at the same
//! UTC time every day; DST only matters when the instants are shown in a
//! display time zone. Occurrences are half-open: open exactly at `begin`,
//! closed exactly at `end`.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::MaintenanceError;

const DAY: i64 = 86_400;

/// Gardener rejects windows shorter than this (`MinMaintenanceTimeWindowDuration`).
pub const MIN_DURATION: SignedDuration = SignedDuration::from_mins(30);
/// Gardener rejects windows longer than this (`MaxMaintenanceTimeWindowDuration`).
pub const MAX_DURATION: SignedDuration = SignedDuration::from_hours(6);

/// One end of a window: a wall-clock time with a fixed UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowTime {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Seconds east of UTC.
    pub offset_seconds: i32,
}

impl WindowTime {
    /// Parses `HHMMSS+HHMM` / `HHMMSS-HHMM`.
    ///
    /// Gardener's API pattern only admits whole-hour offsets (`+0100`); kclm
    /// reads what it is given and also accepts minute offsets such as `+0530`,
    /// reporting them through [`MaintenanceWindow::issues`].
    pub fn parse(s: &str) -> Result<Self, MaintenanceError> {
        let err = |reason: &str| MaintenanceError::InvalidWindowTime {
            value: s.to_string(),
            reason: reason.to_string(),
        };
        let b = s.as_bytes();
        if b.len() != 11 || !s.is_ascii() {
            return Err(err("expected HHMMSS+HHMM, e.g. 220000+0100"));
        }
        let num = |range: std::ops::Range<usize>, what: &str| -> Result<u8, MaintenanceError> {
            let part = &s[range];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err(&format!("{what} `{part}` is not a number")));
            }
            part.parse::<u8>()
                .map_err(|_| err(&format!("{what} `{part}` is not a number")))
        };
        let hour = num(0..2, "hour")?;
        let minute = num(2..4, "minute")?;
        let second = num(4..6, "second")?;
        let sign: i32 = match b[6] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(err("offset must start with + or -")),
        };
        let off_h = num(7..9, "offset hours")?;
        let off_m = num(9..11, "offset minutes")?;
        if hour > 23 {
            return Err(err("hour must be 00-23"));
        }
        if minute > 59 || second > 59 {
            return Err(err("minute and second must be 00-59"));
        }
        if off_m > 59 {
            return Err(err("offset minutes must be 00-59"));
        }
        let offset_seconds = sign * (i32::from(off_h) * 3600 + i32::from(off_m) * 60);
        // The same bounds as Gardener's pattern: +00..+14, -00..-12.
        if !(-12 * 3600..=14 * 3600).contains(&offset_seconds) {
            return Err(err("offset must be between -1200 and +1400"));
        }
        Ok(Self {
            hour,
            minute,
            second,
            offset_seconds,
        })
    }

    /// Second of the UTC day this wall-clock time falls on.
    fn utc_second_of_day(self) -> i64 {
        let local =
            i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        (local - i64::from(self.offset_seconds)).rem_euclid(DAY)
    }

    fn whole_hour_offset(self) -> bool {
        self.offset_seconds % 3600 == 0
    }
}

/// Why a window would not pass Gardener's validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowIssue {
    /// Shorter than 30 minutes.
    TooShort,
    /// Longer than 6 hours.
    TooLong,
    /// An offset with minutes (`+0530`): not admitted by Gardener's pattern.
    NonWholeHourOffset,
}

impl WindowIssue {
    pub fn describe(self) -> &'static str {
        match self {
            WindowIssue::TooShort => "window shorter than Gardener's 30 minute minimum",
            WindowIssue::TooLong => "window longer than Gardener's 6 hour maximum",
            WindowIssue::NonWholeHourOffset => {
                "offset with minutes; Gardener only accepts whole-hour offsets"
            }
        }
    }
}

/// One concrete occurrence of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Occurrence {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }
}

/// Where a window stands relative to `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowStatus {
    /// The occurrence that is open now, or else the next one to open.
    pub occurrence: Occurrence,
    pub open_now: bool,
}

impl WindowStatus {
    /// Time until the occurrence opens; zero while it is open.
    pub fn starts_in(&self, now: Timestamp) -> SignedDuration {
        if self.open_now {
            SignedDuration::ZERO
        } else {
            self.occurrence.start.duration_since(now)
        }
    }
    /// Time until the occurrence closes (the remaining time while open).
    pub fn ends_in(&self, now: Timestamp) -> SignedDuration {
        self.occurrence.end.duration_since(now)
    }
}

/// A parsed daily maintenance window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceWindow {
    pub begin_raw: String,
    pub end_raw: String,
    pub begin: WindowTime,
    pub end: WindowTime,
}

impl MaintenanceWindow {
    pub fn parse(begin: &str, end: &str) -> Result<Self, MaintenanceError> {
        let window = Self {
            begin_raw: begin.to_string(),
            end_raw: end.to_string(),
            begin: WindowTime::parse(begin)?,
            end: WindowTime::parse(end)?,
        };
        if window.duration_seconds() == 0 {
            return Err(MaintenanceError::EmptyWindow {
                begin: begin.to_string(),
                end: end.to_string(),
            });
        }
        Ok(window)
    }

    /// From the model's `spec.maintenance.timeWindow`.
    pub fn from_model(tw: &crate::model::gardener::TimeWindow) -> Result<Self, MaintenanceError> {
        Self::parse(&tw.begin, &tw.end)
    }

    fn begin_second(&self) -> i64 {
        self.begin.utc_second_of_day()
    }

    /// A window whose end is earlier in the day than its begin runs across
    /// midnight, so the length wraps around the day.
    fn duration_seconds(&self) -> i64 {
        (self.end.utc_second_of_day() - self.begin_second()).rem_euclid(DAY)
    }

    pub fn duration(&self) -> SignedDuration {
        SignedDuration::from_secs(self.duration_seconds())
    }

    /// Whether the window crosses midnight UTC.
    pub fn crosses_midnight_utc(&self) -> bool {
        self.begin_second() + self.duration_seconds() > DAY
    }

    /// Everything Gardener's validation would object to; empty for a valid window.
    pub fn issues(&self) -> Vec<WindowIssue> {
        let mut out = Vec::new();
        let d = self.duration();
        if d < MIN_DURATION {
            out.push(WindowIssue::TooShort);
        }
        if d > MAX_DURATION {
            out.push(WindowIssue::TooLong);
        }
        if !self.begin.whole_hour_offset() || !self.end.whole_hour_offset() {
            out.push(WindowIssue::NonWholeHourOffset);
        }
        out
    }

    /// The occurrence starting on the UTC day `day` (days since the epoch).
    fn occurrence_on(&self, day: i64) -> Occurrence {
        let start = day * DAY + self.begin_second();
        let end = start + self.duration_seconds();
        Occurrence {
            start: ts(start),
            end: ts(end),
        }
    }

    /// The occurrence open at `now`, or else the next one.
    pub fn status(&self, now: Timestamp) -> WindowStatus {
        let today = now.as_second().div_euclid(DAY);
        // Only yesterday's occurrence can still be open today (duration < 1 day).
        for day in [today - 1, today, today + 1] {
            let occ = self.occurrence_on(day);
            if occ.contains(now) {
                return WindowStatus {
                    occurrence: occ,
                    open_now: true,
                };
            }
            if occ.start > now {
                return WindowStatus {
                    occurrence: occ,
                    open_now: false,
                };
            }
        }
        // Unreachable for a valid window: tomorrow's start is always after now.
        WindowStatus {
            occurrence: self.occurrence_on(today + 2),
            open_now: false,
        }
    }

    /// The occurrence after `occ` (one day later).
    pub fn following(&self, occ: Occurrence) -> Occurrence {
        Occurrence {
            start: ts(occ.start.as_second() + DAY),
            end: ts(occ.end.as_second() + DAY),
        }
    }

    /// Every occurrence overlapping `[from, to)`, in order, unclipped.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut day = from.as_second().div_euclid(DAY) - 1;
        loop {
            let occ = self.occurrence_on(day);
            if occ.start >= to {
                break;
            }
            if occ.end > from {
                out.push(occ);
            }
            day += 1;
        }
        out
    }
}

/// Timestamps here are whole seconds within a few days of a valid `now`, so
/// they are always in jiff's range.
fn ts(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }

    #[test]
    fn parses_offsets() {
        let w = WindowTime::parse("220000+0100").unwrap();
        assert_eq!(
            (w.hour, w.minute, w.second, w.offset_seconds),
            (22, 0, 0, 3600)
        );
        assert_eq!(
            WindowTime::parse("013000+0530").unwrap().offset_seconds,
            19_800
        );
        assert_eq!(
            WindowTime::parse("013000-0500").unwrap().offset_seconds,
            -18_000
        );
        assert_eq!(
            WindowTime::parse("013000+1400").unwrap().offset_seconds,
            50_400
        );
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            "",
            "2200+0100",
            "240000+0000",
            "226000+0000",
            "220060+0000",
            "220000*0100",
            "220000+1500",
            "220000-1300",
            "220000+0160",
            "22000a+0100",
            "220000+0100 ",
            "ääää00+0100",
        ] {
            let e = WindowTime::parse(bad);
            assert!(e.is_err(), "{bad:?} should be rejected");
        }
        let msg = WindowTime::parse("250000+0100").unwrap_err().to_string();
        assert!(msg.contains("250000+0100") && msg.contains("hour"), "{msg}");
    }

    #[test]
    fn across_midnight_duration_and_occurrence() {
        let w = MaintenanceWindow::parse("230000+0000", "010000+0000").unwrap();
        assert_eq!(w.duration(), SignedDuration::from_hours(2));
        assert!(w.crosses_midnight_utc());
        let s = w.status(t("2026-05-02T00:30:00Z"));
        assert!(s.open_now);
        assert_eq!(s.occurrence.start, t("2026-05-01T23:00:00Z"));
        assert_eq!(s.occurrence.end, t("2026-05-02T01:00:00Z"));
        assert_eq!(
            s.ends_in(t("2026-05-02T00:30:00Z")),
            SignedDuration::from_mins(30)
        );
    }

    #[test]
    fn boundaries_are_half_open() {
        let w = MaintenanceWindow::parse("220000+0100", "230000+0100").unwrap();
        let at_begin = w.status(t("2026-05-01T21:00:00Z"));
        assert!(at_begin.open_now);
        assert_eq!(
            at_begin.ends_in(t("2026-05-01T21:00:00Z")),
            SignedDuration::from_hours(1)
        );
        let at_end = w.status(t("2026-05-01T22:00:00Z"));
        assert!(!at_end.open_now);
        assert_eq!(at_end.occurrence.start, t("2026-05-02T21:00:00Z"));
        assert_eq!(
            at_end.starts_in(t("2026-05-01T22:00:00Z")),
            SignedDuration::from_hours(23)
        );
        let just_before = w.status(t("2026-05-01T20:59:59Z"));
        assert!(!just_before.open_now);
        assert_eq!(
            just_before.starts_in(t("2026-05-01T20:59:59Z")),
            SignedDuration::from_secs(1)
        );
    }

    #[test]
    fn offsets_shift_the_utc_interval() {
        // 01:30 at +05:30 is 20:00 UTC the day before.
        let w = MaintenanceWindow::parse("013000+0530", "033000+0530").unwrap();
        let s = w.status(t("2026-05-01T12:00:00Z"));
        assert_eq!(s.occurrence.start, t("2026-05-01T20:00:00Z"));
        assert_eq!(s.occurrence.end, t("2026-05-01T22:00:00Z"));
        let w = MaintenanceWindow::parse("220000-0500", "230000-0500").unwrap();
        assert_eq!(
            w.status(t("2026-05-01T12:00:00Z")).occurrence.start,
            t("2026-05-02T03:00:00Z")
        );
        // +14:00: 10:00 local is 20:00 UTC of the previous day.
        let w = MaintenanceWindow::parse("100000+1400", "110000+1400").unwrap();
        let s = w.status(t("2026-05-01T20:30:00Z"));
        assert!(s.open_now);
        assert_eq!(s.occurrence.end, t("2026-05-01T21:00:00Z"));
    }

    #[test]
    fn local_midnight_crossing_that_is_not_utc_crossing() {
        // 23:00-01:00 at +0200 is 21:00-23:00 UTC: crosses local but not UTC midnight.
        let w = MaintenanceWindow::parse("230000+0200", "010000+0200").unwrap();
        assert!(!w.crosses_midnight_utc());
        assert_eq!(w.duration(), SignedDuration::from_hours(2));
    }

    #[test]
    fn mixed_offsets_between_begin_and_end() {
        let w = MaintenanceWindow::parse("220000+0100", "220000+0000").unwrap();
        assert_eq!(w.duration(), SignedDuration::from_hours(1));
    }

    #[test]
    fn bounds() {
        let ok30 = MaintenanceWindow::parse("220000+0000", "223000+0000").unwrap();
        assert!(ok30.issues().is_empty());
        let short = MaintenanceWindow::parse("220000+0000", "222959+0000").unwrap();
        assert_eq!(short.issues(), vec![WindowIssue::TooShort]);
        let ok6h = MaintenanceWindow::parse("220000+0000", "040000+0000").unwrap();
        assert!(ok6h.issues().is_empty());
        let long = MaintenanceWindow::parse("220000+0000", "040001+0000").unwrap();
        assert_eq!(long.issues(), vec![WindowIssue::TooLong]);
        let odd = MaintenanceWindow::parse("013000+0530", "033000+0530").unwrap();
        assert_eq!(odd.issues(), vec![WindowIssue::NonWholeHourOffset]);
    }

    #[test]
    fn empty_window_is_an_error() {
        let e = MaintenanceWindow::parse("220000+0100", "210000+0000").unwrap_err();
        assert!(matches!(e, MaintenanceError::EmptyWindow { .. }));
    }

    #[test]
    fn occurrences_cover_the_range() {
        let w = MaintenanceWindow::parse("230000+0000", "010000+0000").unwrap();
        let occ = w.occurrences(t("2026-05-02T00:00:00Z"), t("2026-05-03T00:00:00Z"));
        let starts: Vec<_> = occ.iter().map(|o| o.start).collect();
        assert_eq!(
            starts,
            vec![t("2026-05-01T23:00:00Z"), t("2026-05-02T23:00:00Z")]
        );
        // The range end is exclusive: an occurrence starting exactly there is not included.
        let occ = w.occurrences(t("2026-05-02T01:00:00Z"), t("2026-05-02T23:00:00Z"));
        assert!(occ.is_empty());
    }
}
