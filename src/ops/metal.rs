//! metal-api machine operations: power, chassis identify LED, reserve / lock.
//! Every outcome names the machine (hostname, and the shoot when the caller
//! knows it). metal-api v1 has no dry run: in dry-run mode the machine is read
//! (which proves it exists and is visible) and nothing is sent.

use super::{OpContext, OpError, Outcome, Refusal, Unmet};
use crate::model::metal::Machine;
use crate::source::metal::MetalClient;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PowerCommand {
    On,
    Off,
    Reset,
    Cycle,
    Bios,
    Disk,
    Pxe,
}

impl PowerCommand {
    pub const ALL: [PowerCommand; 7] = [
        PowerCommand::On,
        PowerCommand::Off,
        PowerCommand::Reset,
        PowerCommand::Cycle,
        PowerCommand::Bios,
        PowerCommand::Disk,
        PowerCommand::Pxe,
    ];

    /// The path segment of `POST /v1/machine/{id}/power/{command}`.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerCommand::On => "on",
            PowerCommand::Off => "off",
            PowerCommand::Reset => "reset",
            PowerCommand::Cycle => "cycle",
            PowerCommand::Bios => "bios",
            PowerCommand::Disk => "disk",
            PowerCommand::Pxe => "pxe",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PowerCommand::On => "power on",
            PowerCommand::Off => "power off",
            PowerCommand::Reset => "reset",
            PowerCommand::Cycle => "power cycle",
            PowerCommand::Bios => "boot into BIOS",
            PowerCommand::Disk => "boot from disk",
            PowerCommand::Pxe => "boot from PXE",
        }
    }
}

impl std::str::FromStr for PowerCommand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PowerCommand::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!("unknown power command {s:?} (on, off, reset, cycle, bios, disk, pxe)")
            })
    }
}

/// The machine `state` to set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateChange {
    /// `RESERVED`: not handed out by allocation.
    Reserve,
    /// `LOCKED`: cannot be deleted or freed.
    Lock,
    /// `""`: back to available (`--remove`).
    Clear,
}

impl StateChange {
    pub fn value(self) -> &'static str {
        match self {
            StateChange::Reserve => "RESERVED",
            StateChange::Lock => "LOCKED",
            StateChange::Clear => "",
        }
    }
    fn action(self) -> &'static str {
        match self {
            StateChange::Reserve => "machine-reserve",
            StateChange::Lock => "machine-lock",
            StateChange::Clear => "machine-state-clear",
        }
    }
}

/// metal-api refuses RESERVED/LOCKED without a description (400); kclm says
/// so before sending, and why it matters: the next operator reads it.
pub fn check_description(change: StateChange, description: &str) -> Result<(), OpError> {
    if change != StateChange::Clear && description.trim().is_empty() {
        return Err(OpError::Refused(Refusal::Precondition(
            Unmet::DescriptionRequired {
                state: change.value(),
            },
        )));
    }
    Ok(())
}

/// `machine <id> (<hostname>, shoot <ns/name>)`.
pub fn machine_label(m: &Machine, shoot: Option<&str>) -> String {
    let host = Some(m.hostname())
        .filter(|h| !h.is_empty())
        .or(m.name.as_deref().filter(|n| !n.is_empty()));
    let mut parts: Vec<String> = host.map(str::to_string).into_iter().collect();
    if let Some(s) = shoot {
        parts.push(format!("shoot {s}"));
    }
    if parts.is_empty() {
        format!("machine {}", m.id)
    } else {
        format!("machine {} ({})", m.id, parts.join(", "))
    }
}

