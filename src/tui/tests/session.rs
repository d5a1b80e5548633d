//! The session through `update`: switching landscapes, a session that fails
//! to start, and replies that arrive after their session was replaced.

use kclm::config::Target;
use kclm::landscape::{Kind, KubeObject, SourceState, Update};
use kclm::ops::access::{Access, AccessCheck};
use kclm::ops::shoot::ShootOp;
use kclm::ops::{ObjectRef, Outcome};

use super::fixtures::{garden_objects, key_event, metal_snapshot, press, state, type_text};
use super::ops::select;
use crate::tui::ops::{Op, OpReport, OpRequest};
use crate::tui::overlay::Overlay;
use crate::tui::state::{Level, Mode, Scope, Screen, State, Tag, ViewKind};
use crate::tui::update::{Effect, Handoff, Msg, update};
use crate::tui::update_session::SessionInfo;

fn target(name: &str) -> Target {
    Target {
        name: name.into(),
        dashboard_url: Some(format!("https://{name}.example")),
        ..Target::demo(false)
    }
}

/// The fixture landscape "demo" with a second landscape "b" to switch to.
fn two_landscapes() -> State {
    let mut s = state();
    s.targets.insert("demo".into(), Ok(target("demo")));
    s.targets.insert("b".into(), Ok(target("b")));
    s.ls.rbac_checks = true;
    s
}

/// Runs a palette command; returns its effects with their tags.
fn command(s: &mut State, line: &str) -> Vec<Effect> {
    press(s, ":");
    type_text(s, line);
    update(s, Msg::Key(key_event("enter")))
}

/// What a session's watchers deliver: the fixture objects, all synced.
fn fixture_updates() -> Vec<Update> {
    let objs = garden_objects();
    let mut out = Vec::new();
    for kind in [Kind::Project, Kind::Seed, Kind::Shoot, Kind::CloudProfile] {
        let of_kind: Vec<KubeObject> = objs.iter().filter(|o| o.kind() == kind).cloned().collect();
        out.push(Update::Relisted(kind, of_kind));
        out.push(Update::Source(kind, SourceState::Synced));
    }
    out.push(Update::Metal(Box::new(metal_snapshot())));
    out
}

fn tag_of(effects: &[Effect]) -> Tag {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Op(t, _) | Effect::CheckAccess(t, _) | Effect::FetchYaml(t, ..) => Some(*t),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no request in {effects:?}"))
}

fn denied() -> Result<Access, String> {
    Ok(Access {
        allowed: false,
        reason: "RBAC: alice may not delete shoots".into(),
    })
}

fn bulk_report() -> OpReport {
    let ok = Outcome {
        target: "garden-acme/web-prod".into(),
        action: "hibernate".into(),
        message: "hibernation requested".into(),
        dry_run: false,
        kind: kclm::ops::OutcomeKind::Changed,
    };
    OpReport::Bulk {
        label: "hibernate 1 shoots".into(),
        dry_run: false,
        results: vec![("garden-acme/web-prod".into(), Ok(ok))],
    }
}

#[test]
fn switching_starts_b_under_a_new_epoch_with_nothing_of_a() {
    let mut s = two_landscapes();
    // A: the shoots pane scoped to a project, a mark, a breadcrumb.
    press(&mut s, "1 j enter");
    assert!(matches!(s.pane(ViewKind::Shoots).scope, Scope::Project(..)));
    press(&mut s, "space");
    assert!(!s.ls.marks.is_empty());
    assert!(!s.ls.nav.is_empty());
    let effects = command(&mut s, "landscape b");
    assert_eq!(
        effects,
        vec![
            Effect::StopSession,
            Effect::StartSession {
                epoch: 1,
                target: Box::new(target("b")),
            },
        ]
    );
    assert_eq!((s.ls.name.as_str(), s.ls.epoch), ("b", 1));
    assert_eq!(s.ls.dashboard_url.as_deref(), Some("https://b.example"));
    assert!(s.ls.rows.shoots.is_empty(), "A's store is gone");
    assert_eq!(s.pane(ViewKind::Shoots).scope, Scope::All);
    assert!(s.ls.marks.is_empty() && s.ls.nav.is_empty());
    assert!(s.ls.access.is_empty() && s.ls.access_pending.is_empty());
    assert!(!s.ls.rbac_checks, "B has no cluster to ask until it starts");
    assert_eq!(
        (s.screen, s.mode.clone()),
        (Screen::Landscape, Mode::Normal)
    );
    assert!(s.overlay.is_none());
}

