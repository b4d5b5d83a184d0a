//! How a failed page request looks: a message in the page's flash area (htmx requests are
//! retargeted there) or a small standalone page. Field errors of forms are rendered by the
//! forms themselves; this is for everything else.

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use kefu_app::AppError;

use super::i18n;
use super::render::render_status;

/// Renders `text` as an error message.
pub fn message_text(status: StatusCode, locale: &str, text: &str) -> Response {
    let mut res = render_status(
        status,
        "error.html",
        ctx!(; locale => i18n::pick(locale), status => status.as_u16(), message => text),
    );
    let h = res.headers_mut();
    h.insert("HX-Retarget", HeaderValue::from_static("#flash"));
    h.insert("HX-Reswap", HeaderValue::from_static("innerHTML"));
    res
}

/// Renders the catalog message `key`.
pub fn message_page(status: StatusCode, locale: &str, key: &str) -> Response {
    message_text(status, locale, &i18n::translate(locale, key))
}

/// Maps an application error to a page response.
pub fn page_error(e: AppError, locale: &str) -> Response {
    match e {
        AppError::NotFound(_) => message_page(StatusCode::NOT_FOUND, locale, "error.not_found"),
        AppError::Forbidden(_) => message_page(StatusCode::FORBIDDEN, locale, "error.forbidden"),
        AppError::Unauthenticated => {
            message_page(StatusCode::UNAUTHORIZED, locale, "error.unauthenticated")
        }
        AppError::Conflict { .. } => message_page(StatusCode::CONFLICT, locale, "error.conflict"),
        AppError::Rule { message, .. } => {
            message_text(StatusCode::UNPROCESSABLE_ENTITY, locale, &message)
        }
        AppError::RateLimited { .. } => {
            message_page(StatusCode::TOO_MANY_REQUESTS, locale, "error.rate_limited")
        }
        AppError::Invalid(errors) => {
            let text = errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("；");
            message_text(StatusCode::UNPROCESSABLE_ENTITY, locale, &text)
        }
        other => {
            tracing::error!(error = %other, "page request failed");
            message_page(StatusCode::INTERNAL_SERVER_ERROR, locale, "error.internal")
        }
    }
}
