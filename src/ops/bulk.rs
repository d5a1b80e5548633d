//! One shoot operation over many shoots with bounded concurrency. Every target
//! gets its own result, in the order given; a failure never hides the others.

use std::time::{Duration, Instant};

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

/// The token that confirms a selection: the first 12 hex digits of the
/// SHA-256 of its uids, sorted and one per line. It names the exact set of
/// objects (not their number), so a selection that gained, lost or swapped a
/// shoot since the operator listed it has another token.
pub fn selection_token<'a>(uids: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::Digest;
    let mut uids: Vec<&str> = uids.into_iter().collect();
    uids.sort_unstable();
    uids.dedup();
    let mut h = sha2::Sha256::new();
    for u in uids {
        h.update(u.as_bytes());
        h.update(b"\n");
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The token of targets that are all bound to a uid; `None` otherwise.
pub fn token_of(targets: &[ObjectRef]) -> Option<String> {
    let uids: Option<Vec<&str>> = targets.iter().map(|t| t.uid.as_deref()).collect();
    uids.map(selection_token)
}

/// How a bulk delete is confirmed:
/// - targets all bound to their uids: the [`selection_token`] of the set;
/// - one target: its name (a dialog bound to that object) or `namespace/name`;
/// - several targets bound to their uids (a selection): only the token,
///   never a count;
/// - several targets named one by one (no uids): their number.
pub fn check_bulk_confirmation(targets: &[ObjectRef], typed: &str) -> Result<(), OpError> {
    let token = token_of(targets);
    match targets {
        [] => Err(OpError::Refused(Refusal::NothingToDelete)),
        _ if token.as_deref() == Some(typed) => Ok(()),
        [one] if typed == one.to_string() => Ok(()),
        [one] => super::check_typed_name(typed, &one.name),
        many => match token {
            Some(token) => Err(OpError::Refused(Refusal::TypedTokenMismatch {
                typed: typed.to_string(),
                token,
                count: many.len(),
            })),
            None if typed == many.len().to_string() => Ok(()),
            None => Err(OpError::Refused(Refusal::TypedCountMismatch {
                typed: typed.to_string(),
                count: many.len(),
            })),
        },
    }
}

/// Time limits of a run: each target's operation gets `per_target` (the
/// requests of one operation together), and the run as a whole ends at
/// `overall`: a target not started by then is reported as not sent, one in
/// flight is cut off. `None` means no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub per_target: Option<Duration>,
    pub overall: Option<Duration>,
}

impl Limits {
    /// Per target `timeout`; the run ends after twice that, however many
    /// targets there are (they run [`DEFAULT_CONCURRENCY`] at a time).
    pub fn from_timeout(timeout: Duration) -> Self {
        Self {
            per_target: Some(timeout),
            overall: Some(timeout * 2),
        }
    }
}

/// The message of an operation that got no answer in time.
pub fn no_answer(service: &str, after: Duration) -> OpError {
    OpError::Transport(format!(
        "no answer from the {service} within {}s; the request may or may not have arrived \
         (check with `kclm get`)",
        after.as_secs_f64()
    ))
}

