//! Derived values: shoot health, hibernation state, last operation text,
//! condition chips and seed readiness, following Gardener's own algorithms.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;

use crate::model::gardener::{LastOperation, Seed, Shoot};
use crate::model::istr::intern_in;
use crate::model::{Condition, IStr};

/// `shoot.gardener.cloud/status` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Progressing,
    Unknown,
    Unhealthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Progressing => "progressing",
            Health::Unknown => "unknown",
            Health::Unhealthy => "unhealthy",
        }
    }
    fn of_condition(status: &str) -> Health {
        match status {
            "True" => Health::Healthy,
            "Progressing" => Health::Progressing,
            "False" => Health::Unhealthy,
            _ => Health::Unknown,
        }
    }
}

/// Gardener's shoot status label algorithm (`pkg/utils/gardener/shoot_status.go`):
/// no last operation -> healthy; a create that has not succeeded, or a delete ->
/// healthy iff there are no last errors; otherwise the worst of the conditions,
/// combined with the operation (Processing: no errors; else: Succeeded).
pub fn shoot_health(shoot: &Shoot) -> Health {
    let Some(op) = shoot.last_operation() else {
        return Health::Healthy;
    };
    let has_errors = !shoot.last_errors().is_empty();
    if (op.type_ == "Create" && op.state != "Succeeded") || op.type_ == "Delete" {
        return if has_errors {
            Health::Unhealthy
        } else {
            Health::Healthy
        };
    }
    let op_ok = if op.state == "Processing" {
        !has_errors
    } else {
        op.state == "Succeeded"
    };
    let mut worst = if op_ok {
        Health::Healthy
    } else {
        Health::Unhealthy
    };
    for c in shoot.conditions() {
        worst = worst.max(Health::of_condition(&c.status));
    }
    worst
}

/// Hibernation as the `kubectl get shoots` column shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HibernationState {
    Awake,
    Hibernating,
    Hibernated,
    #[serde(rename = "Waking Up")]
    WakingUp,
}

impl HibernationState {
    pub fn as_str(self) -> &'static str {
        match self {
            HibernationState::Awake => "Awake",
            HibernationState::Hibernating => "Hibernating",
            HibernationState::Hibernated => "Hibernated",
            HibernationState::WakingUp => "Waking Up",
        }
    }
    pub fn is_progressing(self) -> bool {
        matches!(
            self,
            HibernationState::Hibernating | HibernationState::WakingUp
        )
    }
}

pub fn hibernation_state(shoot: &Shoot) -> HibernationState {
    match (shoot.hibernation_enabled(), shoot.is_hibernated()) {
        (true, true) => HibernationState::Hibernated,
        (true, false) => HibernationState::Hibernating,
        (false, true) => HibernationState::WakingUp,
        (false, false) => HibernationState::Awake,
    }
}

/// `"<Type> <State> (<progress>%)"`, or `<pending>` without an operation.
pub fn last_operation_text(op: Option<&LastOperation>) -> String {
    match op {
        Some(op) => format!("{} {} ({}%)", op.type_, op.state, op.progress),
        None => "<pending>".to_string(),
    }
}

/// Whether a last operation needs attention (Failed, Error, Aborted).
pub fn operation_failed(op: Option<&LastOperation>) -> bool {
    op.is_some_and(|o| matches!(o.state.as_str(), "Failed" | "Error" | "Aborted"))
}

/// The Gardener dashboard's short name for a condition type.
pub fn condition_short_name(type_: &str) -> String {
    let known = match type_ {
        "APIServerAvailable" => Some("API"),
        "ControlPlaneHealthy" => Some("CP"),
        "SystemComponentsHealthy" => Some("SC"),
        "EveryNodeReady" => Some("N"),
        "ObservabilityComponentsHealthy" => Some("OC"),
        "MaintenancePreconditionsSatisfied" => Some("M"),
        "HibernationPossible" => Some("H"),
        "BackupBucketsReady" => Some("BB"),
        "ExtensionsReady" => Some("E"),
        "GardenletReady" => Some("G"),
        "SeedSystemComponentsHealthy" => Some("SSC"),
        "CRDsWithProblematicConversionWebhooks" => Some("CRD"),
        "CACertificateValiditiesAcceptable" => Some("CA"),
        "DualStackNodesMigrationReady" => Some("DSNM"),
        _ => None,
    };
    if let Some(k) = known {
        return k.to_string();
    }
    let base = ["Availability", "Available", "Healthy", "Ready"]
        .iter()
        .find_map(|s| type_.strip_suffix(s))
        .unwrap_or(type_);
    base.chars().filter(|c| c.is_ascii_uppercase()).collect()
}

