//! Credentials never cross landscapes: the real binary, a config.toml and a
//! hostile shell environment, against small local metal-api stand-ins that
//! record what they were sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use predicates::prelude::*;

fn kclm(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("kclm").unwrap();
    c.env_clear()
        .env("HOME", dir)
        .env("KCLM_CONFIG_DIR", dir.join("config"))
        .env("KCLM_STATE_DIR", dir.join("state"))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .timeout(std::time::Duration::from_secs(60));
    c
}

fn write_config(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(dir.join("config/config.toml"), text).unwrap();
}

/// One request as a stand-in metal-api saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
    x_date: Option<String>,
    salt: Option<String>,
}

/// A metal-api stand-in that answers every request with `[]` and records it.
struct FakeMetal {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeMetal {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/metal", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || serve_one(conn, &log));
            }
        });
        Self { url, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_one(conn: std::net::TcpStream, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
    );
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(Seen {
        method,
        path,
        authorization: header("authorization"),
        x_date: header("x-date"),
        salt: header("x-data-salt"),
    });
    let mut conn = conn;
    let _ = conn.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\
          connection: close\r\n\r\n[]",
    );
}

/// Every request was HMAC-signed with `key`, checked the way metal-api does.
fn all_signed_with(requests: &[Seen], key: &str) {
    assert!(!requests.is_empty(), "no request reached the server");
    for r in requests {
        let verdict = kclm::demo::hmac_verify::verify(
            &[("Metal-Admin", key.as_bytes())],
            r.authorization.as_deref(),
            r.x_date.as_deref(),
            r.salt.as_deref(),
            &r.method,
            jiff::Timestamp::now(),
        );
        assert_eq!(verdict, Ok("Metal-Admin"), "{} {}", r.method, r.path);
    }
}

fn staging_shell(c: &mut Command, staging: &FakeMetal) {
    c.env("METALCTL_API_URL", &staging.url)
        .env("METALCTL_API_TOKEN", "staging-token-s3cret")
        .env("KCLM_METAL_HMAC", "kclm-env-s3cret")
        .env("KUBECONFIG", "/nonexistent/staging-kubeconfig");
}

#[test]
fn a_named_landscape_sends_its_key_only_to_its_own_url() {
    let d = tempfile::tempdir().unwrap();
    let (prod, staging) = (FakeMetal::start(), FakeMetal::start());
    write_config(
        d.path(),
        &format!(
            "[landscapes.prod]\nmetal_url = {:?}\nmetal_hmac = \"prod-key-s3cret\"\n\
             [landscapes.other]\n",
            prod.url
        ),
    );
    let mut c = kclm(d.path());
    staging_shell(&mut c, &staging);
    c.args(["--landscape", "prod", "get", "partitions", "-o", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("s3cret").not())
        .stderr(predicate::str::contains("s3cret").not());
    all_signed_with(&prod.requests(), "prod-key-s3cret");
    assert!(
        staging.requests().is_empty(),
        "the shell's URL was contacted: {:?}",
        staging.requests()
    );

    // A URL on the command line gets no key from the file or the shell.
    let mut c = kclm(d.path());
    staging_shell(&mut c, &staging);
    c.args(["--landscape", "prod", "--metal-url", &staging.url])
        .args(["get", "partitions", "-o", "json"])
        .assert()
        .success();
    let sent = staging.requests();
    assert!(!sent.is_empty(), "the flag's URL was not used");
    assert!(
        sent.iter().all(|r| r.authorization.is_none()),
        "a key travelled to the flag's URL: {sent:?}"
    );
}

#[test]
fn a_key_flag_without_its_url_is_refused_before_anything_is_sent() {
    let d = tempfile::tempdir().unwrap();
    let prod = FakeMetal::start();
    write_config(
        d.path(),
        &format!("[landscapes.prod]\nmetal_url = {:?}\n", prod.url),
    );
    kclm(d.path())
        .args(["get", "partitions", "--metal-hmac", "flag-key-s3cret"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--metal-hmac is set but --metal-url is not")
                .and(predicate::str::contains("config.toml [landscapes.prod]"))
                .and(predicate::str::contains("s3cret").not()),
        );
    assert!(prod.requests().is_empty(), "{:?}", prod.requests());
}

#[test]
fn a_key_file_signs_requests_and_an_unreadable_one_is_named() {
    let d = tempfile::tempdir().unwrap();
    let server = FakeMetal::start();
    let key = d.path().join("metal.key");
    std::fs::write(&key, "file-key-s3cret\n").unwrap();
    kclm(d.path())
        .args([
            "get",
            "partitions",
            "-o",
            "json",
            "--metal-url",
            &server.url,
        ])
        .arg("--metal-hmac-file")
        .arg(&key)
        .assert()
        .success();
    all_signed_with(&server.requests(), "file-key-s3cret");

    // The same key file through the environment, for an unnamed landscape.
    let env_server = FakeMetal::start();
    kclm(d.path())
        .env("KCLM_METAL_URL", &env_server.url)
        .env("KCLM_METAL_HMAC_FILE", &key)
        .args(["get", "partitions", "-o", "json"])
        .assert()
        .success();
    all_signed_with(&env_server.requests(), "file-key-s3cret");

    let missing = d.path().join("missing.key");
    kclm(d.path())
        .args(["info", "--metal-url", &server.url])
        .arg("--metal-hmac-file")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(missing.display().to_string()));
}

#[test]
fn info_shows_where_each_value_came_from_and_no_secret() {
    let d = tempfile::tempdir().unwrap();
    let staging = FakeMetal::start();
    write_config(
        d.path(),
        "[landscapes.prod]\ngarden_kubeconfig = \"/k/prod\"\n\
         metal_url = \"https://prod.example/metal\"\nmetal_hmac = \"prod-key-s3cret\"\n",
    );
    let mut c = kclm(d.path());
    staging_shell(&mut c, &staging);
    let out = c.arg("info").assert().success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "landscape:   prod",
        "named by:  the only landscape in config.toml",
        "garden:    /k/prod (from config.toml [landscapes.prod])",
        "metal url:   https://prod.example/metal (from config.toml [landscapes.prod])",
        "metal hmac:  set (from metal_hmac in config.toml [landscapes.prod])",
        "metal auth:  Metal-Admin (from default)",
        "ignored env: KUBECONFIG, KCLM_METAL_HMAC, METALCTL_API_URL, METALCTL_API_TOKEN",
    ] {
        assert!(stdout.contains(want), "{want:?} missing in:\n{stdout}");
    }
    assert!(!stdout.contains("s3cret"), "{stdout}");
    assert!(!stdout.contains(&staging.url), "{stdout}");

    // Flags: a key file is named, its content is not shown.
    let key = d.path().join("k");
    std::fs::write(&key, "flag-file-s3cret").unwrap();
    let out = kclm(d.path())
        .args(["info", "--metal-url", "https://flag.example/metal"])
        .args(["--metal-auth-type", "Metal-View", "--metal-hmac-file"])
        .arg(&key)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "metal url:   https://flag.example/metal (from --metal-url)".to_string(),
        format!(
            "metal hmac:  set (from --metal-hmac-file {})",
            key.display()
        ),
        "metal auth:  Metal-View (from --metal-auth-type)".to_string(),
    ] {
        assert!(stdout.contains(&want), "{want:?} missing in:\n{stdout}");
    }
    assert!(!stdout.contains("s3cret"), "{stdout}");
    assert!(staging.requests().is_empty());
}
