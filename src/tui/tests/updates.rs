//! Actions and messages in, state and effects out.

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use kclm::landscape::{KubeObject, Update};

use super::fixtures::{garden_objects, press, shoot_names, state, type_text};
use crate::tui::overlay::Overlay;
use crate::tui::state::{Level, Mode, Scope, Screen, Tag, ViewKind};
use crate::tui::update::{Effect, Msg, update};
use crate::tui::views::status::breadcrumbs;

#[test]
fn starts_on_shoots_with_every_shoot_and_the_first_shoots_machines() {
    let s = state();
    assert_eq!(s.focus, ViewKind::Shoots);
    assert_eq!(
        shoot_names(&s),
        vec![
            "api",
            "batch",
            "chaos",
            "monitoring",
            "web-prod",
            "web-stage"
        ]
    );
    assert_eq!(s.pane(ViewKind::Projects).visible.len(), 3);
    assert_eq!(s.pane(ViewKind::Seeds).visible.len(), 3);
    // api (garden-beta) runs on one machine.
    assert_eq!(
        s.pane(ViewKind::Machines).scope,
        Scope::Shoot("garden-beta/api".into())
    );
    assert_eq!(s.pane(ViewKind::Machines).visible.len(), 1);
}

#[test]
fn tab_and_hl_move_focus_between_panes() {
    let mut s = state();
    press(&mut s, "tab");
    assert_eq!(s.focus, ViewKind::Seeds);
    press(&mut s, "shift-tab shift-tab");
    assert_eq!(s.focus, ViewKind::Projects);
    press(&mut s, "l");
    assert_eq!(s.focus, ViewKind::Shoots);
    press(&mut s, "4");
    assert_eq!(s.focus, ViewKind::Machines);
    press(&mut s, "h");
    assert_eq!(s.focus, ViewKind::Seeds);
}

#[test]
fn selecting_a_shoot_shows_its_machines_firewalls_project_and_seed() {
    let mut s = state();
    press(&mut s, "G"); // web-stage
    press(&mut s, "k"); // web-prod
    assert_eq!(
        s.selected_shoot().map(|r| r.name.as_str()),
        Some("web-prod")
    );
    let machines = s.pane(ViewKind::Machines);
    assert_eq!(machines.scope, Scope::Shoot("garden-acme/web-prod".into()));
    let roles: Vec<&str> = machines
        .visible
        .iter()
        .map(|i| s.ls.rows.metal[*i as usize].role.as_str())
        .collect();
    assert_eq!(roles.len(), 3, "two machines and a firewall");
    assert!(roles.contains(&"firewall"));
    assert_eq!(s.selected_seed().map(|r| r.name.as_str()), Some("fra-1"));
    assert_eq!(s.selected_project().map(|r| r.name.as_str()), Some("acme"));
    press(&mut s, "g"); // api on fra-2
    assert_eq!(s.selected_seed().map(|r| r.name.as_str()), Some("fra-2"));
    assert_eq!(s.pane(ViewKind::Machines).visible.len(), 1);
}

#[test]
fn selecting_a_project_scopes_shoots_and_enter_esc_walk_the_breadcrumbs() {
    let mut s = state();
    press(&mut s, "1 j"); // projects: acme, beta, ops -> beta
    assert_eq!(s.selected_project().map(|r| r.name.as_str()), Some("beta"));
    assert_eq!(shoot_names(&s), vec!["api", "chaos"]);
    press(&mut s, "enter");
    assert_eq!(s.focus, ViewKind::Shoots);
    assert_eq!(
        breadcrumbs(&s),
        vec!["demo", "garden-beta", "shoots", "api"]
    );
    press(&mut s, "esc");
    assert_eq!(s.focus, ViewKind::Projects);
    assert_eq!(shoot_names(&s), vec!["api", "chaos"]);
    press(&mut s, "esc");
    assert_eq!(
        shoot_names(&s).len(),
        6,
        "esc without breadcrumbs drops the scope"
    );
}

#[test]
fn selecting_a_seed_lists_its_shoots() {
    let mut s = state();
    press(&mut s, "3"); // seeds sorted: ams-1, fra-1, fra-2
    press(&mut s, "j j");
    assert_eq!(s.selected_seed().map(|r| r.name.as_str()), Some("fra-2"));
    assert_eq!(s.pane(ViewKind::Shoots).scope, Scope::Seed("fra-2".into()));
    assert_eq!(shoot_names(&s), vec!["api", "chaos"]);
}

