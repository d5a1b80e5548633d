//! Lifecycle operations: hibernate, wake, delete (typed confirmation), reconcile,
//! retry, credential rotations, Cluster-API pause/delete, Kamaji delete, metal
//! power/LED/reserve/lock, plus bulk runs, access reviews and the audit log.
//!
//! Callers describe an operation as an [`Op`] in an [`OpRequest`] and run it
//! with [`execute()`] in an [`OpsEnv`] (clients, [`OpContext`], access caches):
//! the CLI, the TUI and the workflows share that one dispatcher. Underneath,
//! every operation is an async fn taking the client and an [`OpContext`] and
//! returning `Result<Outcome, OpError>`. Outcomes are types: an [`Outcome`] is
//! [`OutcomeKind::Changed`] or a [`NoopReason`]; a refusal is a [`Refusal`] in
//! [`OpError::Refused`]. The order inside every mutation is fixed: read-only
//! refusal first (before any request), then local preconditions (for shoots
//! the public [`shoot::precondition`], which the TUI asks too), then the
//! request (with `dryRun=All` when asked), then one audit line.

pub mod access;
pub mod approval;
pub mod audit;
pub mod bulk;
pub mod capi;
pub mod execute;
pub mod metal;
pub mod outcome;
pub mod request;
pub mod shoot;
mod shoot_delete;

use serde::Serialize;

use crate::model::ObjectMeta;
use crate::source::metal::MetalError;

pub use audit::{AuditEntry, AuditLog};
pub use execute::{DEFAULT_TIMEOUT, OpsEnv, execute};
pub use outcome::{NoopReason, OutcomeKind, Refusal, Service, Unmet, Verdict};
pub use request::{Op, OpReport, OpRequest};

/// What every mutation needs besides its client: the safety switches and who
/// to write into the audit log as having done it.
#[derive(Clone, Debug, Default)]
pub struct OpContext {
    /// Refuse every mutation before any request is sent.
    pub readonly: bool,
    /// Send mutations with `dryRun=All` (metal-api has no dry run: nothing is sent).
    pub dry_run: bool,
    /// `key=value` or `key` labels/annotations that protect an object from deletion.
    pub protect: Vec<String>,
    pub audit: Option<AuditLog>,
    /// The landscape's name, for the audit log.
    pub landscape: String,
    /// Who acts: a kubeconfig context or a metal auth type; never a credential.
    pub actor: String,
    /// The kubeconfig user of the actor's context, when it is one.
    pub user: Option<String>,
}

impl OpContext {
    /// Refuses the action when the landscape is read-only. Called first in every
    /// mutation, so a read-only refusal never sends a request.
    pub(crate) fn writable(&self) -> Result<(), OpError> {
        if self.readonly {
            Err(OpError::Refused(Refusal::ReadOnly {
                landscape: self.landscape.clone(),
            }))
        } else {
            Ok(())
        }
    }

    /// Appends the result to the audit log (if any) and hands it back.
    pub(crate) fn record(
        &self,
        action: &str,
        target: &str,
        result: Result<Outcome, OpError>,
    ) -> Result<Outcome, OpError> {
        if let Some(log) = &self.audit {
            let entry = AuditEntry::new(self, action, target, &result);
            if let Err(e) = log.append(&entry) {
                // An unwritable audit log must not turn a done mutation into a
                // reported failure; it is logged so it is not silent either.
                tracing::warn!(path = %log.path().display(), error = %e, "audit log not written");
            }
        }
        result
    }
}

/// A successful operation: what it came to, and the same described for humans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `namespace/name` or a machine id.
    pub target: String,
    pub action: String,
    pub kind: OutcomeKind,
    pub message: String,
    pub dry_run: bool,
}

