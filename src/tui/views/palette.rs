//! The `:` palette and the sort-column picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::help::centered;
use crate::tui::overlay::Palette;
use crate::tui::state::{State, with_rows};
use crate::tui::table::TableRow;
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::render_line_edit;

pub fn render_palette(f: &mut Frame, area: Rect, p: &Palette, theme: &Theme) {
    let h = (p.items.len() as u16 + 3)
        .min(area.height.saturating_sub(2))
        .max(4);
    let mut r = centered(area, 70, h);
    r.y = area.y + 2.min(area.height.saturating_sub(h));
    f.render_widget(Clear, r);
    // The prompt; the line itself is drawn by its widget after the popup.
    let mut lines = vec![Line::from(Span::styled(":", theme.style("ui.help.key")))];
    let width = p
        .items
        .iter()
        .map(|(t, _)| t.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    // Keep the highlighted item in view when the list is taller than the popup.
    let room = r.height.saturating_sub(3).max(1) as usize;
    let first = p.cursor.saturating_sub(room - 1);
    for (i, (text, help)) in p.items.iter().enumerate().skip(first).take(room) {
        let st = if i == p.cursor {
            theme.style("ui.table.selected")
        } else {
            theme.style("ui.popup")
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {text:<width$}"), st),
            Span::styled(format!(" {help}"), theme.style("ui.text.dim")),
        ]));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.popup.border"))
        .title(" command · tab completes · enter runs ");
    let inner = block.inner(r);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup")),
        r,
    );
    let field = Rect {
        x: inner.x.saturating_add(1),
        width: inner.width.saturating_sub(1),
        height: inner.height.min(1),
        ..inner
    };
    render_line_edit(f, field, &p.line, theme.style("ui.input"), theme);
}

fn names<R: TableRow>(_: &[R]) -> Vec<&'static str> {
    R::COLUMNS
        .iter()
        .map(|c| if c.name.is_empty() { "STATUS" } else { c.name })
        .collect()
}

pub fn render_sort_pick(f: &mut Frame, area: Rect, s: &State, cursor: usize, theme: &Theme) {
    let kind = s.active();
    let cols = with_rows!(s.ls.rows, kind, |rows| names(rows));
    let sort = s.pane(kind).sort;
    let r = centered(area, 36, cols.len() as u16 + 2);
    f.render_widget(Clear, r);
    let lines: Vec<Line> = cols
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mark = if i == sort.col {
                if sort.desc { " ▼" } else { " ▲" }
            } else {
                ""
            };
            let st = if i == cursor {
                theme.style("ui.table.selected")
            } else {
                theme.style("ui.popup")
            };
            Line::from(Span::styled(format!(" {name}{mark}"), st))
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.popup.border"))
        .title(format!(" sort {} by ", kind.name()));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup")),
        r,
    );
}
