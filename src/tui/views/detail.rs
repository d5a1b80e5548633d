//! The detail pane: everything about the selection, including the joined
//! objects (shoot -> seed, machines, firewalls; machine -> shoot).

use kclm::landscape::ObjKey;
use kclm::landscape::rows::{MachineRow, ShootRow};
use kclm::model::Condition;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::machines::{severity_scope, status_line};
use super::seeds::readiness_scope;
use super::shoots::{chip_scope, health_scope, hibernation_scope, op_line};
use crate::tui::fmt;
use crate::tui::state::{State, ViewKind};
use crate::tui::table::CellCtx;
use crate::tui::theme::Theme;

struct Out<'a> {
    lines: Vec<Line<'static>>,
    theme: &'a Theme,
    /// Room for full condition types and machine ids.
    wide: bool,
}

/// The distinctive end of a metal id when space is short.
fn short_id(id: &str, wide: bool) -> String {
    let n = id.chars().count();
    if wide || n <= 13 {
        id.to_string()
    } else {
        format!("…{}", id.chars().skip(n - 12).collect::<String>())
    }
}

impl Out<'_> {
    fn section(&mut self, title: &str) {
        if !self.lines.is_empty() {
            self.lines.push(Line::from(""));
        }
        self.lines.push(Line::from(Span::styled(
            title.to_string(),
            self.theme.style("ui.table.header"),
        )));
    }
    fn kv(&mut self, k: &str, v: impl Into<String>) {
        self.kv_styled(k, v, "ui.text");
    }
    fn kv_styled(&mut self, k: &str, v: impl Into<String>, scope: &str) {
        self.lines.push(Line::from(vec![
            Span::styled(format!("{k:<13}"), self.theme.style("ui.text.dim")),
            Span::styled(v.into(), self.theme.style(scope)),
        ]));
    }
    fn kv_line(&mut self, k: &str, mut v: Line<'static>) {
        v.spans.insert(
            0,
            Span::styled(format!("{k:<13}"), self.theme.style("ui.text.dim")),
        );
        self.lines.push(v);
    }
    fn text(&mut self, v: impl Into<String>, scope: &str) {
        self.lines
            .push(Line::from(Span::styled(v.into(), self.theme.style(scope))));
    }
}

pub fn render_detail(f: &mut Frame, area: Rect, s: &State, theme: &Theme) {
    let kind = s.active();
    let mut out = Out {
        lines: Vec::new(),
        theme,
        wide: area.width >= 72,
    };
    let title = match kind {
        ViewKind::Shoots => s.selected_shoot().map(|r| {
            shoot(&mut out, s, r);
            format!(" shoot {} ", r.name)
        }),
        ViewKind::Maint => s
            .pane(ViewKind::Maint)
            .selected_index()
            .and_then(|i| s.ls.rows.maint.get(i))
            .map(|r| {
                out.kv("project", format!("{} ({})", r.project, r.namespace));
                out.kv("seed", r.seed.clone());
                maintenance(&mut out, &r.facts, &s.tz);
                format!(" maintenance {} ", r.name)
            }),
        ViewKind::Seeds => s.selected_seed().map(|r| {
            seed(&mut out, s, &r.name);
            format!(" seed {} ", r.name)
        }),
        ViewKind::Projects => s.selected_project().map(|r| {
            out.kv("namespace", &r.namespace);
            out.kv("owner", r.owner.clone().unwrap_or_default());
            out.kv("purpose", r.purpose.clone().unwrap_or_default());
            out.kv("phase", r.phase.clone().unwrap_or_default());
            out.kv(
                "shoots",
                format!("{} ({} unhealthy)", r.shoots, r.unhealthy_shoots),
            );
            if let Some(d) = &r.description {
                out.section("description");
                out.text(d.clone(), "ui.text");
            }
            format!(" project {} ", r.name)
        }),
        ViewKind::Machines | ViewKind::Firewalls => s.selected_metal(kind).map(|m| {
            machine(&mut out, s, m);
            format!(
                " {} {} ",
                if m.role == "firewall" {
                    "firewall"
                } else {
                    "machine"
                },
                m.id
            )
        }),
        ViewKind::Clusters => s
            .pane(kind)
            .selected_index()
            .and_then(|i| s.ls.rows.clusters.get(i))
            .map(|c| {
                out.kv("namespace", c.namespace.clone());
                out.kv(
                    "phase",
                    if c.paused {
                        format!("{} (paused)", c.phase)
                    } else {
                        c.phase.clone()
                    },
                );
                out.kv("available", c.available.clone().unwrap_or_default());
                out.kv("version", c.version.clone().unwrap_or_default());
                out.kv("control plane", c.control_plane.clone().unwrap_or_default());
                out.kv("infra", c.infrastructure.clone().unwrap_or_default());
                out.section(&format!(
                    "metal machines ({} of {})",
                    c.metal_machines.len(),
                    c.machines
                ));
                let ctx = CellCtx {
                    theme,
                    now: s.now,
                    hl: &[],
                    widths: &[],
                };
                for id in &c.metal_machines {
                    match s.ls.rows.metal.iter().find(|m| &m.id == id) {
                        Some(m) => {
                            let mut line = status_line(m, &ctx);
                            line.spans.insert(
                                0,
                                Span::styled(
                                    format!("{} ", short_id(id, out.wide)),
                                    theme.style("ui.table.joined"),
                                ),
                            );
                            line.spans.push(Span::raw(format!(" {}", m.hostname)));
                            out.lines.push(line);
                        }
                        None => out.text(id.clone(), "ui.text.dim"),
                    }
                }
                format!(" cluster {} ", c.name)
            }),
        _ => super::super::select::yaml_of_selection(s).map(|(title, yaml)| {
            for l in yaml.lines().take(area.height as usize) {
                out.lines.push(crate::tui::yaml::highlight(l, theme, ""));
            }
            format!(" {title} ")
        }),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style("ui.border"))
        .title(Span::styled(
            title.unwrap_or_else(|| " detail ".into()),
            theme.style("ui.title"),
        ));
    if out.lines.is_empty() {
        out.text("nothing selected", "ui.text.dim");
    }
    // Never scroll past the end: keep at least one line in view.
    let max = out.lines.len().saturating_sub(1) as u16;
    let scroll = s.detail_offset().min(max);
    f.render_widget(
        Paragraph::new(out.lines).block(block).scroll((scroll, 0)),
        area,
    );
}

