//! CloudProfile version lifecycle and the updates Gardener's maintenance
//! controller would apply.
//!
//! Rules (after Gardener's versioning policy):
//! - A version's classification at an instant comes from its `lifecycle`
//!   stages (the last stage whose `startTime` has passed; before the first
//!   stage it is unavailable), else from `classification` (default
//!   supported), and it is expired once `expirationDate` has passed.
//! - Update targets are never preview, unavailable or expired versions.
//! - Kubernetes auto-update: the latest eligible patch of the same minor.
//! - Forced Kubernetes update (current version expired): the latest eligible
//!   patch of the same minor if higher, else of the next minor that has one.
//! - Machine images: the latest eligible higher version allowed by the image's
//!   `updateStrategy` (major: any, minor: same major, patch: same major.minor;
//!   default major). A forced update falls back to any higher eligible version
//!   when the strategy leaves none.
//!
//! Not modelled: `kubeletVersionConstraint`, architectures, CRI and
//! capability filters on machine image versions.

use std::cmp::Ordering;

use jiff::Timestamp;
use serde::Serialize;

use crate::model::gardener::{CloudProfileMachineImage, ExpirableVersion};

/// A version as CloudProfiles spell them: dot-separated numbers with an
/// optional `v` prefix and `-pre`/`+build` suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub parts: Vec<u64>,
    pub pre: String,
}

impl Version {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let core_end = s.find(['-', '+']).unwrap_or(s.len());
        let (core, suffix) = s.split_at(core_end);
        let parts = core
            .split('.')
            .map(|p| p.parse::<u64>().ok())
            .collect::<Option<Vec<_>>>()?;
        // Build metadata does not order versions; a pre-release does.
        let pre = suffix
            .strip_prefix('-')
            .map(|p| p.split('+').next().unwrap_or("").to_string())
            .unwrap_or_default();
        Some(Self { parts, pre })
    }
    fn part(&self, i: usize) -> u64 {
        self.parts.get(i).copied().unwrap_or(0)
    }
    pub fn major(&self) -> u64 {
        self.part(0)
    }
    pub fn minor(&self) -> u64 {
        self.part(1)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            match self.part(i).cmp(&other.part(i)) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Lifecycle classification of a version at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Unavailable,
    Preview,
    Supported,
    Deprecated,
    Expired,
}

impl Classification {
    fn parse(s: &str) -> Classification {
        match s {
            "unavailable" => Classification::Unavailable,
            "preview" => Classification::Preview,
            "deprecated" => Classification::Deprecated,
            "expired" => Classification::Expired,
            _ => Classification::Supported,
        }
    }
    /// Whether maintenance may move a shoot to a version with this classification.
    pub fn is_update_target(self) -> bool {
        matches!(self, Classification::Supported | Classification::Deprecated)
    }
}

fn parse_time(s: Option<&str>) -> Option<Timestamp> {
    s.and_then(|s| s.parse::<Timestamp>().ok())
}

/// The classification of `v` at `at`.
pub fn classification_at(v: &ExpirableVersion, at: Timestamp) -> Classification {
    let mut class = match v.lifecycle.as_deref() {
        Some(stages) if !stages.is_empty() => {
            let mut current = Classification::Unavailable;
            for stage in stages {
                match parse_time(stage.start_time.as_deref()) {
                    Some(start) if start > at => {}
                    _ => current = Classification::parse(&stage.classification),
                }
            }
            current
        }
        _ => v
            .classification
            .as_deref()
            .map_or(Classification::Supported, Classification::parse),
    };
    if parse_time(v.expiration_date.as_deref()).is_some_and(|e| e <= at) {
        class = Classification::Expired;
    }
    class
}

