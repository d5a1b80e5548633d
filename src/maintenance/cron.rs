//! Standard 5-field cron expressions as used in Gardener hibernation schedules
//! (robfig/cron `ParseStandard`): `minute hour day-of-month month day-of-week`
//! with `*`, `?`, lists, ranges, steps, month/day names and the `@daily`-style
//! descriptors, plus an optional `CRON_TZ=`/`TZ=` prefix.
//!
//! DST follows robfig/cron v3, which Gardener runs: the schedule is matched
//! against local wall-clock times, so a time that does not exist on a
//! spring-forward day (02:30 in Europe/Berlin on 2026-03-29) is skipped for
//! that day, and a time that exists twice on a fall-back day fires at both
//! instants.

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

use super::MaintenanceError;

/// How far ahead to look for a match. Eight years covers `0 0 29 2 *` across a
/// skipped leap year (2100); anything not matching by then never matches.
const SEARCH_DAYS: i32 = 8 * 366;

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct CronSchedule {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    /// robfig: if either day field starts with `*`/`?`, both must match;
    /// otherwise either may.
    dom_star: bool,
    dow_star: bool,
    /// From a `CRON_TZ=`/`TZ=` prefix; overrides the caller's location.
    pub time_zone: Option<TimeZone>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// Value of the first name (`jan` = 1, `sun` = 0).
    names_base: u32,
}

const F_MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
    names_base: 0,
};
const F_HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
    names_base: 0,
};
const F_DOM: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
    names_base: 0,
};
const F_MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &MONTHS,
    names_base: 1,
};
const F_DOW: Field = Field {
    name: "day of week",
    min: 0,
    max: 6,
    names: &DAYS,
    names_base: 0,
};

impl CronSchedule {
    pub fn parse(expr: &str) -> Result<Self, MaintenanceError> {
        let err = |reason: String| MaintenanceError::InvalidCron {
            expr: expr.to_string(),
            reason,
        };
        let mut rest = expr.trim();
        let mut time_zone = None;
        if let Some(after) = rest
            .strip_prefix("CRON_TZ=")
            .or_else(|| rest.strip_prefix("TZ="))
        {
            let (name, tail) = after
                .split_once(char::is_whitespace)
                .ok_or_else(|| err("time zone prefix without a schedule".into()))?;
            time_zone = Some(
                TimeZone::get(name).map_err(|e| err(format!("unknown time zone `{name}`: {e}")))?,
            );
            rest = tail.trim();
        }
        let expanded = match rest {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            d if d.starts_with('@') => {
                return Err(err(format!(
                    "descriptor `{d}` is not supported (use @yearly, @monthly, @weekly, @daily or @hourly)"
                )));
            }
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), got {}",
                fields.len()
            )));
        }
        let (minutes, _) = parse_field(fields[0], &F_MINUTE).map_err(&err)?;
        let (hours, _) = parse_field(fields[1], &F_HOUR).map_err(&err)?;
        let (dom, dom_star) = parse_field(fields[2], &F_DOM).map_err(&err)?;
        let (months, _) = parse_field(fields[3], &F_MONTH).map_err(&err)?;
        let (dow, dow_star) = parse_field(fields[4], &F_DOW).map_err(&err)?;
        // The field maxima checked in parse_field keep every bit set within its width.
        Ok(Self {
            minutes,
            hours: u32::try_from(hours).unwrap_or(0),
            days_of_month: u32::try_from(dom).unwrap_or(0),
            months: u16::try_from(months).unwrap_or(0),
            days_of_week: u8::try_from(dow).unwrap_or(0),
            dom_star,
            dow_star,
            time_zone,
        })
    }

    fn day_matches(&self, date: Date) -> bool {
        let month = u32::try_from(date.month()).unwrap_or(0);
        if self.months & (1 << month) == 0 {
            return false;
        }
        let dom_ok = self.days_of_month & (1 << date.day()) != 0;
        let dow_ok = self.days_of_week & (1 << date.weekday().to_sunday_zero_offset()) != 0;
        if self.dom_star || self.dow_star {
            dom_ok && dow_ok
        } else {
            dom_ok || dow_ok
        }
    }

    /// The first instant strictly after `after` at which the schedule fires,
    /// evaluated in the `CRON_TZ` prefix zone if given, else in `tz`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let tz = self.time_zone.as_ref().unwrap_or(tz);
        let mut date = tz.to_datetime(after).date();
        for _ in 0..SEARCH_DAYS {
            if self.day_matches(date)
                && let Some(t) = self.first_on(date, after, tz)
            {
                return Some(t);
            }
            date = date.checked_add(1.day()).ok()?;
        }
        None
    }

    /// The earliest firing on `date` after `after`. Instants are collected per
    /// day rather than taken in wall-clock order because in a fold the second
    /// 01:30 comes after the first 01:45.
    fn first_on(&self, date: Date, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let mut best: Option<Timestamp> = None;
        for hour in 0..24i8 {
            if self.hours & (1 << hour) == 0 {
                continue;
            }
            for minute in 0..60i8 {
                if self.minutes & (1 << minute) == 0 {
                    continue;
                }
                let dt: DateTime = date.at(hour, minute, 0, 0);
                for t in instants(tz, dt).into_iter().flatten() {
                    if t > after && best.is_none_or(|b| t < b) {
                        best = Some(t);
                    }
                }
            }
        }
        best
    }
}

