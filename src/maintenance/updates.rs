//! The version updates the next window brings and the lifecycle warnings
//! that go with them.
//!
//! Forced-update rule: Gardener forces an update when, at the moment the
//! maintenance controller runs, the version is expired. That moment is
//! somewhere inside the window, so kclm counts a version as force-updated in
//! the reported window if it is expired by the window's *end* (conservative:
//! an expiry inside the window may only bite one window later). A version
//! expiring after that gets a `version_expiring` warning that names the
//! following window when it falls before that one closes.

use jiff::Timestamp;

use super::rfc3339_utc;
use super::shoot::{Action, ActionKind, Warning, WarningKind, warn};
use super::versions::{self, Classification, VersionPlan};
use crate::model::gardener::{CloudProfile, Shoot};

/// Kubernetes and machine image updates of `shoot` against `profile`.
pub(super) fn version_updates(
    shoot: &Shoot,
    profile: &CloudProfile,
    ctx: &UpdateCtx,
    actions: &mut Vec<Action>,
    warnings: &mut Vec<Warning>,
) {
    if let Some(current) = shoot.kubernetes_version() {
        let versions = profile.kubernetes_versions();
        let plan = versions::kubernetes_plan(
            current,
            versions,
            ctx.auto_kubernetes,
            ctx.now,
            ctx.window_end,
        );
        ctx.assess(&plan, "Kubernetes version", warnings);
        if let Some(to) = &plan.target {
            let minor = versions::Version::parse(to).map(|v| v.minor())
                != versions::Version::parse(current).map(|v| v.minor());
            actions.push(Action {
                kind: if plan.forced {
                    ActionKind::KubernetesForcedUpdate
                } else {
                    ActionKind::KubernetesPatchUpdate
                },
                worker_pool: None,
                image: None,
                from: Some(current.to_string()),
                to: Some(to.clone()),
                detail: match (plan.forced, minor) {
                    (true, true) => "expired version: forced minor version update".into(),
                    (true, false) => "expired version: forced patch update".into(),
                    _ => "automatic patch update".into(),
                },
            });
        } else if !ctx.auto_kubernetes
            && let Some(to) =
                versions::kubernetes_patch_available(current, versions, ctx.window_end)
        {
            warnings.push(warn(
                WarningKind::UpdateAvailableAutoUpdateOff,
                format!(
                    "Kubernetes {current} -> {to} available; autoUpdate.kubernetesVersion is off"
                ),
                None,
            ));
        }
    }
    image_actions(shoot, profile, ctx, actions, warnings);
}

/// When the reported window runs and what the shoot opted into.
pub(super) struct UpdateCtx {
    pub now: Timestamp,
    /// End of the reported occurrence (`now` without a window).
    pub window_end: Timestamp,
    /// End of the occurrence after it.
    pub following_end: Option<Timestamp>,
    /// `autoUpdate.kubernetesVersion`, default true.
    pub auto_kubernetes: bool,
    /// `autoUpdate.machineImageVersion`, default true.
    pub auto_images: bool,
}

impl UpdateCtx {
    /// Lifecycle warnings for one planned version.
    fn assess(&self, plan: &VersionPlan, what: &str, warnings: &mut Vec<Warning>) {
        let cur = &plan.current;
        let date = plan.expires_at.map(rfc3339_utc);
        if !plan.known {
            warnings.push(warn(
                WarningKind::VersionNotInCloudProfile,
                format!("{what} {cur} is not listed in the CloudProfile"),
                None,
            ));
            return;
        }
        if plan.class_now == Classification::Expired {
            warnings.push(warn(
                WarningKind::VersionExpired,
                format!("{what} {cur} is expired"),
                date.clone(),
            ));
        } else if plan.class_now == Classification::Deprecated {
            warnings.push(warn(
                WarningKind::VersionDeprecated,
                format!("{what} {cur} is deprecated"),
                date.clone(),
            ));
        }
        if plan.forced {
            let to = plan.target.as_deref().unwrap_or("?");
            warnings.push(warn(
                WarningKind::ForcedUpdate,
                format!("{what} {cur} is expired by the window's end: forced update to {to}"),
                date.clone(),
            ));
            if plan.target.is_none() {
                warnings.push(warn(
                    WarningKind::NoUpdateTarget,
                    format!(
                        "{what} {cur} expires but the CloudProfile offers no version to move to"
                    ),
                    date,
                ));
            }
        } else if let Some(exp) = plan
            .expires_at
            .filter(|e| *e > self.now && *e > self.window_end)
        {
            let when = if self.following_end.is_some_and(|f| exp <= f) {
                " (forced update in the following window)"
            } else {
                ""
            };
            warnings.push(warn(
                WarningKind::VersionExpiring,
                format!(
                    "{what} {cur} expires {}{when}",
                    exp.strftime("%Y-%m-%d %H:%M UTC")
                ),
                Some(rfc3339_utc(exp)),
            ));
        }
    }
}

fn image_actions(
    shoot: &Shoot,
    profile: &CloudProfile,
    ctx: &UpdateCtx,
    actions: &mut Vec<Action>,
    warnings: &mut Vec<Warning>,
) {
    let workers = shoot
        .spec
        .provider
        .as_ref()
        .and_then(|p| p.workers.as_deref())
        .unwrap_or(&[]);
    for worker in workers {
        // Without a pinned version Gardener defaults the image on admission;
        // there is nothing to compare against.
        let Some(image) = worker.machine.as_ref().and_then(|m| m.image.as_ref()) else {
            continue;
        };
        let Some(current) = image.version.as_deref() else {
            continue;
        };
        let what = format!("worker pool `{}` image {}", worker.name, image.name);
        let Some(offered) = profile
            .machine_images()
            .iter()
            .find(|i| i.name == image.name)
        else {
            warnings.push(warn(
                WarningKind::VersionNotInCloudProfile,
                format!("{what}: image not listed in the CloudProfile"),
                None,
            ));
            continue;
        };
        let plan = versions::machine_image_plan(
            current,
            offered,
            ctx.auto_images,
            ctx.now,
            ctx.window_end,
        );
        ctx.assess(&plan, &what, warnings);
        if let Some(to) = &plan.target {
            actions.push(Action {
                kind: if plan.forced {
                    ActionKind::MachineImageForcedUpdate
                } else {
                    ActionKind::MachineImageUpdate
                },
                worker_pool: Some(worker.name.clone()),
                image: Some(image.name.clone()),
                from: Some(current.to_string()),
                to: Some(to.clone()),
                detail: if plan.forced {
                    "expired image version: forced update, nodes roll".into()
                } else {
                    "automatic image update, nodes roll".into()
                },
            });
        } else if !ctx.auto_images
            && let Some(to) = versions::image_update_available(current, offered, ctx.window_end)
        {
            warnings.push(warn(
                WarningKind::UpdateAvailableAutoUpdateOff,
                format!(
                    "{what}: {current} -> {to} available; autoUpdate.machineImageVersion is off"
                ),
                None,
            ));
        }
    }
}
