//! The widget's JSON API. Public: starting a chat or leaving a message needs no account (and
//! is limited per client address); reading and writing a chat needs its token in the
//! `X-Chat-Token` header. The WebSocket carries the same conversation live.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_app::chat::{self, LeaveMessage, StartChat};
use serde::Deserialize;

use crate::api::ApiResult;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

fn token(h: &HeaderMap) -> Result<&str, ApiError> {
    h.get("x-chat-token")
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError(kefu_app::AppError::NotFound("chat")))
}

/// `GET /chat/api/offer`: live chat, or a message form and why.
pub async fn offer(State(s): State<AppState>) -> ApiResult<axum::Json<chat::OfferView>> {
    Ok(axum::Json(chat::offer_now(&s.app).await?))
}

/// `POST /chat/api/sessions`: starts a chat.
pub async fn start(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(body): Json<StartChat>,
) -> ApiResult<Response> {
    let started = chat::start_chat(&s.app, body, &addr.ip().to_string()).await?;
    Ok((StatusCode::CREATED, axum::Json(started)).into_response())
}

/// `POST /chat/api/leave`: a message for later, filed as a ticket.
pub async fn leave(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(body): Json<LeaveMessage>,
) -> ApiResult<Response> {
    let left = chat::leave_message(&s.app, body, &addr.ip().to_string()).await?;
    Ok((StatusCode::CREATED, axum::Json(left)).into_response())
}

/// Query of `GET /chat/api/state`.
#[derive(Debug, Deserialize)]
pub struct After {
    /// Only lines after this number.
    #[serde(default)]
    after: i32,
}

/// `GET /chat/api/state?after=N`: the chat and its lines after N.
pub async fn state(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<After>,
) -> ApiResult<axum::Json<chat::VisitorState>> {
    let t = token(&headers)?;
    Ok(axum::Json(chat::visitor_state(&s.app, t, q.after).await?))
}

/// Body of `POST /chat/api/messages`.
#[derive(Debug, Deserialize)]
pub struct Say {
    /// The text.
    body: String,
}

/// `POST /chat/api/messages`: the visitor writes.
pub async fn say(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(b): Json<Say>,
) -> ApiResult<Response> {
    let t = token(&headers)?;
    let line = chat::visitor_say(&s.app, t, &b.body).await?;
    Ok((StatusCode::CREATED, axum::Json(line)).into_response())
}

/// `POST /chat/api/end`: the visitor closes the chat.
pub async fn end(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<chat::VisitorState>> {
    let t = token(&headers)?;
    Ok(axum::Json(chat::visitor_end(&s.app, t).await?))
}
