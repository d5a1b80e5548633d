use std::borrow::Cow;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::fast::{Subsequence, is_subsequence};
use super::{Filter, FilterMatcher, Filterable, SearchText, build_search_text, contains_ci};

#[test]
fn case_insensitive_contains() {
    assert!(contains_ci("Shoot-WEB-prod", "web"));
    assert!(contains_ci("abc", ""));
    assert!(!contains_ci("ab", "abc"));
    assert!(!contains_ci("fra-1", "ams"));
    assert!(contains_ci("Größe", "öß"));
    assert!(contains_ci("xxAbC", "abc"));
}

/// A small deterministic generator (no timing, no seeds from the clock).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.next() as usize % from.len()]
    }
    fn word(&mut self, alphabet: &[char], max: usize) -> String {
        let len = self.next() as usize % (max + 1);
        (0..len).map(|_| self.pick(alphabet)).collect()
    }
}

const ASCII: &[char] = &[
    'a', 'b', 'e', 'w', 'W', 'B', 'E', 'p', 'r', 'o', 'd', '-', '_', '.', '0', '9', '/', '\\', '$',
    '^', '\'',
];
const MIXED: &[char] = &[
    'a', 'b', 'e', 'w', 'W', 'E', '-', '0', 'é', 'É', 'ß', 'ö', 'Ö', 'İ', 'ﬁ', 'e', '\u{301}',
];

fn nucleo_hit(needle: &str, name: &str) -> bool {
    let p = Pattern::new(
        needle,
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut buf = Vec::new();
    let mut m = Matcher::new(Config::DEFAULT);
    p.score(Utf32Str::new(name, &mut buf), &mut m).is_some()
}

#[test]
fn subsequence_answers_what_nucleo_answers_for_ascii() {
    let mut rng = Lcg(7);
    let fixed = [
        ("w", "web-prod-3"),
        ("web", "Shoot-WEB-prod"),
        ("WEB", "Shoot-WEB-prod"),
        ("WEB", "shoot-web-prod"),
        ("Web", "web"),
        ("web", "web"),
        ("webx", "web"),
        ("wp3", "web-prod-3"),
        ("\\", "a\\b"),
        ("", "anything"),
    ];
    let mut cases: Vec<(String, String)> = fixed
        .iter()
        .map(|(n, h)| (n.to_string(), h.to_string()))
        .collect();
    for _ in 0..20_000 {
        cases.push((rng.word(ASCII, 4), rng.word(ASCII, 24)));
    }
    let mut hits = 0;
    for (needle, name) in &cases {
        if needle.is_empty() {
            continue;
        }
        let q = Subsequence::new(needle).expect("an ASCII needle");
        let fast = q.matches(name).expect("an ASCII name");
        assert_eq!(fast, nucleo_hit(needle, name), "{needle:?} in {name:?}");
        hits += usize::from(fast);
    }
    // Both answers occur often enough for the comparison to mean something.
    assert!(hits > 1_000 && hits < cases.len() - 1_000, "{hits}");
}

#[test]
fn subsequence_leaves_non_ascii_to_nucleo() {
    assert!(Subsequence::new("größe").is_none());
    let q = Subsequence::new("gr").expect("ASCII");
    assert_eq!(q.matches("Größe"), None);
    assert_eq!(q.matches("Grosse"), Some(true));
    assert!(is_subsequence(b"a-b-c", b"abc", false));
    assert!(!is_subsequence(b"a-B-c", b"abc", false));
    assert!(is_subsequence(b"a-B-c", b"abc", true));
    assert!(!is_subsequence(b"cba", b"abc", true));
}

/// A row with a precomputed search text, or without (fields one by one).
struct Row {
    name: String,
    seed: String,
    purpose: String,
    search: Option<SearchText>,
}

impl Filterable for Row {
    const FIELDS: &'static [&'static str] = &["name", "seed", "purpose"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => Some(Cow::Borrowed(&self.name)),
            "seed" => Some(Cow::Borrowed(&self.seed)),
            "purpose" => Some(Cow::Borrowed(&self.purpose)),
            _ => None,
        }
    }
    fn search_text(&self) -> Option<&SearchText> {
        self.search.as_ref()
    }
}

