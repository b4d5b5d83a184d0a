//! Public replies and internal notes.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::StatusCategory;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::save::{check_not_merged, save_and_commit};
use super::transition::apply_status;
use super::{TicketView, events, ticket_for_update};
use crate::{App, AppError, require};

/// A reply or a note.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// Text (plain text or Markdown).
    pub body: String,
    /// Ids of attachments uploaded to this ticket beforehand.
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

fn check_body(body: &str) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(AppError::invalid(
            "body",
            "required",
            "the message is empty",
        ));
    }
    if body.chars().count() > 100_000 {
        return Err(AppError::invalid(
            "body",
            "too_long",
            "at most 100000 characters",
        ));
    }
    Ok(())
}

/// A public message. A staff reply stops the first-response timer and moves a new ticket to
/// open; a customer reply to a ticket waiting on them moves it back to open.
pub async fn add_reply(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: ReplyInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    check_body(&req.body)?;
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, id).await?;
    check_not_merged(&before)?;
    let now = app.now();
    let wf = super::workflow_of(app, &tx).await?;
    let mut t = before.clone();
    let staff = actor.role.is_staff();
    events::append(&tx, id, "reply", Some(actor.user_id), true, json!({"body": req.body, "attachment_ids": req.attachment_ids, "from": if staff { "agent" } else { "customer" }}), now).await?;
    let category = wf.status(&t.status).map(|s| s.category).ok();
    let next = if staff {
        if t.first_responded_at.is_none() {
            t.first_responded_at = Some(now);
        }
        (category == Some(StatusCategory::New)).then_some("open")
    } else {
        matches!(
            category,
            Some(StatusCategory::Pending | StatusCategory::Resolved)
        )
        .then_some("open")
    };
    if let Some(to) =
        next.filter(|to| wf.check(&t.status, to, &actor.permissions()).is_ok() || !staff)
        && let Ok(def) = wf.status(to)
    {
        events::append(
            &tx,
            id,
            "status_changed",
            Some(actor.user_id),
            true,
            json!({"from": t.status, "to": to, "comment": "reply"}),
            now,
        )
        .await?;
        apply_status(&mut t, to, def.category, now);
    }
    save_and_commit(app, tx, &before, t, now).await
}

/// An internal note, never shown to the customer.
pub async fn add_note(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: ReplyInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("internal notes are for staff".into()));
    }
    check_body(&req.body)?;
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, id).await?;
    let now = app.now();
    events::append(
        &tx,
        id,
        "note",
        Some(actor.user_id),
        false,
        json!({"body": req.body, "attachment_ids": req.attachment_ids}),
        now,
    )
    .await?;
    save_and_commit(app, tx, &before, before.clone(), now).await
}
