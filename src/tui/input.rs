//! A one-line text editor for the filter, the palette and YAML search.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    pub text: String,
    /// Cursor position in chars.
    pub cursor: usize,
}

/// What a key did to the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    Changed,
    Moved,
    Submit,
    Cancel,
    Ignored,
}

impl LineEdit {
    pub fn with(text: &str) -> Self {
        Self {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(b, _)| b)
    }

    pub fn handle(&mut self, key: &KeyEvent) -> EditOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => EditOutcome::Submit,
            KeyCode::Esc => EditOutcome::Cancel,
            KeyCode::Char('c') if ctrl => EditOutcome::Cancel,
            KeyCode::Char('u') if ctrl => {
                let b = self.byte_at(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
                EditOutcome::Changed
            }
            KeyCode::Char('w') if ctrl => {
                let before: Vec<char> = self.text.chars().take(self.cursor).collect();
                let mut i = before.len();
                while i > 0 && before[i - 1] == ' ' {
                    i -= 1;
                }
                while i > 0 && before[i - 1] != ' ' {
                    i -= 1;
                }
                let (from, to) = (self.byte_at(i), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = i;
                EditOutcome::Changed
            }
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                EditOutcome::Moved
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = self.text.chars().count();
                EditOutcome::Moved
            }
            KeyCode::Char(c) if !ctrl => {
                let b = self.byte_at(self.cursor);
                self.text.insert(b, c);
                self.cursor += 1;
                EditOutcome::Changed
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let b = self.byte_at(self.cursor - 1);
                self.text.remove(b);
                self.cursor -= 1;
                EditOutcome::Changed
            }
            KeyCode::Delete if self.cursor < self.text.chars().count() => {
                let b = self.byte_at(self.cursor);
                self.text.remove(b);
                EditOutcome::Changed
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                EditOutcome::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.text.chars().count());
                EditOutcome::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                EditOutcome::Moved
            }
            KeyCode::End => {
                self.cursor = self.text.chars().count();
                EditOutcome::Moved
            }
            _ => EditOutcome::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_and_deletes_words() {
        let mut l = LineEdit::with("seed:fra");
        l.handle(&k(KeyCode::Home));
        assert_eq!(l.handle(&k(KeyCode::Char('!'))), EditOutcome::Changed);
        assert_eq!(l.text, "!seed:fra");
        l.handle(&k(KeyCode::End));
        l.handle(&k(KeyCode::Backspace));
        assert_eq!(l.text, "!seed:fr");
        l.handle(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(l.text, "");
        assert_eq!(l.handle(&k(KeyCode::Enter)), EditOutcome::Submit);
    }
}
