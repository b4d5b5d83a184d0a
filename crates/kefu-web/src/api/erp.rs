//! Upserts by the ERP's own keys: 201 when the record was created, 200 when updated.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::customers::{AssetView, CustomerView, NewCustomer};
use kefu_app::erp::{self, AssetUpsert};
use kefu_app::parts::{PartInput, PartView};

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path};

fn status(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// Creates or updates the customer with this ERP code (fields left out keep their values).
#[utoipa::path(put, path = "/api/v1/customers/by-code/{code}", tag = "erp", params(("code" = String, Path)), request_body = NewCustomer, responses((status = 201, body = CustomerView), (status = 200, body = CustomerView), (status = 422, body = crate::error::Problem)))]
pub async fn put_customer(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(code): Path<String>,
    Json(b): Json<NewCustomer>,
) -> ApiResult<(StatusCode, axum::Json<CustomerView>)> {
    let (v, created) = erp::upsert_customer(&s.app, &a, &code, b).await?;
    Ok((status(created), axum::Json(v)))
}

/// Creates or updates the asset with this serial number; its customer and product by code.
#[utoipa::path(put, path = "/api/v1/assets/by-serial/{serial}", tag = "erp", params(("serial" = String, Path)), request_body = AssetUpsert, responses((status = 201, body = AssetView), (status = 200, body = AssetView), (status = 422, body = crate::error::Problem)))]
pub async fn put_asset(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(serial): Path<String>,
    Json(b): Json<AssetUpsert>,
) -> ApiResult<(StatusCode, axum::Json<AssetView>)> {
    let (v, created) = erp::upsert_asset(&s.app, &a, &serial, b).await?;
    Ok((status(created), axum::Json(v)))
}

/// Creates or updates the part with this code (`parts.manage`).
#[utoipa::path(put, path = "/api/v1/parts/by-code/{code}", tag = "erp", params(("code" = String, Path)), request_body = PartInput, responses((status = 201, body = PartView), (status = 200, body = PartView), (status = 422, body = crate::error::Problem)))]
pub async fn put_part(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(code): Path<String>,
    Json(b): Json<PartInput>,
) -> ApiResult<(StatusCode, axum::Json<PartView>)> {
    let (v, created) = erp::upsert_part(&s.app, &a, &code, b).await?;
    Ok((status(created), axum::Json(v)))
}
