//! In-app notifications for staff: written by the dispatcher, listed and marked read by their
//! owner.

use chrono::{DateTime, Utc};
use kefu_domain::access::Actor;
use kefu_store::entity::{notification, ticket, ticket_event};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

use super::dispatch::Batch;
use super::text::{clip, headline, timer_name};
use crate::{App, AppError};

/// One notification as shown to its owner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    /// Id (time-ordered).
    pub id: Uuid,
    /// `assigned`, `customer_reply`, `sla_warning`, `sla_breached`, `sla_escalated`,
    /// `mail_failed`.
    pub kind: String,
    /// The ticket it is about.
    pub ticket_id: Option<Uuid>,
    /// Headline.
    pub title: String,
    /// Detail.
    pub body: String,
    /// When it was read; none while unread.
    pub read_at: Option<DateTime<Utc>>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<notification::Model> for NotificationView {
    fn from(n: notification::Model) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind,
            ticket_id: n.ticket_id,
            title: n.title,
            body: n.body,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

/// Writes one notification for `user_id` (an active staff member); false otherwise.
pub(crate) async fn notify(
    tx: &kefu_store::Tx,
    b: &Batch,
    user_id: Uuid,
    kind: &'static str,
    ev: &ticket_event::Model,
    t: &ticket::Model,
) -> Result<bool, AppError> {
    let Some(u) = b
        .users
        .get(&user_id)
        .filter(|u| u.active && u.role != "customer")
    else {
        return Ok(false);
    };
    let en = u.locale.starts_with("en");
    let detail = match kind {
        "customer_reply" => ev
            .data
            .get("body")
            .and_then(|v| v.as_str())
            .map(|s| clip(s.trim(), 140))
            .unwrap_or_default(),
        "sla_warning" | "sla_breached" | "sla_escalated" => timer_name(
            ev.data.get("timer").and_then(|v| v.as_str()).unwrap_or(""),
            en,
        )
        .to_owned(),
        "approval_reminder" => ev
            .data
            .get("step")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned(),
        "quote_decided" => format!(
            "{} {}",
            ev.data.get("number").and_then(|v| v.as_str()).unwrap_or(""),
            match (ev.kind.as_str(), en) {
                ("quote_accepted", false) => "已同意",
                ("quote_accepted", true) => "accepted",
                (_, false) => "已拒绝",
                (_, true) => "declined",
            }
        ),
        "parts_arrived" => format!(
            "{} {} × {}",
            ev.data
                .get("part_code")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
            ev.data
                .get("part_name")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
            ev.data
                .get("quantity")
                .and_then(|v| v.as_i64())
                .unwrap_or(0)
        ),
        "mail_failed" => ev
            .data
            .get("reason")
            .and_then(|v| v.as_str())
            .map(|s| clip(s, 140))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut body = format!("{} · {}", t.number, clip(&t.subject, 80));
    if !detail.is_empty() {
        body.push('\n');
        body.push_str(&detail);
    }
    write(tx, u, kind, Some(t.id), body, b.now).await
}

/// Inserts one notification for `u` (an active staff member; false otherwise), headline in
/// their language.
pub(crate) async fn write(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    u: &kefu_store::entity::user::Model,
    kind: &'static str,
    ticket_id: Option<Uuid>,
    body: String,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if !u.active || u.role == "customer" {
        return Ok(false);
    }
    notification::Entity::insert(notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(u.id),
        kind: Set(kind.to_owned()),
        ticket_id: Set(ticket_id),
        title: Set(headline(kind, u.locale.starts_with("en")).to_owned()),
        body: Set(body),
        read_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// Writes one notification for `user_id` outside the event dispatcher (tasks, survey answers):
/// the headline of `kind` in the user's language and `body`; false when the user is not an
/// active staff member.
pub(crate) async fn notify_user(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    user_id: Uuid,
    kind: &'static str,
    ticket_id: Option<Uuid>,
    body: String,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    match kefu_store::entity::user::Entity::find_by_id(user_id)
        .one(db)
        .await?
    {
        Some(u) => write(db, &u, kind, ticket_id, body, now).await,
        None => Ok(false),
    }
}

/// The actor's newest notifications, newest first (before `before`, for paging).
pub async fn list_notifications(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<NotificationView>, AppError> {
    let mut q = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .order_by_desc(notification::Column::Id)
        .limit(limit.clamp(1, 200));
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(b) = before {
        q = q.filter(notification::Column::Id.lt(b));
    }
    Ok(q.all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// How many unread notifications the actor has.
pub async fn unread_count(app: &App, actor: &Actor) -> Result<u64, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(app.store.conn())
        .await?)
}

/// Marks the actor's notifications read: the given ones, or all when `ids` is none. Returns
/// how many changed. Others' notifications are never touched.
pub async fn mark_read(app: &App, actor: &Actor, ids: Option<&[Uuid]>) -> Result<u64, AppError> {
    let now = app.now();
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::val(now))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        q = q.filter(notification::Column::Id.is_in(ids.to_vec()));
    }
    Ok(q.exec(app.store.conn()).await?.rows_affected)
}
