//! A ticket's history, oldest first. Customers see only public entries.

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::ticket_event;
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::view::full_view_with;
use super::{EventView, TicketView, sla_state, visible_ticket};
use crate::{App, AppError, require};

/// The events of a ticket.
pub async fn ticket_history(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<EventView>, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    visible_ticket(db, actor, id).await?;
    Ok(events_of(db, id, actor.role.is_staff())
        .await?
        .into_iter()
        .map(EventView::from)
        .collect())
}

/// A ticket with its SLA clock and its events, as `get_ticket` and `ticket_history` give them
/// (the ticket page): one visibility check, and one read of the events, which also gives the
/// clock its status changes.
pub async fn ticket_with_history(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(TicketView, Vec<EventView>), AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    let t = visible_ticket(db, actor, id).await?;
    // Every event: the clock counts status changes a customer may not see.
    let events = events_of(db, id, true).await?;
    let changes = sla_state::status_changes_in(&events);
    let view = full_view_with(app, db, t, &changes).await?;
    let staff = actor.role.is_staff();
    let events = events
        .into_iter()
        .filter(|e| staff || e.public)
        .map(EventView::from)
        .collect();
    Ok((view, events))
}

/// The events of ticket `id`, oldest first; only the public ones unless `all`.
async fn events_of(
    db: &impl ConnectionTrait,
    id: Uuid,
    all: bool,
) -> Result<Vec<ticket_event::Model>, AppError> {
    let mut q = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(id));
    if !all {
        q = q.filter(ticket_event::Column::Public.eq(true));
    }
    Ok(q.order_by_asc(ticket_event::Column::CreatedAt)
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?)
}
