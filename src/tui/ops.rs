//! Operations as effects: what `update` asks to run ([`OpRequest`]), how the
//! loop runs it through `kclm::ops` (the same calls as the CLI, with the audit
//! log set), and what comes back ([`OpReport`]).

use kclm::ops::access::{Access, AccessCache, AccessCheck};
use kclm::ops::bulk::{self, DEFAULT_CONCURRENCY};
use kclm::ops::metal::{self as metal_ops, PowerCommand, StateChange};
use kclm::ops::shoot::{self, ShootOp};
use kclm::ops::{ObjectRef, OpContext, OpError, Outcome, capi};
use kclm::source::metal::MetalClient;

use super::overlay::Overlay;
use super::state::{Level, State, StatusMsg};
use super::update::{Effect, info};
use super::views::action_menu::{ResultLine, Results};

/// One operation, fully described: targets, and the confirmation text the
/// user typed (filled in by the dialog when it is confirmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Shoot(ShootOp, ObjectRef),
    DeleteShoot {
        target: ObjectRef,
        typed: String,
    },
    Bulk(ShootOp, Vec<ObjectRef>),
    BulkDelete {
        targets: Vec<ObjectRef>,
        typed: String,
    },
    Pause {
        target: ObjectRef,
        paused: bool,
    },
    DeleteCluster {
        target: ObjectRef,
        typed: String,
    },
    DeleteTenant {
        target: ObjectRef,
        typed: String,
    },
    Power {
        id: String,
        command: PowerCommand,
        shoot: Option<String>,
    },
    Identify {
        id: String,
        on: bool,
        shoot: Option<String>,
    },
    SetState {
        id: String,
        change: StateChange,
        description: String,
        shoot: Option<String>,
    },
}

/// An operation and the safety switches it was confirmed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRequest {
    pub op: Op,
    pub dry_run: bool,
}

impl Op {
    /// Short description for the status line: `hibernate garden-acme/web`.
    pub fn label(&self) -> String {
        match self {
            Op::Shoot(op, t) => format!("{} {t}", op.action()),
            Op::DeleteShoot { target, .. } => format!("delete {target}"),
            Op::Bulk(op, ts) => format!("{} {} shoots", op.action(), ts.len()),
            Op::BulkDelete { targets, .. } => format!("delete {} shoots", targets.len()),
            Op::Pause { target, paused } => {
                format!(
                    "{} cluster {target}",
                    if *paused { "pause" } else { "unpause" }
                )
            }
            Op::DeleteCluster { target, .. } => format!("delete cluster {target}"),
            Op::DeleteTenant { target, .. } => format!("delete tenant {target}"),
            Op::Power { id, command, .. } => format!("power {} {id}", command.as_str()),
            Op::Identify { id, on, .. } => {
                format!("identify {} {id}", if *on { "on" } else { "off" })
            }
            Op::SetState { id, change, .. } => match change {
                StateChange::Clear => format!("release {id}"),
                _ => format!("set {} {id}", change.value()),
            },
        }
    }

    /// Puts what was typed into the dialog into the request: the typed
    /// confirmation goes to the core unchanged, which checks it once more.
    pub fn fill(&mut self, input: &str) {
        match self {
            Op::DeleteShoot { typed, .. }
            | Op::BulkDelete { typed, .. }
            | Op::DeleteCluster { typed, .. }
            | Op::DeleteTenant { typed, .. } => *typed = input.to_string(),
            Op::SetState { description, .. } => *description = input.to_string(),
            _ => {}
        }
    }
}

/// What came back from one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpReport {
    One {
        label: String,
        result: Result<Outcome, OpError>,
    },
    Bulk {
        label: String,
        dry_run: bool,
        results: Vec<(String, Result<Outcome, OpError>)>,
    },
}

/// The clients and the context operations run with (owned by the loop).
#[derive(Clone, Default)]
pub struct OpsEnv {
    pub garden: Option<kube::Client>,
    pub capi: Option<kube::Client>,
    pub metal: Option<MetalClient>,
    pub ctx: OpContext,
    /// Who acts on metal-api (its auth type; never a credential).
    pub metal_actor: String,
    pub garden_access: Option<AccessCache>,
    pub capi_access: Option<AccessCache>,
}