impl Outcome {
    /// Something was sent and accepted; `message` says what.
    pub(crate) fn new(ctx: &OpContext, action: &str, target: &str, message: String) -> Self {
        Self {
            target: target.to_string(),
            action: action.to_string(),
            kind: OutcomeKind::Changed,
            message: if ctx.dry_run {
                format!("{message} (dry run)")
            } else {
                message
            },
            dry_run: ctx.dry_run,
        }
    }

    /// Nothing was sent: the object is already where it should go.
    pub(crate) fn noop(ctx: &OpContext, action: &str, target: &str, why: NoopReason) -> Self {
        Self {
            target: target.to_string(),
            action: action.to_string(),
            message: why.to_string(),
            kind: OutcomeKind::Noop(why),
            dry_run: ctx.dry_run,
        }
    }

    pub(crate) fn of(ctx: &OpContext, action: &str, target: &str, applied: Applied) -> Self {
        match applied {
            Applied::Patched(message) => Self::new(ctx, action, target, message),
            Applied::Noop(why) => Self::noop(ctx, action, target, why),
        }
    }

    pub fn is_noop(&self) -> bool {
        matches!(self.kind, OutcomeKind::Noop(_))
    }
}

/// Why an operation did not happen (or did not fully happen).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// Refused by kclm (read-only, typed name, protection, a precondition ...);
    /// nothing was changed.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The API server said no; `message` is its text, verbatim.
    #[error("{message}")]
    Api {
        code: u16,
        reason: String,
        message: String,
    },
    /// 409 that survived the retries (or was not retried because the request
    /// was not idempotent); the server's message.
    #[error("conflict: {0}")]
    Conflict(String),
    /// No answer (network, TLS, timeout); the request may or may not have arrived.
    #[error("{0}")]
    Transport(String),
    #[error("{}", metal_message(.0))]
    Metal(MetalError),
}

impl OpError {
    /// Whether the refusal happened before anything was sent.
    pub fn is_local(&self) -> bool {
        matches!(self, OpError::Refused(_))
    }

    /// The refusal, when kclm refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            OpError::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// HTTP status of a server refusal.
    pub fn code(&self) -> Option<u16> {
        match self {
            OpError::Api { code, .. } => Some(*code),
            OpError::Conflict(_) => Some(409),
            OpError::Metal(MetalError::Forbidden { status, .. })
            | OpError::Metal(MetalError::Http { status, .. }) => Some(*status),
            _ => None,
        }
    }
}

fn metal_message(e: &MetalError) -> String {
    match e {
        MetalError::Forbidden { status, message } => format!(
            "metal-api refused ({status}): needs Metal-Edit rights for this operation \
             (the configured credentials may be Metal-View): {message}"
        ),
        other => other.to_string(),
    }
}

impl From<kube::Error> for OpError {
    fn from(e: kube::Error) -> Self {
        match &e {
            kube::Error::Api(s) if s.code == 409 => OpError::Conflict(s.message.clone()),
            kube::Error::Api(s) => OpError::Api {
                code: s.code,
                reason: s.reason.clone(),
                message: if s.message.is_empty() {
                    format!("HTTP {} {}", s.code, s.reason)
                } else {
                    s.message.clone()
                },
            },
            _ => OpError::Transport(crate::source::kube::error_message(&e)),
        }
    }
}

impl From<MetalError> for OpError {
    fn from(e: MetalError) -> Self {
        match e {
            MetalError::Unreachable { .. } => OpError::Transport(e.to_string()),
            other => OpError::Metal(other),
        }
    }
}

/// `namespace/name` of a namespaced object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    pub namespace: String,
    pub name: String,
    /// When set, the operation applies to the object with exactly this uid:
    /// a same-named object created in its place is refused, not touched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

impl ObjectRef {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            uid: None,
        }
    }

    /// The object with exactly this uid (see [`ObjectRef::uid`]).
    pub fn with_uid(mut self, uid: impl Into<String>) -> Self {
        self.uid = Some(uid.into());
        self
    }
}

