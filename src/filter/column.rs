//! The search texts of a whole row set in one buffer, and the row set that
//! keeps them in step with its rows.
//!
//! A keystroke over 100,000 rows reads every row's search text. Kept one
//! allocation per row, each read waits for its own cache miss; kept end to
//! end in one buffer, the reads stream.

use std::sync::atomic::{AtomicU64, Ordering};

use super::fast::byte_mask;
use super::{ABSENT, FieldSpan, Filterable, SEP, push_search_text};

/// One row's search text: its fields lower-cased and joined, led by its
/// lower-cased name when that is ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchRef<'a> {
    text: &'a str,
    /// Length of the ASCII name at the start of `text`.
    name_len: Option<usize>,
    /// Where each field is in `text`; `None` when the text was too long to say.
    fields: Option<&'a [FieldSpan]>,
    /// [`byte_mask`] of `text`.
    mask: u64,
}

impl<'a> SearchRef<'a> {
    /// Everything the substring fallback looks into.
    pub fn text(self) -> &'a str {
        self.text
    }
    /// The row's name in ASCII lower case, if the name is ASCII.
    pub fn ascii_name_lower(self) -> Option<&'a str> {
        self.name_len.map(|n| &self.text[..n])
    }
    /// Whether every byte whose bit `mask` has (see [`byte_mask`]) may occur
    /// in the text; `false` means some surely does not.
    #[inline]
    pub(crate) fn may_hold(self, mask: u64) -> bool {
        mask & !self.mask == 0
    }
    /// The lower-cased value of field `index` of `Filterable::FIELDS`:
    /// `Some(None)` when the row has no such field, `None` when this text
    /// cannot say (ask the row).
    #[inline]
    pub fn field(self, index: usize) -> Option<Option<&'a str>> {
        let &(start, len) = self.fields?.get(index)?;
        Some((start, len) != ABSENT).map(|present| {
            present.then(|| &self.text[start as usize..start as usize + len as usize])
        })
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
    /// `u32::MAX` when the name is not ASCII.
    name_len: u32,
    /// Whether the row's field spans could be given.
    fields: bool,
    /// [`byte_mask`] of the text.
    mask: u64,
}

/// The search texts of rows `0..len`, end to end in one buffer, with where
/// each row's fields are in its text.
#[derive(Clone, Debug, Default)]
pub struct SearchColumn {
    buf: String,
    spans: Vec<Span>,
    /// `stride` field spans per row.
    fields: Vec<FieldSpan>,
    stride: usize,
    /// Bytes of `buf` no span points at any more.
    dead: usize,
}

impl SearchColumn {
    pub fn build<R: Filterable>(rows: &[R]) -> Self {
        let stride = R::FIELDS.len();
        let mut c = Self {
            buf: String::new(),
            spans: Vec::with_capacity(rows.len()),
            fields: Vec::with_capacity(rows.len() * stride),
            stride,
            dead: 0,
        };
        let mut fields = Vec::with_capacity(stride);
        for r in rows {
            let start = c.buf.len();
            fields.clear();
            let (name_len, fit) = push_search_text(r, &mut c.buf, &mut fields);
            c.spans.push(Span {
                start: offset(start),
                len: offset(c.buf.len() - start),
                name_len: name_len.map_or(u32::MAX, offset),
                fields: fit,
                mask: byte_mask(&c.buf.as_bytes()[start..]),
            });
            c.fields.extend_from_slice(&fields);
        }
        c.buf.shrink_to_fit();
        c
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Row `i`'s text.
    #[inline]
    pub fn get(&self, i: usize) -> SearchRef<'_> {
        let s = self.spans[i];
        let start = s.start as usize;
        SearchRef {
            text: &self.buf[start..start + s.len as usize],
            name_len: (s.name_len != u32::MAX).then_some(s.name_len as usize),
            fields: s
                .fields
                .then(|| &self.fields[i * self.stride..(i + 1) * self.stride]),
            mask: s.mask,
        }
    }

