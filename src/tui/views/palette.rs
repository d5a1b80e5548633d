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

pub fn render_palette(f: &mut Frame, area: Rect, p: &Palette, theme: &Theme) {
    let h = (p.items.len() as u16 + 3)
        .min(area.height.saturating_sub(2))
        .max(4);
    let mut r = centered(area, 70, h);
    r.y = area.y + 2.min(area.height.saturating_sub(h));
    f.render_widget(Clear, r);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", theme.style("ui.help.key")),
        Span::styled(p.line.text.clone(), theme.style("ui.input")),
        Span::styled("█", theme.style("ui.input")),
    ])];
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
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup")),
        r,
    );
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