/// Refuses when `target` is bound to a uid and the object read has another
/// one (it was deleted and created again under the same name).
pub(crate) fn check_uid(target: &ObjectRef, meta: &ObjectMeta) -> Result<(), OpError> {
    match &target.uid {
        Some(uid) if meta.uid.as_deref() != Some(uid.as_str()) => {
            Err(OpError::Refused(Refusal::Precondition(Unmet::Gone {
                what: format!(
                    "{target} with uid {uid} (the object of that name now has uid {})",
                    meta.uid.as_deref().unwrap_or("none")
                ),
            })))
        }
        _ => Ok(()),
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

impl std::str::FromStr for ObjectRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((ns, name))
                if !ns.is_empty() && !name.is_empty() && !name.contains('/') && valid(ns) =>
            {
                if valid(name) {
                    Ok(Self::new(ns, name))
                } else {
                    Err(format!("{name:?} is not a valid object name"))
                }
            }
            _ => Err(format!("{s:?} is not NAMESPACE/NAME")),
        }
    }
}

/// DNS-1123 subdomain characters; catches typos and shell accidents early.
fn valid(s: &str) -> bool {
    s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// The typed confirmation must be exactly the object's name: no trimming, no
/// case folding, so a slip of the finger never deletes.
pub fn check_typed_name(typed: &str, name: &str) -> Result<(), OpError> {
    if typed == name {
        Ok(())
    } else {
        Err(OpError::Refused(Refusal::TypedNameMismatch {
            typed: typed.to_string(),
            name: name.to_string(),
        }))
    }
}

/// The strict form of the typed confirmation where names repeat across
/// namespaces (the CLI, which is not bound to an object on screen): exactly
/// `namespace/name`, so a slip onto a same-named object elsewhere never deletes.
pub fn check_typed_ref(typed: &str, target: &ObjectRef) -> Result<(), OpError> {
    let want = format!("{}/{}", target.namespace, target.name);
    if typed == want {
        Ok(())
    } else {
        Err(OpError::Refused(Refusal::TypedNameMismatch {
            typed: typed.to_string(),
            name: want,
        }))
    }
}

/// The first `protect` entry (`key` or `key=value`) the object's labels or
/// annotations match, if any.
pub fn protection<'a>(meta: &ObjectMeta, protect: &'a [String]) -> Option<&'a str> {
    let has = |key: &str, value: Option<&str>| {
        [meta.labels.as_ref(), meta.annotations.as_ref()]
            .into_iter()
            .flatten()
            .any(|m| {
                m.get(key)
                    .is_some_and(|v| value.is_none_or(|want| v == want))
            })
    };
    protect.iter().map(String::as_str).find(|rule| {
        let (key, value) = match rule.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (rule.trim(), None),
        };
        !key.is_empty() && has(key, value)
    })
}

/// Whether an object (`what`, e.g. `shoot ns/name`) may be deleted as it is:
/// not protected, not being deleted already. The TUI asks this on the watched
/// object to grey out "delete"; the executor asks it again on a fresh read.
pub fn delete_precondition(
    meta: &ObjectMeta,
    protect: &[String],
    what: &str,
) -> Result<(), Refusal> {
    if let Some(rule) = protection(meta, protect) {
        return Err(Refusal::Protected {
            what: what.to_string(),
            rule: rule.to_string(),
        });
    }
    if meta.deletion_timestamp.is_some() {
        return Err(Refusal::Precondition(Unmet::BeingDeleted {
            what: what.to_string(),
        }));
    }
    Ok(())
}

/// Tries of a guarded patch before a 409 is surfaced.
pub(crate) const MAX_TRIES: usize = 3;

/// What a precondition check decided for the freshly read object.
pub(crate) enum Step {
    /// Send this merge patch; report the message on success.
    Patch(serde_json::Value, String),
    /// Nothing to change (already in the wanted state).
    Done(NoopReason),
}

