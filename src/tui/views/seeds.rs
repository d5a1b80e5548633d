//! Seed and project rows.

use std::borrow::Cow;

use kclm::landscape::rows::{ProjectRow, SeedRow};
use ratatui::text::Line;

use super::shoots::chips_line;
use crate::tui::fmt;
use crate::tui::table::{CellCtx, Col, SortKey, TableRow, col, ts_key};

pub fn readiness_scope(status: &str) -> &'static str {
    match status {
        "Ready" => "seed.ready",
        "Unknown" => "seed.unknown",
        _ => "seed.notready",
    }
}

fn s(v: &str) -> SortKey<'_> {
    SortKey::Str(Cow::Borrowed(v))
}

fn neg_age(ts: Option<&str>) -> SortKey<'static> {
    match ts_key(ts) {
        SortKey::Num(n) => SortKey::Num(-n),
        k => k,
    }
}

impl TableRow for SeedRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 8, 24, 0),
        col("STATUS", 8, 8, 0),
        col("SHOOTS", 7, 9, 1),
        col("PROVIDER", 5, 10, 3),
        col("REGION", 6, 14, 2),
        col("VERSION", 7, 8, 5),
        col("CONDITIONS", 10, 20, 4),
        col("AGE", 5, 6, 6),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let alloc = match self.allocatable {
            Some(a) => format!("{}/{}", self.shoots, a),
            None => self.shoots.to_string(),
        };
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.styled(self.status, readiness_scope(self.status)),
            ctx.text(alloc),
            ctx.text(self.provider.clone()),
            ctx.text(self.region.clone()),
            ctx.text(self.kubernetes_version.clone().unwrap_or_default()),
            chips_line(&self.conditions, ctx),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.name),
            1 => s(self.status),
            2 => SortKey::Num(self.shoots as i64),
            3 => s(&self.provider),
            4 => s(&self.region),
            5 => super::shoots::version_key(self.kubernetes_version.as_deref()),
            6 => SortKey::Num(
                self.conditions
                    .iter()
                    .filter(|c| c.status != "True")
                    .count() as i64,
            ),
            _ => neg_age(self.created.as_deref()),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.status != "Ready")
    }
}

impl TableRow for ProjectRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 8, 24, 0),
        col("SHOOTS", 6, 8, 1),
        col("UNHEALTHY", 9, 9, 1),
        col("OWNER", 6, 20, 3),
        col("PURPOSE", 7, 20, 4),
        col("PHASE", 5, 8, 5),
        col("AGE", 5, 6, 6),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let unhealthy = if self.unhealthy_shoots > 0 {
            ctx.styled(self.unhealthy_shoots.to_string(), "status.unhealthy")
        } else {
            ctx.styled("0", "ui.text.dim")
        };
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.shoots.to_string()),
            unhealthy,
            ctx.text(self.owner.clone().unwrap_or_default()),
            ctx.text(self.purpose.clone().unwrap_or_default()),
            ctx.text(self.phase.clone().unwrap_or_default()),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.name),
            1 => SortKey::Num(self.shoots as i64),
            2 => SortKey::Num(self.unhealthy_shoots as i64),
            3 => s(self.owner.as_deref().unwrap_or("")),
            4 => s(self.purpose.as_deref().unwrap_or("")),
            5 => s(self.phase.as_deref().unwrap_or("")),
            _ => neg_age(self.created.as_deref()),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.unhealthy_shoots > 0)
    }
}
