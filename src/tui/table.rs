//! The generic table: columns, sort keys, issue flags and the visible-row
//! computation every pane shares, whatever the row type.

use std::borrow::Cow;

use jiff::Timestamp;
use kclm::filter::{Filter, FilterMatcher, Filterable};
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

/// Seconds-since-epoch sort key for an RFC 3339 timestamp (0 when absent).
pub fn ts_key(ts: Option<&str>) -> SortKey<'static> {
    SortKey::Num(
        ts.and_then(super::fmt::parse_ts)
            .map(|t| t.as_second())
            .unwrap_or(0),
    )
}

/// Indices of the rows to show: candidates that pass the filter and the
/// issues toggle, sorted by the column (ties keep candidate order).
pub fn visible<R: TableRow>(
    rows: &[R],
    candidates: impl Iterator<Item = usize>,
    filter: Option<&Filter>,
    issues_only: bool,
    sort: Sort,
) -> Vec<u32> {
    let mut m = FilterMatcher::default();
    let mut keep: Vec<usize> = candidates
        .filter(|&i| {
            let r = &rows[i];
            (!issues_only || r.issue() != Some(false))
                && filter.is_none_or(|f| f.matches(r, &mut m))
        })
        .collect();
    if sort.col < R::COLUMNS.len() {
        let mut keyed: Vec<(SortKey<'_>, usize)> = keep
            .iter()
            .map(|&i| (rows[i].sort_key(sort.col), i))
            .collect();
        keyed.sort_by(|a, b| {
            let o = a.0.cmp(&b.0);
            if sort.desc { o.reverse() } else { o }.then(a.1.cmp(&b.1))
        });
        keep = keyed.into_iter().map(|(_, i)| i).collect();
    }
    keep.into_iter().map(|i| i as u32).collect()
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
