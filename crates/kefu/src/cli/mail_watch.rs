//! Mailbox watchers in the worker: one task per enabled IMAP mailbox sitting in IDLE, so a mail
//! becomes a ticket within seconds of delivery. The `mail.poll` schedule stays the fallback for
//! servers without IDLE and for anything a watcher missed while reconnecting.

use std::collections::HashMap;
use std::time::Duration;

use kefu_app::App;
use kefu_app::mail::WatchOutcome;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// How often the list of mailboxes is checked for new or removed ones.
const RESCAN: Duration = Duration::from_secs(60);
/// Longest single IDLE (RFC 2177: re-issue IDLE at least every 29 minutes).
const IDLE_WAIT: Duration = Duration::from_secs(25 * 60);
/// First and longest pause after a failed watch.
const BACKOFF_MIN: Duration = Duration::from_secs(30);
const BACKOFF_MAX: Duration = Duration::from_secs(15 * 60);

/// Keeps one watcher per enabled mailbox until `stop` turns true.
pub async fn watch_until(app: &App, mut stop: watch::Receiver<bool>) {
    let mut tasks: HashMap<Uuid, JoinHandle<()>> = HashMap::new();
    loop {
        if *stop.borrow() {
            break;
        }
        tasks.retain(|_, t| !t.is_finished());
        match kefu_app::mail::enabled_mailboxes(app).await {
            Ok(ids) => {
                for id in ids {
                    tasks
                        .entry(id)
                        .or_insert_with(|| tokio::spawn(watcher(app.clone(), id)));
                }
            }
            Err(e) => tracing::error!(error = %e, "mailbox list not read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RESCAN) => {}
            _ = stop.changed() => {}
        }
    }
    for t in tasks.values() {
        t.abort();
    }
}

async fn watcher(app: App, id: Uuid) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let failure = match kefu_app::mail::watch_mailbox(&app, id, IDLE_WAIT).await {
            Ok(WatchOutcome::Stopped) => return,
            Ok(WatchOutcome::Fetched(r)) => {
                if r.fetched > 0 {
                    tracing::info!(mailbox = %id, fetched = r.fetched, opened = r.opened, appended = r.appended, "mail taken in");
                }
                None
            }
            Ok(WatchOutcome::Quiet) => None,
            Ok(WatchOutcome::Failed(e)) => Some(e),
            Err(e) => Some(e.to_string()),
        };
        match failure {
            None => backoff = BACKOFF_MIN,
            Some(e) => {
                tracing::warn!(mailbox = %id, error = %e, retry_in_s = backoff.as_secs(), "mailbox cannot be watched; polling continues");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}
