//! Logins through exec credential plugins: the real binary against
//! `kclm demo serve`, with a kubeconfig whose garden user is one of the small
//! plugins in tests/fixtures/exec/ (prints a credential, prompts, fails, hangs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Demo {
    child: Child,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Demo {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kclm"))
        .args(["demo", "serve", "--seed", "7", "--dir"])
        .arg(dir.path().join("demo"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo serve starts");
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut env = Vec::new();
    for line in out.lines() {
        let line = line.expect("line");
        if let Some((k, v)) = line.split_once('=') {
            env.push((k.to_string(), v.to_string()));
        }
        if line.starts_with("KCLM_METAL_AUTH_TYPE=") {
            break;
        }
    }
    assert_eq!(env.len(), 4, "demo serve printed its environment: {env:?}");
    Demo { child, env, dir }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exec")
        .join(name)
}

impl Demo {
    fn var(&self, k: &str) -> &str {
        self.env
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .expect("demo variable")
    }

    /// A copy of the demo's kubeconfig whose garden user (demo-admin) runs
    /// `plugin` with `env` instead of carrying the token.
    fn kubeconfig(&self, plugin: &str, mode: &str, env: &[(&str, &str)]) -> PathBuf {
        let text = std::fs::read_to_string(self.var("KUBECONFIG")).expect("demo kubeconfig");
        let static_user = "- name: demo-admin\n  user:\n    token: demo-admin\n";
        assert!(
            text.contains(static_user),
            "demo kubeconfig changed:\n{text}"
        );
        let mut exec = format!(
            "- name: demo-admin\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [\"--secret-arg=argvalue42\"]\n      interactiveMode: {mode}\n      env:\n      - name: PATH\n        value: /usr/bin:/bin\n",
            fixture(plugin).display()
        );
        for (n, v) in env {
            exec.push_str(&format!("      - name: {n}\n        value: \"{v}\"\n"));
        }
        let path = self.dir.path().join(format!("kubeconfig-{plugin}-{mode}"));
        std::fs::write(&path, text.replace(static_user, &exec)).expect("write kubeconfig");
        path
    }

    /// Runs kclm with a clean environment: the demo's metal-api, the given
    /// kubeconfig, a temporary HOME; stdin is not a terminal.
    fn kclm(&self, kubeconfig: &Path, args: &[&str]) -> (Output, Duration) {
        let home = self.dir.path().join("home");
        let t0 = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_kclm"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("KCLM_CONFIG_DIR", home.join("config"))
            .env("KCLM_STATE_DIR", home.join("state"))
            .env("KUBECONFIG", kubeconfig)
            .envs(
                self.env
                    .iter()
                    .filter(|(k, _)| k != "KUBECONFIG")
                    .map(|(k, v)| (k, v)),
            )
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kclm runs");
        let out = finish(out, Duration::from_secs(60));
        (out, t0.elapsed())
    }
}

/// Waits for a child with a deadline (a kclm that hangs fails the test
/// instead of hanging it) and collects its output as it comes.
fn finish(mut child: Child, limit: Duration) -> Output {
    use std::io::Read;
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err.join().unwrap_or_default();
            panic!(
                "kclm still running after {limit:?}; stderr:\n{}",
                text(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The rows of a `-o json` answer.
fn rows(out: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON on stdout ({e}); stdout {} stderr {}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    v.as_array().expect("a list").clone()
}

#[test]
fn a_plugin_that_prints_a_credential_logs_in_and_a_slow_one_too() {
    let demo = serve();
    let kc = demo.kubeconfig("ok.sh", "Never", &[("KCLM_TEST_TOKEN", "demo-admin")]);
    let (out, _) = demo.kclm(&kc, &["get", "shoots", "-o", "json", "--timeout", "30"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shoots = rows(&out);
    assert!(!shoots.is_empty(), "the demo has shoots");
    assert!(shoots.iter().all(|s| s["name"].is_string()), "{shoots:?}");

    // The token really is what the server sees: a wrong one is refused.
    let kc = demo.kubeconfig("ok.sh", "IfAvailable", &[("KCLM_TEST_TOKEN", "not-a-user")]);
    let (out, _) = demo.kclm(&kc, &["get", "shoots", "-o", "json", "--timeout", "10"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let kc = demo.kubeconfig(
        "ok.sh",
        "Never",
        &[("KCLM_TEST_TOKEN", "demo-admin"), ("KCLM_TEST_DELAY", "3")],
    );
    let (out, took) = demo.kclm(&kc, &["get", "shoots", "-o", "json", "--timeout", "30"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!rows(&out).is_empty());
    assert!(
        took >= Duration::from_secs(3),
        "the plugin's delay was waited for"
    );
}

#[test]
fn a_failing_plugin_is_named_with_its_exit_status_and_nothing_secret() {
    let demo = serve();
    let kc = demo.kubeconfig("fail.sh", "Never", &[("KCLM_TEST_SECRET", "envvalue42")]);
    let (out, took) = demo.kclm(&kc, &["get", "shoots", "--timeout", "20"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "exec plugin `fail.sh` failed (exit status: 7): fail.sh: error: your session has expired, run 'fail.sh login'"
        ),
        "{err}"
    );
    for secret in [
        "argvalue42",
        "envvalue42",
        "KUBERNETES_EXEC_INFO",
        "Command {",
        "stderr:",
    ] {
        assert!(!err.contains(secret), "{secret:?} in the error:\n{err}");
    }
    assert!(took < Duration::from_secs(15), "failed fast, took {took:?}");
}

fn pids(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Running, not a zombie.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    })
}

fn assert_ended(file: &Path) {
    // The shell's pid, then its child's (unless it was killed in between).
    let pids = pids(file);
    assert!(!pids.is_empty(), "the plugin ran and wrote its pid");
    let deadline = Instant::now() + Duration::from_secs(5);
    for pid in pids {
        while alive(pid) {
            assert!(
                Instant::now() < deadline,
                "plugin process {pid} was left running"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn a_hanging_plugin_times_out_is_ended_and_the_metal_api_still_loads() {
    let demo = serve();
    let pidfile = demo.dir.path().join("hang.pids");
    let pf = pidfile.display().to_string();
    let kc = demo.kubeconfig("hang.sh", "IfAvailable", &[("KCLM_TEST_PIDFILE", &pf)]);
    let (out, took) = demo.kclm(&kc, &["get", "shoots", "--timeout", "5"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "shoots did not sync within 5s (timed out): still logging in through exec plugin `hang.sh` (stopped)"
        ),
        "{err}"
    );
    assert!(took < Duration::from_secs(10), "returned after {took:?}");
    assert_ended(&pidfile);

    // Machines come from the metal-api; the garden login does not hold them.
    std::fs::remove_file(&pidfile).expect("pid file");
    let (out, took) = demo.kclm(&kc, &["get", "machines", "-o", "json", "--timeout", "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!rows(&out).is_empty(), "machines listed");
    assert!(took < Duration::from_secs(10), "returned after {took:?}");
    assert_ended(&pidfile);
}

#[test]
fn a_prompting_plugin_without_a_terminal_fails_instead_of_waiting() {
    let demo = serve();
    // IfAvailable without a terminal: run with stdin closed; the prompt
    // gets no answer and the plugin's own message is shown.
    let kc = demo.kubeconfig("prompt.sh", "IfAvailable", &[]);
    let (out, took) = demo.kclm(&kc, &["get", "shoots", "--timeout", "20"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "exec plugin `prompt.sh` failed (exit status: 2): Token for the garden: prompt.sh: no answer on stdin, cannot log in"
        ),
        "{err}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");

    // Always: it is not even started without a terminal.
    let kc = demo.kubeconfig("prompt.sh", "Always", &[]);
    let (out, _) = demo.kclm(&kc, &["get", "shoots", "--timeout", "20"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("exec plugin `prompt.sh` needs a terminal for an interactive login"),
        "{err}"
    );
}

/// kclm in a tmux pane with a clean environment (only the demo's metal-api
/// and the given kubeconfig), so a plugin may use a real terminal.
struct Tmux {
    name: String,
}

impl Tmux {
    /// Whether tmux is there; CI installs it, so there a missing tmux fails.
    fn available() -> bool {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok || std::env::var_os("CI").is_none(), "CI must have tmux");
        ok
    }

    fn start(demo: &Demo, kubeconfig: &Path, args: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("kclm-exec-{}-{n}", std::process::id());
        let home = demo.dir.path().join("home");
        let mut env = format!(
            "PATH=/usr/bin:/bin HOME={h} TERM=xterm-256color KCLM_CONFIG_DIR={h}/config KCLM_STATE_DIR={h}/state KUBECONFIG={kc}",
            h = home.display(),
            kc = kubeconfig.display()
        );
        for (k, v) in demo.env.iter().filter(|(k, _)| k != "KUBECONFIG") {
            env.push_str(&format!(" {k}={v}"));
        }
        let cmd = format!(
            "env -i {env} {bin} {args}; echo KCLM_EXITED:$?; sleep 60",
            bin = env!("CARGO_BIN_EXE_kclm")
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &name,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                &name,
            ])
            .args(["-x", "160", "-y", "45", &cmd])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux runs")
            .success();
        assert!(ok, "tmux new-session failed");
        Self { name }
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.name])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn capture(&self) -> String {
        text(&self.tmux(&["capture-pane", "-p", "-t", &self.name]).stdout)
    }

    /// Waits until one capture holds every needle.
    fn wait_for_all(&self, needles: &[&str], limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.capture();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needles:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    fn alternate_screen_on(&self) -> bool {
        let out = self.tmux(&["display-message", "-p", "-t", &self.name, "#{alternate_on}"]);
        text(&out.stdout).trim() == "1"
    }

    /// Waits until the console has (or has not) the alternate screen.
    fn wait_alternate(&self, on: bool, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.alternate_screen_on() != on {
            assert!(
                Instant::now() < deadline,
                "alternate screen never {}; screen:\n{}",
                if on { "on" } else { "off" },
                self.capture()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

#[test]
fn the_console_loads_the_metal_api_and_quits_while_a_plugin_hangs() {
    assert!(
        Tmux::available(),
        "tmux is needed for this test (.ci/run installs it)"
    );
    let demo = serve();
    let pidfile = demo.dir.path().join("hang-tui.pids");
    let pf = pidfile.display().to_string();
    let kc = demo.kubeconfig("hang.sh", "Never", &[("KCLM_TEST_PIDFILE", &pf)]);
    let t = Tmux::start(&demo, &kc, "");
    t.wait_for_all(
        &[
            "garden connecting",
            "metal synced",
            "machines (",
            "loading shoots",
        ],
        Duration::from_secs(20),
    );
    assert!(t.alternate_screen_on(), "the TUI runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids(&pidfile).len() < 2 {
        assert!(Instant::now() < deadline, "the plugin and its child run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let t0 = Instant::now();
    t.send(&["q"]);
    let screen = t.wait_for_all(&["KCLM_EXITED:0"], Duration::from_secs(5));
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(!t.alternate_screen_on(), "terminal restored");
    assert!(
        !screen.contains("┌ shoots"),
        "TUI frame left behind:\n{screen}"
    );
    assert_ended(&pidfile);
}

#[test]
fn a_prompting_plugin_asks_on_the_terminal_before_the_console_takes_it() {
    assert!(
        Tmux::available(),
        "tmux is needed for this test (.ci/run installs it)"
    );
    let demo = serve();
    let kc = demo.kubeconfig("prompt.sh", "IfAvailable", &[]);

    // The headless command: the prompt is answered, the shoots are listed.
    let t = Tmux::start(&demo, &kc, "get shoots --timeout 30");
    t.wait_for_all(
        &[
            "logging in through exec plugin `prompt.sh`",
            "Token for the garden:",
        ],
        Duration::from_secs(20),
    );
    t.send(&["-l", "demo-admin"]);
    t.send(&["Enter"]);
    t.wait_for_all(&["KCLM_EXITED:0", "PROJECT"], Duration::from_secs(30));
    drop(t);

    // The console: the prompt comes first, on the normal screen; then the
    // console opens with the garden logged in.
    let t = Tmux::start(&demo, &kc, "");
    t.wait_for_all(&["Token for the garden:"], Duration::from_secs(20));
    assert!(
        !t.alternate_screen_on(),
        "the console has not taken the terminal yet"
    );
    t.send(&["-l", "demo-admin"]);
    t.send(&["Enter"]);
    t.wait_for_all(&["garden synced", "metal synced"], Duration::from_secs(30));
    t.send(&["q"]);
    t.wait_for_all(&["KCLM_EXITED:0"], Duration::from_secs(5));
}

#[test]
fn an_expired_login_prompts_again_mid_session_and_the_console_comes_back() {
    assert!(
        Tmux::available(),
        "tmux is needed for this test (.ci/run installs it)"
    );
    login_again_mid_session("Always");
}

#[test]
fn an_if_available_plugin_renewed_mid_session_gets_the_terminal_too() {
    assert!(
        Tmux::available(),
        "tmux is needed for this test (.ci/run installs it)"
    );
    login_again_mid_session("IfAvailable");
}

/// The console's garden user is `prompt.sh` in `mode`; its first credential
/// expires soon after the start and the renewal prompts on the terminal.
fn login_again_mid_session(mode: &str) {
    let demo = serve();
    // The first credential expires 75 s after the answer, so kclm renews it
    // from 15 s on (a minute early); the second one does not expire.
    let once = demo.dir.path().join("short-once");
    let once = once.display().to_string();
    let kc = demo.kubeconfig(
        "prompt.sh",
        mode,
        &[
            ("KCLM_TEST_SHORT_ONCE", &once),
            ("KCLM_TEST_EXPIRES_IN", "75"),
        ],
    );
    let t = Tmux::start(&demo, &kc, "");
    t.wait_for_all(&["Token for the garden:"], Duration::from_secs(20));
    t.send(&["-l", "demo-admin"]);
    t.send(&["Enter"]);
    t.wait_for_all(&["garden synced", "metal synced"], Duration::from_secs(15));
    assert!(t.alternate_screen_on(), "the console runs");
    t.send(&["2"]);

    // Once the credential is due for renewal (the plugin's `date` may round
    // a second down), the next garden request (the YAML of the selected
    // shoot) runs the plugin, which is handed the terminal. No key is sent
    // while that may be happening: it would go to the prompt.
    // The plugin wrote when its credential expires; kclm renews a minute
    // before that. Waiting for that instant (not for a time after the
    // answer) holds however late a loaded machine ran the plugin.
    let expires = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let at = std::fs::read_to_string(&once).unwrap_or_default();
            if let Ok(t) = at.trim().parse::<jiff::Timestamp>() {
                break t;
            }
            assert!(
                Instant::now() < deadline,
                "the plugin never wrote its expiry"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let due =
        expires - jiff::SignedDuration::from_secs(60) + jiff::SignedDuration::from_millis(1500);
    while jiff::Timestamp::now() < due {
        assert!(t.alternate_screen_on(), "the first credential was used");
        std::thread::sleep(Duration::from_millis(200));
    }
    t.send(&["y"]);
    t.wait_alternate(false, Duration::from_secs(20));
    let screen = t.wait_for_all(
        &[
            "kclm: logging in through exec plugin `prompt.sh` … (ctrl-c cancels)",
            "Token for the garden:",
        ],
        Duration::from_secs(10),
    );
    assert!(
        !screen.contains("┌ shoots"),
        "console left on screen:\n{screen}"
    );
    t.send(&["-l", "demo-admin"]);
    t.send(&["Enter"]);
    t.wait_alternate(true, Duration::from_secs(10));
    t.wait_for_all(
        &["logged in through exec plugin prompt.sh", "garden synced"],
        Duration::from_secs(10),
    );
    // The YAML view that asked is still open: close it, then quit.
    // Escape alone, then wait for the view behind it: sent back to back,
    // `Escape q` reaches crossterm as Alt-q.
    t.send(&["Escape"]);
    t.wait_for_all(&["┌ shoots"], Duration::from_secs(10));
    t.send(&["q"]);
    t.wait_for_all(&["KCLM_EXITED:0"], Duration::from_secs(10));
}

#[test]
fn a_shoot_operation_logs_in_through_a_prompting_plugin_first() {
    assert!(
        Tmux::available(),
        "tmux is needed for this test (.ci/run installs it)"
    );
    let demo = serve();
    let listing = demo.kubeconfig("ok.sh", "Never", &[("KCLM_TEST_TOKEN", "demo-admin")]);
    let (out, _) = demo.kclm(
        &listing,
        &["get", "shoots", "-o", "json", "--timeout", "30"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shoots = rows(&out);
    let awake = shoots
        .iter()
        .find(|s| s["hibernation"] != "Hibernated" && s["health"] == "healthy")
        .unwrap_or_else(|| panic!("an awake healthy shoot: {shoots:?}"));
    let name = format!(
        "{}/{}",
        awake["namespace"].as_str().expect("namespace"),
        awake["name"].as_str().expect("name")
    );

    let kc = demo.kubeconfig("prompt.sh", "Always", &[]);
    let t = Tmux::start(&demo, &kc, &format!("shoot hibernate --dry-run {name}"));
    t.wait_for_all(
        &[
            "logging in through exec plugin `prompt.sh`",
            "Token for the garden:",
        ],
        Duration::from_secs(20),
    );
    t.send(&["-l", "demo-admin"]);
    t.send(&["Enter"]);
    let screen = t.wait_for_all(&["KCLM_EXITED:"], Duration::from_secs(30));
    assert!(screen.contains("KCLM_EXITED:0"), "{screen}");
    assert!(!screen.contains("needs a terminal"), "{screen}");
    let short = awake["name"].as_str().expect("name");
    assert!(
        screen.contains(short),
        "the result names the shoot:\n{screen}"
    );
}