fn chip_order(short: &str) -> usize {
    ["API", "CP", "SC", "N", "OC", "M", "H"]
        .iter()
        .position(|s| *s == short)
        .unwrap_or(100)
}

/// One readiness chip: condition type, dashboard short name and status.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Chip {
    #[serde(rename = "type")]
    pub type_: IStr,
    pub short: IStr,
    pub status: IStr,
}

/// Readiness chips as the dashboard shows them: all conditions plus the
/// constraints that carry error codes, plus MaintenancePreconditionsSatisfied and
/// HibernationPossible (kclm always shows M and H), in the dashboard's order.
pub fn shoot_chips(shoot: &Shoot) -> Chips {
    let constraints = shoot.constraints().iter().filter(|c| {
        c.codes.as_ref().is_some_and(|v| !v.is_empty())
            || c.type_ == "MaintenancePreconditionsSatisfied"
            || c.type_ == "HibernationPossible"
    });
    let mut chips: Vec<Chip> = shoot
        .conditions()
        .iter()
        .chain(constraints)
        .map(chip)
        .collect();
    chips.sort_by_key(|c| (chip_order(&c.short), c.short.clone()));
    intern_chips(chips)
}

/// A shoot's chips, shared with every other shoot that shows the same ones:
/// ten thousand healthy shoots show a handful of distinct chip lists.
pub type Chips = Arc<[Chip]>;

/// Lists the per-thread cache holds before it starts over (bounded, as
/// [`IStr`]'s).
const CHIPS_CACHE_LIMIT: usize = 1024;

thread_local! {
    static CHIPS: RefCell<HashSet<Chips>> = RefCell::new(HashSet::new());
}

fn intern_chips(chips: Vec<Chip>) -> Chips {
    intern_in(&CHIPS, CHIPS_CACHE_LIMIT, chips.as_slice(), |c| {
        Arc::from(c)
    })
}

fn chip(c: &Condition) -> Chip {
    Chip {
        type_: c.type_.clone(),
        short: IStr::intern(&condition_short_name(&c.type_)),
        status: c.status.clone(),
    }
}

/// Seed readiness as `kubectl get seeds` shows it (`Ready`, `NotReady`, `Unknown`).
pub fn seed_readiness(seed: &Seed) -> &'static str {
    let cond = |t: &str| seed.conditions().iter().find(|c| c.type_ == t);
    let status = |t: &str| cond(t).map(|c| c.status.as_str());
    match status("GardenletReady") {
        Some("Unknown") => return "Unknown",
        Some("True") => {}
        _ => return "NotReady",
    }
    if status("BackupBucketsReady").is_some_and(|s| s != "True") {
        return "NotReady";
    }
    if !matches!(
        status("ExtensionsReady"),
        Some("True") | Some("Progressing")
    ) {
        return "NotReady";
    }
    if matches!(
        status("SeedSystemComponentsHealthy"),
        Some("False") | Some("Unknown")
    ) {
        return "NotReady";
    }
    "Ready"
}

/// Shoot slots of a seed: `status.allocatable.shoots` (falls back to capacity).
pub fn seed_allocatable_shoots(seed: &Seed) -> Option<i64> {
    let st = seed.status.as_ref()?;
    let v = st
        .allocatable
        .as_ref()
        .and_then(|m| m.get("shoots"))
        .or_else(|| st.capacity.as_ref().and_then(|m| m.get("shoots")))?;
    v.as_i64().or_else(|| v.as_str()?.parse().ok())
}
