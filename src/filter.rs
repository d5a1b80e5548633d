//! The filter language shared by `kclm get --filter` and the TUI's `/`:
//! space-separated terms that must all hold.
//!
//! - `term`: fuzzy match (nucleo) on the row's name, or a substring of any field
//! - `"exact text"`: case-insensitive substring of the name or any field
//! - `field:value`: case-insensitive substring of that field (`seed:fra`,
//!   `health:unhealthy`, `purpose:production`, `partition:fra`, `state:locked` ...)
//! - `!` before any term negates it: `!hibernated`, `!seed:aws`
//!
//! - `field:*`: the row has any value for that field (`issue:*`)
//!
//! A term with nothing to match is an error, never "every row": `!` alone,
//! `""`, `field:` without a value. `!!x` is an error too (negate once).

use std::borrow::Cow;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

mod column;
mod fast;
#[cfg(test)]
mod tests;

pub use column::{RowSet, SearchColumn, SearchRef, Version, next_epoch};
use fast::{Needle, Subsequence};

/// A row the filter can look into.
pub trait Filterable {
    /// Field names usable as qualifiers, for completion and error messages.
    const FIELDS: &'static [&'static str];
    /// The name the fuzzy matcher scores and the UI highlights.
    fn name(&self) -> &str;
    /// A field by (lower-case) name.
    fn field(&self, field: &str) -> Option<Cow<'_, str>>;
}

/// Ends every field in a search text; no term can match it.
const SEP: char = '\u{1f}';

/// Where one field's lower-cased value sits in a row's search text
/// (`start`, `len`, relative to the row's text); [`ABSENT`] when the row has
/// no such field.
type FieldSpan = (u16, u16);
const ABSENT: FieldSpan = (u16::MAX, 0);

/// Appends a row's search text to `out`: its fields lower-cased, each ended
/// by [`SEP`], led by its lower-cased name when that is ASCII (a keystroke
/// then reads one string per row for the fuzzy name test and the substring
/// fallback). Returns the length of that leading name, and pushes where each
/// of `R::FIELDS` is onto `fields` (all [`ABSENT`]-free only when the text is
/// short enough to say so: `false` means the spans could not be given).
fn push_search_text<R: Filterable>(
    row: &R,
    out: &mut String,
    fields: &mut Vec<FieldSpan>,
) -> (Option<usize>, bool) {
    let base = out.len();
    let name = row.name();
    let name_len = name.is_ascii().then_some(name.len());
    if name_len.is_some() {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        out.push(SEP);
    }
    let mut fit = true;
    let mut span = |from: usize, to: usize| match (u16::try_from(from), u16::try_from(to - from)) {
        (Ok(a), Ok(b)) if a != u16::MAX => (a, b),
        _ => {
            fit = false;
            ABSENT
        }
    };
    for f in R::FIELDS {
        let Some(v) = row.field(f) else {
            fields.push(ABSENT);
            continue;
        };
        // the name is there already (a substring of it is one of the name)
        if let Some(n) = name_len
            && v == name
        {
            fields.push(span(0, n));
            continue;
        }
        let start = out.len() - base;
        out.push_str(&v.to_lowercase());
        fields.push(span(start, out.len() - base));
        out.push(SEP);
    }
    (name_len, fit)
}

#[derive(Clone, Debug, PartialEq)]
enum TermKind {
    Fuzzy(Needle),
    Exact(Needle),
    /// A field by its index in `Filterable::FIELDS`, and the value looked for.
    Field(usize, Needle),
}