/// Runs `fut` within the run's limits (see [`Limits`]).
pub(crate) async fn limited<F>(
    fut: F,
    limits: Limits,
    deadline: Option<Instant>,
    service: &str,
) -> Result<Outcome, OpError>
where
    F: std::future::Future<Output = Result<Outcome, OpError>>,
{
    let now = Instant::now();
    if let (Some(d), Some(overall)) = (deadline, limits.overall)
        && now >= d
    {
        return Err(OpError::Transport(format!(
            "not sent: the run's overall deadline ({}s) had passed",
            overall.as_secs_f64()
        )));
    }
    let per = limits.per_target.map(|p| now + p);
    let until = match (per, deadline) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match until {
        None => fut.await,
        Some(until) => match tokio::time::timeout_at(until.into(), fut).await {
            Ok(r) => r,
            Err(_) => Err(no_answer(service, until - now)),
        },
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
    run_limited(client, ctx, op, targets, concurrency, Limits::default()).await
}

/// [`run`] within time [`Limits`].
pub async fn run_limited(
    client: &kube::Client,
    ctx: &OpContext,
    op: ShootOp,
    targets: &[ObjectRef],
    concurrency: usize,
    limits: Limits,
) -> BulkReport {
    let targets = dedup(targets);
    let deadline = limits.overall.map(|d| Instant::now() + d);
    let results = futures::stream::iter(targets.into_iter().map(|t| async move {
        let result = limited(shoot::run(client, ctx, op, &t), limits, deadline, "garden").await;
        TargetResult { target: t, result }
    }))
    .buffered(concurrency.max(1))
    .collect()
    .await;
    BulkReport { results }
}

/// Deletes every target after checking the typed confirmation (see
/// [`check_bulk_confirmation`]); each delete runs the full annotate-then-DELETE
/// flow with its own protection check and revert, and a target bound to a uid
/// is deleted only while it still has that uid.
pub async fn delete(
    client: &kube::Client,
    ctx: &OpContext,
    targets: &[ObjectRef],
    typed_confirmation: &str,
    concurrency: usize,
) -> Result<BulkReport, OpError> {
    delete_limited(
        client,
        ctx,
        targets,
        typed_confirmation,
        concurrency,
        Limits::default(),
    )
    .await
}

/// [`delete`] within time [`Limits`].
pub async fn delete_limited(
    client: &kube::Client,
    ctx: &OpContext,
    targets: &[ObjectRef],
    typed_confirmation: &str,
    concurrency: usize,
    limits: Limits,
) -> Result<BulkReport, OpError> {
    let targets = dedup(targets);
    // Read-only wins over everything: each target is refused (and audited) on
    // its own line, before any request, whatever was typed.
    if !ctx.readonly {
        check_bulk_confirmation(&targets, typed_confirmation)?;
    }
    let deadline = limits.overall.map(|d| Instant::now() + d);
    let results = futures::stream::iter(targets.into_iter().map(|t| async move {
        let result = limited(
            shoot::delete_confirmed(client, ctx, &t),
            limits,
            deadline,
            "garden",
        )
        .await;
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
    fn a_selection_is_confirmed_by_the_token_of_its_uids_never_by_a_count() {
        let bound = |n: &[(&str, &str)]| -> Vec<ObjectRef> {
            n.iter()
                .map(|(name, uid)| ObjectRef::new("ns", *name).with_uid(*uid))
                .collect()
        };
        let set = bound(&[("a", "u1"), ("b", "u2")]);
        let token = token_of(&set).unwrap();
        assert_eq!(token.len(), 12);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
        assert!(check_bulk_confirmation(&set, &token).is_ok());
        let e = check_bulk_confirmation(&set, "2").unwrap_err();
        assert!(e.to_string().contains(&token), "{e}");
        // the order does not matter; another member, or a replaced one, does
        assert_eq!(
            token_of(&bound(&[("b", "u2"), ("a", "u1")])),
            Some(token.clone())
        );
        assert_ne!(
            token_of(&bound(&[("a", "u1"), ("b", "u3")])),
            Some(token.clone())
        );
        assert_ne!(
            token_of(&bound(&[("a", "u1"), ("b", "u2"), ("c", "u4")])),
            Some(token)
        );
        assert_eq!(token_of(&refs(&["a"])), None);
    }

    #[test]
    fn one_target_takes_its_name_or_its_full_reference_only() {
        let t = [ObjectRef::new("garden-platform", "postgres")];
        assert!(check_bulk_confirmation(&t, "postgres").is_ok());
        assert!(check_bulk_confirmation(&t, "garden-platform/postgres").is_ok());
        assert!(check_bulk_confirmation(&t, "garden-webshop/postgres").is_err());
    }

    #[tokio::test]
    async fn a_stalled_target_times_out_and_the_run_keeps_its_deadline() {
        let limits = Limits {
            per_target: Some(Duration::from_millis(50)),
            overall: Some(Duration::from_millis(120)),
        };
        let deadline = Some(Instant::now() + Duration::from_millis(120));
        let stalled = std::future::pending::<Result<Outcome, OpError>>();
        let e = limited(stalled, limits, deadline, "garden")
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("no answer from the garden within 0.05s"),
            "{e}"
        );
        // past the run's deadline nothing more is started
        let passed = Some(Instant::now());
        let e = limited(std::future::pending(), limits, passed, "garden")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not sent"), "{e}");
        let ctx = OpContext::default();
        let done = async {
            Ok(Outcome::noop(
                &ctx,
                "x",
                "ns/a",
                NoopReason::AlreadyHibernated,
            ))
        };
        let ok = limited(done, Limits::default(), None, "garden").await;
        assert!(ok.is_ok());
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
