//! The one dispatcher: [`execute`] runs an [`OpRequest`] with the clients and
//! the context of an [`OpsEnv`] and reports every result. The CLI, the TUI and
//! the workflows build the environment once (from a session, or from a target
//! and the clients they connected) and send every operation through here.

use std::path::Path;
use std::time::Duration;

use super::access::{Access, AccessCache, AccessCheck, DEFAULT_TTL};
use super::bulk::{self, DEFAULT_CONCURRENCY, Limits};
use super::request::{Op, OpReport, OpRequest};
use super::{AuditLog, OpContext, OpError, Refusal, Service, capi, metal, shoot};
use crate::config::Target;
use crate::session::Session;
use crate::source::kube::{KubeTarget, default_kubeconfig};
use crate::source::metal::{MetalAuth, MetalClient};

/// The clients and the context operations run with. Clones share the
/// clients, the audit log's lock and the access caches.
#[derive(Clone, Default)]
pub struct OpsEnv {
    pub garden: Option<kube::Client>,
    pub capi: Option<kube::Client>,
    pub metal: Option<MetalClient>,
    /// Safety switches, audit log, landscape, and the actor on the clusters.
    pub ctx: OpContext,
    /// Who acts on metal-api (its auth type; never a credential).
    pub metal_actor: String,
    pub garden_access: Option<AccessCache>,
    pub capi_access: Option<AccessCache>,
    /// How long one operation may wait for its answers; a bulk run ends
    /// after twice that (see [`Limits::from_timeout`]). `None`: no limit.
    pub timeout: Option<Duration>,
}

/// The default of [`OpsEnv::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Who acts on a cluster, for the audit log: the context (the flag's, else
/// the kubeconfig's `current-context`) and that context's user. Reads only
/// names from the kubeconfig, never a credential. A kubeconfig that cannot
/// be read leaves the context as given (or `current-context`) and no user.
pub fn kube_actor(k: &KubeTarget) -> (String, Option<String>) {
    let kc = k
        .kubeconfig
        .clone()
        .or_else(default_kubeconfig)
        .and_then(|p| kube::config::Kubeconfig::read_from(p).ok());
    let context = k
        .context
        .clone()
        .or_else(|| kc.as_ref().and_then(|kc| kc.current_context.clone()));
    let user = context.as_ref().and_then(|name| {
        kc.as_ref()?
            .contexts
            .iter()
            .find(|c| &c.name == name)?
            .context
            .as_ref()?
            .user
            .clone()
    });
    (context.unwrap_or_else(|| "current-context".into()), user)
}