#[derive(Clone, Debug)]
struct Term {
    kind: TermKind,
    negate: bool,
    pattern: Option<Pattern>,
    /// The fuzzy term as a plain subsequence test, when it is ASCII.
    subseq: Option<Subsequence>,
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
    /// `!` alone, `""`, `field:`: a term that would match every row.
    #[error(
        "filter term {term:?} has nothing to match; give a value (`seed:fra`, `!hibernated`; \
         `issue:*` for any value)"
    )]
    EmptyTerm { term: String },
    /// `!!x`: negation is not repeated (write `x`, or `!x`).
    #[error("filter term {term:?} negates twice; write the term without `!`, or with one")]
    DoubleNegation { term: String },
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
            match chars.peek() {
                None => return Err(FilterError::EmptyTerm { term: "!".into() }),
                Some(ch) if ch.is_whitespace() => {
                    return Err(FilterError::EmptyTerm { term: "!".into() });
                }
                Some('!') => {
                    let rest: String = chars.take_while(|c| !c.is_whitespace()).collect();
                    return Err(FilterError::DoubleNegation {
                        term: format!("!{rest}"),
                    });
                }
                _ => {}
            }
        }
        let bang = if negate { "!" } else { "" };
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
            if text.trim().is_empty() {
                return Err(FilterError::EmptyTerm {
                    term: format!("{bang}\"{text}\""),
                });
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
                TermKind::Exact(Needle::new(text.to_lowercase()))
            } else if let Some((f, v)) = text.split_once(':')
                && !f.is_empty()
            {
                if v.is_empty() {
                    let bang = if negate { "!" } else { "" };
                    return Err(FilterError::EmptyTerm {
                        term: format!("{bang}{text}"),
                    });
                }
                let f = f.to_lowercase();
                let Some(index) = fields.iter().position(|k| *k == f) else {
                    return Err(FilterError::UnknownField {
                        field: f,
                        known: fields.join(", "),
                    });
                };
                // `field:*`: the row has any value for the field
                let v = if v == "*" { "" } else { v };
                TermKind::Field(index, Needle::new(v.to_lowercase()))
            } else {
                TermKind::Fuzzy(Needle::new(text.to_lowercase()))
            };
            let subseq = match &kind {
                TermKind::Fuzzy(_) => Subsequence::new(&text),
                _ => None,
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
                subseq,
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
                TermKind::Fuzzy(needle) => {
                    // nucleo only scores names the subsequence test lets through
                    let scored = match t.subseq.as_ref().and_then(|q| q.matches(row.name())) {
                        Some(false) => None,
                        _ => nucleo_score(t, row.name(), m),
                    };
                    match scored {
                        Some(s) => (true, s),
                        None => (any_field_contains(row, None, needle), 0),
                    }
                }
                _ => (t.hits_plain(row, None), 0),
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

    /// Whether the row passes: [`Self::score`] without scoring, so ASCII
    /// names never reach nucleo.
    pub fn matches<R: Filterable>(&self, row: &R, m: &mut FilterMatcher) -> bool {
        self.matches_in(row, None, m)
    }

    /// [`Self::matches`], with the row's search text when there is one: the
    /// fallback over all fields is then one substring search, not one per
    /// field.
    #[inline]
    pub fn matches_in<R: Filterable>(
        &self,
        row: &R,
        text: Option<SearchRef<'_>>,
        m: &mut FilterMatcher,
    ) -> bool {
        self.terms.iter().all(|t| {
            let hit = match &t.kind {
                TermKind::Fuzzy(needle) => match (text, &t.subseq) {
                    // one string answers both: the lower-cased name leads it
                    (Some(st), Some(q)) if q.ignore_case() && st.ascii_name_lower().is_some() => {
                        // a text without one of the needle's bytes holds
                        // neither; the substring search is SIMD, so it goes
                        // before the byte-by-byte subsequence test
                        let lower = st.ascii_name_lower().unwrap_or_default();
                        st.may_hold(q.mask())
                            && (needle.in_text(st.text()) || q.matches_lower(lower))
                    }
                    _ => {
                        let name = row.name();
                        let on_name = match t.subseq.as_ref().and_then(|q| q.matches(name)) {
                            Some(hit) => hit,
                            None => nucleo_score(t, name, m).is_some(),
                        };
                        on_name || any_field_contains(row, text, needle)
                    }
                },
                _ => t.hits_plain(row, text),
            };
            hit != t.negate
        })
    }

    /// The `candidates` (indices into `rows`, ascending) that pass `keep` and
    /// the filter, in order; `search` holds the rows' search texts.
    pub fn select<R: Filterable>(
        &self,
        rows: &[R],
        search: Option<&SearchColumn>,
        candidates: &[usize],
        m: &mut FilterMatcher,
        mut keep: impl FnMut(&R) -> bool,
    ) -> Vec<u32> {
        debug_assert!(search.is_none_or(|c| c.len() == rows.len()));
        candidates
            .iter()
            .filter(|&&i| keep(&rows[i]) && self.matches_in(&rows[i], search.map(|c| c.get(i)), m))
            .map(|&i| i as u32)
            .collect()
    }

    /// Character positions in `name` matched by the fuzzy terms, for highlighting.
    pub fn highlight(&self, name: &str, m: &mut FilterMatcher) -> Vec<u32> {
        let mut out = Vec::new();
        for t in self.terms.iter().filter(|t| !t.negate) {
            match (&t.kind, &t.pattern) {
                (TermKind::Fuzzy(_), Some(p)) => {
                    // one element per char (not per grapheme, as
                    // `Utf32Str::new` makes them), so indices are char positions
                    let hay = if name.is_ascii() {
                        Utf32Str::Ascii(name.as_bytes())
                    } else {
                        m.buf.clear();
                        m.buf.extend(name.chars());
                        Utf32Str::Unicode(&m.buf)
                    };
                    p.indices(hay, &mut m.matcher, &mut out);
                }
                (TermKind::Exact(Needle { text, .. }), _) => {
                    out.extend(exact_chars(name, text));
                }
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The char positions of `name` covered by the first case-insensitive
/// occurrence of `needle_lower` (already lower-cased). Lower-casing can change
/// a char's byte length (`İ` is two bytes, its lower case three) and even its
/// number of chars, so the offset is found in the lower-cased name and mapped
/// back through the char each lower-cased byte came from; a match that starts
/// or ends inside one char's lower case covers that whole char.
fn exact_chars(name: &str, needle_lower: &str) -> std::ops::Range<u32> {
    if needle_lower.is_empty() {
        return 0..0;
    }
    let mut lower = String::with_capacity(name.len());
    // owner[b]: the index of the char of `name` that lower byte `b` came from
    let mut owner: Vec<u32> = Vec::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        let from = lower.len();
        lower.extend(c.to_lowercase());
        owner.extend(std::iter::repeat_n(i as u32, lower.len() - from));
    }
    match lower.find(needle_lower) {
        Some(pos) => owner[pos]..owner[pos + needle_lower.len() - 1] + 1,
        None => 0..0,
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

impl Term {
    /// Whether an exact or field term holds (they have no score).
    fn hits_plain<R: Filterable>(&self, row: &R, text: Option<SearchRef<'_>>) -> bool {
        match &self.kind {
            TermKind::Field(index, needle) => match text.and_then(|t| t.field(*index)) {
                Some(value) => value.is_some_and(|v| needle.in_text(v)),
                None => R::FIELDS
                    .get(*index)
                    .and_then(|f| row.field(f))
                    .is_some_and(|x| contains_ci(&x, &needle.text)),
            },
            TermKind::Exact(needle) => {
                contains_ci(row.name(), &needle.text) || any_field_contains(row, text, needle)
            }
            TermKind::Fuzzy(_) => unreachable!("fuzzy terms are matched by the caller"),
        }
    }
}

fn nucleo_score(t: &Term, name: &str, m: &mut FilterMatcher) -> Option<u32> {
    let p = t.pattern.as_ref().expect("fuzzy terms carry a pattern");
    p.score(Utf32Str::new(name, &mut m.buf), &mut m.matcher)
}

fn any_field_contains<R: Filterable>(
    row: &R,
    text: Option<SearchRef<'_>>,
    needle: &Needle,
) -> bool {
    match text {
        Some(text) => needle.in_text(text.text()),
        None => R::FIELDS
            .iter()
            .any(|f| row.field(f).is_some_and(|x| contains_ci(&x, &needle.text))),
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
