use std::borrow::Cow;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::fast::{Subsequence, is_subsequence};
use super::{Filter, FilterError, FilterMatcher, Filterable, RowSet, SearchColumn, contains_ci};

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

#[derive(Clone, Debug)]
struct Row {
    name: String,
    seed: String,
    purpose: String,
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
        let row = Row {
            name: rng.word(alphabet, 16),
            seed: rng
                .pick(&["aws-fra", "gcp-AMS", "Größe-1", "metal-web"])
                .into(),
            purpose: rng.pick(&["production", "evaluation", "Testing"]).into(),
        };
        // with its search text, or without (fields one by one)
        let column = (i % 2 == 0).then(|| SearchColumn::build(std::slice::from_ref(&row)));
        let mut terms = Vec::new();
        for _ in 0..1 + rng.next() % 2 {
            // `!` and `"` are syntax; a stray `:` would name an unknown field
            let word = rng.word(alphabet, 3).replace(['!', '"', ':'], "x");
            match rng.next() % 5 {
                // a field term needs a value (`seed:` alone is an error)
                0 => terms.push(format!("seed:a{}", rng.word(&['a', 'f', 'r', 'ö', 'W'], 1))),
                1 if !word.is_empty() => terms.push(format!("!{word}")),
                _ if !word.is_empty() => terms.push(word),
                _ => {}
            }
        }
        let expr = terms.join(" ");
        let f = Filter::parse(&expr, Row::FIELDS).expect("parses");
        let want = reference(&expr, &row);
        let got = f.matches_in(&row, column.as_ref().map(|c| c.get(0)), &mut m);
        assert_eq!(got, want, "{expr:?} on {:?}", row.name);
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
    };
    let column = SearchColumn::build(&[row("Web-Prod"), row("Größe")]);
    let ascii = column.get(0);
    assert_eq!(ascii.ascii_name_lower(), Some("web-prod"));
    assert_eq!(ascii.text(), "web-prod\u{1f}aws-fra\u{1f}production\u{1f}");
    let other = column.get(1);
    assert_eq!(other.ascii_name_lower(), None);
    assert_eq!(other.text(), "größe\u{1f}aws-fra\u{1f}production\u{1f}");
}

/// Rows rewritten one by one, shorter and longer, ASCII and not, end where
/// texts built afresh end; the buffer is compacted and stays bounded.
#[test]
fn a_search_column_follows_its_rows() {
    let mut rng = Lcg(7);
    let row = |rng: &mut Lcg| Row {
        name: rng.word(MIXED, 12),
        seed: rng.word(ASCII, 30),
        purpose: rng.word(MIXED, 8),
    };
    let rows: Vec<Row> = (0..200).map(|_| row(&mut rng)).collect();
    let mut set = RowSet::new(rows);
    let first = set.version().epoch;
    let mut peak = 0;
    for n in 0..20_000 {
        let i = rng.next() as usize % set.len();
        set.set(i, row(&mut rng));
        peak = peak.max(set.search().buffer_len());
        if n % 997 == 0 || n == 19_999 {
            let fresh = SearchColumn::build(&set);
            for i in 0..set.len() {
                assert_eq!(
                    set.search().get(i),
                    fresh.get(i),
                    "row {i} after {n} changes"
                );
            }
        }
    }
    let fresh = SearchColumn::build(&set).buffer_len();
    assert!(peak < 4 * fresh + 128 * 1024, "peak {peak}, fresh {fresh}");
    assert_ne!(set.version().epoch, first, "many changes start a new epoch");
}

/// A large column whose rows grow now and then keeps close to the size of a
/// fresh build (it grew by doubling: twice the texts after one longer row).
#[test]
fn a_large_search_column_grows_by_little() {
    let mut rng = Lcg(11);
    let row = |rng: &mut Lcg, len: usize| Row {
        name: rng.word(ASCII, 12),
        seed: rng.word(ASCII, len),
        purpose: "production".into(),
    };
    let mut set = RowSet::new((0..20_000).map(|_| row(&mut rng, 20)).collect());
    let mut peak = 0;
    for n in 0..5_000 {
        let i = rng.next() as usize % set.len();
        set.set(i, row(&mut rng, 20 + n % 7));
        peak = peak.max(set.search().buffer_capacity());
    }
    let fresh = SearchColumn::build(&set).buffer_len();
    assert!(
        peak * 2 < fresh * 3 + 128 * 1024,
        "peak capacity {peak}, fresh {fresh}"
    );
}

