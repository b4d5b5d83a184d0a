//! Importing master data from spreadsheets.

use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use kefu_app::import::{AssetImport, ImportKind, ImportReport};
use serde::Deserialize;

use super::tickets::multipart_problem;
use crate::extract::{Auth, Path, Query};
use crate::{ApiError, AppState};

/// Import options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check everything and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports master data or history from an XLSX or CSV file (UTF-8 or GBK; multipart field
/// `file`, optional field `mapping`: a JSON object from column header to field key; columns not
/// mapped are recognised by their Chinese or English header). Lists and their fields:
/// `customers` (code, name, kind, tier, region, address, phone, email; known codes updated),
/// `contacts` (customer, name, phone, email, title, primary; a known address, phone or name under
/// the customer updated), `orders` (one row per line: order_no, customer, order_date, status,
/// product_code, description, quantity, unit_price; a known order number replaced),
/// `products` (code, name, category, warranty_months; known codes updated), `assets`
/// (customer, serial_number, product_name, product_code, install_date, warranty_end,
/// contract_end, site_address; known serials updated), `parts` (code, name, unit, unit_price,
/// external_id), `stock` (part_code, warehouse, on_hand: a count that replaces what is on hand),
/// `tickets` (history: status, opened_at, number, subject, description, customer, kind,
/// priority, channel, tag, updated_at, resolved_at, closed_at; rows with the same number are one
/// ticket's event log). All or nothing: 422 lists every problem as `file:row` with the field.
#[utoipa::path(post, path = "/api/v1/import/{list}", tag = "import", params(("list" = String, Path, description = "customers, contacts, products, orders, assets, parts, stock or tickets"), ImportQuery), responses((status = 200, body = ImportReport), (status = 404, description = "no such list"), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(list): Path<String>,
    Query(q): Query<ImportQuery>,
    form: Multipart,
) -> Result<axum::Json<ImportReport>, Response> {
    let Some(kind) = ImportKind::parse(&list) else {
        return Err(ApiError(kefu_app::AppError::NotFound("list")).into_response());
    };
    let imp = upload(form, q.dry_run).await?;
    kefu_app::import::run(&s.app, &a, kind, imp, &|_, _| {})
        .await
        .map(axum::Json)
        .map_err(|e| ApiError(e).into_response())
}

/// The multipart upload: `file` and an optional JSON `mapping`.
pub(crate) async fn upload(mut form: Multipart, dry_run: bool) -> Result<AssetImport, Response> {
    let mut imp = AssetImport {
        dry_run,
        ..Default::default()
    };
    while let Some(field) = form.next_field().await.map_err(multipart_problem)? {
        match field.name().unwrap_or_default() {
            "file" => {
                imp.file_name = field.file_name().unwrap_or("import.csv").to_owned();
                imp.bytes = field.bytes().await.map_err(multipart_problem)?.to_vec();
            }
            "mapping" => {
                let text = field.text().await.map_err(multipart_problem)?;
                imp.mapping =
                    serde_json::from_str::<HashMap<String, String>>(&text).map_err(|_| {
                        ApiError(kefu_app::AppError::invalid(
                            "mapping",
                            "invalid",
                            "a JSON object from column header to field key",
                        ))
                        .into_response()
                    })?;
            }
            _ => {}
        }
    }
    if imp.file_name.is_empty() {
        return Err(ApiError(kefu_app::AppError::invalid(
            "file",
            "required",
            "a .xlsx or .csv file",
        ))
        .into_response());
    }
    Ok(imp)
}
