//! Small formatting helpers shared by the views.

use jiff::Timestamp;

/// Parses an RFC 3339 timestamp as Kubernetes and metal-api send it.
pub fn parse_ts(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok()
}

/// Seconds since `ts`, or `None` when absent/unparseable.
pub fn secs_since(ts: Option<&str>, now: Timestamp) -> Option<i64> {
    let t = parse_ts(ts?)?;
    Some(now.as_second() - t.as_second())
}

/// k9s-style compact age, at most five cells: `45s`, `12m`, `3h20m`, `14h`, `5d3h`, `213d`, `2y40d`.
pub fn human_secs(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d >= 365 {
        format!("{}y{}d", d / 365, d % 365)
    } else if d >= 10 || (d > 0 && h == 0) {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d{h}h")
    } else if h >= 10 || (h > 0 && m == 0) {
        format!("{h}h")
    } else if h > 0 {
        format!("{h}h{m}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

pub fn age(ts: Option<&str>, now: Timestamp) -> String {
    secs_since(ts, now).map(human_secs).unwrap_or_default()
}

/// Truncates to `max` display columns with an ellipsis.
pub fn trunc(s: &str, max: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_use_two_units() {
        assert_eq!(human_secs(5), "5s");
        assert_eq!(human_secs(125), "2m");
        assert_eq!(human_secs(3 * 3600 + 20 * 60 + 5), "3h20m");
        assert_eq!(human_secs(5 * 86_400 + 3 * 3600), "5d3h");
        assert_eq!(human_secs(14 * 3600 + 59 * 60), "14h");
        assert_eq!(human_secs(213 * 86_400 + 2 * 3600), "213d");
        assert_eq!(human_secs(400 * 86_400), "1y35d");
        let now: Timestamp = "2026-05-02T10:00:00Z".parse().unwrap();
        assert_eq!(age(Some("2026-05-01T09:00:00Z"), now), "1d1h");
        assert_eq!(age(Some("garbage"), now), "");
        assert_eq!(trunc("abcdef", 4), "abc…");
        assert_eq!(trunc("abc", 4), "abc");
    }
}
