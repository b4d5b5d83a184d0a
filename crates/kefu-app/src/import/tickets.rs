//! Historical tickets from another helpdesk (`config.manage`): one row per ticket, or an event
//! log with one row per change (rows with the same number fold into one ticket, each change of
//! status an event at its time). Tickets keep the other system's number (or get one of ours for
//! the month they were opened), their times and final status; no SLA clock runs, nothing is
//! mailed, and one `ticket.imported` announcement per ticket lets search index it. A number
//! kefu already has is a problem, so a file is never imported twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use kefu_domain::access::{Actor, Permission};
use kefu_domain::import::{Problem, TicketField, parse_ticket_rows, status_of};
use kefu_domain::ticket::{StatusCategory, TicketNumber};
use kefu_store::entity::{outbox_message, ticket, ticket_event};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::{AssetImport, CustomerIndex, ImportReport};
use crate::{App, AppError, require};

/// Tickets per batch of INSERTs.
const CHUNK: usize = 300;

fn problem(row: usize, column: &str, message: String) -> Problem {
    Problem {
        row,
        column: column.into(),
        message,
    }
}

/// Imports historical tickets (see the module). Columns: `status` and `opened_at` required;
/// `number`, `subject`, `description`, `customer` (code or exact name), `kind`, `priority`,
/// `channel`, `tag`, `updated_at` (the row's change time in event logs), `resolved_at`,
/// `closed_at`. Times are read in China time unless they carry an offset.
pub async fn import_tickets(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::ConfigManage)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<TicketField>(&mut imp).await?;
    let (parsed, mut problems) = parse_ticket_rows(&rows[h + 1..], &columns, h + 2, Shanghai);
    let row_count = parsed.iter().map(|t| t.steps.len()).sum::<usize>() + {
        let mut bad: Vec<usize> = problems.iter().map(|p| p.row).collect();
        bad.dedup();
        bad.len()
    };
    let db = app.store.conn();
    let wf = crate::tickets::workflow_of(app, db).await?;
    let customers = CustomerIndex::load(db).await?;
    let mut kinds: HashMap<String, bool> = HashMap::new();
    // Each number's first sheet row.
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    for t in &parsed {
        for s in &t.steps {
            if status_of(&wf, &s.status).is_none() {
                problems.push(problem(
                    s.row,
                    "status",
                    format!("`{}` is not a status of the workflow", s.status),
                ));
            }
        }
        if let Some(c) = &t.customer
            && let Err(m) = customers.resolve(c)
        {
            problems.push(problem(t.row, "customer", m));
        }
        let kind = t.kind.clone().unwrap_or_else(|| "inquiry".into());
        if !kinds.contains_key(&kind) {
            let ok = crate::tickets::fields_of(app, db, &kind).await.is_ok();
            kinds.insert(kind.clone(), ok);
        }
        if !kinds[&kind] {
            problems.push(problem(
                t.row,
                "kind",
                format!("`{kind}` is not a ticket type"),
            ));
        }
        if let Some(n) = &t.number {
            if n.chars().count() > 40 {
                problems.push(problem(t.row, "number", "at most 40 characters".into()));
            }
            numbers.entry(n).or_insert(t.row);
        }
    }
    // Numbers kefu already has: the file (or part of it) was imported before.
    let wanted: Vec<String> = numbers.keys().map(|s| s.to_string()).collect();
    for chunk in wanted.chunks(500) {
        let taken: Vec<String> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Number)
            .filter(ticket::Column::Number.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for n in taken {
            let row = numbers.get(n.as_str()).copied().unwrap_or(0);
            problems.push(problem(row, "number", format!("`{n}` is already in kefu")));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(super::located(&file, problems));
    }

    let now = app.now();
    let prefix = app.settings.ticket_prefix.clone();
    let initial = wf.initial().key.clone();
    let total = parsed.len() as u64;
    let mut report = ImportReport {
        rows: row_count,
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    let mut done = 0u64;
    for chunk in parsed.chunks(CHUNK) {
        let mut tickets = Vec::with_capacity(chunk.len());
        let mut events = Vec::new();
        let mut outbox = Vec::with_capacity(chunk.len());
        for t in chunk {
            let number = match &t.number {
                Some(n) => n.clone(),
                None => {
                    let day = t.opened_at.with_timezone(&Shanghai).date_naive();
                    let seq =
                        kefu_store::next_ticket_seq(&tx, &TicketNumber::period_key(&prefix, day))
                            .await?;
                    TicketNumber::new(&prefix, day, seq as u64).to_string()
                }
            };
            let id = Uuid::now_v7();
            let event = |event_id: Uuid, kind: &str, at: DateTime<Utc>, public: bool, data| {
                ticket_event::ActiveModel {
                    id: Set(event_id),
                    ticket_id: Set(id),
                    kind: Set(kind.into()),
                    actor_id: Set(None),
                    public: Set(public),
                    data: Set(data),
                    created_at: Set(at),
                }
            };
            let subject = if t.subject.is_empty() {
                format!("历史工单 {number}")
            } else {
                t.subject.chars().take(200).collect()
            };
            let kind = t.kind.clone().unwrap_or_else(|| "inquiry".into());
            let priority = t.priority.unwrap_or_default().as_str().to_owned();
            let channel = t.channel.unwrap_or_default().as_str().to_owned();
            events.push(event(
                Uuid::now_v7(),
                "created",
                t.opened_at,
                true,
                json!({"subject": subject, "body": t.description, "kind": kind,
                    "priority": priority, "channel": channel, "status": initial,
                    "imported": true}),
            ));
            // Each change of status at its time; when it first resolved and closed.
            let mut status = initial.clone();
            let (mut resolved, mut closed) = (None, None);
            let mut last = t.opened_at;
            for s in &t.steps {
                let d = status_of(&wf, &s.status).expect("checked above");
                let at = s.at.max(t.opened_at);
                last = last.max(at);
                if d.key != status {
                    events.push(event(
                        Uuid::now_v7(),
                        "status_changed",
                        at,
                        true,
                        json!({"from": status, "to": d.key, "imported": true}),
                    ));
                    status = d.key.clone();
                }
                match d.category {
                    StatusCategory::Resolved => {
                        resolved = resolved.or(Some(at));
                        closed = None;
                    }
                    StatusCategory::Closed => {
                        resolved = resolved.or(Some(at));
                        closed = closed.or(Some(at));
                    }
                    _ => (resolved, closed) = (None, None),
                }
            }
            let category = wf.status(&status).map(|d| d.category).ok();
            let finished = matches!(
                category,
                Some(StatusCategory::Resolved | StatusCategory::Closed)
            );
            let resolved_at = finished.then(|| t.resolved_at.or(resolved)).flatten();
            let closed_at = (category == Some(StatusCategory::Closed))
                .then(|| t.closed_at.or(closed))
                .flatten();
            let imported_id = Uuid::now_v7();
            events.push(event(
                imported_id,
                "imported",
                now,
                false,
                json!({"file": file, "rows": t.steps.iter().map(|s| s.row).collect::<Vec<_>>(),
                    "source_number": t.number}),
            ));
            outbox.push(outbox_message::ActiveModel {
                id: Set(Uuid::now_v7()),
                topic: Set("ticket.imported".into()),
                aggregate_id: Set(Some(id)),
                payload: Set(json!({"ticket_id": id, "event_id": imported_id})),
                created_at: Set(now),
                processed_at: Set(None),
            });
            tickets.push(ticket::ActiveModel {
                id: Set(id),
                number: Set(number),
                kind: Set(kind),
                channel: Set(channel),
                priority: Set(priority),
                status: Set(status),
                subject: Set(subject),
                customer_id: Set(t
                    .customer
                    .as_deref()
                    .and_then(|c| customers.resolve(c).ok())),
                contact_id: Set(None),
                asset_id: Set(None),
                order_id: Set(None),
                team_id: Set(None),
                assignee_id: Set(None),
                sla_policy_id: Set(None),
                first_response_due_at: Set(None),
                resolution_due_at: Set(None),
                first_responded_at: Set(None),
                resolved_at: Set(resolved_at),
                closed_at: Set(closed_at),
                sla_paused_since: Set(None),
                sla_check_at: Set(None),
                sla_warn_at: Set(None),
                tags: Set(json!(t.tags)),
                custom_fields: Set(json!({})),
                parent_id: Set(None),
                merged_into_id: Set(None),
                created_by: Set(actor.user_ref()),
                created_at: Set(t.opened_at),
                updated_at: Set(last),
                version: Set(1),
            });
        }
        report.created += tickets.len();
        ticket::Entity::insert_many(tickets)
            .exec_without_returning(&tx)
            .await?;
        for part in events.chunks(1000) {
            ticket_event::Entity::insert_many(part.to_vec())
                .exec_without_returning(&tx)
                .await?;
        }
        outbox_message::Entity::insert_many(outbox)
            .exec_without_returning(&tx)
            .await?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    super::finish(tx, actor, "tickets", &imp.file_name, &report, now).await?;
    Ok(report)
}
