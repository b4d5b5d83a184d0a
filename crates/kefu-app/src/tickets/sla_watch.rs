//! The SLA watch: a periodic scan of the tickets whose next SLA check has come (the indexed
//! `sla_check_at`, kept by every ticket write and by the scan itself) that records, once per timer and due time, an `sla_warning` event when a timer
//! enters its warning band and an `sla_breached` event when it passes its due time. The events
//! (and their outbox rows) are what notifications and escalations react to. Running the scan
//! twice, or on two nodes, records nothing twice.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use kefu_store::entity::{ticket, ticket_event};
use kefu_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::events;
use super::view::SlaTimerView;
use crate::{App, AppError};

/// What one scan recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SlaScan {
    /// Tickets looked at.
    pub checked: usize,
    /// `sla_warning` events written.
    pub warnings: usize,
    /// `sla_breached` events written.
    pub breaches: usize,
    /// Escalation levels carried out (`sla_escalated` events).
    pub escalations: usize,
}

/// Tickets read per round trip.
const PAGE: u64 = 500;

/// Most tickets one scan looks at: a backlog (after an upgrade, or after the worker was down)
/// drains over several ticks instead of one scan running for minutes.
const MAX_PER_SCAN: usize = 5_000;

fn key(ticket: Uuid, kind: &str, timer: &str, due: &str) -> String {
    format!("{ticket}|{kind}|{timer}|{due}")
}

/// Looks at the tickets whose next SLA check has come (at most [`MAX_PER_SCAN`]).
pub async fn scan_sla(app: &App) -> Result<SlaScan, AppError> {
    let now = app.now();
    let db = app.store.conn();
    let finished = super::finished_statuses(app, db).await?;
    let mut report = SlaScan::default();
    // Only the tickets whose next check has come (`sla_check_at`, kept by every ticket write
    // and by this scan), read through its index in check order, however many are open.
    let mut after: Option<(DateTime<Utc>, Uuid)> = None;
    loop {
        let mut q = ticket::Entity::find()
            .filter(ticket::Column::SlaCheckAt.lte(now))
            .filter(ticket::Column::MergedIntoId.is_null())
            .filter(ticket::Column::ClosedAt.is_null());
        if let Some((at, id)) = after {
            // A range on the check index first (see `kefu_store::list_tickets`), then ties.
            q = q.filter(ticket::Column::SlaCheckAt.gte(at)).filter(
                Condition::any()
                    .add(ticket::Column::SlaCheckAt.gt(at))
                    .add(ticket::Column::Id.gt(id)),
            );
        }
        let rows: Vec<ticket::Model> = q
            .order_by_asc(ticket::Column::SlaCheckAt)
            .order_by_asc(ticket::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        if report.checked >= MAX_PER_SCAN {
            break;
        }
        let Some(last) = rows.last() else { break };
        after = last.sla_check_at.map(|at| (at, last.id));
        // A finished ticket has nothing left to watch: its check is cleared so no later scan
        // reads it again.
        let (done, rows): (Vec<ticket::Model>, Vec<ticket::Model>) =
            rows.into_iter().partition(|t| finished.contains(&t.status));
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let seen: HashSet<String> = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.is_in(ids))
            .filter(ticket_event::Column::Kind.is_in([
                "sla_warning",
                "sla_breached",
                "sla_escalated",
            ]))
            .all(db)
            .await?
            .into_iter()
            .map(|e| {
                let timer = e.data["timer"].as_str().unwrap_or("");
                let timer = match e.data["level"].as_u64() {
                    Some(level) => format!("{timer}#{level}"),
                    None => timer.to_owned(),
                };
                // Escalation levels happen once per ticket and timer: a raised priority moves
                // the due time, which must not start the levels over.
                let due = if e.kind == "sla_escalated" {
                    ""
                } else {
                    e.data["due_at"].as_str().unwrap_or("")
                };
                key(e.ticket_id, &e.kind, &timer, due)
            })
            .collect();
        let mut due_events = Vec::new();
        let mut escalations = Vec::new();
        let mut checks: Vec<_> = done.iter().map(|t| (t.id, None, None)).collect();
        for (v, status, lp) in super::list::briefs(app, db, rows, now).await? {
            report.checked += 1;
            let id = v.id;
            let (next, warn) = super::sla_state::watch_marks(&status, &lp, now);
            checks.push((id, next, warn));
            for (name, timer) in [
                ("first_response", &v.sla.first_response),
                ("resolution", &v.sla.resolution),
            ] {
                if let Some(ev) = event_for(timer) {
                    let due = due_string(timer.due_at);
                    if !seen.contains(&key(id, ev, name, &due)) {
                        due_events.push((id, ev, name, due.clone(), timer.remaining_seconds));
                    }
                }
                // Escalation levels whose business time past the due time has come.
                if timer.state == "breached"
                    && let Some(due_at) = timer.due_at
                {
                    let overdue = lp.calendar.business_time_between(due_at, now).num_seconds();
                    let due = due_string(Some(due_at));
                    for (level, e) in lp.policy.escalations.iter().enumerate() {
                        let level_key = format!("{name}#{level}");
                        if e.covers(name)
                            && overdue >= i64::from(e.after_minutes) * 60
                            && !seen.contains(&key(id, "sla_escalated", &level_key, ""))
                        {
                            escalations.push((id, name, due.clone(), level, e.clone()));
                        }
                    }
                }
            }
        }
        // The next looks first: an escalation below rewrites the ticket, and with it this.
        for (id, next, warn) in checks {
            ticket::Entity::update_many()
                .col_expr(ticket::Column::SlaCheckAt, Expr::value(next))
                .col_expr(ticket::Column::SlaWarnAt, Expr::value(warn))
                .filter(ticket::Column::Id.eq(id))
                .exec(db)
                .await?;
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
        for (id, timer, due, level, e) in escalations {
            escalate(app, id, timer, &due, level, &e, now).await?;
            report.escalations += 1;
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

/// Carries out one escalation level on a ticket in one transaction: raise the priority,
/// reassign, move team (the SLA due times follow a new priority), and record what was done.
async fn escalate(
    app: &App,
    id: Uuid,
    timer: &str,
    due: &str,
    level: usize,
    e: &kefu_domain::sla::Escalation,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let tx = app.store.begin().await?;
    let Some(before) = ticket::Entity::find_by_id(id).one(&tx).await? else {
        return Ok(());
    };
    let mut after = before.clone();
    let from = kefu_domain::ticket::Priority::parse(&before.priority).unwrap_or_default();
    if e.raise_priority {
        after.priority = from.raised().as_str().into();
    }
    if e.assign_to.is_some() {
        after.assignee_id = e.assign_to;
    }
    if e.team_id.is_some() {
        after.team_id = e.team_id;
    }
    events::append(
        &tx,
        id,
        "sla_escalated",
        None,
        false,
        json!({
            "timer": timer, "due_at": due, "level": level,
            "priority_from": before.priority, "priority_to": after.priority,
            "assignee_to": e.assign_to, "team_to": e.team_id, "notify": e.notify,
        }),
        now,
    )
    .await?;
    if after != before {
        super::save::write(app, &tx, &before, after, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
