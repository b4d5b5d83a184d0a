//! Full-text search over tickets (and, with the knowledge base, articles), with the caller's
//! rights applied: customers find their company's tickets, never by internal notes.

use axum::extract::State;
use kefu_app::search::SearchParams;

use super::{ApiResult, json_value};
use crate::AppState;
use crate::extract::{Auth, Query};

/// Searches. Hits carry `id` (`ticket:<uuid>`), `kind`, `title`, an HTML `snippet` with
/// `<b>` around matched words (everything else escaped), `score`, `status`, `doc_type` and
/// `created` (Unix seconds); `total` counts all matches.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams), responses((status = 200, body = Object)))]
pub async fn search(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(p): Query<SearchParams>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    json_value(&kefu_app::search::search(&s.app, &a, p).await?)
}
