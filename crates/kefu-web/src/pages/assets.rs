//! Static files compiled into the binary: htmx, the stylesheet and the small page script.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::extract::Path;

const FILES: &[(&str, &str, &str)] = &[
    (
        "chat.css",
        "text/css; charset=utf-8",
        include_str!("../../static/chat.css"),
    ),
    (
        "chat-agent.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/chat-agent.js"),
    ),
    (
        "chat-embed.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/chat-embed.js"),
    ),
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/htmx-2.0.11.min.js"),
    ),
    (
        "kb.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/kb.js"),
    ),
    (
        "kefu.css",
        "text/css; charset=utf-8",
        include_str!("../../static/kefu.css"),
    ),
    (
        "kefu.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/kefu.js"),
    ),
];

/// Serves one static file; names carry versions, so they are cached for a day.
pub async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
