//! Our own extractors: every rejection becomes a problem document, and the caller is
//! authenticated by bearer token or by session cookie (with a CSRF token on unsafe methods).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::FieldError;
use kefu_domain::access::Actor;
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kefu_session";

/// The `Set-Cookie` value that starts a login session (pages and API alike).
pub fn session_cookie(s: &crate::AppState, session_id: &str) -> axum::http::HeaderValue {
    let secure = if s.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        s.app.settings.session_hours * 3600
    );
    axum::http::HeaderValue::from_str(&v).expect("session ids are header-safe")
}

/// The `Set-Cookie` value that ends the session cookie.
pub fn clear_session_cookie() -> axum::http::HeaderValue {
    axum::http::HeaderValue::from_static("kefu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
/// Header carrying the CSRF token for cookie-authenticated unsafe requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body; syntax errors, wrong types, unknown fields and missing fields are 4xx problems
/// that name the field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            ApiError::problem(
                status,
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "bad_body"
                },
                e.body_text(),
            )
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses JSON, naming the failing field.
#[allow(clippy::result_large_err)] // a Response is what every caller returns anyway
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Response> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (status, code) = if inner.is_syntax() || inner.is_eof() {
            (StatusCode::BAD_REQUEST, "invalid_json")
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        };
        let msg = inner.to_string();
        let field = if path == "." {
            // serde names unknown/missing fields only in the message.
            msg.split('`').nth(1).unwrap_or("").to_owned()
        } else {
            path
        };
        let field_code = if msg.starts_with("unknown field") {
            "unknown"
        } else if msg.starts_with("missing field") {
            "required"
        } else if msg.starts_with("unknown variant") {
            "invalid"
        } else {
            "wrong_type"
        };
        let errors = if code == "validation_failed" {
            vec![FieldError::new(field, field_code, msg.clone())]
        } else {
            vec![]
        };
        let mut r = ApiError::from(kefu_app::AppError::Invalid(errors)).into_response();
        if code == "invalid_json" {
            r = ApiError::problem(status, code, msg);
        }
        r
    })
}

/// Query string parameters.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::problem(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))
    }
}

/// Path parameters.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e| ApiError::problem(StatusCode::BAD_REQUEST, "invalid_path", e.body_text()))
    }
}

/// The authenticated caller.
pub struct Auth(pub Actor);

/// Reads one cookie from request headers.
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Reads one cookie from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// The raw session cookie value, if any (to end or keep that session).
pub struct SessionCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionCookie(
            cookie(parts, SESSION_COOKIE).map(str::to_owned),
        ))
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let app = &state.app;
        if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| ApiError(kefu_app::AppError::Unauthenticated).into_response())?;
            return kefu_app::auth::tokens::authenticate(app, token.trim())
                .await
                .map(Auth)
                .map_err(|e| ApiError(e).into_response());
        }
        let Some(sid) = cookie(parts, SESSION_COOKIE) else {
            return Err(ApiError(kefu_app::AppError::Unauthenticated).into_response());
        };
        let session = kefu_app::auth::sessions::resolve(app, sid)
            .await
            .map_err(|e| ApiError(e).into_response())?
            .ok_or_else(|| ApiError(kefu_app::AppError::Unauthenticated).into_response())?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::problem(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token",
                ));
            }
        }
        Ok(Auth(kefu_app::auth::actor_for(&session.user)))
    }
}

/// The caller if they sent credentials (bearer token or session cookie), `None` for an
/// anonymous visitor. Credentials that are sent but wrong are still refused.
pub struct MaybeAuth(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.get(header::AUTHORIZATION).is_none()
            && cookie(parts, SESSION_COOKIE).is_none()
        {
            return Ok(MaybeAuth(None));
        }
        match Auth::from_request_parts(parts, state).await {
            Ok(Auth(a)) => Ok(MaybeAuth(Some(a))),
            // An expired session cookie on a public page reads as anonymous.
            Err(_)
                if parts.headers.get(header::AUTHORIZATION).is_none()
                    && matches!(parts.method, Method::GET | Method::HEAD) =>
            {
                Ok(MaybeAuth(None))
            }
            Err(e) => Err(e),
        }
    }
}

/// Equality that takes the same time wherever the inputs differ (tokens, CSRF values).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
