//! Whole-module tests on a small landscape with a pinned `now`; display time
//! zones across DST changes are in `dst`, the `../shared` manifests in `reference`.

mod dst;
mod reference;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::landscape::store::{KubeObject, Landscape, Update};
use crate::model::from_manifest;
use crate::model::gardener::{CloudProfile, Project, Shoot};

pub(super) fn t(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}
pub(super) fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).expect("tz")
}
fn shoot(yaml: &str) -> Shoot {
    from_manifest(yaml, "Shoot").expect("shoot fixture")
}
pub(super) fn kinds(m: &ShootMaintenance) -> Vec<WarningKind> {
    m.warnings.iter().map(|w| w.kind).collect()
}

const PROFILE: &str = r#"
apiVersion: core.gardener.cloud/v1beta1
kind: CloudProfile
metadata: {name: metal}
spec:
  type: metal
  kubernetes:
    versions:
    - {version: 1.31.2, expirationDate: "2026-04-01T00:00:00Z"}
    - {version: 1.32.4, classification: deprecated, expirationDate: "2026-06-01T00:00:00Z"}
    - {version: 1.32.6, classification: supported}
    - {version: 1.33.1, classification: supported}
    - {version: 1.33.3, classification: preview}
  machineImages:
  - name: ubuntu
    updateStrategy: minor
    versions:
    - {version: 24.4.20260301}
    - {version: 24.4.20260101, classification: deprecated, expirationDate: "2026-05-05T01:00:00Z"}
"#;

/// `name`, namespace, seed, window begin/end, k8s version, extra spec/status YAML.
pub(super) fn fixture(
    name: &str,
    ns: &str,
    seed: &str,
    win: Option<(&str, &str)>,
    k8s: &str,
    extra: &str,
) -> Shoot {
    let maintenance = win
        .map(|(b, e)| format!("  maintenance:\n    timeWindow: {{begin: \"{b}\", end: \"{e}\"}}\n"))
        .unwrap_or_default();
    shoot(&format!(
        "apiVersion: core.gardener.cloud/v1beta1\nkind: Shoot\nmetadata: {{name: {name}, namespace: {ns}}}\n\
         spec:\n  cloudProfile: {{name: metal}}\n  seedName: {seed}\n  kubernetes: {{version: {k8s}}}\n{maintenance}{extra}"
    ))
}

const NOW: &str = "2026-05-04T18:00:00Z"; // Monday, 20:00 in Berlin

fn landscape() -> Landscape {
    let mut ls = Landscape::new();
    let profile: CloudProfile = from_manifest(PROFILE, "CloudProfile").expect("profile");
    let project: Project = from_manifest(
        "kind: Project\nmetadata: {name: alpha}\nspec: {namespace: garden-alpha}\n",
        "Project",
    )
    .expect("project");
    let mut objs = vec![KubeObject::from(profile), KubeObject::from(project)];
    let shoots = [
        // Open now (17:00-19:00 UTC), deprecated version with a patch available.
        fixture(
            "open",
            "garden-alpha",
            "s1",
            Some(("190000+0200", "210000+0200")),
            "1.32.4",
            "",
        ),
        // 21:00-23:00 UTC: expired version with auto-update off, image expiring after the window.
        fixture(
            "soon",
            "garden-beta",
            "s2",
            Some(("230000+0200", "010000+0200")),
            "1.31.2",
            "    autoUpdate: {kubernetesVersion: false, machineImageVersion: false}\n\
             \x20 provider:\n    type: metal\n    workers:\n    - name: pool-a\n      machine: {type: c1, image: {name: ubuntu, version: 24.4.20260101}}\n\
             status:\n  lastMaintenance: {state: Failed, description: Maintenance failed, failureReason: image not found, triggeredTime: \"2026-05-03T21:10:00Z\"}\n\
             \x20 constraints:\n  - {type: MaintenancePreconditionsSatisfied, status: \"False\", reason: Blocked, message: PDB blocks drain}\n",
        ),
        // 04:00-05:00 UTC tomorrow: pending operation, confined spec rollout, hibernation schedule.
        {
            let mut s = fixture(
                "later",
                "garden-alpha",
                "s1",
                Some(("040000+0000", "050000+0000")),
                "1.33.1",
                "    confineSpecUpdateRollout: true\n\
                 \x20 hibernation:\n    schedules:\n    - {start: \"0 20 * * MON-FRI\", end: \"0 7 * * MON-FRI\", location: Europe/Berlin}\n\
                 status: {observedGeneration: 4}\n",
            );
            s.metadata.generation = Some(5);
            s.metadata.annotations = Some(
                [(
                    "maintenance.gardener.cloud/operation".to_string(),
                    "rotate-ca-start".to_string(),
                )]
                .into(),
            );
            s
        },
        // Starts in 16 h: outside a 12 h horizon.
        fixture(
            "far",
            "garden-beta",
            "s2",
            Some(("100000+0000", "110000+0000")),
            "1.33.1",
            "",
        ),
        // Starts exactly at now + 12 h: the horizon is inclusive.
        fixture(
            "edge",
            "garden-beta",
            "s2",
            Some(("060000+0000", "070000+0000")),
            "1.33.1",
            "",
        ),
        // Closed exactly at now: next opening in 23 h.
        fixture(
            "closed",
            "garden-alpha",
            "s1",
            Some(("170000+0000", "180000+0000")),
            "1.33.1",
            "",
        ),
        fixture("nowindow", "garden-alpha", "s1", None, "1.33.1", ""),
    ];
    objs.extend(shoots.into_iter().map(KubeObject::from));
    ls.apply_all(objs.into_iter().map(Update::Applied));
    ls
}

