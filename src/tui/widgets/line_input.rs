//! Draws a `LineEdit` with its ratatui-textarea widget, styled from the theme.
//! The field is as wide as its text plus the cursor (as the hand-drawn line
//! was), and scrolls sideways once it reaches the edge of its area.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use unicode_width::UnicodeWidthStr;

use crate::tui::input::LineEdit;
use crate::tui::theme::Theme;

/// The cursor: `ui.input.cursor` if the theme sets it apart from `ui.input`,
/// else the input style reversed (un-reversed where the input already is, as
/// in the monochrome theme) so the cursor always shows.
pub fn cursor_style(theme: &Theme) -> Style {
    let input = theme.style("ui.input");
    let own = theme.style("ui.input.cursor");
    if own != input {
        return own;
    }
    if input.add_modifier.contains(Modifier::REVERSED) {
        input.remove_modifier(Modifier::REVERSED)
    } else {
        input.add_modifier(Modifier::REVERSED)
    }
}

/// Draws `edit` from the left of `area` (its first row) with the text in
/// `style`; returns the columns taken, so a hint can follow.
pub fn render_line_edit(
    f: &mut Frame,
    area: Rect,
    edit: &LineEdit,
    style: Style,
    theme: &Theme,
) -> u16 {
    let want = u16::try_from(edit.text.width() + 1).unwrap_or(u16::MAX);
    let width = want.min(area.width);
    if width == 0 || area.height == 0 {
        return 0;
    }
    // Styling needs `&mut`; a copy of a one-line widget is cheap.
    let mut ta = edit.textarea().clone();
    ta.set_style(style);
    ta.set_cursor_style(cursor_style(theme));
    ta.set_cursor_line_style(Style::default());
    f.render_widget(&ta, Rect::new(area.x, area.y, width, 1));
    width
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(edit: &LineEdit, w: u16, theme: &Theme) -> (Terminal<TestBackend>, u16) {
        let mut t = Terminal::new(TestBackend::new(w, 1)).expect("test terminal");
        let mut used = 0;
        t.draw(|f| used = render_line_edit(f, f.area(), edit, theme.style("ui.input"), theme))
            .expect("draw");
        (t, used)
    }

    fn row(t: &Terminal<TestBackend>) -> String {
        let buf = t.backend().buffer();
        (0..buf.area.width).map(|x| buf[(x, 0)].symbol()).collect()
    }

    #[test]
    fn the_cursor_is_drawn_where_it_is() {
        let theme = Theme::builtin("default");
        let mut edit = LineEdit::with("web");
        let (t, used) = draw(&edit, 10, &theme);
        assert_eq!(used, 4, "text and the cursor cell");
        assert_eq!(row(&t), "web       ");
        let buf = t.backend().buffer();
        assert_eq!(
            buf[(3, 0)].style().add_modifier,
            cursor_style(&theme).add_modifier
        );
        assert!(buf[(3, 0)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(1, 0)].modifier.contains(Modifier::REVERSED));
        edit.handle(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        let (t, _) = draw(&edit, 10, &theme);
        let buf = t.backend().buffer();
        assert!(
            buf[(2, 0)].modifier.contains(Modifier::REVERSED),
            "on the b"
        );
        assert!(!buf[(3, 0)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor_in_view() {
        let theme = Theme::builtin("default");
        let edit = LineEdit::with("garden-beta/web-prod");
        let (t, used) = draw(&edit, 8, &theme);
        assert_eq!(used, 8);
        assert_eq!(row(&t), "eb-prod ", "the end and the cursor show");
    }

    #[test]
    fn monochrome_cursor_is_not_lost_in_the_reversed_input() {
        let theme = Theme::builtin("monochrome");
        assert!(
            theme
                .style("ui.input")
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            !cursor_style(&theme)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            cursor_style(&theme)
                .sub_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