impl OpsEnv {
    /// The environment for a landscape and the clients connected to it, with
    /// the audit log in `state_dir` (the one file the CLI and the TUI append to).
    pub fn new(
        target: &Target,
        garden: Option<kube::Client>,
        capi: Option<kube::Client>,
        metal: Option<MetalClient>,
        state_dir: &Path,
    ) -> Self {
        let metal_actor = match target.metal.as_ref().map(|m| &m.auth) {
            Some(MetalAuth::Hmac { auth_type, .. }) => format!("metal hmac {auth_type}"),
            Some(MetalAuth::Token(_)) => "metal token".into(),
            _ => "metal anonymous".into(),
        };
        let (actor, user) = match &target.garden {
            Some(k) => kube_actor(k),
            None => ("no garden".into(), None),
        };
        Self {
            garden_access: garden.clone().map(|c| AccessCache::new(c, DEFAULT_TTL)),
            capi_access: capi.clone().map(|c| AccessCache::new(c, DEFAULT_TTL)),
            garden,
            capi,
            metal,
            ctx: OpContext {
                readonly: target.readonly,
                dry_run: false,
                protect: target.protect.clone(),
                audit: Some(AuditLog::in_state_dir(state_dir)),
                landscape: target.name.clone(),
                actor,
                user,
            },
            metal_actor,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }

    /// Everything operations need from a started session.
    pub fn from_session(s: &Session, state_dir: &Path) -> Self {
        Self::new(
            &s.target,
            s.garden.clone(),
            s.capi.clone(),
            s.metal.clone(),
            state_dir,
        )
    }

    /// Asks the authorizer of the check's cluster (through the cache shared by
    /// every clone); a failure to ask comes back as text and is not cached.
    pub async fn check_access(&self, check: &AccessCheck) -> Result<Access, String> {
        let cache = if check.group == crate::model::gardener::GROUP {
            &self.garden_access
        } else {
            &self.capi_access
        };
        match cache {
            Some(c) => c.check(check).await.map_err(|e| e.to_string()),
            None => Err("no cluster connected to ask".into()),
        }
    }

    fn client(&self, service: Service) -> Result<&kube::Client, OpError> {
        let c = match service {
            Service::Capi => self.capi.as_ref(),
            _ => self.garden.as_ref(),
        };
        c.ok_or(OpError::Refused(Refusal::NotConnected(service)))
    }

    fn metal_client(&self) -> Result<&MetalClient, OpError> {
        self.metal
            .as_ref()
            .ok_or(OpError::Refused(Refusal::NotConnected(Service::Metal)))
    }
}

/// Runs one request; never panics, every failure becomes a result.
pub async fn execute(env: &OpsEnv, req: OpRequest) -> OpReport {
    let mut ctx = env.ctx.clone();
    ctx.dry_run = req.dry_run;
    let label = req.op.label();
    let one = |result| OpReport::One {
        label: label.clone(),
        result,
    };
    let bulk_report = |results: Vec<bulk::TargetResult>| OpReport::Bulk {
        label: label.clone(),
        dry_run: req.dry_run,
        results: results
            .into_iter()
            .map(|r| (r.target.to_string(), r.result))
            .collect(),
    };
    let limits = env.timeout.map(Limits::from_timeout).unwrap_or_default();
    let single = Limits {
        per_target: env.timeout,
        overall: None,
    };
    match req.op {
        Op::Bulk(op, targets) => match env.client(Service::Garden) {
            Ok(c) => bulk_report(
                bulk::run_limited(c, &ctx, op, &targets, DEFAULT_CONCURRENCY, limits)
                    .await
                    .results,
            ),
            Err(e) => one(Err(e)),
        },
        Op::BulkDelete { targets, typed } => {
            let report = match env.client(Service::Garden) {
                Ok(c) => {
                    bulk::delete_limited(c, &ctx, &targets, &typed, DEFAULT_CONCURRENCY, limits)
                        .await
                }
                Err(e) => Err(e),
            };
            match report {
                Ok(r) => bulk_report(r.results),
                Err(e) => one(Err(e)),
            }
        }
        Op::Shoot(op, t) => one(match env.client(Service::Garden) {
            Ok(c) => bulk::limited(shoot::run(c, &ctx, op, &t), single, None, "garden").await,
            Err(e) => Err(e),
        }),
        Op::DeleteShoot { target, typed } => one(match env.client(Service::Garden) {
            Ok(c) => {
                bulk::limited(
                    shoot::delete(c, &ctx, &target, &typed),
                    single,
                    None,
                    "garden",
                )
                .await
            }
            Err(e) => Err(e),
        }),
        Op::ConfirmShootDeletion { target, typed } => one(match env.client(Service::Garden) {
            Ok(c) => super::approval::confirm_deletion(c, &ctx, &target, &typed).await,
            Err(e) => Err(e),
        }),
        Op::Pause { target, paused } => one(match env.client(Service::Capi) {
            Ok(c) => {
                let fut = capi::set_paused(c, &ctx, &target, paused);
                bulk::limited(fut, single, None, "management cluster").await
            }
            Err(e) => Err(e),
        }),
        Op::DeleteCluster { target, typed } => one(match env.client(Service::Capi) {
            Ok(c) => {
                let fut = capi::delete_cluster(c, &ctx, &target, &typed);
                bulk::limited(fut, single, None, "management cluster").await
            }
            Err(e) => Err(e),
        }),
        Op::DeleteTenant { target, typed } => one(match env.client(Service::Capi) {
            Ok(c) => {
                let fut = capi::delete_tenant_control_plane(c, &ctx, &target, &typed);
                bulk::limited(fut, single, None, "management cluster").await
            }
            Err(e) => Err(e),
        }),
        op @ (Op::Power { .. } | Op::Identify { .. } | Op::SetState { .. }) => {
            ctx.actor = env.metal_actor.clone();
            ctx.user = None;
            one(match env.metal_client() {
                Ok(m) => bulk::limited(run_metal(m, &ctx, op), single, None, "metal-api").await,
                Err(e) => Err(e),
            })
        }
    }
}

async fn run_metal(m: &MetalClient, ctx: &OpContext, op: Op) -> Result<super::Outcome, OpError> {
    match op {
        Op::Power { id, command, shoot } => {
            metal::power(m, ctx, &id, command, shoot.as_deref()).await
        }
        Op::Identify {
            id,
            on,
            description,
            shoot,
        } => {
            let why = if description.trim().is_empty() {
                format!("identify via kclm by {}", ctx.actor)
            } else {
                description
            };
            metal::identify(m, ctx, &id, on, &why, shoot.as_deref()).await
        }
        Op::SetState {
            id,
            change,
            description,
            shoot,
        } => metal::set_state(m, ctx, &id, change, &description, shoot.as_deref()).await,
        other => Err(OpError::Transport(format!(
            "internal: {} is not a metal-api operation",
            other.label()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::ObjectRef;
    use crate::ops::shoot::ShootOp;

    /// Without clients nothing can be sent: every kind of operation is
    /// refused with the service it needs, bulk ones as a whole.
    #[tokio::test]
    async fn without_clients_each_operation_names_what_is_missing() {
        let env = OpsEnv::default();
        let t = ObjectRef::new("garden-acme", "web");
        let cases = [
            (Op::Shoot(ShootOp::Wake, t.clone()), Service::Garden),
            (Op::Bulk(ShootOp::Wake, vec![t.clone()]), Service::Garden),
            (
                Op::Pause {
                    target: t.clone(),
                    paused: true,
                },
                Service::Capi,
            ),
            (
                Op::Power {
                    id: "m-1".into(),
                    command: metal::PowerCommand::On,
                    shoot: None,
                },
                Service::Metal,
            ),
        ];
        for (op, service) in cases {
            let label = op.label();
            let report = execute(&env, OpRequest { op, dry_run: false }).await;
            assert_eq!(
                report,
                OpReport::One {
                    label,
                    result: Err(OpError::Refused(Refusal::NotConnected(service)))
                }
            );
        }
    }

    /// The TUI spawns `execute` on a task: its future must be Send.
    #[allow(dead_code)]
    fn execute_is_send(env: OpsEnv, req: OpRequest) {
        fn send<T: Send>(_: T) {}
        send(async move { execute(&env, req).await });
    }
}
