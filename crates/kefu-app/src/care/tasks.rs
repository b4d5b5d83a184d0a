//! Care tasks: made by the follow-up rule, a low survey score, a trigger or a person; listed per
//! assignee, ticket or customer; reminded when due; closed with an outcome that goes into the
//! ticket's history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::care::{Outcome, TaskKind};
use kefu_store::entity::{customer, task, ticket, user};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::notify::text::clip;
use crate::{App, AppError, FieldError, require, require_staff};

/// A task as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    /// Id.
    pub id: Uuid,
    /// `follow_up`, `low_score`, `trigger`, `manual`.
    pub kind: String,
    /// What to do.
    pub title: String,
    /// More detail (the survey comment, the trigger's text).
    pub details: Option<String>,
    /// Ticket it is about.
    pub ticket_id: Option<Uuid>,
    /// That ticket's number.
    pub ticket_number: Option<String>,
    /// Customer it is about.
    pub customer_id: Option<Uuid>,
    /// That customer's name.
    pub customer_name: Option<String>,
    /// Contact to call.
    pub contact_id: Option<Uuid>,
    /// Who does it.
    pub assignee_id: Option<Uuid>,
    /// Their name.
    pub assignee_name: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// `open`, `done`, `cancelled`.
    pub status: String,
    /// Open and past due.
    pub overdue: bool,
    /// How it ended (`satisfied`, `issue_found`, `unreachable`, `declined`, `done`, `cancelled`).
    pub outcome: Option<String>,
    /// What was said or found.
    pub outcome_note: Option<String>,
    /// When it was closed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A task a person makes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// What to do (1–200 characters).
    pub title: String,
    /// More detail.
    #[serde(default)]
    pub details: Option<String>,
    /// Ticket it is about (its customer and contact are taken from it).
    #[serde(default)]
    pub ticket_id: Option<Uuid>,
    /// Customer it is about.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// Who does it (default: the maker).
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

/// How a task ended.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDone {
    /// `satisfied`, `issue_found`, `unreachable`, `declined`, `done` or `cancelled`.
    pub outcome: String,
    /// What was said or found (required for `issue_found` and `cancelled`).
    #[serde(default)]
    pub note: Option<String>,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// `me` (default), `all`, `none` (unassigned) or a user id.
    #[serde(default)]
    pub assignee: Option<String>,
    /// `open` (default), `done`, `cancelled` or `all`.
    #[serde(default)]
    pub status: Option<String>,
    /// Only this ticket's tasks.
    #[serde(default)]
    pub ticket_id: Option<Uuid>,
    /// Only this customer's tasks.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<String>,
}

/// A task written by kefu itself, inside the caller's transaction.
#[derive(Debug, Clone)]
pub(crate) struct NewTaskRow {
    pub kind: TaskKind,
    pub title: String,
    pub details: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    /// Makes the task once per cause.
    pub dedupe_key: Option<String>,
    pub created_by: Option<Uuid>,
}

