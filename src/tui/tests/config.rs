//! Shipped themes and keymaps parse; bad user files warn and fall back.

use std::collections::HashSet;

use crate::tui::action::{Action, UNBOUND_BY_DEFAULT};
use crate::tui::keymap::{self, Key, Keymap};
use crate::tui::theme::{self, SCOPES, Theme};

#[test]
fn every_shipped_theme_parses_without_warnings_and_covers_every_scope() {
    let empty = tempfile::tempdir().expect("tempdir");
    for (name, _) in theme::EMBEDDED {
        let (t, warnings) = Theme::load(name, empty.path());
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(t.name, *name);
        for scope in SCOPES {
            // Every scope resolves to something defined (itself or a parent).
            let mut s = *scope;
            let mut ok = t.defines(s);
            while !ok && let Some(i) = s.rfind('.') {
                s = &s[..i];
                ok = t.defines(s);
            }
            assert!(ok, "theme {name} leaves {scope} to the terminal default");
        }
    }
    let mono = Theme::builtin("monochrome");
    for scope in SCOPES {
        let st = mono.style(scope);
        assert!(
            st.fg.is_none() && st.bg.is_none(),
            "monochrome has colour in {scope}"
        );
    }
}

#[test]
fn scopes_fall_back_along_their_dots_and_inherits_merges_palettes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mine.toml"),
        "inherits = \"light\"\n\"ui.table\" = { fg = \"brand\" }\n[palette]\nbrand = \"#123456\"\n",
    )
    .expect("write");
    let (t, warnings) = Theme::load("mine", dir.path());
    assert!(warnings.is_empty(), "{warnings:?}");
    let brand = ratatui::style::Color::Rgb(0x12, 0x34, 0x56);
    assert_eq!(t.style("ui.table.anything").fg, Some(brand));
    // ui.table.header is defined by default.toml (via light), so it wins.
    assert_eq!(
        t.style("ui.table.header"),
        Theme::builtin("light").style("ui.table.header")
    );
    assert_eq!(
        t.style("status.healthy"),
        Theme::builtin("light").style("status.healthy")
    );
}

#[test]
fn a_user_theme_overrides_one_field_of_the_builtin() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("default.toml"),
        "\"status.healthy\" = \"#0000ff\"\n",
    )
    .expect("write");
    let (t, warnings) = Theme::load("default", dir.path());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        t.style("status.healthy").fg,
        Some(ratatui::style::Color::Rgb(0, 0, 255))
    );
    let builtin = Theme::builtin("default");
    assert_eq!(
        t.style("status.unhealthy"),
        builtin.style("status.unhealthy")
    );
}

#[test]
fn a_bad_user_theme_warns_and_falls_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("default.toml"), "this is [not toml").expect("write");
    let (t, warnings) = Theme::load("default", dir.path());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("default.toml"), "{warnings:?}");
    assert_eq!(
        t.style("status.unhealthy"),
        Theme::builtin("default").style("status.unhealthy")
    );
    std::fs::write(
        dir.path().join("odd.toml"),
        "\"ui.text\" = \"no-such-colour\"\n",
    )
    .expect("write");
    let (_, warnings) = Theme::load("odd", dir.path());
    assert!(
        warnings.iter().any(|w| w.contains("no-such-colour")),
        "{warnings:?}"
    );
    let (t, warnings) = Theme::load("missing", dir.path());
    assert!(
        warnings.iter().any(|w| w.contains("missing")),
        "{warnings:?}"
    );
    assert_eq!(t.name, "default");
}

#[test]
fn every_shipped_keymap_parses_and_every_action_is_bound_or_listed_unbound() {
    let empty = tempfile::tempdir().expect("tempdir");
    for (name, _) in keymap::EMBEDDED {
        let (km, warnings) = Keymap::load(name, empty.path());
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(km.name, *name);
    }
    let default = Keymap::builtin();
    let unbound: HashSet<Action> = UNBOUND_BY_DEFAULT.iter().copied().collect();
    for a in Action::ALL {
        let bound = !default.keys_for(*a).is_empty();
        assert!(
            bound != unbound.contains(a),
            "{}: bound={bound}, listed unbound={}",
            a.name(),
            unbound.contains(a)
        );
    }
    let (vim, _) = Keymap::load("vim", empty.path());
    for a in Action::ALL {
        assert!(
            !vim.keys_for(*a).is_empty(),
            "vim leaves {} unbound",
            a.name()
        );
    }
}

#[test]
fn a_user_keymap_remaps_and_unbinds_and_bad_entries_only_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("default.toml"),
        "[keys]\nx = \"quit\"\nq = \"none\"\n\"ctrl-k\" = \"launch_missiles\"\n\"hyper-q\" = \"quit\"\n",
    )
    .expect("write");
    let (km, warnings) = Keymap::load("default", dir.path());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("launch_missiles")));
    let quit: Vec<String> = km.keys_for(Action::Quit).iter().map(Key::display).collect();
    assert!(
        quit.contains(&"x".to_string()) && !quit.contains(&"q".to_string()),
        "{quit:?}"
    );
    assert!(
        !km.keys_for(Action::MoveDown).is_empty(),
        "the rest of the default stays"
    );

    std::fs::write(dir.path().join("default.toml"), "[keys\n").expect("write");
    let (km, warnings) = Keymap::load("default", dir.path());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(!km.keys_for(Action::Quit).is_empty());
}