/// Every instant a wall-clock time denotes: none in a gap, two in a fold.
fn instants(tz: &TimeZone, dt: DateTime) -> [Option<Timestamp>; 2] {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => [offset.to_timestamp(dt).ok(), None],
        AmbiguousOffset::Gap { .. } => [None, None],
        AmbiguousOffset::Fold { before, after } => {
            [before.to_timestamp(dt).ok(), after.to_timestamp(dt).ok()]
        }
    }
}

/// Parses one field into a bit set; the bool says whether it starts with `*`/`?`.
fn parse_field(spec: &str, f: &Field) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    for part in spec.split(',') {
        bits |= parse_part(part, f)?;
    }
    Ok((bits, spec.starts_with('*') || spec.starts_with('?')))
}

fn parse_part(part: &str, f: &Field) -> Result<u64, String> {
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => {
            let step: u32 = s
                .parse()
                .map_err(|_| format!("{}: step `{s}` is not a number", f.name))?;
            if step == 0 {
                return Err(format!("{}: step must be at least 1", f.name));
            }
            (r, Some(step))
        }
        None => (part, None),
    };
    let (lo, hi) = if range == "*" || range == "?" {
        (f.min, f.max)
    } else if let Some((a, b)) = range.split_once('-') {
        (value(a, f)?, value(b, f)?)
    } else {
        let v = value(range, f)?;
        // robfig: `5/15` means 5 to the end in steps of 15.
        (v, if step.is_some() { f.max } else { v })
    };
    if lo > hi {
        return Err(format!("{}: range `{range}` runs backwards", f.name));
    }
    let step = step.unwrap_or(1);
    let mut bits = 0u64;
    let mut v = lo;
    while v <= hi {
        bits |= 1 << v;
        v += step;
    }
    Ok(bits)
}

