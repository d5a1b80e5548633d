//! `kclm shoot|cluster|tenant|machine ...`: lifecycle operations, one output
//! line per target. Exit 0 when all succeeded (a no-op such as hibernating a
//! hibernated shoot succeeds), 1 when any failed, 2 for usage errors (bad
//! target syntax, a typed confirmation that does not match). Each command
//! builds an `OpRequest` and runs it through `kclm::ops::execute`, the same
//! dispatcher the TUI uses.

use std::time::Duration;

use kclm::config::{Paths, Target};
use kclm::landscape::{Kind, Landscape, SourceState};
use kclm::ops::bulk::{self, ResultJson};
use kclm::ops::metal::StateChange;
use kclm::ops::shoot::ShootOp;
use kclm::ops::{ObjectRef, Op, OpError, OpReport, OpRequest, OpsEnv, Outcome};
use kclm::session::{Session, SessionOptions};
use kclm::source::kube::{self as kube_source, KubeTarget};
use kclm::source::metal::MetalClient;

use super::args::GlobalArgs;
pub use super::ops_args::*;
use super::ops_select::{self as select, Selected};
use super::{CliError, connect};

fn parse_ref(s: &str) -> Result<ObjectRef, CliError> {
    s.parse().map_err(CliError::Usage)
}

/// The clients an operation needs; the demo (and `--selector`) go through a
/// session, a plain operation connects without starting any watch.
struct Conn {
    session: Option<Session>,
    target: Target,
    garden: Option<kube::Client>,
    capi: Option<kube::Client>,
    metal: Option<MetalClient>,
}

impl Conn {
    async fn open(target: Target, kinds: Vec<Kind>, watch: bool) -> Result<Self, CliError> {
        connect::log_in(&target).await;
        if target.demo || watch {
            let opts = SessionOptions {
                kinds,
                ..Default::default()
            };
            let s = super::demo_start::session(&target, opts)
                .await
                .map_err(CliError::from)?;
            for e in &s.errors {
                eprintln!("warning: {}", kclm::text::escape(&e.to_string()));
            }
            return Ok(Self {
                target: s.target.clone(),
                garden: s.garden.clone(),
                capi: s.capi.clone(),
                metal: s.metal.clone(),
                session: Some(s),
            });
        }
        let kube = |kt: Option<KubeTarget>| async move {
            match kt {
                Some(kt) => kube_source::client_for(&kt)
                    .await
                    .map(Some)
                    .map_err(|e| CliError::Failed(e.to_string())),
                None => Ok(None),
            }
        };
        use kclm::landscape::SourceGroup as G;
        let wants = |g: G| kinds.iter().any(|k| k.group() == g);
        // Only the operation's own cluster must connect; the others just help
        // (e.g. naming a machine's shoot) and are skipped with a warning.
        let primary = kinds.first().map(|k| k.group());
        let optional = |r: Result<Option<kube::Client>, CliError>, g: G| match r {
            Err(e) if primary != Some(g) => {
                eprintln!("warning: {}", kclm::text::escape(&e.to_string()));
                Ok(None)
            }
            other => other,
        };
        let garden = if wants(G::Garden) {
            optional(kube(target.garden.clone()).await, G::Garden)?
        } else {
            None
        };
        let capi = if wants(G::Capi) {
            optional(kube(target.capi.clone()).await, G::Capi)?
        } else {
            None
        };
        let metal = match (&target.metal, wants(G::Metal)) {
            (Some(m), true) => {
                Some(MetalClient::new(m).map_err(|e| CliError::Failed(e.to_string()))?)
            }
            _ => None,
        };
        Ok(Self {
            session: None,
            target,
            garden,
            capi,
            metal,
        })
    }

    fn garden(&self) -> Result<&kube::Client, CliError> {
        self.garden.as_ref().ok_or_else(|| {
            CliError::Failed(format!(
                "no garden cluster configured for landscape {:?} (set --kubeconfig or KUBECONFIG)",
                self.target.name
            ))
        })
    }

    fn capi(&self) -> Result<&kube::Client, CliError> {
        self.capi.as_ref().ok_or_else(|| {
            CliError::Failed(format!(
                "no Cluster-API management cluster configured for landscape {:?} (set --capi-context)",
                self.target.name
            ))
        })
    }

    fn metal(&self) -> Result<&MetalClient, CliError> {
        self.metal.as_ref().ok_or_else(|| {
            CliError::Failed(format!(
                "no metal-api configured for landscape {:?} (set --metal-url)",
                self.target.name
            ))
        })
    }

