//! Typed-name confirmation (the Gardener dashboard's delete dialog): nothing
//! happens until the exact name is typed. Operations (hibernate, wake,
//! delete ...) open one with the effects to run on confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::input::{EditOutcome, LineEdit};
use crate::tui::theme::Theme;
use crate::tui::update::Effect;
use crate::tui::views::help::centered;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// What will happen, one line each.
    pub details: Vec<String>,
    /// The text the user must type (usually the object's name).
    pub expected: String,
    pub input: LineEdit,
    /// Run when confirmed.
    pub on_confirm: Vec<Effect>,
    /// Set after a wrong Enter, shown until the next edit.
    pub mismatch: bool,
}

/// What a key did to the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Open,
    Confirmed(Vec<Effect>),
    Cancelled,
}

// Constructed by the operations (next issue) and by tests.
#[cfg_attr(not(test), allow(dead_code))]
impl Confirm {
    pub fn new(
        title: impl Into<String>,
        expected: impl Into<String>,
        on_confirm: Vec<Effect>,
    ) -> Self {
        Self {
            title: title.into(),
            details: Vec::new(),
            expected: expected.into(),
            input: LineEdit::default(),
            on_confirm,
            mismatch: false,
        }
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    pub fn matches(&self) -> bool {
        self.input.text == self.expected
    }

    pub fn handle(&mut self, key: &crossterm::event::KeyEvent) -> ConfirmOutcome {
        match self.input.handle(key) {
            EditOutcome::Submit if self.matches() => {
                ConfirmOutcome::Confirmed(std::mem::take(&mut self.on_confirm))
            }
            EditOutcome::Submit => {
                self.mismatch = true;
                ConfirmOutcome::Open
            }
            EditOutcome::Cancel => ConfirmOutcome::Cancelled,
            EditOutcome::Changed => {
                self.mismatch = false;
                ConfirmOutcome::Open
            }
            EditOutcome::Moved | EditOutcome::Ignored => ConfirmOutcome::Open,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let h = self.details.len() as u16 + 7;
        let r = centered(area, 72, h);
        f.render_widget(Clear, r);
        let mut lines: Vec<Line> = self.details.iter().map(|d| Line::from(d.clone())).collect();
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::raw("Type "),
            Span::styled(self.expected.clone(), theme.style("ui.help.key")),
            Span::raw(" to confirm, esc to cancel:"),
        ]));
        let input_scope = if self.matches() {
            "status.healthy"
        } else if self.mismatch {
            "ui.input.error"
        } else {
            "ui.input"
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {}", self.input.text), theme.style(input_scope)),
            Span::styled("█", theme.style("ui.input")),
        ]));
        if self.mismatch {
            lines.push(Line::from(Span::styled(
                "does not match",
                theme.style("ui.input.error"),
            )));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("ui.dialog.danger"))
            .title(Span::styled(
                format!(" {} ", self.title),
                theme.style("ui.dialog.danger"),
            ));
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .style(theme.style("ui.popup"))
                .wrap(Wrap { trim: false }),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn only_the_exact_name_confirms() {
        let mut d = Confirm::new("Delete shoot web-prod", "web-prod", vec![Effect::SavePrefs])
            .detail("The cluster and its machines will be gone.");
        for c in "web-pro".chars() {
            assert_eq!(d.handle(&k(KeyCode::Char(c))), ConfirmOutcome::Open);
        }
        assert_eq!(d.handle(&k(KeyCode::Enter)), ConfirmOutcome::Open);
        assert!(d.mismatch);
        d.handle(&k(KeyCode::Char('d')));
        assert!(!d.mismatch && d.matches());
        assert_eq!(
            d.handle(&k(KeyCode::Enter)),
            ConfirmOutcome::Confirmed(vec![Effect::SavePrefs])
        );
        let mut d = Confirm::new("x", "x", vec![Effect::Quit]);
        assert_eq!(d.handle(&k(KeyCode::Esc)), ConfirmOutcome::Cancelled);
    }
}