fn value(s: &str, f: &Field) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        // Name tables have at most 12 entries.
        return Ok(u32::try_from(i).unwrap_or(0) + f.names_base);
    }
    let v: u32 = s
        .parse()
        .map_err(|_| format!("{}: `{s}` is not a number or name", f.name))?;
    if v < f.min || v > f.max {
        return Err(format!("{}: {v} is outside {}-{}", f.name, f.min, f.max));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }
    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("tz")
    }
    fn next(expr: &str, after: &str, zone: &str) -> Option<Timestamp> {
        CronSchedule::parse(expr)
            .expect("valid cron")
            .next_after(t(after), &tz(zone))
    }

    #[test]
    fn weekdays_evening_in_berlin() {
        // Friday 2026-05-01 18:00 local -> next is 19:00 local Friday.
        assert_eq!(
            next("0 19 * * MON-FRI", "2026-05-01T16:00:00Z", "Europe/Berlin"),
            Some(t("2026-05-01T17:00:00Z"))
        );
        // After Friday's run the next is Monday.
        assert_eq!(
            next("0 19 * * MON-FRI", "2026-05-01T17:00:00Z", "Europe/Berlin"),
            Some(t("2026-05-04T17:00:00Z"))
        );
    }

    #[test]
    fn lists_ranges_steps() {
        assert_eq!(
            next("*/15 * * * *", "2026-05-01T10:07:00Z", "UTC"),
            Some(t("2026-05-01T10:15:00Z"))
        );
        assert_eq!(
            next("5/20 * * * *", "2026-05-01T10:46:00Z", "UTC"),
            Some(t("2026-05-01T11:05:00Z"))
        );
        assert_eq!(
            next("0 8,12,18 * * *", "2026-05-01T12:00:00Z", "UTC"),
            Some(t("2026-05-01T18:00:00Z"))
        );
        assert_eq!(
            next("30 1-5/2 * * *", "2026-05-01T01:30:00Z", "UTC"),
            Some(t("2026-05-01T03:30:00Z"))
        );
        assert_eq!(
            next("0 0 * jan,jul sun", "2026-05-01T00:00:00Z", "UTC"),
            Some(t("2026-07-05T00:00:00Z"))
        );
    }

    #[test]
    fn day_fields_or_when_both_restricted() {
        // 1st of the month OR Monday: from Fri 2026-05-01 12:00 the next is Mon 05-04.
        assert_eq!(
            next("0 0 1 * MON", "2026-05-01T12:00:00Z", "UTC"),
            Some(t("2026-05-04T00:00:00Z"))
        );
        // With a star in dom, dow alone decides.
        assert_eq!(
            next("0 0 * * MON", "2026-05-01T12:00:00Z", "UTC"),
            Some(t("2026-05-04T00:00:00Z"))
        );
        // */2 counts as a star: both must match (odd day AND Monday).
        assert_eq!(
            next("0 0 */2 * MON", "2026-05-01T12:00:00Z", "UTC"),
            Some(t("2026-05-11T00:00:00Z"))
        );
    }

    #[test]
    fn month_ends_and_leap_days() {
        assert_eq!(
            next("0 0 31 * *", "2026-04-01T00:00:00Z", "UTC"),
            Some(t("2026-05-31T00:00:00Z"))
        );
        assert_eq!(
            next("0 12 29 2 *", "2026-01-01T00:00:00Z", "UTC"),
            Some(t("2028-02-29T12:00:00Z"))
        );
        assert_eq!(
            next("59 23 * * *", "2026-12-31T23:59:00Z", "UTC"),
            Some(t("2027-01-01T23:59:00Z"))
        );
        assert_eq!(next("0 0 30 2 *", "2026-01-01T00:00:00Z", "UTC"), None);
    }

    #[test]
    fn spring_forward_gap_is_skipped() {
        // Europe/Berlin jumps 02:00 -> 03:00 on 2026-03-29; 02:30 does not exist.
        assert_eq!(
            next("30 2 * * *", "2026-03-28T12:00:00Z", "Europe/Berlin"),
            Some(t("2026-03-30T00:30:00Z"))
        );
        // The US jumps on 2026-03-08.
        assert_eq!(
            next("30 2 * * *", "2026-03-08T05:00:00Z", "America/New_York"),
            Some(t("2026-03-09T06:30:00Z"))
        );
        // Hourly keeps going across the jump, simply without the 02:00 slot.
        assert_eq!(
            next("0 * * * *", "2026-03-29T00:00:00Z", "Europe/Berlin"),
            Some(t("2026-03-29T01:00:00Z"))
        );
    }

    #[test]
    fn fall_back_fold_fires_twice() {
        // Europe/Berlin repeats 02:00-03:00 on 2026-10-25 (CEST then CET).
        let first = next("30 2 * * *", "2026-10-24T12:00:00Z", "Europe/Berlin");
        assert_eq!(first, Some(t("2026-10-25T00:30:00Z")));
        let second = next("30 2 * * *", "2026-10-25T00:30:00Z", "Europe/Berlin");
        assert_eq!(second, Some(t("2026-10-25T01:30:00Z")));
        let third = next("30 2 * * *", "2026-10-25T01:30:00Z", "Europe/Berlin");
        assert_eq!(third, Some(t("2026-10-26T01:30:00Z")));
        // New York repeats 01:00-02:00 on 2026-11-01; order is by instant, not wall clock.
        let from = t("2026-11-01T05:40:00Z"); // 01:40 EDT
        let s = CronSchedule::parse("30,45 1 * * *").unwrap();
        let a = s.next_after(from, &tz("America/New_York"));
        assert_eq!(a, Some(t("2026-11-01T05:45:00Z"))); // 01:45 EDT
        let b = s.next_after(t("2026-11-01T05:45:00Z"), &tz("America/New_York"));
        assert_eq!(b, Some(t("2026-11-01T06:30:00Z"))); // 01:30 EST
    }

    #[test]
    fn tz_prefix_and_descriptors() {
        let s = CronSchedule::parse("CRON_TZ=America/New_York 0 7 * * *").unwrap();
        assert_eq!(
            s.next_after(t("2026-05-01T00:00:00Z"), &TimeZone::UTC),
            Some(t("2026-05-01T11:00:00Z"))
        );
        assert_eq!(
            next("@daily", "2026-05-01T10:00:00Z", "UTC"),
            Some(t("2026-05-02T00:00:00Z"))
        );
        assert_eq!(
            next("@weekly", "2026-05-01T10:00:00Z", "UTC"),
            Some(t("2026-05-03T00:00:00Z"))
        );
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 7",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "* * * foo *",
            "@every 1h",
            "TZ=Mars/Base 0 0 * * *",
            "TZ=UTC",
        ] {
            assert!(
                CronSchedule::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let msg = CronSchedule::parse("0 25 * * *").unwrap_err().to_string();
        assert!(msg.contains("0 25 * * *") && msg.contains("hour"), "{msg}");
    }
}
