//! Starts `kefu serve` as its own process for a run: a bench admin created through
//! `kefu user create`, a free loopback port, and the time from spawning to the first
//! `200` from `/readyz` (cold start).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// How to start kefu.
pub struct Launch {
    /// The `kefu` executable.
    pub kefu: PathBuf,
    /// `KEFU_DATABASE__URL` for it, if given.
    pub database_url: Option<String>,
    /// `KEFU_STORAGE__DATA_DIR` for it, if given.
    pub data_dir: Option<PathBuf>,
}

/// A running `kefu serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Launch {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.kefu);
        cmd.args(args);
        if std::env::var_os("KEFU_LOG__LEVEL").is_none() {
            cmd.env("KEFU_LOG__LEVEL", "warn");
        }
        if let Some(url) = &self.database_url {
            cmd.env("KEFU_DATABASE__URL", url);
        }
        if let Some(dir) = &self.data_dir {
            cmd.env("KEFU_STORAGE__DATA_DIR", dir);
        }
        cmd
    }

    /// Creates an admin for the run and returns its email and password.
    pub fn create_admin(&self) -> anyhow::Result<(String, String)> {
        let email = format!("bench-{}@example.com", uuid::Uuid::now_v7().simple());
        let password = uuid::Uuid::new_v4().simple().to_string();
        let out = self
            .command(&[
                "user",
                "create",
                "--email",
                &email,
                "--name",
                "压测 Bench",
                "--role",
                "admin",
                "--password",
                &password,
            ])
            .output()
            .with_context(|| format!("cannot run {}", self.kefu.display()))?;
        if !out.status.success() {
            bail!(
                "kefu user create failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok((email, password))
    }

    /// Starts `kefu serve` on a free loopback port and waits until it is ready; returns it
    /// and the time from spawn to ready.
    pub async fn start(&self) -> anyhow::Result<(Server, Duration)> {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))?
            .local_addr()?
            .port();
        let bind = format!("127.0.0.1:{port}");
        let started = Instant::now();
        let child = self
            .command(&["serve", "--bind", &bind])
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", self.kefu.display()))?;
        let mut server = Server {
            child,
            base: format!("http://{bind}"),
        };
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()?;
        let ready = format!("{}/readyz", server.base);
        loop {
            if let Ok(r) = probe.get(&ready).send().await
                && r.status().is_success()
            {
                return Ok((server, started.elapsed()));
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("kefu serve exited before it was ready ({status})");
            }
            if started.elapsed() > Duration::from_secs(120) {
                server.stop();
                bail!("kefu serve was not ready within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

impl Server {
    /// The process id (for memory sampling).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server with SIGTERM (a clean shutdown) and waits for it; SIGKILL after 30 s.
    pub fn stop(&mut self) {
        let pid = self.child.id().to_string();
        let signalled = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success());
        // Without `kill` (procps) there is no clean stop: kill at once rather than wait.
        let grace = if signalled { 30 } else { 0 };
        let deadline = Instant::now() + Duration::from_secs(grace);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// Whether the OS page cache could be dropped (root on Linux), so that the next start reads
/// the database from disk.
pub fn drop_page_cache() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// The `kefu` executable next to this one, if there is one.
pub fn sibling_kefu() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    let dir: &Path = me.parent()?;
    let kefu = dir.join("kefu");
    kefu.exists().then_some(kefu)
}
