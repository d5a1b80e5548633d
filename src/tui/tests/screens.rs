//! Whole-screen snapshots through `TestBackend` with a fixed clock.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::fixtures::{press, state, type_text};
use crate::tui::render::render;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::update::{Msg, update};

fn screen(s: &mut State, w: u16, h: u16, theme: &str) -> Terminal<TestBackend> {
    let _ = update(s, Msg::Resize(w, h));
    let theme = Theme::builtin(theme);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| render(f, s, &theme)).expect("draw");
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn landscape_160x45() {
    let mut s = state();
    press(&mut s, "G k"); // web-prod: machines, firewall, window
    let t = screen(&mut s, 160, 45, "default");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn landscape_200x50_unhealthy_shoot() {
    let mut s = state();
    let t = screen(&mut s, 200, 50, "default");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn landscape_80x24() {
    let mut s = state();
    let t = screen(&mut s, 80, 24, "default");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn seeds_focused_issues_only() {
    let mut s = state();
    press(&mut s, "3 i");
    let t = screen(&mut s, 160, 45, "default");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn machine_detail_shows_its_shoot_and_issues() {
    let mut s = state();
    press(&mut s, "4");
    let t = screen(&mut s, 160, 45, "default");
    let out = text(&t);
    assert!(out.contains("garden-beta/api"), "{out}");
    assert!(out.contains("liveliness-dead"), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn filter_with_error_and_highlight() {
    let mut s = state();
    press(&mut s, "/");
    type_text(&mut s, "wp");
    let t = screen(&mut s, 160, 45, "default");
    let out = text(&t);
    assert!(out.contains("/wp"), "{out}");
    // Fuzzy match positions are styled with the match scope.
    let theme = Theme::builtin("default");
    let hl = theme.style("ui.table.match");
    let buf = t.backend().buffer();
    let marked = buf
        .content()
        .iter()
        .filter(|c| c.modifier.contains(hl.add_modifier) && c.fg == hl.fg.unwrap_or(Color::Reset))
        .count();
    assert!(marked >= 4, "two matched letters in two rows, got {marked}");
    type_text(&mut s, " nope:x");
    let t = screen(&mut s, 160, 45, "default");
    let out = text(&t);
    assert!(out.contains("unknown field \"nope\""), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn yaml_and_help_overlays() {
    let mut s = state();
    press(&mut s, "y");
    let t = screen(&mut s, 120, 30, "default");
    insta::assert_snapshot!("yaml", t.backend());
    press(&mut s, "esc ?");
    let t = screen(&mut s, 120, 40, "default");
    insta::assert_snapshot!("help", t.backend());
}

#[test]
fn palette_overlay() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "th");
    let t = screen(&mut s, 120, 30, "default");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn status_colours_follow_the_theme() {
    let mut s = state();
    for name in ["default", "light", "high-contrast", "monochrome"] {
        let t = screen(&mut s, 160, 45, name);
        let theme = Theme::builtin(name);
        let want = theme.style("status.unhealthy");
        let buf = t.backend().buffer();
        // The HEALTH cell of api (first row) carries the unhealthy style.
        let found = (0..buf.area.height).any(|y| {
            (0..buf.area.width.saturating_sub(9)).any(|x| {
                let word: String = (0..9).map(|i| buf[(x + i, y)].symbol()).collect();
                word == "unhealthy"
                    && buf[(x, y)].fg == want.fg.unwrap_or(Color::Reset)
                    && buf[(x, y)].modifier.contains(want.add_modifier)
            })
        });
        assert!(found, "theme {name}: unhealthy not styled");
    }
}

#[test]
fn screenshots_are_svg_of_the_real_screens() {
    let dir = tempfile::tempdir().expect("tempdir");
    // KCLM_SCREENSHOT_DIR keeps the files for a look (e.g. `convert x.svg x.png`).
    let keep = std::env::var_os("KCLM_SCREENSHOT_DIR").map(std::path::PathBuf::from);
    let out = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
    let files = crate::tui::screenshot::render_screenshots_at(
        super::fixtures::landscape(),
        &out,
        super::fixtures::now(),
        &Theme::builtin("default"),
    )
    .expect("screenshots");
    assert!(files.len() >= 6);
    let svg = std::fs::read_to_string(out.join("landscape.svg")).expect("svg");
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("web-prod"));
    assert!(svg.contains("#1a1b26"), "theme background used");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<tspan x=\"0.0\" fill=\"\""));
}

#[test]
fn maintenance_view() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "maint");
    press(&mut s, "enter");
    let t = screen(&mut s, 160, 30, "default");
    let out = text(&t);
    assert!(out.contains("starts in"), "{out}");
    // The timeline: a lane per seed, local hour marks, the day change, now.
    assert!(out.contains("lanes per seed"), "{out}");
    assert!(out.contains("│fra-1 "), "{out}");
    assert!(out.contains(" Sun "), "midnight shows the weekday:\n{out}");
    assert!(out.contains("┃"), "{out}");
    assert!(out.contains("within 12 h"), "{out}");
    insta::assert_snapshot!(t.backend());
    press(&mut s, "t");
    let out = text(&screen(&mut s, 160, 30, "default"));
    assert!(out.contains("lanes per project"), "{out}");
    assert!(out.contains("│acme "), "{out}");
    assert!(!out.contains("│fra-1 "), "{out}");
}

#[test]
fn confirm_dialog() {
    use crate::tui::overlay::Overlay;
    use crate::tui::widgets::confirm::Confirm;
    let mut s = state();
    s.overlay = Some(Overlay::Confirm(
        Confirm::new("Delete shoot garden-beta/api", "api", Vec::new())
            .detail("Deletes the cluster, its 1 machine and its firewalls."),
    ));
    type_text(&mut s, "ap");
    let t = screen(&mut s, 100, 24, "default");
    let out = text(&t);
    assert!(out.contains("Type api to confirm"), "{out}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn every_screen_renders_at_any_size_without_panicking() {
    use crate::tui::action::Action;
    use crate::tui::state::{Screen, ViewKind};
    use crate::tui::update::action;
    let sizes = [
        (1, 1),
        (10, 3),
        (20, 6),
        (40, 10),
        (80, 24),
        (99, 19),
        (149, 40),
        (300, 90),
    ];
    let mut s = state();
    type Setup = Box<dyn Fn(&mut State)>;
    let mut setups: Vec<Setup> = vec![
        Box::new(|_| {}),
        Box::new(|s| drop(action(s, Action::Help))),
        Box::new(|s| drop(action(s, Action::Yaml))),
        Box::new(|s| drop(action(s, Action::Command))),
        Box::new(|s| drop(action(s, Action::SortPick))),
        Box::new(|s| drop(action(s, Action::Filter))),
    ];
    for k in ViewKind::ALL {
        setups.push(Box::new(move |s| {
            s.screen = Screen::List(k);
            s.refresh(k);
        }));
    }
    for setup in &setups {
        for (w, h) in sizes {
            s.overlay = None;
            s.mode = crate::tui::state::Mode::Normal;
            s.screen = Screen::Landscape;
            setup(&mut s);
            let _ = screen(&mut s, w, h, "default");
        }
    }
}

#[test]
fn status_bar_shows_source_errors_and_the_demo_note() {
    use kclm::landscape::{Kind, SourceState, Update};
    let mut s = state();
    s.ls.demo_by_default = true;
    s.ls.readonly = true;
    let _ = update(
        &mut s,
        Msg::Landscape(vec![
            Update::Source(Kind::Machine, SourceState::Error("403 forbidden".into())),
            Update::Source(Kind::Cluster, SourceState::Connecting),
        ]),
    );
    let t = screen(&mut s, 200, 30, "default");
    let top = text(&t).lines().next().unwrap_or_default().to_string();
    assert!(
        top.contains("demo landscape — no landscape configured"),
        "{top}"
    );
    assert!(top.contains("garden synced"), "{top}");
    assert!(top.contains("capi connecting"), "{top}");
    assert!(top.contains("metal error: 403 forbidden"), "{top}");
    assert!(top.contains("READ-ONLY"), "{top}");
}

/// Where `needle` starts on screen (ASCII needles: one cell per char).
fn find(t: &Terminal<TestBackend>, needle: &str) -> Option<(u16, u16)> {
    let buf = t.backend().buffer();
    (0..buf.area.height).find_map(|y| {
        let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        row.find(needle)
            .map(|i| (row[..i].chars().count() as u16, y))
    })
}

fn reversed(t: &Terminal<TestBackend>, x: u16, y: u16) -> bool {
    t.backend().buffer()[(x, y)]
        .modifier
        .contains(ratatui::style::Modifier::REVERSED)
}

#[test]
fn filter_line_80x24_draws_the_cursor_where_it_is() {
    let mut s = state();
    press(&mut s, "/");
    type_text(&mut s, "web");
    press(&mut s, "left");
    let t = screen(&mut s, 80, 24, "default");
    let out = text(&t);
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("/web   2 match · enter keep"), "{last}");
    // The cursor is on the b: only that cell is drawn reversed.
    let marks: Vec<bool> = (0..5).map(|x| reversed(&t, x, 23)).collect();
    assert_eq!(marks, [false, false, false, true, false]);
    insta::assert_snapshot!(t.backend());
    press(&mut s, "ctrl-e");
    let t = screen(&mut s, 80, 24, "default");
    let marks: Vec<bool> = (0..5).map(|x| reversed(&t, x, 23)).collect();
    assert_eq!(marks, [false, false, false, false, true], "after the text");
}

#[test]
fn typed_delete_confirmation_80x24() {
    let mut s = state();
    super::ops::select(&mut s, "api");
    press(&mut s, "D");
    type_text(&mut s, "ap");
    let t = screen(&mut s, 80, 24, "default");
    let out = text(&t);
    let (px, py) = find(&t, "Type api to confirm").unwrap_or_else(|| panic!("{out}"));
    // The input is the row under the prompt, one cell in: " ap" and the cursor.
    assert_eq!(find(&t, " ap "), Some((px, py + 1)), "{out}");
    let (x, y) = (px + 3, py + 1);
    assert!(reversed(&t, x, y), "cursor after the text");
    assert!(!reversed(&t, x - 1, y));
    insta::assert_snapshot!(t.backend());
    // The exact name turns the input healthy; a wrong enter says so under it.
    type_text(&mut s, "i");
    let t = screen(&mut s, 80, 24, "default");
    let healthy = Theme::builtin("default").style("status.healthy").fg;
    assert_eq!(Some(t.backend().buffer()[(px + 1, py + 1)].fg), healthy);
    type_text(&mut s, "x");
    press(&mut s, "enter");
    let t = screen(&mut s, 80, 24, "default");
    assert_eq!(
        find(&t, "does not match"),
        Some((px, py + 2)),
        "{}",
        text(&t)
    );
}

#[test]
fn yaml_search_line_is_the_same_input() {
    let mut s = state();
    press(&mut s, "y /");
    type_text(&mut s, "nam");
    press(&mut s, "home");
    let t = screen(&mut s, 120, 30, "default");
    let out = text(&t);
    // Inside the frame's last row: `/nam`, the cursor on the n.
    let (x, y) = find(&t, "│/nam ").unwrap_or_else(|| panic!("{out}"));
    assert_eq!(t.backend().buffer()[(x, y + 1)].symbol(), "└", "{out}");
    assert!(reversed(&t, x + 2, y), "cursor at the start of the text");
    assert!(!reversed(&t, x + 5, y));
}
