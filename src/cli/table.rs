//! Plain-text tables for headless output: aligned columns, no colours.

/// A table: header and rows of cells.
pub struct Table {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<&'static str>) -> Self {
        Self {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row. Cells hold served text, so each is escaped for the
    /// terminal here ([`kclm::text::escape`]), once for every table.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(
            row.into_iter()
                .map(|c| match kclm::text::escape(&c) {
                    std::borrow::Cow::Borrowed(_) => c,
                    std::borrow::Cow::Owned(e) => e,
                })
                .collect(),
        );
    }

    /// Renders with two spaces between columns, like kubectl.
    pub fn render(&self) -> String {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut l = String::new();
            for (i, c) in cells.enumerate().take(n) {
                if i + 1 < n {
                    l.push_str(c);
                    l.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count() + 2));
                } else {
                    l.push_str(c);
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&mut self.header.iter().copied());
        for r in &self.rows {
            line(&mut r.iter().map(String::as_str));
        }
        out
    }
}

/// `-` for empty values, like metalctl.
pub fn dash(s: impl AsRef<str>) -> String {
    let s = s.as_ref();
    if s.is_empty() {
        "-".into()
    } else {
        s.to_string()
    }
}

pub fn opt<S: AsRef<str>>(s: &Option<S>) -> String {
    dash(s.as_ref().map_or("", |s| s.as_ref()))
}

/// Age like kubectl's AGE column (`duration.HumanDuration`); `-` when absent.
pub fn age(created: Option<&str>, now: jiff::Timestamp) -> String {
    kclm::age::age(created, now, kclm::age::Style::Kubectl).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_trailing_space_is_trimmed() {
        let mut t = Table::new(vec!["NAME", "SEED"]);
        t.push(vec!["a".into(), "x".into()]);
        t.push(vec!["longer".into(), "-".into()]);
        assert_eq!(t.render(), "NAME    SEED\na       x\nlonger  -\n");
    }

    #[test]
    fn served_control_characters_are_escaped_in_cells() {
        let mut t = Table::new(vec!["NAME", "DESCRIPTION"]);
        t.push(vec![
            "p\u{202e}1".into(),
            "x\x1b]0;owned\x07\n\u{9b}2J".into(),
        ]);
        assert_eq!(
            t.render(),
            "NAME        DESCRIPTION\np\\u{202e}1  x\\x1b]0;owned\\x07\\x0a\\u{9b}2J\n"
        );
    }

    #[test]
    fn ages_read_like_kubectl() {
        let now: jiff::Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        assert_eq!(age(Some("2026-11-24T11:59:15Z"), now), "45s");
        assert_eq!(age(Some("2026-11-24T11:55:30Z"), now), "4m30s");
        assert_eq!(age(Some("2026-11-24T10:00:00Z"), now), "120m");
        assert_eq!(age(Some("2026-11-24T09:00:00Z"), now), "3h");
        assert_eq!(age(Some("2026-11-24T08:30:00Z"), now), "3h30m");
        assert_eq!(age(Some("2026-11-23T12:00:00Z"), now), "24h");
        assert_eq!(age(Some("2026-11-20T12:00:00Z"), now), "4d");
        assert_eq!(age(Some("2026-11-20T09:00:00Z"), now), "4d3h");
        assert_eq!(age(None, now), "-");
    }
}
