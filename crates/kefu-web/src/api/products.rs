//! Products with their service BOM, and preventive-maintenance plans on assets.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::maintenance::{self, PlanInput, PlanView};
use kefu_app::products::{self, ProductInput, ProductView};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// Every product by code, with its service BOM (staff).
#[utoipa::path(get, path = "/api/v1/products", tag = "products", responses((status = 200, body = Vec<ProductView>)))]
pub async fn list_products(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<ProductView>>> {
    Ok(axum::Json(products::list_products(&s.app, &a).await?))
}

/// Adds a product (201) or updates the one with the same code (200), replacing its service BOM
/// when `bom` is given (`parts.manage`): the ERP's upsert by material number.
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductInput, responses((status = 201, body = ProductView), (status = 200, body = ProductView), (status = 422, body = crate::error::Problem)))]
pub async fn save_product(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<ProductInput>,
) -> ApiResult<(StatusCode, axum::Json<ProductView>)> {
    let (p, created) = products::save_product(&s.app, &a, b).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(p)))
}

/// Every maintenance plan by next due date (staff).
#[utoipa::path(get, path = "/api/v1/maintenance-plans", tag = "products", responses((status = 200, body = Vec<PlanView>)))]
pub async fn list_plans(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<PlanView>>> {
    Ok(axum::Json(maintenance::list_plans(&s.app, &a, None).await?))
}

/// The asset's maintenance plans (staff).
#[utoipa::path(get, path = "/api/v1/assets/{id}/maintenance-plans", tag = "products", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<PlanView>)))]
pub async fn asset_plans(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<PlanView>>> {
    Ok(axum::Json(
        maintenance::list_plans(&s.app, &a, Some(id)).await?,
    ))
}

/// Adds a maintenance plan to an asset: every `interval_months`, a visit ticket opens
/// `lead_days` working days before the visit (the first working day on or after the due date).
#[utoipa::path(post, path = "/api/v1/assets/{id}/maintenance-plans", tag = "products", params(("id" = Uuid, Path)), request_body = PlanInput, responses((status = 201, body = PlanView), (status = 422, body = crate::error::Problem)))]
pub async fn create_plan(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<PlanInput>,
) -> ApiResult<(StatusCode, axum::Json<PlanView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(maintenance::create_plan(&s.app, &a, id, b).await?),
    ))
}

/// Changes a maintenance plan (pause it with `"active": false`).
#[utoipa::path(put, path = "/api/v1/maintenance-plans/{id}", tag = "products", params(("id" = Uuid, Path)), request_body = PlanInput, responses((status = 200, body = PlanView), (status = 404, body = crate::error::Problem)))]
pub async fn update_plan(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<PlanInput>,
) -> ApiResult<axum::Json<PlanView>> {
    Ok(axum::Json(
        maintenance::update_plan(&s.app, &a, id, b).await?,
    ))
}