#[test]
fn report_orders_open_first_and_filters_by_horizon() {
    let ls = landscape();
    let r = report(&ls, t(NOW), SignedDuration::from_hours(12), &TimeZone::UTC);
    let names: Vec<&str> = r.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["open", "soon", "later", "edge"]);
    assert!(r[0].open_now && !r[1].open_now);
    assert_eq!(r[0].starts_in_seconds, Some(0));
    assert_eq!(r[0].ends_in_seconds, Some(3600));
    assert_eq!(r[0].countdown, "in window, ends in 1h");
    assert_eq!(r[1].countdown, "starts in 3h");
    assert_eq!(r[2].starts_in_seconds, Some(10 * 3600));
    assert_eq!(r[0].project, "alpha");
    assert_eq!(
        r[1].project, "beta",
        "garden- prefix fallback without a Project"
    );

    let wide = report(&ls, t(NOW), SignedDuration::from_hours(24), &TimeZone::UTC);
    let names: Vec<&str> = wide.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["open", "soon", "later", "edge", "far", "closed"]
    );
    let none = report(&ls, t(NOW), SignedDuration::ZERO, &TimeZone::UTC);
    assert_eq!(none.len(), 1, "a zero horizon keeps only open windows");
}

#[test]
fn patch_update_and_deprecation() {
    let ls = landscape();
    let r = report(&ls, t(NOW), SignedDuration::from_hours(12), &TimeZone::UTC);
    let open = &r[0];
    assert_eq!(open.actions.len(), 1);
    let a = &open.actions[0];
    assert_eq!(a.kind, ActionKind::KubernetesPatchUpdate);
    assert_eq!(
        (a.from.as_deref(), a.to.as_deref()),
        (Some("1.32.4"), Some("1.32.6"))
    );
    assert_eq!(
        kinds(open),
        vec![WarningKind::VersionDeprecated, WarningKind::VersionExpiring]
    );
    assert_eq!(
        open.warnings[1].date.as_deref(),
        Some("2026-06-01T00:00:00Z")
    );
    // 1.33.3 is preview: no update for 1.33.1.
    assert!(
        r[2].actions
            .iter()
            .all(|a| a.kind != ActionKind::KubernetesPatchUpdate)
    );
}

#[test]
fn forced_update_ignores_auto_update_off() {
    let ls = landscape();
    let r = report(&ls, t(NOW), SignedDuration::from_hours(12), &TimeZone::UTC);
    let soon = &r[1];
    let forced: Vec<_> = soon
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::KubernetesForcedUpdate)
        .collect();
    assert_eq!(forced.len(), 1);
    assert_eq!(
        forced[0].to.as_deref(),
        Some("1.32.6"),
        "latest patch of the next minor"
    );
    assert!(forced[0].detail.contains("minor"));
    let k = kinds(soon);
    assert!(k.contains(&WarningKind::VersionExpired));
    assert!(k.contains(&WarningKind::ForcedUpdate));
    // The image expires at 01:00 UTC, after this window (23:00) but before the next one closes.
    let expiring = soon
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::VersionExpiring)
        .expect("expiring");
    assert!(expiring.message.contains("pool-a") && expiring.message.contains("following window"));
    assert!(
        !soon
            .actions
            .iter()
            .any(|a| a.kind == ActionKind::MachineImageUpdate)
    );
    assert!(k.contains(&WarningKind::UpdateAvailableAutoUpdateOff));
    // Status problems.
    assert!(k.contains(&WarningKind::LastMaintenanceFailed));
    let pre = soon.maintenance_preconditions.as_ref().expect("constraint");
    assert!(!pre.satisfied);
    let w = soon
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::MaintenancePreconditionsNotSatisfied);
    assert!(w.is_some_and(|w| w.message.contains("PDB blocks drain")));
    assert_eq!(
        soon.last_maintenance.as_ref().map(|l| l.state.as_str()),
        Some("Failed")
    );
}

