//! Full-text search over tickets and articles, with the caller's rights applied: customers
//! find their company's tickets, never by internal notes. Admins keep the user dictionary
//! and rebuild the index.

use axum::extract::State;
use axum::http::StatusCode;
use kefu_app::search::{DictionaryState, RebuildStatus, SearchParams};
use serde::Deserialize;

use super::{ApiResult, json_value};
use crate::AppState;
use crate::extract::{Auth, Json, Query};

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

/// The user dictionary (product and part names kept whole), whether the index was built with
/// it, the number of indexed documents and the state of a rebuild (admins).
#[utoipa::path(get, path = "/api/v1/search/dictionary", tag = "search", responses((status = 200, body = DictionaryState)))]
pub async fn get_dictionary(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<DictionaryState>> {
    Ok(axum::Json(kefu_app::search::dictionary(&s.app, &a).await?))
}

/// A new dictionary.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DictionaryBody {
    /// One word per entry; blanks and repeats are dropped, no spaces inside a word.
    pub words: Vec<String>,
}

/// Replaces the user dictionary (admins). It takes effect after a rebuild
/// (`POST /api/v1/search/rebuild` or `kefu reindex`).
#[utoipa::path(put, path = "/api/v1/search/dictionary", tag = "search", request_body = DictionaryBody, responses((status = 200, body = DictionaryState), (status = 422, description = "a word with spaces or too long")))]
pub async fn put_dictionary(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<DictionaryBody>,
) -> ApiResult<axum::Json<DictionaryState>> {
    Ok(axum::Json(
        kefu_app::search::save_dictionary(&s.app, &a, &b.words).await?,
    ))
}

/// Starts rebuilding the index in the background with the saved dictionary (admins); follow
/// it with `GET /api/v1/search/dictionary`. Searches answer from the old index meanwhile.
#[utoipa::path(post, path = "/api/v1/search/rebuild", tag = "search", responses((status = 202, body = RebuildStatus), (status = 409, description = "a rebuild is running")))]
pub async fn rebuild(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<(StatusCode, axum::Json<RebuildStatus>)> {
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(kefu_app::search::start_rebuild(&s.app, &a).await?),
    ))
}