#[test]
fn late_replies_of_a_do_not_show_up_in_b() {
    let mut s = two_landscapes();
    // A asks RBAC about the selection, sends a bulk operation, opens YAML.
    let access_a = update(&mut s, Msg::Key(key_event("k")));
    let a_rbac = tag_of(&access_a);
    let Effect::CheckAccess(_, checks) = &access_a[0] else {
        panic!("{access_a:?}")
    };
    let check: AccessCheck = checks[0].clone();
    select(&mut s, "web-prod");
    press(&mut s, "R");
    let a_op = tag_of(&update(&mut s, Msg::Key(key_event("y"))));
    assert_eq!(s.ls.ops_running, 1);
    let a_yaml = tag_of(&update(&mut s, Msg::Key(key_event("y"))));
    let title = match &s.overlay {
        Some(Overlay::Yaml(y)) => y.title.clone(),
        other => panic!("yaml view expected, got {other:?}"),
    };
    press(&mut s, "esc");

    // Switch to B; its session starts and delivers the same objects.
    let _ = command(&mut s, "landscape b");
    let info = SessionInfo {
        rbac_checks: true,
        ..SessionInfo::default()
    };
    let _ = update(
        &mut s,
        Msg::SessionStarted {
            epoch: 1,
            session: info,
        },
    );
    let _ = update(&mut s, Msg::Landscape(fixture_updates()));
    let _ = update(&mut s, Msg::SyncRows);
    select(&mut s, "web-prod");
    let b_yaml = tag_of(&update(&mut s, Msg::Key(key_event("y"))));
    assert_ne!(a_yaml.epoch, b_yaml.epoch);
    let shown = |s: &State| match &s.overlay {
        Some(Overlay::Yaml(y)) => (y.title.clone(), y.lines.join("\n")),
        other => panic!("yaml view expected, got {other:?}"),
    };
    assert_eq!(shown(&s).0, title, "the same object is open in B");

    // A's late answers arrive: none of them lands.
    let _ = update(
        &mut s,
        Msg::YamlLoaded(a_yaml, title.clone(), Ok("fromA: 1\n".into())),
    );
    assert!(!shown(&s).1.contains("fromA"), "A's YAML is dropped");
    let _ = update(&mut s, Msg::Access(a_rbac, check.clone(), denied()));
    assert!(
        !s.ls.access.contains_key(&check),
        "A's RBAC answer is dropped"
    );
    press(&mut s, "esc");
    let _ = update(&mut s, Msg::OpDone(a_op, bulk_report()));
    assert!(s.overlay.is_none(), "no results overlay from A in B");
    assert_eq!(s.ls.ops_running, 0);
    assert!(
        s.status
            .as_ref()
            .is_none_or(|m| !m.text.contains("hibernate")),
        "{:?}",
        s.status
    );

    // B's own answers do land (the same messages, B's tags).
    press(&mut s, "y");
    let _ = update(
        &mut s,
        Msg::YamlLoaded(b_yaml, title.clone(), Ok("fromB: 1\n".into())),
    );
    assert!(shown(&s).1.contains("fromB"));
    press(&mut s, "esc");
    let _ = update(&mut s, Msg::Access(b_yaml, check.clone(), denied()));
    assert!(s.ls.access.get(&check).is_some_and(|a| !a.allowed));
    let _ = update(&mut s, Msg::OpDone(b_yaml, bulk_report()));
    assert!(matches!(s.overlay, Some(Overlay::Results(_))));
}