#[test]
fn image_expiring_inside_window_is_forced_even_with_auto_update_off() {
    let ls = landscape();
    let soon = ls
        .shoots
        .values()
        .find(|s| s.name() == "soon")
        .expect("soon");
    // At 00:30 UTC the window 21:00-23:00 is over; the next one ends after the 01:00 expiry.
    let m = for_shoot(&ls, soon, t("2026-05-05T00:30:00Z"), &TimeZone::UTC);
    let a = m
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::MachineImageForcedUpdate)
        .expect("forced image");
    assert_eq!(a.worker_pool.as_deref(), Some("pool-a"));
    assert_eq!(a.to.as_deref(), Some("24.4.20260301"));
}

#[test]
fn operation_rollout_and_hibernation() {
    let ls = landscape();
    let r = report(
        &ls,
        t(NOW),
        SignedDuration::from_hours(12),
        &tz("Europe/Berlin"),
    );
    let later = &r[2];
    assert_eq!(later.pending_operation.as_deref(), Some("rotate-ca-start"));
    let k: Vec<_> = later.actions.iter().map(|a| a.kind).collect();
    assert_eq!(
        k,
        vec![ActionKind::MaintenanceOperation, ActionKind::SpecRollout]
    );
    assert!(later.confine_spec_update_rollout);
    // now is exactly Monday 20:00 Berlin: strictly-after means Tuesday's 20:00.
    let h = &later.hibernation;
    assert_eq!(
        h.next_hibernate_utc.as_deref(),
        Some("2026-05-05T18:00:00Z")
    );
    assert_eq!(
        h.next_hibernate_local.as_deref(),
        Some("2026-05-05T20:00:00+02:00")
    );
    assert_eq!(h.next_wake_up_utc.as_deref(), Some("2026-05-05T05:00:00Z"));
    let w = later.window.as_ref().expect("window");
    assert_eq!(w.start_local, "2026-05-05T06:00:00+02:00");
    assert_eq!(w.duration_minutes, 60);
}

#[test]
fn shoot_without_window_is_reported_alone() {
    let ls = landscape();
    let s = ls
        .shoots
        .values()
        .find(|s| s.name() == "nowindow")
        .expect("shoot");
    let m = for_shoot(&ls, s, t(NOW), &TimeZone::UTC);
    assert!(m.window.is_none() && !m.open_now && m.starts_in_seconds.is_none());
    assert_eq!(kinds(&m), vec![WarningKind::NoTimeWindow]);
    assert_eq!(m.countdown, "no window");
}

#[test]
fn invalid_window_and_schedule_become_warnings() {
    let s = fixture(
        "bad",
        "garden-x",
        "s",
        Some(("250000+0100", "230000+0100")),
        "1.33.1",
        "  hibernation:\n    schedules:\n    - {start: \"0 25 * * *\", location: Nowhere/City}\n    - {end: \"bogus\"}\n",
    );
    let m = shoot_maintenance(&s, None, "x", t(NOW), &TimeZone::UTC);
    let k = kinds(&m);
    assert_eq!(k[0], WarningKind::InvalidTimeWindow);
    assert!(m.warnings[0].message.contains("250000+0100"));
    assert_eq!(
        k.iter()
            .filter(|k| **k == WarningKind::InvalidHibernationSchedule)
            .count(),
        2
    );
    assert!(k.contains(&WarningKind::CloudProfileNotFound));
}

#[test]
fn window_bounds_become_warnings() {
    let s = fixture(
        "short",
        "garden-x",
        "s",
        Some(("220000+0000", "221500+0000")),
        "1.33.1",
        "",
    );
    let m = shoot_maintenance(&s, None, "x", t(NOW), &TimeZone::UTC);
    assert!(kinds(&m).contains(&WarningKind::WindowOutOfBounds));
    assert_eq!(
        m.window.as_ref().map(|w| w.issues.clone()),
        Some(vec![WindowIssue::TooShort])
    );
}

