//! Importing master data from spreadsheets.

use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use kefu_app::import::{AssetImport, ImportReport};
use serde::Deserialize;

use super::tickets::multipart_problem;
use crate::extract::{Auth, Query};
use crate::{ApiError, AppState};

/// Import options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check everything and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports installed equipment from an XLSX or CSV file (UTF-8 or GBK; multipart field
/// `file`, optional field `mapping`: a JSON object from column header to field key —
/// `customer` (code or exact name), `serial_number`, `product_name`, `product_code`,
/// `install_date`, `warranty_end`, `contract_end`, `site_address`). Known serial numbers are
/// updated, new ones created. All or nothing: 422 lists every problem as `file:row` with the
/// field as its code.
#[utoipa::path(post, path = "/api/v1/import/assets", tag = "import", params(ImportQuery), responses((status = 200, body = ImportReport), (status = 422, body = crate::error::Problem)))]
pub async fn import_assets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<ImportQuery>,
    form: Multipart,
) -> Result<axum::Json<ImportReport>, Response> {
    let imp = upload(form, q.dry_run).await?;
    kefu_app::import::import_assets(&s.app, &a, imp, &|_, _| {})
        .await
        .map(axum::Json)
        .map_err(|e| ApiError(e).into_response())
}

/// Imports customers from an XLSX or CSV file, like the asset import (fields `code` — the
/// key: a known code is updated —, `name`, `kind` 企业/个人, `tier` 标准/VIP/战略, `region`,
/// `address`, `phone`, `email`).
#[utoipa::path(post, path = "/api/v1/import/customers", tag = "import", params(ImportQuery), responses((status = 200, body = ImportReport), (status = 422, body = crate::error::Problem)))]
pub async fn import_customers(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<ImportQuery>,
    form: Multipart,
) -> Result<axum::Json<ImportReport>, Response> {
    let imp = upload(form, q.dry_run).await?;
    kefu_app::import::import_customers(&s.app, &a, imp, &|_, _| {})
        .await
        .map(axum::Json)
        .map_err(|e| ApiError(e).into_response())
}

/// The multipart upload: `file` and an optional JSON `mapping`.
async fn upload(mut form: Multipart, dry_run: bool) -> Result<AssetImport, Response> {
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
