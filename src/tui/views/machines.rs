//! metal-stack machine and firewall rows, metalctl-like.

use std::borrow::Cow;

use kclm::landscape::rows::MachineRow;
use kclm::model::metal::Severity;
use ratatui::text::{Line, Span};

use crate::tui::fmt;
use crate::tui::table::{CellCtx, Col, SortKey, TableRow, col, ts_key};

/// Status symbols (single-width, so tables stay aligned in every terminal):
/// liveliness `●` alive / `✗` dead / `?` unknown, `L` locked, `R` reserved,
/// `◉` identify LED on, `↻` crash loop, `✚` failed reclaim, `!` issues
/// (coloured by the worst severity).
pub fn status_line(m: &MachineRow, ctx: &CellCtx) -> Line<'static> {
    let mut spans = vec![match m.liveliness.as_str() {
        "Alive" => Span::styled("●", ctx.st("machine.alive")),
        "Dead" => Span::styled("✗", ctx.st("machine.dead")),
        _ => Span::styled("?", ctx.st("machine.unknown")),
    }];
    match m.state.as_str() {
        "LOCKED" => spans.push(Span::styled("L", ctx.st("machine.locked"))),
        "RESERVED" => spans.push(Span::styled("R", ctx.st("machine.locked"))),
        _ => {}
    }
    if m.led == "LED-ON" {
        spans.push(Span::styled("◉", ctx.st("machine.led")));
    }
    if m.crash_loop {
        spans.push(Span::styled("↻", ctx.st("machine.issue.major")));
    }
    if m.failed_reclaim {
        spans.push(Span::styled("✚", ctx.st("machine.issue.critical")));
    }
    if let Some(sev) = worst(m) {
        spans.push(Span::styled("!", ctx.st(severity_scope(sev))));
    }
    Line::from(spans)
}

pub fn worst(m: &MachineRow) -> Option<Severity> {
    m.issues.iter().filter_map(|i| i.severity).max()
}

pub fn severity_scope(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "machine.issue.critical",
        Severity::Major => "machine.issue.major",
        Severity::Minor => "machine.issue.minor",
    }
}

fn short_shoot(s: &Option<String>) -> String {
    s.as_deref()
        .map(|x| x.rsplit('/').next().unwrap_or(x).to_string())
        .unwrap_or_default()
}

impl TableRow for MachineRow {
    const COLUMNS: &'static [Col] = &[
        col("ID", 13, 36, 0),
        col("", 4, 5, 0),
        col("LAST EVENT", 8, 18, 1),
        col("WHEN", 5, 6, 2),
        col("AGE", 5, 6, 5),
        col("HOSTNAME", 8, 30, 1),
        col("PROJECT", 7, 14, 6),
        col("SIZE", 6, 14, 4),
        col("IMAGE", 6, 20, 7),
        col("PARTITION", 6, 12, 5),
        col("RACK", 4, 8, 6),
        col("SHOOT", 6, 20, 3),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let id_style = if self.led == "LED-ON" {
            ctx.st("machine.led")
        } else {
            ctx.st("ui.text")
        };
        let id = if self.role == "firewall" {
            Line::from(vec![
                Span::styled(ctx.tail_reserving(0, &self.id, 3), id_style),
                Span::styled(" fw", ctx.st("ui.text.dim")),
            ])
        } else {
            Line::from(Span::styled(ctx.tail(0, &self.id), id_style))
        };
        let event_scope = if self.last_event.as_deref() == Some("Crashed") {
            "machine.issue.major"
        } else {
            "ui.text"
        };
        vec![
            id,
            status_line(self, ctx),
            ctx.styled(self.last_event.clone().unwrap_or_default(), event_scope),
            ctx.text(fmt::age(self.last_event_time.as_deref(), ctx.now)),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
            if ctx.hl.is_empty() {
                ctx.text(ctx.tail(5, &self.hostname))
            } else {
                ctx.name(&self.hostname, ctx.st("ui.text"))
            },
            ctx.text(self.project.clone()),
            ctx.text(self.size.clone()),
            ctx.text(self.image.clone()),
            ctx.text(self.partition.clone()),
            ctx.text(self.rack.clone()),
            ctx.text(short_shoot(&self.shoot)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        fn s(v: &str) -> SortKey<'_> {
            SortKey::Str(Cow::Borrowed(v))
        }
        match col {
            0 => s(&self.id),
            1 => SortKey::Num(
                worst(self).map_or(0, |w| w as i64 + 1) * 10
                    + i64::from(self.liveliness != "Alive"),
            ),
            2 => s(self.last_event.as_deref().unwrap_or("")),
            3 => match ts_key(self.last_event_time.as_deref()) {
                SortKey::Num(n) => SortKey::Num(-n),
                k => k,
            },
            4 => match ts_key(self.created.as_deref()) {
                SortKey::Num(n) => SortKey::Num(-n),
                k => k,
            },
            5 => s(&self.hostname),
            6 => s(&self.project),
            7 => s(&self.size),
            8 => s(&self.image),
            9 => s(&self.partition),
            10 => s(&self.rack),
            _ => s(self.shoot.as_deref().unwrap_or("")),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(
            !self.issues.is_empty()
                || self.liveliness != "Alive"
                || self.crash_loop
                || self.failed_reclaim,
        )
    }
}
