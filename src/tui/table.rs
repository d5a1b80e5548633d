//! The generic table: columns, sort keys, issue flags and the visible-row
//! computation every pane shares, whatever the row type.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::OnceLock;

use jiff::Timestamp;
use kclm::filter::{Filter, FilterMatcher, Filterable, SearchColumn, Version};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;

/// One column: header, width bounds and priority (lower = dropped last).
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub name: &'static str,
    pub min: u16,
    pub max: u16,
    pub prio: u8,
}

pub const fn col(name: &'static str, min: u16, max: u16, prio: u8) -> Col {
    Col {
        name,
        min,
        max,
        prio,
    }
}

/// What a column sorts by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey<'a> {
    Num(i64),
    Str(Cow<'a, str>),
}

/// What cell rendering may look at besides the row.
pub struct CellCtx<'a> {
    pub theme: &'a Theme,
    pub now: Timestamp,
    /// Match positions in the row's name, for highlighting.
    pub hl: &'a [u32],
    /// Width of each column as laid out (`None` = hidden or unknown).
    pub widths: &'a [Option<u16>],
}

impl CellCtx<'_> {
    pub fn st(&self, scope: &str) -> Style {
        self.theme.style(scope)
    }
    /// The name cell with fuzzy-match positions highlighted.
    pub fn name(&self, name: &str, base: Style) -> Line<'static> {
        if self.hl.is_empty() {
            return Line::from(Span::styled(name.to_string(), base));
        }
        let hl_style = base.patch(self.st("ui.table.match"));
        let spans: Vec<Span<'static>> = name
            .chars()
            .enumerate()
            .map(|(i, c)| {
                let s = if self.hl.contains(&(i as u32)) {
                    hl_style
                } else {
                    base
                };
                Span::styled(c.to_string(), s)
            })
            .collect();
        Line::from(spans)
    }
    /// Keeps the end of `s` when the column is too narrow: metal ids and
    /// Gardener hostnames differ at the end, not at the start.
    pub fn tail(&self, col: usize, s: &str) -> String {
        self.tail_reserving(col, s, 0)
    }
    /// Like [`Self::tail`], leaving `reserve` cells for a suffix.
    pub fn tail_reserving(&self, col: usize, s: &str, reserve: usize) -> String {
        use unicode_width::UnicodeWidthStr;
        let Some(Some(w)) = self.widths.get(col) else {
            return s.to_string();
        };
        let w = (*w as usize).saturating_sub(reserve);
        if s.width() <= w || w < 2 {
            return s.to_string();
        }
        let chars: Vec<char> = s.chars().collect();
        let keep: String = chars[chars.len().saturating_sub(w - 1)..].iter().collect();
        format!("…{keep}")
    }
    pub fn text(&self, s: impl Into<String>) -> Line<'static> {
        Line::from(s.into())
    }
    pub fn styled(&self, s: impl Into<String>, scope: &str) -> Line<'static> {
        Line::from(Span::styled(s.into(), self.st(scope)))
    }
}

/// A row type a pane can show.
pub trait TableRow: Filterable {
    const COLUMNS: &'static [Col];
    /// Stable identity, to keep the selection across rebuilds.
    fn id(&self) -> Cow<'_, str>;
    /// Whether [`Self::id`] is `id`; rows with a composed id answer without
    /// composing it (the selection is looked for among every visible row).
    fn has_id(&self, id: &str) -> bool {
        self.id() == id
    }
    /// One line per column.
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>>;
    fn sort_key(&self, col: usize) -> SortKey<'_>;
    /// `Some(true)` when the row needs attention; `None` when the kind has no
    /// notion of issues (the issues-only toggle then hides nothing).
    fn issue(&self) -> Option<bool>;
}

/// Sort column and direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub desc: bool,
}

/// Whether `id` is `namespace/name`, without building it.
pub fn is_ns_name(id: &str, namespace: &str, name: &str) -> bool {
    id.len() == namespace.len() + 1 + name.len()
        && id.starts_with(namespace)
        && id.as_bytes()[namespace.len()] == b'/'
        && id.ends_with(name)
}

/// Seconds-since-epoch sort key for an RFC 3339 timestamp (0 when absent).
pub fn ts_key(ts: Option<&str>) -> SortKey<'static> {
    SortKey::Num(
        ts.and_then(super::fmt::parse_ts)
            .map(|t| t.as_second())
            .unwrap_or(0),
    )
}

