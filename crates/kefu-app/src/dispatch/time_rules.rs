//! Time rules at work: a periodic scan finds tickets that have sat in a status long enough (in
//! business time since they entered it), records a `time_rule` event once per ticket, rule and
//! entry into the status, and carries out the rule's action (a reminder, or a move to another
//! status) in one transaction per ticket.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::routing::{TimeAction, TimeRule};
use kefu_store::entity::{ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::tickets::events;
use crate::{App, AppError, FieldError, require};

/// The time rules (staff).
pub async fn time_rules(app: &App, actor: &Actor) -> Result<Vec<TimeRule>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    load(app).await
}

async fn load(app: &App) -> Result<Vec<TimeRule>, AppError> {
    crate::config::list_setting::read_list(app.store.conn(), "time_rules").await
}

/// Replaces the time rules (admins); statuses must exist in the workflow.
pub async fn save_time_rules(
    app: &App,
    actor: &Actor,
    rules: Vec<TimeRule>,
) -> Result<Vec<TimeRule>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let wf = crate::tickets::workflow_in_force(app).await?;
    let mut errors = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if let Some(p) = r.problem() {
            errors.push(FieldError::new(format!("rules[{i}]"), "invalid", p));
        }
        let mut statuses = vec![r.status.as_str()];
        if let TimeAction::Transition { to } = &r.action {
            statuses.push(to);
        }
        for s in statuses {
            if wf.status(s).is_err() {
                errors.push(FieldError::new(
                    format!("rules[{i}]"),
                    "unknown_status",
                    format!("no status `{s}`"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    crate::config::list_setting::write_list(app, actor, "time_rules", &rules).await?;
    Ok(rules)
}

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TimeScan {
    /// Rules that fired.
    pub fired: usize,
}

/// Runs every time rule once over the tickets in its status.
pub async fn scan_time_rules(app: &App) -> Result<TimeScan, AppError> {
    let rules = load(app).await?;
    let mut report = TimeScan::default();
    if rules.is_empty() {
        return Ok(report);
    }
    let now = app.now();
    let db = app.store.conn();
    let wf = crate::tickets::workflow_in_force(app).await?;
    let cal = crate::sla::policy_for(app, db, None)
        .await?
        .calendar
        .clone();
    for rule in &rules {
        let tickets = ticket::Entity::find()
            .filter(ticket::Column::Status.eq(rule.status.clone()))
            .filter(ticket::Column::MergedIntoId.is_null())
            .all(db)
            .await?;
        if tickets.is_empty() {
            continue;
        }
        let ids: Vec<_> = tickets.iter().map(|t| t.id).collect();
        let evs = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.is_in(ids))
            .filter(ticket_event::Column::Kind.is_in(["status_changed", "time_rule"]))
            .all(db)
            .await?;
        // When each ticket last entered the rule's status, and which entries already fired.
        let mut entered: HashMap<uuid::Uuid, DateTime<Utc>> = HashMap::new();
        let mut fired: HashSet<(uuid::Uuid, String)> = HashSet::new();
        for e in &evs {
            if e.kind == "status_changed" && e.data["to"].as_str() == Some(rule.status.as_str()) {
                let x = entered.entry(e.ticket_id).or_insert(e.created_at);
                if e.created_at > *x {
                    *x = e.created_at;
                }
            }
            if e.kind == "time_rule" && e.data["rule_id"].as_str() == Some(&rule.id.to_string()) {
                fired.insert((
                    e.ticket_id,
                    e.data["since"].as_str().unwrap_or("").to_owned(),
                ));
            }
        }
        for t in tickets {
            let since = entered.get(&t.id).copied().unwrap_or(t.created_at);
            let since_s = since.to_rfc3339();
            if fired.contains(&(t.id, since_s.clone())) || !rule.due(since, &cal, now) {
                continue;
            }
            let tx = app.store.begin().await?;
            events::append(
                &tx,
                t.id,
                "time_rule",
                None,
                false,
                json!({"rule_id": rule.id, "rule": rule.name, "since": since_s, "action": rule.action}),
                now,
            )
            .await?;
            if let TimeAction::Transition { to } = &rule.action {
                let category = wf
                    .status(to)
                    .map(|s| s.category)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
                let mut after = t.clone();
                crate::tickets::apply_status(&mut after, to, category, now);
                events::append(
                    &tx,
                    t.id,
                    "status_changed",
                    None,
                    true,
                    json!({"from": t.status, "to": to, "comment": rule.name}),
                    now,
                )
                .await?;
                crate::tickets::write_ticket(app, &tx, &t, after, now).await?;
            }
            tx.commit().await?;
            report.fired += 1;
        }
    }
    Ok(report)
}
