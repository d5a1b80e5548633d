//! The audit log: one JSON line per attempted mutation, appended to
//! `state_dir/audit.jsonl`. Entries hold only what the operation names (time,
//! landscape, actor label, action, target, dry run, result, message); no
//! credential ever reaches this module, since contexts carry labels, not keys.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::{OpContext, OpError, Outcome};

/// The mode of kclm's own files (audit log, log files, UI state): owner only.
pub const PRIVATE_FILE: u32 = 0o600;
/// The mode of the directories holding them.
pub const PRIVATE_DIR: u32 = 0o700;

/// Creates `dir` (and missing parents) owner-only; an existing `dir` that is
/// open to others is narrowed to owner-only, since it is kclm's own state.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR)
        .create(dir)?;
    let perms = std::fs::metadata(dir)?.permissions();
    if perms.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PRIVATE_DIR))?;
    }
    Ok(())
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    pub landscape: String,
    /// Kubeconfig context (resolved: never the literal `current-context`)
    /// or metal auth type; never a token or key.
    pub actor: String,
    /// The kubeconfig user of that context (absent for metal-api actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub action: String,
    pub target: String,
    pub dry_run: bool,
    /// `ok` or `error`.
    pub result: String,
    pub message: String,
}

impl AuditEntry {
    pub fn new(
        ctx: &OpContext,
        action: &str,
        target: &str,
        result: &Result<Outcome, OpError>,
    ) -> Self {
        let (result, message) = match result {
            Ok(o) => ("ok", o.message.clone()),
            Err(e) => ("error", e.to_string()),
        };
        Self {
            time: jiff::Timestamp::now().to_string(),
            landscape: ctx.landscape.clone(),
            actor: ctx.actor.clone(),
            user: ctx.user.clone(),
            action: action.to_string(),
            target: target.to_string(),
            dry_run: ctx.dry_run,
            result: result.to_string(),
            message,
        }
    }

    pub fn to_line(&self) -> String {
        // Serializing a struct of strings and a bool cannot fail.
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Appends entries to a JSON-lines file; clones share one lock so concurrent
/// operations (bulk runs) never interleave inside a line.
#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Arc::new(Mutex::new(())),
        }
    }

    /// `state_dir/audit.jsonl`.
    pub fn in_state_dir(state_dir: &Path) -> Self {
        Self::new(state_dir.join("audit.jsonl"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn append(&self, entry: &AuditEntry) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(PRIVATE_FILE)
            .open(&self.path)?;
        // One write per line: with O_APPEND other kclm processes cannot split it.
        f.write_all(entry.to_line().as_bytes())
    }

    /// Reads every entry back (for tests and a future `kclm audit`).
    pub fn read(&self) -> std::io::Result<Vec<AuditEntry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_one_json_line_each_with_result_and_message() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_state_dir(&dir.path().join("nested"));
        let ctx = OpContext {
            dry_run: true,
            landscape: "prod".into(),
            actor: "garden-ctx".into(),
            user: Some("garden-user".into()),
            audit: Some(log.clone()),
            ..Default::default()
        };
        let ok = Ok(Outcome::new(
            &ctx,
            "hibernate",
            "ns/a",
            "hibernation requested".into(),
        ));
        let err: Result<Outcome, OpError> = Err(OpError::Api {
            code: 403,
            reason: "Forbidden".into(),
            message: "shoots.core.gardener.cloud \"b\" is forbidden: nope".into(),
        });
        ctx.record("hibernate", "ns/a", ok).unwrap();
        ctx.record("delete", "ns/b", err).unwrap_err();

        let text = std::fs::read_to_string(log.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let entries = log.read().unwrap();
        assert_eq!(entries[0].action, "hibernate");
        assert_eq!(entries[0].result, "ok");
        assert!(entries[0].dry_run);
        assert_eq!(entries[0].message, "hibernation requested (dry run)");
        assert_eq!(entries[1].result, "error");
        assert!(entries[1].message.contains("is forbidden: nope"));
        assert_eq!(entries[1].actor, "garden-ctx");
        assert_eq!(entries[1].user.as_deref(), Some("garden-user"));
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(log.path()), 0o600, "audit log owner-only");
        assert_eq!(mode(&dir.path().join("nested")), 0o700, "its directory");
        assert_eq!(entries[1].landscape, "prod");
        let t: jiff::Timestamp = entries[1].time.parse().unwrap();
        assert!(!text.contains("\"user\":null"), "no user: no key");
        assert!(t <= jiff::Timestamp::now());
    }

    /// No context flag: the kubeconfig's current-context and its user, not
    /// the literal `current-context`; a flag names another context and user.
    #[test]
    fn the_actor_is_the_resolved_context_and_its_user() {
        use crate::ops::execute::kube_actor;
        use crate::source::kube::KubeTarget;
        let dir = tempfile::tempdir().unwrap();
        let kc = dir.path().join("kubeconfig");
        std::fs::write(
            &kc,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\n\
             users:\n- name: alice\n  user: {token: secret-a}\n- name: bob\n  user: {token: secret-b}\n\
             contexts:\n- name: garden\n  context: {cluster: c, user: alice}\n\
             - name: other\n  context: {cluster: c, user: bob}\ncurrent-context: garden\n",
        )
        .unwrap();
        let t = |context: Option<&str>| KubeTarget {
            kubeconfig: Some(kc.clone()),
            context: context.map(str::to_string),
        };
        assert_eq!(
            kube_actor(&t(None)),
            ("garden".into(), Some("alice".into()))
        );
        assert_eq!(
            kube_actor(&t(Some("other"))),
            ("other".into(), Some("bob".into()))
        );
        let missing = KubeTarget {
            kubeconfig: Some(dir.path().join("missing")),
            context: Some("ctx".into()),
        };
        assert_eq!(kube_actor(&missing), ("ctx".into(), None));
    }
}
