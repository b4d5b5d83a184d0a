//! The WeChat official-account callback (`/wechat/callback`), public by design: WeChat calls
//! it, and every request is authenticated by its signature (and, in safe mode, decrypted)
//! before anything is read. Answers follow the push protocol: the echo string on URL
//! verification, `success` once a message is stored (WeChat retries three times otherwise).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::wechat::{CallbackError, CallbackQuery};

use crate::AppState;

fn refuse(e: CallbackError) -> Response {
    match e {
        CallbackError::Disabled => (StatusCode::NOT_FOUND, "not enabled").into_response(),
        CallbackError::Signature => (StatusCode::UNAUTHORIZED, "bad signature").into_response(),
        CallbackError::Message(m) => {
            tracing::warn!(error = %m, "unreadable WeChat push");
            // Answered so WeChat does not retry a message that can never be read.
            (StatusCode::OK, "success").into_response()
        }
        CallbackError::App(e) => {
            tracing::error!(error = %e, "WeChat push not stored");
            (StatusCode::SERVICE_UNAVAILABLE, "retry").into_response()
        }
    }
}

/// GET: URL verification.
pub async fn verify(State(s): State<AppState>, Query(q): Query<CallbackQuery>) -> Response {
    match kefu_app::wechat::verify_url(&s.app, &q).await {
        Ok(echo) => (StatusCode::OK, echo).into_response(),
        Err(e) => refuse(e),
    }
}

/// POST: a pushed message or event.
pub async fn receive(
    State(s): State<AppState>,
    Query(q): Query<CallbackQuery>,
    body: String,
) -> Response {
    match kefu_app::wechat::receive(&s.app, &q, &body).await {
        Ok(_) => (StatusCode::OK, "success").into_response(),
        Err(e) => refuse(e),
    }
}