#[test]
fn key_strings_parse_like_they_read() {
    use crossterm::event::{KeyCode, KeyModifiers};
    assert_eq!(
        Key::parse("G").unwrap(),
        Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT)
    );
    assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
    assert_eq!(Key::parse("shift-tab").unwrap().code, KeyCode::BackTab);
    assert_eq!(Key::parse("ctrl-c").unwrap().mods, KeyModifiers::CONTROL);
    assert_eq!(Key::parse("f5").unwrap().code, KeyCode::F(5));
    assert!(
        Key::parse("ctrl-").is_err() || Key::parse("ctrl-").unwrap().code == KeyCode::Char('-')
    );
    assert!(Key::parse("nope").is_err());
}

#[test]
fn ctrl_c_quits_whatever_a_user_keymap_says() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for binding in ["none", "move_down"] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("mine.toml"),
            format!("inherits = \"default\"\n[keys]\n\"ctrl-c\" = \"{binding}\"\nq = \"none\"\n"),
        )
        .expect("write");
        let (km, warnings) = Keymap::load("mine", dir.path());
        assert_eq!(km.name, "mine", "{binding}: the user's keymap is used");
        assert_eq!(km.action(&ctrl_c), Some(Action::Quit), "{binding}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("ctrl-c") && w.contains("cannot be rebound")),
            "{binding}: {warnings:?}"
        );
    }
}

#[test]
fn two_spellings_of_one_key_with_different_actions_warn_naming_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mine.toml"),
        "inherits = \"default\"\n[keys]\nZ = \"move_down\"\n\"shift-z\" = \"move_up\"\n",
    )
    .expect("write");
    let (km, warnings) = Keymap::load("mine", dir.path());
    let conflicts: Vec<_> = warnings.iter().filter(|w| w.contains("conflict")).collect();
    assert_eq!(conflicts.len(), 1, "{warnings:?}");
    for part in ["\"Z\"", "\"move_down\"", "\"shift-z\"", "\"move_up\""] {
        assert!(
            conflicts[0].contains(part),
            "{part} missing: {}",
            conflicts[0]
        );
    }
    let z = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('Z'),
        crossterm::event::KeyModifiers::SHIFT,
    );
    // The toml table is ordered by key: "Z" < "shift-z", so shift-z wins.
    assert_eq!(km.action(&z), Some(Action::MoveUp));
}

#[test]
fn a_metal_poll_below_five_seconds_is_a_config_error_naming_the_setting() {
    let path = std::path::Path::new("/cfg/config.toml");
    for secs in [0, 1, 4] {
        let text = format!("[ui]\nmetal_poll_seconds = {secs}\n");
        let err = kclm::config::Config::parse(&text, path).expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("/cfg/config.toml")
                && msg.contains(&format!("ui.metal_poll_seconds = {secs}"))
                && msg.contains("at least 5"),
            "{msg}"
        );
    }
    let ok =
        kclm::config::Config::parse("[ui]\nmetal_poll_seconds = 5\n", path).expect("5 is fine");
    assert_eq!(ok.ui.metal_poll_seconds, 5);
}

#[test]
fn a_huge_theme_or_keymap_is_refused_with_one_warning_without_reading_it_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 10 MB of broken entries: each would be a warning if it were parsed.
    let line = "\"ui.bad\" = { fg = \"nocolour\" }\n";
    let big = line.repeat(10 * 1024 * 1024 / line.len() + 1);
    std::fs::write(dir.path().join("huge.toml"), &big).expect("write");
    let t0 = std::time::Instant::now();
    let (theme, warnings) = Theme::load("huge", dir.path());
    let (km, km_warnings) = Keymap::load("huge", dir.path());
    let took = t0.elapsed();
    assert_eq!(theme.name, "default", "falls back to the default theme");
    assert_eq!(km.name, "default", "falls back to the default keymap");
    for w in [&warnings, &km_warnings] {
        let limit: Vec<_> = w.iter().filter(|w| w.contains("1 MiB limit")).collect();
        assert_eq!(limit.len(), 1, "{w:?}");
        assert!(limit[0].contains("huge.toml"), "{w:?}");
        assert!(w.len() <= 3, "{w:?}");
    }
    // Not read (1 MiB at most), so not seconds: generous for a loaded CI box.
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");

    // Just under the limit is still read.
    let small = line.repeat(100);
    std::fs::write(dir.path().join("ok.toml"), small).expect("write");
    let (_, w) = Theme::load("ok", dir.path());
    assert!(!w.iter().any(|w| w.contains("limit")), "{w:?}");
}

#[test]
fn thousands_of_warnings_show_the_first_five_and_a_count() {
    let many: Vec<String> = (0..370_000).map(|i| format!("warning {i}")).collect();
    let line = crate::tui::app::warnings_line(&many);
    assert_eq!(
        line,
        "warning 0 · warning 1 · warning 2 · warning 3 · warning 4 · … and 369995 more"
    );
    let few: Vec<String> = vec!["a".into(), "b".into()];
    assert_eq!(crate::tui::app::warnings_line(&few), "a · b");
    let five: Vec<String> = (0..5).map(|i| i.to_string()).collect();
    assert_eq!(crate::tui::app::warnings_line(&five), "0 · 1 · 2 · 3 · 4");
}