#[test]
fn enter_on_a_shoot_focuses_its_machines_and_enter_on_a_machine_jumps_to_its_shoot() {
    let mut s = state();
    press(&mut s, "G k enter"); // web-prod -> machines
    assert_eq!(s.focus, ViewKind::Machines);
    assert_eq!(breadcrumbs(&s)[..3], ["demo", "shoots", "web-prod"]);
    // From the machines list view, a dead machine leads to its shoot.
    let _ = update(&mut s, Msg::Key(super::fixtures::key_event(":")));
    type_text(&mut s, "machines");
    press(&mut s, "enter");
    assert_eq!(s.screen, Screen::Landscape);
    assert_eq!(s.focus, ViewKind::Machines);
    assert_eq!(s.pane(ViewKind::Machines).visible.len(), 3);
    press(&mut s, "esc esc esc");
    // api's dead machine leads back to api.
    press(&mut s, "2 g 4");
    let m = s.selected_metal(ViewKind::Machines).map(|m| m.id.clone());
    assert!(m.is_some());
    press(&mut s, "enter");
    assert_eq!(s.focus, ViewKind::Shoots);
    assert_eq!(s.selected_shoot().map(|r| r.name.as_str()), Some("api"));
}

#[test]
fn firewall_list_drills_into_its_shoot() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "firewalls");
    press(&mut s, "enter");
    assert_eq!(s.screen, Screen::List(ViewKind::Firewalls));
    assert_eq!(s.pane(ViewKind::Firewalls).visible.len(), 1);
    press(&mut s, "enter");
    assert_eq!(s.screen, Screen::Landscape);
    assert_eq!(
        s.selected_shoot().map(|r| r.name.as_str()),
        Some("web-prod")
    );
    press(&mut s, "esc");
    assert_eq!(s.screen, Screen::List(ViewKind::Firewalls));
}

#[test]
fn typing_a_filter_narrows_rows_live_and_esc_clears_it() {
    let mut s = state();
    press(&mut s, "/");
    assert!(matches!(s.mode, Mode::Filter(_)));
    type_text(&mut s, "web");
    assert_eq!(shoot_names(&s), vec!["web-prod", "web-stage"]);
    press(&mut s, "enter");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(shoot_names(&s), vec!["web-prod", "web-stage"]);
    press(&mut s, "/ ctrl-u");
    type_text(&mut s, "seed:fra-2 !chaos");
    assert_eq!(shoot_names(&s), vec!["api"]);
    press(&mut s, "ctrl-u");
    type_text(&mut s, "\"stage\"");
    assert_eq!(shoot_names(&s), vec!["web-stage"]);
    press(&mut s, "enter esc");
    assert_eq!(shoot_names(&s).len(), 6, "esc clears the filter");
    assert!(s.pane(ViewKind::Shoots).filter_text.is_empty());
}

#[test]
fn a_bad_filter_shows_an_error_and_keeps_the_last_good_rows() {
    let mut s = state();
    press(&mut s, "/");
    type_text(&mut s, "purpose:production");
    assert_eq!(shoot_names(&s), vec!["api", "web-prod"]);
    // " o" still matches both (production contains an o); "o:" is an unknown field.
    type_text(&mut s, " o:x");
    let pane = s.pane(ViewKind::Shoots);
    let err = pane
        .filter_error
        .clone()
        .expect("unknown field is an error");
    assert!(err.contains("\"o\""), "{err}");
    assert_eq!(shoot_names(&s), vec!["api", "web-prod"]);
    type_text(&mut s, " \"open");
    assert!(s.pane(ViewKind::Shoots).filter_error.is_some());
}

#[test]
fn sort_keys_cycle_columns_reverse_and_ask_to_persist() {
    let mut s = state();
    let fx = press(&mut s, "s"); // NAME -> PROJECT
    assert_eq!(fx, vec![Effect::SavePrefs]);
    assert_eq!(s.pane(ViewKind::Shoots).sort.col, 1);
    assert_eq!(s.prefs.sort["shoots"].column, "PROJECT");
    assert_eq!(shoot_names(&s)[..3], ["batch", "web-prod", "web-stage"]);
    press(&mut s, "S");
    assert!(s.prefs.sort["shoots"].descending);
    assert_eq!(shoot_names(&s)[0], "monitoring");
    // Column picker: health, descending puts unhealthy first.
    press(&mut s, "ctrl-s");
    assert!(matches!(s.overlay, Some(Overlay::SortPick { .. })));
    press(&mut s, "g");
    for _ in 0..7 {
        press(&mut s, "j");
    }
    press(&mut s, "enter");
    assert_eq!(s.pane(ViewKind::Shoots).sort.col, 8);
    press(&mut s, "S");
    let first = shoot_names(&s)[0].clone();
    assert!(first == "api" || first == "chaos", "{first}");
}

