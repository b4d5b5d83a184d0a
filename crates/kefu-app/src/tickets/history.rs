//! A ticket's history, oldest first. Customers see only public entries.

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::ticket_event;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{EventView, visible_ticket};
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
    let mut q = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(id));
    if !actor.role.is_staff() {
        q = q.filter(ticket_event::Column::Public.eq(true));
    }
    Ok(q.order_by_asc(ticket_event::Column::CreatedAt)
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect())
}