/// Writes a task, its `task_created` event on the ticket and a notice to the assignee; none when
/// a task with the same dedupe key exists.
pub(crate) async fn insert_task(
    db: &impl ConnectionTrait,
    row: NewTaskRow,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AppError> {
    let id = Uuid::now_v7();
    let inserted = task::Entity::insert(task::ActiveModel {
        id: Set(id),
        kind: Set(row.kind.as_str().into()),
        title: Set(row.title.clone()),
        details: Set(row.details.clone()),
        ticket_id: Set(row.ticket_id),
        customer_id: Set(row.customer_id),
        contact_id: Set(row.contact_id),
        assignee_id: Set(row.assignee_id),
        due_at: Set(row.due_at),
        status: Set("open".into()),
        outcome: Set(None),
        outcome_note: Set(None),
        dedupe_key: Set(row.dedupe_key.clone()),
        reminded_at: Set(None),
        created_by: Set(row.created_by),
        completed_by: Set(None),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([task::Column::DedupeKey])
    .exec_without_returning(db)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(None);
    }
    if let Some(t) = row.ticket_id {
        crate::tickets::events::append(
            db,
            t,
            "task_created",
            row.created_by,
            false,
            json!({"task_id": id, "kind": row.kind.as_str(), "title": row.title,
                "assignee_id": row.assignee_id, "due_at": row.due_at}),
            now,
        )
        .await?;
    }
    if let Some(u) = row.assignee_id
        && Some(u) != row.created_by
    {
        crate::notify::notify_user(
            db,
            u,
            "task_assigned",
            row.ticket_id,
            clip(&row.title, 140),
            now,
        )
        .await?;
    }
    Ok(Some(id))
}

/// Makes a task by hand.
pub async fn create_task(app: &App, actor: &Actor, req: NewTask) -> Result<TaskView, AppError> {
    require_staff(actor)?;
    require(actor, Permission::TicketUpdate)?;
    let mut errors = Vec::new();
    let title = req.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new("title", "invalid", "1 to 200 characters"));
    }
    let tx = app.store.begin().await?;
    let mut customer_id = req.customer_id;
    let mut contact_id = None;
    if let Some(tid) = req.ticket_id {
        match ticket::Entity::find_by_id(tid).one(&tx).await? {
            Some(t) => {
                customer_id = customer_id.or(t.customer_id);
                contact_id = t.contact_id;
            }
            None => errors.push(FieldError::new("ticket_id", "not_found", "no such ticket")),
        }
    }
    if let Some(c) = req.customer_id
        && customer::Entity::find_by_id(c).one(&tx).await?.is_none()
    {
        errors.push(FieldError::new(
            "customer_id",
            "not_found",
            "no such customer",
        ));
    }
    let assignee = req.assignee_id.unwrap_or(actor.user_id);
    let ok_assignee = user::Entity::find_by_id(assignee)
        .one(&tx)
        .await?
        .is_some_and(|u| u.active && u.role != "customer");
    if !ok_assignee {
        errors.push(FieldError::new(
            "assignee_id",
            "not_found",
            "no active staff member with this id",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let id = insert_task(
        &tx,
        NewTaskRow {
            kind: TaskKind::Manual,
            title,
            details: req.details.filter(|d| !d.trim().is_empty()),
            ticket_id: req.ticket_id,
            customer_id,
            contact_id,
            assignee_id: Some(assignee),
            due_at: req.due_at,
            dedupe_key: None,
            created_by: Some(actor.user_id),
        },
        now,
    )
    .await?
    .ok_or(AppError::NotFound("task"))?;
    let t = task::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("task"))?;
    let view = views(&tx, vec![t], now).await?.remove(0);
    tx.commit().await?;
    Ok(view)
}

/// Lists tasks, soonest due first (at most 500).
pub async fn list_tasks(app: &App, actor: &Actor, q: TaskQuery) -> Result<Vec<TaskView>, AppError> {
    require_staff(actor)?;
    let db = app.store.conn();
    let mut sel = task::Entity::find();
    match q.assignee.as_deref().unwrap_or("me") {
        "me" => sel = sel.filter(task::Column::AssigneeId.eq(actor.user_id)),
        "all" => {}
        "none" => sel = sel.filter(task::Column::AssigneeId.is_null()),
        other => {
            let id: Uuid = other.parse().map_err(|_| {
                AppError::invalid("assignee", "invalid", "me, all, none or a user id")
            })?;
            sel = sel.filter(task::Column::AssigneeId.eq(id));
        }
    }
    match q.status.as_deref().unwrap_or("open") {
        "all" => {}
        s @ ("open" | "done" | "cancelled") => sel = sel.filter(task::Column::Status.eq(s)),
        _ => {
            return Err(AppError::invalid(
                "status",
                "invalid",
                "open, done, cancelled or all",
            ));
        }
    }
    if let Some(t) = q.ticket_id {
        sel = sel.filter(task::Column::TicketId.eq(t));
    }
    if let Some(c) = q.customer_id {
        sel = sel.filter(task::Column::CustomerId.eq(c));
    }
    if let Some(k) = q.kind.as_deref() {
        if TaskKind::parse(k).is_none() {
            return Err(AppError::invalid(
                "kind",
                "invalid",
                "follow_up, low_score, trigger or manual",
            ));
        }
        sel = sel.filter(task::Column::Kind.eq(k));
    }
    let rows = sel
        .order_by_asc(task::Column::DueAt)
        .order_by_asc(task::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    views(db, rows, app.now()).await
}

/// Closes an open task with its outcome (the assignee, or anyone who may assign tickets); a
/// ticket's task leaves a `task_done` event in its history.
pub async fn complete_task(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: TaskDone,
) -> Result<TaskView, AppError> {
    require_staff(actor)?;
    let Some(outcome) = Outcome::parse(&req.outcome) else {
        return Err(AppError::invalid(
            "outcome",
            "invalid",
            "satisfied, issue_found, unreachable, declined, done or cancelled",
        ));
    };
    let note = req
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if outcome.needs_note() && note.is_none() {
        return Err(AppError::invalid(
            "note",
            "required",
            "say what the problem is, or why the task is cancelled",
        ));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 5000) {
        return Err(AppError::invalid(
            "note",
            "too_long",
            "at most 5000 characters",
        ));
    }
    let tx = app.store.begin().await?;
    let t = task::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("task"))?;
    if t.assignee_id != Some(actor.user_id) && !actor.has(Permission::TicketAssign) {
        return Err(AppError::Forbidden(
            "only the assignee or a supervisor closes this task".into(),
        ));
    }
    let now = app.now();
    let done = task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::val(outcome.status()))
        .col_expr(task::Column::Outcome, Expr::val(outcome.as_str()))
        .col_expr(task::Column::OutcomeNote, Expr::val(note.clone()))
        .col_expr(task::Column::CompletedBy, Expr::val(actor.user_id))
        .col_expr(task::Column::CompletedAt, Expr::val(now))
        .col_expr(task::Column::UpdatedAt, Expr::val(now))
        .filter(task::Column::Id.eq(id))
        .filter(task::Column::Status.eq("open"))
        .exec(&tx)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(AppError::Conflict {
            code: "task_closed",
            message: format!("the task is already {}", t.status),
        });
    }
    if let Some(ticket_id) = t.ticket_id {
        crate::tickets::events::append(
            &tx,
            ticket_id,
            "task_done",
            Some(actor.user_id),
            false,
            json!({"task_id": id, "kind": t.kind, "title": t.title,
                "outcome": outcome.as_str(), "note": note}),
            now,
        )
        .await?;
    }
    let saved = task::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("task"))?;
    let view = views(&tx, vec![saved], now).await?.remove(0);
    tx.commit().await?;
    Ok(view)
}

