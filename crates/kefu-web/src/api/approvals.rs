//! Approvals: the rules (which transitions need whose sign-off), the pending queue of the
//! caller, and decisions.

use axum::extract::State;
use kefu_app::tickets::{ApprovalView, Decision};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiResult, json_value};
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// The approval rules: `[{step, kind, to, approver_role, amount_field, min_amount}]`.
#[utoipa::path(get, path = "/api/v1/approval-rules", tag = "approvals", responses((status = 200, body = Object)))]
pub async fn get_rules(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::tickets::approval_rules(&s.app, &a).await?)
}

/// Replaces the approval rules.
#[utoipa::path(put, path = "/api/v1/approval-rules", tag = "approvals", request_body = Object, responses((status = 200, body = Object)))]
pub async fn put_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(rules): Json<Vec<kefu_domain::ticket::ApprovalRule>>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::tickets::save_approval_rules(&s.app, &a, rules).await?)
}

/// Pending approvals the caller may decide, oldest first.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals", responses((status = 200, body = Vec<ApprovalView>)))]
pub async fn list_pending(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<ApprovalView>>> {
    Ok(axum::Json(
        kefu_app::tickets::pending_approvals(&s.app, &a).await?,
    ))
}

/// Approves or rejects (a comment is required to reject).
#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals", params(("id" = Uuid, Path)), request_body = Decision, responses((status = 200, body = ApprovalView)))]
pub async fn decide(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(d): Json<Decision>,
) -> ApiResult<axum::Json<ApprovalView>> {
    Ok(axum::Json(
        kefu_app::tickets::decide_approval(&s.app, &a, id, d).await?,
    ))
}
