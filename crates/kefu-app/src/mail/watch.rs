//! Near-real-time mail: a mailbox watched with IMAP IDLE is fetched as soon as the server says
//! something changed. The scheduled poll stays as the safety net (and is all there is for
//! servers without IDLE); both take the mailbox's lock, so they never fetch the same messages
//! at once.

use std::time::Duration;

use kefu_channels::mail::{Waited, wait_for_mail};
use kefu_store::entity::mailbox;
use kefu_store::sea_orm::EntityTrait;
use uuid::Uuid;

use super::mailboxes::{PollReport, config, poll};
use crate::{App, AppError};

/// How one watch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchOutcome {
    /// The server reported mail (or a change); what was new has been taken in.
    Fetched(PollReport),
    /// Nothing arrived within the wait.
    Quiet,
    /// The mailbox is gone or switched off: stop watching it.
    Stopped,
    /// The server could not be watched (down, login refused, no IDLE): try again later.
    Failed(String),
}

/// Waits up to `max_wait` for mail in mailbox `id` (IMAP IDLE), then takes in what is new.
pub async fn watch_mailbox(
    app: &App,
    id: Uuid,
    max_wait: Duration,
) -> Result<WatchOutcome, AppError> {
    let Some(m) = mailbox::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .filter(|m| m.enabled)
    else {
        return Ok(WatchOutcome::Stopped);
    };
    let known = m.uid_validity.and_then(|v| u32::try_from(v).ok());
    let after = u32::try_from(m.last_uid).unwrap_or(0);
    match wait_for_mail(&config(&m), after, known, max_wait).await {
        Ok(Waited::Quiet) => Ok(WatchOutcome::Quiet),
        Ok(Waited::NewMail | Waited::Changed) => Ok(WatchOutcome::Fetched(poll(app, id).await?)),
        Err(e) => Ok(WatchOutcome::Failed(e.to_string())),
    }
}
