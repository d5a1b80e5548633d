//! Rows of the secondary views: cloud profiles, Cluster-API clusters, Kamaji
//! tenant control planes and metal partitions.

use std::borrow::Cow;

use kclm::landscape::rows::{CloudProfileRow, ClusterRow, PartitionRow, TenantRow};
use ratatui::text::Line;

use crate::tui::fmt;
use crate::tui::table::{CellCtx, Col, SortKey, TableRow, col, is_ns_name, ts_key};

fn s(v: &str) -> SortKey<'_> {
    SortKey::Str(Cow::Borrowed(v))
}

fn neg_age(ts: Option<&str>) -> SortKey<'static> {
    match ts_key(ts) {
        SortKey::Num(n) => SortKey::Num(-n),
        k => k,
    }
}

impl TableRow for CloudProfileRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 8, 24, 0),
        col("TYPE", 5, 10, 1),
        col("SHOOTS", 6, 7, 1),
        col("KUBERNETES", 10, 40, 2),
        col("REGIONS", 8, 30, 3),
        col("IMAGES", 8, 50, 4),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.type_.clone().unwrap_or_default()),
            ctx.text(self.shoots.to_string()),
            ctx.text(self.kubernetes_versions.join(" ")),
            ctx.text(self.regions.join(" ")),
            ctx.text(self.machine_images.join(" ")),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.name),
            1 => s(self.type_.as_deref().unwrap_or("")),
            2 => SortKey::Num(self.shoots as i64),
            _ => s(&self.name),
        }
    }
    fn issue(&self) -> Option<bool> {
        None
    }
}

impl TableRow for ClusterRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 8, 24, 0),
        col("NAMESPACE", 8, 20, 2),
        col("PHASE", 8, 12, 1),
        col("AVAILABLE", 5, 9, 1),
        col("VERSION", 7, 8, 3),
        col("MACHINES", 4, 8, 3),
        col("CONTROL PLANE", 10, 40, 4),
        col("AGE", 5, 6, 5),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/{}", self.namespace, self.name))
    }
    fn has_id(&self, id: &str) -> bool {
        is_ns_name(id, &self.namespace, &self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let avail = self.available.clone().unwrap_or_default();
        let scope = super::shoots::chip_scope(&avail);
        let phase = if self.paused {
            format!("{} (paused)", self.phase)
        } else {
            self.phase.clone()
        };
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.namespace.clone()),
            ctx.text(phase),
            ctx.styled(avail, scope),
            ctx.text(self.version.clone().unwrap_or_default()),
            ctx.text(format!("{}/{}", self.metal_machines.len(), self.machines)),
            ctx.text(self.control_plane.clone().unwrap_or_default()),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.name),
            1 => s(&self.namespace),
            2 => s(&self.phase),
            3 => s(self.available.as_deref().unwrap_or("")),
            4 => super::shoots::version_key(self.version.as_deref()),
            5 => SortKey::Num(self.machines as i64),
            6 => s(self.control_plane.as_deref().unwrap_or("")),
            _ => neg_age(self.created.as_deref()),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.available.as_deref() != Some("True"))
    }
}

impl TableRow for TenantRow {
    const COLUMNS: &'static [Col] = &[
        col("NAME", 8, 24, 0),
        col("NAMESPACE", 8, 20, 2),
        col("VERSION", 7, 8, 1),
        col("STATUS", 6, 14, 1),
        col("ENDPOINT", 10, 30, 3),
        col("CLUSTER", 8, 24, 3),
        col("AGE", 5, 6, 4),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/{}", self.namespace, self.name))
    }
    fn has_id(&self, id: &str) -> bool {
        is_ns_name(id, &self.namespace, &self.name)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let scope = if self.status == "Ready" {
            "status.healthy"
        } else {
            "status.progressing"
        };
        vec![
            ctx.name(&self.name, ctx.st("ui.text")),
            ctx.text(self.namespace.clone()),
            ctx.text(self.version.clone()),
            ctx.styled(self.status.clone(), scope),
            ctx.text(self.endpoint.clone()),
            ctx.text(self.cluster.clone().unwrap_or_default()),
            ctx.text(fmt::age(self.created.as_deref(), ctx.now)),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.name),
            1 => s(&self.namespace),
            2 => super::shoots::version_key(Some(&self.version)),
            3 => s(&self.status),
            4 => s(&self.endpoint),
            5 => s(self.cluster.as_deref().unwrap_or("")),
            _ => neg_age(self.created.as_deref()),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.status != "Ready")
    }
}

impl TableRow for PartitionRow {
    const COLUMNS: &'static [Col] = &[
        col("ID", 8, 20, 0),
        col("DESCRIPTION", 8, 30, 3),
        col("MACHINES", 8, 8, 1),
        col("ALLOCATED", 9, 9, 1),
        col("FREE", 4, 6, 1),
        col("FAULTY", 6, 6, 1),
        col("TOTAL", 5, 6, 2),
    ];
    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
    fn cells(&self, ctx: &CellCtx) -> Vec<Line<'static>> {
        let faulty = if self.faulty > 0 {
            ctx.styled(self.faulty.to_string(), "status.unhealthy")
        } else {
            ctx.text("0")
        };
        vec![
            ctx.name(&self.id, ctx.st("ui.text")),
            ctx.text(self.description.clone()),
            ctx.text(self.machines.to_string()),
            ctx.text(self.allocated.to_string()),
            ctx.text(self.free.to_string()),
            faulty,
            ctx.text(self.total.to_string()),
        ]
    }
    fn sort_key(&self, col: usize) -> SortKey<'_> {
        match col {
            0 => s(&self.id),
            1 => s(&self.description),
            2 => SortKey::Num(self.machines as i64),
            3 => SortKey::Num(self.allocated as i64),
            4 => SortKey::Num(self.free as i64),
            5 => SortKey::Num(self.faulty as i64),
            _ => SortKey::Num(self.total as i64),
        }
    }
    fn issue(&self) -> Option<bool> {
        Some(self.faulty > 0)
    }
}