    /// The operations environment (audit log in the state dir, actor from
    /// the landscape), the same the TUI builds from its session.
    fn env(&self, timeout: Duration) -> OpsEnv {
        let mut env = OpsEnv::new(
            &self.target,
            self.garden.clone(),
            self.capi.clone(),
            self.metal.clone(),
            &Paths::discover().state_dir,
        );
        env.timeout = Some(timeout);
        env
    }

    /// Runs the request through the core's dispatcher and prints the report.
    async fn run(&self, op: Op, flags: &OpFlags) -> Result<(), CliError> {
        let target = op.target();
        let req = OpRequest {
            op,
            dry_run: flags.dry_run,
        };
        let env = self.env(Duration::from_secs(flags.timeout));
        let results = match kclm::ops::execute(&env, req).await {
            OpReport::Bulk { results, .. } => results,
            OpReport::One { result, .. } => match target {
                Some(t) => vec![(t, result)],
                // A bulk request refused as a whole: nothing was sent.
                None => {
                    return Err(CliError::Failed(match result {
                        Err(e) => e.to_string(),
                        Ok(o) => format!("internal: one result for a bulk request: {}", o.message),
                    }));
                }
            },
        };
        report(&results, flags)
    }

    async fn close(self) {
        if let Some(s) = self.session {
            s.shutdown().await;
        }
    }
}

/// Explicit targets plus the selector's matches, in that order, without
/// repeats; with a session (`--selector`), every target is bound to its uid
/// and described (project, purpose, seed).
async fn resolve_shoots(
    conn: &mut Conn,
    explicit: &[ObjectRef],
    selector: Option<&kclm::filter::Filter>,
    expr: Option<&str>,
    wait: Duration,
) -> Result<Vec<Selected>, CliError> {
    let Some(session) = conn.session.as_mut() else {
        return Ok(bulk::dedup(explicit)
            .into_iter()
            .map(Selected::named)
            .collect());
    };
    let mut ls = Landscape::new();
    session.wait_settled(&mut ls, wait).await;
    match ls.sources.get(&Kind::Shoot) {
        Some(SourceState::Synced) => {}
        other => {
            return Err(CliError::Failed(format!(
                "shoots did not sync within {}s ({})",
                wait.as_secs(),
                other
                    .map(|s| s.short())
                    .unwrap_or_else(|| "not configured".into())
            )));
        }
    }
    let out = select::select(explicit, selector, &select::shoot_rows(&ls));
    if out.is_empty() {
        return Err(CliError::Usage(match expr {
            Some(s) => format!("--selector {s:?} matches no shoot"),
            None => "name at least one NAMESPACE/NAME or pass --selector".into(),
        }));
    }
    Ok(out)
}

fn report(results: &[(String, Result<Outcome, OpError>)], flags: &OpFlags) -> Result<(), CliError> {
    match flags.output {
        OpOutput::Text => {
            for (target, r) in results {
                // messages quote served text (constraint messages, names)
                let line = match r {
                    Ok(o) => format!("{target}: {}", o.message),
                    Err(e) => format!("{target}: error: {e}"),
                };
                println!("{}", kclm::text::escape(&line));
            }
        }
        OpOutput::Json => {
            let list: Vec<ResultJson> = results
                .iter()
                .map(|(t, r)| ResultJson::of(t.clone(), r, flags.dry_run))
                .collect();
            let text =
                serde_json::to_string_pretty(&list).map_err(|e| CliError::Failed(e.to_string()))?;
            println!("{text}");
        }
    }
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    match failed {
        0 => Ok(()),
        n if results.len() == 1 => Err(CliError::Failed(format!("{n} operation failed"))),
        n => Err(CliError::Failed(format!(
            "{n} of {} operations failed",
            results.len()
        ))),
    }
}

