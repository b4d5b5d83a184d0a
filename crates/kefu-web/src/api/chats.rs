//! Web chat for staff over the API: the console, availability, taking, reading, writing and
//! ending chats, and the widget settings. The live console is the WebSocket at
//! `/chat/agent/ws`; these are the same use cases for integrations and scripts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::chat::{ChatConsole, ChatMessageView, ChatSessionView, ChatSettings};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// The caller's chat console: waiting chats, their own, colleagues', recently ended.
#[utoipa::path(get, path = "/api/v1/chats", tag = "chat", responses((status = 200, body = ChatConsole)))]
pub async fn get_console(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<ChatConsole>> {
    Ok(axum::Json(kefu_app::chat::console(&s.app, &a).await?))
}

/// Whether the caller takes chats.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Presence {
    /// Taking chats.
    pub available: bool,
}

/// Sets whether the caller takes chats. Counts for a minute; the console (or a client calling
/// this) must repeat it to stay available.
#[utoipa::path(put, path = "/api/v1/chats/presence", tag = "chat", request_body = Presence, responses((status = 200, body = Presence)))]
pub async fn put_presence(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(p): Json<Presence>,
) -> ApiResult<axum::Json<Presence>> {
    let available = kefu_app::chat::set_presence(&s.app, &a, Some(p.available)).await?;
    Ok(axum::Json(Presence { available }))
}

/// One chat.
#[utoipa::path(get, path = "/api/v1/chats/{id}", tag = "chat", params(("id" = Uuid, Path)), responses((status = 200, body = ChatSessionView)))]
pub async fn get_chat(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ChatSessionView>> {
    Ok(axum::Json(kefu_app::chat::get_chat(&s.app, &a, id).await?))
}

/// Query of the chat lines.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AfterQuery {
    /// Only lines after this number (default 0: from the start).
    #[serde(default)]
    pub after: i32,
}

/// Lines of a chat, oldest first (at most 500 per call).
#[utoipa::path(get, path = "/api/v1/chats/{id}/messages", tag = "chat", params(("id" = Uuid, Path), AfterQuery), responses((status = 200, body = Vec<ChatMessageView>)))]
pub async fn list_chat_messages(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<AfterQuery>,
) -> ApiResult<axum::Json<Vec<ChatMessageView>>> {
    Ok(axum::Json(
        kefu_app::chat::chat_messages(&s.app, &a, id, q.after).await?,
    ))
}

/// A line from the agent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SayInput {
    /// The text (1–2000 characters).
    pub body: String,
}

/// Writes in a chat (taking it first if it was waiting).
#[utoipa::path(post, path = "/api/v1/chats/{id}/messages", tag = "chat", params(("id" = Uuid, Path)), request_body = SayInput, responses((status = 201, body = ChatMessageView)))]
pub async fn post_chat_message(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<SayInput>,
) -> ApiResult<Response> {
    let line = kefu_app::chat::agent_say(&s.app, &a, id, &b.body).await?;
    Ok((StatusCode::CREATED, axum::Json(line)).into_response())
}

/// Takes a waiting chat (409 `chat_taken` when a colleague was first).
#[utoipa::path(post, path = "/api/v1/chats/{id}/accept", tag = "chat", params(("id" = Uuid, Path)), responses((status = 200, body = ChatSessionView)))]
pub async fn accept_chat(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ChatSessionView>> {
    Ok(axum::Json(
        kefu_app::chat::accept_chat(&s.app, &a, id).await?,
    ))
}

/// How the agent ends a chat.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EndInput {
    /// The question was answered in the chat: the ticket is resolved at once.
    #[serde(default)]
    pub resolved: bool,
}

/// Ends a chat; its transcript becomes a ticket (returned as `ticket_id`/`ticket_number`).
#[utoipa::path(post, path = "/api/v1/chats/{id}/end", tag = "chat", params(("id" = Uuid, Path)), request_body = EndInput, responses((status = 200, body = ChatSessionView)))]
pub async fn end_chat(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<EndInput>,
) -> ApiResult<axum::Json<ChatSessionView>> {
    Ok(axum::Json(
        kefu_app::chat::end_chat(&s.app, &a, id, b.resolved).await?,
    ))
}

/// Web chat widget settings.
#[utoipa::path(get, path = "/api/v1/chat/settings", tag = "chat", responses((status = 200, body = ChatSettings)))]
pub async fn get_chat_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<ChatSettings>> {
    Ok(axum::Json(
        kefu_app::chat::get_chat_settings(&s.app, &a).await?,
    ))
}

/// Replaces the web chat widget settings.
#[utoipa::path(put, path = "/api/v1/chat/settings", tag = "chat", request_body = ChatSettings, responses((status = 200, body = ChatSettings)))]
pub async fn put_chat_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<ChatSettings>,
) -> ApiResult<axum::Json<ChatSettings>> {
    Ok(axum::Json(
        kefu_app::chat::save_chat_settings(&s.app, &a, b).await?,
    ))
}
