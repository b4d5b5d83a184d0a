//! Turning outbox rows into deliveries, in the dispatcher's transaction: one row per event
//! and matching active subscription, with the payload the receiver gets (for ticket events:
//! the ticket's key fields and the event itself).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_domain::webhook::matches;
use kefu_store::entity::{outbox_message, ticket, ticket_event, webhook, webhook_delivery};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppError;

/// Writes the deliveries of `rows` (already read by the dispatcher) for every active
/// subscription whose events match; returns how many.
pub(crate) async fn fan_out(
    db: &impl ConnectionTrait,
    rows: &[outbox_message::Model],
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let hooks: Vec<(webhook::Model, Vec<String>)> = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|w| {
            let events: Vec<String> = serde_json::from_value(w.events.clone()).unwrap_or_default();
            (w, events)
        })
        .collect();
    if hooks.is_empty() || rows.is_empty() {
        return Ok(0);
    }
    let wanted: Vec<&outbox_message::Model> = rows
        .iter()
        .filter(|r| {
            hooks
                .iter()
                .any(|(_, ev)| ev.iter().any(|p| matches(p, &r.topic)))
        })
        .collect();
    // Ticket events carry the ticket and the event itself.
    let event_ids: Vec<Uuid> = wanted
        .iter()
        .filter(|r| r.topic.starts_with("ticket."))
        .filter_map(|r| r.payload.get("event_id")?.as_str()?.parse().ok())
        .collect();
    let events: HashMap<Uuid, ticket_event::Model> = ticket_event::Entity::find()
        .filter(ticket_event::Column::Id.is_in(event_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let ticket_ids: Vec<Uuid> = events.values().map(|e| e.ticket_id).collect();
    let tickets: HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ticket_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut n = 0;
    for r in wanted {
        let data = payload(r, &events, &tickets);
        for (w, ev) in &hooks {
            if !ev.iter().any(|p| matches(p, &r.topic)) {
                continue;
            }
            webhook_delivery::Entity::insert(webhook_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                webhook_id: Set(w.id),
                outbox_id: Set(r.id),
                topic: Set(r.topic.clone()),
                aggregate_id: Set(r.aggregate_id),
                payload: Set(data.clone()),
                status: Set("pending".into()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            })
            .on_conflict_do_nothing_on([
                webhook_delivery::Column::WebhookId,
                webhook_delivery::Column::OutboxId,
            ])
            .exec_without_returning(db)
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

fn payload(
    r: &outbox_message::Model,
    events: &HashMap<Uuid, ticket_event::Model>,
    tickets: &HashMap<Uuid, ticket::Model>,
) -> Value {
    let event = r
        .payload
        .get("event_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse::<Uuid>().ok())
        .and_then(|id| events.get(&id));
    match event {
        Some(e) => {
            let t = tickets.get(&e.ticket_id);
            json!({
                "ticket": t.map(|t| json!({
                    "id": t.id, "number": t.number, "subject": t.subject, "status": t.status,
                    "priority": t.priority, "kind": t.kind, "customer_id": t.customer_id,
                    "asset_id": t.asset_id, "assignee_id": t.assignee_id,
                })),
                "event": {"id": e.id, "kind": e.kind, "public": e.public, "data": e.data,
                    "actor_id": e.actor_id, "created_at": e.created_at},
            })
        }
        None => r.payload.clone(),
    }
}