/// Indices of the rows to show: candidates that pass the filter and the
/// issues toggle, sorted by the column (ties keep row order). `search` holds
/// the rows' search texts, if the kind keeps them. The sort order of all rows
/// is kept in `order` for the rows' `version`, and repaired for the rows that
/// changed since, so a keystroke or a watch event does not sort them all.
#[allow(clippy::too_many_arguments)]
pub fn visible<R: TableRow + Sync>(
    rows: &[R],
    search: Option<&SearchColumn>,
    candidates: &[usize],
    filter: Option<&Filter>,
    issues_only: bool,
    sort: Sort,
    order: &mut SortCache,
    version: Version<'_>,
) -> Vec<u32> {
    let keep = passing(rows, search, candidates, filter, issues_only);
    if sort.col >= R::COLUMNS.len() {
        return keep;
    }
    order.sorted(rows, keep, version, sort)
}

/// From this many candidates on, a filter runs on every core.
const PARALLEL_FROM: usize = 20_000;

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

/// The candidates that pass, in candidate order; long lists are cut into one
/// chunk per core and the chunks' answers joined in order.
fn passing<R: TableRow + Sync>(
    rows: &[R],
    search: Option<&SearchColumn>,
    candidates: &[usize],
    filter: Option<&Filter>,
    issues_only: bool,
) -> Vec<u32> {
    let keep = |r: &R| !issues_only || r.issue() != Some(false);
    let Some(filter) = filter else {
        return candidates
            .iter()
            .filter(|&&i| keep(&rows[i]))
            .map(|&i| i as u32)
            .collect();
    };
    let run =
        |part: &[usize]| filter.select(rows, search, part, &mut FilterMatcher::default(), keep);
    let threads = cores();
    if threads < 2 || candidates.len() < PARALLEL_FROM {
        return run(candidates);
    }
    let mut chunks = candidates.chunks(candidates.len().div_ceil(threads));
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|s| {
        let rest: Vec<_> = chunks.map(|part| s.spawn(move || run(part))).collect();
        let mut out = run(first);
        for h in rest {
            out.extend(h.join().expect("a filter thread does not panic"));
        }
        out
    })
}

/// All rows in the order of one sort, for one version of the rows.
#[derive(Clone, Debug, Default)]
pub struct SortCache {
    /// (epoch, row count, sort) `order` was built for.
    key: Option<(u64, usize, Sort)>,
    /// How many of the epoch's touched rows `order` has taken in.
    seen: usize,
    /// Row indices in sort order.
    order: Vec<u32>,
    /// Each row's position in `order`.
    rank: Vec<u32>,
}

impl SortCache {
    /// `keep` in sort order: few rows are sorted by rank, many are picked out
    /// of the full order. Without an order for this epoch, few rows are
    /// sorted by key rather than building one.
    fn sorted<R: TableRow>(
        &mut self,
        rows: &[R],
        mut keep: Vec<u32>,
        version: Version<'_>,
        sort: Sort,
    ) -> Vec<u32> {
        let few = keep.len() < rows.len() / 8;
        let key = (version.epoch, rows.len(), sort);
        if self.key != Some(key) || self.seen > version.touched.len() {
            if few {
                return sort_by_key(rows, keep, sort);
            }
            self.order = sort_by_key(rows, (0..rows.len() as u32).collect(), sort);
            self.key = Some(key);
            self.seen = version.touched.len();
            self.rank_all();
        } else if self.seen < version.touched.len() {
            self.repair(rows, &version.touched[self.seen..], sort);
            self.seen = version.touched.len();
        }
        if few {
            keep.sort_unstable_by_key(|&i| self.rank[i as usize]);
            return keep;
        }
        let mut shown = vec![false; rows.len()];
        for &i in &keep {
            shown[i as usize] = true;
        }
        self.order
            .iter()
            .copied()
            .filter(|&i| shown[i as usize])
            .collect()
    }