pub async fn shoot(global: &GlobalArgs, cmd: &ShootCommand) -> Result<(), CliError> {
    let (op, shoots, flags, confirm) = match cmd {
        ShootCommand::Hibernate(a) => (Some(ShootOp::Hibernate), &a.shoots, &a.flags, None),
        ShootCommand::Wake(a) => (Some(ShootOp::Wake), &a.shoots, &a.flags, None),
        ShootCommand::Reconcile(a) => (Some(ShootOp::Reconcile), &a.shoots, &a.flags, None),
        ShootCommand::Maintain(a) => (Some(ShootOp::Maintain), &a.shoots, &a.flags, None),
        ShootCommand::Retry(a) => (Some(ShootOp::Retry), &a.shoots, &a.flags, None),
        ShootCommand::Rotate {
            kind,
            shoots,
            flags,
        } => (Some(ShootOp::Rotate(*kind)), shoots, flags, None),
        ShootCommand::Delete {
            shoots,
            confirm,
            flags,
        } => (None, shoots, flags, Some(confirm.as_deref())),
        ShootCommand::ConfirmDeletion {
            target,
            confirm,
            flags,
        } => return confirm_deletion(global, target, confirm, flags).await,
    };
    // Usage problems are reported before connecting anywhere.
    let explicit: Vec<ObjectRef> = shoots
        .targets
        .iter()
        .map(|s| parse_ref(s))
        .collect::<Result<_, _>>()?;
    let explicit = bulk::dedup(&explicit);
    let filter = shoots
        .selector
        .as_deref()
        .map(select::selector_filter)
        .transpose()?;
    if filter.is_none() && explicit.is_empty() {
        return Err(CliError::Usage(
            "name at least one NAMESPACE/NAME or pass --selector".into(),
        ));
    }
    let delete = op.is_none();
    if delete && filter.is_none() {
        check_named_delete(&explicit, confirm.flatten())?;
    }
    let target = connect::require_target(global)?;
    let mut conn = Conn::open(target, vec![Kind::Shoot], filter.is_some()).await?;
    let result = async {
        let wait = Duration::from_secs(flags.timeout);
        let sel = resolve_shoots(
            &mut conn,
            &explicit,
            filter.as_ref(),
            shoots.selector.as_deref(),
            wait,
        )
        .await?;
        conn.garden()?;
        let op = match op {
            Some(op) => {
                select::guard_bulk(op.action(), &sel, shoots.yes, flags.dry_run)?;
                Op::Bulk(op, select::targets(&sel))
            }
            None if filter.is_some() => {
                let Some(typed) = confirm.flatten() else {
                    print!("{}", select::preview(&sel));
                    if flags.dry_run {
                        return Ok(());
                    }
                    return Err(CliError::Usage(
                        "--confirm TOKEN is required: check the shoots listed above, then \
                         run again with --confirm and their token"
                            .into(),
                    ));
                };
                let token = select::confirm_selection(&sel, typed)?;
                eprint!(
                    "deleting {} shoots{}:\n{}",
                    sel.len(),
                    if flags.dry_run { " (dry run)" } else { "" },
                    select::describe(&sel)
                );
                Op::BulkDelete {
                    targets: select::targets(&sel),
                    typed: token,
                }
            }
            None => Op::BulkDelete {
                targets: select::targets(&sel),
                typed: confirm.flatten().unwrap_or_default().to_string(),
            },
        };
        conn.run(op, flags).await
    }
    .await;
    conn.close().await;
    result
}

/// `kclm shoot confirm-deletion NS/NAME --confirm NS/NAME`: the first
/// approver's half of a dual-approval deletion, confirmed like a delete.
async fn confirm_deletion(
    global: &GlobalArgs,
    target_s: &str,
    confirm: &str,
    flags: &OpFlags,
) -> Result<(), CliError> {
    let obj = parse_ref(target_s)?;
    kclm::ops::check_typed_ref(confirm, &obj)
        .map_err(|e| CliError::Usage(format!("--confirm: {e}")))?;
    let typed = obj.name.as_str();
    let target = connect::require_target(global)?;
    let conn = Conn::open(target, vec![Kind::Shoot], false).await?;
    let result = async {
        conn.garden()?;
        let op = Op::ConfirmShootDeletion {
            target: obj.clone(),
            typed: typed.to_string(),
        };
        conn.run(op, flags).await
    }
    .await;
    conn.close().await;
    result
}

/// The confirmation of a delete of named shoots: exactly `namespace/name`
/// for one (names repeat across projects), the number for several.
fn check_named_delete(explicit: &[ObjectRef], typed: Option<&str>) -> Result<(), CliError> {
    let Some(typed) = typed else {
        return Err(CliError::Usage(
            "--confirm is required: NAMESPACE/NAME of the shoot (the number of shoots when \
             several are named)"
                .into(),
        ));
    };
    match explicit {
        [one] => kclm::ops::check_typed_ref(typed, one),
        many => bulk::check_bulk_confirmation(many, typed),
    }
    .map_err(|e| CliError::Usage(format!("--confirm: {e}")))
}

