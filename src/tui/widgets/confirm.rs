//! Confirmation dialogs. Typed (the Gardener dashboard's delete dialog):
//! nothing happens until the exact name (or count) is typed. Yes/no for the
//! harmless operations (wake up, reconcile ...). Describe: a required text
//! field (a machine's reserve/lock reason). Operations open one with the
//! effects to run on confirmation; what was typed is put into them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::input::{EditOutcome, LineEdit};
use crate::tui::theme::Theme;
use crate::tui::update::Effect;
use crate::tui::views::help::centered;
use crate::tui::widgets::line_input::render_line_edit;

/// What it takes to confirm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmKind {
    /// The exact text (usually the object's name) must be typed.
    Typed,
    /// `y` confirms, `n` or esc cancels.
    YesNo,
    /// A non-empty description must be typed; enter confirms.
    Describe,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub kind: ConfirmKind,
    /// What will happen, one line each.
    pub details: Vec<String>,
    /// Shown loud (production shoots, "cannot be undone").
    pub warnings: Vec<String>,
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

impl Confirm {
    pub fn new(
        title: impl Into<String>,
        expected: impl Into<String>,
        on_confirm: Vec<Effect>,
    ) -> Self {
        Self {
            title: title.into(),
            kind: ConfirmKind::Typed,
            details: Vec::new(),
            warnings: Vec::new(),
            expected: expected.into(),
            input: LineEdit::default(),
            on_confirm,
            mismatch: false,
        }
    }

    pub fn yes_no(title: impl Into<String>, on_confirm: Vec<Effect>) -> Self {
        Self {
            kind: ConfirmKind::YesNo,
            ..Self::new(title, "", on_confirm)
        }
    }

    pub fn describe(title: impl Into<String>, on_confirm: Vec<Effect>) -> Self {
        Self {
            kind: ConfirmKind::Describe,
            ..Self::new(title, "", on_confirm)
        }
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    pub fn warning(mut self, line: impl Into<String>) -> Self {
        self.warnings.push(line.into());
        self
    }

    pub fn matches(&self) -> bool {
        match self.kind {
            ConfirmKind::Typed => self.input.text == self.expected,
            ConfirmKind::YesNo => true,
            ConfirmKind::Describe => !self.input.text.trim().is_empty(),
        }
    }

    /// The effects to run, with what was typed put into the operations.
    fn confirmed(&mut self) -> ConfirmOutcome {
        let mut effects = std::mem::take(&mut self.on_confirm);
        for e in &mut effects {
            if let Effect::Op(_, req) = e {
                req.op.fill(&self.input.text);
            }
        }
        ConfirmOutcome::Confirmed(effects)
    }

    pub fn handle(&mut self, key: &crossterm::event::KeyEvent) -> ConfirmOutcome {
        use crossterm::event::KeyCode;
        if self.kind == ConfirmKind::YesNo {
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.confirmed(),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    ConfirmOutcome::Cancelled
                }
                _ => ConfirmOutcome::Open,
            };
        }
        match self.input.handle(key) {
            EditOutcome::Submit if self.matches() => self.confirmed(),
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
        // Long lines wrap; the input line must stay inside the frame.
        let w = area.width.min(72);
        let room = w.saturating_sub(2).max(1) as usize;
        let rows = |l: &String| l.chars().count().div_ceil(room).max(1) as u16;
        let mut h: u16 = self.details.iter().map(rows).sum::<u16>() + 7;
        if !self.warnings.is_empty() {
            h += 1 + self.warnings.iter().map(rows).sum::<u16>();
        }
        let r = centered(area, 72, h);
        f.render_widget(Clear, r);
        let mut lines: Vec<Line> = self.details.iter().map(|d| Line::from(d.clone())).collect();
        if !self.warnings.is_empty() {
            lines.push(Line::from(""));
            for w in &self.warnings {
                lines.push(Line::from(Span::styled(
                    w.clone(),
                    theme.style("ui.dialog.warning"),
                )));
            }
        }
        lines.push(Line::from(""));
        let key = theme.style("ui.help.key");
        match self.kind {
            ConfirmKind::Typed => lines.push(Line::from(vec![
                Span::raw("Type "),
                Span::styled(self.expected.clone(), key),
                Span::raw(" to confirm, esc to cancel:"),
            ])),
            ConfirmKind::Describe => lines.push(Line::from(vec![
                Span::raw("Describe why (required, the next operator reads it); "),
                Span::styled("enter", key),
                Span::raw(" confirms, "),
                Span::styled("esc", key),
                Span::raw(" cancels:"),
            ])),
            ConfirmKind::YesNo => {
                lines.push(Line::from(vec![
                    Span::styled("y", key),
                    Span::raw(" to confirm, "),
                    Span::styled("n", key),
                    Span::raw(" or "),
                    Span::styled("esc", key),
                    Span::raw(" to cancel"),
                ]));
                let inner = self.frame(f, r, theme);
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                return;
            }
        }
        let inner = self.frame(f, r, theme);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        // The input goes below the text, but never out of the frame: with the
        // mismatch line under it, it stays inside even if the text wraps more.
        let below = 1 + u16::from(self.mismatch);
        let text_rows: u16 = lines
            .iter()
            .map(|l| l.width().div_ceil(inner.width as usize).max(1) as u16)
            .sum();
        let y = (inner.y + text_rows)
            .min(inner.bottom().saturating_sub(below))
            .max(inner.y);
        let text_area = Rect {
            height: y - inner.y,
            ..inner
        };
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
        let input_scope = if self.kind == ConfirmKind::Typed && self.matches() {
            "status.healthy"
        } else if self.mismatch {
            "ui.input.error"
        } else {
            "ui.input"
        };
        let style = theme.style(input_scope);
        let row = Rect {
            y,
            height: 1,
            ..inner
        };
        f.render_widget(Paragraph::new(Span::styled(" ", style)), row);
        let field = Rect {
            x: row.x.saturating_add(1),
            width: row.width.saturating_sub(1),
            ..row
        };
        render_line_edit(f, field, &self.input, style, theme);
        if self.mismatch && y + 1 < inner.bottom() {
            let text = match self.kind {
                ConfirmKind::Describe => "a description is required",
                _ => "does not match",
            };
            f.render_widget(
                Paragraph::new(Span::styled(text, theme.style("ui.input.error"))),
                Rect { y: y + 1, ..row },
            );
        }
    }

    /// Draws the popup and its border; returns the room inside.
    fn frame(&self, f: &mut Frame, r: Rect, theme: &Theme) -> Rect {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style("ui.dialog.danger"))
            .style(theme.style("ui.popup"))
            .title(Span::styled(
                format!(" {} ", self.title),
                theme.style("ui.dialog.danger"),
            ));
        let inner = block.inner(r);
        f.render_widget(block, r);
        inner
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
