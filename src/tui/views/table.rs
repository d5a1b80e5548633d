//! Draws one pane: border with title, header, and only the visible rows.

use kclm::filter::FilterMatcher;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::tui::state::{Pane, Scope, Screen, State, ViewKind, with_rows};
use crate::tui::table::{self, CellCtx, TableRow};
use crate::tui::theme::Theme;

fn title(s: &State, pane: &Pane, focused: bool, theme: &Theme) -> Line<'static> {
    let st = if focused {
        theme.style("ui.title.focus")
    } else {
        theme.style("ui.title")
    };
    let mut spans = vec![Span::styled(
        format!(" {} ({}) ", pane.kind.name(), pane.visible.len()),
        st,
    )];
    let scope = match &pane.scope {
        Scope::Project(name, _) if pane.kind == ViewKind::Shoots => Some(format!("project {name}")),
        Scope::Seed(seed) if pane.kind == ViewKind::Shoots => Some(format!("seed {seed}")),
        Scope::Shoot(key) if pane.kind == ViewKind::Machines => Some(format!("of {key}")),
        _ => None,
    };
    if let Some(scope) = scope {
        spans.push(Span::styled(format!("· {scope} "), theme.style("ui.title")));
    }
    if !pane.filter_text.is_empty() {
        let scope = if pane.filter_error.is_some() {
            "ui.input.error"
        } else {
            "ui.table.match"
        };
        spans.push(Span::styled(
            format!("/{} ", pane.filter_text),
            theme.style(scope),
        ));
    }
    if s.issues_only {
        spans.push(Span::styled("issues ", theme.style("status.unhealthy")));
    }
    Line::from(spans)
}

/// First row to draw so the cursor is visible (render never mutates state).
pub fn effective_offset(offset: usize, cursor: usize, page: usize, len: usize) -> usize {
    let page = page.max(1);
    let mut o = offset.min(len.saturating_sub(1));
    if cursor < o {
        o = cursor;
    } else if cursor >= o + page {
        o = cursor + 1 - page;
    }
    o
}

pub fn render_pane(f: &mut Frame, area: Rect, s: &State, kind: ViewKind, theme: &Theme) {
    let pane = s.pane(kind);
    let focused = s.active() == kind && s.overlay.is_none();
    let border = if focused {
        theme.style("ui.border.focus")
    } else {
        theme.style("ui.border")
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title(s, pane, focused, theme));
    let inner = block.inner(area);
    f.render_widget(block, area);
    with_rows!(s.ls.rows, kind, |rows| draw_rows(
        f, inner, s, pane, rows, focused, theme
    ));
}

fn empty_text(s: &State, pane: &Pane) -> String {
    if s.ls.session_error.is_some() {
        return "not connected (see the status line)".into();
    }
    if !s.ls.store.settled() && s.ls.store.generation > 0 || s.ls.store.sources.is_empty() {
        return format!("loading {}…", pane.kind.name());
    }
    if !pane.filter_text.is_empty() || s.issues_only {
        return format!("no {} match", pane.kind.name());
    }
    format!("no {}", pane.kind.name())
}

fn draw_rows<R: TableRow>(
    f: &mut Frame,
    area: Rect,
    s: &State,
    pane: &Pane,
    rows: &[R],
    focused: bool,
    theme: &Theme,
) {
    if area.height == 0 {
        return;
    }
    let widths = table::widths(R::COLUMNS, area.width);
    let shown: Vec<usize> = (0..R::COLUMNS.len())
        .filter(|i| widths[*i].is_some())
        .collect();
    let header_style = theme.style("ui.table.header");
    let header = Row::new(shown.iter().map(|&i| {
        let c = &R::COLUMNS[i];
        let mut name = c.name.to_string();
        if pane.sort.col == i {
            name.push(if pane.sort.desc { '▼' } else { '▲' });
        }
        Cell::from(name)
    }))
    .style(header_style);
    let page = area.height.saturating_sub(1) as usize;
    if pane.visible.is_empty() {
        let t = Table::new(Vec::<Row>::new(), constraints(&widths)).header(header);
        f.render_widget(t, area);
        if area.height > 2 {
            let msg = Rect::new(area.x + 1, area.y + 2, area.width.saturating_sub(2), 1);
            f.render_widget(
                Paragraph::new(empty_text(s, pane)).style(theme.style("ui.text.dim")),
                msg,
            );
        }
        return;
    }
    let offset = effective_offset(pane.offset, pane.cursor, page, pane.visible.len());
    let mut matcher = FilterMatcher::default();
    let sel_style = if focused {
        theme.style("ui.table.selected")
    } else {
        theme.style("ui.table.selected.unfocused")
    };
    let body: Vec<Row> = pane
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(pos, &i)| {
            let r = &rows[i as usize];
            let hl = pane
                .filter
                .as_ref()
                .map(|flt| flt.highlight(r.name(), &mut matcher))
                .unwrap_or_default();
            let ctx = CellCtx {
                theme,
                now: s.now,
                hl: &hl,
                widths: &widths,
            };
            let mut cells = r.cells(&ctx);
            let marked = pane.kind == ViewKind::Shoots
                && !s.ls.marks.is_empty()
                && s.ls.marks.contains(r.id().as_ref());
            if marked && let Some(first) = cells.first_mut() {
                first
                    .spans
                    .insert(0, Span::styled("● ", theme.style("ui.table.marked")));
            }
            let row = Row::new(shown.iter().map(|&c| Cell::from(cells[c].clone())));
            if pos == pane.cursor {
                row.style(sel_style)
            } else if marked {
                row.style(theme.style("ui.table.marked"))
            } else {
                row
            }
        })
        .collect();
    let t = Table::new(body, constraints(&widths))
        .header(header)
        .column_spacing(1)
        .style(theme.style("ui.text"));
    f.render_widget(t, area);
}

fn constraints(widths: &[Option<u16>]) -> Vec<Constraint> {
    widths
        .iter()
        .flatten()
        .map(|w| Constraint::Length(*w))
        .collect()
}

/// One entry of the tab line (also used for mouse hit-testing).
pub fn tab_label(n: usize, k: ViewKind, s: &State) -> String {
    format!(" {} {} ({}) ", n + 1, k.name(), s.pane(k).visible.len())
}

/// Tab line for narrow terminals: which panes exist and which is shown.
pub fn render_tabs(f: &mut Frame, area: Rect, s: &State, theme: &Theme) {
    let mut spans = Vec::new();
    for (n, k) in ViewKind::LANDSCAPE.iter().enumerate() {
        let st = if *k == s.focus && s.screen == Screen::Landscape {
            theme.style("ui.title.focus")
        } else {
            theme.style("ui.title")
        };
        spans.push(Span::styled(tab_label(n, *k, s), st));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(Style::default()),
        area,
    );
}