#[test]
fn a_failed_session_shows_why_and_can_be_retried_or_left() {
    let mut s = two_landscapes();
    let _ = update(
        &mut s,
        Msg::SessionFailed {
            epoch: 0,
            error: "connection refused".into(),
        },
    );
    let status = s.status.clone().expect("an error in the status line");
    assert_eq!(status.level, Level::Error);
    assert!(status.text.contains("connection refused"), "{status:?}");
    assert!(status.text.contains(":reconnect"), "{status:?}");
    assert_eq!(s.ls.session_error.as_deref(), Some("connection refused"));

    // Retrying the same landscape starts it again under the next epoch.
    let effects = command(&mut s, "reconnect");
    assert_eq!(
        effects,
        vec![
            Effect::StopSession,
            Effect::StartSession {
                epoch: 1,
                target: Box::new(target("demo")),
            },
        ]
    );
    assert_eq!(s.ls.session_error, None);
    // The first attempt's failure, arriving late, changes nothing.
    let _ = update(
        &mut s,
        Msg::SessionFailed {
            epoch: 0,
            error: "stale".into(),
        },
    );
    assert_eq!(s.ls.session_error, None);
    // It fails again; `:landscape demo` retries too, `:landscape b` leaves.
    let _ = update(
        &mut s,
        Msg::SessionFailed {
            epoch: 1,
            error: "still refused".into(),
        },
    );
    let again = command(&mut s, "landscape demo");
    assert!(
        matches!(
            again.as_slice(),
            [Effect::StopSession, Effect::StartSession { epoch: 2, .. }]
        ),
        "{again:?}"
    );
    let _ = update(
        &mut s,
        Msg::SessionFailed {
            epoch: 2,
            error: "down".into(),
        },
    );
    let away = command(&mut s, "landscape b");
    assert!(
        matches!(away.as_slice(), [Effect::StopSession, Effect::StartSession { epoch: 3, target }] if target.name == "b"),
        "{away:?}"
    );
    let protect = vec!["kclm.io/protected=true".to_string()];
    let info = SessionInfo {
        errors: Vec::new(),
        protect: protect.clone(),
        rbac_checks: false,
    };
    let _ = update(
        &mut s,
        Msg::SessionStarted {
            epoch: 3,
            session: info,
        },
    );
    assert_eq!(s.ls.session_error, None);
    assert_eq!(s.ls.protect, protect);
    assert_eq!(s.status.as_ref().map(|m| m.level), Some(Level::Info));
}

#[test]
fn unknown_or_broken_landscapes_are_refused_without_stopping_anything() {
    let mut s = two_landscapes();
    s.ls.rbac_checks = false;
    s.targets.insert(
        "broken".into(),
        Err("garden_kubeconfig: no such file".into()),
    );
    assert_eq!(command(&mut s, "landscape nowhere"), vec![]);
    let text = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(text.contains("unknown landscape nowhere"), "{text}");
    assert!(text.contains("b, broken, demo"), "{text}");
    assert_eq!(command(&mut s, "landscape broken"), vec![]);
    let text = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(text.contains("no such file"), "{text}");
    assert_eq!((s.ls.name.as_str(), s.ls.epoch), ("demo", 0));
    assert!(!s.ls.rows.shoots.is_empty(), "the landscape shown stays");
}