#[test]
fn saved_sort_preferences_are_applied_by_column_name() {
    let mut s = state();
    s.prefs.sort.insert(
        "seeds".into(),
        crate::tui::prefs::SortPref {
            column: "SHOOTS".into(),
            descending: true,
        },
    );
    crate::tui::update::apply_prefs(&mut s);
    let first = s.pane(ViewKind::Seeds).visible[0] as usize;
    assert_eq!(s.ls.rows.seeds[first].name, "fra-1");
}

#[test]
fn issues_only_hides_healthy_rows_and_ignored_shoots() {
    let mut s = state();
    press(&mut s, "i");
    assert!(s.issues_only);
    assert_eq!(shoot_names(&s), vec!["api"], "chaos carries ignore-issues");
    let seeds: Vec<&str> = s
        .pane(ViewKind::Seeds)
        .visible
        .iter()
        .map(|i| s.ls.rows.seeds[*i as usize].name.as_str())
        .collect();
    assert_eq!(seeds, vec!["fra-2"]);
    assert_eq!(s.pane(ViewKind::Projects).visible.len(), 1);
    press(&mut s, "i");
    assert_eq!(shoot_names(&s).len(), 6);
}

#[test]
fn palette_switches_views_themes_and_quits() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "se");
    match &s.overlay {
        Some(Overlay::Palette(p)) => assert_eq!(p.items[0].0, "seeds"),
        other => panic!("palette not open: {other:?}"),
    }
    press(&mut s, "enter");
    assert_eq!(s.focus, ViewKind::Seeds);
    press(&mut s, ":");
    type_text(&mut s, "theme light");
    assert_eq!(
        press(&mut s, "enter"),
        vec![Effect::LoadTheme("light".into())]
    );
    press(&mut s, ":");
    type_text(&mut s, "nonsense");
    press(&mut s, "enter");
    // "nonsense" fuzzy-matches nothing, so it runs as typed and is refused.
    assert_eq!(s.status.as_ref().map(|m| m.level), Some(Level::Warning));
    press(&mut s, ":");
    type_text(&mut s, "landscape prod");
    let prod = kclm::config::Target {
        name: "prod".into(),
        ..kclm::config::Target::demo(false)
    };
    s.targets.insert("prod".into(), Ok(prod.clone()));
    assert_eq!(
        press(&mut s, "enter"),
        vec![
            Effect::StopSession,
            Effect::StartSession {
                epoch: 1,
                target: Box::new(prod),
            },
        ]
    );
    assert_eq!(s.ls.name, "prod");
    press(&mut s, ":");
    type_text(&mut s, "q");
    assert_eq!(press(&mut s, "enter"), vec![Effect::Quit]);
    press(&mut s, ":");
    type_text(&mut s, "tenan");
    press(&mut s, "tab");
    match &s.overlay {
        Some(Overlay::Palette(p)) => assert_eq!(p.line.text, "tenants"),
        other => panic!("palette not open: {other:?}"),
    }
    press(&mut s, "esc");
    assert!(s.overlay.is_none());
}

#[test]
fn open_says_so_without_a_dashboard_and_opens_the_shoot_url_with_one() {
    let mut s = state();
    assert!(press(&mut s, "o").is_empty());
    let msg = s.status.clone().expect("a status message");
    assert_eq!(msg.level, Level::Warning);
    assert!(msg.text.contains("dashboard_url"), "{}", msg.text);
    s.ls.dashboard_url = Some("https://dashboard.example/".into());
    assert_eq!(
        press(&mut s, "o"),
        vec![Effect::OpenUrl(
            "https://dashboard.example/namespace/garden-beta/shoots/api".into()
        )]
    );
}

#[test]
fn copy_copies_the_name_or_machine_id_and_says_so() {
    let mut s = state();
    assert_eq!(press(&mut s, "c"), vec![Effect::Copy("api".into())]);
    assert!(s.status.as_ref().is_some_and(|m| m.text == "copied api"));
    press(&mut s, "4");
    assert_eq!(
        press(&mut s, "c"),
        vec![Effect::Copy("00000000-0000-0000-0000-0cc47ae54620".into())]
    );
}

