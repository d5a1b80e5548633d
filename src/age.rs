//! How old something is, in the few characters a table column has: the one
//! age formatter the CLI tables, the console and the demo's server-side tables
//! share.
//!
//! [`Style::Kubectl`] follows `duration.HumanDuration` of
//! k8s.io/apimachinery (what `kubectl get` prints in its AGE column).
//! [`Style::Compact`] is the console's: drops the second unit sooner, so below
//! a year it never needs more than five cells and below ten years six
//! (`59s`, `59m`, `9h59m`, `23h`, `9d23h`, `364d`, `2y140d`), because the
//! console's AGE columns are narrow (five or six cells). Both are ladders of the same kind — a
//! large unit, optionally followed by the next smaller one — so one function
//! walks either.

use jiff::{SignedDuration, Timestamp};

/// Which ladder of units an age is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// kubectl's AGE column: `119s`, `9m59s`, `179m`, `7h59m`, `47h`, `7d23h`,
    /// `729d`, `7y364d`, `8y`.
    Kubectl,
    /// The console's narrow columns: `59s`, `59m`, `9h59m`, `23h`, `9d23h`,
    /// `364d`, `2y140d`.
    Compact,
}

#[derive(Clone, Copy)]
enum Unit {
    S,
    M,
    H,
    D,
    Y,
}

impl Unit {
    const fn secs(self) -> i64 {
        match self {
            Unit::S => 1,
            Unit::M => 60,
            Unit::H => 3600,
            Unit::D => 86_400,
            Unit::Y => 365 * 86_400,
        }
    }
    const fn suffix(self) -> char {
        match self {
            Unit::S => 's',
            Unit::M => 'm',
            Unit::H => 'h',
            Unit::D => 'd',
            Unit::Y => 'y',
        }
    }
}

/// One rung: below `below` seconds, write `unit` and, when not zero, the
/// remainder in `then`.
struct Rung {
    below: i64,
    unit: Unit,
    then: Option<Unit>,
}

const fn rung(below: i64, unit: Unit, then: Option<Unit>) -> Rung {
    Rung { below, unit, then }
}

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// k8s.io/apimachinery/pkg/util/duration `HumanDuration`.
const KUBECTL: &[Rung] = &[
    rung(2 * MIN, Unit::S, None),
    rung(10 * MIN, Unit::M, Some(Unit::S)),
    rung(3 * HOUR, Unit::M, None),
    rung(8 * HOUR, Unit::H, Some(Unit::M)),
    rung(48 * HOUR, Unit::H, None),
    rung(8 * DAY, Unit::D, Some(Unit::H)),
    rung(2 * YEAR, Unit::D, None),
    rung(8 * YEAR, Unit::Y, Some(Unit::D)),
    rung(i64::MAX, Unit::Y, None),
];

const COMPACT: &[Rung] = &[
    rung(MIN, Unit::S, None),
    rung(HOUR, Unit::M, None),
    rung(10 * HOUR, Unit::H, Some(Unit::M)),
    rung(DAY, Unit::H, None),
    rung(10 * DAY, Unit::D, Some(Unit::H)),
    rung(YEAR, Unit::D, None),
    rung(i64::MAX, Unit::Y, Some(Unit::D)),
];

/// A duration as an age. Sub-second parts are dropped. Like kubectl, up to
/// one second in the future (clock skew) reads `0s`; more reads `<invalid>`
/// in the kubectl style and `0s` in the console's, whose narrow columns would
/// cut the word.
pub fn human_duration(d: SignedDuration, style: Style) -> String {
    let secs = d.as_secs();
    if secs < 0 {
        return if secs < -1 && style == Style::Kubectl {
            "<invalid>".into()
        } else {
            "0s".into()
        };
    }
    let ladder = match style {
        Style::Kubectl => KUBECTL,
        Style::Compact => COMPACT,
    };
    // The last rung of each ladder is unbounded, so one always matches.
    let r = ladder
        .iter()
        .find(|r| secs < r.below)
        .unwrap_or(&ladder[ladder.len() - 1]);
    let big = secs / r.unit.secs();
    let mut out = format!("{big}{}", r.unit.suffix());
    if let Some(then) = r.then {
        let small = (secs % r.unit.secs()) / then.secs();
        if small != 0 {
            out.push_str(&format!("{small}{}", then.suffix()));
        }
    }
    out
}

