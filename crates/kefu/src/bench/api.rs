//! `kefu-bench api`: ticket creation through the real router, over loopback, with concurrent
//! clients in the same process. Measures what one node sustains end to end: HTTP, JSON, token
//! authentication, the use case and the database write.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use kefu_app::auth::tokens::{NewToken, create_token};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppSettings};
use kefu_store::Store;
use kefu_store::entity::user;
use kefu_store::sea_orm::EntityTrait;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// Flags of `kefu-bench api`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Requests to send in total.
    #[arg(long, default_value_t = 20_000)]
    count: usize,
    /// Stop sending after this many seconds even if --count is not reached.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Database to use [default: a fresh SQLite file under the temp directory]. A PostgreSQL
    /// database is migrated and keeps the created tickets.
    #[arg(long)]
    database_url: Option<String>,
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    // The scratch directory holds only what this run created.
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (app, backend) = open_app(args.database_url.as_deref(), scratch).await?;
    kefu_app::bootstrap::ensure_defaults(&app).await?;
    let token = admin_token(&app).await?;

    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let web = kefu_web::WebSettings {
        max_body_bytes: 2 * 1024 * 1024,
        secure_cookies: false,
    };
    let router = kefu_web::router(app.clone(), web);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
    });

    let endpoint = format!("http://{addr}/api/v1/tickets");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;

    let issued = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let tallies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency.max(1))
        .map(|_| {
            let (client, endpoint, token) = (client.clone(), endpoint.clone(), token.clone());
            let (issued, tallies, count) = (issued.clone(), tallies.clone(), args.count);
            tokio::spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let i = issued.fetch_add(1, Ordering::Relaxed);
                    if i >= count || Instant::now() >= deadline {
                        break;
                    }
                    let t0 = Instant::now();
                    let sent = client
                        .post(&endpoint)
                        .bearer_auth(&token)
                        .json(&body(i))
                        .send()
                        .await;
                    match sent {
                        Ok(resp) if resp.status().is_success() => {
                            let _ = resp.bytes().await;
                            tally.latencies.push(t0.elapsed());
                        }
                        Ok(resp) => {
                            tally.errors += 1;
                            if tally.first_error.is_none() {
                                let status = resp.status();
                                let text = resp.text().await.unwrap_or_default();
                                tally.first_error = Some(format!("{status}: {text}"));
                            }
                        }
                        Err(e) => {
                            tally.errors += 1;
                            tally.first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                tallies.lock().await.push(tally);
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed();
    let _ = stop_tx.send(());
    server.await??;
    app.store.clone().close().await?;

    let mut all = Tally::default();
    for t in tallies.lock().await.drain(..) {
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
        all.first_error = all.first_error.or(t.first_error);
    }
    report(args, &backend, elapsed, &mut all);
    Ok(())
}

fn report(args: &Args, backend: &str, elapsed: Duration, all: &mut Tally) {
    all.latencies.sort_unstable();
    let ok = all.latencies.len();
    println!(
        "kefu-bench api: POST /api/v1/tickets, {backend}, concurrency {}, {:.1} s",
        args.concurrency,
        elapsed.as_secs_f64()
    );
    println!("  succeeded: {ok}   errors: {}", all.errors);
    println!(
        "  throughput: {:.0} tickets/s",
        ok as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    if ok > 0 {
        println!(
            "  latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            pct(&all.latencies, 50.0),
            pct(&all.latencies, 90.0),
            pct(&all.latencies, 99.0),
            pct(&all.latencies, 100.0),
        );
    }
    if let Some(e) = &all.first_error {
        println!("  first error: {e}");
    }
}

/// The `p`th percentile (nearest rank) of sorted latencies, in milliseconds.
pub(crate) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn body(i: usize) -> serde_json::Value {
    serde_json::json!({
        "subject": format!("压测工单 {i}：空调不制冷 / bench ticket"),
        "kind": "repair",
        "priority": "P3",
        "description": "客户反映室内机运行但不出冷风，已尝试重启。Customer reports the indoor unit runs but blows no cold air.",
    })
}

/// A fresh admin (so the run works on a database that already has one) and its API token.
async fn admin_token(app: &App) -> anyhow::Result<String> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let created = create_user(
        app,
        None,
        NewUser {
            email: format!("bench-{stamp}@example.com"),
            name: "Bench".into(),
            role: "admin".into(),
            ..NewUser::default()
        },
    )
    .await?;
    let model = user::Entity::find_by_id(created.id)
        .one(app.store.conn())
        .await?
        .context("the bench user just created is missing")?;
    let actor = kefu_app::auth::actor_for(&model);
    let token = create_token(
        app,
        &actor,
        NewToken {
            name: "kefu-bench".into(),
            scopes: Vec::new(),
            expires_in_days: Some(1),
        },
    )
    .await?;
    Ok(token.token)
}

/// The app on `url` (default: a fresh SQLite file in `scratch`), migrated; and the backend's
/// name for the report.
pub(crate) async fn open_app(
    url: Option<&str>,
    scratch: &std::path::Path,
) -> anyhow::Result<(App, String)> {
    let url = match url {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}?mode=rwc", scratch.join("kefu.db").display()),
    };
    let backend = url.split(':').next().unwrap_or("?").to_owned();
    let store = Store::connect(&url, None)
        .await
        .context("cannot open the database")?;
    store.migrate().await.context("cannot migrate")?;
    Ok((App::new(store, settings(scratch)), backend))
}

pub(crate) fn settings(scratch: &std::path::Path) -> AppSettings {
    AppSettings {
        files_dir: scratch.join("files"),
        index_dir: scratch.join("index"),
        max_attachment_bytes: 20 * 1024 * 1024,
        ticket_prefix: "SR".into(),
        session_hours: 12,
        public_url: String::new(),
        allow_loopback_webhooks: false,
    }
}

pub(crate) fn scratch_dir() -> anyhow::Result<PathBuf> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let dir = std::env::temp_dir().join(format!("kefu-bench-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(dir.join("files"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(pct(&d, 50.0), 50.0);
        assert_eq!(pct(&d, 99.0), 99.0);
        assert_eq!(pct(&d, 100.0), 100.0);
        assert_eq!(pct(&d[..1], 50.0), 1.0);
    }
}