fn conditions(out: &mut Out, title: &str, conds: &[Condition], now: jiff::Timestamp) {
    if conds.is_empty() {
        return;
    }
    out.section(title);
    for c in conds {
        let since = fmt::age(c.last_transition_time.as_deref(), now);
        let name = if out.wide {
            format!("{:<34}", c.type_)
        } else {
            format!(
                "{:<4}",
                kclm::landscape::health::condition_short_name(&c.type_)
            )
        };
        let mut spans = vec![
            Span::styled(
                format!("{:<6}", c.status),
                out.theme.style(chip_scope(&c.status)),
            ),
            Span::raw(name),
            Span::styled(format!("{since:>6} "), out.theme.style("ui.text.dim")),
            Span::raw(c.reason.as_deref().unwrap_or_default().to_string()),
        ];
        if let Some(codes) = c.codes.as_ref().filter(|c| !c.is_empty()) {
            spans.push(Span::styled(
                format!(" [{}]", codes.join(",")),
                out.theme.style("status.unhealthy"),
            ));
        }
        out.lines.push(Line::from(spans));
        if c.status != "True"
            && let Some(m) = &c.message
        {
            out.text(
                format!("      {}", m.lines().next().unwrap_or("")),
                "ui.text.dim",
            );
        }
    }
}