/// The age at `now` of an RFC 3339 timestamp as Kubernetes and metal-api send
/// it; `None` when absent or unreadable.
pub fn age(ts: Option<&str>, now: Timestamp, style: Style) -> Option<String> {
    let t = ts?.parse::<Timestamp>().ok()?;
    Some(human_duration(now.duration_since(t), style))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(secs: i64) -> String {
        human_duration(SignedDuration::from_secs(secs), Style::Kubectl)
    }
    fn c(secs: i64) -> String {
        human_duration(SignedDuration::from_secs(secs), Style::Compact)
    }

    /// Every boundary of apimachinery's HumanDuration, on both sides.
    #[test]
    fn kubectl_style_matches_human_duration_at_every_boundary() {
        let cases: &[(i64, &str)] = &[
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (9 * MIN + 59, "9m59s"),
            (10 * MIN, "10m"),
            (10 * MIN + 59, "10m"),
            (3 * HOUR - 1, "179m"),
            (3 * HOUR, "3h"),
            (3 * HOUR + 20 * MIN + 5, "3h20m"),
            (8 * HOUR - 1, "7h59m"),
            (8 * HOUR, "8h"),
            (8 * HOUR + 59 * MIN, "8h"),
            (48 * HOUR - 1, "47h"),
            (48 * HOUR, "2d"),
            (48 * HOUR + 3600, "2d1h"),
            (8 * DAY - 1, "7d23h"),
            (8 * DAY, "8d"),
            (2 * YEAR - 1, "729d"),
            (2 * YEAR, "2y"),
            (2 * YEAR + 40 * DAY, "2y40d"),
            (8 * YEAR - 1, "7y364d"),
            (8 * YEAR, "8y"),
            (8 * YEAR + 100 * DAY, "8y"),
        ];
        for (secs, want) in cases {
            assert_eq!(&k(*secs), want, "{secs}s");
        }
    }

    #[test]
    fn compact_style_fits_five_cells_below_a_year_and_six_below_ten() {
        let cases: &[(i64, &str)] = &[
            (-5, "0s"),
            (45, "45s"),
            (MIN - 1, "59s"),
            (MIN, "1m"),
            (125, "2m"),
            (HOUR - 1, "59m"),
            (HOUR, "1h"),
            (3 * HOUR + 20 * MIN + 5, "3h20m"),
            (10 * HOUR - 1, "9h59m"),
            (10 * HOUR, "10h"),
            (14 * HOUR + 59 * MIN, "14h"),
            (DAY - 1, "23h"),
            (DAY, "1d"),
            (DAY + HOUR, "1d1h"),
            (5 * DAY + 3 * HOUR, "5d3h"),
            (10 * DAY - 1, "9d23h"),
            (10 * DAY, "10d"),
            (213 * DAY + 2 * HOUR, "213d"),
            (YEAR - 1, "364d"),
            (YEAR, "1y"),
            (400 * DAY, "1y35d"),
        ];
        for (secs, want) in cases {
            assert_eq!(&c(*secs), want, "{secs}s");
        }
        for secs in (0..10 * YEAR).step_by(3_607) {
            let cells = if secs < YEAR { 5 } else { 6 };
            assert!(c(secs).len() <= cells, "{secs}s -> {}", c(secs));
        }
    }

    #[test]
    fn ages_come_from_rfc3339_timestamps() {
        let now: Timestamp = "2026-05-02T10:00:00Z".parse().unwrap();
        let kubectl = |ts| age(ts, now, Style::Kubectl);
        assert_eq!(
            kubectl(Some("2026-05-01T09:00:00Z")).as_deref(),
            Some("25h")
        );
        assert_eq!(
            age(Some("2026-05-01T09:00:00Z"), now, Style::Compact).as_deref(),
            Some("1d1h")
        );
        // sub-second precision is dropped, not rounded
        assert_eq!(
            kubectl(Some("2026-05-02T09:59:58.9Z")).as_deref(),
            Some("1s")
        );
        assert_eq!(kubectl(Some("garbage")), None);
        assert_eq!(kubectl(None), None);
    }
}
