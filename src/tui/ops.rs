//! Operations in the TUI: the request type, the executor and its environment
//! are the core's (`kclm::ops`, the same the CLI calls); this module is the UI
//! glue around them: the status line while a request runs, and where its
//! report goes (status line or results overlay).

use kclm::ops::OutcomeKind;
use kclm::ops::access::{Access, AccessCheck};
pub use kclm::ops::{Op, OpReport, OpRequest, OpsEnv};

use super::overlay::Overlay;
use super::state::{Level, State, StatusMsg};
use super::update::{Effect, info};
use super::views::action_menu::{ResultLine, Results};

/// Runs one request through the core's dispatcher (the loop spawns this).
pub async fn execute(env: OpsEnv, req: OpRequest) -> OpReport {
    kclm::ops::execute(&env, req).await
}

/// Asks the authorizer through the environment's shared cache.
pub async fn check_access(env: OpsEnv, check: AccessCheck) -> Result<Access, String> {
    env.check_access(&check).await
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
            Ok(o) => match &o.kind {
                OutcomeKind::Changed => info(s, format!("{label}: {}", o.message)),
                OutcomeKind::Noop(why) => info(s, format!("{label}: nothing to do, {why}")),
            },
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
