//! Drives the real `kclm` binary in tmux: open, navigate, filter, help,
//! palette, quit; asserts on `capture-pane` text and that the terminal is
//! restored (alternate screen left) after quitting. kclm runs with a clean
//! environment on a private tmux server (see `contract/tmux.rs`), so with no
//! landscape configured it opens the embedded demo landscape.

#[path = "contract/tmux.rs"]
mod tmux;

use std::process::Command;

use tmux::Tmux;

/// The footer of the landscape view with no input line and no overlay open.
const NORMAL_FOOTER: &str = "? help  : cmd  / filter";

#[test]
fn console_opens_navigates_and_restores_the_terminal() {
    let t = Tmux::start(160, 45, &[]);
    t.wait_for_all(&[
        "shoots (",
        "projects (",
        "seeds (",
        "machines (",
        "garden synced",
    ]);
    assert!(
        t.alternate_screen_on(),
        "the TUI runs on the alternate screen"
    );

    t.keys(&["/", "web"]);
    t.wait_for_all(&["/web", "enter keep"]);
    t.keys(&["Enter"]);
    t.wait_until("the filter kept in the title", |s| {
        s.contains("/web") && s.contains(NORMAL_FOOTER) && !s.contains("enter keep")
    });
    t.escape("the filter cleared", |s| !s.contains("/web"));

    t.keys(&["?"]);
    t.wait_for("Quit kclm");
    t.escape("the help closed", |s| {
        !s.contains("Quit kclm") && s.contains(NORMAL_FOOTER)
    });

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
    let t = Tmux::start(160, 45, &[]);
    t.wait_for_all(&["shoots (", "machines ("]);
    assert!(t.alternate_screen_on());
    // the kclm process is the pane shell's child
    let ok = Command::new("pkill")
        .args(["-TERM", "-P", &t.pane_pid(), "kclm"])
        .status()
        .expect("pkill runs")
        .success();
    assert!(ok, "kclm was running under the pane's shell");
    let screen = t.wait_for("KCLM_EXITED:143");
    assert!(
        !t.alternate_screen_on(),
        "alternate screen left after SIGTERM"
    );
    assert!(
        !screen.contains("┌ projects"),
        "TUI frame left behind:\n{screen}"
    );
}

/// A developer's tmux server may carry `KUBECONFIG`, `METALCTL_*` or a
/// `KCLM_LANDSCAPE`; none of it reaches kclm: `kclm info` in the pane names
/// no landscape, and the console opens the demo, not the poisoned target.
#[test]
fn the_developers_environment_never_reaches_kclm() {
    let poison = [
        ("KUBECONFIG", "/poison/kubeconfig"),
        ("METALCTL_API_URL", "http://poison.invalid/metal"),
        ("METALCTL_HMAC", "poison-hmac"),
        ("KCLM_METAL_URL", "http://poison.invalid/metal"),
        ("KCLM_LANDSCAPE", "poison"),
    ];
    let t = Tmux::start_with_server_env(160, 45, &["info"], &poison);
    let screen = t.wait_for("KCLM_EXITED:0");
    assert!(
        screen.contains("landscape:   none configured"),
        "kclm info saw a landscape:\n{screen}"
    );
    assert!(!screen.contains("poison"), "poison reached kclm:\n{screen}");
    let home = t.dir().join("home").display().to_string();
    assert!(
        screen.contains(&format!("state dir:   {home}/state")),
        "kclm's state dir is the test's:\n{screen}"
    );

    let t = Tmux::start_with_server_env(160, 45, &[], &poison);
    t.wait_for_all(&["demo › shoots", "garden synced", "metal synced"]);
    t.keys(&["q"]);
    t.wait_for("KCLM_EXITED:0");
}

