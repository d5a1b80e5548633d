//! The breadcrumb line (top) and the status/input line (bottom).

use kclm::landscape::{SourceGroup, SourceState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::Action;
use crate::tui::input::LineEdit;
use crate::tui::state::{Level, Mode, Scope, Screen, State, ViewKind};
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::render_line_edit;

/// `demo › garden-acme › shoots › web-prod`
pub fn breadcrumbs(s: &State) -> Vec<String> {
    let mut out = vec![s.ls.name.clone()];
    let kind = s.active();
    if matches!(kind, ViewKind::Shoots | ViewKind::Machines) && s.screen == Screen::Landscape {
        match &s.pane(ViewKind::Shoots).scope {
            Scope::Project(_, ns) => out.push(ns.clone()),
            Scope::Seed(seed) => out.push(format!("seed {seed}")),
            _ => {}
        }
    }
    if kind == ViewKind::Machines
        && s.screen == Screen::Landscape
        && let Some(sh) = s.selected_shoot()
    {
        out.push("shoots".into());
        out.push(sh.name.clone());
    }
    out.push(kind.name().to_string());
    let sel = match kind {
        ViewKind::Shoots => s.selected_shoot().map(|r| r.name.clone()),
        ViewKind::Seeds => s.selected_seed().map(|r| r.name.clone()),
        ViewKind::Projects => s.selected_project().map(|r| r.name.clone()),
        ViewKind::Machines | ViewKind::Firewalls => s.selected_metal(kind).map(|m| {
            if m.hostname.is_empty() {
                m.id.clone()
            } else {
                m.hostname.clone()
            }
        }),
        _ => crate::tui::select::copy_text(s),
    };
    out.extend(sel);
    out
}

fn source_span(group: SourceGroup, st: &SourceState, theme: &Theme) -> Span<'static> {
    let scope = match st {
        SourceState::Synced => "source.synced",
        SourceState::Connecting => "source.connecting",
        s if s.is_retrying() && s.short().starts_with("reconnecting") => "source.connecting",
        SourceState::Disabled => "ui.statusbar",
        SourceState::Error(_) | SourceState::Unavailable(_) => "source.error",
    };
    let mut text = st.short();
    if text.chars().count() > 40 {
        text = crate::tui::fmt::trunc(&text, 40);
    }
    Span::styled(format!(" {} {} ", group.as_str(), text), theme.style(scope))
}

pub fn render_top(f: &mut Frame, area: Rect, s: &State, theme: &Theme) {
    let crumbs = breadcrumbs(s);
    let n = crumbs.len();
    let mut left = Vec::new();
    for (i, c) in crumbs.into_iter().enumerate() {
        if i > 0 {
            left.push(Span::styled(" › ", theme.style("ui.breadcrumb")));
        }
        let scope = if i + 1 == n {
            "ui.breadcrumb.current"
        } else {
            "ui.breadcrumb"
        };
        left.push(Span::styled(c, theme.style(scope)));
    }
    let mut right: Vec<Span> = Vec::new();
    if s.ls.readonly {
        right.push(Span::styled(
            " READ-ONLY ",
            theme.style("ui.statusbar.warning"),
        ));
    }
    if s.dry_run {
        right.push(Span::styled(" DRY-RUN ", theme.style("ui.badge.dryrun")));
    }
    if !s.ls.marks.is_empty() {
        right.push(Span::styled(
            format!(" {} MARKED ", s.ls.marks.len()),
            theme.style("ui.table.marked"),
        ));
    }
    if s.ls.ops_running > 0 {
        right.push(Span::styled(
            format!(" ⟳ {} running ", s.ls.ops_running),
            theme.style("source.connecting"),
        ));
    }
    if s.screen == Screen::List(ViewKind::Maint) {
        right.push(Span::styled(
            format!(
                " {} ",
                crate::tui::update_marks::horizon_text(s.maint_horizon)
            ),
            theme.style("ui.statusbar"),
        ));
    }
    if s.issues_only {
        right.push(Span::styled(
            " ISSUES ONLY ",
            theme.style("status.unhealthy"),
        ));
    }
    for g in [SourceGroup::Garden, SourceGroup::Capi, SourceGroup::Metal] {
        if let Some(st) = s.ls.store.group_state(g) {
            right.push(source_span(g, &st, theme));
        }
    }
    let rw: u16 = right.iter().map(|s| s.width() as u16).sum();
    if s.ls.demo_by_default {
        let lw: usize = left.iter().map(|s| s.width()).sum();
        let long = "  (demo landscape — no landscape configured)";
        let note = if lw + long.chars().count() + (rw as usize) < area.width as usize {
            long
        } else {
            "  (demo)"
        };
        left.push(Span::styled(note, theme.style("ui.text.dim")));
    }
    f.render_widget(Paragraph::new(Line::from(left)), area);
    if rw < area.width {
        let r = Rect::new(area.x + area.width - rw, area.y, rw, 1);
        f.render_widget(Paragraph::new(Line::from(right)), r);
    }
}