#[test]
fn timeline_lanes_clip_and_keep_overlaps() {
    let ls = landscape();
    let tl = timeline(
        &ls,
        t(NOW),
        SignedDuration::from_hours(24),
        GroupBy::Seed,
        &TimeZone::UTC,
    );
    let lanes: Vec<&str> = tl.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, vec!["s1", "s2"]);
    let s1: Vec<(&str, Timestamp, Timestamp, bool, bool)> = tl.lanes[0]
        .intervals
        .iter()
        .map(|i| {
            (
                i.shoot.as_str(),
                i.start,
                i.end,
                i.clipped_start,
                i.clipped_end,
            )
        })
        .collect();
    assert_eq!(
        s1,
        vec![
            ("open", t(NOW), t("2026-05-04T19:00:00Z"), true, false),
            (
                "later",
                t("2026-05-05T04:00:00Z"),
                t("2026-05-05T05:00:00Z"),
                false,
                false
            ),
            (
                "closed",
                t("2026-05-05T17:00:00Z"),
                t("2026-05-05T18:00:00Z"),
                false,
                false
            ),
            (
                "open",
                t("2026-05-05T17:00:00Z"),
                t("2026-05-05T18:00:00Z"),
                false,
                true
            ),
        ]
    );
    // The 21:00-23:00 window of `soon` appears once; `far` and `edge` too.
    assert_eq!(tl.lanes[1].intervals.len(), 3);
    assert_eq!(tl.hour_marks.len(), 24);

    let by_project = timeline(
        &ls,
        t(NOW),
        SignedDuration::from_hours(24),
        GroupBy::Project,
        &TimeZone::UTC,
    );
    let lanes: Vec<&str> = by_project.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, vec!["alpha", "beta"]);
}

#[test]
fn timeline_hour_marks_follow_dst() {
    let ls = Landscape::new();
    let span = SignedDuration::from_hours(24);
    let spring = timeline(
        &ls,
        t("2026-03-28T23:00:00Z"),
        span,
        GroupBy::Seed,
        &tz("Europe/Berlin"),
    );
    let hours: Vec<i8> = spring.hour_marks.iter().map(|m| m.local_hour).collect();
    assert_eq!(
        &hours[..4],
        &[0, 1, 3, 4],
        "02:00 does not exist on 2026-03-29"
    );
    let autumn = timeline(
        &ls,
        t("2026-10-24T22:00:00Z"),
        span,
        GroupBy::Seed,
        &tz("Europe/Berlin"),
    );
    let hours: Vec<i8> = autumn.hour_marks.iter().map(|m| m.local_hour).collect();
    assert_eq!(
        &hours[..5],
        &[0, 1, 2, 2, 3],
        "02:00 happens twice on 2026-10-25"
    );
    // +05:30 marks fall on the half hour in UTC.
    let india = timeline(
        &ls,
        t("2026-05-04T18:00:00Z"),
        span,
        GroupBy::Seed,
        &tz("Asia/Kolkata"),
    );
    assert_eq!(india.hour_marks[0].at, t("2026-05-04T18:30:00Z"));
}

#[test]
fn table_and_json_output() {
    let ls = landscape();
    let berlin = tz("Europe/Berlin");
    let r = report(&ls, t(NOW), SignedDuration::from_hours(12), &berlin);
    let table = render_table(&r, &berlin);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("SHOOT") && lines[0].contains("WINDOW(Europe/Berlin)"));
    // Columns are aligned: every row has PROJECT at the same character offset.
    let col = lines[0].find("PROJECT").expect("header");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.chars().nth(col - 1) == Some(' '))
    );
    assert!(lines[1].contains("Mon 19:00-21:00") && lines[1].contains("in window, ends in 1h"));
    assert!(lines[1].contains("k8s 1.32.4->1.32.6"));
    assert!(lines[2].contains("k8s 1.31.2->1.32.6 (forced)") && lines[2].contains("forced_update"));
    assert!(render_table(&[], &berlin).contains("No maintenance window"));

    let json: serde_json::Value = serde_json::from_str(&render_json(&r)).expect("valid JSON");
    let first = &json[0];
    for key in [
        "name",
        "namespace",
        "project",
        "seed",
        "window",
        "open_now",
        "starts_in_seconds",
        "ends_in_seconds",
        "countdown",
        "actions",
        "warnings",
        "hibernation",
        "pending_operation",
        "last_maintenance",
        "maintenance_preconditions",
        "confine_spec_update_rollout",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["window"]["begin"], "190000+0200");
    assert_eq!(first["window"]["start_utc"], "2026-05-04T17:00:00Z");
    assert_eq!(first["window"]["start_local"], "2026-05-04T19:00:00+02:00");
    assert_eq!(first["actions"][0]["kind"], "kubernetes_patch_update");
    assert_eq!(first["warnings"][0]["kind"], "version_deprecated");
    assert!(first["window"].get("occurrence").is_none());
    assert_eq!(render(&r, true, &berlin), render_json(&r));
}