#[test]
fn a_key_returns_every_effect_with_its_own_tag() {
    let mut s = two_landscapes();
    // Moving there asks RBAC on the way; not on this test's key.
    s.ls.rbac_checks = false;
    select(&mut s, "web-prod");
    press(&mut s, "R");
    s.ls.rbac_checks = true;
    // Confirming sends the operation and, with the dialog gone, asks RBAC
    // about the selection: two requests from one key.
    let effects = update(&mut s, Msg::Key(key_event("y")));
    let tags: Vec<Tag> = effects
        .iter()
        .map(|e| match e {
            Effect::Op(t, OpRequest { op, .. }) => {
                let want = Op::Shoot(
                    ShootOp::Reconcile,
                    ObjectRef::new("garden-acme", "web-prod"),
                );
                assert_eq!(*op, want);
                *t
            }
            Effect::CheckAccess(t, checks) => {
                assert!(!checks.is_empty());
                *t
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(tags.len(), 2, "{effects:?}");
    assert!(tags.iter().all(|t| t.epoch == s.ls.epoch));
    assert_ne!(tags[0].id, tags[1].id);
    // Every later request gets a new id.
    let later = tag_of(&update(&mut s, Msg::Key(key_event("y"))));
    assert!(tags.iter().all(|t| t.id < later.id));
}

#[test]
fn a_started_session_asks_rbac_about_the_selection() {
    let mut s = two_landscapes();
    s.ls.rbac_checks = false;
    let info = SessionInfo {
        rbac_checks: true,
        ..SessionInfo::default()
    };
    let effects = update(
        &mut s,
        Msg::SessionStarted {
            epoch: 0,
            session: info.clone(),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::CheckAccess(t, c)] if t.epoch == 0 && !c.is_empty()),
        "{effects:?}"
    );
    // A session start of another epoch is not this one.
    let _ = command(&mut s, "landscape b");
    let late = update(
        &mut s,
        Msg::SessionStarted {
            epoch: 0,
            session: info,
        },
    );
    assert_eq!(late, vec![]);
    assert!(!s.ls.rbac_checks);
}

#[test]
fn shell_hands_the_terminal_over_and_reports_how_it_ended() {
    let mut s = state();
    let effects = command(&mut s, "shell");
    let [Effect::Handoff(Handoff { what, program, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(what, "shell");
    assert!(!program.is_empty());
    let done = |s: &mut State, result| {
        let _ = update(
            s,
            Msg::HandoffDone {
                what: "shell".into(),
                result,
            },
        );
        s.status.clone().expect("a status")
    };
    let m = done(&mut s, Ok(Some(0)));
    assert_eq!((m.level, m.text.as_str()), (Level::Info, "back from shell"));
    let m = done(&mut s, Ok(Some(3)));
    assert_eq!(m.level, Level::Warning);
    assert!(m.text.contains("status 3"), "{m:?}");
    let m = done(&mut s, Err("sh: not found".into()));
    assert_eq!(m.level, Level::Error);
    assert!(m.text.contains("sh: not found"), "{m:?}");
}

#[test]
fn a_login_request_hands_the_terminal_to_the_plugin_and_reports_the_outcome() {
    let mut s = two_landscapes();
    let effects = update(
        &mut s,
        Msg::LoginNeeded {
            id: 7,
            plugin: "gardenlogin".into(),
        },
    );
    let [Effect::Login { tag, id: 7, plugin }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(plugin, "gardenlogin");
    assert_eq!(tag.epoch, s.ls.epoch, "stamped with the session shown");
    let m = s.status.clone().expect("a status");
    assert_eq!(
        (m.level, m.text.as_str()),
        (Level::Info, "logging in through exec plugin gardenlogin…")
    );
    let done = |s: &mut State, tag, result| {
        let e = update(
            s,
            Msg::LoginDone {
                tag,
                plugin: "gardenlogin".into(),
                result,
            },
        );
        assert_eq!(e, vec![]);
        s.status.clone().expect("a status")
    };
    let m = done(&mut s, *tag, Ok(()));
    assert_eq!(
        (m.level, m.text.as_str()),
        (Level::Info, "logged in through exec plugin gardenlogin")
    );
    let m = done(
        &mut s,
        *tag,
        Err("exec plugin `gardenlogin` failed: denied".into()),
    );
    assert_eq!(
        (m.level, m.text.as_str()),
        (Level::Error, "exec plugin `gardenlogin` failed: denied")
    );
}

#[test]
fn a_login_result_of_an_earlier_session_is_dropped() {
    let mut s = two_landscapes();
    let effects = update(
        &mut s,
        Msg::LoginNeeded {
            id: 1,
            plugin: "gardenlogin".into(),
        },
    );
    let [Effect::Login { tag, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let _ = command(&mut s, "landscape b");
    assert_ne!(tag.epoch, s.ls.epoch);
    let before = s.status.clone();
    let e = update(
        &mut s,
        Msg::LoginDone {
            tag: *tag,
            plugin: "gardenlogin".into(),
            result: Err("login expired".into()),
        },
    );
    assert_eq!(e, vec![]);
    assert_eq!(s.status, before, "the old session's login says nothing");
}

#[test]
fn a_starting_session_says_which_plugin_logs_in() {
    let mut s = two_landscapes();
    let _ = command(&mut s, "landscape b");
    assert_eq!(
        s.status.as_ref().map(|m| m.text.as_str()),
        Some("connecting to b")
    );
    let _ = update(&mut s, Msg::LoginsInProgress(vec!["kubelogin".into()]));
    assert_eq!(
        s.status.as_ref().map(|m| m.text.as_str()),
        Some("logging in through exec plugin kubelogin…")
    );
    let _ = update(&mut s, Msg::LoginsInProgress(Vec::new()));
    assert_eq!(
        s.status.as_ref().map(|m| m.text.as_str()),
        Some("connecting to b")
    );
    // Once no login shows, an empty list leaves other messages alone.
    let _ = update(&mut s, Msg::Status("something else".into(), Level::Warning));
    let _ = update(&mut s, Msg::LoginsInProgress(Vec::new()));
    assert_eq!(
        s.status.as_ref().map(|m| m.text.as_str()),
        Some("something else")
    );
}
