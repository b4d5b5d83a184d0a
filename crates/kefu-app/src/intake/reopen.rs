//! A customer's message on a ticket that waits for them, is resolved or closed opens it again,
//! whatever the channel: one `status_changed` event naming the channel, and the status moved.

use chrono::{DateTime, Utc};
use kefu_domain::ticket::{StatusCategory, Workflow};
use kefu_store::entity::ticket;
use serde_json::json;

use crate::AppError;
use crate::tickets::{self, events};

/// The ticket after a customer message arrived by `channel` (to be written by the caller), and
/// whether it was reopened.
pub(crate) async fn reopen_on_message(
    tx: &kefu_store::Tx,
    wf: &Workflow,
    before: &ticket::Model,
    channel: &str,
    now: DateTime<Utc>,
) -> Result<(ticket::Model, bool), AppError> {
    let mut after = before.clone();
    let waiting = matches!(
        wf.status(&before.status).map(|s| s.category),
        Ok(StatusCategory::Pending | StatusCategory::Resolved | StatusCategory::Closed)
    );
    let Some(def) = waiting.then(|| wf.status("open").ok()).flatten() else {
        return Ok((after, false));
    };
    events::append(
        tx,
        before.id,
        "status_changed",
        None,
        true,
        json!({"from": before.status, "to": "open", "comment": channel}),
        now,
    )
    .await?;
    tickets::apply_status(&mut after, "open", def.category, now);
    Ok((after, true))
}
