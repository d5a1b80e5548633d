//! Maintenance facts for one shoot: its window relative to `now`, what the
//! next window will change (see [`super::updates`] for the forced-update
//! rule), what needs attention, and its hibernation schedule. The same value
//! backs a row of the report and the detail pane.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::hibernation::hibernation_info;
use super::updates::{UpdateCtx, version_updates};
use super::window::{MaintenanceWindow, Occurrence, WindowIssue, WindowStatus};
use super::{render::human_duration, rfc3339_local, rfc3339_utc};
use crate::landscape::store::{Landscape, ObjKey};
use crate::model::annotation;
use crate::model::gardener::{ANN_MAINTENANCE_OPERATION, CloudProfile, Shoot};

pub const CONSTRAINT_PRECONDITIONS: &str = "MaintenancePreconditionsSatisfied";

/// Everything kclm knows about one shoot's maintenance.
#[derive(Clone, Debug, Serialize)]
pub struct ShootMaintenance {
    pub name: String,
    pub namespace: String,
    pub project: String,
    pub seed: Option<String>,
    pub cloud_profile: Option<String>,
    pub kubernetes_version: Option<String>,
    /// `None` when the shoot has no (valid) window; see `warnings`.
    pub window: Option<WindowInfo>,
    pub open_now: bool,
    /// Seconds until the window opens; 0 while open; `None` without a window.
    pub starts_in_seconds: Option<i64>,
    /// Seconds until the (current or next) window closes.
    pub ends_in_seconds: Option<i64>,
    /// "in window, ends in 1h20m" / "starts in 5h".
    pub countdown: String,
    pub actions: Vec<Action>,
    pub warnings: Vec<Warning>,
    pub hibernation: HibernationInfo,
    /// `maintenance.gardener.cloud/operation`: runs in the next window.
    pub pending_operation: Option<String>,
    pub confine_spec_update_rollout: bool,
    pub last_maintenance: Option<LastMaintenanceInfo>,
    pub maintenance_preconditions: Option<PreconditionsInfo>,
}

impl ShootMaintenance {
    /// Start of the reported occurrence, for ordering.
    pub fn start(&self) -> Option<Timestamp> {
        self.window.as_ref().map(|w| w.occurrence.start)
    }
}

/// The reported occurrence: the one open now, else the next one.
#[derive(Clone, Debug, Serialize)]
pub struct WindowInfo {
    /// As written in the spec, e.g. `220000+0100`.
    pub begin: String,
    pub end: String,
    pub start_utc: String,
    pub start_local: String,
    pub end_utc: String,
    pub end_local: String,
    pub duration_minutes: i64,
    pub crosses_midnight_utc: bool,
    /// Gardener validation problems (`too_short`, `too_long`, `non_whole_hour_offset`).
    pub issues: Vec<WindowIssue>,
    #[serde(skip)]
    pub occurrence: Occurrence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    KubernetesPatchUpdate,
    KubernetesForcedUpdate,
    MachineImageUpdate,
    MachineImageForcedUpdate,
    /// A `maintenance.gardener.cloud/operation` annotation waiting for the window.
    MaintenanceOperation,
    /// Spec changes held back by `confineSpecUpdateRollout`.
    SpecRollout,
}

/// Something the next window will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    pub worker_pool: Option<String>,
    pub image: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    ForcedUpdate,
    VersionExpiring,
    VersionExpired,
    VersionDeprecated,
    VersionNotInCloudProfile,
    NoUpdateTarget,
    UpdateAvailableAutoUpdateOff,
    LastMaintenanceFailed,
    MaintenancePreconditionsNotSatisfied,
    WindowOutOfBounds,
    InvalidTimeWindow,
    NoTimeWindow,
    CloudProfileNotFound,
    InvalidHibernationSchedule,
}

