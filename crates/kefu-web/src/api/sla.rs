//! SLA policies and business calendars.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::sla::{CalendarInput, CalendarView, PolicyInput, PolicyView};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// Lists calendars.
#[utoipa::path(get, path = "/api/v1/calendars", tag = "sla", responses((status = 200, body = Vec<CalendarView>)))]
pub async fn list_calendars(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<CalendarView>>> {
    Ok(axum::Json(kefu_app::sla::list_calendars(&s.app, &a).await?))
}

/// Creates a calendar.
#[utoipa::path(post, path = "/api/v1/calendars", tag = "sla", request_body = CalendarInput, responses((status = 201, body = CalendarView)))]
pub async fn create_calendar(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<CalendarInput>,
) -> ApiResult<(StatusCode, axum::Json<CalendarView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::sla::save_calendar(&s.app, Some(&a), None, req).await?),
    ))
}

/// Replaces a calendar.
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "sla", params(("id" = Uuid, Path)), request_body = CalendarInput, responses((status = 200, body = CalendarView)))]
pub async fn update_calendar(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<CalendarInput>,
) -> ApiResult<axum::Json<CalendarView>> {
    Ok(axum::Json(
        kefu_app::sla::save_calendar(&s.app, Some(&a), Some(id), req).await?,
    ))
}

/// Lists SLA policies.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "sla", responses((status = 200, body = Vec<PolicyView>)))]
pub async fn list_policies(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<PolicyView>>> {
    Ok(axum::Json(kefu_app::sla::list_policies(&s.app, &a).await?))
}

/// Creates an SLA policy.
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "sla", request_body = PolicyInput, responses((status = 201, body = PolicyView)))]
pub async fn create_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<PolicyInput>,
) -> ApiResult<(StatusCode, axum::Json<PolicyView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::sla::save_policy(&s.app, Some(&a), None, req).await?),
    ))
}

/// Replaces an SLA policy.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "sla", params(("id" = Uuid, Path)), request_body = PolicyInput, responses((status = 200, body = PolicyView)))]
pub async fn update_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<PolicyInput>,
) -> ApiResult<axum::Json<PolicyView>> {
    Ok(axum::Json(
        kefu_app::sla::save_policy(&s.app, Some(&a), Some(id), req).await?,
    ))
}
