//! Which shoots a `kclm shoot ...` command acts on, and the confirmation a
//! selection needs before anything is sent:
//!
//! - a `--selector` delete is confirmed by the token of the selected shoots'
//!   uids (`--dry-run` without `--confirm` prints the list and the token);
//!   a count never confirms it, and a changed selection is refused;
//! - any other operation on more than [`CONFIRM_ABOVE`] shoots, or on a
//!   production or infrastructure shoot picked by `--selector`, needs `--yes`
//!   (or, in a terminal, typing `yes` at the prompt).

use std::io::{BufRead, IsTerminal, Write};

use kclm::filter::Filter;
use kclm::landscape::rows::{self, ShootRow};
use kclm::ops::ObjectRef;
use kclm::ops::bulk;

use super::CliError;

/// Operations on more shoots than this ask for confirmation.
pub const CONFIRM_ABOVE: usize = 10;

/// Purposes whose shoots are never touched by a selector without confirmation.
pub const SENSITIVE_PURPOSES: &[&str] = &["production", "infrastructure"];

/// One target, bound to its uid and described when the landscape was listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub target: ObjectRef,
    pub project: Option<String>,
    pub purpose: Option<String>,
    pub seed: Option<String>,
}

impl Selected {
    /// A target named on the command line that was not looked up.
    pub fn named(target: ObjectRef) -> Self {
        Self {
            target,
            project: None,
            purpose: None,
            seed: None,
        }
    }

    fn of_row(r: &ShootRow) -> Self {
        Self {
            target: ObjectRef::new(&*r.namespace, &r.name).with_uid(&r.uid),
            project: Some(r.project.to_string()),
            purpose: r.purpose.as_ref().map(|p| p.to_string()),
            seed: r.seed.as_ref().map(|s| s.to_string()),
        }
    }

    fn sensitive(&self) -> bool {
        self.purpose
            .as_deref()
            .is_some_and(|p| SENSITIVE_PURPOSES.contains(&p))
    }
}

/// The selector as a filter; an empty one, or a term with nothing to match,
/// is a usage error (the parser says which term).
pub fn selector_filter(expr: &str) -> Result<Filter, CliError> {
    if expr.trim().is_empty() {
        return Err(CliError::Usage("--selector must not be empty".into()));
    }
    Filter::for_rows::<ShootRow>(expr).map_err(|e| CliError::Usage(format!("--selector: {e}")))
}

/// The named targets (bound to their uids when the listing has them) and then
/// the selector's matches, sorted, without repeats.
pub fn select(explicit: &[ObjectRef], filter: Option<&Filter>, rows: &[ShootRow]) -> Vec<Selected> {
    let mut out: Vec<Selected> = explicit
        .iter()
        .map(|t| {
            rows.iter()
                .find(|r| *r.namespace == t.namespace && r.name == t.name)
                .map(Selected::of_row)
                .unwrap_or_else(|| Selected::named(t.clone()))
        })
        .collect();
    if let Some(f) = filter {
        let mut matched: Vec<Selected> = kclm::filter::apply(f, rows)
            .into_iter()
            .map(Selected::of_row)
            .collect();
        matched.sort_by(|a, b| a.target.cmp(&b.target));
        out.extend(matched);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert((s.target.namespace.clone(), s.target.name.clone())));
    out
}

/// The rows of the shoots a session listed.
pub fn shoot_rows(ls: &kclm::landscape::Landscape) -> Vec<ShootRow> {
    rows::shoot_rows(ls)
}

pub fn targets(sel: &[Selected]) -> Vec<ObjectRef> {
    sel.iter().map(|s| s.target.clone()).collect()
}

/// One line per target: `namespace/name  project=.. purpose=.. seed=..`.
pub fn describe(sel: &[Selected]) -> String {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    sel.iter()
        .map(|s| {
            format!(
                "  {}  project={} purpose={} seed={}\n",
                clean(&s.target.to_string()),
                clean(&dash(&s.project)),
                clean(&dash(&s.purpose)),
                clean(&dash(&s.seed)),
            )
        })
        .collect()
}

/// Control characters (served by the API) shown escaped, never sent raw to
/// the terminal.
fn clean(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let esc: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect()
}

/// The token of a selection (all its targets bound to uids).
pub fn token(sel: &[Selected]) -> Option<String> {
    bulk::token_of(&targets(sel))
}

/// The preview a `--selector` delete without `--confirm` prints.
pub fn preview(sel: &[Selected]) -> String {
    let token = token(sel).unwrap_or_else(|| "-".into());
    format!(
        "{} shoots selected:\n{}token: {token}\n",
        sel.len(),
        describe(sel)
    )
}

