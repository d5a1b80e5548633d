//! What gardener-apiserver (strategy + admission plugins) and the metal
//! extension's webhook do to Shoots and Projects on create, update and delete.

use serde_json::{Value, json};

use super::kube_store::KubeStore;
use super::resources::{CLOUDPROFILES, PROJECTS, RESOURCES, SHOOTS};
use super::status::ApiError;
use crate::model::parse_bool;

pub(crate) const ANN_CONFIRM: &str = "confirmation.gardener.cloud/deletion";
pub(crate) const ANN_OPERATION: &str = "gardener.cloud/operation";
const METAL_WEBHOOK: &str = "validation.metal.provider.extensions.gardener.cloud";

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Gardener's `shoot.gardener.cloud/status` label algorithm (statuslabel controller).
pub(crate) fn status_label(shoot: &Value) -> &'static str {
    let st = &shoot["status"];
    let op = &st["lastOperation"];
    if op.is_null() {
        return "healthy";
    }
    let has_errors = st["lastErrors"].as_array().is_some_and(|a| !a.is_empty());
    let (t, state) = (s(op, "/type"), s(op, "/state"));
    if (t == "Create" && state != "Succeeded") || t == "Delete" {
        return if has_errors { "unhealthy" } else { "healthy" };
    }
    // healthy < progressing < unknown < unhealthy
    let mut worst = 0;
    for c in st["conditions"].as_array().into_iter().flatten() {
        worst = worst.max(match s(c, "/status") {
            "True" => 0,
            "Progressing" => 1,
            "False" => 3,
            _ => 2,
        });
    }
    let op_ok = if state == "Processing" {
        !has_errors
    } else {
        state == "Succeeded"
    };
    if !op_ok {
        worst = 3;
    }
    ["healthy", "progressing", "unknown", "unhealthy"][worst]
}

pub(crate) fn set_status_label(shoot: &mut Value) {
    let label = status_label(shoot);
    if !shoot["metadata"]["labels"].is_object() {
        shoot["metadata"]["labels"] = json!({});
    }
    shoot["metadata"]["labels"]["shoot.gardener.cloud/status"] = json!(label);
}

fn is_dns_label(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 63
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !n.starts_with('-')
        && !n.ends_with('-')
}

