//! Served text made safe for a terminal.
//!
//! Fields kclm prints come from APIs it does not control (a project's
//! description, a shoot's purpose or annotations, a constraint message, a
//! metal hostname). Printed raw, an `ESC ]0;...BEL` in one of them retitles
//! the operator's terminal, an `ESC [2J` clears it, and a bidi override makes
//! `prod` read as `dorp`. Every human-readable output passes served text
//! through [`escape`] (one cell or field) or [`escape_lines`] (a multi-line
//! text whose own line breaks stay); JSON and YAML already escape on their own.
//!
//! How a character is shown:
//! - C0 controls and DEL as `\xNN`: ESC is `\x1b`, BEL `\x07`, DEL `\x7f`,
//!   a tab `\x09`, a line break inside a field `\x0a`;
//! - C1 controls (U+0080-U+009F, e.g. the one-byte CSI U+009B), bidi
//!   embeddings, overrides, isolates and marks (U+061C, U+200E/F,
//!   U+202A-U+202E, U+2066-U+2069) and the line/paragraph separators
//!   (U+2028/9) as `\u{XXXX}` (`\u{9b}`, `\u{202e}`).
//!
//! Everything else, including non-ASCII letters and backslashes, is kept, so
//! the text stays recognisable: `evil\x1b]0;owned\x07`.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` may change what a terminal shows beyond printing a glyph.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every [unsafe](is_unsafe) character escaped, line breaks
/// included: for one table cell, one field, one line of a message.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_except(s, None)
}

/// [`escape`] that keeps `\n`: for a text of several lines kclm laid out
/// itself (a report) with served fields in it.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_except(s, Some('\n'))
}

/// `s` without its [unsafe](is_unsafe) characters: for a screen cell,
/// where an escape would change the width the layout gave it.
pub fn strip(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(s.chars().filter(|&c| !is_unsafe(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

fn escape_except(s: &str, keep: Option<char>) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) && Some(c) != keep;
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !bad(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_shown_not_sent() {
        assert_eq!(
            escape("evil\x1b]0;owned\x07\x1b[2J"),
            "evil\\x1b]0;owned\\x07\\x1b[2J"
        );
        assert_eq!(escape("a\u{9b}31mb\u{7f}"), "a\\u{9b}31mb\\x7f");
        assert_eq!(escape("x\u{202e}dorp\u{2066}"), "x\\u{202e}dorp\\u{2066}");
        assert_eq!(escape("two\nlines\r\t"), "two\\x0alines\\x0d\\x09");
        assert_eq!(escape_lines("one\x1b\ntwo\n"), "one\\x1b\ntwo\n");
        assert_eq!(strip("a\u{202e}b\x1b"), "ab");
        assert!(matches!(strip("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn ordinary_text_is_kept_as_is() {
        for s in ["", "fra-equ01", "Größe İstanbul 東京 ✓", "C:\\path \\x1b"] {
            assert!(matches!(escape(s), Cow::Borrowed(t) if t == s), "{s:?}");
        }
    }

    #[test]
    fn no_control_character_survives() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let out = escape(&all);
        assert!(!out.chars().any(is_unsafe));
        assert!(!out.bytes().any(|b| b < 0x20 || b == 0x7f));
        // C1 controls are two bytes in UTF-8 (0xc2 0x80..0x9f); none is left
        assert!(!out.contains(|c: char| ('\u{80}'..='\u{9f}').contains(&c)));
        assert!(
            escape_lines(&all)
                .chars()
                .all(|c| c == '\n' || !is_unsafe(c))
        );
    }
}
