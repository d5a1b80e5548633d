//! The one-line text input of the filter, the palette, typed confirmations and
//! YAML search: a single-line `ratatui_textarea::TextArea`, so the coming forms
//! and YAML editor share one widget.
//!
//! The widget does the editing (unicode-correct cursor, words, kill and yank,
//! undo/redo); kclm keeps its own keys: enter submits, esc cancels, and tab,
//! up/down, page keys and ctrl-c are left to the caller (history, completion,
//! moving the table, quitting). The line never holds a line break.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea};

#[derive(Clone, Debug)]
pub struct LineEdit {
    /// The line as typed. A copy of the widget's line, refreshed after every
    /// edit, for the many readers of `line.text`; assigning it is honoured
    /// (the widget takes it over before the next key).
    pub text: String,
    /// Cursor position in chars (same rules as `text`).
    pub cursor: usize,
    // Boxed: the widget is ~650 bytes and lives in enum variants (`Mode::Filter`).
    area: Box<TextArea<'static>>,
}

/// Two lines are equal when they show the same text and cursor (undo history
/// and yank buffer are the widget's business).
impl PartialEq for LineEdit {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.cursor == other.cursor
    }
}

impl Eq for LineEdit {}

impl Default for LineEdit {
    fn default() -> Self {
        Self::with("")
    }
}

/// What a key did to the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// The text changed.
    Changed,
    /// An editing key that left the text as it was (a cursor move, backspace at the start).
    Moved,
    Submit,
    Cancel,
    /// Not an editing key: the caller decides (tab, arrows up/down, pages, ctrl-c ...).
    Ignored,
}

/// Keeps only what a one-line input can hold: line breaks and other control
/// characters are dropped.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

impl LineEdit {
    pub fn with(text: &str) -> Self {
        let text = one_line(text);
        let mut area = TextArea::new(vec![text]);
        // The whole input is the cursor line; it must not be underlined.
        area.set_cursor_line_style(Style::default());
        area.move_cursor(CursorMove::End);
        let mut line = Self {
            text: String::new(),
            cursor: 0,
            area: Box::new(area),
        };
        line.sync_out();
        line
    }

