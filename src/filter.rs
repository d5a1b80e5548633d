//! The filter language shared by `kclm get --filter` and the TUI's `/`:
//! space-separated terms that must all hold.
//!
//! - `term`: fuzzy match (nucleo) on the row's name, or a substring of any field
//! - `"exact text"`: case-insensitive substring of the name or any field
//! - `field:value`: case-insensitive substring of that field (`seed:fra`,
//!   `health:unhealthy`, `purpose:production`, `partition:`, `state:` ...)
//! - `!` before any term negates it: `!hibernated`, `!seed:aws`

use std::borrow::Cow;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A row the filter can look into.
pub trait Filterable {
    /// Field names usable as qualifiers, for completion and error messages.
    const FIELDS: &'static [&'static str];
    /// The name the fuzzy matcher scores and the UI highlights.
    fn name(&self) -> &str;
    /// A field by (lower-case) name.
    fn field(&self, field: &str) -> Option<Cow<'_, str>>;
    /// All fields, lower-cased and joined, if the row keeps them precomputed:
    /// the per-keystroke fallback is then one substring search, not one per field.
    fn search_text(&self) -> Option<&str> {
        None
    }
}

/// Builds a row's [`Filterable::search_text`] from its fields.
pub fn build_search_text<R: Filterable>(row: &R) -> String {
    let mut out = String::new();
    for f in R::FIELDS {
        if let Some(v) = row.field(f) {
            out.push_str(&v.to_lowercase());
            out.push('\u{1f}');
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
enum TermKind {
    Fuzzy(String),
    Exact(String),
    Field(String, String),
}

#[derive(Clone, Debug)]
struct Term {
    kind: TermKind,
    negate: bool,
    pattern: Option<Pattern>,
}

/// A parsed filter expression.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unterminated quote in filter")]
    UnterminatedQuote,
    #[error("unknown field {field:?} (known: {known})")]
    UnknownField { field: String, known: String },
}

fn tokenize(s: &str) -> Result<Vec<(bool, String, bool)>, FilterError> {
    // (negated, text, quoted)
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negate = false;
        if c == '!' {
            negate = true;
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(ch) => text.push(ch),
                    None => return Err(FilterError::UnterminatedQuote),
                }
            }
            out.push((negate, text, true));
        } else {
            let mut text = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                text.push(ch);
                chars.next();
            }
            if !text.is_empty() {
                out.push((negate, text, false));
            }
        }
    }
    Ok(out)
}

impl Filter {
    /// Parses an expression; qualifiers are checked against `fields`.
    pub fn parse(expr: &str, fields: &[&str]) -> Result<Self, FilterError> {
        let mut terms = Vec::new();
        for (negate, text, quoted) in tokenize(expr)? {
            let text: String = text;
            let kind = if quoted {
                TermKind::Exact(text.to_lowercase())
            } else if let Some((f, v)) = text.split_once(':')
                && !f.is_empty()
            {
                let f = f.to_lowercase();
                if !fields.contains(&f.as_str()) {
                    return Err(FilterError::UnknownField {
                        field: f,
                        known: fields.join(", "),
                    });
                }
                TermKind::Field(f, v.to_lowercase())
            } else {
                TermKind::Fuzzy(text.to_lowercase())
            };
            let pattern = match &kind {
                TermKind::Fuzzy(_) => Some(Pattern::new(
                    &text,
                    CaseMatching::Smart,
                    Normalization::Smart,
                    AtomKind::Fuzzy,
                )),
                _ => None,
            };
            terms.push(Term {
                kind,
                negate,
                pattern,
            });
        }
        Ok(Self { terms })
    }

