//! The search indexer of a serving process: follows the outbox every half second, so a change
//! on a quiet system is searchable about a second after it was made. While changes keep coming
//! it indexes them every two seconds: each pass commits a new index segment, and under a
//! stream of writes half-second commits made tantivy merge segments all the time (on two cores
//! the merging took a third of the server's CPU and halved ticket creation on PostgreSQL).
//! A failure (another process holds the index directory) is logged and retried less often.

use std::time::Duration;

use kefu_app::App;
use tokio::sync::watch;

/// Pause when nothing was pending.
const IDLE: Duration = Duration::from_millis(500);
/// Pause after a pass that indexed something (changes are coming in).
const BUSY: Duration = Duration::from_secs(2);
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
                if r.events > 0 { BUSY } else { IDLE }
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
