//! The maintenance timeline above the `:maint` table: one lane per seed (or
//! project), the next 24 h left to right in the display zone, windows as
//! bars that darken where they overlap, and "now" as a vertical line. Data
//! from `kclm::maintenance::timeline`; this file only draws.

use jiff::{SignedDuration, Timestamp};
use kclm::maintenance::{GroupBy, Timeline, timeline};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::state::State;
use crate::tui::theme::Theme;

/// Shown before now, so "now" is a line and not the frame's edge.
const BEFORE: SignedDuration = SignedDuration::from_hours(1);
const AHEAD: SignedDuration = SignedDuration::from_hours(24);

pub fn data(s: &State) -> Timeline {
    let start = s.now.checked_sub(BEFORE).unwrap_or(s.now);
    timeline(&s.ls.store, start, BEFORE + AHEAD, s.timeline_group, &s.tz)
}

fn col_of(t: Timestamp, start: Timestamp, secs_per_col: f64) -> f64 {
    (t.as_second() - start.as_second()) as f64 / secs_per_col
}

fn glyph(n: u16) -> (char, &'static str) {
    match n {
        0 => (' ', "ui.text"),
        1 => ('▒', "timeline.bar"),
        2 => ('▓', "timeline.bar"),
        _ => ('█', "timeline.busy"),
    }
}

pub fn render_timeline(f: &mut Frame, area: Rect, s: &State, theme: &Theme) {
    let by = match s.timeline_group {
        GroupBy::Seed => "seed",
        GroupBy::Project => "project",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.border"))
        .title(Line::from(vec![
            Span::styled(
                format!(" windows · next 24 h · lanes per {by} (t) "),
                theme.style("ui.title"),
            ),
            Span::styled("┃ now ", theme.style("timeline.now")),
            Span::styled("▒ 1 ▓ 2 █ 3+ ", theme.style("timeline.bar")),
        ]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 2 || inner.width < 20 {
        return;
    }
    let tl = data(s);
    let label_w = tl
        .lanes
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 18);
    let chart_w = (inner.width as usize).saturating_sub(label_w + 1).max(1);
    let total = (tl.end.as_second() - tl.start.as_second()).max(1) as f64;
    let spc = total / chart_w as f64;
    let now_col = (col_of(s.now, tl.start, spc) as usize).min(chart_w - 1);

    let mut lines = Vec::new();
    // Axis: local hours; midnight shows the weekday.
    let mut axis: Vec<char> = vec![' '; chart_w];
    let mut free_from = 0usize;
    for m in &tl.hour_marks {
        let c = col_of(m.at, tl.start, spc).floor().max(0.0) as usize;
        let label = if m.local_hour == 0 {
            s.tz.to_datetime(m.at).strftime("%a").to_string()
        } else {
            format!("{:02}", m.local_hour)
        };
        let n = label.chars().count();
        if c < free_from || c + n > chart_w {
            continue;
        }
        for (i, ch) in label.chars().enumerate() {
            axis[c + i] = ch;
        }
        free_from = c + n + 1;
    }
    let mut spans = vec![Span::raw(" ".repeat(label_w + 1))];
    for (i, ch) in axis.iter().enumerate() {
        let scope = if i == now_col {
            "timeline.now"
        } else {
            "timeline.axis"
        };
        let ch = if i == now_col && *ch == ' ' {
            '┃'
        } else {
            *ch
        };
        spans.push(Span::styled(ch.to_string(), theme.style(scope)));
    }
    lines.push(Line::from(spans));

    let rows = inner.height as usize - 1;
    let shown = if tl.lanes.len() > rows {
        rows.saturating_sub(1)
    } else {
        tl.lanes.len()
    };
    for lane in tl.lanes.iter().take(shown) {
        let mut counts = vec![0u16; chart_w];
        for iv in &lane.intervals {
            let a = col_of(iv.start, tl.start, spc).floor().max(0.0) as usize;
            let b = (col_of(iv.end, tl.start, spc).ceil() as usize).min(chart_w);
            for c in counts.iter_mut().take(b).skip(a) {
                *c += 1;
            }
        }
        let name = crate::tui::fmt::trunc(&lane.name, label_w);
        let mut spans = vec![Span::styled(
            format!("{name:<label_w$} "),
            theme.style("ui.text.dim"),
        )];
        // Runs of equal cells become one span.
        let mut run = String::new();
        let mut run_scope = "";
        for (i, n) in counts.iter().enumerate() {
            let (ch, scope) = if i == now_col {
                ('┃', "timeline.now")
            } else {
                glyph(*n)
            };
            if scope != run_scope && !run.is_empty() {
                spans.push(Span::styled(
                    std::mem::take(&mut run),
                    theme.style(run_scope),
                ));
            }
            run_scope = scope;
            run.push(ch);
        }
        if !run.is_empty() {
            spans.push(Span::styled(run, theme.style(run_scope)));
        }
        lines.push(Line::from(spans));
    }
    if shown < tl.lanes.len() {
        lines.push(Line::from(Span::styled(
            format!("+{} more lanes", tl.lanes.len() - shown),
            theme.style("ui.text.dim"),
        )));
    }
    if tl.lanes.is_empty() {
        lines.push(Line::from(Span::styled(
            "no maintenance windows in the next 24 h",
            theme.style("ui.text.dim"),
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