    /// Moves the `touched` rows to where their keys now sort: they are taken
    /// out, sorted among themselves and merged back.
    fn repair<R: TableRow>(&mut self, rows: &[R], touched: &[u32], sort: Sort) {
        let mut moved = vec![false; rows.len()];
        let mut changed: Vec<u32> = touched
            .iter()
            .copied()
            .filter(|&i| !std::mem::replace(&mut moved[i as usize], true))
            .collect();
        self.order.retain(|&i| !moved[i as usize]);
        changed.sort_by(|&a, &b| compare(rows, sort, a, b));
        let mut merged = Vec::with_capacity(rows.len());
        let mut from = 0;
        for c in changed {
            let at = from
                + self.order[from..]
                    .partition_point(|&i| compare(rows, sort, i, c) == Ordering::Less);
            merged.extend_from_slice(&self.order[from..at]);
            merged.push(c);
            from = at;
        }
        merged.extend_from_slice(&self.order[from..]);
        self.order = merged;
        self.rank_all();
    }

    fn rank_all(&mut self) {
        self.rank.clear();
        self.rank.resize(self.order.len(), 0);
        for (pos, &i) in self.order.iter().enumerate() {
            self.rank[i as usize] = pos as u32;
        }
    }
}

/// The order of a sort: the column's key, then the row index.
fn compare<R: TableRow>(rows: &[R], sort: Sort, a: u32, b: u32) -> Ordering {
    let o = rows[a as usize]
        .sort_key(sort.col)
        .cmp(&rows[b as usize].sort_key(sort.col));
    if sort.desc { o.reverse() } else { o }.then(a.cmp(&b))
}