fn missing(what: &str) -> OpError {
    OpError::Refused(format!("no {what} connected"))
}

/// Runs one request; never panics, every failure becomes a result.
pub async fn execute(env: OpsEnv, req: OpRequest) -> OpReport {
    let mut ctx = env.ctx.clone();
    ctx.dry_run = req.dry_run;
    if matches!(
        req.op,
        Op::Power { .. } | Op::Identify { .. } | Op::SetState { .. }
    ) {
        ctx.actor = env.metal_actor.clone();
    }
    let label = req.op.label();
    let garden = env.garden.as_ref().ok_or_else(|| missing("garden cluster"));
    let capi_c = env
        .capi
        .as_ref()
        .ok_or_else(|| missing("Cluster-API management cluster"));
    let metal = env.metal.as_ref().ok_or_else(|| missing("metal-api"));
    let result = match req.op {
        Op::Bulk(op, targets) => {
            let results = match garden {
                Ok(c) => {
                    bulk::run(c, &ctx, op, &targets, DEFAULT_CONCURRENCY)
                        .await
                        .results
                }
                Err(e) => {
                    return OpReport::One {
                        label,
                        result: Err(e),
                    };
                }
            };
            return bulk_report(label, ctx.dry_run, results);
        }
        Op::BulkDelete { targets, typed } => {
            let report = match garden {
                Ok(c) => bulk::delete(c, &ctx, &targets, &typed, DEFAULT_CONCURRENCY).await,
                Err(e) => Err(e),
            };
            return match report {
                Ok(r) => bulk_report(label, ctx.dry_run, r.results),
                Err(e) => OpReport::One {
                    label,
                    result: Err(e),
                },
            };
        }
        Op::Shoot(op, t) => match garden {
            Ok(c) => shoot::run(c, &ctx, op, &t).await,
            Err(e) => Err(e),
        },
        Op::DeleteShoot { target, typed } => match garden {
            Ok(c) => shoot::delete(c, &ctx, &target, &typed).await,
            Err(e) => Err(e),
        },
        Op::Pause { target, paused } => match capi_c {
            Ok(c) => capi::set_paused(c, &ctx, &target, paused).await,
            Err(e) => Err(e),
        },
        Op::DeleteCluster { target, typed } => match capi_c {
            Ok(c) => capi::delete_cluster(c, &ctx, &target, &typed).await,
            Err(e) => Err(e),
        },
        Op::DeleteTenant { target, typed } => match capi_c {
            Ok(c) => capi::delete_tenant_control_plane(c, &ctx, &target, &typed).await,
            Err(e) => Err(e),
        },
        Op::Power { id, command, shoot } => match metal {
            Ok(m) => metal_ops::power(m, &ctx, &id, command, shoot.as_deref()).await,
            Err(e) => Err(e),
        },
        Op::Identify { id, on, shoot } => match metal {
            Ok(m) => {
                let why = format!("identify via kclm by {}", ctx.actor);
                metal_ops::identify(m, &ctx, &id, on, &why, shoot.as_deref()).await
            }
            Err(e) => Err(e),
        },
        Op::SetState {
            id,
            change,
            description,
            shoot,
        } => match metal {
            Ok(m) => {
                metal_ops::set_state(m, &ctx, &id, change, &description, shoot.as_deref()).await
            }
            Err(e) => Err(e),
        },
    };
    OpReport::One { label, result }
}

fn bulk_report(label: String, dry_run: bool, results: Vec<bulk::TargetResult>) -> OpReport {
    OpReport::Bulk {
        label,
        dry_run,
        results: results
            .into_iter()
            .map(|r| (r.target.to_string(), r.result))
            .collect(),
    }
}

/// Asks the authorizer (through the cache shared with every other check of
/// that cluster); errors come back as text and are not cached.
pub async fn check_access(env: OpsEnv, check: AccessCheck) -> Result<Access, String> {
    let cache = if check.group == kclm::model::gardener::GROUP {
        env.garden_access
    } else {
        env.capi_access
    };
    match cache {
        Some(c) => c.check(&check).await.map_err(|e| e.to_string()),
        None => Err("no cluster connected to ask".into()),
    }
}

