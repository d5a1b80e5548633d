//! "May I?" before "do it": `SelfSubjectAccessReview`s for the actions the
//! console offers, cached for a while so the TUI can grey out what the user's
//! RBAC forbids (with the reason) without asking the server on every frame.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Api;
use kube::api::PostParams;

use super::shoot::ShootOp;
use super::{ObjectRef, OpError};
use crate::model::gardener::GROUP as GARDENER_GROUP;

/// How long an answer is trusted; RBAC changes rarely, but not never.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// One question to the authorizer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessCheck {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl AccessCheck {
    pub fn new(verb: &str, group: &str, resource: &str) -> Self {
        Self {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: None,
            namespace: None,
            name: None,
        }
    }

    pub fn on(mut self, target: &ObjectRef) -> Self {
        self.namespace = Some(target.namespace.clone());
        self.name = Some(target.name.clone());
        self
    }

    /// What a shoot operation needs: all of them are patches of the shoot.
    pub fn shoot_op(_op: ShootOp, target: &ObjectRef) -> Self {
        Self::new("patch", GARDENER_GROUP, "shoots").on(target)
    }

    /// Deleting needs both: the confirmation patch and the DELETE.
    pub fn shoot_delete(target: &ObjectRef) -> [Self; 2] {
        [
            Self::new("patch", GARDENER_GROUP, "shoots").on(target),
            Self::new("delete", GARDENER_GROUP, "shoots").on(target),
        ]
    }

    pub fn cluster(verb: &str, target: &ObjectRef) -> Self {
        Self::new(verb, "cluster.x-k8s.io", "clusters").on(target)
    }

    pub fn tenant_control_plane(verb: &str, target: &ObjectRef) -> Self {
        Self::new(verb, "kamaji.clastix.io", "tenantcontrolplanes").on(target)
    }

    fn describe(&self) -> String {
        let res = match &self.subresource {
            Some(s) => format!("{}/{s}", self.resource),
            None => self.resource.clone(),
        };
        let res = if self.group.is_empty() {
            res
        } else {
            format!("{res}.{}", self.group)
        };
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{} {res} {ns}/{n}", self.verb),
            (Some(ns), None) => format!("{} {res} in {ns}", self.verb),
            (None, Some(n)) => format!("{} {res} {n}", self.verb),
            (None, None) => format!("{} {res}", self.verb),
        }
    }
}

/// The authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub allowed: bool,
    /// Why, for the user: the authorizer's reason, or what is missing.
    pub reason: String,
}

/// Asks the API server once, uncached.
pub async fn review(client: &kube::Client, check: &AccessCheck) -> Result<Access, OpError> {
    let ssar = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(check.verb.clone()),
                group: Some(check.group.clone()),
                resource: Some(check.resource.clone()),
                subresource: check.subresource.clone(),
                namespace: check.namespace.clone(),
                name: check.name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api = Api::<SelfSubjectAccessReview>::all(client.clone());
    let answer = api.create(&PostParams::default(), &ssar).await?;
    let status = answer.status.unwrap_or_default();
    let reason = status
        .reason
        .filter(|r| !r.is_empty())
        .or(status.evaluation_error.filter(|e| !e.is_empty()));
    Ok(Access {
        allowed: status.allowed,
        reason: match (status.allowed, reason) {
            (_, Some(r)) => r,
            (true, None) => format!("allowed to {}", check.describe()),
            (false, None) => format!("RBAC does not allow you to {}", check.describe()),
        },
    })
}

/// Answers per cluster, each trusted for `ttl`. Clones share the cache.
#[derive(Clone)]
pub struct AccessCache {
    client: kube::Client,
    ttl: Duration,
    entries: Arc<Mutex<HashMap<AccessCheck, (Instant, Access)>>>,
}

impl std::fmt::Debug for AccessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl AccessCache {
    pub fn new(client: kube::Client, ttl: Duration) -> Self {
        Self {
            client,
            ttl,
            entries: Arc::default(),
        }
    }

    /// A fresh cached answer, without asking (for rendering).
    pub fn cached(&self, check: &AccessCheck) -> Option<Access> {
        self.lookup(check, Instant::now())
    }

    /// The cached answer, or the server's (then cached). Errors are not cached.
    pub async fn check(&self, check: &AccessCheck) -> Result<Access, OpError> {
        if let Some(a) = self.cached(check) {
            return Ok(a);
        }
        let a = review(&self.client, check).await?;
        self.insert(check.clone(), a.clone(), Instant::now());
        Ok(a)
    }

    /// All checks must pass; the first refusal is the answer.
    pub async fn check_all(&self, checks: &[AccessCheck]) -> Result<Access, OpError> {
        let mut last = None;
        for c in checks {
            let a = self.check(c).await?;
            if !a.allowed {
                return Ok(a);
            }
            last = Some(a);
        }
        Ok(last.unwrap_or(Access {
            allowed: true,
            reason: String::new(),
        }))
    }

    /// Forget everything (e.g. after switching credentials).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn lookup(&self, check: &AccessCheck, now: Instant) -> Option<Access> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(check)
            .filter(|(at, _)| now.saturating_duration_since(*at) < self.ttl)
            .map(|(_, a)| a.clone())
    }

    fn insert(&self, check: AccessCheck, access: Access, now: Instant) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(check, (now, access));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_client() -> kube::Client {
        crate::source::metal::ensure_crypto_provider();
        let cfg = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        kube::Client::try_from(cfg).unwrap()
    }

    #[tokio::test]
    async fn answers_expire_after_the_ttl() {
        let cache = AccessCache::new(offline_client(), Duration::from_secs(60));
        let check = AccessCheck::shoot_op(ShootOp::Hibernate, &ObjectRef::new("garden-a", "web"));
        let t0 = Instant::now();
        let no = Access {
            allowed: false,
            reason: "nope".into(),
        };
        cache.insert(check.clone(), no.clone(), t0);
        assert_eq!(cache.lookup(&check, t0 + Duration::from_secs(59)), Some(no));
        assert_eq!(cache.lookup(&check, t0 + Duration::from_secs(60)), None);
        let other = AccessCheck::new("delete", GARDENER_GROUP, "shoots");
        assert_eq!(cache.lookup(&other, t0), None);
        cache.clear();
        assert_eq!(cache.lookup(&check, t0), None);
    }

    #[test]
    fn describes_the_question_for_refusal_reasons() {
        let c =
            AccessCheck::new("delete", GARDENER_GROUP, "shoots").on(&ObjectRef::new("ns", "web"));
        assert_eq!(c.describe(), "delete shoots.core.gardener.cloud ns/web");
    }
}