/// Checks the `--confirm` of a `--selector` delete against the selection as
/// it is now; returns the text the core checks again (the token).
pub fn confirm_selection(sel: &[Selected], typed: &str) -> Result<String, CliError> {
    let Some(token) = token(sel) else {
        let missing: Vec<String> = sel
            .iter()
            .filter(|s| s.target.uid.is_none())
            .map(|s| s.target.to_string())
            .collect();
        return Err(CliError::Usage(format!(
            "not in the landscape: {}; nothing deleted",
            missing.join(" ")
        )));
    };
    if typed == token {
        return Ok(token);
    }
    if let [one] = sel
        && typed == one.target.to_string()
    {
        return Ok(token);
    }
    if !typed.is_empty() && typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::Usage(format!(
            "--confirm {typed}: a count does not confirm a --selector delete (the selection \
             can change between listing and deleting). Run the same command with --dry-run \
             and without --confirm: it lists the shoots and prints their token; pass \
             --confirm TOKEN to delete exactly those shoots."
        )));
    }
    Err(CliError::Usage(format!(
        "--confirm {typed:?} is not the token of the shoots selected now; the selection \
         changed since it was listed (or the token is mistyped). Nothing was deleted. Now \
         {}",
        preview(sel)
    )))
}

/// A bulk operation (not a delete) that asks first: more than
/// [`CONFIRM_ABOVE`] targets, or a production or infrastructure shoot.
/// `--yes` and `--dry-run` go ahead; a terminal is asked to type `yes`;
/// anything else is refused as a usage error saying how to go ahead.
pub fn guard_bulk(
    action: &str,
    sel: &[Selected],
    yes: bool,
    dry_run: bool,
) -> Result<(), CliError> {
    let sensitive: Vec<&Selected> = sel.iter().filter(|s| s.sensitive()).collect();
    if (sel.len() <= CONFIRM_ABOVE && sensitive.is_empty()) || yes || dry_run {
        return Ok(());
    }
    let why = if sensitive.is_empty() {
        format!(
            "{action} on {} shoots (more than {CONFIRM_ABOVE})",
            sel.len()
        )
    } else {
        format!(
            "{action} on {} shoots, {} of them production or infrastructure",
            sel.len(),
            sensitive.len()
        )
    };
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        eprint!("{why}:\n{}type yes to go ahead: ", describe(sel));
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim_end_matches(['\r', '\n']) == "yes" {
            return Ok(());
        }
        return Err(CliError::Usage(format!(
            "{why}: not confirmed; nothing sent"
        )));
    }
    Err(CliError::Usage(format!(
        "{why} asks for confirmation; nothing sent. Check the list with --dry-run, then \
         pass --yes (or run in a terminal to be asked)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(name: &str, uid: &str, purpose: &str) -> Selected {
        Selected {
            target: ObjectRef::new("garden-a", name).with_uid(uid),
            project: Some("a".into()),
            purpose: Some(purpose.into()),
            seed: Some("s".into()),
        }
    }

    #[test]
    fn a_count_or_a_stale_token_never_confirms_a_selection() {
        let now = vec![sel("x", "1", "evaluation"), sel("y", "2", "evaluation")];
        let t = token(&now).unwrap();
        assert_eq!(confirm_selection(&now, &t).unwrap(), t);
        let e = confirm_selection(&now, "2").unwrap_err().to_string();
        assert!(
            e.contains("count does not confirm") && e.contains("--dry-run"),
            "{e}"
        );
        let before = vec![sel("x", "1", "evaluation")];
        let stale = token(&before).unwrap();
        let e = confirm_selection(&now, &stale).unwrap_err().to_string();
        assert!(e.contains("changed") && e.contains(&t), "{e}");
    }

    #[test]
    fn many_or_sensitive_targets_need_yes() {
        let few = vec![sel("x", "1", "evaluation")];
        assert!(guard_bulk("hibernate", &few, false, false).is_ok());
        let prod = vec![sel("x", "1", "evaluation"), sel("p", "2", "production")];
        let e = guard_bulk("hibernate", &prod, false, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--yes") && e.contains("1 of them production"),
            "{e}"
        );
        assert!(guard_bulk("hibernate", &prod, true, false).is_ok());
        assert!(guard_bulk("hibernate", &prod, false, true).is_ok());
        let many: Vec<Selected> = (0..11)
            .map(|i| sel(&format!("s{i}"), &i.to_string(), "evaluation"))
            .collect();
        assert!(guard_bulk("wake", &many, false, false).is_err());
        assert!(guard_bulk("wake", &many[..10], false, false).is_ok());
    }
}
