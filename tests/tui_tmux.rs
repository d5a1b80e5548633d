//! Drives the real `kclm` binary in tmux: open, navigate, filter, help,
//! palette, quit; asserts on `capture-pane` text and that the terminal is
//! restored (alternate screen left) after quitting.

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    name: String,
    _dirs: tempfile::TempDir,
}

impl Tmux {
    /// Whether tmux is there; CI installs it (.ci/run), so there a missing
    /// tmux fails the test instead of skipping it.
    fn available() -> bool {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok || std::env::var_os("CI").is_none(), "CI must have tmux");
        ok
    }

    fn start(w: u16, h: u16, args: &str) -> Self {
        let dirs = tempfile::tempdir().expect("tempdir");
        let name = format!("kclm-test-{}-{}", std::process::id(), rand_suffix());
        let bin = env!("CARGO_BIN_EXE_kclm");
        let cmd = format!(
            "KCLM_CONFIG_DIR={cfg} KCLM_STATE_DIR={state} {bin} {args}; echo KCLM_EXITED:$?; sleep 60",
            cfg = dirs.path().join("config").display(),
            state = dirs.path().join("state").display(),
        );
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                &cmd,
            ])
            .status()
            .expect("tmux runs")
            .success();
        assert!(ok, "tmux new-session failed");
        Self { name, _dirs: dirs }
    }

    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_for_all(&[needle])
    }

    /// Waits until one capture holds every needle: a capture can catch a
    /// frame half written, so nothing is asserted on a single snapshot.
    fn wait_for_all(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {needles:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends tmux key names (`Enter`, `Escape`, `Tab`) or literal text.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let literal = !matches!(
                *k,
                "Enter" | "Escape" | "Tab" | "BTab" | "Up" | "Down" | "C-u" | "C-t"
            );
            let mut c = Command::new("tmux");
            c.args(["send-keys", "-t", &self.name]);
            if literal {
                c.arg("-l");
            }
            c.arg(k);
            assert!(c.status().expect("send-keys").success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Waits until one of the needles shows; returns it and the screen.
    fn wait_for_any(&self, needles: &[&str]) -> (usize, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if let Some(i) = needles.iter().position(|n| screen.contains(n)) {
                return (i, screen);
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for any of {needles:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alternate_screen_on(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.name, "#{alternate_on}"])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0)
}

/// Works whether or not a landscape is reachable: the console must open,
/// stay usable and quit cleanly even when connecting fails.
#[test]
fn console_opens_navigates_and_restores_the_terminal() {
    if !Tmux::available() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tmux::start(160, 45, "");
    t.wait_for_all(&["shoots (", "projects (", "seeds (", "machines ("]);
    assert!(
        t.alternate_screen_on(),
        "the TUI runs on the alternate screen"
    );

    t.keys(&["/", "web"]);
    t.wait_for_all(&["/web", "enter keep"]);
    t.keys(&["Enter", "Escape"]);

    t.keys(&["?"]);
    t.wait_for("Quit kclm");
    t.keys(&["Escape"]);

    t.keys(&[":", "seeds", "Enter"]);
    t.wait_for("› seeds");
    t.keys(&["Tab"]);
    t.wait_for("› machines");

    t.keys(&["q"]);
    let screen = t.wait_for("KCLM_EXITED:0");
    assert!(!t.alternate_screen_on(), "alternate screen left after quit");
    assert!(
        !screen.contains("┌ projects"),
        "TUI frame left behind:\n{screen}"
    );
}

#[test]
fn a_kill_from_another_shell_restores_the_terminal_too() {
    if !Tmux::available() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tmux::start(160, 45, "");
    t.wait_for_all(&["shoots (", "machines ("]);
    assert!(t.alternate_screen_on());
    let pane_pid = Command::new("tmux")
        .args(["display-message", "-p", "-t", &t.name, "#{pane_pid}"])
        .output()
        .expect("tmux runs");
    let shell = String::from_utf8_lossy(&pane_pid.stdout).trim().to_string();
    // the kclm process is the pane shell's child
    let ok = Command::new("pkill")
        .args(["-TERM", "-P", &shell, "kclm"])
        .status()
        .expect("pkill runs")
        .success();
    assert!(ok, "kclm was running under the pane's shell");
    let screen = t.wait_for("KCLM_EXITED:0");
    assert!(
        !t.alternate_screen_on(),
        "alternate screen left after SIGTERM"
    );
    assert!(
        !screen.contains("┌ projects"),
        "TUI frame left behind:
{screen}"
    );
}

/// Against the embedded demo landscape: pick a shoot, filter for it, read its
/// detail, its machines and its YAML, quit.
#[test]
fn demo_shoot_filter_detail_machines_yaml() {
    if !Tmux::available() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tmux::start(200, 50, "--demo");
    t.wait_for("garden synced");
    t.keys(&["2", "g"]);
    // The detail pane's title names the selected shoot: " shoot <name> ".
    let screen = t.wait_for("┐┌ shoot ");
    let name = screen
        .split("┌ shoot ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a shoot name in the detail title")
        .to_string();
    t.keys(&["/", &name, "Enter"]);
    // The filter keeps the shoot selected (a fuzzy match may keep others too).
    t.wait_for_all(&[
        &format!("/{name} "),
        &format!("┌ shoot {name} "),
        "conditions",
        "maintenance & hibernation",
    ]);
    t.keys(&["Enter"]);
    t.wait_for_all(&["› machines", &format!("› {name} ›")]);
    t.keys(&["Escape", "y"]);
    t.wait_for_all(&["kind: Shoot", &format!("name: {name}")]);
    t.keys(&["Escape", "q"]);
    t.wait_for("KCLM_EXITED:0");
    assert!(!t.alternate_screen_on());
}

/// The name a typed confirmation asks for: `Type <name> to confirm`.
fn typed_name(screen: &str) -> String {
    screen
        .split("Type ")
        .nth(1)
        .and_then(|rest| rest.split(" to confirm").next())
        .expect("a typed confirmation")
        .trim()
        .to_string()
}

/// Opens `key`'s confirmation on the first shoot (from the top) that allows
/// it; returns the name to type. Refusals (a constraint, already in that
/// state) show in the status line and move on to the next shoot.
fn open_typed(t: &Tmux, key: &str) -> String {
    t.keys(&["g"]);
    for _ in 0..15 {
        t.keys(&[key]);
        let (i, screen) = t.wait_for_any(&["to confirm, esc to cancel", "cannot ", "already "]);
        if i == 0 {
            return typed_name(&screen);
        }
        t.keys(&["j"]);
    }
    panic!("no shoot allows {key}");
}

/// Against the demo: the typed-name delete sends nothing for a wrong name and
/// deletes for the right one; hibernate shows Hibernating; quit restores.
#[test]
fn demo_delete_needs_the_typed_name_and_hibernate_hibernates() {
    if !Tmux::available() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tmux::start(200, 50, "--demo");
    t.wait_for("garden synced");
    t.keys(&["2", "/", "hibernation:awake", "Enter"]);
    t.wait_for("/hibernation:awake");

    // Hibernate: the name is typed, then the watch shows the shoot hibernating.
    let name = open_typed(&t, "H");
    t.keys(&[&name, "Enter"]);
    t.wait_for("hibernation requested");
    t.keys(&["/", "C-u", &format!("\"{name}\""), "Enter"]);
    t.wait_for_all(&[&format!("┌ shoot {name} "), "hibernation  Hibernat"]);

    // Delete another awake shoot: a wrong name sends nothing.
    t.keys(&["/", "C-u", "hibernation:awake", "Enter"]);
    t.wait_for("/hibernation:awake");
    let victim = open_typed(&t, "D");
    assert_ne!(victim, name);
    t.keys(&["nope", "Enter"]);
    let screen = t.wait_for("does not match");
    assert!(
        !screen.contains(": sent"),
        "a wrong name sent something:\n{screen}"
    );
    t.keys(&["C-u", &victim, "Enter"]);
    t.wait_for("deletion requested");
    t.keys(&["/", "C-u", &format!("\"{victim}\""), "Enter"]);
    t.wait_for_all(&[&format!("┌ shoot {victim} "), "Delete ▰"]);

    t.keys(&["q"]);
    t.wait_for("KCLM_EXITED:0");
    assert!(!t.alternate_screen_on(), "alternate screen left after quit");
}
