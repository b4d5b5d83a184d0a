//! The JSON API under `/api/v1`, one file per resource; handlers are named verb_noun.

pub mod approvals;
pub mod auth;
pub mod channels;
pub mod chats;
pub mod config;
pub mod customers;
pub mod dispatch;
pub mod search;
pub mod sla;
pub mod tickets;
pub mod users;

use axum::http::HeaderMap;

/// Reads `If-Match: "7"` (or `7`) as an expected version.
pub(crate) fn if_match(h: &HeaderMap) -> Option<i32> {
    h.get(axum::http::header::IF_MATCH)?
        .to_str()
        .ok()?
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}

/// Result type of handlers.
pub(crate) type ApiResult<T> = Result<T, crate::ApiError>;

/// A domain value (which has no OpenAPI schema of its own) as a JSON response.
pub(crate) fn json_value<T: serde::Serialize>(v: &T) -> ApiResult<axum::Json<serde_json::Value>> {
    serde_json::to_value(v)
        .map(axum::Json)
        .map_err(|e| kefu_app::AppError::Internal(e.into()).into())
}