fn shoot(out: &mut Out, s: &State, r: &ShootRow) {
    let ctx = CellCtx {
        theme: out.theme,
        now: s.now,
        hl: &[],
        widths: &[],
    };
    let obj =
        s.ls.store
            .shoots
            .get(&ObjKey::new(&r.namespace, &r.name))
            .cloned();
    out.kv("project", format!("{} ({})", r.project, r.namespace));
    let seed_status = r
        .seed
        .as_ref()
        .and_then(|n| s.ls.store.seeds.get(&ObjKey::new("", n)))
        .map(|seed| kclm::landscape::health::seed_readiness(seed));
    match (&r.seed, seed_status) {
        (Some(seed), Some(st)) => out.kv_line(
            "seed",
            Line::from(vec![
                Span::styled(seed.clone(), out.theme.style("ui.table.joined")),
                Span::raw(" "),
                Span::styled(st, out.theme.style(readiness_scope(st))),
            ]),
        ),
        (Some(seed), None) => out.kv("seed", format!("{seed} (not found)")),
        (None, _) => out.kv("seed", "unscheduled"),
    }
    out.kv(
        "region",
        format!(
            "{}  profile {}",
            r.region.clone().unwrap_or_default(),
            r.cloudprofile.clone().unwrap_or_default()
        ),
    );
    out.kv(
        "kubernetes",
        r.kubernetes_version.clone().unwrap_or_default(),
    );
    out.kv("purpose", r.purpose.clone().unwrap_or_default());
    out.kv_styled("health", r.health.as_str(), health_scope(r.health));
    out.kv_styled(
        "hibernation",
        r.hibernation,
        hibernation_scope(r.hibernation),
    );
    out.kv_line("operation", op_line(r.last_operation.as_ref(), &ctx));
    if let Some(op) = obj.as_ref().and_then(|o| o.last_operation())
        && let Some(d) = &op.description
    {
        out.text(
            format!("             {}", d.lines().next().unwrap_or("")),
            "ui.text.dim",
        );
    }
    out.kv("age", fmt::age(r.created.as_deref(), s.now));
    let Some(obj) = obj else { return };
    if !obj.last_errors().is_empty() {
        out.section("last errors");
        for e in obj.last_errors() {
            // a real gardener-apiserver often sends neither codes nor a task
            let mut head = Vec::new();
            if let Some(codes) = e.codes.as_ref().filter(|c| !c.is_empty()) {
                let codes = format!("[{}]", codes.join(","));
                head.push(Span::styled(codes, out.theme.style("status.unhealthy")));
            }
            if let Some(task) = e.task_id.as_deref().filter(|t| !t.is_empty()) {
                if !head.is_empty() {
                    head.push(Span::raw(" "));
                }
                head.push(Span::raw(task.to_string()));
            }
            if !head.is_empty() {
                out.lines.push(Line::from(head));
            }
            out.text(
                format!("  {}", e.description.lines().next().unwrap_or("")),
                "ui.text.dim",
            );
        }
    }
    conditions(out, "conditions", obj.conditions(), s.now);
    conditions(out, "constraints", obj.constraints(), s.now);
    let facts = kclm::maintenance::for_shoot(&s.ls.store, &obj, s.now, &s.tz);
    maintenance(out, &facts, &s.tz);
    let schedules = obj
        .spec
        .hibernation
        .as_ref()
        .and_then(|h| h.schedules.clone())
        .unwrap_or_default();
    if schedules.is_empty() {
        out.kv("schedules", "none");
    }
    for sch in schedules {
        out.kv(
            "schedule",
            format!(
                "sleep {}  wake {}  {}",
                sch.start.unwrap_or_else(|| "-".into()),
                sch.end.unwrap_or_else(|| "-".into()),
                sch.location.unwrap_or_default()
            ),
        );
    }
    let key = format!("{}/{}", r.namespace, r.name);
    let metal: Vec<&MachineRow> =
        s.ls.rows
            .metal
            .iter()
            .filter(|m| m.shoot.as_deref() == Some(key.as_str()))
            .collect();
    for (title, fw) in [("firewalls", true), ("machines", false)] {
        let list: Vec<&&MachineRow> = metal
            .iter()
            .filter(|m| (m.role == "firewall") == fw)
            .collect();
        out.section(&format!("{title} ({})", list.len()));
        for m in list {
            let mut line = status_line(m, &ctx);
            line.spans.insert(
                0,
                Span::styled(
                    format!("{} ", short_id(&m.id, out.wide)),
                    out.theme.style("ui.table.joined"),
                ),
            );
            line.spans.push(Span::raw(format!(
                " {} {}",
                m.hostname,
                m.last_event.clone().unwrap_or_default()
            )));
            out.lines.push(line);
        }
    }
    out.section("ids");
    out.kv("uid", r.uid.clone());
    out.kv("technical id", r.technical_id.clone().unwrap_or_default());
}

fn seed(out: &mut Out, s: &State, name: &str) {
    let Some(obj) = s.ls.store.seeds.get(&ObjKey::new("", name)).cloned() else {
        return;
    };
    let row = s.ls.rows.seeds.iter().find(|r| r.name == name);
    if let Some(r) = row {
        out.kv_styled("status", r.status, readiness_scope(r.status));
        out.kv("provider", format!("{} {}", r.provider, r.region));
        out.kv(
            "shoots",
            match r.allocatable {
                Some(a) => format!("{} of {a} allocatable", r.shoots),
                None => r.shoots.to_string(),
            },
        );
        out.kv(
            "kubernetes",
            r.kubernetes_version.clone().unwrap_or_default(),
        );
    }
    conditions(out, "conditions", obj.conditions(), s.now);
    let shoots: Vec<_> = s.ls.store.shoots_of_seed(name).collect();
    out.section(&format!("shoots ({})", shoots.len()));
    for sh in shoots.iter().take(30) {
        let h = kclm::landscape::health::shoot_health(sh);
        out.lines.push(Line::from(vec![
            Span::styled(
                format!("{:<12}", h.as_str()),
                out.theme.style(health_scope(h)),
            ),
            Span::styled(
                format!("{}/{}", sh.namespace(), sh.name()),
                out.theme.style("ui.table.joined"),
            ),
        ]));
    }
    if shoots.len() > 30 {
        out.text(
            format!("… {} more (enter lists them)", shoots.len() - 30),
            "ui.text.dim",
        );
    }
}

