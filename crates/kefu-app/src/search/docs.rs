//! What of a ticket is searchable: subject, messages, internal notes (staff only), the customer's name and
//! code, serial numbers of its asset, its order number; filtered by status, type, customer and
//! creation date.

use std::collections::HashMap;

use kefu_search::Doc;
use kefu_store::entity::{asset, customer, kb_article, order, ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::AppError;

/// Longest body indexed per ticket (a thread with hundreds of messages stays bounded).
const MAX_BODY_CHARS: usize = 100_000;

/// Documents for these tickets (missing ones are left out: they were deleted).
pub(super) async fn ticket_docs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<Doc>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.is_in(ids.to_vec()))
        .filter(ticket_event::Column::Kind.is_in(["created", "reply", "note"]))
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?;
    // Public messages and internal notes apart: customers must never find a ticket (or read a
    // snippet) by what only staff wrote.
    let mut texts: HashMap<Uuid, String> = HashMap::new();
    let mut notes: HashMap<Uuid, String> = HashMap::new();
    for e in &events {
        if let Some(body) = e.data.get("body").and_then(|b| b.as_str()) {
            let t = if e.public { &mut texts } else { &mut notes }
                .entry(e.ticket_id)
                .or_default();
            if t.chars().count() < MAX_BODY_CHARS {
                t.push_str(body);
                t.push('\n');
            }
        }
    }
    let customer_ids: Vec<Uuid> = tickets.iter().filter_map(|t| t.customer_id).collect();
    let customers: HashMap<Uuid, customer::Model> = if customer_ids.is_empty() {
        HashMap::new()
    } else {
        customer::Entity::find()
            .filter(customer::Column::Id.is_in(customer_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let asset_ids: Vec<Uuid> = tickets.iter().filter_map(|t| t.asset_id).collect();
    let serials: HashMap<Uuid, String> = if asset_ids.is_empty() {
        HashMap::new()
    } else {
        asset::Entity::find()
            .filter(asset::Column::Id.is_in(asset_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.serial_number))
            .collect()
    };
    let order_ids: Vec<Uuid> = tickets.iter().filter_map(|t| t.order_id).collect();
    let orders: HashMap<Uuid, String> = if order_ids.is_empty() {
        HashMap::new()
    } else {
        order::Entity::find()
            .filter(order::Column::Id.is_in(order_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.order_no))
            .collect()
    };
    Ok(tickets
        .into_iter()
        .map(|t| {
            let mut body = texts.remove(&t.id).unwrap_or_default();
            if let Some(c) = t.customer_id.and_then(|c| customers.get(&c)) {
                body.push_str(&c.name);
                if let Some(code) = &c.code {
                    body.push(' ');
                    body.push_str(code);
                }
            }
            body.push('\n');
            body.push_str(&t.number);
            Doc {
                id: format!("ticket:{}", t.id),
                kind: "ticket".into(),
                title: t.subject,
                body,
                notes: notes.remove(&t.id).unwrap_or_default(),
                serials: t
                    .asset_id
                    .and_then(|a| serials.get(&a).cloned())
                    .into_iter()
                    .collect(),
                orders: t
                    .order_id
                    .and_then(|o| orders.get(&o).cloned())
                    .into_iter()
                    .collect(),
                customer_id: t.customer_id.map(|c| c.to_string()),
                visibility: "staff".into(),
                status: t.status,
                doc_type: t.kind,
                created: t.created_at.timestamp(),
            }
        })
        .collect())
}

/// Documents for these articles: published ones only (public ones for everyone, internal ones
/// for staff); drafts, archived and deleted articles are left out, so the caller removes them.
pub(super) async fn article_docs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<Doc>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(kb_article::Entity::find()
        .filter(kb_article::Column::Id.is_in(ids.to_vec()))
        .filter(kb_article::Column::State.is_in(["internal", "public"]))
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let mut body = crate::kb::render::to_text(&a.body);
            for t in a.tags.as_array().into_iter().flatten() {
                if let Some(t) = t.as_str() {
                    body.push('\n');
                    body.push_str(t);
                }
            }
            Doc {
                id: format!("article:{}", a.id),
                kind: "article".into(),
                title: a.title,
                body,
                visibility: if a.state == "public" {
                    "public"
                } else {
                    "staff"
                }
                .into(),
                status: a.state,
                doc_type: a.category_id.map(|c| c.to_string()).unwrap_or_default(),
                created: a.created_at.timestamp(),
                ..Default::default()
            }
        })
        .collect())
}