/// Against the embedded demo landscape: pick a shoot, filter for it, read its
/// detail, its machines and its YAML, quit.
#[test]
fn demo_shoot_filter_detail_machines_yaml() {
    let t = Tmux::start(200, 50, &["--demo"]);
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
    t.escape("the shoot list", |s| {
        !s.contains("› machines") && s.contains(&format!("┌ shoot {name} "))
    });
    t.keys(&["y"]);
    t.wait_for_all(&["kind: Shoot", &format!("name: {name}")]);
    t.escape("the YAML closed", |s| {
        !s.contains("┌ yaml ·") && s.contains(NORMAL_FOOTER)
    });
    t.keys(&["q"]);
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

/// The status line: the screen's last line.
fn status_line(screen: &str) -> &str {
    screen.trim_end().lines().last().unwrap_or("")
}

/// Opens `key`'s confirmation on the first shoot (from the top) that allows
/// it; returns the name to type. Refusals (a constraint, already in that
/// state) show in the status line; the next key clears it, and the next
/// attempt waits for that, so no answer is read twice.
fn open_typed(t: &Tmux, key: &str) -> String {
    t.keys(&["g"]);
    for _ in 0..15 {
        t.wait_until("a clear status line", |s| {
            status_line(s).contains(NORMAL_FOOTER)
        });
        t.keys(&[key]);
        let screen = t.wait_until("a confirmation or a refusal", |s| {
            let status = status_line(s);
            s.contains("to confirm, esc to cancel")
                || status.contains("cannot ")
                || status.contains("already ")
        });
        if screen.contains("to confirm, esc to cancel") {
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
    let t = Tmux::start(200, 50, &["--demo"]);
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

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT sent to the console: each restores
/// the terminal (alternate screen off) and kclm exits with 128 + the signal
/// number, as a shell reports a death by that signal.
#[test]
fn each_signal_restores_the_terminal_and_exits_128_plus_its_number() {
    for (sig, code) in [("TERM", 143), ("HUP", 129), ("INT", 130), ("QUIT", 131)] {
        let t = Tmux::start(160, 45, &[]);
        t.wait_for_all(&["shoots (", "machines ("]);
        assert!(t.alternate_screen_on(), "SIG{sig}: the TUI is up");
        let ok = Command::new("pkill")
            .args([&format!("-{sig}"), "-P", &t.pane_pid(), "kclm"])
            .status()
            .expect("pkill runs")
            .success();
        assert!(ok, "SIG{sig}: kclm was running under the pane's shell");
        let screen = t.wait_until(&format!("kclm exited after SIG{sig}"), |s| {
            s.contains("KCLM_EXITED:")
        });
        assert!(
            screen.contains(&format!("KCLM_EXITED:{code}")),
            "SIG{sig}: expected exit status {code}:\n{screen}"
        );
        assert!(
            !t.alternate_screen_on(),
            "SIG{sig}: alternate screen left on"
        );
        assert!(
            !screen.contains("┌ projects"),
            "SIG{sig}: TUI frame left behind:\n{screen}"
        );
    }
}

/// The console's own files are owner-only: after a sort change saved the UI
/// state, tui-state.toml and today's log file are 0600 in a 0700 state dir.
#[test]
fn the_saved_ui_state_and_the_log_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tmux::start(160, 45, &[]);
    t.wait_for_all(&["shoots (", "machines ("]);
    let state = t.dir().join("home/state");
    let prefs = state.join("tui-state.toml");
    assert!(!prefs.exists(), "no UI state before a sort change");
    t.keys(&["s"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !prefs.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "tui-state.toml not written"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    t.keys(&["q"]);
    t.wait_for("KCLM_EXITED:0");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700, "state dir");
    assert_eq!(mode(&prefs), 0o600, "tui-state.toml");
    let logs: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("kclm.log"))
        .map(|e| e.path())
        .collect();
    assert!(!logs.is_empty(), "a log file in {}", state.display());
    for l in logs {
        assert_eq!(mode(&l), 0o600, "{}", l.display());
    }
}