pub async fn cluster(global: &GlobalArgs, cmd: &ClusterCommand) -> Result<(), CliError> {
    let (target_s, flags) = match cmd {
        ClusterCommand::Pause { target, flags }
        | ClusterCommand::Unpause { target, flags }
        | ClusterCommand::Delete { target, flags, .. } => (target, flags),
    };
    let obj = parse_ref(target_s)?;
    if let ClusterCommand::Delete { confirm, .. } = cmd {
        kclm::ops::check_typed_ref(confirm, &obj)
            .map_err(|e| CliError::Usage(format!("--confirm: {e}")))?;
    }
    let target = connect::require_target(global)?;
    let conn = Conn::open(target, vec![Kind::Cluster], false).await?;
    let result = async {
        conn.capi()?;
        let target = obj.clone();
        let op = match cmd {
            ClusterCommand::Pause { .. } => Op::Pause {
                target,
                paused: true,
            },
            ClusterCommand::Unpause { .. } => Op::Pause {
                target,
                paused: false,
            },
            // checked as NAMESPACE/NAME above; the core checks the name again
            ClusterCommand::Delete { .. } => Op::DeleteCluster {
                typed: target.name.clone(),
                target,
            },
        };
        conn.run(op, flags).await
    }
    .await;
    conn.close().await;
    result
}

pub async fn tenant(global: &GlobalArgs, cmd: &TenantCommand) -> Result<(), CliError> {
    let TenantCommand::Delete {
        target,
        confirm,
        flags,
    } = cmd;
    let obj = parse_ref(target)?;
    kclm::ops::check_typed_ref(confirm, &obj)
        .map_err(|e| CliError::Usage(format!("--confirm: {e}")))?;
    let target = connect::require_target(global)?;
    let conn = Conn::open(target, vec![Kind::TenantControlPlane], false).await?;
    let result = async {
        conn.capi()?;
        // checked as NAMESPACE/NAME above; the core checks the name again
        let op = Op::DeleteTenant {
            target: obj.clone(),
            typed: obj.name.clone(),
        };
        conn.run(op, flags).await
    }
    .await;
    conn.close().await;
    result
}

pub async fn machine(global: &GlobalArgs, cmd: &MachineCommand) -> Result<(), CliError> {
    let (id, flags) = match cmd {
        MachineCommand::Power { id, flags, .. }
        | MachineCommand::Identify { id, flags, .. }
        | MachineCommand::Reserve { id, flags, .. }
        | MachineCommand::Lock { id, flags, .. } => (id.as_str(), flags),
    };
    if id.trim().is_empty() || id.contains('/') {
        return Err(CliError::Usage(format!("{id:?} is not a machine id")));
    }
    let state = |remove: bool, lock: bool| match (remove, lock) {
        (true, _) => StateChange::Clear,
        (false, true) => StateChange::Lock,
        (false, false) => StateChange::Reserve,
    };
    if let MachineCommand::Reserve {
        description,
        remove,
        ..
    }
    | MachineCommand::Lock {
        description,
        remove,
        ..
    } = cmd
    {
        let change = state(*remove, matches!(cmd, MachineCommand::Lock { .. }));
        kclm::ops::metal::check_description(change, description)
            .map_err(|e| CliError::Usage(format!("--description: {e}")))?;
    }
    let target = connect::require_target(global)?;
    let conn = Conn::open(target, vec![Kind::Machine, Kind::Shoot], false).await?;
    let result = async {
        let client = conn.metal()?;
        let shoot = shoot_of_machine(&conn, client, id).await;
        let id = id.to_string();
        let op = match cmd {
            MachineCommand::Power { command, .. } => Op::Power {
                id,
                command: *command,
                shoot,
            },
            MachineCommand::Identify {
                state, description, ..
            } => Op::Identify {
                id,
                on: *state == OnOff::On,
                description: description.clone(),
                shoot,
            },
            MachineCommand::Reserve {
                description,
                remove,
                ..
            }
            | MachineCommand::Lock {
                description,
                remove,
                ..
            } => Op::SetState {
                id,
                change: state(*remove, matches!(cmd, MachineCommand::Lock { .. })),
                description: description.clone(),
                shoot,
            },
        };
        conn.run(op, flags).await
    }
    .await;
    conn.close().await;
    result
}

/// Best effort: the shoot a machine belongs to (its `cluster.metal-stack.io/id`
/// tag is the shoot's uid), for naming it in the result.
async fn shoot_of_machine(conn: &Conn, metal: &MetalClient, id: &str) -> Option<String> {
    let garden = conn.garden.as_ref()?;
    let m = metal.machine(id).await.ok()?;
    let uid = m.cluster_id()?.to_string();
    let api = kube::Api::<kclm::model::gardener::Shoot>::all(garden.clone());
    let list = tokio::time::timeout(Duration::from_secs(10), api.list(&Default::default()))
        .await
        .ok()?
        .ok()?;
    list.items
        .iter()
        .find(|s| s.uid() == uid)
        .map(|s| format!("{}/{}", s.namespace(), s.name()))
}
