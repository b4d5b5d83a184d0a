//! Zero-code configuration over the API: teams, ticket types, the status workflow, the
//! role × permission matrix, holiday import; plus queue counts and the intake lookup.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::config::holidays::HolidayImport;
use kefu_app::config::roles::RoleRow;
use kefu_app::config::teams::{TeamInput, TeamView};
use kefu_app::config::ticket_types::TicketTypeInput;
use kefu_app::customers::LookupHit;
use kefu_app::tickets::{QueueCount, TicketTypeView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiResult, json_value};
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Lists teams with their members.
#[utoipa::path(get, path = "/api/v1/teams", tag = "config", responses((status = 200, body = Vec<TeamView>)))]
pub async fn list_teams(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<TeamView>>> {
    Ok(axum::Json(
        kefu_app::config::teams::list_teams(&s.app, &a).await?,
    ))
}

/// Creates a team.
#[utoipa::path(post, path = "/api/v1/teams", tag = "config", request_body = TeamInput, responses((status = 201, body = TeamView)))]
pub async fn create_team(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<TeamInput>,
) -> ApiResult<(StatusCode, axum::Json<TeamView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::config::teams::save_team(&s.app, &a, None, req).await?),
    ))
}

/// Renames a team and replaces its members.
#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "config", params(("id" = Uuid, Path)), request_body = TeamInput, responses((status = 200, body = TeamView)))]
pub async fn update_team(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<TeamInput>,
) -> ApiResult<axum::Json<TeamView>> {
    Ok(axum::Json(
        kefu_app::config::teams::save_team(&s.app, &a, Some(id), req).await?,
    ))
}

/// Creates or replaces a ticket type and its form.
#[utoipa::path(put, path = "/api/v1/ticket-types", tag = "config", request_body = TicketTypeInput, responses((status = 200, body = TicketTypeView)))]
pub async fn save_ticket_type(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<TicketTypeInput>,
) -> ApiResult<axum::Json<TicketTypeView>> {
    Ok(axum::Json(
        kefu_app::config::ticket_types::save_ticket_type(&s.app, &a, req).await?,
    ))
}

/// The status workflow in force: `statuses` (key, name_zh, name_en, category) and
/// `transitions` (from, to, requires).
#[utoipa::path(get, path = "/api/v1/workflow", tag = "config", responses((status = 200, body = Object)))]
pub async fn get_workflow(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Value>> {
    if !a.role.is_staff() {
        return Err(kefu_app::AppError::Forbidden("staff only".into()).into());
    }
    json_value(&kefu_app::tickets::workflow_in_force(&s.app).await?)
}

/// Replaces the status workflow.
#[utoipa::path(put, path = "/api/v1/workflow", tag = "config", request_body = Object, responses((status = 200, body = Object)))]
pub async fn put_workflow(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(wf): Json<kefu_domain::ticket::Workflow>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::config::workflow::save_workflow(&s.app, &a, wf).await?)
}

/// Roles with their permissions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionMatrix {
    /// One row per role.
    pub roles: Vec<RoleRow>,
    /// Every permission code.
    pub permissions: Vec<&'static str>,
}

/// The role × permission matrix.
#[utoipa::path(get, path = "/api/v1/roles", tag = "config", responses((status = 200, body = PermissionMatrix)))]
pub async fn get_roles(Auth(a): Auth) -> ApiResult<axum::Json<PermissionMatrix>> {
    if !a.role.is_staff() {
        return Err(kefu_app::AppError::Forbidden("staff only".into()).into());
    }
    let (roles, permissions) = kefu_app::config::roles::permission_matrix();
    Ok(axum::Json(PermissionMatrix { roles, permissions }))
}

/// Which year to import.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportYear {
    /// A year covered by the shipped holiday file.
    pub year: i32,
}

/// Replaces a year's holidays and make-up working days in a calendar with the shipped ones.
#[utoipa::path(post, path = "/api/v1/calendars/{id}/import-holidays", tag = "sla", params(("id" = Uuid, Path)), request_body = ImportYear, responses((status = 200, body = HolidayImport)))]
pub async fn import_holidays(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<ImportYear>,
) -> ApiResult<axum::Json<HolidayImport>> {
    Ok(axum::Json(
        kefu_app::config::holidays::import_cn_holidays(&s.app, &a, id, req.year).await?,
    ))
}

/// Ticket counts of every named queue for the caller.
#[utoipa::path(get, path = "/api/v1/tickets/queues", tag = "tickets", responses((status = 200, body = Vec<QueueCount>)))]
pub async fn queue_counts(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<QueueCount>>> {
    Ok(axum::Json(
        kefu_app::tickets::queue_counts(&s.app, &a).await?,
    ))
}

/// Lookup text.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// Name, code, phone, email or serial number fragment.
    pub q: String,
}

/// Customers, contacts and assets matching a fragment (intake search-as-you-type).
#[utoipa::path(get, path = "/api/v1/lookup", tag = "customers", params(LookupQuery), responses((status = 200, body = Vec<LookupHit>)))]
pub async fn lookup(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<LookupQuery>,
) -> ApiResult<axum::Json<Vec<LookupHit>>> {
    Ok(axum::Json(
        kefu_app::customers::lookup(&s.app, &a, &q.q, 10).await?,
    ))
}
