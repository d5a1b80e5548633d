use std::collections::HashMap;
use std::path::Path;

use super::*;

fn sh(script: &str, env: &[(&str, &str)]) -> ExecConfig {
    ExecConfig {
        api_version: Some("client.authentication.k8s.io/v1".into()),
        command: Some("/bin/sh".into()),
        args: Some(vec!["-c".into(), script.into(), "secret-arg".into()]),
        env: Some(
            env.iter()
                .map(|(n, v)| {
                    HashMap::from([
                        ("name".into(), n.to_string()),
                        ("value".into(), v.to_string()),
                    ])
                })
                .collect(),
        ),
        interactive_mode: Some(ExecInteractiveMode::Never),
        ..Default::default()
    }
}

#[test]
fn a_token_or_a_client_certificate_is_read_with_its_expiry() {
    let c = parse_credential(
        "p",
        br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
             "status":{"token":"abc","expirationTimestamp":"2030-01-02T03:04:05Z"}}"#,
    )
    .expect("token credential");
    assert!(matches!(&c.secret, Secret::Token(t) if t == "abc"));
    assert_eq!(c.expires, Some("2030-01-02T03:04:05Z".parse().expect("ts")));
    assert!(c.fresh("2030-01-02T03:00:00Z".parse().expect("ts")));
    assert!(
        !c.fresh("2030-01-02T03:03:30Z".parse().expect("ts")),
        "renewed a minute before"
    );

    let c = parse_credential(
        "p",
        b"status:\n  clientCertificateData: CERT\n  clientKeyData: KEY\n",
    )
    .expect("yaml cert credential");
    assert!(
        matches!(&c.secret, Secret::Cert { cert_pem, key_pem } if cert_pem == "CERT" && key_pem == "KEY")
    );
    assert_eq!(c.expires, None);
    assert!(
        !format!("{c:?}").contains("KEY"),
        "Debug never shows the secret"
    );

    let e = parse_credential("p", br#"{"status":{}}"#).expect_err("empty status");
    assert!(
        e.to_string()
            .starts_with("exec plugin `p` printed no usable ExecCredential"),
        "{e}"
    );
    assert!(parse_credential("p", b"Please log in").is_err());
}

#[tokio::test]
async fn a_failing_plugin_is_named_with_its_exit_status_not_its_command_line() {
    let exec = sh(
        "echo 'debug noise' >&2; echo \"error: no session for $KCLM_T_SECRET\" >&2; exit 3",
        &[("KCLM_T_SECRET", "hunter2")],
    );
    let e = run_plugin(&exec, false, Duration::from_secs(10))
        .await
        .expect_err("fails");
    let msg = e.to_string();
    assert_eq!(
        msg,
        "exec plugin `sh` failed (exit status: 3): error: no session for hunter2"
    );
    assert!(!msg.contains("secret-arg") && !msg.contains("KUBERNETES_EXEC_INFO"));
}

#[tokio::test]
async fn a_plugin_gets_its_env_no_stdin_and_the_exec_info() {
    let exec = sh(
        r#"read line && exit 9
case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) exit 8;; esac
printf '{"status":{"token":"%s"}}' "$TOK""#,
        &[("TOK", "t0k")],
    );
    let c = run_plugin(&exec, false, Duration::from_secs(10))
        .await
        .expect("credential");
    assert!(matches!(&c.secret, Secret::Token(t) if t == "t0k"));
}

