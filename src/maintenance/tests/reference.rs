//! The concrete Gardener example manifests in `../shared/reference/gardener/`.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::{kinds, t};
use crate::landscape::store::{KubeObject, Landscape, Update};
use crate::maintenance::*;
use crate::model::from_manifest;
use crate::model::gardener::{
    CloudProfile, ExpirableVersion, MachineImageRef, Project, Shoot, TimeWindow,
};

fn reference(file: &str) -> String {
    let path = format!(
        "{}/../shared/reference/gardener/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[test]
fn provider_local_shoot_and_cloudprofile() {
    let mut shoot: Shoot =
        from_manifest(&reference("gardener__provider-local__shoot.yaml"), "Shoot").expect("shoot");
    let mut profile: CloudProfile = from_manifest(
        &reference("gardener__dev-setup__cloudprofile-local.yaml"),
        "CloudProfile",
    )
    .expect("cloudprofile");
    let project: Project = from_manifest(
        &reference("gardener__dev-setup__project-local.yaml"),
        "Project",
    )
    .expect("project");
    let now = t("2026-05-04T20:30:00Z");

    // As written: no window and no pinned versions (Gardener's admission defaults them).
    let mut ls = Landscape::new();
    ls.apply_all([
        Update::Applied(KubeObject::from(project)),
        Update::Applied(KubeObject::from(profile.clone())),
        Update::Applied(KubeObject::from(shoot.clone())),
    ]);
    let m = for_shoot(&ls, &shoot, now, &TimeZone::UTC);
    assert_eq!((m.name.as_str(), m.project.as_str()), ("local", "local"));
    assert_eq!(m.cloud_profile.as_deref(), Some("local"));
    assert_eq!(kinds(&m), vec![WarningKind::NoTimeWindow]);
    assert!(m.actions.is_empty());
    assert!(report(&ls, now, SignedDuration::from_hours(24), &TimeZone::UTC).is_empty());

    // What the defaulting would add: a version, a window (the example's 22-23 +0100) and an image.
    shoot.spec.kubernetes.get_or_insert_default().version = Some("1.33.0".into());
    shoot.spec.maintenance.get_or_insert_default().time_window = Some(TimeWindow {
        begin: "220000+0100".into(),
        end: "230000+0100".into(),
    });
    let worker = &mut shoot
        .spec
        .provider
        .as_mut()
        .expect("provider")
        .workers
        .as_mut()
        .expect("workers")[0];
    worker.machine.as_mut().expect("machine").image = Some(MachineImageRef {
        name: "local".into(),
        version: Some("1.0.0".into()),
        ..Default::default()
    });
    let m = shoot_maintenance(&shoot, Some(&profile), "local", now, &TimeZone::UTC);
    // 22:00+0100 is 21:00 UTC.
    assert!(!m.open_now);
    assert_eq!(
        m.window.as_ref().map(|w| w.start_utc.as_str()),
        Some("2026-05-04T21:00:00Z")
    );
    assert_eq!(m.countdown, "starts in 30m");
    assert!(
        m.actions.is_empty(),
        "1.33.0 is the only 1.33 patch; image 2.0.0 is preview"
    );
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);

    // Expire 1.33.0 before the window closes: forced to the next minor's only patch.
    let v133: &mut ExpirableVersion = profile
        .spec
        .kubernetes
        .as_mut()
        .expect("kubernetes")
        .versions
        .iter_mut()
        .find(|v| v.version == "1.33.0")
        .expect("1.33.0");
    v133.expiration_date = Some("2026-05-04T21:15:00Z".into());
    let m = shoot_maintenance(&shoot, Some(&profile), "local", now, &TimeZone::UTC);
    let a = &m.actions[0];
    assert_eq!(a.kind, ActionKind::KubernetesForcedUpdate);
    assert_eq!(a.to.as_deref(), Some("1.34.3"));
    assert!(kinds(&m).contains(&WarningKind::ForcedUpdate));
}

#[test]
fn template_reference_shoot_is_rejected_clearly() {
    let err = from_manifest::<Shoot>(&reference("gardener__90-shoot.yaml"), "Shoot").unwrap_err();
    assert!(err.to_string().contains("template"), "{err}");
}
