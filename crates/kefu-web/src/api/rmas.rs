//! Returns and exchanges (RMA) on return/exchange tickets.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::rma::{self, RmaAction, RmaInput, RmaView};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// Issues an RMA number for the ticket (staff; ticket type `return_exchange`). Approval rules
/// with target `rma` must be signed off first: until then the answer is 422
/// `approval_required` and the requests are in the approvals queue.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rmas", tag = "rma", params(("id" = Uuid, Path)), request_body = RmaInput, responses((status = 201, body = RmaView), (status = 422, body = crate::error::Problem)))]
pub async fn issue(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<RmaInput>,
) -> ApiResult<(StatusCode, axum::Json<RmaView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(rma::issue_rma(&s.app, &a, id, b).await?),
    ))
}

/// The ticket's RMAs (the customer sees their own).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/rmas", tag = "rma", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<RmaView>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<RmaView>>> {
    Ok(axum::Json(rma::ticket_rmas(&s.app, &a, id).await?))
}

/// Records a step: `{"step": "receive"}`, `{"step": "inspect", "restock": true,
/// "warehouse_id": …, "note": …}`, `{"step": "ship", "serial_number": …, "tracking": …}`.
#[utoipa::path(post, path = "/api/v1/rmas/{id}/steps", tag = "rma", params(("id" = Uuid, Path)), request_body = RmaAction, responses((status = 200, body = RmaView), (status = 422, body = crate::error::Problem)))]
pub async fn step(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<RmaAction>,
) -> ApiResult<axum::Json<RmaView>> {
    Ok(axum::Json(rma::rma_step(&s.app, &a, id, b).await?))
}