#[test]
fn a_row_set_notes_the_rows_changed_in_place() {
    let rows: Vec<Row> = ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .map(|n| Row {
            name: n.to_string(),
            seed: "fra".into(),
            purpose: "production".into(),
        })
        .collect();
    let mut set = RowSet::new(rows.clone());
    let epoch = set.version().epoch;
    let mut b = set[1].clone();
    b.seed = "ams".into();
    set.set(1, b);
    assert_eq!(set.version().touched, &[1]);
    assert_eq!(
        set.search().get(1).text(),
        "b\u{1f}ams\u{1f}production\u{1f}"
    );
    set.update_unsearched(|r| r.name == "c");
    assert_eq!(set.version().touched, &[1, 2]);
    assert_eq!(set.version().epoch, epoch);
    set.replace(rows);
    assert_ne!(set.version().epoch, epoch);
    assert!(set.version().touched.is_empty());
    assert_eq!(
        set.search().get(1).text(),
        "b\u{1f}fra\u{1f}production\u{1f}"
    );
}

#[test]
fn field_terms_read_the_search_text_and_ask_the_row_when_it_cannot_say() {
    let short = Row {
        name: "Web".into(),
        seed: "AWS-Fra".into(),
        purpose: "web".into(),
    };
    let long = Row {
        name: "db".into(),
        seed: format!("{}-ams", "x".repeat(70_000)),
        purpose: "Größe".into(),
    };
    let column = SearchColumn::build(&[short.clone(), long.clone()]);
    let (a, b) = (column.get(0), column.get(1));
    assert_eq!(
        a.field(0),
        Some(Some("web")),
        "the name, shared with the lead"
    );
    assert_eq!(a.field(1), Some(Some("aws-fra")));
    assert_eq!(a.field(2), Some(Some("web")));
    assert_eq!(a.field(3), None, "no fourth field");
    assert_eq!(b.field(1), None, "past 64 KiB the row answers");
    let mut m = FilterMatcher::default();
    for (expr, want_a, want_b) in [
        ("seed:fra", true, false),
        ("seed:-AMS", false, true),
        ("purpose:größe", false, true),
        ("name:we", true, false),
        ("!seed:x", true, false),
    ] {
        let f = Filter::parse(expr, Row::FIELDS).expect("parses");
        assert_eq!(f.matches_in(&short, Some(a), &mut m), want_a, "{expr}");
        assert_eq!(f.matches_in(&long, Some(b), &mut m), want_b, "{expr}");
        assert_eq!(f.matches(&long, &mut m), want_b, "{expr} field by field");
    }
}

/// A text holds a needle only where its byte mask has the needle's bits.
#[test]
fn byte_masks_never_turn_away_a_text_that_holds_the_needle() {
    use super::fast::byte_mask;
    let mut rng = Lcg(11);
    let mut turned_away = 0;
    for _ in 0..20_000 {
        let text = rng.word(ASCII, 24).to_ascii_lowercase();
        let needle = rng.word(ASCII, 3).to_ascii_lowercase();
        let held =
            text.contains(&needle) || is_subsequence(text.as_bytes(), needle.as_bytes(), false);
        let may = byte_mask(needle.as_bytes()) & !byte_mask(text.as_bytes()) == 0;
        assert!(may || !held, "{needle:?} in {text:?}");
        turned_away += usize::from(!may);
    }
    assert!(
        turned_away > 1_000,
        "the mask turns texts away: {turned_away}"
    );
    assert_ne!(byte_mask(b"w"), byte_mask(b"e"));
    assert_eq!(byte_mask(b"web-1"), byte_mask(b"1-bew"));
}

/// Issue #13 item 12: the lower-case form of `İ` is three bytes long where
/// `İ` is two, so an offset found in the lower-cased name is no offset of
/// the name itself.
#[test]
fn exact_highlight_counts_chars_when_lower_casing_changes_the_length() {
    let mut m = FilterMatcher::default();
    let name = "İİİİİİİİİİweb";
    let f = Filter::parse("\"web\"", &["name"]).unwrap();
    assert_eq!(f.highlight(name, &mut m), vec![10, 11, 12]);
    let f = Filter::parse("\"İWEB\"", &["name"]).unwrap();
    assert_eq!(f.highlight(name, &mut m), vec![9, 10, 11, 12]);
    // a name that grows when lower-cased before the match, and after it
    let f = Filter::parse("\"ss\"", &["name"]).unwrap();
    assert_eq!(f.highlight("ẞİxssİ", &mut m), vec![3, 4]);
}

