//! The `kefu` executable end to end: start-up on a fresh data directory, the first admin's
//! login printed once, health endpoints, `healthcheck`, graceful SIGTERM, and refusals of bad
//! configuration. Each test gets its own directory and port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");

/// A fresh directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("kefu-test-{name}-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    l.local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `kefu` run in `dir`, with no KEFU_ configuration (nor malloc tuning) inherited from the
/// environment.
fn kefu(dir: &Path) -> Command {
    let mut cmd = Command::new(KEFU);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KEFU_") {
            cmd.env_remove(key);
        }
    }
    cmd.env_remove("MALLOC_ARENA_MAX");
    cmd.env("RUST_LOG", "info");
    cmd
}

/// Collects a child's output on a thread.
fn collect(pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    let sink = out.clone();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Ok(mut s) = sink.lock() {
                s.push_str(&line);
                s.push('\n');
            }
        }
    });
    out
}

fn text(s: &Arc<Mutex<String>>) -> String {
    s.lock().map(|s| s.clone()).unwrap_or_default()
}

/// A running `kefu serve`, killed if the test ends early.
struct Server {
    child: Child,
    addr: SocketAddr,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(dir: &Path, data_dir: &Path) -> Server {
        Server::start_with(dir, data_dir, &[])
    }

    fn start_with(dir: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut child = kefu(dir)
            .envs(env.iter().copied())
            .arg("serve")
            .env("KEFU_STORAGE__DATA_DIR", data_dir)
            .env("KEFU_SERVER__BIND", addr.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {KEFU}: {e}"));
        let stdout = collect(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
        let stderr = collect(child.stderr.take().unwrap_or_else(|| panic!("no stderr")));
        let mut server = Server {
            child,
            addr,
            stdout,
            stderr,
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "kefu serve exited early with {status}\nstderr:\n{}",
                    text(&self.stderr)
                );
            }
            if http_status(self.addr, "/healthz") == Some(200) {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "kefu serve did not become healthy\nstderr:\n{}",
            text(&self.stderr)
        );
    }

    /// The server process's environment as `KEY=value` entries (Linux `/proc`).
    fn environment(&self) -> Vec<String> {
        let path = format!("/proc/{}/environ", self.child.id());
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        raw.split(|b| *b == 0)
            .filter(|e| !e.is_empty())
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM and waits for the exit.
    fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id();
        let sent = Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .unwrap_or_else(|e| panic!("sh: {e}"));
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = wait_for(&mut self.child, Duration::from_secs(40));
        // Give the reader threads a moment to drain the pipes.
        thread::sleep(Duration::from_millis(100));
        (status, text(&self.stderr))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                let _ = child.kill();
                panic!("the process did not exit within {limit:?}");
            }
            Err(e) => panic!("wait: {e}"),
        }
    }
}

