//! Lists as files for Excel: `?format=xlsx` or `csv` (UTF-8 with BOM).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use kefu_app::AppError;
use kefu_app::export::{ExportFile, Format};
use kefu_app::tickets::TicketListQuery;
use serde::Deserialize;

use super::{ApiResult, file_response};
use crate::AppState;
use crate::extract::{Auth, Path, Query};

/// The file format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// `xlsx` (default) or `csv` (UTF-8 with BOM).
    #[serde(default)]
    pub format: Option<String>,
}

impl FormatQuery {
    /// The format asked for (XLSX by default).
    pub(crate) fn format(&self) -> Result<Format, AppError> {
        Format::parse(self.format.as_deref().unwrap_or("xlsx"))
            .ok_or_else(|| AppError::invalid("format", "invalid", "xlsx or csv"))
    }
}

fn file(f: ExportFile) -> Response {
    file_response(f.content_type, &f.file_name, f.bytes, false)
}

/// The tickets the list filters select (every page, at most 100,000), as a file.
#[utoipa::path(get, path = "/api/v1/export/tickets", tag = "export", params(TicketListQuery, FormatQuery), responses((status = 200, description = "an XLSX or CSV file")))]
pub async fn tickets(
    State(s): State<AppState>,
    Auth(a): Auth,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    // The list's own parameters refuse unknown ones, so `format` is taken out first.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let (format, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "format");
    let format = FormatQuery {
        format: format.into_iter().next().map(|p| p.1),
    }
    .format()?;
    let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
    let q: TicketListQuery = serde_urlencoded::from_str(&rest).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("query").to_owned();
        AppError::invalid(&field, "invalid", msg)
    })?;
    Ok(file(
        kefu_app::export::export_tickets(&s.app, &a, q, format).await?,
    ))
}

/// A list as a file, in the columns its import reads back where there is one: `customers`,
/// `contacts`, `products`, `orders` (one row per line), `assets`, `parts`, `stock` (per part
/// and warehouse), `price-items`, `purchase-requests`, `maintenance-plans`.
#[utoipa::path(get, path = "/api/v1/export/{list}", tag = "export", params(("list" = String, Path, description = "customers, contacts, products, orders, assets, parts, stock, price-items, purchase-requests or maintenance-plans"), FormatQuery), responses((status = 200, description = "an XLSX or CSV file"), (status = 404, description = "no such list")))]
pub async fn list(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(list): Path<String>,
    Query(f): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = f.format()?;
    let (app, a) = (&s.app, &a);
    let out = match list.as_str() {
        "customers" => kefu_app::export::export_customers(app, a, format).await?,
        "assets" => kefu_app::export::export_assets(app, a, format).await?,
        "stock" => kefu_app::export::export_stock(app, a, format).await?,
        "purchase-requests" => kefu_app::export::export_purchase_requests(app, a, format).await?,
        "parts" => kefu_app::export::export_parts(app, a, format).await?,
        "products" => kefu_app::export::export_products(app, a, format).await?,
        "price-items" => kefu_app::export::export_price_items(app, a, format).await?,
        "contacts" => kefu_app::export::export_contacts(app, a, format).await?,
        "orders" => kefu_app::export::export_orders(app, a, format).await?,
        "maintenance-plans" => kefu_app::export::export_maintenance_plans(app, a, format).await?,
        _ => return Err(AppError::NotFound("list").into()),
    };
    Ok(file(out))
}
