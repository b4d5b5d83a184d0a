//! The SLA watch: a periodic scan of running SLA timers (through the indexed `*_due_at`
//! columns) that records, once per timer and due time, an `sla_warning` event when a timer
//! enters its warning band and an `sla_breached` event when it passes its due time. The events
//! (and their outbox rows) are what notifications and escalations react to. Running the scan
//! twice, or on two nodes, records nothing twice.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use kefu_store::entity::ticket_event;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::{TicketCursor, TicketFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::events;
use super::view::SlaTimerView;
use crate::{App, AppError};

/// Candidates are timers due within this horizon; the warning band itself is each policy's
/// share of the target, in business time.
const HORIZON_DAYS: i64 = 7;

/// What one scan recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SlaScan {
    /// Tickets looked at.
    pub checked: usize,
    /// `sla_warning` events written.
    pub warnings: usize,
    /// `sla_breached` events written.
    pub breaches: usize,
}

fn key(ticket: Uuid, kind: &str, timer: &str, due: &str) -> String {
    format!("{ticket}|{kind}|{timer}|{due}")
}

/// Scans every open ticket with a running timer due within the horizon.
pub async fn scan_sla(app: &App) -> Result<SlaScan, AppError> {
    let now = app.now();
    let db = app.store.conn();
    let mut f = TicketFilter::default();
    super::queues::narrow(
        db,
        &kefu_domain::access::Actor {
            user_id: Uuid::nil(),
            role: kefu_domain::access::Role::Admin,
            customer_id: None,
            scopes: None,
        },
        super::Queue::Open,
        now,
        &mut f,
    )
    .await?;
    f.sla_due_before = Some(now + Duration::days(HORIZON_DAYS));
    let mut report = SlaScan::default();
    let mut after: Option<TicketCursor> = None;
    loop {
        let rows = kefu_store::list_tickets(db, &f, after, 500).await?;
        let Some(last) = rows.last() else { break };
        after = Some(TicketCursor {
            created_at: last.created_at,
            id: last.id,
        });
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let seen: HashSet<String> = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.is_in(ids))
            .filter(ticket_event::Column::Kind.is_in(["sla_warning", "sla_breached"]))
            .all(db)
            .await?
            .into_iter()
            .map(|e| {
                key(
                    e.ticket_id,
                    &e.kind,
                    e.data["timer"].as_str().unwrap_or(""),
                    e.data["due_at"].as_str().unwrap_or(""),
                )
            })
            .collect();
        let customer_ids: Vec<Uuid> = rows.iter().filter_map(|t| t.customer_id).collect();
        let tiers = crate::customers::tiers_of(db, customer_ids).await?;
        let mut due_events = Vec::new();
        for t in rows {
            report.checked += 1;
            let lp = crate::sla::policy_for(app, db, t.sla_policy_id).await?;
            let tier = t
                .customer_id
                .and_then(|c| tiers.get(&c).copied())
                .unwrap_or_default();
            let id = t.id;
            let v = super::list::brief_view(t, &lp, tier, now);
            for (name, timer) in [
                ("first_response", &v.sla.first_response),
                ("resolution", &v.sla.resolution),
            ] {
                if let Some(ev) = event_for(timer) {
                    let due = due_string(timer.due_at);
                    if !seen.contains(&key(id, ev, name, &due)) {
                        due_events.push((id, ev, name, due, timer.remaining_seconds));
                    }
                }
            }
        }
        for (id, kind, timer, due, remaining) in due_events {
            let tx = app.store.begin().await?;
            events::append(
                &tx,
                id,
                kind,
                None,
                false,
                json!({"timer": timer, "due_at": due, "remaining_seconds": remaining}),
                now,
            )
            .await?;
            tx.commit().await?;
            if kind == "sla_breached" {
                report.breaches += 1;
            } else {
                report.warnings += 1;
            }
        }
    }
    Ok(report)
}

fn event_for(timer: &SlaTimerView) -> Option<&'static str> {
    match timer.state.as_str() {
        "breached" => Some("sla_breached"),
        "warning" => Some("sla_warning"),
        _ => None,
    }
}

fn due_string(due: Option<DateTime<Utc>>) -> String {
    due.map(|d| d.to_rfc3339()).unwrap_or_default()
}