pub fn render_bottom(f: &mut Frame, area: Rect, s: &State, theme: &Theme) {
    let bar = theme.style("ui.statusbar");
    if let Mode::Filter(edit) = &s.mode {
        return render_filter(f, area, s, edit, theme);
    }
    let line = if let Some(msg) = &s.status {
        let scope = match msg.level {
            Level::Info => "ui.statusbar.message",
            Level::Warning => "ui.statusbar.warning",
            Level::Error => "ui.statusbar.error",
        };
        Line::from(Span::styled(msg.text.clone(), theme.style(scope)))
    } else {
        hints(s, theme)
    };
    f.render_widget(Paragraph::new(line).style(bar), area);
}

/// `/` and the filter being typed, then its error or match count.
fn render_filter(f: &mut Frame, area: Rect, s: &State, edit: &LineEdit, theme: &Theme) {
    let prompt = Line::from(Span::styled("/", theme.style("ui.help.key")));
    f.render_widget(
        Paragraph::new(prompt).style(theme.style("ui.statusbar")),
        area,
    );
    let field = Rect {
        x: area.x.saturating_add(1),
        width: area.width.saturating_sub(1),
        ..area
    };
    let used = render_line_edit(f, field, edit, theme.style("ui.input"), theme);
    let pane = s.pane(s.active());
    let hint = match &pane.filter_error {
        Some(e) => Span::styled(format!("  {e}"), theme.style("ui.input.error")),
        None => Span::styled(
            format!("  {} match · enter keep · esc clear", pane.visible.len()),
            theme.style("ui.text.dim"),
        ),
    };
    let rest = Rect {
        x: field.x.saturating_add(used),
        width: field.width.saturating_sub(used),
        ..field
    };
    f.render_widget(Paragraph::new(Line::from(hint)), rest);
}

fn hints(s: &State, theme: &Theme) -> Line<'static> {
    let pairs = [
        (Action::Help, "help"),
        (Action::Command, "cmd"),
        (Action::Filter, "filter"),
        (Action::DrillIn, "drill"),
        (Action::Back, "back"),
        (Action::FocusNext, "pane"),
        (Action::SortNext, "sort"),
        (Action::IssuesOnly, "issues"),
        (Action::Yaml, "yaml"),
        (Action::OpsMenu, "actions"),
        (Action::OpenDashboard, "dashboard"),
        (Action::Quit, "quit"),
    ];
    let mut spans = Vec::new();
    for (a, label) in pairs {
        if s.keymap.keys_for(a).is_empty() {
            continue;
        }
        spans.push(Span::styled(
            format!(" {}", s.keymap.hint(a)),
            theme.style("ui.help.key"),
        ));
        spans.push(Span::styled(
            format!(" {label} "),
            theme.style("ui.statusbar"),
        ));
    }
    Line::from(spans)
}
