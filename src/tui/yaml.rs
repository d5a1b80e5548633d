//! The YAML viewer: the selected object serialised, a tiny line-based
//! highlighter (keys, strings, numbers, booleans, comments) and search.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::input::LineEdit;
use super::theme::Theme;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
    /// `Some` while the search query is being typed.
    pub search: Option<LineEdit>,
    pub query: String,
    /// Line numbers containing the query.
    pub matches: Vec<usize>,
    pub current: usize,
}

impl YamlView {
    pub fn new(title: String, text: &str) -> Self {
        Self {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
            search: None,
            query: String::new(),
            matches: Vec::new(),
            current: 0,
        }
    }

    /// Finds `query` (case-insensitive) and jumps to the first match at or
    /// after the current scroll position.
    pub fn set_query(&mut self, query: &str) {
        self.query = query.to_string();
        let q = query.to_lowercase();
        self.matches = if q.is_empty() {
            Vec::new()
        } else {
            self.lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.to_lowercase().contains(&q))
                .map(|(i, _)| i)
                .collect()
        };
        self.current = self
            .matches
            .iter()
            .position(|l| *l >= self.scroll)
            .unwrap_or(0);
        if let Some(l) = self.matches.get(self.current) {
            self.scroll = *l;
        }
    }

    pub fn next_match(&mut self, forward: bool) {
        if self.matches.is_empty() {
            return;
        }
        let n = self.matches.len();
        self.current = if forward {
            (self.current + 1) % n
        } else {
            (self.current + n - 1) % n
        };
        self.scroll = self.matches[self.current];
    }

    pub fn scroll_by(&mut self, delta: isize, page: usize) {
        let max = self.lines.len().saturating_sub(page.max(1));
        self.scroll = (self.scroll as isize + delta).clamp(0, max as isize) as usize;
    }
}

fn scalar_scope(v: &str) -> &'static str {
    let t = v.trim();
    if t.starts_with('"') || t.starts_with('\'') {
        "yaml.string"
    } else if matches!(t, "true" | "false" | "null" | "~") {
        "yaml.bool"
    } else if !t.is_empty() && t.parse::<f64>().is_ok() {
        "yaml.number"
    } else {
        "yaml.string"
    }
}

/// Highlights one line of YAML, marking occurrences of `query`.
pub fn highlight(line: &str, theme: &Theme, query: &str) -> Line<'static> {
    let mut spans: Vec<(String, Style)> = Vec::new();
    let st = |s: &str| theme.style(s);
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    spans.push((indent.to_string(), Style::default()));
    let mut rest = trimmed;
    if rest.starts_with('#') {
        spans.push((rest.to_string(), st("yaml.comment")));
        return finish(spans, theme, query);
    }
    if let Some(r) = rest.strip_prefix("- ") {
        spans.push(("- ".into(), st("yaml.punct")));
        rest = r;
    } else if rest == "-" {
        spans.push(("-".into(), st("yaml.punct")));
        return finish(spans, theme, query);
    }
    let key_end = if rest.starts_with('"') || rest.starts_with('\'') {
        None
    } else {
        rest.find(": ")
            .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))
    };
    match key_end {
        Some(k) => {
            spans.push((rest[..k].to_string(), st("yaml.key")));
            spans.push((":".into(), st("yaml.punct")));
            let value = &rest[k + 1..];
            if !value.is_empty() {
                spans.push((value.to_string(), st(scalar_scope(value))));
            }
        }
        None => spans.push((rest.to_string(), st(scalar_scope(rest)))),
    }
    finish(spans, theme, query)
}

/// Splits spans so the query matches get the match style.
fn finish(spans: Vec<(String, Style)>, theme: &Theme, query: &str) -> Line<'static> {
    if query.is_empty() {
        return Line::from(
            spans
                .into_iter()
                .map(|(t, s)| Span::styled(t, s))
                .collect::<Vec<_>>(),
        );
    }
    // ASCII case folding keeps byte offsets identical, so slices stay on
    // char boundaries whatever the text holds.
    let q = query.to_ascii_lowercase();
    let hl = theme.style("yaml.match");
    let mut out = Vec::new();
    for (text, style) in spans {
        let lower = text.to_ascii_lowercase();
        let mut pos = 0;
        while let Some(found) = lower[pos..].find(&q) {
            let start = pos + found;
            let end = start + q.len();
            if start > pos {
                out.push(Span::styled(text[pos..start].to_string(), style));
            }
            out.push(Span::styled(text[start..end].to_string(), style.patch(hl)));
            pos = end;
        }
        if pos < text.len() {
            out.push(Span::styled(text[pos..].to_string(), style));
        }
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_matches_are_split() {
        let theme = Theme::builtin("default");
        let line = highlight("  seedName: fra-1", &theme, "");
        let texts: Vec<&str> = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, vec!["  ", "seedName", ":", " fra-1"]);
        assert_eq!(line.spans[1].style, theme.style("yaml.key"));
        let line = highlight("  seedName: fra-1", &theme, "fra");
        assert!(
            line.spans
                .iter()
                .any(|s| s.content == "fra" && s.style.bg.is_some())
        );
        let mut v = YamlView::new("x".into(), "a: 1\nb: fra\nc: FRA\n");
        v.set_query("fra");
        assert_eq!(v.matches, vec![1, 2]);
        v.next_match(true);
        assert_eq!(v.scroll, 2);
        v.next_match(true);
        assert_eq!(v.scroll, 1);
    }
}
