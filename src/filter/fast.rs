//! The per-keystroke fast paths of the filter: what nucleo would answer about
//! an ASCII name without asking nucleo, and substring searches with a
//! searcher built once per term.

use memchr::memmem::Finder;

/// A fuzzy term's needle when it is ASCII: nucleo's fuzzy match of an ASCII
/// needle (`CaseMatching::Smart`, one atom) against an ASCII haystack hits
/// exactly when the needle is a subsequence of the haystack, compared without
/// case when the needle has no upper-case letter and byte for byte otherwise.
#[derive(Clone, Debug)]
pub(super) struct Subsequence {
    needle: Box<[u8]>,
    ignore_case: bool,
    /// [`byte_mask`] of the lower-cased needle.
    mask: u64,
}

impl Subsequence {
    /// `None` for a non-ASCII term (nucleo then decides everything).
    pub(super) fn new(term: &str) -> Option<Self> {
        term.is_ascii().then(|| Self {
            needle: term.as_bytes().into(),
            ignore_case: !term.bytes().any(|b| b.is_ascii_uppercase()),
            mask: byte_mask(term.to_ascii_lowercase().as_bytes()),
        })
    }

    /// [`byte_mask`] of the needle in lower case: a text whose mask lacks one
    /// of its bits holds neither the needle nor a subsequence of it.
    pub(super) fn mask(&self) -> u64 {
        self.mask
    }

    /// Whether the needle has no upper-case letter (case is then ignored).
    pub(super) fn ignore_case(&self) -> bool {
        self.ignore_case
    }

    /// [`Self::matches`] for a haystack already in ASCII lower case, with a
    /// needle that ignores case.
    #[inline]
    pub(super) fn matches_lower(&self, haystack_lower: &str) -> bool {
        is_subsequence(haystack_lower.as_bytes(), &self.needle, false)
    }

    /// Whether nucleo would match `haystack`, or `None` when it is not ASCII
    /// (normalization and Unicode case folding are nucleo's business).
    #[inline]
    pub(super) fn matches(&self, haystack: &str) -> Option<bool> {
        haystack
            .is_ascii()
            .then(|| is_subsequence(haystack.as_bytes(), &self.needle, self.ignore_case))
    }
}

/// Whether `needle` occurs in `haystack` in order (gaps allowed); without
/// case means the needle is lower case and haystack bytes are lowered.
#[inline]
pub(super) fn is_subsequence(haystack: &[u8], needle: &[u8], ignore_case: bool) -> bool {
    let mut want = needle.iter();
    let Some(mut c) = want.next() else {
        return true;
    };
    if needle.len() > haystack.len() {
        return false;
    }
    for &b in haystack {
        let b = if ignore_case {
            b.to_ascii_lowercase()
        } else {
            b
        };
        if b == *c {
            match want.next() {
                Some(n) => c = n,
                None => return true,
            }
        }
    }
    false
}

/// Which bytes occur in `bytes`, one bit each for `a`-`z` and `0`-`9`, the
/// other bytes sharing the remaining 28 bits: a needle can only occur in a
/// text whose mask has every bit of the needle's.
pub(crate) fn byte_mask(bytes: &[u8]) -> u64 {
    const BIT: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = match b as u8 {
                c @ b'a'..=b'z' => c - b'a',
                c @ b'0'..=b'9' => 26 + c - b'0',
                c => 36 + c % 28,
            };
            b += 1;
        }
        t
    };
    bytes.iter().fold(0, |m, &b| m | 1 << BIT[b as usize])
}

/// A lower-cased needle with its substring searcher, built at parse time.
#[derive(Clone, Debug)]
pub(super) struct Needle {
    pub(super) text: String,
    finder: Finder<'static>,
}

impl Needle {
    pub(super) fn new(lower: String) -> Self {
        let finder = Finder::new(lower.as_bytes()).into_owned();
        Self {
            text: lower,
            finder,
        }
    }

    /// Whether the needle occurs in `haystack` (case as given).
    #[inline]
    pub(super) fn in_text(&self, haystack: &str) -> bool {
        self.finder.find(haystack.as_bytes()).is_some()
    }
}

impl PartialEq for Needle {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