/// When `v` expires: the earlier of `expirationDate` and the start of an
/// `expired` lifecycle stage. `None` if no date is known (an undated
/// `classification: expired` is already expired, see [`classification_at`]).
pub fn expires_at(v: &ExpirableVersion) -> Option<Timestamp> {
    let from_date = parse_time(v.expiration_date.as_deref());
    let from_stage = v
        .lifecycle
        .iter()
        .flatten()
        .filter(|s| s.classification == "expired")
        .filter_map(|s| parse_time(s.start_time.as_deref()))
        .min();
    match (from_date, from_stage) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What maintenance would do to one version (Kubernetes or one worker pool's image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionPlan {
    pub current: String,
    /// The current version's entry, if the CloudProfile still lists it.
    pub known: bool,
    pub class_now: Classification,
    /// Expired by the end of the evaluated window: Gardener forces an update.
    pub forced: bool,
    pub expires_at: Option<Timestamp>,
    /// Where maintenance would move this version, if anywhere.
    pub target: Option<String>,
}

fn eligible<'a>(
    versions: &'a [ExpirableVersion],
    at: Timestamp,
) -> impl Iterator<Item = (Version, &'a ExpirableVersion)> + 'a {
    versions.iter().filter_map(move |v| {
        let parsed = Version::parse(&v.version)?;
        classification_at(v, at)
            .is_update_target()
            .then_some((parsed, v))
    })
}

fn latest(
    versions: &[ExpirableVersion],
    at: Timestamp,
    keep: impl Fn(&Version) -> bool,
) -> Option<String> {
    eligible(versions, at)
        .filter(|(p, _)| keep(p))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v.version.clone())
}

fn base_plan(
    current: &str,
    versions: &[ExpirableVersion],
    now: Timestamp,
    window_end: Timestamp,
) -> VersionPlan {
    let entry = versions.iter().find(|v| v.version == current);
    VersionPlan {
        current: current.to_string(),
        known: entry.is_some(),
        class_now: entry.map_or(Classification::Supported, |v| classification_at(v, now)),
        forced: entry.is_some_and(|v| classification_at(v, window_end) == Classification::Expired),
        expires_at: entry.and_then(expires_at),
        target: None,
    }
}

/// Kubernetes version plan for the window ending at `window_end`.
/// `auto_update` is `spec.maintenance.autoUpdate.kubernetesVersion`.
pub fn kubernetes_plan(
    current: &str,
    versions: &[ExpirableVersion],
    auto_update: bool,
    now: Timestamp,
    window_end: Timestamp,
) -> VersionPlan {
    let mut plan = base_plan(current, versions, now, window_end);
    let Some(cur) = Version::parse(current) else {
        return plan;
    };
    let same_minor = |p: &Version| p.major() == cur.major() && p.minor() == cur.minor() && *p > cur;
    let patch = latest(versions, window_end, same_minor);
    plan.target = if plan.forced {
        patch.or_else(|| {
            // The nearest higher minor that has an eligible version.
            let mut minors: Vec<Version> = eligible(versions, window_end)
                .map(|(p, _)| p)
                .filter(|p| p.major() == cur.major() && p.minor() > cur.minor())
                .collect();
            minors.sort();
            let next_minor = minors.first()?.minor();
            latest(versions, window_end, |p| {
                p.major() == cur.major() && p.minor() == next_minor
            })
        })
    } else if auto_update {
        patch
    } else {
        None
    };
    plan
}

/// The patch update Gardener would apply if auto-update were on; used to tell
/// operators about updates they opted out of.
pub fn kubernetes_patch_available(
    current: &str,
    versions: &[ExpirableVersion],
    at: Timestamp,
) -> Option<String> {
    let cur = Version::parse(current)?;
    latest(versions, at, |p| {
        p.major() == cur.major() && p.minor() == cur.minor() && *p > cur
    })
}

/// Machine image plan for one worker pool.
pub fn machine_image_plan(
    current: &str,
    image: &CloudProfileMachineImage,
    auto_update: bool,
    now: Timestamp,
    window_end: Timestamp,
) -> VersionPlan {
    let mut plan = base_plan(current, &image.versions, now, window_end);
    plan.target = if plan.forced || auto_update {
        image_update_available(current, image, window_end).or_else(|| {
            let cur = Version::parse(current)?;
            if plan.forced {
                latest(&image.versions, window_end, |p| *p > cur)
            } else {
                None
            }
        })
    } else {
        None
    };
    plan
}

