//! Window instants shown in display zones across the 2026 DST changes.

use super::{fixture, t, tz};
use crate::maintenance::shoot_maintenance;

/// Start/end of the occurrence reported at `now`, shown in `zone`.
fn local_window(begin: &str, end: &str, now: &str, zone: &str) -> (String, String) {
    let s = fixture("d", "garden-x", "s", Some((begin, end)), "1.33.1", "");
    let m = shoot_maintenance(&s, None, "x", t(now), &tz(zone));
    let w = m.window.expect("window");
    (w.start_local, w.end_local)
}

#[test]
fn berlin_display_across_dst() {
    // 00:30-02:30 UTC. Spring forward 2026-03-29 at 01:00 UTC: the window starts
    // in CET and ends in CEST.
    let (s, e) = local_window(
        "003000+0000",
        "023000+0000",
        "2026-03-29T00:00:00Z",
        "Europe/Berlin",
    );
    assert_eq!(
        (s.as_str(), e.as_str()),
        ("2026-03-29T01:30:00+01:00", "2026-03-29T04:30:00+02:00")
    );
    // Fall back 2026-10-25 at 01:00 UTC: starts 02:30 CEST, ends 03:30 CET (the 02:xx hour repeats).
    let (s, e) = local_window(
        "003000+0000",
        "023000+0000",
        "2026-10-25T00:00:00Z",
        "Europe/Berlin",
    );
    assert_eq!(
        (s.as_str(), e.as_str()),
        ("2026-10-25T02:30:00+02:00", "2026-10-25T03:30:00+01:00")
    );
    // The same +0100 window is 22:00 local in winter and 23:00 local in summer.
    let (winter, _) = local_window(
        "220000+0100",
        "230000+0100",
        "2026-03-28T12:00:00Z",
        "Europe/Berlin",
    );
    let (summer, _) = local_window(
        "220000+0100",
        "230000+0100",
        "2026-03-29T12:00:00Z",
        "Europe/Berlin",
    );
    assert_eq!(winter, "2026-03-28T22:00:00+01:00");
    assert_eq!(summer, "2026-03-29T23:00:00+02:00");
}

#[test]
fn new_york_display_across_dst() {
    // 06:00-08:00 UTC across the 2026-03-08 jump at 07:00 UTC (02:00 EST -> 03:00 EDT).
    let (s, e) = local_window(
        "060000+0000",
        "080000+0000",
        "2026-03-08T00:00:00Z",
        "America/New_York",
    );
    assert_eq!(
        (s.as_str(), e.as_str()),
        ("2026-03-08T01:00:00-05:00", "2026-03-08T04:00:00-04:00")
    );
    // 2026-11-01 at 06:00 UTC 02:00 EDT becomes 01:00 EST.
    let (s, e) = local_window(
        "053000+0000",
        "063000+0000",
        "2026-11-01T00:00:00Z",
        "America/New_York",
    );
    assert_eq!(
        (s.as_str(), e.as_str()),
        ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00")
    );
    // A -0500 window keeps its UTC instant, so local EDT shows it an hour later.
    let (s, _) = local_window(
        "220000-0500",
        "230000-0500",
        "2026-07-01T12:00:00Z",
        "America/New_York",
    );
    assert_eq!(s, "2026-07-01T23:00:00-04:00");
}