#[test]
fn yaml_view_opens_searches_and_closes() {
    let mut s = state();
    press(&mut s, "y");
    let Some(Overlay::Yaml(y)) = &s.overlay else {
        panic!("yaml overlay expected");
    };
    assert_eq!(y.title, "shoot garden-beta/api");
    assert!(y.lines.iter().any(|l| l.contains("ERR_INFRA_DEPENDENCIES")));
    press(&mut s, "/");
    type_text(&mut s, "seedname");
    press(&mut s, "enter");
    let Some(Overlay::Yaml(y)) = &s.overlay else {
        panic!("yaml overlay expected");
    };
    assert_eq!(y.matches.len(), 2, "spec.seedName and status.seedName");
    let first = y.scroll;
    press(&mut s, "n");
    let Some(Overlay::Yaml(y)) = &s.overlay else {
        panic!("yaml overlay expected");
    };
    assert_ne!(y.scroll, first);
    press(&mut s, "esc");
    assert!(s.overlay.is_none());
}

#[test]
fn help_lists_every_action_of_the_keymap() {
    let mut s = state();
    press(&mut s, "?");
    assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
    let theme = crate::tui::theme::Theme::builtin("default");
    let text: String = crate::tui::views::help::help_lines(&s, &theme)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    for a in crate::tui::action::Action::ALL {
        assert!(text.contains(a.help()), "help misses {}", a.name());
    }
    press(&mut s, "esc");
    assert!(s.overlay.is_none());
}

#[test]
fn mouse_clicks_focus_and_select_only_when_enabled() {
    let mut s = state();
    let areas = s.areas();
    let seeds = areas.pane(ViewKind::Seeds).expect("seeds pane");
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: seeds.x + 3,
        row: seeds.y + 3,
        modifiers: KeyModifiers::NONE,
    };
    let _ = update(&mut s, Msg::Mouse(click));
    assert_eq!(s.focus, ViewKind::Shoots, "mouse is off by default");
    s.mouse = true;
    let _ = update(&mut s, Msg::Mouse(click));
    assert_eq!(s.focus, ViewKind::Seeds);
    assert_eq!(s.selected_seed().map(|r| r.name.as_str()), Some("fra-1"));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        ..click
    };
    let _ = update(&mut s, Msg::Mouse(wheel));
    assert_eq!(s.selected_seed().map(|r| r.name.as_str()), Some("fra-2"));
}

#[test]
fn watch_updates_keep_the_selection_and_drop_deleted_rows() {
    let mut s = state();
    press(&mut s, "j"); // batch
    let web_stage = garden_objects()
        .into_iter()
        .find(|o| matches!(o, KubeObject::Shoot(sh) if sh.name() == "web-stage"))
        .expect("fixture shoot");
    let _ = update(&mut s, Msg::Landscape(vec![Update::Deleted(web_stage)]));
    assert!(s.rows_stale());
    let _ = update(&mut s, Msg::SyncRows);
    assert_eq!(shoot_names(&s).len(), 5);
    assert_eq!(s.selected_shoot().map(|r| r.name.as_str()), Some("batch"));
}

#[test]
fn narrow_terminals_cycle_panes_with_hl() {
    let mut s = state();
    let _ = update(&mut s, Msg::Resize(80, 24));
    assert_eq!(s.areas().panes.len(), 1);
    press(&mut s, "l");
    assert_eq!(s.focus, ViewKind::Seeds);
    // Page size follows the smaller pane.
    assert!(s.page(ViewKind::Seeds) < 20);
}