impl OpsEnv {
    /// Everything operations need from a started session, with the audit
    /// log in the state dir (the same file the CLI writes).
    pub fn from_session(s: &kclm::session::Session, state_dir: &std::path::Path) -> Self {
        use kclm::ops::access::DEFAULT_TTL;
        use kclm::source::metal::MetalAuth;
        let t = &s.target;
        let metal_actor = match t.metal.as_ref().map(|m| &m.auth) {
            Some(MetalAuth::Hmac { auth_type, .. }) => format!("metal hmac {auth_type}"),
            Some(MetalAuth::Token(_)) => "metal token".into(),
            _ => "metal anonymous".into(),
        };
        Self {
            garden: s.garden.clone(),
            capi: s.capi.clone(),
            metal: s.metal.clone(),
            ctx: OpContext {
                readonly: t.readonly,
                dry_run: false,
                protect: t.protect.clone(),
                audit: Some(kclm::ops::AuditLog::in_state_dir(state_dir)),
                landscape: t.name.clone(),
                actor: t
                    .garden
                    .as_ref()
                    .and_then(|k| k.context.clone())
                    .unwrap_or_else(|| "current-context".into()),
            },
            metal_actor,
            garden_access: s.garden.clone().map(|c| AccessCache::new(c, DEFAULT_TTL)),
            capi_access: s.capi.clone().map(|c| AccessCache::new(c, DEFAULT_TTL)),
        }
    }
}

/// Notes effects just sent (the status says what is running).
pub fn sent(s: &mut State, effects: &[Effect]) {
    for e in effects {
        if let Effect::Op(_, req) = e {
            s.ls.ops_running += 1;
            let dry = if req.dry_run { " (dry run)" } else { "" };
            info(s, format!("{}{dry}: sent…", req.op.label()));
        }
    }
}

/// A request came back: single results to the status line (errors stay
/// until esc), bulk results to the results overlay.
pub fn done(s: &mut State, report: OpReport) {
    s.ls.ops_running = s.ls.ops_running.saturating_sub(1);
    match report {
        OpReport::One { label, result } => match result {
            Ok(o) => info(s, format!("{label}: {}", o.message)),
            Err(e) => {
                s.status = Some(StatusMsg {
                    text: format!("{label} failed: {e}"),
                    level: Level::Error,
                });
            }
        },
        OpReport::Bulk {
            label,
            dry_run,
            results,
        } => {
            let lines: Vec<ResultLine> = results
                .into_iter()
                .map(|(target, r)| match r {
                    Ok(o) => ResultLine {
                        target,
                        ok: true,
                        message: o.message,
                    },
                    Err(e) => ResultLine {
                        target,
                        ok: false,
                        message: e.to_string(),
                    },
                })
                .collect();
            let failed = lines.iter().filter(|l| !l.ok).count();
            let dry = if dry_run { " (dry run)" } else { "" };
            let title = format!("{label}{dry}: {} ok, {failed} failed", lines.len() - failed);
            s.status = Some(StatusMsg {
                text: title.clone(),
                level: if failed > 0 {
                    Level::Error
                } else {
                    Level::Info
                },
            });
            // Never over a confirmation being typed; the status says it all then.
            if !matches!(s.overlay, Some(Overlay::Confirm(_))) {
                s.overlay = Some(Overlay::Results(Results {
                    title,
                    lines,
                    scroll: 0,
                }));
            }
        }
    }
    s.dirty = true;
}

/// An answer from the authorizer. One that could not be had counts as
/// unknown (the server still decides when the operation is sent).
pub fn access_answer(s: &mut State, check: AccessCheck, answer: Result<Access, String>) {
    s.ls.access_pending.remove(&check);
    let a = answer.unwrap_or_else(|e| Access {
        allowed: true,
        reason: format!("unknown ({e})"),
    });
    s.ls.access.insert(check, a);
    s.dirty = true;
}