    /// Parses for a row type.
    pub fn for_rows<R: Filterable>(expr: &str) -> Result<Self, FilterError> {
        Self::parse(expr, R::FIELDS)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// `Some(score)` when the row passes (higher = better fuzzy match).
    pub fn score<R: Filterable>(&self, row: &R, m: &mut FilterMatcher) -> Option<u32> {
        let mut score = 0u32;
        for t in &self.terms {
            let (hit, s) = match &t.kind {
                TermKind::Field(f, v) => (row.field(f).is_some_and(|x| contains_ci(&x, v)), 0),
                TermKind::Exact(text) => (
                    contains_ci(row.name(), text) || any_field_contains(row, text),
                    0,
                ),
                TermKind::Fuzzy(lower) => {
                    let p = t.pattern.as_ref().expect("fuzzy terms carry a pattern");
                    let hay = Utf32Str::new(row.name(), &mut m.buf);
                    match p.score(hay, &mut m.matcher) {
                        Some(s) => (true, s),
                        None => (any_field_contains(row, lower), 0),
                    }
                }
            };
            if hit == t.negate {
                return None;
            }
            if !t.negate {
                score = score.saturating_add(s);
            }
        }
        Some(score)
    }

    pub fn matches<R: Filterable>(&self, row: &R, m: &mut FilterMatcher) -> bool {
        self.score(row, m).is_some()
    }

    /// Character positions in `name` matched by the fuzzy terms, for highlighting.
    pub fn highlight(&self, name: &str, m: &mut FilterMatcher) -> Vec<u32> {
        let mut out = Vec::new();
        for t in self.terms.iter().filter(|t| !t.negate) {
            match (&t.kind, &t.pattern) {
                (TermKind::Fuzzy(_), Some(p)) => {
                    let hay = Utf32Str::new(name, &mut m.buf);
                    p.indices(hay, &mut m.matcher, &mut out);
                }
                (TermKind::Exact(text), _) => {
                    if let Some(pos) = name.to_lowercase().find(text.as_str()) {
                        let start = name[..pos].chars().count() as u32;
                        out.extend(start..start + text.chars().count() as u32);
                    }
                }
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A reusable nucleo matcher (allocations are kept between keystrokes).
pub struct FilterMatcher {
    matcher: Matcher,
    buf: Vec<char>,
}

impl Default for FilterMatcher {
    fn default() -> Self {
        Self {
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }
}

fn any_field_contains<R: Filterable>(row: &R, needle_lower: &str) -> bool {
    match row.search_text() {
        Some(text) => text.contains(needle_lower),
        None => R::FIELDS
            .iter()
            .any(|f| row.field(f).is_some_and(|x| contains_ci(&x, needle_lower))),
    }
}

/// Case-insensitive substring test against an already lower-cased needle,
/// without allocating for ASCII haystacks (the per-keystroke hot path).
pub fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
    if n.is_empty() {
        return true;
    }
    if !haystack.is_ascii() || !needle_lower.is_ascii() {
        return haystack.to_lowercase().contains(needle_lower);
    }
    if n.len() > h.len() {
        return false;
    }
    let first = n[0];
    (0..=h.len() - n.len()).any(|i| {
        h[i].to_ascii_lowercase() == first
            && h[i + 1..i + n.len()]
                .iter()
                .zip(&n[1..])
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

/// Filters rows, best fuzzy score first (stable for equal scores).
pub fn apply<'a, R: Filterable>(filter: &Filter, rows: &'a [R]) -> Vec<&'a R> {
    let mut m = FilterMatcher::default();
    let mut scored: Vec<(u32, usize)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| filter.score(r, &mut m).map(|s| (s, i)))
        .collect();
    if filter
        .terms
        .iter()
        .any(|t| matches!(t.kind, TermKind::Fuzzy(_)) && !t.negate)
    {
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    scored.into_iter().map(|(_, i)| &rows[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::contains_ci;

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_ci("Shoot-WEB-prod", "web"));
        assert!(contains_ci("abc", ""));
        assert!(!contains_ci("ab", "abc"));
        assert!(!contains_ci("fra-1", "ams"));
        assert!(contains_ci("Größe", "öß"));
        assert!(contains_ci("xxAbC", "abc"));
    }
}
