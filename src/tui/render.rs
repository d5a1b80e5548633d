//! The frame: a pure function of state and theme.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Block;

use super::overlay::Overlay;
use super::state::State;
use super::theme::Theme;
use super::views;

pub fn render(f: &mut Frame, s: &State, theme: &Theme) {
    let full = f.area();
    f.render_widget(Block::default().style(theme.style("ui.background")), full);
    let a = super::layout::areas_with(
        (full.width, full.height),
        s.screen,
        s.focus,
        s.timeline_lanes,
    );
    views::status::render_top(f, a.crumbs, s, theme);
    if let Some(t) = a.tabs {
        views::table::render_tabs(f, t, s, theme);
    }
    for (kind, rect) in &a.panes {
        views::table::render_pane(f, *rect, s, *kind, theme);
    }
    if let Some(t) = a.timeline {
        views::timeline::render_timeline(f, t, s, theme);
    }
    if let Some(d) = a.detail {
        views::detail::render_detail(f, d, s, theme);
    }
    views::status::render_bottom(f, a.status, s, theme);
    let body = Rect::new(0, 1, full.width, full.height.saturating_sub(2));
    match &s.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => views::help::render_help(f, body, s, *scroll, theme),
        Some(Overlay::Palette(p)) => views::palette::render_palette(f, body, p, theme),
        Some(Overlay::SortPick { cursor }) => {
            views::palette::render_sort_pick(f, body, s, *cursor, theme)
        }
        Some(Overlay::Yaml(y)) => views::yaml::render_yaml(f, body, y, theme),
        Some(Overlay::Confirm(d)) => d.render(f, body, theme),
        Some(Overlay::Menu(m)) => views::action_menu::render_menu(f, body, m, &s.keymap, theme),
        Some(Overlay::Results(r)) => views::action_menu::render_results(f, body, r, theme),
    }
    // ratatui drops C0/C1 controls from served text, not bidi overrides
    for cell in f.buffer_mut().content.iter_mut() {
        if let std::borrow::Cow::Owned(clean) = kclm::text::strip(cell.symbol()) {
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}
