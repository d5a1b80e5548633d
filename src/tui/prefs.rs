//! UI state that survives restarts (sort column per view), kept in a small
//! TOML file in the state dir. Never the user's config files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortPref {
    pub column: String,
    #[serde(default)]
    pub descending: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    #[serde(default)]
    pub sort: BTreeMap<String, SortPref>,
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("tui-state.toml")
}

impl Prefs {
    /// A missing or unreadable file is just "no preferences".
    pub fn load(state_dir: &Path) -> (Self, Option<String>) {
        let p = path(state_dir);
        match std::fs::read_to_string(&p) {
            Ok(text) => match toml::from_str(&text) {
                Ok(prefs) => (prefs, None),
                Err(e) => (
                    Self::default(),
                    Some(format!("ignoring {}: {}", p.display(), e.message())),
                ),
            },
            Err(_) => (Self::default(), None),
        }
    }

    /// Writes the file owner-only (0600) in an owner-only (0700) state dir.
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        kclm::ops::audit::create_private_dir(state_dir)?;
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        let p = path(state_dir);
        let tmp = p.with_extension("toml.tmp");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(kclm::ops::audit::PRIVATE_FILE)
            .open(&tmp)?;
        // A tmp file left by an older kclm keeps its mode on open: narrow it.
        f.set_permissions(std::fs::Permissions::from_mode(
            kclm::ops::audit::PRIVATE_FILE,
        ))?;
        f.write_all(text.as_bytes())?;
        drop(f);
        std::fs::rename(tmp, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_a_broken_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        assert_eq!(Prefs::load(&state), (Prefs::default(), None));
        let mut p = Prefs::default();
        p.sort.insert(
            "shoots".into(),
            SortPref {
                column: "HEALTH".into(),
                descending: true,
            },
        );
        p.save(&state).expect("save");
        assert_eq!(Prefs::load(&state), (p, None));
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path(&state)), 0o600, "tui-state.toml owner-only");
        assert_eq!(mode(&state), 0o700, "the state dir owner-only");
        std::fs::write(path(&state), "sort = 3").expect("write");
        let (loaded, warning) = Prefs::load(&state);
        assert_eq!(loaded, Prefs::default());
        assert!(warning.is_some_and(|w| w.contains("tui-state.toml")));
    }
}