    /// The widget, for drawing (see `widgets::line_input`).
    pub fn textarea(&self) -> &TextArea<'static> {
        &self.area
    }

    fn line(&self) -> &str {
        self.area.lines().first().map_or("", String::as_str)
    }

    /// Takes over `text`/`cursor` if a caller assigned them.
    fn sync_in(&mut self) {
        if self.text != self.line() || self.cursor != self.area.cursor().1 {
            let (text, cursor) = (std::mem::take(&mut self.text), self.cursor);
            *self = Self::with(&text);
            let col = u16::try_from(cursor).unwrap_or(u16::MAX);
            self.area.move_cursor(CursorMove::Jump(0, col));
            self.sync_out();
        }
    }

    fn sync_out(&mut self) {
        if self.text != self.line() {
            self.text = self.line().to_string();
        }
        self.cursor = self.area.cursor().1;
    }

    /// Inserts pasted text at the cursor. Line breaks are dropped: the input is
    /// one line, and a pasted newline must never submit a confirmation.
    // Unused until the loop turns on bracketed paste and routes `Event::Paste` here.
    #[allow(dead_code)]
    pub fn paste(&mut self, text: &str) -> EditOutcome {
        self.sync_in();
        let changed = self.area.insert_str(one_line(text));
        self.sync_out();
        if changed {
            EditOutcome::Changed
        } else {
            EditOutcome::Moved
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> EditOutcome {
        if key.kind == KeyEventKind::Release {
            return EditOutcome::Ignored;
        }
        self.sync_in();
        let before = self.text.clone();
        let outcome = self.edit(key);
        self.sync_out();
        match outcome {
            EditOutcome::Moved if self.text != before => EditOutcome::Changed,
            o => o,
        }
    }

    /// Applies one key to the widget. Edits report `Moved`; `handle` turns
    /// that into `Changed` when the text differs afterwards.
    fn edit(&mut self, key: &KeyEvent) -> EditOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let a = &mut self.area;
        match (key.code, ctrl, alt) {
            (KeyCode::Enter, ..) => return EditOutcome::Submit,
            (KeyCode::Esc, ..) => return EditOutcome::Cancel,
            // A line break never enters the line (ctrl-j, ctrl-m are not editing keys either).
            (KeyCode::Char('\n' | '\r'), ..) => {}
            // AltGr arrives as ctrl+alt on some platforms: it types a character.
            (KeyCode::Char(c), false, false) | (KeyCode::Char(c), true, true) => a.insert_char(c),
            (KeyCode::Backspace, false, false) | (KeyCode::Char('h'), true, false) => {
                a.delete_char();
            }
            (KeyCode::Delete, false, false) | (KeyCode::Char('d'), true, false) => {
                a.delete_next_char();
            }
            // readline: ctrl-w kills back to whitespace, alt-backspace to a word start.
            (KeyCode::Char('w'), true, false) => self.kill_to_whitespace(),
            (KeyCode::Backspace, _, true) | (KeyCode::Backspace, true, false) => {
                a.delete_word();
            }
            (KeyCode::Char('d'), false, true) | (KeyCode::Delete, _, true) => {
                a.delete_next_word();
            }
            (KeyCode::Delete, true, false) => {
                a.delete_next_word();
            }
            (KeyCode::Char('u'), true, false) => {
                a.delete_line_by_head();
            }
            (KeyCode::Char('k'), true, false) => {
                a.delete_line_by_end();
            }
            (KeyCode::Char('y'), true, false) => {
                a.paste();
            }
            (KeyCode::Char('z' | '_'), true, false) => {
                a.undo();
            }
            (KeyCode::Char('r'), true, false) => {
                a.redo();
            }
            (KeyCode::Left, false, false) => a.move_cursor(CursorMove::Back),
            (KeyCode::Right, false, false) => a.move_cursor(CursorMove::Forward),
            (KeyCode::Home, ..) | (KeyCode::Char('a'), true, false) => {
                a.move_cursor(CursorMove::Head)
            }
            (KeyCode::End, ..) | (KeyCode::Char('e'), true, false) => {
                a.move_cursor(CursorMove::End)
            }
            (KeyCode::Left, true, _)
            | (KeyCode::Left, _, true)
            | (KeyCode::Char('b'), false, true) => a.move_cursor(CursorMove::WordBack),
            (KeyCode::Right, true, _)
            | (KeyCode::Right, _, true)
            | (KeyCode::Char('f'), false, true) => a.move_cursor(CursorMove::WordForward),
            // Everything else is kclm's: tab, up/down, pages, ctrl-c (quit), ctrl-b/f (pages) ...
            _ => return EditOutcome::Ignored,
        }
        EditOutcome::Moved
    }

    /// Deletes back to the previous whitespace (readline's unix-word-rubout),
    /// so `!seed:fr` goes in one stroke.
    fn kill_to_whitespace(&mut self) {
        let before: Vec<char> = self.line().chars().take(self.area.cursor().1).collect();
        let mut i = before.len();
        while i > 0 && before[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !before[i - 1].is_whitespace() {
            i -= 1;
        }
        let n = before.len() - i;
        if n > 0 {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            self.area.move_cursor(CursorMove::Jump(0, col));
            self.area.delete_str(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
    }

    fn typed(l: &mut LineEdit, text: &str) {
        for c in text.chars() {
            assert_eq!(l.handle(&k(KeyCode::Char(c))), EditOutcome::Changed);
        }
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
        l.handle(&ctrl('w'));
        assert_eq!(l.text, "");
        assert_eq!(l.handle(&k(KeyCode::Enter)), EditOutcome::Submit);
    }

    #[test]
    fn cursor_moves_insert_and_delete_at_the_cursor() {
        let mut l = LineEdit::with("web");
        assert_eq!(l.cursor, 3, "starts at the end");
        assert_eq!(l.handle(&k(KeyCode::Left)), EditOutcome::Moved);
        assert_eq!(l.handle(&k(KeyCode::Left)), EditOutcome::Moved);
        assert_eq!(l.cursor, 1);
        typed(&mut l, "X");
        assert_eq!((l.text.as_str(), l.cursor), ("wXeb", 2));
        assert_eq!(l.handle(&k(KeyCode::Delete)), EditOutcome::Changed);
        assert_eq!((l.text.as_str(), l.cursor), ("wXb", 2));
        l.handle(&ctrl('a'));
        assert_eq!(l.cursor, 0);
        assert_eq!(l.handle(&k(KeyCode::Backspace)), EditOutcome::Moved);
        assert_eq!(l.text, "wXb", "backspace at the start deletes nothing");
        l.handle(&ctrl('e'));
        assert_eq!(l.cursor, 3);
        assert_eq!(l.handle(&k(KeyCode::Right)), EditOutcome::Moved);
        assert_eq!(l.cursor, 3, "the cursor stays inside the text");
    }

    #[test]
    fn kills_to_either_end_and_yanks_back() {
        let mut l = LineEdit::with("seed:fra-1 web");
        for _ in 0..4 {
            l.handle(&k(KeyCode::Left));
        }
        assert_eq!(l.handle(&ctrl('k')), EditOutcome::Changed);
        assert_eq!(l.text, "seed:fra-1");
        assert_eq!(l.handle(&ctrl('u')), EditOutcome::Changed);
        assert_eq!((l.text.as_str(), l.cursor), ("", 0));
        assert_eq!(l.handle(&ctrl('y')), EditOutcome::Changed);
        assert_eq!(l.text, "seed:fra-1", "ctrl-y yanks the last kill");
    }

    #[test]
    fn word_moves_and_word_deletes() {
        let mut l = LineEdit::with("seed fra web");
        assert_eq!(l.handle(&alt('b')), EditOutcome::Moved);
        assert_eq!(l.cursor, 9);
        l.handle(&KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(l.cursor, 5);
        l.handle(&alt('f'));
        assert_eq!(l.cursor, 9, "alt-f stops at the next word start");
        assert_eq!(l.handle(&alt('d')), EditOutcome::Changed);
        assert_eq!(l.text, "seed fra ");
        l.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT));
        assert_eq!(l.text, "seed ");
    }

    #[test]
    fn undo_and_redo() {
        let mut l = LineEdit::default();
        typed(&mut l, "api");
        l.handle(&ctrl('u'));
        assert_eq!(l.text, "");
        assert_eq!(l.handle(&ctrl('z')), EditOutcome::Changed);
        assert_eq!(l.text, "api");
        assert_eq!(l.handle(&ctrl('r')), EditOutcome::Changed);
        assert_eq!(l.text, "");
    }

    #[test]
    fn multi_byte_names_move_and_delete_by_character() {
        let mut l = LineEdit::default();
        typed(&mut l, "İstanbul-web");
        assert_eq!((l.text.as_str(), l.cursor), ("İstanbul-web", 12));
        l.handle(&k(KeyCode::Home));
        l.handle(&k(KeyCode::Right));
        assert_eq!(l.cursor, 1, "İ is one character (two bytes)");
        l.handle(&k(KeyCode::Backspace));
        assert_eq!(l.text, "stanbul-web");
        typed(&mut l, "Ö");
        assert_eq!((l.text.as_str(), l.cursor), ("Östanbul-web", 1));
        l.handle(&k(KeyCode::End));
        l.handle(&alt('b'));
        assert_eq!(l.cursor, 9, "word back stops after the dash");
        let alt_bs = KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT);
        l.handle(&alt_bs);
        assert_eq!(l.text, "Östanbulweb", "punctuation is a word of its own");
        l.handle(&alt_bs);
        assert_eq!((l.text.as_str(), l.cursor), ("web", 0), "Ö is a letter");
        let mut l = LineEdit::with("ns İstanbul-web");
        l.handle(&ctrl('w'));
        assert_eq!(l.text, "ns ", "ctrl-w stops at whitespace only");
    }

    #[test]
    fn pasted_line_breaks_are_dropped_and_enter_is_never_text() {
        let mut l = LineEdit::with("web");
        l.handle(&k(KeyCode::Home));
        assert_eq!(l.paste("garden-\r\nbeta/\n"), EditOutcome::Changed);
        assert_eq!((l.text.as_str(), l.cursor), ("garden-beta/web", 12));
        assert_eq!(l.paste("\n"), EditOutcome::Moved, "nothing left to insert");
        assert_eq!(l.handle(&k(KeyCode::Enter)), EditOutcome::Submit);
        assert_eq!(l.handle(&k(KeyCode::Char('\n'))), EditOutcome::Moved);
        assert_eq!(l.handle(&ctrl('m')), EditOutcome::Ignored);
        assert_eq!(l.text, "garden-beta/web");
        assert_eq!(LineEdit::with("a\nb").text, "ab");
    }

    #[test]
    fn kclm_keys_are_not_swallowed() {
        let mut l = LineEdit::with("api");
        for key in [
            ctrl('c'),
            k(KeyCode::Tab),
            k(KeyCode::BackTab),
            k(KeyCode::Up),
            k(KeyCode::Down),
            k(KeyCode::PageDown),
            ctrl('f'),
            ctrl('b'),
            ctrl('s'),
        ] {
            assert_eq!(l.handle(&key), EditOutcome::Ignored, "{key:?}");
        }
        assert_eq!((l.text.as_str(), l.cursor), ("api", 3));
        assert_eq!(l.handle(&k(KeyCode::Esc)), EditOutcome::Cancel);
    }

    #[test]
    fn assigning_the_text_is_taken_over_by_the_widget() {
        let mut l = LineEdit::with("old");
        l.text = "theme ".into();
        l.cursor = 6;
        typed(&mut l, "x");
        assert_eq!((l.text.as_str(), l.cursor), ("theme x", 7));
        assert_eq!(l, LineEdit::with("theme x"));
    }
}
