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
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
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
            let literal = !matches!(*k, "Enter" | "Escape" | "Tab" | "BTab" | "Up" | "Down");
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