/// What [`patch_guarded`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// The patch was accepted; the message of its step.
    Patched(String),
    /// Nothing was sent.
    Noop(NoopReason),
}

pub(crate) fn patch_params(ctx: &OpContext) -> kube::api::PatchParams {
    kube::api::PatchParams {
        dry_run: ctx.dry_run,
        field_manager: Some("kclm".into()),
        ..Default::default()
    }
}

/// Reads the object, checks the preconditions on what was read and sends the
/// merge patch guarded by that read's `resourceVersion`, so a precondition can
/// never be checked on one version and applied to another. A 409 means the
/// object changed in between: read again, check again, at most [`MAX_TRIES`]
/// times. Only idempotent patches go through here, which is what makes the
/// retry safe.
pub(crate) async fn patch_guarded<K, F>(
    api: &kube::Api<K>,
    ctx: &OpContext,
    name: &str,
    step: F,
) -> Result<(K, Applied), OpError>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    F: Fn(&K) -> Result<Step, OpError>,
{
    let mut last = String::new();
    for _ in 0..MAX_TRIES {
        let obj = api.get(name).await?;
        let (mut patch, message) = match step(&obj)? {
            Step::Done(why) => return Ok((obj, Applied::Noop(why))),
            Step::Patch(p, m) => (p, m),
        };
        if let Some(rv) = obj.meta().resource_version.clone() {
            patch["metadata"]["resourceVersion"] = serde_json::Value::String(rv);
        }
        match api
            .patch(name, &patch_params(ctx), &kube::api::Patch::Merge(&patch))
            .await
        {
            Ok(o) => return Ok((o, Applied::Patched(message))),
            Err(e) => match OpError::from(e) {
                OpError::Conflict(m) => last = m,
                other => return Err(other),
            },
        }
    }
    Err(OpError::Conflict(format!(
        "{last} (still changing after {MAX_TRIES} tries)"
    )))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> ObjectMeta {
        let map = |kv: &[(&str, &str)]| {
            Some(
                kv.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        ObjectMeta {
            labels: map(labels),
            annotations: map(annotations),
            ..Default::default()
        }
    }

    /// The TUI moves operations into spawned tasks: their futures must be Send.
    #[allow(dead_code)]
    fn operation_futures_are_send(
        c: kube::Client,
        ctx: OpContext,
        t: ObjectRef,
        m: crate::source::metal::MetalClient,
    ) {
        fn send<T: Send>(_: T) {}
        send(shoot::run(&c, &ctx, shoot::ShootOp::Hibernate, &t));
        send(shoot::delete(&c, &ctx, &t, "x"));
        send(bulk::run(&c, &ctx, shoot::ShootOp::Wake, &[], 4));
        send(bulk::delete(&c, &ctx, &[], "0", 4));
        send(capi::pause(&c, &ctx, &t));
        send(capi::delete_tenant_control_plane(&c, &ctx, &t, "x"));
        send(metal::power(&m, &ctx, "id", metal::PowerCommand::On, None));
        send(metal::set_state(
            &m,
            &ctx,
            "id",
            metal::StateChange::Lock,
            "d",
            None,
        ));
        let cache = access::AccessCache::new(c.clone(), access::DEFAULT_TTL);
        send(async move {
            cache
                .check(&access::AccessCheck::new("get", "", "pods"))
                .await
        });
    }

    #[test]
    fn typed_name_must_match_exactly() {
        assert!(check_typed_name("web", "web").is_ok());
        for typo in ["Web", "web ", " web", "we", "web1", ""] {
            let e = check_typed_name(typo, "web").unwrap_err();
            assert!(
                matches!(e, OpError::Refused(Refusal::TypedNameMismatch { .. })),
                "{typo:?}"
            );
        }
    }

    #[test]
    fn the_strict_confirmation_is_the_full_reference() {
        let meant = ObjectRef::new("garden-webshop", "postgres");
        let slip = ObjectRef::new("garden-platform", "postgres");
        assert!(check_typed_ref("garden-webshop/postgres", &meant).is_ok());
        for typed in [
            "postgres",
            "garden-webshop/postgres",
            "garden-platform/postgres ",
        ] {
            assert!(check_typed_ref(typed, &slip).is_err(), "{typed:?}");
        }
        assert!(check_typed_ref("garden-platform/postgres", &slip).is_ok());
    }

    #[test]
    fn a_uid_bound_reference_refuses_a_replacement() {
        let mut m = meta(&[], &[]);
        m.uid = Some("new".into());
        let t = ObjectRef::new("ns", "a").with_uid("old");
        let e = check_uid(&t, &m).unwrap_err();
        assert!(e.to_string().contains("uid old"), "{e}");
        assert!(check_uid(&ObjectRef::new("ns", "a"), &m).is_ok());
        assert!(check_uid(&ObjectRef::new("ns", "a").with_uid("new"), &m).is_ok());
    }

    #[test]
    fn protection_matches_key_or_key_value_on_labels_and_annotations() {
        let rules = vec!["kclm.io/protected=true".to_string(), "keep-me".to_string()];
        assert_eq!(
            protection(&meta(&[("kclm.io/protected", "true")], &[]), &rules),
            Some("kclm.io/protected=true")
        );
        assert_eq!(
            protection(&meta(&[], &[("kclm.io/protected", "true")]), &rules),
            Some("kclm.io/protected=true")
        );
        assert_eq!(
            protection(&meta(&[("kclm.io/protected", "false")], &[]), &rules),
            None
        );
        assert_eq!(
            protection(&meta(&[], &[("keep-me", "")]), &rules),
            Some("keep-me")
        );
        assert_eq!(protection(&meta(&[("other", "x")], &[]), &rules), None);
        assert_eq!(protection(&ObjectMeta::default(), &rules), None);
        let e =
            delete_precondition(&meta(&[("keep-me", "1")], &[]), &rules, "shoot a/b").unwrap_err();
        assert_eq!(
            e,
            Refusal::Protected {
                what: "shoot a/b".into(),
                rule: "keep-me".into()
            }
        );
        assert!(e.to_string().contains("keep-me"), "{e}");
        let going: ObjectMeta = serde_json::from_value(
            serde_json::json!({"deletionTimestamp": "2026-05-02T09:00:00Z"}),
        )
        .unwrap();
        assert!(matches!(
            delete_precondition(&going, &rules, "shoot a/b"),
            Err(Refusal::Precondition(Unmet::BeingDeleted { .. }))
        ));
        assert_eq!(delete_precondition(&meta(&[], &[]), &rules, "x"), Ok(()));
    }

    #[test]
    fn object_refs_parse_strictly() {
        let r: ObjectRef = "garden-acme/web".parse().unwrap();
        assert_eq!(r, ObjectRef::new("garden-acme", "web"));
        assert_eq!(r.to_string(), "garden-acme/web");
        for bad in [
            "web", "/web", "ns/", "a/b/c", "NS/web", "ns/we b", "ns/-web",
        ] {
            assert!(bad.parse::<ObjectRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn readonly_context_refuses() {
        let ctx = OpContext {
            readonly: true,
            landscape: "prod".into(),
            ..Default::default()
        };
        let e = ctx.writable().unwrap_err();
        assert_eq!(
            e,
            OpError::Refused(Refusal::ReadOnly {
                landscape: "prod".into()
            })
        );
        assert!(e.is_local());
        assert!(e.to_string().contains("read-only"));
    }

    #[test]
    fn metal_forbidden_names_the_missing_right() {
        let e = OpError::from(MetalError::Forbidden {
            status: 403,
            message: "you are not member in one of [editors]".into(),
        });
        let s = e.to_string();
        assert!(s.contains("Metal-Edit") && s.contains("not member"), "{s}");
        assert_eq!(e.code(), Some(403));
    }
}