#[test]
fn maint_view_lists_windows_soonest_first_from_the_maintenance_core() {
    let mut s = state();
    press(&mut s, ":");
    type_text(&mut s, "maint");
    press(&mut s, "enter");
    assert_eq!(s.screen, Screen::List(ViewKind::Maint));
    let names = |s: &crate::tui::state::State| -> Vec<String> {
        s.pane(ViewKind::Maint)
            .visible
            .iter()
            .map(|i| s.ls.rows.maint[*i as usize].name.clone())
            .collect()
    };
    // Default horizon 12 h: only web-prod (opens in 11 h) is in it.
    assert_eq!(s.maint_horizon, Some(12));
    assert_eq!(names(&s), vec!["web-prod"]);
    press(&mut s, "+"); // 24 h: web-stage (16 h) too
    assert_eq!(names(&s), vec!["web-prod", "web-stage"]);
    assert!(s.status.as_ref().is_some_and(|m| m.text.contains("24 h")));
    press(&mut s, "+ +"); // 48 h, then all
    assert_eq!(s.maint_horizon, None);
    let rows: Vec<(String, String)> = s
        .pane(ViewKind::Maint)
        .visible
        .iter()
        .map(|i| {
            let r = &s.ls.rows.maint[*i as usize];
            (r.name.clone(), r.window.clone())
        })
        .collect();
    assert_eq!(rows.len(), 6);
    // 10:00Z now: web-prod opens at 21:00Z today, web-stage at 02:00Z tomorrow;
    // shoots without a window come last.
    assert_eq!(
        rows[0],
        ("web-prod".to_string(), "Sat 21:00-22:00".to_string())
    );
    assert_eq!(rows[1].0, "web-stage");
    assert_eq!(rows[5].1, "-");
    press(&mut s, "g enter");
    assert_eq!(s.screen, Screen::Landscape);
    assert_eq!(
        s.selected_shoot().map(|r| r.name.as_str()),
        Some("web-prod")
    );
    press(&mut s, "esc i");
    assert!(
        s.pane(ViewKind::Maint).visible.len() >= 4,
        "shoots without a window carry a warning"
    );
    press(&mut s, "+");
    assert_eq!(s.maint_horizon, Some(6), "the cycle starts over");
}

#[test]
fn a_confirm_dialog_runs_its_effects_only_for_the_typed_name() {
    use crate::tui::widgets::confirm::Confirm;
    let mut s = state();
    s.overlay = Some(Overlay::Confirm(Confirm::new(
        "Hibernate shoot api",
        "api",
        vec![Effect::OpenUrl("op".into())],
    )));
    type_text(&mut s, "apx");
    assert!(press(&mut s, "enter").is_empty());
    assert!(matches!(s.overlay, Some(Overlay::Confirm(_))));
    press(&mut s, "backspace");
    type_text(&mut s, "i");
    assert_eq!(press(&mut s, "enter"), vec![Effect::OpenUrl("op".into())]);
    assert!(s.overlay.is_none());
}

#[test]
fn palette_completes_arguments_before_running() {
    let mut s = state();
    s.theme_names = vec!["default".into(), "monochrome".into()];
    press(&mut s, ":");
    type_text(&mut s, "th");
    // A command that needs an argument completes instead of running.
    assert!(press(&mut s, "enter").is_empty());
    match &s.overlay {
        Some(Overlay::Palette(p)) => {
            assert_eq!(p.line.text, "theme ");
            assert_eq!(p.items[1].0, "theme monochrome");
        }
        other => panic!("palette should stay open: {other:?}"),
    }
    type_text(&mut s, "mono");
    assert_eq!(
        press(&mut s, "enter"),
        vec![Effect::LoadTheme("monochrome".into())]
    );
    // Nothing completes an unknown theme: it runs as typed (and warns later).
    press(&mut s, ":");
    type_text(&mut s, "theme zzz");
    assert_eq!(
        press(&mut s, "enter"),
        vec![Effect::LoadTheme("zzz".into())]
    );
}

#[test]
fn q_closes_overlays_and_ctrl_c_quits_from_anywhere() {
    let mut s = state();
    press(&mut s, "y");
    assert!(press(&mut s, "q").is_empty());
    assert!(s.overlay.is_none(), "q closes the YAML view");
    press(&mut s, "?");
    assert!(press(&mut s, "q").is_empty());
    assert!(s.overlay.is_none(), "q closes help");
    press(&mut s, "y");
    assert_eq!(press(&mut s, "ctrl-c"), vec![Effect::Quit]);
    s.overlay = None;
    press(&mut s, "/");
    type_text(&mut s, "web");
    assert_eq!(
        press(&mut s, "ctrl-c"),
        vec![Effect::Quit],
        "typing a filter"
    );
    s.mode = Mode::Normal;
    assert_eq!(
        press(&mut s, "q"),
        vec![Effect::Quit],
        "without an overlay q quits"
    );
}

#[test]
fn arrows_move_the_cursor_while_typing_a_filter() {
    let mut s = state();
    press(&mut s, "/");
    type_text(&mut s, "web");
    press(&mut s, "down");
    assert_eq!(
        s.selected_shoot().map(|r| r.name.as_str()),
        Some("web-stage")
    );
    assert!(matches!(s.mode, Mode::Filter(_)), "still typing");
    type_text(&mut s, "j");
    assert_eq!(
        s.pane(ViewKind::Shoots).filter_text,
        "webj",
        "letters are text"
    );
}