async fn metal_op<F, Fut>(
    client: &MetalClient,
    ctx: &OpContext,
    id: &str,
    shoot: Option<&str>,
    what: String,
    send: F,
) -> Result<Outcome, OpError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Machine, crate::source::metal::MetalError>>,
{
    // Read first: it names the machine, and a typo'd id fails here, not on the BMC.
    let m = client.machine(id).await?;
    let label = machine_label(&m, shoot);
    if ctx.dry_run {
        return Ok(Outcome::new(
            ctx,
            "",
            id,
            format!("{label}: would {what}; metal-api has no dry run, nothing sent"),
        ));
    }
    send().await?;
    Ok(Outcome::new(
        ctx,
        "",
        id,
        format!("{label}: {what} requested"),
    ))
}

/// Power command; reset/off/cycle also write a "Planned Reboot" event server-side.
pub async fn power(
    client: &MetalClient,
    ctx: &OpContext,
    id: &str,
    command: PowerCommand,
    shoot: Option<&str>,
) -> Result<Outcome, OpError> {
    let action = format!("machine-power-{}", command.as_str());
    let result = match ctx.writable() {
        Ok(()) => {
            metal_op(client, ctx, id, shoot, command.describe().into(), || {
                client.power(id, command.as_str())
            })
            .await
        }
        Err(e) => Err(e),
    };
    ctx.record(&action, id, with_action(result, &action))
}

/// Chassis identify LED on or off.
pub async fn identify(
    client: &MetalClient,
    ctx: &OpContext,
    id: &str,
    on: bool,
    description: &str,
    shoot: Option<&str>,
) -> Result<Outcome, OpError> {
    let action = if on {
        "machine-identify-on"
    } else {
        "machine-identify-off"
    };
    let what = if on {
        "identify LED on"
    } else {
        "identify LED off"
    };
    let result = match ctx.writable() {
        Ok(()) => {
            metal_op(client, ctx, id, shoot, what.into(), || {
                client.identify(id, on, description)
            })
            .await
        }
        Err(e) => Err(e),
    };
    ctx.record(action, id, with_action(result, action))
}

/// Reserve, lock or clear (`--remove`) a machine's state.
pub async fn set_state(
    client: &MetalClient,
    ctx: &OpContext,
    id: &str,
    change: StateChange,
    description: &str,
    shoot: Option<&str>,
) -> Result<Outcome, OpError> {
    let action = change.action();
    let what = match change {
        StateChange::Clear => "clear reserved/locked state".to_string(),
        _ => format!("set state {} ({description})", change.value()),
    };
    let result = match ctx
        .writable()
        .and_then(|_| check_description(change, description))
    {
        Ok(()) => {
            metal_op(client, ctx, id, shoot, what, || {
                client.set_state(id, change.value(), description)
            })
            .await
        }
        Err(e) => Err(e),
    };
    ctx.record(action, id, with_action(result, action))
}

fn with_action(r: Result<Outcome, OpError>, action: &str) -> Result<Outcome, OpError> {
    r.map(|mut o| {
        o.action = action.to_string();
        o
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_and_lock_need_a_description_clear_does_not() {
        assert!(check_description(StateChange::Reserve, "").is_err());
        assert!(check_description(StateChange::Lock, "   ").is_err());
        assert!(check_description(StateChange::Lock, "RMA ticket 42").is_ok());
        assert!(check_description(StateChange::Clear, "").is_ok());
    }

    #[test]
    fn power_commands_round_trip() {
        for c in PowerCommand::ALL {
            assert_eq!(c.as_str().parse::<PowerCommand>(), Ok(c));
        }
        assert!("shutdown".parse::<PowerCommand>().is_err());
    }

    #[test]
    fn machine_label_names_host_and_shoot() {
        let m: Machine = serde_json::from_value(serde_json::json!({
            "id": "m-1", "allocation": {"hostname": "shoot--acme--web-worker-1"}
        }))
        .unwrap();
        assert_eq!(
            machine_label(&m, Some("garden-acme/web")),
            "machine m-1 (shoot--acme--web-worker-1, shoot garden-acme/web)"
        );
        let bare: Machine = serde_json::from_value(serde_json::json!({"id": "m-2"})).unwrap();
        assert_eq!(machine_label(&bare, None), "machine m-2");
    }
}