#[tokio::test]
async fn a_hanging_plugin_times_out_and_its_processes_are_killed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pids = dir.path().join("pids");
    let script = format!(
        "sleep 600 & echo $! > {p}; echo $$ >> {p}; wait",
        p = pids.display()
    );
    let exec = sh(&script, &[]);
    let t0 = Instant::now();
    let e = run_plugin(&exec, false, Duration::from_secs(1))
        .await
        .expect_err("times out");
    assert_eq!(
        e.to_string(),
        "exec plugin `sh` gave no credential within 1s and was stopped"
    );
    assert!(t0.elapsed() < Duration::from_secs(5));
    let text = std::fs::read_to_string(&pids).expect("pid file");
    let pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    assert_eq!(pids.len(), 2, "{text}");
    let deadline = Instant::now() + Duration::from_secs(5);
    for pid in pids {
        // Gone, or a zombie about to be reaped (sleep's parent is gone too).
        while alive(pid) {
            assert!(
                Instant::now() < deadline,
                "process {pid} survived the timeout"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[tokio::test]
async fn a_missing_plugin_says_so_with_its_install_hint() {
    let exec = ExecConfig {
        command: Some("/nonexistent/gardenlogin".into()),
        install_hint: Some("brew install gardenlogin\n".into()),
        ..Default::default()
    };
    let e = run_plugin(&exec, false, Duration::from_secs(5))
        .await
        .expect_err("missing");
    assert_eq!(
        e.to_string(),
        "exec plugin `gardenlogin` cannot be started: not found; brew install gardenlogin"
    );
}

#[tokio::test]
async fn an_always_interactive_plugin_without_a_terminal_asks_the_login_handler() {
    let exec = ExecConfig {
        interactive_mode: Some(ExecInteractiveMode::Always),
        ..sh(r#"printf '{"status":{"token":"x"}}'"#, &[])
    };
    set_login_handler(None);
    let e = ask_handler(&exec, "sh", true)
        .await
        .expect_err("nobody listens");
    assert!(
        e.to_string()
            .starts_with("login expired: exec plugin `sh` needs a terminal"),
        "{e}"
    );
    let e = ask_handler(&exec, "sh", false)
        .await
        .expect_err("nobody listens");
    assert_eq!(
        e.to_string(),
        "exec plugin `sh` needs a terminal for an interactive login; run kclm in one"
    );

    let (tx, mut rx) = mpsc::unbounded_channel();
    set_login_handler(Some(tx));
    let answer = tokio::spawn(async move {
        let req: LoginRequest = rx.recv().await.expect("asked");
        assert_eq!(req.plugin, "sh");
        req.run().await
    });
    let c = ask_handler(&exec, "sh", true)
        .await
        .expect("the handler logged in");
    assert!(matches!(&c.secret, Secret::Token(t) if t == "x"));
    answer.await.expect("join").expect("login ran");
    set_login_handler(None);
}

#[test]
fn a_credential_becomes_the_clients_token_or_client_certificate() {
    let base = || kube::Config::new("https://127.0.0.1:6443".parse().expect("url"));
    // AuthInfo serializes its secrets as the kubeconfig would hold them.
    let user = |c: &kube::Config| serde_json::to_value(&c.auth_info).expect("json");
    let token = Credential {
        secret: Secret::Token("t0k".into()),
        expires: None,
    };
    let u = user(&with_credential(base(), &token));
    assert_eq!(u["token"], "t0k", "{u}");
    assert!(u.get("client-certificate-data").is_none(), "{u}");

    let cert = Credential {
        secret: Secret::Cert {
            cert_pem: "-----BEGIN CERTIFICATE-----\nAA==\n".into(),
            key_pem: "-----BEGIN PRIVATE KEY-----\nBB==\n".into(),
        },
        expires: None,
    };
    let u = user(&with_credential(base(), &cert));
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |v: &serde_json::Value| {
        let s = v.as_str().expect("a string");
        String::from_utf8(b64.decode(s).expect("base64")).expect("utf8")
    };
    assert_eq!(
        decode(&u["client-certificate-data"]),
        "-----BEGIN CERTIFICATE-----\nAA==\n"
    );
    assert_eq!(
        decode(&u["client-key-data"]),
        "-----BEGIN PRIVATE KEY-----\nBB==\n"
    );
    assert!(u.get("token").is_none(), "{u}");
}

fn auth_for(mut exec: ExecConfig) -> ExecAuth {
    // Never the login handler another test may have set meanwhile.
    exec.interactive_mode
        .get_or_insert(ExecInteractiveMode::Never);
    ExecAuth {
        plugin: plugin_name(&exec),
        key: cache_key(&exec),
        exec,
        config: kube::Config::new("https://127.0.0.1:6443".parse().expect("url")),
        timeout: Duration::from_secs(10),
        state: Default::default(),
    }
}

fn runs(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_credential_is_reused_until_near_its_expiry_or_a_401() {
    let dir = tempfile::tempdir().expect("tempdir");
    let count = dir.path().join("runs");
    let script = |expiry: &str| {
        format!(
            r#"echo run >> {c}; printf '{{"status":{{"token":"t","expirationTimestamp":"{expiry}"}}}}'"#,
            c = count.display()
        )
    };
    let auth = auth_for(sh(&script("2099-01-01T00:00:00Z"), &[]));
    auth.client().await.expect("first");
    auth.client().await.expect("second");
    assert_eq!(runs(&count), 1, "a valid credential is reused");
    auth.rejected().await;
    auth.client().await.expect("after a 401");
    assert_eq!(runs(&count), 2, "a rejected credential is renewed");

    let soon = Timestamp::now()
        .checked_add(Duration::from_secs(30))
        .expect("ts")
        .to_string();
    let _ = std::fs::remove_file(&count);
    let auth = auth_for(sh(&script(&soon), &[("X", "other-cache-key")]));
    auth.client().await.expect("first");
    auth.client().await.expect("second");
    assert_eq!(runs(&count), 2, "a credential about to expire is renewed");
}

#[tokio::test]
async fn after_a_failure_waiting_requests_get_the_error_without_a_rerun() {
    let dir = tempfile::tempdir().expect("tempdir");
    let count = dir.path().join("runs");
    let auth = auth_for(sh(
        &format!("echo run >> {}; echo 'denied' >&2; exit 4", count.display()),
        &[],
    ));
    for _ in 0..3 {
        let Err(e) = auth.client().await else {
            panic!("the plugin fails")
        };
        assert_eq!(
            crate::source::kube::error_message(&e),
            "exec plugin `sh` failed (exit status: 4): denied"
        );
    }
    assert_eq!(runs(&count), 1, "not rerun within {FAILED_FOR:?}");
}

#[test]
fn the_cache_key_does_not_depend_on_how_env_entries_were_hashed() {
    // Each load of a kubeconfig builds new HashMaps (new random order).
    let keys: Vec<String> = (0..20)
        .map(|_| cache_key(&sh("true", &[("A", "1"), ("B", "2")])))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
    assert_ne!(keys[0], cache_key(&sh("true", &[("A", "1"), ("B", "3")])));
}
