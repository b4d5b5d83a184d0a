//! Sending deliveries: due ones, oldest first, never ahead of an earlier undelivered event of
//! the same ticket (or other aggregate) for the same endpoint. A delivery is claimed with a
//! conditional update before the call (several workers never send it twice at once), the call
//! runs outside any transaction, and the answer is recorded: 2xx delivered, anything else a
//! retry after a growing pause, and after the last try `failed` (kept, and redeliverable).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::webhook::retry_delay;
use kefu_store::entity::{webhook, webhook_delivery};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, require};

/// How long a claimed delivery is left alone by other workers (longer than a call can take).
const LEASE: Duration = Duration::seconds(60);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Answered 2xx.
    pub delivered: usize,
    /// Failed and scheduled again.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// One delivery in the log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    /// Id (also sent as `X-Kefu-Delivery` and `id` in the body).
    pub id: Uuid,
    /// Event.
    pub topic: String,
    /// Ticket or other record it is about.
    pub aggregate_id: Option<Uuid>,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Tries so far.
    pub attempts: i32,
    /// Next try (pending).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last answer.
    pub last_status: Option<i32>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<webhook_delivery::Model> for DeliveryView {
    fn from(d: webhook_delivery::Model) -> Self {
        DeliveryView {
            id: d.id,
            topic: d.topic,
            aggregate_id: d.aggregate_id,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// Sends what is due now (up to `limit`).
pub async fn deliver_webhooks(app: &App, limit: u64) -> Result<DeliveryReport, AppError> {
    deliver_due(app, limit, app.now()).await
}

/// Sends what is due at `now` (up to `limit`); tests pass a later `now` to reach retries.
pub async fn deliver_due(
    app: &App,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, AppError> {
    let db = app.store.conn();
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut report = DeliveryReport::default();
    // The subscriptions of this batch, read once.
    let hook_ids: Vec<Uuid> = due.iter().map(|d| d.webhook_id).collect();
    let hooks: std::collections::HashMap<Uuid, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(hook_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    // Per endpoint and aggregate, only the oldest pending event may go.
    let mut blocked: HashSet<(Uuid, Option<Uuid>)> = HashSet::new();
    for d in due {
        let key = (d.webhook_id, d.aggregate_id);
        if blocked.contains(&key) {
            continue;
        }
        blocked.insert(key);
        if d.aggregate_id.is_some() {
            let earlier = webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::WebhookId.eq(d.webhook_id))
                .filter(webhook_delivery::Column::AggregateId.eq(d.aggregate_id))
                .filter(webhook_delivery::Column::Status.eq("pending"))
                .filter(webhook_delivery::Column::Id.lt(d.id))
                .one(db)
                .await?;
            if earlier.is_some() {
                continue;
            }
        }
        // Claim it: only one worker moves next_attempt_at from the value it read.
        let claimed = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                (now + LEASE).into(),
            )
            .filter(webhook_delivery::Column::Id.eq(d.id))
            .filter(webhook_delivery::Column::Status.eq("pending"))
            .filter(webhook_delivery::Column::NextAttemptAt.eq(d.next_attempt_at))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let Some(hook) = hooks.get(&d.webhook_id) else {
            continue;
        };
        let body = serde_json::json!({
            "id": d.id,
            "event": d.topic,
            "created_at": d.created_at,
            "data": d.payload,
        })
        .to_string();
        let result = send(hook, &d.topic, &d.id.to_string(), body, now).await;
        let attempts = d.attempts + 1;
        let (status, next, code, error, delivered_at) = match result {
            Ok(code) if (200..300).contains(&code) => {
                report.delivered += 1;
                ("delivered", now, Some(code), None, Some(now))
            }
            other => {
                let (code, error) = match other {
                    Ok(code) => (Some(code), format!("HTTP {code}")),
                    Err(e) => (None, e),
                };
                match retry_delay(attempts) {
                    Some(wait) => {
                        report.retrying += 1;
                        ("pending", now + wait, code, Some(error), None)
                    }
                    None => {
                        report.failed += 1;
                        ("failed", now, code, Some(error), None)
                    }
                }
            }
        };
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, status.into())
            .col_expr(webhook_delivery::Column::Attempts, attempts.into())
            .col_expr(webhook_delivery::Column::NextAttemptAt, next.into())
            .col_expr(
                webhook_delivery::Column::LastStatus,
                code.map(i32::from).into(),
            )
            .col_expr(webhook_delivery::Column::LastError, error.into())
            .col_expr(webhook_delivery::Column::DeliveredAt, delivered_at.into())
            .filter(webhook_delivery::Column::Id.eq(d.id))
            .exec(db)
            .await?;
    }
    Ok(report)
}

/// POSTs one delivery; the HTTP status, or why there was none (never the URL: it may hold
/// a key).
async fn send(
    hook: &webhook::Model,
    topic: &str,
    delivery_id: &str,
    body: String,
    now: DateTime<Utc>,
) -> Result<u16, String> {
    let mut req = crate::http::client().post(&hook.url);
    for (k, v) in kefu_channels::webhook::headers(
        hook.secret.as_bytes(),
        topic,
        delivery_id,
        body.as_bytes(),
        now.timestamp(),
    ) {
        req = req.header(k, v);
    }
    match req.body(body).send().await {
        Ok(res) => Ok(res.status().as_u16()),
        Err(e) => Err(crate::http::failure(&e).to_owned()),
    }
}

/// A subscription's deliveries, newest first (admins).
pub async fn list_deliveries(
    app: &App,
    actor: &Actor,
    webhook_id: Uuid,
    status: Option<&str>,
) -> Result<Vec<DeliveryView>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut q = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id);
    if let Some(s) = status {
        q = q.filter(webhook_delivery::Column::Status.eq(s));
    }
    Ok(q.limit(200)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(DeliveryView::from)
        .collect())
}

/// Sends a delivery again from the start (admins): pending, tries reset, due now.
pub async fn redeliver(
    app: &App,
    actor: &Actor,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<DeliveryView, AppError> {
    require(actor, Permission::ConfigManage)?;
    let db = app.store.conn();
    let r = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, "pending".into())
        .col_expr(webhook_delivery::Column::Attempts, 0.into())
        .col_expr(webhook_delivery::Column::NextAttemptAt, app.now().into())
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .exec(db)
        .await?;
    if r.rows_affected != 1 {
        return Err(AppError::NotFound("delivery"));
    }
    webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        .map(DeliveryView::from)
        .ok_or(AppError::NotFound("delivery"))
}
