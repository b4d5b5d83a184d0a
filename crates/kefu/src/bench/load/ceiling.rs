//! The machine's ceilings, measured in the same run as kefu: an empty axum handler over the same
//! loopback HTTP path (its own process, like `kefu serve`), and raw single-row insert
//! transactions on the same database engine with the same connection settings.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use kefu_store::Store;
use kefu_store::sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::driver::{Bounds, Outcome, Shared, Target, timed};
use super::plan::Request;

/// `kefu-bench empty-server`: answers `GET /` with an empty 200 on a loopback port and prints
/// the base URL on the first line of stdout.
pub async fn empty_server() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "" }));
    axum::serve(listener, router).await?;
    Ok(())
}

/// Requests/s of the empty handler at `bounds`, with the same client as the scenarios.
pub async fn http(bounds: Bounds) -> anyhow::Result<Outcome> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("empty-server")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the empty server")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    let base = line.trim().to_owned();
    if !base.starts_with("http://127.0.0.1:") {
        let _ = child.kill();
        bail!("the empty server said {line:?}");
    }
    let target = Target {
        base,
        client: super::client(bounds.concurrency)?,
    };
    let shared = Arc::new(Shared {
        vars: Default::default(),
        pools: Default::default(),
        lists: Default::default(),
        headers: Vec::new(),
    });
    let req = Request {
        method: "GET".into(),
        path: "/".into(),
        headers: Default::default(),
        body: None,
        expect: Some(200),
        capture: Default::default(),
    };
    let out = timed(&target, &shared, &req, "", bounds, 1).await;
    let _ = child.kill();
    let _ = child.wait();
    Ok(out)
}

/// Single-row insert transactions/s on `url` (a fresh SQLite file in `scratch` when `url` is
/// SQLite or absent) from `concurrency` tasks for `time`.
pub async fn insert(
    url: Option<&str>,
    scratch: &Path,
    concurrency: usize,
    time: Duration,
) -> anyhow::Result<(String, f64)> {
    let url = match url {
        Some(u) if u.starts_with("postgres") => u.to_owned(),
        _ => format!("sqlite://{}?mode=rwc", scratch.join("ceiling.db").display()),
    };
    let store = Store::connect(&url, None).await?;
    let db = store.conn().clone();
    let backend = db.get_database_backend();
    let (name, create) = match backend {
        DbBackend::Postgres => (
            "PostgreSQL",
            "CREATE TABLE IF NOT EXISTS kefu_bench_ceiling (id BIGSERIAL PRIMARY KEY, subject TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
        ),
        _ => (
            "SQLite",
            "CREATE TABLE IF NOT EXISTS kefu_bench_ceiling (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, created_at TEXT NOT NULL)",
        ),
    };
    db.execute_unprepared(create).await?;
    let insert = match backend {
        DbBackend::Postgres => {
            "INSERT INTO kefu_bench_ceiling (subject, created_at) VALUES ($1, now())"
        }
        _ => "INSERT INTO kefu_bench_ceiling (subject, created_at) VALUES (?, datetime('now'))",
    };
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (store, done, stop) = (store.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    // Through the store's writer, as kefu's own transactions.
                    let txn = store.begin().await?;
                    txn.execute_raw(Statement::from_sql_and_values(
                        backend,
                        insert,
                        [kefu_store::sea_orm::Value::from(
                            "压测工单：空调不制冷 / bench ticket",
                        )],
                    ))
                    .await?;
                    txn.commit().await?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    db.execute_unprepared("DROP TABLE kefu_bench_ceiling")
        .await?;
    store.close().await?;
    Ok((name.to_owned(), rate))
}
