//! The one mapping of application errors to HTTP: `application/problem+json` (RFC 9457) with
//! field-level errors. Internal errors are logged with their cause and shown as a bare 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::{AppError, FieldError};
use serde::Serialize;

/// A problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Detail for this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine code.
    pub code: String,
    /// Field-level problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error on its way out as a problem document.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// A 4xx problem with a code and detail.
    pub fn problem(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
        problem(status, code, Some(detail.into()), Vec::new())
    }
}

fn problem(
    status: StatusCode,
    code: &str,
    detail: Option<String>,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("https://kefu.dev/problems/{code}"),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    };
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::NotFound(what) => problem(
                StatusCode::NOT_FOUND,
                "not_found",
                Some(format!("{what} not found")),
                vec![],
            ),
            AppError::Unauthenticated => {
                let mut r = problem(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    Some("valid credentials are required".into()),
                    vec![],
                );
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                r
            }
            AppError::Forbidden(d) => problem(StatusCode::FORBIDDEN, "forbidden", Some(d), vec![]),
            AppError::Invalid(errors) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Some("the request has invalid fields".into()),
                errors,
            ),
            AppError::Conflict { code, message } => {
                problem(StatusCode::CONFLICT, code, Some(message), vec![])
            }
            AppError::Rule { code, message } => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                Some(message),
                vec![],
            ),
            AppError::Gone { code, message } => {
                problem(StatusCode::GONE, code, Some(message), vec![])
            }
            AppError::RateLimited { retry_after_secs } => {
                let mut r = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    Some(format!("try again in {retry_after_secs} s")),
                    vec![],
                );
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", None, vec![])
            }
        }
    }
}

/// Gives error responses made outside [`ApiError`] (the body limit, timeout and panic layers,
/// axum's 405 and its own extractor rejections) a problem document on `/api` paths, so API
/// clients see one error format whatever refused the request.
pub(crate) async fn problem_for_bare_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !api || is_problem || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let detail = status
        .is_client_error()
        .then(|| status.canonical_reason().map(str::to_lowercase))
        .flatten();
    let mut out = problem(status, code, detail, vec![]);
    // Keep what tells the client how to go on (`Allow` on a 405, `Retry-After`).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
