//! The append-only ticket history and the outbox that announces changes to the outside.

use chrono::{DateTime, Utc};
use kefu_store::entity::{outbox_message, ticket_event};
use kefu_store::sea_orm::sea_query::InsertStatement;
use kefu_store::sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryTrait};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::AppError;

/// One history entry as returned by the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Id (time-ordered).
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// `created`, `reply`, `note`, `field_changed`, `status_changed`, `assigned`, `merged`,
    /// `merged_into`, `split`, `split_from`, `attachment_added`.
    pub kind: String,
    /// Who did it; none for the system.
    pub actor_id: Option<Uuid>,
    /// Visible to the customer.
    pub public: bool,
    /// Details; shape depends on `kind`.
    #[schema(value_type = Object)]
    pub data: Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<ticket_event::Model> for EventView {
    fn from(e: ticket_event::Model) -> Self {
        EventView {
            id: e.id,
            ticket_id: e.ticket_id,
            kind: e.kind,
            actor_id: e.actor_id,
            public: e.public,
            data: e.data,
            created_at: e.created_at,
        }
    }
}

/// Appends one event and announces it in the outbox, inside the caller's transaction.
pub(crate) async fn append(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
    kind: &str,
    actor_id: Option<Uuid>,
    public: bool,
    data: Value,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let (id, inserts) = append_inserts(ticket_id, kind, actor_id, public, data, now);
    kefu_store::insert_all(db, inserts.into()).await?;
    Ok(id)
}

/// The inserts of [`append`] (the event, then its outbox message), for a caller that sends
/// them together with its own; returns the event's id with them.
pub(crate) fn append_inserts(
    ticket_id: Uuid,
    kind: &str,
    actor_id: Option<Uuid>,
    public: bool,
    data: Value,
    now: DateTime<Utc>,
) -> (Uuid, [InsertStatement; 2]) {
    let id = Uuid::now_v7();
    let event = ticket_event::Entity::insert(ticket_event::ActiveModel {
        id: Set(id),
        ticket_id: Set(ticket_id),
        kind: Set(kind.to_owned()),
        actor_id: Set(actor_id),
        public: Set(public),
        data: Set(data),
        created_at: Set(now),
    })
    .into_query();
    let outbox = outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        topic: Set(format!("ticket.{kind}")),
        aggregate_id: Set(Some(ticket_id)),
        payload: Set(serde_json::json!({"ticket_id": ticket_id, "event_id": id})),
        created_at: Set(now),
        processed_at: Set(None),
    })
    .into_query();
    (id, [event, outbox])
}