    /// Writes row `i`'s text anew: in place when it is no longer than before
    /// (the rest of the old place is blanked with separators, which no term
    /// matches), else at the end; the buffer is compacted once a quarter of
    /// it is dead.
    pub fn set<R: Filterable>(&mut self, i: usize, row: &R) {
        let old = self.spans[i];
        let mut text = String::new();
        let mut fields = Vec::with_capacity(self.stride);
        let (name_len, fit) = push_search_text(row, &mut text, &mut fields);
        let name_len = name_len.map_or(u32::MAX, offset);
        self.fields[i * self.stride..(i + 1) * self.stride].copy_from_slice(&fields);
        let len = offset(text.len());
        let mask = byte_mask(text.as_bytes());
        if len <= old.len {
            let start = old.start as usize;
            let pad = (old.len - len) as usize;
            text.extend(std::iter::repeat_n(SEP, pad));
            self.buf
                .replace_range(start..start + old.len as usize, &text);
            self.dead += pad;
            self.spans[i] = Span {
                start: old.start,
                len,
                name_len,
                fields: fit,
                mask,
            };
        } else {
            let start = offset(self.buf.len());
            if self.buf.capacity() - self.buf.len() < text.len() {
                // grow by a little, not by doubling: a column is megabytes
                self.buf.reserve_exact(text.len().max(self.slack()));
            }
            self.buf.push_str(&text);
            self.dead += old.len as usize;
            self.spans[i] = Span {
                start,
                len,
                name_len,
                fields: fit,
                mask,
            };
        }
        if self.dead > 64 * 1024 && self.dead * 4 > self.buf.len() {
            self.compact();
        }
    }

    /// Room a growing buffer gets beyond what it needs now.
    fn slack(&self) -> usize {
        (self.buf.len() / 32).max(4096)
    }

    fn compact(&mut self) {
        let mut buf = String::with_capacity(self.buf.len() - self.dead + self.slack());
        for s in &mut self.spans {
            let start = s.start as usize;
            let from = start..start + s.len as usize;
            s.start = offset(buf.len());
            buf.push_str(&self.buf[from]);
        }
        self.buf = buf;
        self.dead = 0;
    }

    /// Bytes held (for tests and memory accounting).
    pub fn buffer_len(&self) -> usize {
        self.buf.len()
    }

    /// Bytes allocated for the texts.
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a row set's search texts fit in 4 GiB")
}

/// Where a row set's sort order came from: rows change only through the
/// [`RowSet`], which counts whole rebuilds (`epoch`) and notes rows changed in
/// place since the last one (`touched`), so a kept sort order can be repaired
/// instead of sorting everything again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version<'a> {
    pub epoch: u64,
    /// Rows changed in place since `epoch` began, in the order they changed
    /// (a row may appear more than once).
    pub touched: &'a [u32],
}

/// A fresh epoch, never handed out before in this process.
pub fn next_epoch() -> u64 {
    static EPOCH: AtomicU64 = AtomicU64::new(1);
    EPOCH.fetch_add(1, Ordering::Relaxed)
}

/// Rows with their [`SearchColumn`]: they can only be changed through it,
/// so the texts cannot go stale.
#[derive(Clone, Debug)]
pub struct RowSet<R> {
    rows: Vec<R>,
    search: SearchColumn,
    epoch: u64,
    touched: Vec<u32>,
}

impl<R> Default for RowSet<R> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            search: SearchColumn::default(),
            epoch: next_epoch(),
            touched: Vec::new(),
        }
    }
}

impl<R> std::ops::Deref for RowSet<R> {
    type Target = [R];
    fn deref(&self) -> &[R] {
        &self.rows
    }
}

impl<R: Filterable> RowSet<R> {
    pub fn new(rows: Vec<R>) -> Self {
        let mut set = Self::default();
        set.replace(rows);
        set
    }

    /// All rows anew (a new epoch).
    pub fn replace(&mut self, rows: Vec<R>) {
        self.search = SearchColumn::build(&rows);
        self.rows = rows;
        self.new_epoch();
    }

    /// Row `i` anew.
    pub fn set(&mut self, i: usize, row: R) {
        self.search.set(i, &row);
        self.rows[i] = row;
        self.touch(i);
    }

    /// Changes fields the filter does not read, in every row; `f` says
    /// whether it changed the row (its sort keys may have moved).
    pub fn update_unsearched(&mut self, mut f: impl FnMut(&mut R) -> bool) {
        for i in 0..self.rows.len() {
            if f(&mut self.rows[i]) {
                debug_assert_eq!(
                    SearchColumn::build(std::slice::from_ref(&self.rows[i])).get(0),
                    self.search.get(i),
                    "update_unsearched changed a searched field"
                );
                self.touch(i);
            }
        }
    }

    pub fn search(&self) -> &SearchColumn {
        &self.search
    }

    pub fn version(&self) -> Version<'_> {
        Version {
            epoch: self.epoch,
            touched: &self.touched,
        }
    }

    fn touch(&mut self, i: usize) {
        // past a quarter of the rows, repairing costs what sorting costs
        if self.touched.len() >= (self.rows.len() / 4).max(1024) {
            self.new_epoch();
        } else {
            self.touched.push(i as u32);
        }
    }

    fn new_epoch(&mut self) {
        self.epoch = next_epoch();
        self.touched.clear();
    }
}
