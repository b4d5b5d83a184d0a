//! Real-browser end-to-end tests: starts `kefu serve --demo` on a fresh data directory and a free
//! loopback port, then runs the node test files under `e2e/tests/` (Debian's Chromium driven by
//! playwright-core) against it, streaming their output.
//!
//! Needs `node`, a Chromium at `/usr/bin/chromium` (or `KEFU_E2E_CHROMIUM`) and
//! `npm ci --prefix e2e`. Without them the test is skipped with a message, except under
//! `CI=true`, where a missing piece fails it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");
/// The whole browser suite must finish within this.
const SUITE_LIMIT: Duration = Duration::from_secs(15 * 60);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this run is CI, where a missing prerequisite is a failure, not a skip.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn chromium() -> PathBuf {
    std::env::var_os("KEFU_E2E_CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from)
}

/// What is missing to run the browser tests, if anything.
fn missing_prerequisites(e2e: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        missing.push("`node` on PATH".to_owned());
    }
    let browser = chromium();
    if !browser.is_file() {
        missing.push(format!(
            "{} (apt-get install -y chromium)",
            browser.display()
        ));
    }
    if !e2e
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.push(format!(
            "{}/node_modules (npm ci --prefix e2e)",
            e2e.display()
        ));
    }
    missing
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    l.local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
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

/// Logins the server printed at start-up.
struct Logins {
    admin_email: String,
    admin_password: String,
    demo_password: String,
    portal_emails: String,
}

impl Logins {
    /// Reads the first admin's block and the demo summary line
    /// (`… (password: kefu-demo-2026; portal: a@x, b@y)`).
    fn parse(stdout: &str) -> Option<Logins> {
        let field = |name: &str| {
            stdout
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .map(|v| v.trim().to_owned())
        };
        let summary = stdout.lines().find(|l| l.contains("demo data:"))?;
        let after = |key: &str| {
            let rest = &summary[summary.find(key)? + key.len()..];
            Some(rest.split([';', ')']).next()?.trim().to_owned())
        };
        Some(Logins {
            admin_email: field("email:")?,
            admin_password: field("password:")?,
            demo_password: after("(password:")?,
            portal_emails: after("portal:")?.replace(' ', ""),
        })
    }
}

/// A running `kefu serve --demo`, killed (and its data removed) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("kefu-test-browser-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut cmd = Command::new(KEFU);
        cmd.current_dir(&dir);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("KEFU_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .args(["serve", "--demo"])
            .env("RUST_LOG", "warn")
            .env("KEFU_STORAGE__DATA_DIR", dir.join("data"))
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
            dir,
            stdout,
            stderr,
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The test files, in a stable order (listed rather than passing the directory, which node
/// versions treat differently).
fn test_files(e2e: &Path) -> Vec<PathBuf> {
    let dir = e2e.join("tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        // KEFU_E2E_ONLY=chat runs only the files whose name contains "chat" (local use).
        .filter(|p| {
            std::env::var("KEFU_E2E_ONLY").map_or(true, |only| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(only.as_str()))
            })
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.test.mjs in {}", dir.display());
    files
}

#[test]
fn browser_end_to_end() {
    let e2e = repo_root().join("e2e");
    let missing = missing_prerequisites(&e2e);
    if !missing.is_empty() {
        let what = missing.join(", ");
        if in_ci() {
            panic!("browser tests cannot run in CI: missing {what}");
        }
        // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED browser end-to-end tests: missing {what}"
        );
        return;
    }

    let mut server = Server::start();
    let out = text(&server.stdout);
    let logins = Logins::parse(&out)
        .unwrap_or_else(|| panic!("the admin login or demo summary was not printed:\n{out}"));

    // The runner's output goes straight to the terminal, test by test.
    let mut node = Command::new("node")
        .current_dir(&e2e)
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(test_files(&e2e))
        .env("KEFU_E2E_BASE_URL", format!("http://{}", server.addr))
        .env("KEFU_E2E_ADMIN_EMAIL", &logins.admin_email)
        .env("KEFU_E2E_ADMIN_PASSWORD", &logins.admin_password)
        .env("KEFU_E2E_DEMO_PASSWORD", &logins.demo_password)
        .env("KEFU_E2E_PORTAL_EMAILS", &logins.portal_emails)
        .env("KEFU_E2E_CHROMIUM", chromium())
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn node: {e}"));
    let deadline = Instant::now() + SUITE_LIMIT;
    let status = loop {
        if let Some(status) = node.try_wait().unwrap_or_else(|e| panic!("wait: {e}")) {
            break status;
        }
        if Instant::now() > deadline {
            let _ = node.kill();
            let _ = node.wait();
            panic!("the browser tests did not finish within {SUITE_LIMIT:?}");
        }
        if let Ok(Some(exit)) = server.child.try_wait() {
            let _ = node.kill();
            panic!(
                "kefu serve exited with {exit} during the browser tests\nstderr:\n{}",
                text(&server.stderr)
            );
        }
        thread::sleep(Duration::from_millis(200));
    };
    assert!(
        status.success(),
        "browser tests failed ({status}); server log:\n{}",
        text(&server.stderr)
    );
}
