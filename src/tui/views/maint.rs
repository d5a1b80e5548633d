//! The maintenance view: every shoot's window, soonest first, with what the
//! next window will do and what needs attention (from `kclm::maintenance`).

use std::borrow::Cow;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kclm::filter::Filterable;
use kclm::landscape::Landscape;
use kclm::maintenance::{ShootMaintenance, for_shoot};
use ratatui::text::Line;

use crate::tui::table::{CellCtx, Col, SortKey, TableRow, col, is_ns_name};

#[derive(Clone, Debug)]
pub struct MaintRow {
    pub name: String,
    pub namespace: String,
    pub project: String,
    pub seed: String,
    /// `Sun 22:00-23:00` in the display zone.
    pub window: String,
    pub countdown: String,
    pub open_now: bool,
    /// Seconds until the window opens (0 while open; `i64::MAX` without one).
    pub starts_in: i64,
    pub actions: String,
    pub warnings: String,
    pub facts: ShootMaintenance,
}

fn window_cell(m: &ShootMaintenance, tz: &TimeZone) -> String {
    let Some(w) = &m.window else {
        return "-".into();
    };
    let start = w.occurrence.start.to_zoned_datetime(tz.clone());
    let end = w.occurrence.end.to_zoned_datetime(tz.clone());
    format!("{}-{}", start.strftime("%a %H:%M"), end.strftime("%H:%M"))
}

pub fn maint_rows(ls: &Landscape, now: Timestamp, tz: &TimeZone) -> Vec<MaintRow> {
    ls.shoots
        .values()
        .map(|s| {
            let m = for_shoot(ls, s, now, tz);
            let actions = m
                .actions
                .iter()
                .map(|a| a.detail.clone())
                .collect::<Vec<_>>()
                .join("; ");
            let mut kinds: Vec<String> = Vec::new();
            for w in &m.warnings {
                let k = serde_json::to_value(w.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default();
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            MaintRow {
                name: m.name.clone(),
                namespace: m.namespace.clone(),
                project: m.project.clone(),
                seed: m.seed.clone().unwrap_or_default(),
                window: window_cell(&m, tz),
                countdown: m.countdown.clone(),
                open_now: m.open_now,
                starts_in: m.starts_in_seconds.unwrap_or(i64::MAX),
                actions,
                warnings: kinds.join(", "),
                facts: m,
            }
        })
        .collect()
}

impl Filterable for MaintRow {
    const FIELDS: &'static [&'static str] =
        &["name", "namespace", "project", "seed", "action", "warning"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => Some(Cow::Borrowed(&self.name)),
            "namespace" => Some(Cow::Borrowed(&self.namespace)),
            "project" => Some(Cow::Borrowed(&self.project)),
            "seed" => Some(Cow::Borrowed(&self.seed)),
            "action" => Some(Cow::Borrowed(&self.actions)),
            "warning" => Some(Cow::Borrowed(&self.warnings)),
            _ => None,
        }
    }
}

impl TableRow for MaintRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 12, 21, 0),
        col("PROJECT", 7, 14, 2),
        col("SEED", 6, 14, 3),
        col("WINDOW", 15, 17, 1),
        col("STATUS", 24, 28, 0),
        col("NEXT WINDOW DOES", 16, 60, 1),
        col("WARNINGS", 10, 60, 2),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/{}", self.namespace, self.name))
    }
    fn has_id(&self, id: &str) -> bool {
        is_ns_name(id, &self.namespace, &self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let status_scope = if self.open_now {
            "status.progressing"
        } else {
            "ui.text"
        };
        let warn_scope = if self.facts.warnings.iter().any(|w| {
            matches!(
                w.kind,
                kclm::maintenance::WarningKind::VersionExpired
                    | kclm::maintenance::WarningKind::LastMaintenanceFailed
                    | kclm::maintenance::WarningKind::ForcedUpdate
            )
        }) {
            "status.unhealthy"
        } else {
            "status.progressing"
        };
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.project.clone()),
            ctx.text(self.seed.clone()),
            ctx.text(self.window.clone()),
            ctx.styled(self.countdown.clone(), status_scope),
            ctx.text(if self.actions.is_empty() {
                "-".into()
            } else {
                self.actions.clone()
            }),
            ctx.styled(self.warnings.clone(), warn_scope),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        fn s(v: &str) -> SortKey<'_> {
            SortKey::Str(Cow::Borrowed(v))
        }
        match col {
            0 => s(&self.name),
            1 => s(&self.project),
            2 => s(&self.seed),
            3 | 4 => SortKey::Num(self.starts_in),
            5 => s(&self.actions),
            _ => SortKey::Num(self.facts.warnings.len() as i64),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.open_now || !self.facts.warnings.is_empty())
    }
}
