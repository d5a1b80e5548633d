//! The YAML overlay: coloured, scrollable, searchable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::render_line_edit;
use crate::tui::yaml::{YamlView, highlight};

pub fn render_yaml(f: &mut Frame, area: Rect, y: &YamlView, theme: &Theme) {
    f.render_widget(Clear, area);
    let mut title = format!(" yaml · {} · / search · n/N next · esc close ", y.title);
    if !y.query.is_empty() {
        title.push_str(&format!(
            "· {}/{} matches for {:?} ",
            if y.matches.is_empty() {
                0
            } else {
                y.current + 1
            },
            y.matches.len(),
            y.query
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.border.focus"))
        .title(Span::styled(title, theme.style("ui.title.focus")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut height = inner.height as usize;
    if y.search.is_some() {
        height = height.saturating_sub(1);
    }
    let lines: Vec<Line> = y
        .lines
        .iter()
        .enumerate()
        .skip(y.scroll)
        .take(height)
        .map(|(n, l)| {
            let mut line = highlight(l, theme, &y.query);
            line.spans.insert(
                0,
                Span::styled(format!("{:>4} ", n + 1), theme.style("ui.text.dim")),
            );
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines).style(theme.style("ui.text")), inner);
    if let Some(edit) = &y.search
        && inner.height > 0
    {
        let r = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        let prompt = Line::from(Span::styled("/", theme.style("ui.help.key")));
        f.render_widget(Paragraph::new(prompt).style(theme.style("ui.statusbar")), r);
        let field = Rect {
            x: r.x.saturating_add(1),
            width: r.width.saturating_sub(1),
            ..r
        };
        render_line_edit(f, field, edit, theme.style("ui.input"), theme);
    }
}
