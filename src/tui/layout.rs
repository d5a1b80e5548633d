//! Where everything goes for a terminal size. Pure, so `update` can use it
//! for mouse hit-testing and page sizes, and render for drawing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use super::state::{Screen, ViewKind};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub crumbs: Rect,
    pub status: Rect,
    /// Tab line naming the hidden panes (narrow terminals only).
    pub tabs: Option<Rect>,
    pub panes: Vec<(ViewKind, Rect)>,
    pub detail: Option<Rect>,
    /// The maintenance timeline (maintenance view, tall enough terminals).
    pub timeline: Option<Rect>,
}

impl Areas {
    pub fn pane(&self, kind: ViewKind) -> Option<Rect> {
        self.panes.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r)
    }
    /// Data rows a pane can show (minus borders and header).
    pub fn page(&self, kind: ViewKind) -> usize {
        self.pane(kind)
            .map_or(10, |r| r.height.saturating_sub(3).max(1) as usize)
    }
}

fn split(dir: Direction, area: Rect, c: &[Constraint]) -> Vec<Rect> {
    Layout::default()
        .direction(dir)
        .constraints(c.to_vec())
        .split(area)
        .to_vec()
}

#[cfg_attr(not(test), allow(dead_code))]
pub fn areas(size: (u16, u16), screen: Screen, focus: ViewKind) -> Areas {
    areas_with(size, screen, focus, 0)
}

/// `lanes`: how many lanes the maintenance timeline has (its height).
pub fn areas_with(size: (u16, u16), screen: Screen, focus: ViewKind, lanes: u16) -> Areas {
    use Constraint::{Length, Min, Percentage};
    let area = Rect::new(0, 0, size.0, size.1);
    let rows = split(Direction::Vertical, area, &[Length(1), Min(1), Length(1)]);
    let (crumbs, body, status) = (rows[0], rows[1], rows[2]);
    let mut out = Areas {
        crumbs,
        status,
        ..Default::default()
    };
    let (mut body, mut w, mut h) = (body, body.width, body.height);
    if screen == Screen::List(ViewKind::Maint) && h >= 22 && w >= 40 {
        // Borders and the hour axis, then one row per lane.
        let th = (lanes.max(1) + 3).min(h / 3).max(4);
        let c = split(Direction::Vertical, body, &[Length(th), Min(1)]);
        out.timeline = Some(c[0]);
        body = c[1];
        (w, h) = (body.width, body.height);
    }
    match screen {
        Screen::List(kind) => {
            if w >= 120 {
                let c = split(Direction::Horizontal, body, &[Min(60), Percentage(34)]);
                out.panes.push((kind, c[0]));
                out.detail = Some(c[1]);
            } else if h >= 20 {
                let c = split(Direction::Vertical, body, &[Percentage(60), Min(6)]);
                out.panes.push((kind, c[0]));
                out.detail = Some(c[1]);
            } else {
                out.panes.push((kind, body));
            }
        }
        Screen::Landscape if w >= 150 => {
            let c = split(
                Direction::Horizontal,
                body,
                &[Percentage(22), Min(60), Percentage(26)],
            );
            let left = split(Direction::Vertical, c[0], &[Percentage(50), Min(4)]);
            let mid = split(Direction::Vertical, c[1], &[Percentage(58), Min(4)]);
            out.panes = vec![
                (ViewKind::Projects, left[0]),
                (ViewKind::Shoots, mid[0]),
                (ViewKind::Seeds, left[1]),
                (ViewKind::Machines, mid[1]),
            ];
            out.detail = Some(c[2]);
        }
        Screen::Landscape if w >= 100 && h >= 20 => {
            let c = split(Direction::Horizontal, body, &[Percentage(30), Min(50)]);
            let left = split(Direction::Vertical, c[0], &[Percentage(50), Min(4)]);
            let mid = split(Direction::Vertical, c[1], &[Percentage(55), Min(4)]);
            let bottom = split(Direction::Horizontal, mid[1], &[Percentage(55), Min(20)]);
            out.panes = vec![
                (ViewKind::Projects, left[0]),
                (ViewKind::Shoots, mid[0]),
                (ViewKind::Seeds, left[1]),
                (ViewKind::Machines, bottom[0]),
            ];
            out.detail = Some(bottom[1]);
        }
        Screen::Landscape => {
            // Narrow: one pane at a time with a tab line, detail below if room.
            let r = split(Direction::Vertical, body, &[Length(1), Min(1)]);
            out.tabs = Some(r[0]);
            if r[1].height >= 18 {
                let c = split(Direction::Vertical, r[1], &[Percentage(60), Min(5)]);
                out.panes.push((focus, c[0]));
                out.detail = Some(c[1]);
            } else {
                out.panes.push((focus, r[1]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_shows_all_panes_narrow_shows_the_focused_one() {
        let wide = areas((200, 50), Screen::Landscape, ViewKind::Shoots);
        assert_eq!(wide.panes.len(), 4);
        assert!(wide.detail.is_some());
        let mid = areas((120, 30), Screen::Landscape, ViewKind::Shoots);
        assert_eq!(mid.panes.len(), 4);
        let narrow = areas((80, 24), Screen::Landscape, ViewKind::Seeds);
        assert_eq!(narrow.panes.len(), 1);
        assert_eq!(narrow.panes[0].0, ViewKind::Seeds);
        assert!(narrow.tabs.is_some());
        for (_, r) in wide.panes.iter().chain(&mid.panes) {
            assert!(r.width > 10 && r.height > 3, "{r:?}");
        }
    }
}
