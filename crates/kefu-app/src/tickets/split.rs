//! Splitting a ticket: a new ticket for a separate problem, optionally carrying some messages.

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::ticket_event;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::open::{NewTicket, open_in};
use super::save::check_not_merged;
use super::view::full_view;
use super::{TicketView, events, ticket_for_update};
use crate::{App, AppError, require};

/// Split request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitInput {
    /// Subject of the new ticket.
    pub subject: String,
    /// Messages (reply or note events of the source) to copy into the new ticket.
    #[serde(default)]
    pub event_ids: Vec<Uuid>,
    /// Priority of the new ticket (default: the source's).
    #[serde(default)]
    pub priority: Option<String>,
    /// Type of the new ticket (default: the source's).
    #[serde(default)]
    pub kind: Option<String>,
}

/// Creates the new ticket in one transaction and returns it.
pub async fn split_ticket(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: SplitInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketMerge)?;
    require(actor, Permission::TicketCreate)?;
    let tx = app.store.begin().await?;
    let src = ticket_for_update(&tx, actor, id).await?;
    check_not_merged(&src)?;
    let copied = if req.event_ids.is_empty() {
        Vec::new()
    } else {
        ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(id))
            .filter(ticket_event::Column::Id.is_in(req.event_ids.clone()))
            .filter(ticket_event::Column::Kind.is_in(["reply", "note", "created"]))
            .order_by_asc(ticket_event::Column::CreatedAt)
            .all(&tx)
            .await?
    };
    if copied.len() != req.event_ids.len() {
        return Err(AppError::invalid(
            "event_ids",
            "not_found",
            "every id must be a message of this ticket",
        ));
    }
    let new = NewTicket {
        subject: req.subject,
        description: None,
        kind: Some(req.kind.unwrap_or_else(|| src.kind.clone())),
        priority: Some(req.priority.unwrap_or_else(|| src.priority.clone())),
        channel: Some(src.channel.clone()),
        customer_id: src.customer_id,
        contact_id: src.contact_id,
        asset_id: src.asset_id,
        order_id: src.order_id,
        team_id: src.team_id,
        assignee_id: src.assignee_id,
        sla_policy_id: src.sla_policy_id,
        tags: serde_json::from_value(src.tags.clone()).unwrap_or_default(),
        custom_fields: src.custom_fields.as_object().cloned().unwrap_or_default(),
    };
    let (t, _) = open_in(app, &tx, actor, new, Some(src.id)).await?;
    let now = app.now();
    for e in copied {
        let mut data = e.data.clone();
        if let Some(o) = data.as_object_mut() {
            o.insert(
                "copied_from".into(),
                json!({"ticket_id": src.id, "event_id": e.id}),
            );
        }
        let kind = if e.kind == "created" {
            "reply"
        } else {
            e.kind.as_str()
        };
        events::append(&tx, t.id, kind, e.actor_id, e.public, data, now).await?;
    }
    events::append(
        &tx,
        t.id,
        "split_from",
        Some(actor.user_id),
        false,
        json!({"source_id": src.id, "source_number": src.number}),
        now,
    )
    .await?;
    events::append(
        &tx,
        src.id,
        "split",
        Some(actor.user_id),
        false,
        json!({"new_id": t.id, "new_number": t.number}),
        now,
    )
    .await?;
    let view = full_view(app, &tx, t).await?;
    tx.commit().await?;
    Ok(view)
}