/// Rows sorted by the column's key (ties by row index).
fn sort_by_key<R: TableRow>(rows: &[R], keep: Vec<u32>, sort: Sort) -> Vec<u32> {
    let mut keyed: Vec<(SortKey<'_>, u32)> = keep
        .into_iter()
        .map(|i| (rows[i as usize].sort_key(sort.col), i))
        .collect();
    keyed.sort_by(|a, b| {
        let o = a.0.cmp(&b.0);
        if sort.desc { o.reverse() } else { o }.then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Column widths for `width` cells: drops the least important columns until
/// the minimums fit, then shares the rest up to each maximum. `None` = hidden.
pub fn widths(cols: &[Col], width: u16) -> Vec<Option<u16>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let need = |shown: &[bool]| -> u32 {
        cols.iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.min as u32 + 1)
            .sum()
    };
    while need(&shown) > width as u32 {
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i] && *i != 0)
            .max_by_key(|(i, c)| (c.prio, *i))
            .map(|(i, _)| i);
        match drop {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let mut out: Vec<Option<u16>> = cols
        .iter()
        .zip(&shown)
        .map(|(c, s)| s.then_some(c.min))
        .collect();
    let mut spare = (width as i32) - need(&shown) as i32;
    // Grow columns in priority order so the important ones get room first.
    let mut order: Vec<usize> = (0..cols.len()).filter(|i| shown[*i]).collect();
    order.sort_by_key(|i| (cols[*i].prio, *i));
    while spare > 0 {
        let mut grew = false;
        for &i in &order {
            if spare == 0 {
                break;
            }
            if let Some(w) = out[i].as_mut()
                && *w < cols[i].max
            {
                *w += 1;
                spare -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use kclm::filter::{Filter, Filterable, RowSet};
    use ratatui::text::Line;

    use super::{CellCtx, Col, Sort, SortCache, SortKey, TableRow, col, visible};

    #[derive(Clone)]

    struct Row {
        name: String,
        size: i64,
    }

    impl Filterable for Row {
        const FIELDS: &'static [&'static str] = &["name"];
        fn name(&self) -> &str {
            &self.name
        }
        fn field(&self, f: &str) -> Option<Cow<'_, str>> {
            (f == "name").then_some(Cow::Borrowed(&self.name))
        }
    }

    impl TableRow for Row {
        const COLUMNS: &'static [Col] = &[col("NAME", 4, 20, 0), col("SIZE", 4, 8, 1)];
        fn id(&self) -> Cow<'_, str> {
            Cow::Borrowed(&self.name)
        }
        fn cells(&self, _: &CellCtx) -> Vec<Line<'static>> {
            Vec::new()
        }
        fn sort_key(&self, col: usize) -> SortKey<'_> {
            match col {
                0 => SortKey::Str(Cow::Borrowed(&self.name[..4])),
                _ => SortKey::Num(self.size),
            }
        }
        fn issue(&self) -> Option<bool> {
            Some(self.size % 3 == 0)
        }
    }

    /// What `visible` did before it kept sort orders: filter, then sort the
    /// kept rows by key (ties by row index).
    fn reference(
        rows: &[Row],
        cands: &[usize],
        f: Option<&Filter>,
        issues: bool,
        sort: Sort,
    ) -> Vec<u32> {
        let mut m = kclm::filter::FilterMatcher::default();
        let keep: Vec<u32> = cands
            .iter()
            .filter(|&&i| {
                (!issues || rows[i].issue() != Some(false))
                    && f.is_none_or(|f| f.matches(&rows[i], &mut m))
            })
            .map(|&i| i as u32)
            .collect();
        if sort.col >= Row::COLUMNS.len() {
            return keep;
        }
        super::sort_by_key(rows, keep, sort)
    }

    /// Enough rows for the filter to run on every core; keys with many ties.
    fn row(i: usize, size: i64) -> Row {
        Row {
            name: format!("{}-{i}", ["web1", "api2", "db03", "Wx99"][i % 4]),
            size,
        }
    }

    #[test]
    fn kept_and_repaired_orders_and_split_filtering_give_what_sorting_gave() {
        let mut rows = RowSet::new(
            (0..30_000)
                .map(|i| row(i, (i as i64 * 7919) % 13))
                .collect(),
        );
        let all: Vec<usize> = (0..rows.len()).collect();
        let some: Vec<usize> = (0..rows.len()).step_by(97).collect();
        let mut caches = vec![SortCache::default(); 18];
        let mut changed = 0;
        for (step, expr) in ["", "w", "1", "x9", "!web", "", "w"]
            .into_iter()
            .enumerate()
        {
            // rows change in place between keystrokes: a few, then many,
            // then all of them anew
            let n = [0, 1, 40, 3, 2, 9_000, 5][step];
            for k in 0..n {
                let i = (step * 31 + k * 7_717) % rows.len();
                let size = rows[i].size + [5, -3, 11][k % 3];
                rows.set(i, row(i, size));
                changed += 1;
            }
            if step == 4 {
                let all_new = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| row(i, r.size * 2 % 17));
                rows.replace(all_new.collect());
            }
            let f = Filter::for_rows::<Row>(expr).expect("parses");
            let f = (!f.is_empty()).then_some(f);
            let sorts = [0, 1, 5]
                .into_iter()
                .flat_map(|col| [false, true].map(|desc| Sort { col, desc }));
            let views =
                sorts.flat_map(|s| [(&all, false), (&some, false), (&all, true)].map(|v| (s, v)));
            for ((sort, (cands, issues)), cache) in views.zip(&mut caches) {
                let got = visible(
                    &rows,
                    Some(rows.search()),
                    cands,
                    f.as_ref(),
                    issues,
                    sort,
                    cache,
                    rows.version(),
                );
                let want = reference(&rows, cands, f.as_ref(), issues, sort);
                assert_eq!(got, want, "{expr:?} {sort:?} issues={issues} step {step}");
            }
        }
        assert!(changed > 9_000);
    }

    #[test]
    fn a_changed_row_moves_to_its_new_place() {
        let mut rows = RowSet::new((0..10).map(|i| row(i, i as i64)).collect());
        let all: Vec<usize> = (0..rows.len()).collect();
        let mut cache = SortCache::default();
        let by_size = Sort { col: 1, desc: true };
        let show = |rows: &RowSet<Row>, cache: &mut SortCache| {
            visible(
                rows,
                None,
                &all,
                None,
                false,
                by_size,
                cache,
                rows.version(),
            )
        };
        assert_eq!(show(&rows, &mut cache), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        rows.set(0, row(0, 100));
        rows.set(9, row(9, -1));
        assert_eq!(show(&rows, &mut cache), [0, 8, 7, 6, 5, 4, 3, 2, 1, 9]);
        let epoch = rows.version().epoch;
        rows.set(4, row(4, 7));
        assert_eq!(rows.version().epoch, epoch, "repaired, not sorted anew");
        // ties keep row order, whichever way the sort goes
        assert_eq!(show(&rows, &mut cache), [0, 8, 4, 7, 6, 5, 3, 2, 1, 9]);
    }
}
