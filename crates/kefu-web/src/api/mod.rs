//! The JSON API under `/api/v1`, one file per resource; handlers are named verb_noun.

pub mod approvals;
pub mod auth;
pub mod care;
pub mod channels;
pub mod charges;
pub mod chats;
pub mod config;
pub mod customers;
pub mod dispatch;
pub mod erp;
pub mod exports;
pub mod imports;
pub mod kb;
pub mod parts;
pub mod products;
pub mod rmas;
pub mod search;
pub mod sla;
pub mod tickets;
pub mod users;
pub mod webhooks;

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

/// A stored file as a download (`inline`: shown in the page, for images only; never HTML or
/// SVG, which could run script on our origin).
pub(crate) fn file_response(
    content_type: &str,
    file_name: &str,
    bytes: Vec<u8>,
    inline: bool,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let image = content_type.starts_with("image/") && !content_type.contains("svg");
    let disposition = if inline && image {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