#[test]
fn errors_stay_until_esc_and_infos_until_the_next_key() {
    let mut s = state();
    let _ = update(
        &mut s,
        Msg::Status("cannot start landscape".into(), Level::Error),
    );
    press(&mut s, "j");
    assert!(s.status.is_some(), "errors survive keys");
    press(&mut s, "1 j enter"); // scope to beta and drill in
    assert_eq!(s.focus, ViewKind::Shoots);
    press(&mut s, "esc");
    assert!(s.status.is_none(), "esc clears the error first");
    assert_eq!(s.focus, ViewKind::Shoots, "and does not go back yet");
    press(&mut s, "c");
    assert!(s.status.is_some());
    press(&mut s, "j");
    assert!(s.status.is_none());
}

#[test]
fn source_state_changes_do_not_rebuild_rows() {
    use kclm::landscape::{Kind, SourceState};
    let mut s = state();
    let _ = update(
        &mut s,
        Msg::Landscape(vec![Update::Source(
            Kind::Machine,
            SourceState::Error("403 forbidden".into()),
        )]),
    );
    assert!(!s.rows_stale());
    let st = s.ls.store.group_state(kclm::landscape::SourceGroup::Metal);
    assert_eq!(st, Some(SourceState::Error("403 forbidden".into())));
}

#[test]
fn detail_scroll_belongs_to_the_selection() {
    let mut s = state();
    press(&mut s, "J J");
    assert_eq!(s.detail_offset(), 6);
    press(&mut s, "K");
    assert_eq!(s.detail_offset(), 3);
    press(&mut s, "j");
    assert_eq!(s.detail_offset(), 0, "a new selection starts at the top");
}

#[test]
fn clicking_the_tab_line_on_narrow_terminals_picks_the_pane() {
    let mut s = state();
    s.mouse = true;
    let _ = update(&mut s, Msg::Resize(80, 24));
    let tabs = s.areas().tabs.expect("tab line on narrow terminals");
    let label = |n: usize, k: ViewKind, s: &crate::tui::state::State| {
        crate::tui::views::table::tab_label(n, k, s).chars().count() as u16
    };
    // Two cells into the third label, " 3 seeds (3) ".
    let x = label(0, ViewKind::Projects, &s) + label(1, ViewKind::Shoots, &s) + 2;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: tabs.y,
        modifiers: KeyModifiers::NONE,
    };
    let _ = update(&mut s, Msg::Mouse(click));
    assert_eq!(s.focus, ViewKind::Seeds);
}

#[test]
fn yaml_asks_the_server_for_the_full_object_and_shows_it_when_it_arrives() {
    let mut s = state();
    let effects = press(&mut s, "y");
    assert_eq!(
        effects,
        vec![Effect::FetchYaml(
            Tag::default(),
            "shoot garden-beta/api".into(),
            kclm::landscape::Kind::Shoot,
            kclm::landscape::ObjKey::new("garden-beta", "api"),
        )]
    );
    // a late answer for another object is ignored
    let _ = update(
        &mut s,
        Msg::YamlLoaded(
            Tag::default(),
            "shoot garden-x/other".into(),
            Ok("other: 1\n".into()),
        ),
    );
    let Some(Overlay::Yaml(y)) = &s.overlay else {
        panic!("yaml overlay expected");
    };
    assert!(y.lines.iter().all(|l| !l.contains("other: 1")));
    // the full object replaces kclm's copy
    let _ = update(
        &mut s,
        Msg::YamlLoaded(
            Tag::default(),
            "shoot garden-beta/api".into(),
            Ok("spec:\n  fieldKclmDoesNotType: 42\n".into()),
        ),
    );
    let Some(Overlay::Yaml(y)) = &s.overlay else {
        panic!("yaml overlay expected");
    };
    assert!(y.lines.iter().any(|l| l.contains("fieldKclmDoesNotType")));
    // an error keeps the copy and says why
    press(&mut s, "esc");
    press(&mut s, "y");
    let _ = update(
        &mut s,
        Msg::YamlLoaded(
            Tag::default(),
            "shoot garden-beta/api".into(),
            Err("403 forbidden".into()),
        ),
    );
    assert!(s.overlay.is_some());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|m| m.text.contains("403 forbidden")),
        "{:?}",
        s.status.as_ref().map(|m| &m.text)
    );
    // metal objects have no server-side YAML to fetch
    press(&mut s, "esc");
    press(&mut s, "4");
    assert_eq!(press(&mut s, "y"), vec![]);
}
