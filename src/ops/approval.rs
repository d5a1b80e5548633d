//! Dual approval for shoot deletion (Gardener's four-eyes principle): when the
//! project's `spec.dualApprovalForDeletion` selects a shoot, the subject that
//! confirmed its deletion (recorded by the API server in
//! `deletion.gardener.cloud/confirmed-by`) may not send the DELETE. kclm offers
//! both halves: the first approver's "confirm for deletion" (annotation only)
//! and the second approver's DELETE of an already confirmed shoot.

use kube::Api;
use kube::api::ListParams;
use serde_json::{Value, json};

use super::{
    ObjectRef, OpContext, OpError, Outcome, Step, check_typed_name, delete_precondition,
    patch_guarded,
};
use crate::model::gardener::{ANN_CONFIRM_DELETION, ANN_TIMESTAMP, Project, Shoot};
use crate::model::{annotation, parse_bool};

/// The annotation Gardener's admission keeps with the confirming subject.
pub const ANN_CONFIRMED_BY: &str = "deletion.gardener.cloud/confirmed-by";

/// Whether the shoot's deletion is confirmed (`strconv.ParseBool` semantics).
pub fn is_confirmed(s: &Shoot) -> bool {
    annotation(&s.metadata, ANN_CONFIRM_DELETION).and_then(parse_bool) == Some(true)
}

/// Who confirmed, and when (as far as the annotations say).
pub fn confirmation_of(s: &Shoot) -> (String, String) {
    let by = annotation(&s.metadata, ANN_CONFIRMED_BY)
        .filter(|v| !v.is_empty())
        .unwrap_or("an unknown subject");
    let at = annotation(&s.metadata, ANN_TIMESTAMP)
        .filter(|v| !v.is_empty())
        .unwrap_or("an unknown time");
    (by.to_string(), at.to_string())
}

/// metav1.LabelSelector semantics: all matchLabels and matchExpressions hold;
/// an empty (or absent) selector selects everything.
pub fn selects(selector: &Value, labels: &std::collections::BTreeMap<String, String>) -> bool {
    selects_by(selector, |k| labels.get(k).map(String::as_str))
}

/// [`selects`] over any way of reading a label (the demo reads JSON).
pub fn selects_by<'a>(selector: &Value, label: impl Fn(&str) -> Option<&'a str>) -> bool {
    let labels_ok = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| label(k) == v.as_str());
    let exprs_ok = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e["key"].as_str().unwrap_or("");
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match e["operator"].as_str().unwrap_or("") {
                "In" => label(key).is_some_and(|v| values.contains(&v)),
                "NotIn" => label(key).is_none_or(|v| !values.contains(&v)),
                "Exists" => label(key).is_some(),
                "DoesNotExist" => label(key).is_none(),
                _ => false,
            }
        });
    labels_ok && exprs_ok
}

/// Whether the project's `dualApprovalForDeletion` selects the shoot (any
/// rule for `shoots` whose selector matches the shoot's labels).
pub fn requires_dual_approval(project: &Project, s: &Shoot) -> bool {
    let empty = Default::default();
    let labels = s.metadata.labels.as_ref().unwrap_or(&empty);
    project
        .spec
        .extra
        .get("dualApprovalForDeletion")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r["resource"].as_str() == Some("shoots"))
        .any(|r| selects(&r["selector"], labels))
}

/// Asks the garden cluster whether the shoot's project requires dual approval
/// for it. `None` when kclm cannot tell (e.g. may not read projects): then
/// the server's admission decides, as it always does.
pub async fn dual_approval_required(client: &kube::Client, s: &Shoot) -> Option<bool> {
    let ns = s.namespace();
    let projects = Api::<Project>::all(client.clone())
        .list(&ListParams::default().fields(&format!("spec.namespace={ns}")))
        .await
        .ok()?;
    let project = projects.items.iter().find(|p| p.namespace() == ns)?;
    Some(requires_dual_approval(project, s))
}

/// The first approver's half: writes the deletion confirmation (and the
/// timestamp) without sending a DELETE. The typed text must equal the name.
pub async fn confirm_deletion(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
    typed_confirmation: &str,
) -> Result<Outcome, OpError> {
    let result = match ctx
        .writable()
        .and_then(|_| check_typed_name(typed_confirmation, &target.name))
    {
        Ok(()) => confirm_inner(client, ctx, target).await,
        Err(e) => Err(e),
    };
    ctx.record("confirm-deletion", &target.to_string(), result)
}

async fn confirm_inner(
    client: &kube::Client,
    ctx: &OpContext,
    target: &ObjectRef,
) -> Result<Outcome, OpError> {
    let api = Api::<Shoot>::namespaced(client.clone(), &target.namespace);
    let what = format!("shoot {target}");
    let (_, applied) = patch_guarded(&api, ctx, &target.name, |s| {
        delete_precondition(&s.metadata, &ctx.protect, &what).map_err(OpError::Refused)?;
        if is_confirmed(s) {
            return Ok(Step::Done(super::NoopReason::AlreadyConfirmed));
        }
        let now = jiff::Timestamp::now().to_string();
        Ok(Step::Patch(
            json!({"metadata": {"annotations": {ANN_CONFIRM_DELETION: "true", ANN_TIMESTAMP: now}}}),
            "deletion confirmed; another subject must now send the DELETE \
             (`kclm shoot delete`) where the project requires dual approval"
                .into(),
        ))
    })
    .await?;
    Ok(Outcome::of(
        ctx,
        "confirm-deletion",
        &target.to_string(),
        applied,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(rules: Value) -> Project {
        serde_json::from_value(json!({"metadata": {"name": "acme"},
            "spec": {"namespace": "garden-acme", "dualApprovalForDeletion": rules}}))
        .unwrap()
    }

    fn shoot(labels: Value) -> Shoot {
        serde_json::from_value(
            json!({"metadata": {"name": "web", "namespace": "garden-acme", "labels": labels}}),
        )
        .unwrap()
    }

    #[test]
    fn any_matching_shoots_rule_requires_dual_approval() {
        let p = project(json!([
            {"resource": "projects", "selector": {}},
            {"resource": "shoots", "selector": {"matchLabels": {"env": "dev"}}},
            {"resource": "shoots", "selector": {"matchExpressions":
                [{"key": "env", "operator": "In", "values": ["prod"]}]}}
        ]));
        assert!(requires_dual_approval(&p, &shoot(json!({"env": "prod"}))));
        assert!(requires_dual_approval(&p, &shoot(json!({"env": "dev"}))));
        assert!(!requires_dual_approval(&p, &shoot(json!({"env": "test"}))));
        assert!(!requires_dual_approval(
            &project(json!([])),
            &shoot(json!({}))
        ));
        let all = project(json!([{"resource": "shoots", "selector": {}}]));
        assert!(requires_dual_approval(&all, &shoot(json!({}))));
    }

    #[test]
    fn the_confirmation_names_its_subject_and_time() {
        let s: Shoot = serde_json::from_value(json!({"metadata": {"annotations": {
            ANN_CONFIRM_DELETION: "True", ANN_CONFIRMED_BY: "alice@example.com",
            ANN_TIMESTAMP: "2026-12-03T10:00:00Z"}}}))
        .unwrap();
        assert!(is_confirmed(&s));
        assert_eq!(
            confirmation_of(&s),
            (
                "alice@example.com".to_string(),
                "2026-12-03T10:00:00Z".to_string()
            )
        );
    }
}
