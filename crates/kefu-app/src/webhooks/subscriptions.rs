//! Webhook subscriptions: endpoint, events, secret (generated, shown in full once), active.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::webhook::valid_pattern;
use kefu_store::entity::webhook;
use kefu_store::sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError, FieldError, audit, require};

/// A subscription as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// Event patterns (`ticket.*`, `purchase_request.*`, `ticket.status_changed`, `*`).
    pub events: Vec<String>,
    /// Sends events.
    pub active: bool,
    /// The signing secret: in full only in the answer that created or rotated it, else its
    /// last four characters.
    pub secret: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// A subscription to create or change.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    /// Name.
    pub name: String,
    /// Endpoint (`https://…`; `http://` to loopback only where allowed).
    pub url: String,
    /// Event patterns.
    pub events: Vec<String>,
    /// Sends events (default true).
    #[serde(default)]
    pub active: Option<bool>,
    /// Make a new secret (update only).
    #[serde(default)]
    pub rotate_secret: bool,
}

fn masked(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

fn view(w: webhook::Model, show_secret: bool) -> WebhookView {
    WebhookView {
        id: w.id,
        name: w.name,
        url: w.url,
        events: serde_json::from_value(w.events).unwrap_or_default(),
        active: w.active,
        secret: if show_secret {
            w.secret
        } else {
            masked(&w.secret)
        },
        created_at: w.created_at,
    }
}

fn check(app: &App, w: &WebhookInput) -> Result<(String, Vec<String>), AppError> {
    let mut errors = Vec::new();
    let name = w.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if let Err(msg) =
        kefu_channels::webhook::validate_endpoint(&w.url, app.settings.allow_loopback_webhooks)
    {
        errors.push(FieldError::new("url", "invalid", msg));
    }
    let mut events: Vec<String> = Vec::new();
    for (i, e) in w.events.iter().enumerate() {
        let e = e.trim().to_owned();
        if !valid_pattern(&e) {
            errors.push(FieldError::new(
                format!("events[{i}]"),
                "invalid",
                "`family.*`, `family.event` or `*`",
            ));
        } else if !events.contains(&e) {
            events.push(e);
        }
    }
    if events.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("events", "required", "at least one event"));
    }
    if errors.is_empty() {
        Ok((name, events))
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn new_secret() -> String {
    format!("whsec_{}", crate::auth::random_token(32))
}

/// Adds a subscription (admins); the answer carries the secret in full, once.
pub async fn create_webhook(
    app: &App,
    actor: &Actor,
    w: WebhookInput,
) -> Result<WebhookView, AppError> {
    require(actor, Permission::ConfigManage)?;
    let (name, events) = check(app, &w)?;
    let now = app.now();
    let m = webhook::Model {
        id: Uuid::now_v7(),
        name,
        url: w.url.trim().to_owned(),
        secret: new_secret(),
        events: serde_json::json!(events),
        active: w.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    let tx = app.store.begin().await?;
    webhook::Entity::insert(webhook::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "webhook.create",
        "webhook",
        Some(m.id.to_string()),
        serde_json::json!({"url": m.url, "events": events}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(view(m, true))
}

/// Every subscription (admins), secrets masked.
pub async fn list_webhooks(app: &App, actor: &Actor) -> Result<Vec<WebhookView>, AppError> {
    require(actor, Permission::ConfigManage)?;
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|w| view(w, false))
        .collect())
}

/// Changes a subscription (admins); with `rotate_secret` the answer carries the new secret.
pub async fn update_webhook(
    app: &App,
    actor: &Actor,
    id: Uuid,
    w: WebhookInput,
) -> Result<WebhookView, AppError> {
    require(actor, Permission::ConfigManage)?;
    let (name, events) = check(app, &w)?;
    let tx = app.store.begin().await?;
    let old = webhook::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("webhook"))?;
    let now = app.now();
    let mut am: webhook::ActiveModel = old.into();
    am.name = Set(name);
    am.url = Set(w.url.trim().to_owned());
    am.events = Set(serde_json::json!(events));
    if let Some(a) = w.active {
        am.active = Set(a);
    }
    if w.rotate_secret {
        am.secret = Set(new_secret());
    }
    am.updated_at = Set(now);
    let saved = webhook::Entity::update(am).exec(&tx).await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "webhook.update",
        "webhook",
        Some(id.to_string()),
        serde_json::json!({"events": events, "rotated": w.rotate_secret}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(view(saved, w.rotate_secret))
}

/// Removes a subscription and its delivery log (admins).
pub async fn delete_webhook(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    require(actor, Permission::ConfigManage)?;
    let r = webhook::Entity::delete_by_id(id)
        .exec(app.store.conn())
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::NotFound("webhook"));
    }
    Ok(())
}
