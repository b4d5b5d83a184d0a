//! Customers, contacts, assets and orders.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::customers::{
    AssetView, ContactView, CustomerPatch, CustomerView, NewAsset, NewContact, NewCustomer,
    NewOrder, OrderView,
};
use serde::Deserialize;
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Customer listing parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CustomerListQuery {
    /// Text in name or code.
    pub q: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// Id of the last customer of the previous page.
    pub after: Option<Uuid>,
    /// Page size 1–200 (default 50).
    pub limit: Option<u64>,
}

/// Creates a customer.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = NewCustomer, responses((status = 201, body = CustomerView), (status = 422, body = crate::error::Problem)))]
pub async fn create_customer(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<NewCustomer>,
) -> ApiResult<(StatusCode, axum::Json<CustomerView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::customers::create_customer(&s.app, &a, req).await?),
    ))
}

/// Lists customers.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerListQuery), responses((status = 200, body = Vec<CustomerView>)))]
pub async fn list_customers(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<CustomerListQuery>,
) -> ApiResult<axum::Json<Vec<CustomerView>>> {
    Ok(axum::Json(
        kefu_app::customers::list_customers(
            &s.app,
            &a,
            q.q.as_deref(),
            q.tier.as_deref(),
            q.after,
            q.limit.unwrap_or(50),
        )
        .await?,
    ))
}

/// One customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), responses((status = 200, body = CustomerView), (status = 404, body = crate::error::Problem)))]
pub async fn get_customer(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<CustomerView>> {
    Ok(axum::Json(
        kefu_app::customers::get_customer(&s.app, &a, id).await?,
    ))
}

/// Changes a customer.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), request_body = CustomerPatch, responses((status = 200, body = CustomerView), (status = 409, body = crate::error::Problem)))]
pub async fn update_customer(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<CustomerPatch>,
) -> ApiResult<axum::Json<CustomerView>> {
    Ok(axum::Json(
        kefu_app::customers::update_customer(&s.app, &a, id, req).await?,
    ))
}

/// Adds a contact.
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "customers", params(("id" = Uuid, Path)), request_body = NewContact, responses((status = 201, body = ContactView)))]
pub async fn create_contact(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<NewContact>,
) -> ApiResult<(StatusCode, axum::Json<ContactView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::customers::create_contact(&s.app, &a, id, req).await?),
    ))
}

/// A customer's contacts.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contacts", tag = "customers", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<ContactView>)))]
pub async fn list_contacts(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<ContactView>>> {
    Ok(axum::Json(
        kefu_app::customers::list_contacts(&s.app, &a, id).await?,
    ))
}

/// Registers an asset.
#[utoipa::path(post, path = "/api/v1/customers/{id}/assets", tag = "customers", params(("id" = Uuid, Path)), request_body = NewAsset, responses((status = 201, body = AssetView)))]
pub async fn create_asset(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<NewAsset>,
) -> ApiResult<(StatusCode, axum::Json<AssetView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::customers::create_asset(&s.app, &a, id, req).await?),
    ))
}

/// A customer's assets.
#[utoipa::path(get, path = "/api/v1/customers/{id}/assets", tag = "customers", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<AssetView>)))]
pub async fn list_assets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<AssetView>>> {
    Ok(axum::Json(
        kefu_app::customers::list_assets(&s.app, &a, id).await?,
    ))
}

/// Records an order.
#[utoipa::path(post, path = "/api/v1/customers/{id}/orders", tag = "customers", params(("id" = Uuid, Path)), request_body = NewOrder, responses((status = 201, body = OrderView)))]
pub async fn create_order(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<NewOrder>,
) -> ApiResult<(StatusCode, axum::Json<OrderView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::customers::create_order(&s.app, &a, id, req).await?),
    ))
}

/// A customer's orders.
#[utoipa::path(get, path = "/api/v1/customers/{id}/orders", tag = "customers", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<OrderView>)))]
pub async fn list_orders(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<OrderView>>> {
    Ok(axum::Json(
        kefu_app::customers::list_orders(&s.app, &a, id).await?,
    ))
}