/// The newest version the image's update strategy allows moving to.
pub fn image_update_available(
    current: &str,
    image: &CloudProfileMachineImage,
    at: Timestamp,
) -> Option<String> {
    let cur = Version::parse(current)?;
    let strategy = image.update_strategy.as_deref().unwrap_or("major");
    latest(&image.versions, at, |p| {
        *p > cur
            && match strategy {
                "patch" => p.major() == cur.major() && p.minor() == cur.minor(),
                "minor" => p.major() == cur.major(),
                _ => true,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gardener::LifecycleStage;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }
    fn v(version: &str) -> ExpirableVersion {
        ExpirableVersion {
            version: version.into(),
            ..Default::default()
        }
    }
    fn with_class(version: &str, class: &str) -> ExpirableVersion {
        ExpirableVersion {
            classification: Some(class.into()),
            ..v(version)
        }
    }
    fn expiring(version: &str, date: &str) -> ExpirableVersion {
        ExpirableVersion {
            expiration_date: Some(date.into()),
            ..v(version)
        }
    }

    #[test]
    fn version_order() {
        let p = |s| Version::parse(s).expect("version");
        assert!(p("1.31.10") > p("1.31.9"));
        assert!(p("v1.31.1") == p("1.31.1"));
        assert!(p("1.31.1") > p("1.31.1-rc.1"));
        assert!(p("1592.10") > p("1592.4.0"));
        assert!(p("1.0.0+build5") == p("1.0.0"));
        assert!(Version::parse("latest").is_none());
    }

    #[test]
    fn classification_from_fields_and_lifecycle() {
        let now = t("2026-05-01T00:00:00Z");
        assert_eq!(
            classification_at(&v("1.0.0"), now),
            Classification::Supported
        );
        assert_eq!(
            classification_at(&with_class("1.0.0", "deprecated"), now),
            Classification::Deprecated
        );
        assert_eq!(
            classification_at(&expiring("1.0.0", "2026-04-30T00:00:00Z"), now),
            Classification::Expired
        );
        assert_eq!(
            classification_at(&expiring("1.0.0", "2026-05-02T00:00:00Z"), now),
            Classification::Supported
        );
        let staged = ExpirableVersion {
            lifecycle: Some(vec![
                LifecycleStage {
                    classification: "preview".into(),
                    start_time: Some("2026-01-01T00:00:00Z".into()),
                },
                LifecycleStage {
                    classification: "supported".into(),
                    start_time: Some("2026-02-01T00:00:00Z".into()),
                },
                LifecycleStage {
                    classification: "deprecated".into(),
                    start_time: Some("2026-04-01T00:00:00Z".into()),
                },
                LifecycleStage {
                    classification: "expired".into(),
                    start_time: Some("2026-06-01T00:00:00Z".into()),
                },
            ]),
            ..v("1.0.0")
        };
        assert_eq!(
            classification_at(&staged, t("2025-12-01T00:00:00Z")),
            Classification::Unavailable
        );
        assert_eq!(
            classification_at(&staged, t("2026-01-15T00:00:00Z")),
            Classification::Preview
        );
        assert_eq!(classification_at(&staged, now), Classification::Deprecated);
        assert_eq!(
            classification_at(&staged, t("2026-06-01T00:00:00Z")),
            Classification::Expired
        );
        assert_eq!(expires_at(&staged), Some(t("2026-06-01T00:00:00Z")));
    }

    #[test]
    fn patch_update_skips_preview_and_expired_and_other_minors() {
        let now = t("2026-05-01T00:00:00Z");
        let end = t("2026-05-01T23:00:00Z");
        let versions = vec![
            with_class("1.31.9", "preview"),
            expiring("1.31.8", "2026-04-01T00:00:00Z"),
            v("1.31.7"),
            v("1.31.3"),
            v("1.32.2"),
        ];
        let plan = kubernetes_plan("1.31.3", &versions, true, now, end);
        assert_eq!(plan.target.as_deref(), Some("1.31.7"));
        assert!(!plan.forced);
        assert_eq!(
            kubernetes_plan("1.31.3", &versions, false, now, end).target,
            None
        );
        assert_eq!(
            kubernetes_plan("1.31.7", &versions, true, now, end).target,
            None
        );
        assert_eq!(
            kubernetes_patch_available("1.31.3", &versions, end).as_deref(),
            Some("1.31.7")
        );
    }

    #[test]
    fn forced_update_when_expired_by_window_end() {
        let now = t("2026-05-01T00:00:00Z");
        let end = t("2026-05-01T23:00:00Z");
        // Expires during the window: counted as forced (maintenance may run after it).
        let versions = vec![
            expiring("1.30.5", "2026-05-01T22:30:00Z"),
            v("1.31.2"),
            v("1.31.4"),
            v("1.32.0"),
        ];
        let plan = kubernetes_plan("1.30.5", &versions, false, now, end);
        assert!(plan.forced);
        assert_eq!(plan.class_now, Classification::Supported);
        assert_eq!(
            plan.target.as_deref(),
            Some("1.31.4"),
            "latest patch of the next minor"
        );
        // Expires after the window closes: not forced yet.
        let later = vec![expiring("1.30.5", "2026-05-01T23:00:01Z"), v("1.31.4")];
        let plan = kubernetes_plan("1.30.5", &later, false, now, end);
        assert!(!plan.forced);
        assert_eq!(plan.target, None);
        assert_eq!(plan.expires_at, Some(t("2026-05-01T23:00:01Z")));
        // Forced with a higher patch in the same minor prefers the patch.
        let same = vec![
            expiring("1.30.5", "2026-04-01T00:00:00Z"),
            v("1.30.8"),
            v("1.31.4"),
        ];
        assert_eq!(
            kubernetes_plan("1.30.5", &same, false, now, end)
                .target
                .as_deref(),
            Some("1.30.8")
        );
    }

    #[test]
    fn machine_image_strategies() {
        let now = t("2026-05-01T00:00:00Z");
        let end = t("2026-05-01T23:00:00Z");
        let mut image = CloudProfileMachineImage {
            name: "ubuntu".into(),
            versions: vec![
                v("24.4.20260101"),
                v("22.4.20260301"),
                v("22.4.20250101"),
                with_class("26.4.1", "preview"),
            ],
            update_strategy: None,
            ..Default::default()
        };
        let plan = machine_image_plan("22.4.20250101", &image, true, now, end);
        assert_eq!(plan.target.as_deref(), Some("24.4.20260101"));
        image.update_strategy = Some("minor".into());
        let plan = machine_image_plan("22.4.20250101", &image, true, now, end);
        assert_eq!(plan.target.as_deref(), Some("22.4.20260301"));
        assert_eq!(
            machine_image_plan("22.4.20250101", &image, false, now, end).target,
            None
        );
        // Forced past the strategy when nothing within it is left.
        image.versions = vec![
            expiring("22.4.20260301", "2026-04-01T00:00:00Z"),
            v("24.4.20260101"),
        ];
        let plan = machine_image_plan("22.4.20260301", &image, false, now, end);
        assert!(plan.forced);
        assert_eq!(plan.target.as_deref(), Some("24.4.20260101"));
    }

    #[test]
    fn unknown_version_is_reported_not_forced() {
        let now = t("2026-05-01T00:00:00Z");
        let plan = kubernetes_plan("1.29.0", &[v("1.29.4")], true, now, now);
        assert!(!plan.known);
        assert!(!plan.forced);
        assert_eq!(plan.target.as_deref(), Some("1.29.4"));
    }
}
