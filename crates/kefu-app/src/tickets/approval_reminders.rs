//! Reminders of sign-offs left waiting: a pending approval older than the reminder interval
//! (in business time, by the default calendar) gets an internal `approval_reminder` event on its
//! ticket that notifies every active user of the approver role in the app; again after each
//! further interval while it waits. Run by the worker.

use std::collections::HashMap;

use chrono::Duration;
use kefu_store::entity::{approval, ticket_event, user};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::events;
use crate::{App, AppError};

/// Business time a sign-off may wait before (and between) reminders.
pub const REMIND_AFTER: Duration = Duration::hours(4);

/// What a reminder pass did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ReminderScan {
    /// Pending approvals looked at.
    pub pending: usize,
    /// Reminders written.
    pub reminded: usize,
}

/// Writes the reminders that are due.
pub async fn remind_approvals(app: &App) -> Result<ReminderScan, AppError> {
    let now = app.now();
    let db = app.store.conn();
    let pending = approval::Entity::find()
        .filter(approval::Column::State.eq("pending"))
        .all(db)
        .await?;
    let mut scan = ReminderScan {
        pending: pending.len(),
        ..Default::default()
    };
    if pending.is_empty() {
        return Ok(scan);
    }
    let cal = crate::sla::policy_for(app, db, None)
        .await?
        .calendar
        .clone();
    let tickets: Vec<Uuid> = pending.iter().map(|a| a.ticket_id).collect();
    // The last reminder of each approval.
    let mut last: HashMap<Uuid, chrono::DateTime<chrono::Utc>> = HashMap::new();
    for chunk in tickets.chunks(500) {
        for e in ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.is_in(chunk.to_vec()))
            .filter(ticket_event::Column::Kind.eq("approval_reminder"))
            .all(db)
            .await?
        {
            if let Some(id) = e
                .data
                .get("approval_id")
                .and_then(|v| v.as_str()?.parse().ok())
            {
                let at = last.entry(id).or_insert(e.created_at);
                *at = (*at).max(e.created_at);
            }
        }
    }
    let staff = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::CustomerId.is_null())
        .all(db)
        .await?;
    for a in pending {
        let since = last.get(&a.id).copied().unwrap_or(a.requested_at);
        let waited = cal.business_time_between(since, now);
        if waited < REMIND_AFTER {
            continue;
        }
        let notify: Vec<String> = staff
            .iter()
            .filter(|u| u.role == a.approver_role)
            .map(|u| u.id.to_string())
            .collect();
        let tx = app.store.begin().await?;
        events::append(
            &tx,
            a.ticket_id,
            "approval_reminder",
            None,
            false,
            json!({"approval_id": a.id, "step": a.step, "to": a.to_status,
                "approver_role": a.approver_role, "notify": notify,
                "waiting_minutes": cal.business_time_between(a.requested_at, now).num_minutes()}),
            now,
        )
        .await?;
        tx.commit().await?;
        scan.reminded += 1;
    }
    Ok(scan)
}