/// Runs `cmd` to completion (bounded), returning status, stdout and stderr.
fn run(cmd: &mut Command) -> (ExitStatus, String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let stdout = collect(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
    let stderr = collect(child.stderr.take().unwrap_or_else(|| panic!("no stderr")));
    let status = wait_for(&mut child, Duration::from_secs(90));
    thread::sleep(Duration::from_millis(100));
    (status, text(&stdout), text(&stderr))
}

/// Status code of a plain HTTP/1.1 GET, or `None` when nothing answers.
fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

#[test]
fn serve_prints_first_admin_once_answers_health_and_stops_on_sigterm() {
    let dir = scratch("serve");
    let data = dir.join("data");
    let server = Server::start(&dir, &data);

    let out = text(&server.stdout);
    assert!(
        out.contains("email:"),
        "first admin login not printed:\n{out}"
    );
    let password = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("password:"))
        .map(|p| p.trim().to_owned())
        .unwrap_or_else(|| panic!("first admin login not printed:\n{out}"));
    assert!(password.len() >= 10, "short password {password:?}");
    assert!(
        data.join("kefu.db").is_file(),
        "no {}/kefu.db",
        data.display()
    );
    assert!(data.join("files").is_dir());
    assert_eq!(http_status(server.addr, "/readyz"), Some(200));
    // Started without a malloc arena cap, it runs (same process id) with glibc's arenas capped.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let env = server.environment();
        assert!(
            env.iter().any(|e| e == "MALLOC_ARENA_MAX=2"),
            "arenas not capped: {env:?}"
        );
    }

    let (status, stdout, stderr) = run(kefu(&dir)
        .arg("healthcheck")
        .arg("--url")
        .arg(server.url("/healthz")));
    assert!(status.success(), "healthcheck failed: {stdout}{stderr}");
    // Without --url it checks server.bind.
    let (status, _, stderr) = run(kefu(&dir)
        .arg("healthcheck")
        .env("KEFU_SERVER__BIND", server.addr.to_string()));
    assert!(status.success(), "healthcheck from config failed: {stderr}");

    let addr = server.addr;
    let (status, stderr) = server.terminate();
    assert!(
        status.success(),
        "kefu serve exited with {status}\n{stderr}"
    );
    assert!(stderr.contains("kefu stopped"), "no stop line:\n{stderr}");
    assert!(
        !stderr.contains(&password),
        "the password reached the log:\n{stderr}"
    );
    let (status, _, _) = run(kefu(&dir)
        .arg("healthcheck")
        .arg("--url")
        .arg(format!("http://{addr}/healthz"))
        .arg("--timeout-secs")
        .arg("2"));
    assert_eq!(status.code(), Some(1), "healthcheck of a stopped server");

    // A second start on the same data does not create (or print) another admin; an
    // operator's own arena setting is kept.
    let again = Server::start_with(&dir, &data, &[("MALLOC_ARENA_MAX", "8")]);
    let out = text(&again.stdout);
    assert!(!out.contains("password:"), "admin printed twice:\n{out}");
    #[cfg(target_os = "linux")]
    {
        let env = again.environment();
        assert!(
            env.iter().any(|e| e == "MALLOC_ARENA_MAX=8")
                && !env.iter().any(|e| e == "MALLOC_ARENA_MAX=2"),
            "the operator's setting was replaced: {env:?}"
        );
    }
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_config_key_stops_start_up_and_names_the_key() {
    let dir = scratch("badkey");
    std::fs::write(dir.join("kefu.toml"), "[server]\nbindd = \"127.0.0.1:1\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _, stderr) = run(kefu(&dir)
        .arg("serve")
        .env("KEFU_STORAGE__DATA_DIR", dir.join("data")));
    assert!(!status.success(), "kefu serve accepted an unknown key");
    assert!(stderr.contains("server.bindd"), "key not named:\n{stderr}");
    assert!(
        !dir.join("data").exists(),
        "start-up went on after the error"
    );

    let (status, _, stderr) = run(kefu(&dir).arg("print-config").env("KEFU_DATABSE__URL", "x"));
    assert!(!status.success());
    assert!(stderr.contains("databse"), "env key not named:\n{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn print_config_masks_the_database_password() {
    let dir = scratch("print");
    let (status, stdout, stderr) = run(kefu(&dir)
        .arg("print-config")
        .env("KEFU_DATABASE__URL", "postgres://kefu:hunter2@db:5432/kefu"));
    assert!(status.success(), "{stderr}");
    assert!(
        stdout.contains("url = \"postgres://kefu:********@db:5432/kefu\""),
        "{stdout}"
    );
    assert!(!stdout.contains("hunter2") && !stderr.contains("hunter2"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_create_generates_and_prints_a_password() {
    let dir = scratch("user");
    let (status, stdout, stderr) = run(kefu(&dir)
        .args([
            "user",
            "create",
            "--email",
            "li.lei@example.com",
            "--name",
            "李雷",
            "--role",
            "agent",
        ])
        .env("KEFU_STORAGE__DATA_DIR", dir.join("data")));
    assert!(status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("li.lei@example.com"), "{stdout}");
    assert!(stdout.contains("password: "), "{stdout}");

    let (status, _, stderr) = run(kefu(&dir)
        .args([
            "user",
            "create",
            "--email",
            "not-an-email",
            "--name",
            "x",
            "--role",
            "agent",
        ])
        .env("KEFU_STORAGE__DATA_DIR", dir.join("data")));
    assert!(!status.success());
    assert!(stderr.contains("--email"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
