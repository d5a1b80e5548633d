//! Gardener's four-eyes principle for deletion (the `DeletionConfirmation`
//! admission plugin, mutating and validating part): the API server records who
//! confirmed a shoot's deletion, and when the project's
//! `spec.dualApprovalForDeletion` selects the shoot, that subject may not send
//! the DELETE itself.

use serde_json::{Value, json};

use super::gardener_rules::ANN_CONFIRM;
use super::kube_store::KubeStore;
use super::resources::{PROJECTS, RESOURCES, SHOOTS};
use super::status::ApiError;
use crate::model::parse_bool;

pub(crate) const ANN_CONFIRMED_BY: &str = "deletion.gardener.cloud/confirmed-by";

fn confirmed(obj: &Value) -> bool {
    obj["metadata"]["annotations"][ANN_CONFIRM]
        .as_str()
        .and_then(parse_bool)
        .unwrap_or(false)
}

/// On create and update of a shoot: a fresh confirmation names the requester,
/// a kept one keeps its confirmer, no confirmation removes the name.
pub(crate) fn maintain_confirmed_by(old: Option<&Value>, new: &mut Value, user: &str) {
    let by = match (old.is_some_and(confirmed), confirmed(new)) {
        (_, false) => None,
        (false, true) => Some(user.to_string()),
        (true, true) => Some(
            old.and_then(|o| o["metadata"]["annotations"][ANN_CONFIRMED_BY].as_str())
                .unwrap_or("")
                .to_string(),
        ),
    };
    match by {
        Some(by) => {
            if !new["metadata"]["annotations"].is_object() {
                new["metadata"]["annotations"] = json!({});
            }
            new["metadata"]["annotations"][ANN_CONFIRMED_BY] = json!(by);
        }
        None => {
            if let Some(a) = new["metadata"]["annotations"].as_object_mut() {
                a.remove(ANN_CONFIRMED_BY);
            }
        }
    }
}

/// metav1.LabelSelector semantics: matchLabels and matchExpressions all hold;
/// an empty selector selects everything.
fn selects(selector: &Value, labels: &Value) -> bool {
    crate::ops::approval::selects_by(selector, |k| labels[k].as_str())
}

/// Whether any of the project's `dualApprovalForDeletion` rules for `shoots`
/// selects the shoot (Gardener checks them all, not just the first).
fn requires_dual_approval(project: &Value, shoot: &Value) -> bool {
    project["spec"]["dualApprovalForDeletion"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["resource"].as_str() == Some("shoots"))
        .any(|r| selects(&r["selector"], &shoot["metadata"]["labels"]))
}

/// On DELETE of a confirmed shoot: refuses the confirmer when the project asks
/// for dual approval of this shoot.
pub(crate) fn check_dual_approval(
    kube: &KubeStore,
    shoot: &Value,
    user: &str,
) -> Result<(), ApiError> {
    let ns = shoot["metadata"]["namespace"].as_str().unwrap_or("");
    let Some(project) = kube
        .list(PROJECTS)
        .find(|p| p["spec"]["namespace"].as_str() == Some(ns))
    else {
        return Ok(());
    };
    let required = requires_dual_approval(project, shoot);
    let by = shoot["metadata"]["annotations"][ANN_CONFIRMED_BY].as_str();
    if required && by == Some(user) {
        return Err(ApiError::forbidden(
            &RESOURCES[SHOOTS],
            shoot["metadata"]["name"].as_str().unwrap_or(""),
            "you are not allowed to both confirm the deletion and send the actual DELETE request - another subject must perform the deletion",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmer_is_recorded_kept_and_dropped() {
        let conf = |by: Option<&str>| {
            let mut a = json!({ANN_CONFIRM: "true"});
            if let Some(b) = by {
                a[ANN_CONFIRMED_BY] = json!(b);
            }
            json!({"metadata": {"annotations": a}})
        };
        let mut fresh = conf(None);
        maintain_confirmed_by(Some(&json!({"metadata": {}})), &mut fresh, "alice");
        assert_eq!(fresh["metadata"]["annotations"][ANN_CONFIRMED_BY], "alice");
        let mut kept = conf(Some("bob"));
        maintain_confirmed_by(Some(&conf(Some("alice"))), &mut kept, "bob");
        assert_eq!(kept["metadata"]["annotations"][ANN_CONFIRMED_BY], "alice");
        let mut gone = json!({"metadata": {"annotations": {ANN_CONFIRMED_BY: "alice"}}});
        maintain_confirmed_by(Some(&conf(Some("alice"))), &mut gone, "bob");
        assert!(gone["metadata"]["annotations"][ANN_CONFIRMED_BY].is_null());
    }

    #[test]
    fn every_shoots_rule_counts_not_only_the_first() {
        let project = json!({"spec": {"dualApprovalForDeletion": [
            {"resource": "shoots", "selector": {"matchLabels": {"env": "dev"}}},
            {"resource": "shoots", "selector": {"matchLabels": {"env": "prod"}}}]}});
        let prod = json!({"metadata": {"labels": {"env": "prod"}}});
        assert!(requires_dual_approval(&project, &prod));
        let test = json!({"metadata": {"labels": {"env": "test"}}});
        assert!(!requires_dual_approval(&project, &test));
    }

    #[test]
    fn selectors_follow_metav1() {
        let labels = json!({"env": "prod", "team": "a"});
        assert!(selects(&json!({}), &labels));
        assert!(selects(&json!({"matchLabels": {"env": "prod"}}), &labels));
        assert!(!selects(&json!({"matchLabels": {"env": "dev"}}), &labels));
        assert!(selects(
            &json!({"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]}),
            &labels
        ));
        assert!(!selects(
            &json!({"matchExpressions": [{"key": "gone", "operator": "Exists"}]}),
            &labels
        ));
    }
}