/// The filter's meaning, spelled out slowly: nucleo on the name for fuzzy
/// terms, else a substring of a lower-cased field.
fn reference(expr: &str, row: &Row) -> bool {
    expr.split_whitespace().all(|tok| {
        let (negate, tok) = match tok.strip_prefix('!') {
            Some(t) => (true, t),
            None => (false, tok),
        };
        let lower = tok.to_lowercase();
        let in_fields = Row::FIELDS.iter().any(|f| {
            row.field(f)
                .is_some_and(|v| v.to_lowercase().contains(&lower))
        });
        let hit = match tok.split_once(':') {
            Some((f, v)) if !f.is_empty() => row
                .field(f)
                .is_some_and(|x| x.to_lowercase().contains(&v.to_lowercase())),
            _ => nucleo_hit(tok, &row.name) || in_fields,
        };
        hit != negate
    })
}

#[test]
fn matches_and_score_agree_with_the_reference() {
    let mut rng = Lcg(42);
    let mut m = FilterMatcher::default();
    let mut passed = 0;
    for i in 0..4_000 {
        let alphabet = if i % 4 == 0 { MIXED } else { ASCII };
        let mut row = Row {
            name: rng.word(alphabet, 16),
            seed: rng
                .pick(&["aws-fra", "gcp-AMS", "Größe-1", "metal-web"])
                .into(),
            purpose: rng.pick(&["production", "evaluation", "Testing"]).into(),
            search: None,
        };
        if i % 2 == 0 {
            row.search = Some(build_search_text(&row));
        }
        let mut terms = Vec::new();
        for _ in 0..1 + rng.next() % 2 {
            // `!` and `"` are syntax; a stray `:` would name an unknown field
            let word = rng.word(alphabet, 3).replace(['!', '"', ':'], "x");
            match rng.next() % 5 {
                0 => terms.push(format!("seed:{}", rng.word(&['a', 'f', 'r', 'ö', 'W'], 2))),
                1 if !word.is_empty() => terms.push(format!("!{word}")),
                _ if !word.is_empty() => terms.push(word),
                _ => {}
            }
        }
        let expr = terms.join(" ");
        let f = Filter::parse(&expr, Row::FIELDS).expect("parses");
        let want = reference(&expr, &row);
        assert_eq!(f.matches(&row, &mut m), want, "{expr:?} on {:?}", row.name);
        assert_eq!(f.score(&row, &mut m).is_some(), want, "{expr:?}");
        passed += usize::from(want);
    }
    assert!(passed > 400 && passed < 3_600, "{passed}");
}

#[test]
fn score_still_ranks_by_nucleo() {
    let row = |name: &str| Row {
        name: name.into(),
        seed: String::new(),
        purpose: String::new(),
        search: None,
    };
    let f = Filter::parse("web", Row::FIELDS).expect("parses");
    let mut m = FilterMatcher::default();
    let exact = f.score(&row("web"), &mut m).expect("matches");
    let spread = f.score(&row("w-x-e-y-b"), &mut m).expect("matches");
    assert!(exact > spread, "{exact} vs {spread}");
    assert_eq!(f.score(&row("bew"), &mut m), None);
}

#[test]
fn search_text_leads_with_an_ascii_name() {
    let row = |name: &str| Row {
        name: name.into(),
        seed: "Aws-FRA".into(),
        purpose: "production".into(),
        search: None,
    };
    let ascii = build_search_text(&row("Web-Prod"));
    assert_eq!(ascii.ascii_name_lower(), Some("web-prod"));
    assert_eq!(ascii.text(), "web-prod\u{1f}aws-fra\u{1f}production\u{1f}");
    let other = build_search_text(&row("Größe"));
    assert_eq!(other.ascii_name_lower(), None);
    assert_eq!(other.text(), "größe\u{1f}aws-fra\u{1f}production\u{1f}");
}