/// Fuzzy indices are char positions too (nucleo counts graphemes).
#[test]
fn fuzzy_highlight_counts_chars_not_graphemes() {
    let mut m = FilterMatcher::default();
    // `e` + combining acute is one grapheme and two chars
    let name = "e\u{301}e\u{301}web";
    let f = Filter::parse("web", &["name"]).unwrap();
    assert_eq!(f.highlight(name, &mut m), vec![4, 5, 6]);
}

/// Over random mixed-case unicode names and terms, `highlight` never panics
/// and only names chars the name has; an exact term the name holds is
/// highlighted as one run of chars.
#[test]
fn highlight_never_panics_and_stays_inside_the_name() {
    let mut rng = Lcg(13);
    let mut m = FilterMatcher::default();
    let mut exact_hits = 0;
    for _ in 0..20_000 {
        let name = rng.word(MIXED, 16);
        let needle = rng.word(MIXED, 3);
        if needle.is_empty() || needle.contains('"') {
            continue;
        }
        let chars = name.chars().count() as u32;
        for expr in [
            format!("\"{needle}\""),
            needle.clone(),
            format!("x \"{needle}\" {needle}"),
        ] {
            let Ok(f) = Filter::parse(&expr, &["name"]) else {
                continue;
            };
            let hl = f.highlight(&name, &mut m);
            assert!(
                hl.iter().all(|&i| i < chars),
                "{expr:?} over {name:?}: {hl:?} (of {chars} chars)"
            );
            assert!(hl.windows(2).all(|w| w[0] < w[1]), "{hl:?} sorted, unique");
        }
        let f = Filter::parse(&format!("\"{needle}\""), &["name"]).unwrap();
        let hl = f.highlight(&name, &mut m);
        if contains_ci(&name, &needle.to_lowercase()) && name.chars().all(|c| c != 'İ') {
            // without characters that lower-case to two, the run is exact
            exact_hits += 1;
            assert!(!hl.is_empty(), "{needle:?} in {name:?}");
            assert!(hl.windows(2).all(|w| w[1] == w[0] + 1), "{hl:?} one run");
            let run: String = name
                .chars()
                .skip(hl[0] as usize)
                .take(hl.len())
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(run, needle.to_lowercase(), "{needle:?} in {name:?}");
        }
    }
    assert!(exact_hits > 500, "{exact_hits}");
}

/// A term with nothing to match would select every row (and `--selector`
/// would act on the whole landscape): it is an error naming the term.
#[test]
fn a_term_with_nothing_to_match_is_an_error_naming_it() {
    for (expr, term) in [
        ("!", "!"),
        ("web !", "!"),
        ("! web", "!"),
        ("name:", "name:"),
        ("seed:", "seed:"),
        ("!seed:", "!seed:"),
        ("\"\"", "\"\""),
        ("!\"\"", "!\"\""),
        ("\"  \"", "\"  \""),
    ] {
        let e = Filter::parse(expr, Row::FIELDS).expect_err(expr);
        assert_eq!(e, FilterError::EmptyTerm { term: term.into() }, "{expr:?}");
        assert!(e.to_string().contains(&format!("{term:?}")), "{e}");
    }
    let e = Filter::parse("!!x", Row::FIELDS).unwrap_err();
    assert_eq!(e, FilterError::DoubleNegation { term: "!!x".into() });
    // `field:*` asks for any value of the field
    let f = Filter::parse("seed:*", Row::FIELDS).unwrap();
    let mut m = FilterMatcher::default();
    let with = Row {
        name: "a".into(),
        seed: "fra".into(),
        purpose: String::new(),
    };
    assert!(f.matches_in(&with, None, &mut m));
    let f = Filter::parse("seed:*x", Row::FIELDS).unwrap();
    assert!(!f.matches_in(&with, None, &mut m));
    // what still parses
    for ok in ["!x", "seed:fra", "\"a b\"", "!\"x\"", "a:b:c"] {
        let fields = ["seed", "a"];
        assert!(Filter::parse(ok, &fields).is_ok(), "{ok}");
    }
}