/// Something an on-call engineer should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    /// The relevant instant (expiry, failure), RFC 3339 UTC, if any.
    pub date: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct HibernationInfo {
    pub enabled: bool,
    pub hibernated: bool,
    pub next_hibernate_utc: Option<String>,
    pub next_hibernate_local: Option<String>,
    pub next_wake_up_utc: Option<String>,
    pub next_wake_up_local: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LastMaintenanceInfo {
    pub state: String,
    pub description: String,
    pub failure_reason: Option<String>,
    pub triggered_time: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PreconditionsInfo {
    pub satisfied: bool,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// Maintenance facts for `shoot`, resolving its project and CloudProfile in `ls`.
pub fn for_shoot(ls: &Landscape, shoot: &Shoot, now: Timestamp, tz: &TimeZone) -> ShootMaintenance {
    let project = ls.project_name_of_namespace(shoot.namespace());
    // A NamespacedCloudProfile is not in the store; its name may clash with a
    // CloudProfile's, so only plain references are resolved.
    let namespaced = shoot
        .spec
        .cloud_profile
        .as_ref()
        .and_then(|r| r.kind.as_deref())
        .is_some_and(|k| k != "CloudProfile");
    let profile = shoot
        .cloud_profile_name()
        .filter(|_| !namespaced)
        .and_then(|n| ls.cloudprofiles.get(&ObjKey::new("", n)))
        .map(|p| p.as_ref());
    shoot_maintenance(shoot, profile, &project, now, tz)
}

/// Maintenance facts for `shoot` with its CloudProfile (if known).
pub fn shoot_maintenance(
    shoot: &Shoot,
    profile: Option<&CloudProfile>,
    project: &str,
    now: Timestamp,
    tz: &TimeZone,
) -> ShootMaintenance {
    let maintenance = shoot.spec.maintenance.as_ref();
    let mut warnings = Vec::new();
    let mut actions = Vec::new();

    let window = match maintenance.and_then(|m| m.time_window.as_ref()) {
        None => {
            warnings.push(warn(
                WarningKind::NoTimeWindow,
                "no maintenance time window set".into(),
                None,
            ));
            None
        }
        Some(tw) => match MaintenanceWindow::from_model(tw) {
            Ok(w) => Some(w),
            Err(e) => {
                warnings.push(warn(WarningKind::InvalidTimeWindow, e.to_string(), None));
                None
            }
        },
    };
    let status = window.as_ref().map(|w| w.status(now));

    if let Some(w) = &window {
        for issue in w.issues() {
            warnings.push(warn(
                WarningKind::WindowOutOfBounds,
                issue.describe().into(),
                None,
            ));
        }
    }

    // Without a window there is no "next maintenance"; evaluate expiry at now.
    let occ = status.map(|s| s.occurrence);
    let window_end = occ.map_or(now, |o| o.end);
    let following_end = match (&window, occ) {
        (Some(w), Some(o)) => Some(w.following(o).end),
        _ => None,
    };

    let auto = maintenance.and_then(|m| m.auto_update.as_ref());
    let auto_k8s = auto.and_then(|a| a.kubernetes_version).unwrap_or(true);
    let auto_images = auto.and_then(|a| a.machine_image_version).unwrap_or(true);

    match profile {
        None => {
            if let Some(name) = shoot.cloud_profile_name() {
                warnings.push(warn(
                    WarningKind::CloudProfileNotFound,
                    format!("CloudProfile `{name}` not loaded; version updates unknown"),
                    None,
                ));
            }
        }
        Some(profile) => {
            let ctx = UpdateCtx {
                now,
                window_end,
                following_end,
                auto_kubernetes: auto_k8s,
                auto_images,
            };
            version_updates(shoot, profile, &ctx, &mut actions, &mut warnings);
        }
    }

    let pending_operation =
        annotation(&shoot.metadata, ANN_MAINTENANCE_OPERATION).map(str::to_string);
    if let Some(op) = &pending_operation {
        actions.push(Action {
            kind: ActionKind::MaintenanceOperation,
            worker_pool: None,
            image: None,
            from: None,
            to: Some(op.clone()),
            detail: format!("operation `{op}` runs in the window"),
        });
    }

    let confine = maintenance
        .and_then(|m| m.confine_spec_update_rollout)
        .unwrap_or(false);
    let generation = shoot.metadata.generation;
    let observed = shoot.status.as_ref().and_then(|s| s.observed_generation);
    if confine
        && let (Some(g), Some(o)) = (generation, observed)
        && g > o
    {
        actions.push(Action {
            kind: ActionKind::SpecRollout,
            worker_pool: None,
            image: None,
            from: Some(o.to_string()),
            to: Some(g.to_string()),
            detail: format!("spec generation {g} (observed {o}) rolls out in the window"),
        });
    }

    let last_maintenance = shoot
        .status
        .as_ref()
        .and_then(|s| s.last_maintenance.as_ref())
        .map(|lm| LastMaintenanceInfo {
            state: lm.state.clone(),
            description: lm.description.clone(),
            failure_reason: lm.failure_reason.clone(),
            triggered_time: lm.triggered_time.clone(),
        });
    if let Some(lm) = &last_maintenance
        && lm.state == "Failed"
    {
        let reason = lm.failure_reason.as_deref().unwrap_or(&lm.description);
        warnings.push(warn(
            WarningKind::LastMaintenanceFailed,
            format!("last maintenance failed: {reason}"),
            lm.triggered_time.clone(),
        ));
    }

    let maintenance_preconditions =
        shoot
            .constraint(CONSTRAINT_PRECONDITIONS)
            .map(|c| PreconditionsInfo {
                satisfied: c.status != "False",
                status: c.status.to_string(),
                reason: c.reason.as_deref().map(str::to_string),
                message: c.message.as_deref().map(str::to_string),
            });
    if let Some(p) = &maintenance_preconditions
        && !p.satisfied
    {
        warnings.push(warn(
            WarningKind::MaintenancePreconditionsNotSatisfied,
            format!(
                "maintenance preconditions not satisfied: {}",
                p.message
                    .as_deref()
                    .or(p.reason.as_deref())
                    .unwrap_or("no message")
            ),
            None,
        ));
    }

    let hibernation = hibernation_info(shoot, now, tz, &mut warnings);

    ShootMaintenance {
        name: shoot.name().to_string(),
        namespace: shoot.namespace().to_string(),
        project: project.to_string(),
        seed: shoot.seed_name().map(str::to_string),
        cloud_profile: shoot.cloud_profile_name().map(str::to_string),
        kubernetes_version: shoot.kubernetes_version().map(str::to_string),
        window: window
            .as_ref()
            .zip(status)
            .map(|(w, s)| window_info(w, s, tz)),
        open_now: status.is_some_and(|s| s.open_now),
        starts_in_seconds: status.map(|s| s.starts_in(now).as_secs()),
        ends_in_seconds: status.map(|s| s.ends_in(now).as_secs()),
        countdown: countdown(status, now),
        actions,
        warnings,
        hibernation,
        pending_operation,
        confine_spec_update_rollout: confine,
        last_maintenance,
        maintenance_preconditions,
    }
}

pub(super) fn warn(kind: WarningKind, message: String, date: Option<String>) -> Warning {
    Warning {
        kind,
        message,
        date,
    }
}

fn window_info(w: &MaintenanceWindow, s: WindowStatus, tz: &TimeZone) -> WindowInfo {
    let o = s.occurrence;
    WindowInfo {
        begin: w.begin_raw.clone(),
        end: w.end_raw.clone(),
        start_utc: rfc3339_utc(o.start),
        start_local: rfc3339_local(o.start, tz),
        end_utc: rfc3339_utc(o.end),
        end_local: rfc3339_local(o.end, tz),
        duration_minutes: w.duration().as_secs() / 60,
        crosses_midnight_utc: w.crosses_midnight_utc(),
        issues: w.issues(),
        occurrence: o,
    }
}

fn countdown(status: Option<WindowStatus>, now: Timestamp) -> String {
    match status {
        None => "no window".into(),
        Some(s) if s.open_now => format!("in window, ends in {}", human_duration(s.ends_in(now))),
        Some(s) => format!("starts in {}", human_duration(s.starts_in(now))),
    }
}
