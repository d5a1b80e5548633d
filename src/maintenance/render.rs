//! Headless output of `kclm maintenance`: an aligned table or pretty JSON, and
//! the parser for `--within` durations.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::MaintenanceError;
use super::shoot::{ActionKind, ShootMaintenance};

/// Table or JSON, as `-o table|json` selects.
pub fn render(reports: &[ShootMaintenance], json: bool, tz: &TimeZone) -> String {
    if json {
        render_json(reports)
    } else {
        render_table(reports, tz)
    }
}

/// Pretty JSON array of the reports (field names are the serde names, snake_case).
pub fn render_json(reports: &[ShootMaintenance]) -> String {
    // Plain data structs with string keys: serialization cannot fail.
    serde_json::to_string_pretty(reports).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Aligned plain-text table; windows shown in `tz`.
pub fn render_table(reports: &[ShootMaintenance], tz: &TimeZone) -> String {
    if reports.is_empty() {
        return "No maintenance window is open or opens within the horizon.\n".to_string();
    }
    let zone = tz.iana_name().unwrap_or("local");
    let header = [
        "SHOOT".to_string(),
        "PROJECT".to_string(),
        "SEED".to_string(),
        format!("WINDOW({zone})"),
        "STATUS".to_string(),
        "ACTIONS".to_string(),
        "WARNINGS".to_string(),
    ];
    let rows: Vec<[String; 7]> = reports
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.project.clone(),
                r.seed.clone().unwrap_or_else(|| "-".into()),
                window_cell(r, tz),
                r.countdown.clone(),
                or_dash(actions_cell(r)),
                or_dash(warnings_cell(r)),
            ]
            // served text (seed, versions, pool names): no terminal controls
            .map(|c| crate::text::escape(&c).into_owned())
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

/// `Sun 22:00-23:00` in the display zone; the weekday is the start's.
fn window_cell(r: &ShootMaintenance, tz: &TimeZone) -> String {
    let Some(w) = &r.window else {
        return "-".into();
    };
    let start = w.occurrence.start.to_zoned_datetime(tz.clone());
    let end = w.occurrence.end.to_zoned_datetime(tz.clone());
    format!("{}-{}", start.strftime("%a %H:%M"), end.strftime("%H:%M"))
}

fn actions_cell(r: &ShootMaintenance) -> String {
    r.actions
        .iter()
        .map(|a| {
            let arrow = format!(
                "{}->{}",
                a.from.as_deref().unwrap_or("?"),
                a.to.as_deref().unwrap_or("?")
            );
            let pool = a.worker_pool.as_deref().unwrap_or("");
            match a.kind {
                ActionKind::KubernetesPatchUpdate => format!("k8s {arrow}"),
                ActionKind::KubernetesForcedUpdate => format!("k8s {arrow} (forced)"),
                ActionKind::MachineImageUpdate => format!("image {pool} {arrow}"),
                ActionKind::MachineImageForcedUpdate => format!("image {pool} {arrow} (forced)"),
                ActionKind::MaintenanceOperation => {
                    format!("op {}", a.to.as_deref().unwrap_or(""))
                }
                ActionKind::SpecRollout => "spec rollout".to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn warnings_cell(r: &ShootMaintenance) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for w in &r.warnings {
        let k = serde_json::to_value(w.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds.join(",")
}

/// Compact human duration: `1d2h`, `1h20m`, `5h`, `45m`, `30s`.
/// Negative durations are shown as their magnitude.
pub fn human_duration(d: SignedDuration) -> String {
    let secs = d.as_secs().unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h{m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d{h}h"),
    }
}

/// Parses `--within` values: one or more `<number><unit>` with units
/// `d`, `h`, `m`, `s`, e.g. `12h`, `90m`, `1h30m`, `2d`.
pub fn parse_duration(s: &str) -> Result<SignedDuration, MaintenanceError> {
    let err = |reason: &str| MaintenanceError::InvalidDuration {
        value: s.to_string(),
        reason: reason.to_string(),
    };
    if s.is_empty() {
        return Err(err("empty; use e.g. 12h, 90m, 1h30m or 2d"));
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: i64 = match c {
            'd' => 86_400,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(err(&format!("unknown unit `{c}` (use d, h, m or s)"))),
        };
        if digits.is_empty() {
            return Err(err(&format!("unit `{c}` without a number")));
        }
        let n: i64 = digits.parse().map_err(|_| err("number too large"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| err("duration too large"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(err(&format!(
            "number `{digits}` without a unit (use d, h, m or s)"
        )));
    }
    Ok(SignedDuration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let h = SignedDuration::from_hours;
        assert_eq!(parse_duration("12h").unwrap(), h(12));
        assert_eq!(
            parse_duration("90m").unwrap(),
            SignedDuration::from_mins(90)
        );
        assert_eq!(
            parse_duration("1h30m").unwrap(),
            SignedDuration::from_mins(90)
        );
        assert_eq!(parse_duration("2d").unwrap(), h(48));
        assert_eq!(
            parse_duration("1d2h3m4s").unwrap(),
            SignedDuration::from_secs(93_784)
        );
        for bad in [
            "",
            "12",
            "h",
            "1x",
            "-1h",
            "1.5h",
            "1h 30m",
            "99999999999999999999h",
            "9223372036854775807d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let msg = parse_duration("12").unwrap_err().to_string();
        assert!(msg.contains("without a unit"), "{msg}");
    }

    #[test]
    fn human_durations() {
        let s = SignedDuration::from_secs;
        assert_eq!(human_duration(s(80 * 60)), "1h20m");
        assert_eq!(human_duration(s(5 * 3600)), "5h");
        assert_eq!(human_duration(s(45 * 60 + 59)), "45m");
        assert_eq!(human_duration(s(30)), "30s");
        assert_eq!(human_duration(s(26 * 3600 + 60)), "1d2h");
        assert_eq!(human_duration(s(48 * 3600)), "2d");
    }
}
