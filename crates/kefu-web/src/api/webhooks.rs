//! Outbound webhooks (admins): subscriptions, their delivery log, and redelivery.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::webhooks::{self, DeliveryView, WebhookInput, WebhookView};
use serde::Deserialize;
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Every subscription (secrets masked).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", responses((status = 200, body = Vec<WebhookView>)))]
pub async fn list_webhooks(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<WebhookView>>> {
    Ok(axum::Json(webhooks::list_webhooks(&s.app, &a).await?))
}

/// Adds a subscription. Events are POSTed as JSON `{id, event, created_at, data}` with headers
/// `X-Kefu-Event`, `X-Kefu-Delivery` and `X-Kefu-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">`; the secret is in this answer only. Any 2xx is success; otherwise kefu tries
/// again after 30 s, 1 min, 2 min, … (8 tries), keeping the events of one ticket in order.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookInput, responses((status = 201, body = WebhookView)))]
pub async fn create_webhook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<WebhookInput>,
) -> ApiResult<(StatusCode, axum::Json<WebhookView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(webhooks::create_webhook(&s.app, &a, b).await?),
    ))
}

/// Changes a subscription (`rotate_secret: true` answers with a new secret).
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), request_body = WebhookInput, responses((status = 200, body = WebhookView)))]
pub async fn update_webhook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<WebhookInput>,
) -> ApiResult<axum::Json<WebhookView>> {
    Ok(axum::Json(
        webhooks::update_webhook(&s.app, &a, id, b).await?,
    ))
}

/// Removes a subscription and its log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn delete_webhook(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    webhooks::delete_webhook(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delivery log filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
}

/// The subscription's deliveries, newest first (200 at most).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = Uuid, Path), DeliveryQuery), responses((status = 200, body = Vec<DeliveryView>)))]
pub async fn list_deliveries(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<DeliveryQuery>,
) -> ApiResult<axum::Json<Vec<DeliveryView>>> {
    Ok(axum::Json(
        webhooks::list_deliveries(&s.app, &a, id, q.status.as_deref()).await?,
    ))
}

/// Sends a delivery again (tries reset, due now).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", tag = "webhooks", params(("id" = Uuid, Path), ("delivery" = Uuid, Path)), responses((status = 200, body = DeliveryView)))]
pub async fn redeliver(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, delivery)): Path<(Uuid, Uuid)>,
) -> ApiResult<axum::Json<DeliveryView>> {
    Ok(axum::Json(
        webhooks::redeliver(&s.app, &a, id, delivery).await?,
    ))
}