fn machine(out: &mut Out, s: &State, m: &MachineRow) {
    let ctx = CellCtx {
        theme: out.theme,
        now: s.now,
        hl: &[],
        widths: &[],
    };
    match &m.shoot {
        Some(sh) => out.kv_styled("shoot", sh.clone(), "ui.table.joined"),
        None => out.kv("shoot", "none"),
    }
    if let Some(c) = &m.cluster {
        out.kv_styled("cluster", c.clone(), "ui.table.joined");
    }
    out.kv("hostname", m.hostname.clone());
    out.kv("project", m.project.clone());
    out.kv("partition", format!("{}  rack {}", m.partition, m.rack));
    out.kv("size", m.size.clone());
    out.kv("image", m.image.clone());
    out.kv_line("status", status_line(m, &ctx));
    out.kv("liveliness", m.liveliness.clone());
    if !m.state.is_empty() {
        out.kv_styled(
            "state",
            format!("{} {}", m.state, m.state_description),
            "machine.locked",
        );
    }
    if !m.led.is_empty() {
        out.kv("led", m.led.clone());
    }
    out.kv(
        "last event",
        format!(
            "{} {} ago",
            m.last_event.clone().unwrap_or_default(),
            fmt::age(m.last_event_time.as_deref(), s.now)
        ),
    );
    if !m.issues.is_empty() {
        out.section("issues");
        for i in &m.issues {
            let scope = i.severity.map_or("ui.text", severity_scope);
            let sev = i
                .severity
                .map(|s| format!("{s:?}").to_lowercase())
                .unwrap_or_default();
            out.lines.push(Line::from(vec![
                Span::styled(format!("{sev:<9}"), out.theme.style(scope)),
                Span::raw(i.id.clone()),
            ]));
        }
    }
    let obj =
        s.ls.store
            .machines
            .get(&m.id)
            .or_else(|| s.ls.store.firewalls.get(&m.id));
    if let Some(obj) = obj {
        out.section("recent events");
        for e in obj.events.log.iter().take(6) {
            out.lines.push(Line::from(vec![
                Span::styled(
                    format!("{:>6} ", fmt::age(Some(&e.time), s.now)),
                    out.theme.style("ui.text.dim"),
                ),
                Span::raw(format!("{:<18}", e.event)),
                Span::styled(
                    e.message.as_deref().unwrap_or_default().to_string(),
                    out.theme.style("ui.text.dim"),
                ),
            ]));
        }
    }
}

/// The maintenance core's facts: window and countdown, what the next window
/// does, warnings, hibernation schedule and the last maintenance.
fn maintenance(out: &mut Out, m: &kclm::maintenance::ShootMaintenance, tz: &jiff::tz::TimeZone) {
    out.section("maintenance & hibernation");
    match &m.window {
        Some(w) => {
            out.kv("window", format!("{} – {}", w.begin, w.end));
            let start = w.occurrence.start.to_zoned_datetime(tz.clone());
            let end = w.occurrence.end.to_zoned_datetime(tz.clone());
            out.kv(
                "next",
                format!(
                    "{} – {}",
                    start.strftime("%a %b %d %H:%M"),
                    end.strftime("%H:%M %Z")
                ),
            );
        }
        None => out.kv("window", "not set"),
    }
    let scope = if m.open_now {
        "status.progressing"
    } else {
        "ui.text"
    };
    out.kv_styled("status", m.countdown.clone(), scope);
    for a in &m.actions {
        out.kv("will", a.detail.clone());
    }
    for w in &m.warnings {
        out.kv_styled("warning", w.message.clone(), "status.progressing");
    }
    let h = &m.hibernation;
    let when = |utc: &Option<String>| {
        utc.as_deref().and_then(fmt::parse_ts).map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%a %b %d %H:%M %Z")
                .to_string()
        })
    };
    if let Some(t) = when(&h.next_hibernate_utc) {
        out.kv("hibernates", t);
    }
    if let Some(t) = when(&h.next_wake_up_utc) {
        out.kv("wakes up", t);
    }
    if let Some(op) = &m.pending_operation {
        out.kv("pending op", op.clone());
    }
    if let Some(l) = &m.last_maintenance {
        let scope = if l.state == "Failed" {
            "status.unhealthy"
        } else {
            "ui.text"
        };
        out.kv_styled("last", format!("{} {}", l.state, l.description), scope);
    }
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
