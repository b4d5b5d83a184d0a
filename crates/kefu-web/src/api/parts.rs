//! Spare parts: the catalogue and warehouses, stock levels, receipts, parts on tickets
//! (reserve, consume, release) and purchase requests.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::parts::{
    self, PartInput, PartLineView, PartView, PurchaseRequestView, ReceiveInput, ReceiveOutcome,
    ReserveInput, ReserveOutcome, StockView, WarehouseInput, WarehouseView,
};
use serde::Deserialize;
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Every part with its stock over all warehouses (staff).
#[utoipa::path(get, path = "/api/v1/parts", tag = "parts", responses((status = 200, body = Vec<PartView>)))]
pub async fn list_parts(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<PartView>>> {
    Ok(axum::Json(parts::list_parts(&s.app, &a, None).await?))
}

/// Adds a part (`parts.manage`); the code and the ERP id are unique (409 `duplicate`).
#[utoipa::path(post, path = "/api/v1/parts", tag = "parts", request_body = PartInput, responses((status = 201, body = PartView), (status = 409, description = "code or external id taken")))]
pub async fn create_part(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<PartInput>,
) -> ApiResult<(StatusCode, axum::Json<PartView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(parts::create_part(&s.app, &a, b).await?),
    ))
}

/// Every warehouse (staff).
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "parts", responses((status = 200, body = Vec<WarehouseView>)))]
pub async fn list_warehouses(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<WarehouseView>>> {
    Ok(axum::Json(parts::list_warehouses(&s.app, &a).await?))
}

/// Adds a warehouse: a central store or an engineer's van (`parts.manage`).
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "parts", request_body = WarehouseInput, responses((status = 201, body = WarehouseView)))]
pub async fn create_warehouse(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<WarehouseInput>,
) -> ApiResult<(StatusCode, axum::Json<WarehouseView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(parts::create_warehouse(&s.app, &a, b).await?),
    ))
}

/// Stock filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StockQuery {
    /// One part.
    pub part_id: Option<Uuid>,
    /// One warehouse.
    pub warehouse_id: Option<Uuid>,
}

/// Stock per part and warehouse: on hand, reserved, available (staff).
#[utoipa::path(get, path = "/api/v1/stock", tag = "parts", params(StockQuery), responses((status = 200, body = Vec<StockView>)))]
pub async fn stock(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<StockQuery>,
) -> ApiResult<axum::Json<Vec<StockView>>> {
    Ok(axum::Json(
        parts::stock_levels(&s.app, &a, q.part_id, q.warehouse_id).await?,
    ))
}

/// Books received stock (`parts.manage`): credits the purchase request and allocates the
/// units to waiting tickets (priority, then resolution due time, then waiting time).
#[utoipa::path(post, path = "/api/v1/stock/receipts", tag = "parts", request_body = ReceiveInput, responses((status = 201, body = ReceiveOutcome)))]
pub async fn receive(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<ReceiveInput>,
) -> ApiResult<(StatusCode, axum::Json<ReceiveOutcome>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(parts::receive_stock(&s.app, &a, b).await?),
    ))
}

/// The parts on a ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/parts", tag = "parts", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<PartLineView>)))]
pub async fn ticket_parts(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<PartLineView>>> {
    Ok(axum::Json(parts::ticket_part_lines(&s.app, &a, id).await?))
}

/// Reserves a part for the ticket (staff). What stock cannot cover waits on a purchase
/// request (raised or extended) and the ticket moves to pending parts.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/parts", tag = "parts", params(("id" = Uuid, Path)), request_body = ReserveInput, responses((status = 201, body = ReserveOutcome)))]
pub async fn reserve(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<ReserveInput>,
) -> ApiResult<(StatusCode, axum::Json<ReserveOutcome>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(parts::reserve_for_ticket(&s.app, &a, id, b).await?),
    ))
}

/// Uses a reserved line on the job: its units leave the warehouse.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/parts/{line}/consume", tag = "parts", params(("id" = Uuid, Path), ("line" = Uuid, Path)), responses((status = 200, body = PartLineView), (status = 422, description = "the line is waiting or closed")))]
pub async fn consume(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, line)): Path<(Uuid, Uuid)>,
) -> ApiResult<axum::Json<PartLineView>> {
    Ok(axum::Json(parts::consume_line(&s.app, &a, id, line).await?))
}

/// Gives a reserved line back to stock, or withdraws a waiting one.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/parts/{line}/release", tag = "parts", params(("id" = Uuid, Path), ("line" = Uuid, Path)), responses((status = 200, body = PartLineView)))]
pub async fn release(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, line)): Path<(Uuid, Uuid)>,
) -> ApiResult<axum::Json<PartLineView>> {
    Ok(axum::Json(parts::release_line(&s.app, &a, id, line).await?))
}

/// Purchase request filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PurchaseQuery {
    /// `open`, `ordered`, `received` or `cancelled`.
    pub status: Option<String>,
}

/// Purchase requests, newest first, with the tickets waiting for them (staff).
#[utoipa::path(get, path = "/api/v1/purchase-requests", tag = "parts", params(PurchaseQuery), responses((status = 200, body = Vec<PurchaseRequestView>)))]
pub async fn list_purchase_requests(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<PurchaseQuery>,
) -> ApiResult<axum::Json<Vec<PurchaseRequestView>>> {
    Ok(axum::Json(
        parts::list_purchase_requests(&s.app, &a, q.status.as_deref()).await?,
    ))
}

/// A purchase request's new status.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PurchaseStatusInput {
    /// `ordered` or `cancelled`.
    pub status: String,
    /// The order's id in the ERP.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// Marks a purchase request ordered (with the ERP's order id) or cancelled (`parts.manage`).
#[utoipa::path(post, path = "/api/v1/purchase-requests/{id}/status", tag = "parts", params(("id" = Uuid, Path)), request_body = PurchaseStatusInput, responses((status = 200, body = PurchaseRequestView)))]
pub async fn set_purchase_status(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<PurchaseStatusInput>,
) -> ApiResult<axum::Json<PurchaseRequestView>> {
    Ok(axum::Json(
        parts::set_purchase_status(&s.app, &a, id, &b.status, b.external_id).await?,
    ))
}
