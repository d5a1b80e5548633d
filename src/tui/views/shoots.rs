//! Shoot rows: columns, cells and sort keys.

use std::borrow::Cow;

use kclm::landscape::health::{Chip, Health};
use kclm::landscape::rows::{OperationRow, ShootRow};
use ratatui::text::{Line, Span};

use crate::tui::fmt;
use crate::tui::table::{CellCtx, Col, SortKey, TableRow, col, is_ns_name, ts_key};

pub fn health_scope(h: Health) -> &'static str {
    match h {
        Health::Healthy => "status.healthy",
        Health::Progressing => "status.progressing",
        Health::Unknown => "status.unknown",
        Health::Unhealthy => "status.unhealthy",
    }
}

/// Health, except that a healthy hibernated (or hibernating/waking) shoot
/// says so: the hibernation column is the first to go on narrow screens.
pub fn health_cell(r: &ShootRow, ctx: &CellCtx) -> Line<'static> {
    if r.health == Health::Healthy && r.hibernation != "Awake" {
        return ctx.styled(
            r.hibernation.to_lowercase(),
            hibernation_scope(r.hibernation),
        );
    }
    ctx.styled(r.health.as_str(), health_scope(r.health))
}

pub fn chip_scope(status: &str) -> &'static str {
    match status {
        "True" => "chip.true",
        "False" => "chip.false",
        "Progressing" => "chip.progressing",
        _ => "chip.unknown",
    }
}

pub fn chips_line(chips: &[Chip], ctx: &CellCtx) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, c) in chips.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            c.short.to_string(),
            ctx.st(chip_scope(&c.status)),
        ));
    }
    Line::from(spans)
}

pub fn op_failed(op: &OperationRow) -> bool {
    matches!(op.state.as_str(), "Failed" | "Error" | "Aborted")
}

/// `Reconcile ▰▰▰▱▱ 60%` while processing, else `<Type> <State>`.
pub fn op_line(op: Option<&OperationRow>, ctx: &CellCtx) -> Line<'static> {
    let Some(op) = op else {
        return ctx.styled("<pending>", "ui.text.dim");
    };
    if op.state == "Processing" || op.state == "Pending" {
        let filled = (op.progress.clamp(0, 100) as usize).div_ceil(20);
        let bar: String = "▰".repeat(filled) + &"▱".repeat(5 - filled.min(5));
        return Line::from(vec![
            Span::styled(format!("{} ", op.type_), ctx.st("op.processing")),
            Span::styled(bar, ctx.st("op.bar")),
            Span::styled(format!(" {}%", op.progress), ctx.st("op.processing")),
        ]);
    }
    let scope = if op_failed(op) {
        "op.failed"
    } else {
        "op.succeeded"
    };
    ctx.styled(format!("{} {}", op.type_, op.state), scope)
}

pub fn hibernation_scope(h: &str) -> &'static str {
    match h {
        "Hibernated" => "status.hibernated",
        "Hibernating" | "Waking Up" => "status.progressing",
        _ => "ui.text.dim",
    }
}

/// Numeric key for `1.31.2`-style versions so 1.9 sorts before 1.10.
pub fn version_key(v: Option<&str>) -> SortKey<'static> {
    let mut n: i64 = 0;
    let mut parts = v
        .unwrap_or("")
        .trim_start_matches('v')
        .split(['.', '-', '+']);
    for _ in 0..3 {
        let p = parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0);
        n = n * 10_000 + p.min(9_999);
    }
    SortKey::Num(n)
}

fn op_rank(op: Option<&OperationRow>) -> i64 {
    match op {
        None => 0,
        Some(o) if op_failed(o) => 3_000,
        Some(o) if o.state == "Processing" => 2_000 + o.progress as i64,
        Some(_) => 1_000,
    }
}

impl TableRow for ShootRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 12, 21, 0),
        col("PROJECT", 7, 14, 2),
        col("SEED", 6, 14, 3),
        col("REGION", 6, 12, 7),
        col("VERSION", 7, 8, 5),
        col("PURPOSE", 7, 11, 8),
        col("HIBERNATION", 11, 11, 4),
        col("LAST OPERATION", 20, 26, 1),
        col("HEALTH", 11, 11, 1),
        col("CONDITIONS", 18, 18, 2),
        col("M", 2, 3, 6),
        col("AGE", 5, 6, 6),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/{}", self.namespace, self.name))
    }
    fn has_id(&self, id: &str) -> bool {
        is_ns_name(id, &self.namespace, &self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.project.clone()),
            ctx.text(self.seed.clone().unwrap_or_else(|| "-".into())),
            ctx.text(self.region.clone().unwrap_or_default()),
            ctx.text(self.kubernetes_version.clone().unwrap_or_default()),
            ctx.text(self.purpose.clone().unwrap_or_default()),
            // Awake is the normal case: keep the column quiet unless it is not.
            if self.hibernation == "Awake" {
                ctx.styled("-", "ui.text.dim")
            } else {
                ctx.styled(
                    self.hibernation.to_lowercase(),
                    hibernation_scope(self.hibernation),
                )
            },
            op_line(self.last_operation.as_ref(), ctx),
            health_cell(self, ctx),
            chips_line(&self.conditions, ctx),
            ctx.text(if self.machines > 0 {
                self.machines.to_string()
            } else {
                "-".into()
            }),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        fn s(v: &str) -> SortKey<'_> {
            SortKey::Str(Cow::Borrowed(v))
        }
        match col {
            0 => s(&self.name),
            1 => s(&self.project),
            2 => s(self.seed.as_deref().unwrap_or("")),
            3 => s(self.region.as_deref().unwrap_or("")),
            4 => version_key(self.kubernetes_version.as_deref()),
            5 => s(self.purpose.as_deref().unwrap_or("")),
            6 => s(self.hibernation),
            7 => SortKey::Num(op_rank(self.last_operation.as_ref())),
            8 => SortKey::Num(self.health as i64),
            9 => SortKey::Num(
                self.conditions
                    .iter()
                    .filter(|c| c.status != "True")
                    .count() as i64,
            ),
            10 => SortKey::Num(self.machines as i64),
            _ => match ts_key(self.created.as_deref()) {
                SortKey::Num(n) => SortKey::Num(-n),
                k => k,
            },
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.has_issues())
    }
}