/// What a reminder pass did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TaskScan {
    /// Reminders sent.
    pub reminded: usize,
}

/// Tells each assignee once that their open task is due (worker job).
pub async fn remind_tasks(app: &App) -> Result<TaskScan, AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let due = task::Entity::find()
        .filter(task::Column::Status.eq("open"))
        .filter(task::Column::DueAt.lte(now))
        .filter(task::Column::RemindedAt.is_null())
        .order_by_asc(task::Column::DueAt)
        .limit(1000)
        .all(&tx)
        .await?;
    let mut scan = TaskScan::default();
    // The assignees in one query, not one per task.
    let people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(due.iter().filter_map(|t| t.assignee_id)))
        .all(&tx)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    for t in &due {
        if let Some(u) = t.assignee_id.and_then(|u| people.get(&u))
            && crate::notify::notify_loaded(
                &tx,
                u,
                "task_due",
                t.ticket_id,
                clip(&t.title, 140),
                now,
            )
            .await?
        {
            scan.reminded += 1;
        }
    }
    if !due.is_empty() {
        task::Entity::update_many()
            .col_expr(task::Column::RemindedAt, Expr::val(now))
            .filter(task::Column::Id.is_in(due.iter().map(|t| t.id)))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(scan)
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<task::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<TaskView>, AppError> {
    let ids = |f: fn(&task::Model) -> Option<Uuid>| -> Vec<Uuid> {
        rows.iter()
            .filter_map(f)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect()
    };
    let numbers = super::names_of(db, "ticket", ids(|t| t.ticket_id)).await?;
    let names = super::names_of(db, "customer", ids(|t| t.customer_id)).await?;
    let people = super::names_of(db, "agent", ids(|t| t.assignee_id)).await?;
    Ok(rows
        .into_iter()
        .map(|t| TaskView {
            overdue: t.status == "open" && t.due_at <= now,
            ticket_number: t.ticket_id.and_then(|i| numbers.get(&i).cloned()),
            customer_name: t.customer_id.and_then(|i| names.get(&i).cloned()),
            assignee_name: t.assignee_id.and_then(|i| people.get(&i).cloned()),
            id: t.id,
            kind: t.kind,
            title: t.title,
            details: t.details,
            ticket_id: t.ticket_id,
            customer_id: t.customer_id,
            contact_id: t.contact_id,
            assignee_id: t.assignee_id,
            due_at: t.due_at,
            status: t.status,
            outcome: t.outcome,
            outcome_note: t.outcome_note,
            completed_at: t.completed_at,
            created_at: t.created_at,
        })
        .collect())
}
