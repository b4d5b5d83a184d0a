//! Users and the admin audit log.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::audit::AuditView;
use kefu_app::users::{NewUser, UserPatch, UserView};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, body = UserView), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<UserView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::users::create_user(&s.app, Some(&a), req).await?),
    ))
}

/// Lists users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserView>)))]
pub async fn list_users(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<UserView>>> {
    Ok(axum::Json(kefu_app::users::list_users(&s.app, &a).await?))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), responses((status = 200, body = UserView)))]
pub async fn get_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<UserView>> {
    Ok(axum::Json(kefu_app::users::get_user(&s.app, &a, id).await?))
}

/// Changes a user.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UserPatch, responses((status = 200, body = UserView)))]
pub async fn update_user(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<UserPatch>,
) -> ApiResult<axum::Json<UserView>> {
    Ok(axum::Json(
        kefu_app::users::update_user(&s.app, &a, id, req).await?,
    ))
}

/// The admin audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "users", responses((status = 200, body = Vec<AuditView>)))]
pub async fn list_audit(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<AuditView>>> {
    Ok(axum::Json(kefu_app::audit::list(&s.app, &a, 200).await?))
}
