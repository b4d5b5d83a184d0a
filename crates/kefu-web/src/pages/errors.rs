//! How a failed page request looks: a message in the page's flash area (htmx requests are
//! retargeted there) or, for a plain navigation or form post, a small standalone page with a way
//! back ([`standalone`]). Field errors of forms are rendered by the forms themselves; this is for
//! everything else.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use kefu_app::AppError;

use super::i18n;
use super::render::render_status;

/// What an error response said, kept in its extensions so [`standalone`] can re-render it.
#[derive(Clone)]
struct ErrorMessage {
    locale: &'static str,
    status: StatusCode,
    text: String,
}

/// Renders `text` as an error message.
pub fn message_text(status: StatusCode, locale: &str, text: &str) -> Response {
    let locale = i18n::pick(locale);
    let mut res = render_status(
        status,
        "error.html",
        ctx!(; locale, status => status.as_u16(), message => text),
    );
    let h = res.headers_mut();
    h.insert("HX-Retarget", HeaderValue::from_static("#flash"));
    h.insert("HX-Reswap", HeaderValue::from_static("innerHTML"));
    res.extensions_mut().insert(ErrorMessage {
        locale,
        status,
        text: text.to_owned(),
    });
    res
}

/// Middleware: an error answering a plain (non-htmx) request becomes a whole page, in the
/// portal's or the workspace's frame, instead of the bare flash fragment.
pub async fn standalone(req: Request, next: Next) -> Response {
    let htmx = req.headers().contains_key("hx-request");
    let portal = req.uri().path().starts_with("/portal");
    let mut res = next.run(req).await;
    match res.extensions_mut().remove::<ErrorMessage>() {
        Some(e) if !htmx => render_status(
            e.status,
            "error_page.html",
            ctx!(; locale => e.locale, status => e.status.as_u16(), message => e.text, portal),
        ),
        _ => res,
    }
}

/// Renders the catalog message `key`.
pub fn message_page(status: StatusCode, locale: &str, key: &str) -> Response {
    message_text(status, locale, &i18n::translate(locale, key))
}

/// Field errors keyed by field, in the reader's language, for a form to show next to each field.
pub fn field_messages(
    locale: &str,
    errs: Vec<kefu_app::FieldError>,
) -> serde_json::Map<String, serde_json::Value> {
    errs.into_iter()
        .map(|e| {
            let text = i18n::field_error(locale, &e.field, &e.code, &e.message);
            (e.field, serde_json::Value::String(text))
        })
        .collect()
}

/// One field error as a line of a message: "标题：…" or "Subject: …".
fn field_line(locale: &str, e: &kefu_app::FieldError) -> String {
    let sep = if i18n::pick(locale) == "en" {
        ": "
    } else {
        "："
    };
    format!(
        "{}{sep}{}",
        i18n::field_label(locale, &e.field),
        i18n::field_error(locale, &e.field, &e.code, &e.message)
    )
}

/// What an application error means to the reader: the status and a message in their
/// language (internal errors are logged, never shown).
pub fn describe(e: AppError, locale: &str) -> (StatusCode, String) {
    let (status, text) = match e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error.not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "error.forbidden"),
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "error.unauthenticated"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "error.conflict"),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "error.rate_limited"),
        AppError::Rule { message, .. } => return (StatusCode::UNPROCESSABLE_ENTITY, message),
        AppError::Gone { message, .. } => return (StatusCode::GONE, message),
        AppError::Invalid(errors) => {
            let text = errors
                .iter()
                .map(|f| field_line(locale, f))
                .collect::<Vec<_>>()
                .join("；");
            return (StatusCode::UNPROCESSABLE_ENTITY, text);
        }
        other => {
            tracing::error!(error = %other, "page request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
        }
    };
    (status, i18n::translate(locale, text))
}

/// Maps an application error to a page response.
pub fn page_error(e: AppError, locale: &str) -> Response {
    let (status, text) = describe(e, locale);
    message_text(status, locale, &text)
}