fn valid_window_time(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() != 11
        || !(b[6] == b'+' || b[6] == b'-')
        || !t[..6]
            .bytes()
            .chain(t[7..].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(99);
    let zone_ok = if b[6] == b'+' {
        num(7..9) <= 14
    } else {
        num(7..9) <= 12
    };
    num(0..2) < 24 && num(2..4) < 60 && num(4..6) < 60 && zone_ok && &t[9..] == "00"
}

fn secs_of(t: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
    let sign = if t.as_bytes().get(6) == Some(&b'-') {
        -1
    } else {
        1
    };
    n(0..2) * 3600 + n(2..4) * 60 + n(4..6) - sign * n(7..9) * 3600
}

/// Static validation (422 Invalid): what the Shoot strategy's Validate checks.
pub(crate) fn validate_shoot(shoot: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let def = &RESOURCES[SHOOTS];
    let name = s(shoot, "/metadata/name");
    let mut causes: Vec<(&str, String, String)> = Vec::new();
    if !is_dns_label(name) {
        causes.push(("FieldValueInvalid", "metadata.name".into(), format!(
            "Invalid value: {name:?}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        )));
    }
    if s(shoot, "/spec/provider/type").is_empty() {
        causes.push((
            "FieldValueRequired",
            "spec.provider.type".into(),
            "Required value: must specify a provider type".into(),
        ));
    }
    if s(shoot, "/spec/region").is_empty() {
        causes.push((
            "FieldValueRequired",
            "spec.region".into(),
            "Required value".into(),
        ));
    }
    if s(shoot, "/spec/cloudProfile/name").is_empty()
        && s(shoot, "/spec/cloudProfileName").is_empty()
    {
        causes.push((
            "FieldValueRequired",
            "spec.cloudProfile.name".into(),
            "Required value: must specify a cloud profile".into(),
        ));
    }
    if s(shoot, "/spec/purpose") == "infrastructure" && s(shoot, "/metadata/namespace") != "garden"
    {
        causes.push(("FieldValueForbidden", "spec.purpose".into(), "Unsupported value: \"infrastructure\": supported values: \"evaluation\", \"testing\", \"development\", \"production\"".into()));
    }
    let tw = &shoot["spec"]["maintenance"]["timeWindow"];
    if tw.is_object() {
        let (b, e) = (s(tw, "/begin"), s(tw, "/end"));
        for (f, v) in [("begin", b), ("end", e)] {
            if !valid_window_time(v) {
                causes.push((
                    "FieldValueInvalid",
                    format!("spec.maintenance.timeWindow.{f}"),
                    format!("Invalid value: {v:?}: time window must be in the format HHMMSS+ZONE"),
                ));
            }
        }
        if valid_window_time(b) && valid_window_time(e) {
            let dur = (secs_of(e) - secs_of(b)).rem_euclid(86_400);
            if !(1800..=6 * 3600).contains(&dur) {
                causes.push(("FieldValueInvalid", "spec.maintenance.timeWindow".into(), format!(
                    "Invalid value: \"{b}-{e}\": time window must not be smaller than 30m0s or larger than 6h0m0s"
                )));
            }
        }
    }
    if let Some(old) = old {
        for (p, f) in [
            ("/spec/region", "spec.region"),
            ("/spec/provider/type", "spec.provider.type"),
        ] {
            if s(old, p) != s(shoot, p) {
                causes.push((
                    "FieldValueInvalid",
                    f.into(),
                    format!("Invalid value: {:?}: field is immutable", s(shoot, p)),
                ));
            }
        }
    }
    causes.extend(operation_causes(shoot));
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(def, name, &causes))
    }
}

/// The values Gardener accepts in a shoot's `gardener.cloud/operation`
/// (sorted, as its validation lists them).
const SHOOT_OPERATIONS: [&str; 20] = [
    "force-in-place-update",
    "maintain",
    "reconcile",
    "retry",
    "rollout-workers",
    "rotate-ca-complete",
    "rotate-ca-start",
    "rotate-ca-start-without-workers-rollout",
    "rotate-credentials-complete",
    "rotate-credentials-start",
    "rotate-credentials-start-without-workers-rollout",
    "rotate-etcd-encryption-key",
    "rotate-etcd-encryption-key-complete",
    "rotate-etcd-encryption-key-start",
    "rotate-observability-credentials",
    "rotate-rollout-workers",
    "rotate-serviceaccount-key-complete",
    "rotate-serviceaccount-key-start",
    "rotate-serviceaccount-key-start-without-workers-rollout",
    "rotate-ssh-keypair",
];

/// Gardener's validation of `gardener.cloud/operation`: a `;`-separated list
/// of known operations (`rollout-workers=<pools>` and
/// `rotate-rollout-workers=<pools>` take arguments); `maintain` runs alone.
fn operation_causes(shoot: &Value) -> Vec<(&'static str, String, String)> {
    let field = format!("metadata.annotations[{ANN_OPERATION}]");
    let value = s(shoot, "/metadata/annotations/gardener.cloud~1operation");
    let ops: Vec<&str> = value.split(';').filter(|o| !o.is_empty()).collect();
    let mut causes = Vec::new();
    for op in &ops {
        let base = op.split_once('=').map_or(*op, |(b, _)| b);
        let with_args = matches!(base, "rollout-workers" | "rotate-rollout-workers");
        if !SHOOT_OPERATIONS.contains(&base) || (op.contains('=') && !with_args) {
            let supported: Vec<String> =
                SHOOT_OPERATIONS.iter().map(|o| format!("{o:?}")).collect();
            causes.push((
                "FieldValueNotSupported",
                field.clone(),
                format!(
                    "Unsupported value: {op:?}: supported values: {}",
                    supported.join(", ")
                ),
            ));
        } else if *op == "maintain" && ops.len() > 1 {
            causes.push((
                "FieldValueForbidden",
                field.clone(),
                "Forbidden: operation 'maintain' is not permitted to be run in parallel with other operations".into(),
            ));
        }
    }
    causes
}

/// ShootValidator/ShootMutator/metal webhook on create (and version changes on update).
pub(crate) fn admit_shoot(
    kube: &KubeStore,
    shoot: &mut Value,
    old: Option<&Value>,
    user: &str,
) -> Result<(), ApiError> {
    let def = &RESOURCES[SHOOTS];
    let name = s(shoot, "/metadata/name").to_string();
    let ns = s(shoot, "/metadata/namespace").to_string();
    if !kube.list(PROJECTS).any(|p| s(p, "/spec/namespace") == ns) {
        return Err(ApiError::internal(format!(
            "could not find referenced project: no project for namespace {ns:?}"
        )));
    }
    let profile_name = match s(shoot, "/spec/cloudProfile/name") {
        "" => s(shoot, "/spec/cloudProfileName").to_string(),
        n => n.to_string(),
    };
    let Some(profile) = kube.get(CLOUDPROFILES, "", &profile_name) else {
        return Err(ApiError::forbidden(
            def,
            &name,
            &format!(
                "could not find referenced cloud profile: cloudprofiles.core.gardener.cloud {profile_name:?} not found"
            ),
        ));
    };
    let profile = profile.clone();
    if old.is_none() {
        // ShootMutator defaults; gardener.cloud/created-by records the requester.
        if !shoot["metadata"]["annotations"].is_object() {
            shoot["metadata"]["annotations"] = json!({});
        }
        shoot["metadata"]["annotations"]["gardener.cloud/created-by"] = json!(user);
        if shoot["spec"]["purpose"].is_null() {
            shoot["spec"]["purpose"] = json!("evaluation");
        }
        if shoot["spec"]["maintenance"]["autoUpdate"].is_null() {
            shoot["spec"]["maintenance"]["autoUpdate"] =
                json!({"kubernetesVersion": true, "machineImageVersion": true});
        }
        if shoot["spec"]["maintenance"]["timeWindow"].is_null() {
            shoot["spec"]["maintenance"]["timeWindow"] =
                json!({"begin": "220000+0000", "end": "230000+0000"});
        }
        let tenant = shoot["metadata"]["annotations"]["cluster.metal-stack.io/tenant"]
            .as_str()
            .unwrap_or("");
        if s(shoot, "/spec/provider/type") == "metal" && tenant.is_empty() {
            return Err(ApiError::forbidden(def, &name, "").with_message(format!(
                "admission webhook \"{METAL_WEBHOOK}\" denied the request: cluster must be annotated with a tenant using the annotations: cluster.metal-stack.io/tenant"
            )));
        }
    }
    let mut errs: Vec<String> = Vec::new();
    let regions: Vec<&str> = profile["spec"]["regions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(r, "/name"))
        .collect();
    let region = s(shoot, "/spec/region");
    if !regions.contains(&region) {
        errs.push(format!(
            "spec.region: Unsupported value: {region:?}: supported values: {}",
            quoted(&regions)
        ));
    }
    let versions: Vec<(&str, &str, &str)> = profile["spec"]["kubernetes"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                s(v, "/version"),
                s(v, "/classification"),
                s(v, "/expirationDate"),
            )
        })
        .collect();
    let now = jiff::Timestamp::now();
    let usable: Vec<&str> = versions
        .iter()
        .filter(|(_, class, exp)| {
            *class != "expired"
                && exp
                    .parse::<jiff::Timestamp>()
                    .map(|e| e > now)
                    .unwrap_or(true)
        })
        .map(|(v, _, _)| *v)
        .collect();
    let mut version = s(shoot, "/spec/kubernetes/version").to_string();
    if version.matches('.').count() == 1 {
        // ShootMutator completes `major.minor` to the newest patch of that minor.
        if let Some(full) = usable
            .iter()
            .filter(|v| v.starts_with(&format!("{version}.")))
            .max_by_key(|v| version_key(v))
        {
            version = full.to_string();
            shoot["spec"]["kubernetes"]["version"] = json!(version);
        }
    }
    let old_version = old.map(|o| s(o, "/spec/kubernetes/version"));
    if old_version != Some(version.as_str()) && !usable.contains(&version.as_str()) {
        errs.push(format!(
            "spec.kubernetes.version: Unsupported value: {version:?}: supported values: {}",
            quoted(&usable)
        ));
    }
    let types: Vec<&str> = profile["spec"]["machineTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| s(t, "/name"))
        .collect();
    for (i, w) in shoot["spec"]["provider"]["workers"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let t = s(w, "/machine/type");
        if !types.contains(&t) {
            errs.push(format!("spec.provider.workers[{i}].machine.type: Unsupported value: {t:?}: supported values: {}", quoted(&types)));
        }
        let (img, ver) = (s(w, "/machine/image/name"), s(w, "/machine/image/version"));
        let known = profile["spec"]["machineImages"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| {
                s(m, "/name") == img
                    && (ver.is_empty()
                        || m["versions"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|v| s(v, "/version") == ver))
            });
        if !img.is_empty() && !known {
            errs.push(format!("spec.provider.workers[{i}].machine.image: Unsupported value: {{Name:{img} Version:{ver}}}: supported values: see the cloud profile {profile_name:?}"));
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::forbidden(
            def,
            &name,
            &format!("[{}]", errs.join(" ")),
        ));
    }
    Ok(())
}

fn quoted(v: &[&str]) -> String {
    v.iter()
        .map(|x| format!("{x:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v')
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// Update rules: hibernation constraint, operation annotations, generation.
pub(crate) fn admit_shoot_update(old: &Value, new: &mut Value) -> Result<(), ApiError> {
    let def = &RESOURCES[SHOOTS];
    let name = s(new, "/metadata/name").to_string();
    let was = old["spec"]["hibernation"]["enabled"]
        .as_bool()
        .unwrap_or(false);
    let wants = new["spec"]["hibernation"]["enabled"]
        .as_bool()
        .unwrap_or(false);
    if !was
        && wants
        && let Some(c) = old["status"]["constraints"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "HibernationPossible")
        && s(c, "/status") != "True"
    {
        return Err(ApiError::forbidden(
            def,
            &name,
            &format!(
                "'HibernationPossible' constraint is '{}': {}",
                s(c, "/status"),
                s(c, "/message")
            ),
        ));
    }
    let mut bump = new["spec"] != old["spec"];
    if !new["status"]["lastOperation"].is_null() {
        let op = s(new, "/metadata/annotations/gardener.cloud~1operation").to_string();
        // While the last operation Failed only `retry` counts: a `reconcile`
        // is kept (and ignored by gardenlet) like gardener-apiserver does.
        let failed = s(new, "/status/lastOperation/state") == "Failed";
        let strip = if failed {
            op == "retry"
        } else {
            op == "reconcile"
        };
        if strip {
            if let Some(a) = new["metadata"]["annotations"].as_object_mut() {
                a.remove(ANN_OPERATION);
            }
            bump = true;
        } else if !failed
            && op.split(';').any(|o| o.starts_with("rotate-"))
            && op != s(old, "/metadata/annotations/gardener.cloud~1operation")
        {
            bump = true;
        }
    }
    let gen_old = old["metadata"]["generation"].as_i64().unwrap_or(1);
    new["metadata"]["generation"] = json!(if bump { gen_old + 1 } else { gen_old });
    Ok(())
}

/// DeletionConfirmation: Shoots and Projects need the confirmation annotation;
/// a shoot under dual approval must be deleted by someone other than its confirmer.
pub(crate) fn admit_delete(
    kube: &KubeStore,
    res: usize,
    obj: &Value,
    user: &str,
) -> Result<(), ApiError> {
    if res != SHOOTS && res != PROJECTS {
        return Ok(());
    }
    let confirmed = obj["metadata"]["annotations"][ANN_CONFIRM]
        .as_str()
        .and_then(parse_bool)
        .unwrap_or(false);
    if confirmed && res == SHOOTS {
        return super::four_eyes::check_dual_approval(kube, obj, user);
    }
    if confirmed {
        return Ok(());
    }
    Err(ApiError::forbidden(
        &RESOURCES[res],
        s(obj, "/metadata/name"),
        &format!("must have a \"{ANN_CONFIRM}\" annotation to delete"),
    ))
}

impl ApiError {
    fn with_message(mut self, m: String) -> Self {
        self.message = m;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_windows_follow_gardeners_pattern() {
        assert!(valid_window_time("220000+0100"));
        assert!(valid_window_time("000000-1200"));
        assert!(!valid_window_time("220000+0530"));
        assert!(!valid_window_time("250000+0100"));
        assert!(!valid_window_time("2200+0100"));
        assert_eq!(secs_of("010000+0100"), 0);
    }

    #[test]
    fn status_label_takes_the_worst() {
        let mut s = json!({"status": {"lastOperation": {"type": "Reconcile", "state": "Succeeded"},
            "conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "Progressing"}]}});
        assert_eq!(status_label(&s), "progressing");
        s["status"]["conditions"][0]["status"] = json!("False");
        assert_eq!(status_label(&s), "unhealthy");
        s["status"]["lastOperation"] = json!({"type": "Create", "state": "Processing"});
        assert_eq!(status_label(&s), "healthy");
    }
}
