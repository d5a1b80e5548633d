//! The real `kclm` binary in a tmux pane, for the console tests
//! (`tests/tui_tmux.rs`) and the contract suite's console run.
//!
//! Nothing of the developer's environment reaches kclm: the tmux server is a
//! private one (its socket in a temporary directory, started with a cleared
//! environment), and the pane runs kclm under `env -i` with only `PATH`,
//! `TERM`, `HOME` and the config/state directories, all temporary. A
//! developer's `KUBECONFIG` or `METALCTL_*` can therefore neither make kclm
//! talk to a real landscape nor change what a test sees.
//!
//! Keys go out back to back, except after an Escape: crossterm reads an Escape
//! followed by another byte in the same read as Alt+that key, so
//! [`Tmux::escape`] waits for the screen the Escape leads to before anything
//! else is sent, and [`Tmux::keys`] refuses an Escape.

// Shared by two test crates; each uses a part.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

pub struct Tmux {
    socket: PathBuf,
    pub name: String,
    dirs: tempfile::TempDir,
}

/// Quotes for `sh`: `'...'` with every `'` closed, escaped and reopened.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Tmux {
    /// The tests need tmux: a missing one fails them instead of skipping
    /// (CI installs it, see .ci/run).
    pub fn require() {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "tmux is not installed; the console tests need it");
    }

    /// kclm with `args` in a `w`×`h` pane.
    pub fn start(w: u16, h: u16, args: &[&str]) -> Self {
        Self::start_with_server_env(w, h, args, &[])
    }

    /// As [`Tmux::start`], with `server_env` in the tmux server's environment
    /// (what a developer's already running tmux server would carry).
    pub fn start_with_server_env(
        w: u16,
        h: u16,
        args: &[&str],
        server_env: &[(&str, &str)],
    ) -> Self {
        Self::require();
        let dirs = tempfile::tempdir().expect("tempdir");
        let home = dirs.path().join("home");
        std::fs::create_dir_all(&home).expect("home dir");
        let socket = dirs.path().join("tmux.sock");
        let name = "kclm".to_string();
        let path = std::env::var("PATH").unwrap_or_default();
        let args: Vec<String> = args.iter().map(|a| sh_quote(a)).collect();
        let cmd = format!(
            "env -i PATH={path} HOME={home} TERM=\"$TERM\" KCLM_CONFIG_DIR={cfg} \
             KCLM_STATE_DIR={state} {bin} {args}; echo KCLM_EXITED:$?; sleep 600",
            path = sh_quote(&path),
            home = sh_quote(&home.display().to_string()),
            cfg = sh_quote(&home.join("config").display().to_string()),
            state = sh_quote(&home.join("state").display().to_string()),
            bin = sh_quote(env!("CARGO_BIN_EXE_kclm")),
            args = args.join(" "),
        );
        let ok = Command::new("tmux")
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &home)
            .env("TERM", "xterm-256color")
            .envs(server_env.iter().copied())
            .arg("-u")
            .arg("-S")
            .arg(&socket)
            .args(["new-session", "-d", "-s", &name, "-x"])
            .arg(w.to_string())
            .arg("-y")
            .arg(h.to_string())
            .arg(&cmd)
            .status()
            .expect("tmux runs")
            .success();
        assert!(ok, "tmux new-session failed");
        Self { socket, name, dirs }
    }

    /// The directory kclm's HOME, config and state directories are in.
    pub fn dir(&self) -> &Path {
        self.dirs.path()
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("-S")
            .arg(&self.socket);
        c
    }

    pub fn capture(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until a capture satisfies `done`; a capture can catch a frame
    /// half written, so nothing is decided on a single snapshot.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.capture();
            if done(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_all(&[needle])
    }

    /// Waits until one capture holds every needle.
    pub fn wait_for_all(&self, needles: &[&str]) -> String {
        self.wait_until(&format!("{needles:?}"), |s| {
            needles.iter().all(|n| s.contains(n))
        })
    }

    /// Waits until one of the needles shows; returns its index and the screen.
    pub fn wait_for_any(&self, needles: &[&str]) -> (usize, String) {
        let screen = self.wait_until(&format!("any of {needles:?}"), |s| {
            needles.iter().any(|n| s.contains(n))
        });
        let i = needles
            .iter()
            .position(|n| screen.contains(n))
            .expect("a needle that was found");
        (i, screen)
    }

    /// Sends tmux key names (`Enter`, `Tab`, `C-u`, ...) or literal text, back
    /// to back. An Escape goes through [`Tmux::escape`].
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert_ne!(*k, "Escape", "send Escape with Tmux::escape");
            let named = matches!(*k, "Enter" | "Tab" | "BTab" | "Up" | "Down" | "C-u" | "C-t");
            let mut c = self.tmux();
            c.args(["send-keys", "-t", &self.name]);
            if !named {
                c.arg("-l");
            }
            assert!(c.arg(k).status().expect("send-keys").success());
        }
    }

    /// Sends Escape alone and waits for the screen it leads to (`what`
    /// describes it), so the next key cannot be read as Alt+key.
    pub fn escape(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", &self.name, "Escape"])
            .status()
            .expect("send-keys")
            .success();
        assert!(ok, "send-keys Escape");
        self.wait_until(&format!("{what} after Escape"), done)
    }

    pub fn alternate_screen_on(&self) -> bool {
        self.display("#{alternate_on}") == "1"
    }

    /// The pid of the pane's shell (kclm is its child).
    pub fn pane_pid(&self) -> String {
        self.display("#{pane_pid}")
    }

    fn display(&self, format: &str) -> String {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", &self.name, format])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}
