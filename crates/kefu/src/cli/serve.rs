//! `kefu serve`: the web server and background work in one process.
//!
//! Start-up: data directories, database connection and migrations, built-in defaults (the first
//! admin's login is printed once), optional demo data, then the listener. SIGINT/SIGTERM stop
//! accepting connections and let in-flight requests finish, for at most [`DRAIN_TIMEOUT`].

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use kefu_app::App;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{Config, Overrides};

/// How long in-flight requests may take to finish after a shutdown signal.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Flags of `kefu serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Load demo data when the database holds no tickets yet.
    #[arg(long)]
    demo: bool,
    /// Listen here instead of `server.bind`.
    #[arg(long, value_name = "ADDR")]
    bind: Option<SocketAddr>,
    /// Serve HTTP only; background jobs run in separate `kefu worker` processes.
    #[arg(long)]
    no_worker: bool,
}

impl Args {
    /// The configuration layer these flags form.
    pub fn overrides(&self) -> Overrides {
        Overrides { bind: self.bind }
    }
}

/// Runs the subcommand until a shutdown signal.
pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "kefu starting");
    let app = super::open_app(&cfg).await?;
    super::ensure_defaults(&app).await?;
    if args.demo {
        load_demo_once(&app).await?;
    }

    let listener = TcpListener::bind(cfg.server.bind)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.server.bind))?;
    let addr = listener.local_addr()?;
    tracing::info!(server.addr = %addr, "listening on http://{addr}");

    let (stop_tx, stop_rx) = watch::channel(false);
    let router = kefu_web::router(app.clone(), cfg.web_settings());
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx.clone()));

    // The search index is this process's own (it answers this process's searches), so it is
    // kept current here whether or not this process also runs the shared background jobs.
    let indexer = {
        let app = app.clone();
        let rx = stop_rx.clone();
        tokio::spawn(async move { super::search_index::index_until(&app, rx).await })
    };
    let worker = (!args.no_worker).then(|| {
        let app = app.clone();
        let rx = stop_rx.clone();
        tokio::spawn(async move { super::jobs::run_until(&app, rx).await })
    });

    let signal = async move {
        crate::shutdown::signal().await;
        let _ = stop_tx.send(true);
        // Past the drain deadline, stop waiting for slow clients.
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        served = server => served.context("the HTTP server failed")?,
        () = signal => tracing::warn!(
            drain_timeout_secs = DRAIN_TIMEOUT.as_secs(),
            "in-flight requests did not finish in time; stopping anyway"
        ),
    }

    if let Some(w) = worker {
        // The worker finishes the jobs in flight once the stop flag is up.
        if tokio::time::timeout(DRAIN_TIMEOUT, w).await.is_err() {
            tracing::warn!("background jobs did not finish in time; stopping anyway");
        }
    }
    if tokio::time::timeout(DRAIN_TIMEOUT, indexer).await.is_err() {
        tracing::warn!("the search indexer did not stop in time");
    }
    app.store.clone().close().await?;
    tracing::info!("kefu stopped");
    Ok(())
}

/// Resolves once `rx` turns true.
async fn stopped(mut rx: watch::Receiver<bool>) {
    // An error means the sender is gone, which also means stop.
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Loads the demo data unless tickets exist (so a restart with `--demo` adds nothing).
async fn load_demo_once(app: &App) -> anyhow::Result<()> {
    let tickets = kefu_store::count_tickets(app.store.conn(), &Default::default()).await?;
    if tickets > 0 {
        tracing::info!(
            tickets,
            "demo data skipped: the database already holds tickets"
        );
        return Ok(());
    }
    let summary = kefu_app::demo::load(app)
        .await
        .context("cannot load the demo data")?;
    tracing::info!(summary = %summary, "demo data loaded");
    println!("{summary}");
    Ok(())
}
