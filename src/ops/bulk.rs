//! One shoot operation over many shoots with bounded concurrency. Every target
//! gets its own result, in the order given; a failure never hides the others.

use futures::StreamExt;
use serde::Serialize;

use super::shoot::{self, ShootOp};
use super::{NoopReason, ObjectRef, OpContext, OpError, Outcome, OutcomeKind, Refusal};

/// Operations in flight at once: enough to be quick, few enough not to
/// trip API priority and fairness on a busy garden.
pub const DEFAULT_CONCURRENCY: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetResult {
    pub target: ObjectRef,
    pub result: Result<Outcome, OpError>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkReport {
    pub results: Vec<TargetResult>,
}

impl BulkReport {
    pub fn succeeded(&self) -> usize {
        self.results.iter().filter(|r| r.result.is_ok()).count()
    }
    pub fn failed(&self) -> impl Iterator<Item = &TargetResult> {
        self.results.iter().filter(|r| r.result.is_err())
    }
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(|r| r.result.is_ok())
    }
}

/// A result as JSON for `-o json`.
#[derive(Debug, Serialize)]
pub struct ResultJson<'a> {
    pub target: String,
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    pub dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'a str>,
    /// Only for a no-op: why nothing was sent (e.g. `"already_hibernated"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noop: Option<&'a NoopReason>,
}

impl<'a> ResultJson<'a> {
    pub fn of(target: String, r: &'a Result<Outcome, OpError>, dry_run: bool) -> Self {
        match r {
            Ok(o) => Self {
                target,
                ok: true,
                message: o.message.clone(),
                code: None,
                dry_run: o.dry_run,
                action: Some(&o.action),
                noop: match &o.kind {
                    OutcomeKind::Noop(why) => Some(why),
                    OutcomeKind::Changed => None,
                },
            },
            Err(e) => Self {
                target,
                ok: false,
                message: e.to_string(),
                code: e.code(),
                dry_run,
                action: None,
                noop: None,
            },
        }
    }
}

/// Drops repeated targets, keeping the first occurrence's position.
pub fn dedup(targets: &[ObjectRef]) -> Vec<ObjectRef> {
    let mut seen = std::collections::HashSet::new();
    targets
        .iter()
        .filter(|t| seen.insert((*t).clone()))
        .cloned()
        .collect()
}

/// A bulk delete is confirmed by the shoot's name for one target and by the
/// number of (distinct) targets for several, so the typist has to know how
/// many shoots go away.
pub fn check_bulk_confirmation(targets: &[ObjectRef], typed: &str) -> Result<(), OpError> {
    match targets {
        [] => Err(OpError::Refused(Refusal::NothingToDelete)),
        [one] => super::check_typed_name(typed, &one.name),
        many => {
            if typed == many.len().to_string() {
                Ok(())
            } else {
                Err(OpError::Refused(Refusal::TypedCountMismatch {
                    typed: typed.to_string(),
                    count: many.len(),
                }))
            }
        }
    }
}

/// Runs `op` on every target, at most `concurrency` at once.
pub async fn run(
    client: &kube::Client,
    ctx: &OpContext,
    op: ShootOp,
    targets: &[ObjectRef],
    concurrency: usize,
) -> BulkReport {
    let targets = dedup(targets);
    let results = futures::stream::iter(targets.into_iter().map(|t| async move {
        let result = shoot::run(client, ctx, op, &t).await;
        TargetResult { target: t, result }
    }))
    .buffered(concurrency.max(1))
    .collect()
    .await;
    BulkReport { results }
}

/// Deletes every target after checking the typed confirmation (see
/// [`check_bulk_confirmation`]); each delete runs the full annotate-then-DELETE
/// flow with its own protection check and revert.
pub async fn delete(
    client: &kube::Client,
    ctx: &OpContext,
    targets: &[ObjectRef],
    typed_confirmation: &str,
    concurrency: usize,
) -> Result<BulkReport, OpError> {
    let targets = dedup(targets);
    // Read-only wins over everything: each target is refused (and audited) on
    // its own line, before any request, whatever was typed.
    if !ctx.readonly {
        check_bulk_confirmation(&targets, typed_confirmation)?;
    }
    let results = futures::stream::iter(targets.into_iter().map(|t| async move {
        let result = shoot::delete_confirmed(client, ctx, &t).await;
        TargetResult { target: t, result }
    }))
    .buffered(concurrency.max(1))
    .collect()
    .await;
    Ok(BulkReport { results })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(names: &[&str]) -> Vec<ObjectRef> {
        names.iter().map(|n| ObjectRef::new("ns", *n)).collect()
    }

    #[test]
    fn one_target_needs_its_name_several_need_their_count() {
        assert!(check_bulk_confirmation(&refs(&["a"]), "a").is_ok());
        assert!(check_bulk_confirmation(&refs(&["a"]), "1").is_err());
        assert!(check_bulk_confirmation(&refs(&["a", "b", "c"]), "3").is_ok());
        for wrong in ["2", "4", "a", "03", " 3", ""] {
            assert!(
                check_bulk_confirmation(&refs(&["a", "b", "c"]), wrong).is_err(),
                "{wrong:?}"
            );
        }
        assert!(check_bulk_confirmation(&[], "0").is_err());
    }

    #[test]
    fn json_names_a_no_op_and_nothing_else_changes() {
        let ctx = OpContext::default();
        let noop = Ok(Outcome::noop(
            &ctx,
            "hibernate",
            "ns/a",
            NoopReason::AlreadyHibernated,
        ));
        let v = serde_json::to_value(ResultJson::of("ns/a".into(), &noop, false)).unwrap();
        assert_eq!(v["noop"], "already_hibernated");
        assert_eq!(v["ok"], true);
        assert_eq!(v["message"], "already hibernated");
        let changed = Ok(Outcome::new(
            &ctx,
            "hibernate",
            "ns/a",
            "hibernation requested".into(),
        ));
        let v = serde_json::to_value(ResultJson::of("ns/a".into(), &changed, false)).unwrap();
        assert!(v.get("noop").is_none(), "{v}");
    }

    #[test]
    fn duplicates_count_once() {
        let d = dedup(&refs(&["a", "b", "a"]));
        assert_eq!(d, refs(&["a", "b"]));
        assert!(check_bulk_confirmation(&d, "2").is_ok());
    }
}
