//! The search indexer of a serving process: follows the outbox every half second, so a change
//! is searchable about a second after it was made. A failure (another process holds the index
//! directory) is logged and retried less often.

use std::time::Duration;

use kefu_app::App;
use tokio::sync::watch;

/// Pause when nothing was pending.
const IDLE: Duration = Duration::from_millis(500);
/// Pause after a failure.
const RETRY: Duration = Duration::from_secs(30);
/// Outbox rows per pass.
const BATCH: u64 = 1000;

/// Indexes until `stop` turns true.
pub async fn index_until(app: &App, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let pause = match kefu_app::search::index_pending(app, BATCH).await {
            Ok(r) if r.events as u64 == BATCH => Duration::ZERO,
            Ok(r) => {
                if r.rebuilt {
                    tracing::info!("search index built");
                }
                IDLE
            }
            Err(e) => {
                tracing::error!(error = %e, "search indexing failed");
                RETRY
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}
