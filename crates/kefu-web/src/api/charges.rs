//! Service charges: the price list and charge rules, charge lines on tickets, quotations the
//! customer decides on, and finance exports (a batch takes each line once).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::charges::{
    self, ChargeInput, ChargeView, ExportView, PriceItemInput, PriceItemView, QuoteDecision,
    QuoteInput, QuoteView, TicketCharges, UnexportedSummary,
};
use kefu_domain::charges::ChargeRules;
use serde::Deserialize;
use uuid::Uuid;

use super::exports::FormatQuery;
use super::{ApiResult, file_response, json_value};
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Whether inactive entries are listed too.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PriceListQuery {
    /// Include entries no longer offered.
    #[serde(default)]
    pub all: bool,
}

/// The price list by code (staff).
#[utoipa::path(get, path = "/api/v1/price-items", tag = "charges", params(PriceListQuery), responses((status = 200, body = Vec<PriceItemView>)))]
pub async fn list_price_items(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<PriceListQuery>,
) -> ApiResult<axum::Json<Vec<PriceItemView>>> {
    Ok(axum::Json(
        charges::list_price_items(&s.app, &a, q.all).await?,
    ))
}

/// Adds a price-list entry, or updates the one with the same `external_id` (the ERP's upsert)
/// (`charges.manage`).
#[utoipa::path(post, path = "/api/v1/price-items", tag = "charges", request_body = PriceItemInput, responses((status = 200, body = PriceItemView), (status = 422, body = crate::error::Problem)))]
pub async fn save_price_item(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<PriceItemInput>,
) -> ApiResult<axum::Json<PriceItemView>> {
    Ok(axum::Json(
        charges::save_price_item(&s.app, &a, None, b).await?,
    ))
}

/// Changes a price-list entry (`charges.manage`); lines already charged keep their price.
#[utoipa::path(put, path = "/api/v1/price-items/{id}", tag = "charges", params(("id" = Uuid, Path)), request_body = PriceItemInput, responses((status = 200, body = PriceItemView), (status = 404, body = crate::error::Problem)))]
pub async fn update_price_item(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<PriceItemInput>,
) -> ApiResult<axum::Json<PriceItemView>> {
    Ok(axum::Json(
        charges::save_price_item(&s.app, &a, Some(id), b).await?,
    ))
}

/// Which charge kinds warranty and contract cover: `{"warranty": ["labour", …],
/// "contract": […]}` (staff).
#[utoipa::path(get, path = "/api/v1/charge-rules", tag = "charges", responses((status = 200, body = Object)))]
pub async fn get_charge_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<serde_json::Value>> {
    json_value(&charges::charge_rules(&s.app, &a).await?)
}

/// Replaces the charge rules (`charges.manage`); lines already charged keep their coverage.
#[utoipa::path(put, path = "/api/v1/charge-rules", tag = "charges", request_body = Object, responses((status = 200, body = Object)))]
pub async fn put_charge_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<ChargeRules>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    json_value(&charges::save_charge_rules(&s.app, &a, b).await?)
}

/// The ticket's charges, its equipment's entitlement on the service date, totals and
/// quotations (staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/charges", tag = "charges", params(("id" = Uuid, Path)), responses((status = 200, body = TicketCharges)))]
pub async fn ticket_charges(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<TicketCharges>> {
    Ok(axum::Json(charges::ticket_charges(&s.app, &a, id).await?))
}

/// Adds a charge line (staff): a price-list entry or a part at its price; a price by hand
/// or a waiver needs `charges.manage`. Coverage follows the charge rules.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/charges", tag = "charges", params(("id" = Uuid, Path)), request_body = ChargeInput, responses((status = 201, body = ChargeView), (status = 422, body = crate::error::Problem)))]
pub async fn add_charge(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<ChargeInput>,
) -> ApiResult<(StatusCode, axum::Json<ChargeView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(charges::add_charge(&s.app, &a, id, b).await?),
    ))
}

/// Removes a line finance has not exported (409 `exported` otherwise).
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/charges/{charge}", tag = "charges", params(("id" = Uuid, Path), ("charge" = Uuid, Path)), responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn remove_charge(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, charge)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    charges::remove_charge(&s.app, &a, id, charge).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The ticket's quotations, newest first (the customer sees their own).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/quotes", tag = "charges", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<QuoteView>)))]
pub async fn list_quotes(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<QuoteView>>> {
    Ok(axum::Json(charges::ticket_quotes(&s.app, &a, id).await?))
}

/// Sends a quotation of the current lines to the customer (staff); a live one is superseded.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/quotes", tag = "charges", params(("id" = Uuid, Path)), request_body = QuoteInput, responses((status = 201, body = QuoteView), (status = 422, body = crate::error::Problem)))]
pub async fn send_quote(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<QuoteInput>,
) -> ApiResult<(StatusCode, axum::Json<QuoteView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(charges::send_quote(&s.app, &a, id, b).await?),
    ))
}

/// The customer accepts or declines a waiting quotation (409 `quote_closed` when it was
/// decided or superseded).
#[utoipa::path(post, path = "/api/v1/quotes/{id}/decision", tag = "charges", params(("id" = Uuid, Path)), request_body = QuoteDecision, responses((status = 200, body = QuoteView), (status = 409, body = crate::error::Problem)))]
pub async fn decide_quote(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<QuoteDecision>,
) -> ApiResult<axum::Json<QuoteView>> {
    Ok(axum::Json(charges::decide_quote(&s.app, &a, id, b).await?))
}

/// What the next finance export would take (`finance.read`).
#[utoipa::path(get, path = "/api/v1/charges/unexported", tag = "charges", responses((status = 200, body = UnexportedSummary)))]
pub async fn unexported(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<UnexportedSummary>> {
    Ok(axum::Json(charges::unexported_summary(&s.app, &a).await?))
}

/// Export batches, newest first (`finance.read`).
#[utoipa::path(get, path = "/api/v1/charges/exports", tag = "charges", responses((status = 200, body = Vec<ExportView>)))]
pub async fn list_exports(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<ExportView>>> {
    Ok(axum::Json(charges::list_exports(&s.app, &a).await?))
}

/// Takes every charge of resolved or closed tickets not yet exported into a new batch
/// (`charges.manage`); 422 `nothing_to_export` when none waits.
#[utoipa::path(post, path = "/api/v1/charges/exports", tag = "charges", responses((status = 201, body = ExportView), (status = 422, body = crate::error::Problem)))]
pub async fn create_export(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<(StatusCode, axum::Json<ExportView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(charges::create_export(&s.app, &a).await?),
    ))
}

/// A batch as a file (`?format=xlsx` or `csv`), as often as needed (`finance.read`).
#[utoipa::path(get, path = "/api/v1/charges/exports/{id}/file", tag = "charges", params(("id" = Uuid, Path), FormatQuery), responses((status = 200, description = "an XLSX or CSV file"), (status = 404, body = crate::error::Problem)))]
pub async fn export_file(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(f): Query<FormatQuery>,
) -> ApiResult<Response> {
    let out = charges::export_file(&s.app, &a, id, f.format()?).await?;
    Ok(file_response(
        out.content_type,
        &out.file_name,
        out.bytes,
        false,
    ))
}
