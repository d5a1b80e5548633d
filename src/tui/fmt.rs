//! Small formatting helpers shared by the views.

use jiff::Timestamp;

/// Parses an RFC 3339 timestamp as Kubernetes and metal-api send it.
pub fn parse_ts(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok()
}

/// The console's compact age of a timestamp; empty when absent/unparseable.
pub fn age(ts: Option<&str>, now: Timestamp) -> String {
    kclm::age::age(ts, now, kclm::age::Style::Compact).unwrap_or_default()
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
    fn ages_are_the_cores_compact_style() {
        let now: Timestamp = "2026-05-02T10:00:00Z".parse().unwrap();
        assert_eq!(age(Some("2026-05-01T09:00:00Z"), now), "1d1h");
        assert_eq!(age(Some("garbage"), now), "");
        assert_eq!(trunc("abcdef", 4), "abc…");
        assert_eq!(trunc("abc", 4), "abc");
    }
}
