//! The action menu (`m`): what can be done to the selection, with the key
//! that does it and, for what cannot be done, why. And the results overlay of
//! a bulk operation: one line per shoot, failures included.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::update_ops::{Choice, Unavailable};
use crate::tui::views::help::centered;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    pub label: String,
    /// The key-bound action that does the same from the table.
    pub action: Option<Action>,
    pub choice: Choice,
    /// Why it is unavailable (read-only, forbidden, a constraint, nothing to do ...).
    pub disabled: Option<Unavailable>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Menu {
    pub title: String,
    pub items: Vec<MenuItem>,
    pub cursor: usize,
}

/// One target's line in the results overlay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultLine {
    pub target: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    pub title: String,
    pub lines: Vec<ResultLine>,
    pub scroll: usize,
}

impl Results {
    pub fn failed(&self) -> usize {
        self.lines.iter().filter(|l| !l.ok).count()
    }
}

pub fn render_menu(f: &mut Frame, area: Rect, m: &Menu, keymap: &Keymap, theme: &Theme) {
    // Long reasons (a constraint's message) wrap instead of being cut.
    let w = area.width.saturating_sub(4).min(120);
    let inner = w.saturating_sub(2).max(1) as usize;
    let rows: usize = m
        .items
        .iter()
        .map(|it| {
            let len = 38
                + it.disabled
                    .as_ref()
                    .map_or(0, |d| d.to_string().chars().count() + 13);
            len.div_ceil(inner).max(1)
        })
        .sum();
    let r = centered(area, w, rows as u16 + 4);
    f.render_widget(Clear, r);
    let key = theme.style("ui.help.key");
    let mut lines = Vec::new();
    for (i, it) in m.items.iter().enumerate() {
        let k = match it.action {
            Some(a) => keymap.hint(a),
            None => format!("{}", i + 1),
        };
        let mut spans = vec![
            Span::styled(format!(" {k:<7}"), key),
            Span::raw(format!("{:<30}", it.label)),
        ];
        if let Some(why) = &it.disabled {
            spans[1].style = theme.style("ui.menu.disabled");
            spans.push(Span::styled(
                format!("unavailable: {why}"),
                theme.style("ui.menu.disabled"),
            ));
        }
        let mut line = Line::from(spans);
        if i == m.cursor {
            line = line.style(theme.style("ui.table.selected"));
        }
        lines.push(line);
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " ↑↓ choose · enter or the key runs · esc closes",
        theme.style("ui.text.dim"),
    )));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.popup.border"))
        .title(format!(" {} ", m.title));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup"))
            .wrap(Wrap { trim: false }),
        r,
    );
}

pub fn render_results(f: &mut Frame, area: Rect, res: &Results, theme: &Theme) {
    let h = (res.lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let r = centered(area, 110, h);
    f.render_widget(Clear, r);
    let mut lines: Vec<Line> = Vec::new();
    // Failures first: they are what needs reading.
    let mut order: Vec<&ResultLine> = res.lines.iter().filter(|l| !l.ok).collect();
    order.extend(res.lines.iter().filter(|l| l.ok));
    for l in order.into_iter().skip(res.scroll) {
        let (mark, scope) = if l.ok {
            ("ok    ", "status.healthy")
        } else {
            ("FAILED", "status.unhealthy")
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} "), theme.style(scope)),
            Span::styled(format!("{:<32} ", l.target), theme.style("ui.text")),
            Span::raw(l.message.clone()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " ↑↓ scroll · esc closes",
        theme.style("ui.text.dim"),
    )));
    let border = if res.failed() > 0 {
        "ui.dialog.danger"
    } else {
        "ui.popup.border"
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(Span::styled(
            format!(" {} ", res.title),
            theme.style(border),
        ));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.style("ui.popup")),
        r,
    );
}
