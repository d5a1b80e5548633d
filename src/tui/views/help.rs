//! `?`: help generated from the active keymap, plus the filter and command syntax.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::overlay::COMMANDS;
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub const FILTER_HELP: &[&str] = &[
    "web           fuzzy match on the name (or a substring of any field)",
    "!hibernated   negate any term",
    "\"exact text\"  case-insensitive substring",
    "seed:fra      field qualifier: seed project purpose health partition state ...",
];

pub fn help_lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let key = theme.style("ui.help.key");
    let head = theme.style("ui.table.header");
    let mut lines = vec![Line::from(Span::styled(
        format!("keys (keymap {})", s.keymap.name),
        head,
    ))];
    for a in Action::ALL {
        let keys: Vec<String> = s.keymap.keys_for(*a).iter().map(|k| k.display()).collect();
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(" ")
        };
        let mut spans = vec![
            Span::styled(format!("{keys:<22}"), key),
            Span::raw(a.help().to_string()),
            Span::styled(format!("  [{}]", a.name()), theme.style("ui.text.dim")),
        ];
        if let Some(why) = crate::tui::update_ops::action_unavailable(s, *a) {
            spans[1].style = theme.style("ui.menu.disabled");
            spans.push(Span::styled(
                format!("  unavailable: {why}"),
                theme.style("ui.menu.disabled"),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("filter (/)", head)));
    for l in FILTER_HELP {
        lines.push(Line::from(l.to_string()));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("commands (:)", head)));
    for (c, a, h) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!(":{c} {a:<10}"), key),
            Span::raw(h.to_string()),
        ]));
    }
    lines
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn render_help(f: &mut Frame, area: Rect, s: &State, scroll: usize, theme: &Theme) {
    let r = centered(area, 100, area.height.saturating_sub(2));
    f.render_widget(Clear, r);
    let lines = help_lines(s, theme);
    let scroll = scroll.min(lines.len().saturating_sub(1));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.popup.border"))
        .title(" help · esc closes · ↑↓ scroll ");
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup"))
            .scroll((scroll as u16, 0)),
        r,
    );
}
